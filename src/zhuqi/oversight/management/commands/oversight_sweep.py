"""`zhuqi oversight_sweep`: raise the slips of supervision items by the rules (idempotent; cron-able)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhuqi.core import audit
from zhuqi.oversight.sweep import sweep


class Command(BaseCommand):
    help = "督办事项巡检：按规则发出蓝色提醒、橙色督办、红色督办（可重复运行）"

    def handle(self, *args, **options):
        with audit.acting_as(None, label=_("命令: zhuqi oversight_sweep")):
            self.stdout.write(str(sweep()))

"""Send visit reminders to officials whose rule period ends soon (cron: daily, e.g. 08:30)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhuqi.assistance.services import send_visit_reminders


class Command(BaseCommand):
    help = "提醒包抓责任人：本周期结束前仍未完成规定次数走访的，发送站内提醒"

    def handle(self, *args, **options):
        sent = send_visit_reminders()
        self.stdout.write(_("已发送走访提醒 %(sent)s 条") % {"sent": sent})

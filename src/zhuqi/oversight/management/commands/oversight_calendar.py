"""`zhuqi oversight_calendar`: remind the preparers of the coming oversight events (idempotent; cron-able)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhuqi.core import audit
from zhuqi.oversight.calendar_events import send_reminders


class Command(BaseCommand):
    help = "督查日历提醒：按提前的工作日数提醒周调度、月通报、季督查、考核的准备单位（每次安排只提醒一次，可重复运行）"

    def handle(self, *args, **options):
        with audit.acting_as(None, label=_("命令: zhuqi oversight_calendar")):
            n = send_reminders()
        self.stdout.write(_("已发送提醒 %(n)s 条") % {"n": n})

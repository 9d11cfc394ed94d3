"""`zhuqi sweep_cases`: flag missed clocks, remind, escalate (idempotent; cron-able)."""

from django.core.management.base import BaseCommand

from zhuqi.cases.sweep import sweep
from zhuqi.core import heartbeat


class Command(BaseCommand):
    help = "诉求时限巡检：登记超时、催办、自动提级（可重复运行）"

    def handle(self, *args, **options):
        result = sweep()
        heartbeat.mark(heartbeat.CASES_SWEEP)  # the sweep lag on /metrics
        self.stdout.write(str(result))

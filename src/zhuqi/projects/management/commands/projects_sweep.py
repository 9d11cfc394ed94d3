"""`zhuqi projects_sweep`: raise overdue pre-construction approvals (cron-able, daily)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhuqi.core import audit
from zhuqi.projects import services


class Command(BaseCommand):
    help = "重点项目：逾期审批环节上报责任部门"

    def add_arguments(self, parser):
        parser.add_argument("--today", help=_("按该日期判断逾期（YYYY-MM-DD），默认今天"))

    def handle(self, *args, **options):
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else None
        with audit.acting_as(None, label=_("命令: zhuqi projects_sweep")):
            n = services.sweep_overdue_approvals(today)
        self.stdout.write(self.style.SUCCESS(_("逾期审批环节：本次上报 %(n)s 项") % {"n": n}))

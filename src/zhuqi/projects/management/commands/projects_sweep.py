"""`zhuqi projects_sweep`: raise overdue pre-construction approvals and rebuild the marked pairs
of 重点项目汇总 (projects/rollups.py) (cron-able, daily; the rollup alone: `--rollups-only`)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhuqi.core import audit
from zhuqi.projects import services


class Command(BaseCommand):
    help = "重点项目：逾期审批环节上报责任部门"

    def add_arguments(self, parser):
        parser.add_argument("--today", help=_("按该日期判断逾期（YYYY-MM-DD），默认今天"))
        parser.add_argument("--rollups-only", action="store_true", help=_("只刷新重点项目汇总"))

    def handle(self, *args, **options):
        from zhuqi.projects import rollups

        if options.get("rollups_only"):
            n = rollups.refresh()
            self.stdout.write(self.style.SUCCESS(_("重点项目汇总：刷新 %(n)s 组") % {"n": n}))
            return
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else None
        with audit.acting_as(None, label=_("命令: zhuqi projects_sweep")):
            n = services.sweep_overdue_approvals(today)
        self.stdout.write(self.style.SUCCESS(_("逾期审批环节：本次上报 %(n)s 项") % {"n": n}))
        rollups.refresh()  # the marked pairs of 重点项目汇总 (projects-figures.md §Rollup)

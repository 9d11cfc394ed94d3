"""`zhuqi attraction_sweep`: mark the clocks of big leads that ran past their day and tell the
teams once; remind the 驻外招商组 whose weekly report is due today (cron-able, daily)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhuqi.attraction import services, services_weekly
from zhuqi.core import audit


class Command(BaseCommand):
    help = "招商引资：线索办理时限超时提醒、驻外招商周报提醒"

    def add_arguments(self, parser):
        parser.add_argument("--today", help=_("按该日期判断（YYYY-MM-DD），默认今天"))

    def handle(self, *args, **options):
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else None
        with audit.acting_as(None, label=_("命令: zhuqi attraction_sweep")):
            clocks = services.sweep_clocks(today)
            met, breached = services.sweep_obligations(today)
            teams = services_weekly.remind_reports(today)
        from zhuqi.attraction import rollups

        rollups.refresh()  # the marked pairs of the yearly counts (attraction-figures.md §Rollup)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "超时的办理时限：%(clocks)s 项；自动核定履约：%(met)s 项，违约预警：%(breached)s 项；提醒报送周报：%(teams)s 个驻外招商组"
                )
                % {"clocks": clocks, "met": met, "breached": breached, "teams": teams}
            )
        )

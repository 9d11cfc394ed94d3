"""`zhuqi indicator_rollups [--all]`: rebuild the indicator rollups written since the last run
(the celery beat job `indicators-rollups` does the same every minute), or every one."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "重建指标汇总：默认只重建有新数据的指标期间，--all 重建全部"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help=_("重建全部指标期间"))

    def handle(self, *args, **options):
        from zhuqi.indicators.rollups import refresh

        done = refresh(everything=options["all"])
        self.stdout.write(_("已重建 %(n)s 个指标期间的汇总") % {"n": done})

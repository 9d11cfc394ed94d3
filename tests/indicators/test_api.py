"""The indicators API: scoped reads of indicators, data sets and values; the write endpoint goes
through record_values (source api), all or nothing, 400 naming each bad item; an enterprise user
writes and reads its own enterprise only; the other county's enterprise is not found."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from zhuqi.indicators import services
from zhuqi.indicators.models import Source, Value
from zhuqi.indicators.periods import Period
from zhuqi.indicators.services import Entry

pytestmark = pytest.mark.django_db
P = Period.parse
RECORD = "/api/v1/indicator-values/record/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def item(ent, code="gross_output", period="202503", **extra):
    return {"enterprise": ent.pk, "indicator": code, "period": period, **extra}


def seed(iw):
    services.record_values(
        [
            Entry(iw.output, P("202503"), enterprise=iw.ent, cumulative=D(300)),
            Entry(iw.output, P("202503"), enterprise=iw.ent2, cumulative=D(500)),
            Entry(iw.output, P("202503"), enterprise=iw.other, cumulative=D(700)),
            Entry(iw.growth, P("202503"), region=iw.world.county, cumulative=D("8.5")),
        ],
        actor=iw.world.admin,
        source="behalf",
    )


def test_an_official_writes_a_batch_through_record_values(iw):
    r = api(iw.world.alice).post(
        RECORD,
        {
            "values": [
                item(iw.ent, cumulative="300"),
                item(iw.ent2, "tax", value="12.5"),
                item(iw.ent2, "employees", value=80),
            ]
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 3, "updated": 0}
    assert set(Value.objects.values_list("source", flat=True)) == {Source.API}
    tax = Value.objects.get(enterprise=iw.ent2, indicator=iw.tax)
    assert (tax.value, tax.cumulative) == (D("12.5"), None)  # February unknown: no cumulative yet


def test_bad_items_are_400_naming_each_and_nothing_is_saved(iw):
    services.record_values(
        [Entry(iw.output, P("202502"), enterprise=iw.ent2, cumulative=D(500))],
        actor=iw.world.alice,
        source="behalf",
    )
    r = api(iw.world.alice).post(
        RECORD,
        {
            "values": [
                item(iw.ent, cumulative="1"),
                item(iw.ent, "nope", cumulative="1"),
                item(iw.ent, period="2025M3", cumulative="1"),
            ]
        },
        format="json",
    )
    assert r.status_code == 400
    rows = {row["index"]: row for row in r.json()["rows"]}
    assert rows[2]["column"] == "indicator" and "未知的指标代码" in rows[2]["message"]
    assert rows[3]["column"] == "period" and "无法识别" in rows[3]["message"]
    r = api(iw.world.alice).post(
        RECORD, {"values": [item(iw.ent, cumulative="1"), item(iw.ent2, cumulative="400")]}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["rows"][0]["index"] == 2 and "小于上期累计" in r.json()["rows"][0]["message"]
    r = api(iw.world.alice).post(RECORD, {"values": [item(iw.ent, cumulative="abc")]}, format="json")
    assert r.status_code == 400 and "values" in r.json()
    assert Value.objects.count() == 1


def test_the_other_countys_enterprise_is_not_found(iw):
    r = api(iw.world.alice).post(RECORD, {"values": [item(iw.other, cumulative="1")]}, format="json")
    missing = api(iw.world.alice).post(
        RECORD, {"values": [{**item(iw.other, cumulative="1"), "enterprise": 999999}]}, format="json"
    )
    assert r.status_code == missing.status_code == 400
    assert str(r.json()).replace(str(iw.other.pk), "999999") == str(missing.json())
    assert not Value.objects.exists()


def test_an_enterprise_user_writes_its_own_enterprise_only(iw):
    client = api(iw.world.enterprise_user)
    assert client.post(RECORD, {"values": [item(iw.ent, cumulative="300")]}, format="json").status_code == 200
    r = client.post(RECORD, {"values": [item(iw.ent2, cumulative="300")]}, format="json")
    assert r.status_code == 400 and "enterprise" in str(r.json())
    assert Value.objects.filter(enterprise=iw.ent).count() == 1 and Value.objects.count() == 1


def test_roles_the_matrix_refuses_get_403(iw):
    for user in (iw.world.observer, iw.world.leader, iw.world.supervisor):
        r = api(user).post(RECORD, {"values": [item(iw.ent, cumulative="1")]}, format="json")
        assert r.status_code == 403, user
    assert not Value.objects.exists()


def test_values_are_read_in_scope_and_filtered(iw):
    seed(iw)
    mine = api(iw.world.alice).get("/api/v1/indicator-values/").json()["results"]
    assert {(v["enterprise"], v["indicator"]) for v in mine} == {
        (iw.ent.pk, "gross_output"),
        (iw.ent2.pk, "gross_output"),
        (None, "value_added_growth"),
    }
    own = api(iw.world.enterprise_user).get("/api/v1/indicator-values/").json()["results"]
    assert [v["enterprise"] for v in own] == [iw.ent.pk]
    client = api(iw.world.alice)
    assert client.get("/api/v1/indicator-values/", {"indicator": "value_added_growth"}).json()["count"] == 1
    assert client.get("/api/v1/indicator-values/", {"enterprise": iw.ent2.pk}).json()["count"] == 1
    assert client.get("/api/v1/indicator-values/", {"period": "202504"}).json()["count"] == 0
    assert client.get("/api/v1/indicator-values/", {"region": iw.world.grid.pk}).json()["count"] == 1
    assert client.get("/api/v1/indicator-values/", {"region": iw.world.other_county.pk}).json()["count"] == 0
    other = Value.objects.get(enterprise=iw.other)
    assert client.get(f"/api/v1/indicator-values/{other.pk}/").status_code == 404


def test_indicators_and_data_sets_are_read(iw):
    client = api(iw.world.bob)
    codes = {i["code"] for i in client.get("/api/v1/indicators/", {"page_size": 100}).json()["results"]}
    assert {"gross_output", "value_added_growth", "profit_margin"} <= codes
    sets = client.get("/api/v1/indicator-datasets/").json()["results"]
    assert [s["indicators"] for s in sets] == [["gross_output", "tax", "profit", "employees"]]
    assert api(iw.world.charlie).get("/api/v1/indicator-datasets/").json()["count"] == 0

"""record_values' bulk path (COPY on PostgreSQL, a prepared executemany elsewhere, from
`COPY_FROM` new rows on) stores exactly what the bulk_create path stores; the refresh of the
next period and of next year's 上年同期 covers only the pairs written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from zhuqi.indicators import services
from zhuqi.indicators.models import Flag, Value
from zhuqi.indicators.periods import Period
from zhuqi.indicators.services import Entry

pytestmark = pytest.mark.django_db
P = Period.parse


def _entries(iw):
    out = []
    for ent in (iw.ent, iw.ent2):
        out += [
            Entry(iw.output, P("202601"), enterprise=ent, cumulative=D("100.5"), row="1"),
            Entry(iw.output, P("202602"), enterprise=ent, cumulative=D("260"), value=D("150"), row="2"),
            Entry(iw.employees, P("202602"), enterprise=ent, value=D(80), row="3"),
            Entry(iw.profit, P("202602"), enterprise=ent, value=D("-3.25"), row="4"),
        ]
    return out


@pytest.mark.parametrize("copy_from", [10_000, 1])
def test_bulk_path_stores_what_bulk_create_stores(iw, monkeypatch, copy_from):
    monkeypatch.setattr(services, "COPY_FROM", copy_from)
    services.record_values(
        [Entry(iw.output, P("202501"), enterprise=iw.ent, cumulative=D(90), row="0")],
        actor=iw.world.alice,
        source="behalf",
    )
    now = dt.datetime(2026, 3, 5, 2, tzinfo=dt.UTC)
    services.record_values(_entries(iw), actor=iw.world.alice, source="behalf", import_job="j1", now=now)
    rows = {(v.enterprise_id, v.indicator_id, v.period): v for v in Value.objects.all()}
    feb = rows[(iw.ent.pk, iw.output.pk, "202602")]
    assert (feb.cumulative, feb.value, feb.flag_list) == (D(260), D(150), [Flag.INCONSISTENT])
    jan = rows[(iw.ent.pk, iw.output.pk, "202601")]
    assert (jan.value, jan.last_year_cumulative, jan.entered_at) == (D("100.5"), D(90), now)
    assert jan.region_path == iw.ent.region_path and jan.entered_by == iw.world.alice
    assert rows[(iw.ent2.pk, iw.employees.pk, "202602")].cumulative == D(80)
    profit = rows[(iw.ent2.pk, iw.profit.pk, "202602")]  # no January: the cumulative stays unknown
    assert (profit.value, profit.cumulative) == (D("-3.25"), None)
    # a correction of January refreshes February's period value, for that enterprise only
    services.record_values(
        [Entry(iw.output, P("202601"), enterprise=iw.ent, cumulative=D(110), row="5")],
        actor=iw.world.alice,
        source="behalf",
    )
    assert Value.objects.get(enterprise=iw.ent, indicator=iw.output, period="202602").value == D(150)
    assert Value.objects.get(enterprise=iw.ent2, indicator=iw.output, period="202602").value == D(150)

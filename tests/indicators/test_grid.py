"""批量录入: the grid of a data set and period, scoped, prefilled; one save of every changed cell
through record_values (source grid), errors on their cells, nothing half-saved."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.enterprises.helpers import make_enterprise
from zhuqi.indicators import services
from zhuqi.indicators.models import Source, Value
from zhuqi.indicators.periods import Period
from zhuqi.indicators.services import Entry
from zhuqi.indicators.views_entry import plain

pytestmark = pytest.mark.django_db
P = Period.parse
URL = reverse("indicators:grid")


def open_grid(client, iw, period="202503", **extra):
    return client.get(URL, {"dataset": iw.monthly.pk, "period": period, **extra})


def cell(iw, ent, ind):
    return f"v-{ent.pk}-{ind.pk}"


def post(client, iw, cells, period="202503"):
    return client.post(URL, {"dataset": iw.monthly.pk, "period": period, **cells})


def test_the_grid_lists_the_expected_enterprises_in_scope_prefilled(iw, login):
    services.record_values(
        [Entry(iw.output, P("202503"), enterprise=iw.ent, cumulative=D("1200.50"))],
        actor=iw.world.alice,
        source="behalf",
    )
    r = open_grid(login(iw.world.alice), iw)
    assert r.status_code == 200
    names = [row["ent"].name for row in r.context["rows"]]
    assert names == sorted([iw.ent.name, iw.ent2.name])  # 规上 of the county; not the small one, not 通许
    row = next(row for row in r.context["rows"] if row["ent"] == iw.ent)
    assert row["cells"][0]["value"] == "1200.5"
    assert [i.code for i in r.context["indicators"]] == ["gross_output", "tax", "profit", "employees"]
    html = r.content.decode()
    assert 'data-testid="grid-table"' in html and "indicators_grid.js" in html
    # the other county's dispatch office does not see 尉氏县's form, nor its enterprises
    r = open_grid(login(iw.world.charlie), iw)
    assert r.status_code == 200 and r.context["dataset"] is None


def test_one_save_writes_every_changed_cell(iw, login):
    client = login(iw.world.alice)
    r = post(
        client,
        iw,
        {
            cell(iw, iw.ent, iw.output): "300",
            cell(iw, iw.ent, iw.tax): "12.5",
            cell(iw, iw.ent2, iw.employees): "85",
            cell(iw, iw.ent2, iw.profit): "",  # blank and never saved: nothing
        },
    )
    assert r.status_code == 302 and "period=202503" in r["Location"]
    assert Value.objects.count() == 3
    assert set(Value.objects.values_list("source", flat=True)) == {Source.GRID}
    assert Value.objects.get(enterprise=iw.ent2, indicator=iw.employees).value == D(85)
    # unchanged cells posted again write nothing
    r = post(client, iw, {cell(iw, iw.ent, iw.output): "300"})
    assert r.status_code == 302
    assert Value.objects.get(enterprise=iw.ent, indicator=iw.output).entered_at is not None


def test_errors_are_shown_on_their_cells_and_nothing_is_saved(iw, login):
    services.record_values(
        [
            Entry(iw.output, P("202502"), enterprise=iw.ent2, cumulative=D(500)),
            Entry(iw.output, P("202403"), enterprise=iw.ent, cumulative=D(100)),
        ],
        actor=iw.world.alice,
        source="behalf",
    )
    client = login(iw.world.alice)
    r = post(
        client,
        iw,
        {
            cell(iw, iw.ent, iw.tax): "十二",  # text
            cell(iw, iw.ent2, iw.output): "400",  # below February's 500
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="grid-failed"' in html
    rows = {row["ent"].pk: row for row in r.context["rows"]}
    assert "不是数字" in rows[iw.ent.pk]["cells"][1]["errors"][0]
    assert rows[iw.ent.pk]["cells"][1]["value"] == "十二"  # what was typed stays in the cell
    assert Value.objects.count() == 2

    # the text fixed: the set check runs and refuses the falling cumulative, still all or nothing
    r = post(client, iw, {cell(iw, iw.ent, iw.tax): "12", cell(iw, iw.ent2, iw.output): "400"})
    rows = {row["ent"].pk: row for row in r.context["rows"]}
    assert "小于上期累计" in rows[iw.ent2.pk]["cells"][0]["errors"][0]
    assert Value.objects.count() == 2

    # a swing needs the row's 情况说明
    r = post(client, iw, {cell(iw, iw.ent, iw.output): "300"})
    rows = {row["ent"].pk: row for row in r.context["rows"]}
    assert "情况说明" in rows[iw.ent.pk]["note"]["errors"][0]
    r = post(client, iw, {cell(iw, iw.ent, iw.output): "300", f"note-{iw.ent.pk}": "新产线投产"})
    assert r.status_code == 302
    assert Value.objects.get(period="202503").explanation == "新产线投产"


def test_a_saved_value_cannot_be_cleared_and_a_locked_period_is_refused(iw, login):
    services.record_values(
        [Entry(iw.output, P("202503"), enterprise=iw.ent, cumulative=D(100))],
        actor=iw.world.alice,
        source="behalf",
    )
    client = login(iw.world.alice)
    r = post(client, iw, {cell(iw, iw.ent, iw.output): ""})
    rows = {row["ent"].pk: row for row in r.context["rows"]}
    assert "不能清空" in rows[iw.ent.pk]["cells"][0]["errors"][0]
    services.approve_period(iw.monthly, P("202503"), iw.world.county, actor=iw.world.alice)
    r = open_grid(client, iw)
    assert all(row["locked"] for row in r.context["rows"])
    r = post(client, iw, {cell(iw, iw.ent2, iw.output): "50"})
    rows = {row["ent"].pk: row for row in r.context["rows"]}
    assert "已审核锁定" in rows[iw.ent2.pk]["errors"][0]
    assert Value.objects.count() == 1


def test_cells_outside_the_page_or_scope_are_ignored(iw, login):
    r = post(login(iw.world.alice), iw, {cell(iw, iw.other, iw.output): "5", "v-x-1": "1"})
    assert r.status_code == 302
    assert not Value.objects.exists()


def test_who_may_open_the_grid(iw, login):
    for user in (iw.world.observer, iw.world.enterprise_user, iw.world.leader):
        assert open_grid(login(user), iw).status_code == 404
    for user in (iw.world.bob, iw.world.commissioner):
        assert open_grid(login(user), iw).status_code == 200


def test_bad_parameters_fall_back(iw, login):
    client = login(iw.world.alice)
    for params in (
        {"period": "2025Q1"},
        {"period": "abc"},
        {"period": "202601", "dataset": "x"},
        {"page": "99"},
    ):
        assert client.get(URL, params).status_code == 200


def test_the_grid_reads_a_flat_number_of_queries(iw, login):
    client = login(iw.world.alice)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert open_grid(client, iw).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(10):
        e = make_enterprise(f"规上企业{i}", iw.world.grid, above_scale=True)
        services.record_values(
            [Entry(iw.output, P("202503"), enterprise=e, cumulative=D(10 + i))],
            actor=iw.world.alice,
            source="behalf",
        )
    assert count() == few


def test_plain_numbers():
    assert [plain(D("1200.5000")), plain(D("100")), plain(D("0.0000")), plain(None)] == [
        "1200.5",
        "100",
        "0",
        "",
    ]

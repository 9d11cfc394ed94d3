"""Region and park rankings (mu-evaluation.md §6): 例一's four enterprises in 尉氏县 — 甲 and 丁
in 经开区一网格, 乙 in 经开区二网格, 丙 in 城关镇 — grouped by the county's towns and parks, then by
the park's grids; each row drills down to the enterprises."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from zhuqi.mu import selectors

pytestmark = pytest.mark.django_db


def _rows(rows):
    return [
        (r["rank"], r["region"].name, r["n"], r["average"], r["tax"], r["land"], r["tax_per_mu"])
        for r in rows
    ]


def test_county_ranking_by_tax_per_mu(mw, world):
    run = mw.compute()
    rows = selectors.region_ranking(world.alice, run)
    # 经开区: (600 + 1200 + 240) ÷ (20 + 20 + 10) = 40.8000; (114.78 + 115.58 + 101.26) ÷ 3 = 110.54
    # 城关镇: 150 ÷ 30 = 5.0000; 36.26
    assert _rows(rows) == [
        (1, "尉氏经开区", 3, D("110.54"), D("2040.00"), D("50.00"), D("40.8000")),
        (2, "城关镇", 1, D("36.26"), D("150.00"), D("30.00"), D("5.0000")),
    ]
    assert {c["klass"]: c["n"] for c in rows[0]["classes"]} == {"A": 1, "B": 1, "C": 1, "D": 0, "T": 0}
    assert rows[0]["drillable"] and not rows[1]["drillable"]


def test_park_ranking_by_grid(mw, world):
    run = mw.compute()
    rows = selectors.region_ranking(world.alice, run, world.park)
    # 二网格: 乙 1200 ÷ 20 = 60.0000; 一网格: (600 + 240) ÷ (20 + 10) = 28.0000, (114.78 + 101.26) ÷ 2
    assert _rows(rows) == [
        (1, "经开区二网格", 1, D("115.58"), D("1200.00"), D("20.00"), D("60.0000")),
        (2, "经开区一网格", 2, D("108.02"), D("840.00"), D("30.00"), D("28.0000")),
    ]


def test_page_drills_down_to_the_rows(mw, world, login):
    run = mw.compute()
    c = login(world.alice)
    page = c.get(reverse("mu:run_regions", args=[run.pk]))
    assert [r["region"].name for r in page.context["rows"]] == ["尉氏经开区", "城关镇"]
    park = c.get(reverse("mu:run_regions", args=[run.pk]), {"region": world.park.pk})
    assert [r["region"].name for r in park.context["rows"]] == ["经开区二网格", "经开区一网格"]
    assert "尉氏经开区" in park.content.decode()  # the trail
    rows = c.get(reverse("mu:run_detail", args=[run.pk]), {"region": world.grid.pk, "klass": "C"})
    assert [r.enterprise.name for r in rows.context["page"]] == ["丁公司"]
    assert {d["klass"]: d["n"] for d in rows.context["distribution"]}["B"] == 1  # 甲, in 一网格


def test_a_region_outside_the_run_or_the_scope_is_ignored(mw, world, login):
    run = mw.compute()
    c = login(world.alice)
    page = c.get(reverse("mu:run_regions", args=[run.pk]), {"region": world.other_county.pk})
    assert page.status_code == 200 and page.context["region"] == world.county
    assert login(world.charlie).get(reverse("mu:run_regions", args=[run.pk])).status_code == 404


def test_a_grid_member_counts_only_what_it_may_see(mw, world):
    run = mw.compute()
    rows = selectors.region_ranking(world.grid_member, run)
    assert _rows(rows) == [(1, "尉氏经开区", 2, D("108.02"), D("840.00"), D("30.00"), D("28.0000"))]

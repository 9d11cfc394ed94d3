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


def test_revenue_per_mu_last_years_figure_and_the_leaders(mw, world, login):
    """§6 extended: 亩均营业收入 = Σ 营业收入 ÷ Σ 用地 of the same evaluated enterprises —
    经开区 (10000 + 12000 + 4000) ÷ 50 = 520.0000, 城关镇 5000 ÷ 30 = 166.6667; last year's
    published run of the same scheme gives the trend (2024 with every 评价税收 halved: 经开区
    1020 ÷ 50 = 20.4000, 城关镇 75 ÷ 30 = 2.5000); the 领跑者 are the enterprises by 亩均税收."""
    from tests.mu.conftest import publish
    from tests.mu.examples import HUANGYAN_ABOVE
    from zhuqi.mu import services

    halved = {n: {**f, "tax": f["tax"] / 2} for n, f in HUANGYAN_ABOVE.items()}
    services.import_facts(
        [{"enterprise": mw.ents[n], "year": 2024, "facts": f} for n, f in halved.items()], actor=world.alice
    )
    publish(services.compute(mw.scheme, 2024, actor=world.alice), world.alice)
    run = mw.compute()
    rows = {r["region"].name: r for r in selectors.region_ranking(world.alice, run)}
    assert rows["尉氏经开区"]["revenue_per_mu"] == D("520.0000") and rows["城关镇"]["revenue_per_mu"] == D(
        "166.6667"
    )
    assert rows["尉氏经开区"]["tax_per_mu_last"] == D("20.4000") and rows["城关镇"]["tax_per_mu_last"] == D(
        "2.5000"
    )
    assert rows["尉氏经开区"]["tax_per_mu_change"] == D("20.4000")
    assert [r.enterprise.name for r in selectors.leaders(world.alice, run)] == [
        "乙公司",
        "甲公司",
        "丁公司",
        "丙公司",
    ]
    page = login(world.alice).get(reverse("mu:run_regions", args=[run.pk])).content.decode()
    assert 'data-testid="mu-region-chart"' in page and "2024年度" in page and "520.0000" in page
    assert page.count('data-testid="mu-leader-row"') == 4

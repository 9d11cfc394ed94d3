"""The hand-worked examples of src/zhuqi/docs/indicators-figures.md, reproduced: actual,
completion, 时序进度, 超时序进度 and the light; same-panel and nominal growth; official rates;
growth against the growth target; who pulls the figure down; grouping by 包抓 department and
leader through the core hook; scope (a county sees its subtree only)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.indicators.helpers import val
from zhuqi.assistance.models import Assignment, AssignmentRole
from zhuqi.core import scope
from zhuqi.indicators import figures, services_targets
from zhuqi.indicators.figures import Entity
from zhuqi.indicators.periods import Period

pytestmark = pytest.mark.django_db
P = Period.parse


def test_completion_time_elapsed_lead_and_light(example):
    w = example.world
    f = figures.figure(w.alice, example.output, P("202610"), Entity.of(region=w.county))
    assert f.actual == D(900)
    assert f.target_year == D(1500) and f.target_to_date == D(1250)
    assert f.gap == D(-350)
    assert f.completion == D("60.0")
    assert f.elapsed == D("83.3")
    assert f.lead == D("-23.3")
    assert f.light == "yellow"


def test_same_panel_and_nominal_growth(example):
    w = example.world
    f = figures.figure(w.alice, example.output, P("202610"), Entity.of(region=w.county))
    assert (f.panel_now, f.panel_last, f.panel_size) == (D(800), D(760), 2)
    assert f.panel_growth == D("5.3")  # 800 ÷ 760 − 1 = 5.26 %
    assert f.last_year == D(960)
    assert f.nominal_growth == D("-6.3")  # 900 ÷ 960 − 1 = −6.25 % → −6.3 (half up)
    assert f.growth_target == D(8)
    assert f.growth_gap == D("-2.7")


def test_laggards_and_their_rows(example):
    w = example.world
    county = Entity.of(region=w.county)
    lag = figures.laggards(w.alice, example.output, P("202610"), county)
    assert [r["enterprise"] for r in lag] == [example.ent2]
    assert lag[0]["contribution"] == D(-60)
    assert lag[0]["points"] == D("-7.9")  # −60 ÷ 760
    assert lag[0]["growth"] == D("-16.7")
    all_rows = figures.rows(w.alice, example.output, P("202610"), county)
    assert {v.enterprise for v in all_rows} == {example.ent, example.ent2, example.small}
    assert figures.rows(w.alice, example.output, P("202610"), county, "panel").count() == 2
    assert figures.rows(w.alice, example.output, P("202610"), county, "last_year").count() == 3


def test_official_rate_is_shown_not_recomputed(example):
    w = example.world
    val(example.growth, "202610", "7.5", region=w.county)
    services_targets.set_target(example.growth, 2026, region=w.county, growth=D(8), actor=w.alice)
    f = figures.figure(w.alice, example.growth, P("202610"), Entity.of(region=w.county))
    assert f.is_official and f.official == D("7.5")
    assert f.actual is None and f.panel_growth is None
    assert f.growth_gap == D("-0.5")


def test_zero_base_gives_no_rate(iw):
    w = iw.world
    val(iw.output, "202610", 100, 0, ent=iw.ent)
    f = figures.figure(w.alice, iw.output, P("202610"), Entity.of(region=w.county))
    assert f.panel_growth is None and f.nominal_growth is None and f.completion is None
    assert f.light == "grey"


def test_ratio_indicator_is_the_ratio_of_the_sums(iw):
    from zhuqi.indicators.models import Indicator

    w = iw.world
    margin, revenue = Indicator.objects.get(code="profit_margin"), Indicator.objects.get(code="revenue")
    val(revenue, "202610", 1000, ent=iw.ent)
    val(revenue, "202610", 3000, ent=iw.ent2)
    val(iw.profit, "202610", 100, ent=iw.ent)
    val(iw.profit, "202610", 60, ent=iw.ent2)
    f = figures.figure(w.alice, margin, P("202610"), Entity.of(region=w.county))
    assert f.actual == D("4.0")  # (100 + 60) ÷ (1000 + 3000), not the mean of 10 % and 2 %


def test_groups_by_department_and_leader_through_the_core_hook(example):
    w = example.world
    for ent in (example.ent, example.ent2):
        Assignment.objects.create(
            enterprise=ent, year=2026, role=AssignmentRole.DEPT_CONTACT, user=w.bob, department=w.jxj
        )
    Assignment.objects.create(
        enterprise=example.ent2, year=2026, role=AssignmentRole.COUNTY_LEADER, user=w.leader
    )
    rows = list(scope.assignment_groups("leader", 2026))
    assert rows == [
        {"enterprise_id": example.ent2.pk, "kind": "leader", "group_id": w.leader.pk, "label": "leader"}
    ]
    depts = figures.group_entities("department", w.alice, w.county, 2026)
    assert [(e.kind, e.pk, e.label) for e in depts] == [("department", w.jxj.pk, w.jxj.name)]
    leaders = figures.group_entities("leader", w.alice, w.county, 2026)
    out = figures.compute(w.alice, [example.output], P("202610"), depts + [])
    assert out[(("department", w.jxj.pk), example.output.pk)].actual == D(800)
    out = figures.compute(w.alice, [example.output], P("202610"), leaders)
    f = out[(("leader", w.leader.pk), example.output.pk)]
    assert (f.actual, f.panel_growth) == (D(300), D("-16.7"))
    lag = figures.laggards(w.alice, example.output, P("202610"), leaders[0])
    assert [r["enterprise"] for r in lag] == [example.ent2]


def test_child_regions_in_one_query(example, django_assert_max_num_queries):
    w = example.world
    kids = figures.group_entities("region", w.alice, w.county, 2026)
    assert [e.label for e in kids] == [w.town.name, w.park.name] or {e.label for e in kids} == {
        w.town.name,
        w.park.name,
    }
    with django_assert_max_num_queries(4):
        out = figures.compute(w.alice, [example.output, example.tax], P("202610"), kids)
    assert out[(("region", w.park.pk), example.output.pk)].actual == D(800)
    assert out[(("region", w.town.pk), example.output.pk)].actual == D(100)


def test_a_county_sees_its_own_subtree_only(example):
    w = example.world
    f = figures.figure(w.charlie, example.output, P("202610"), Entity.of(region=w.county))
    assert f.actual is None and f.target is None
    f = figures.figure(w.charlie, example.output, P("202610"), Entity.of(region=w.other_county))
    assert f.actual == D(999)


def test_series_for_the_chart(example):
    w = example.world
    s = figures.series(w.alice, example.output, P("202610"), Entity.of(region=w.county))
    assert len(s["target"]) == 12 and s["target"][9] == 1250.0 and s["target"][11] == 1500.0
    assert s["actual"][9] == 900.0

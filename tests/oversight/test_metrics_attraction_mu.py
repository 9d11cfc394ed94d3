"""The 招商 and 亩均 metrics of assessments (docs/oversight.md §5, the metric list): each reproduces
the hand-worked example of the documentation from the owning app's own figures, and its link
opens exactly the rows counted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.attraction.conftest import make_lead, stage
from tests.mu.conftest import MuWorld, publish
from tests.oversight.conftest import at
from zhuqi.attraction import services as attraction_services
from zhuqi.attraction.models import FundMonth, StageChange
from zhuqi.core.units import YI
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.indicators.periods import Period
from zhuqi.oversight import metrics as M
from zhuqi.oversight import services_assessment as sa
from zhuqi.oversight.models import Sequence

pytestmark = pytest.mark.django_db

D = Decimal


def _ctx(world, code: str) -> M.Context:
    return M.Context(root=world.county, period=Period.parse(code), actor=world.supervisor)


def _regions(world):
    return M.units_of(Sequence.REGIONS, world.county)


def _departments(world):
    return M.units_of(Sequence.DEPARTMENTS, world.county)


def _signed(lead, world, day: dt.date):
    StageChange.objects.create(
        lead=lead,
        from_stage=stage("prereview"),
        to_stage=stage("signed"),
        actor=world.alice,
        at=dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI),
    )


def _funds(lead, world, year, month, yi, recognised=True):
    FundMonth.objects.create(
        lead=lead,
        year=year,
        month=month,
        source="out_province",
        amount=D(yi) * YI,
        recognised=recognised,
        recorded_by=world.alice,
    )


@pytest.fixture
def leads(world):
    """The example of docs/oversight.md (招商): 甲 5 亿 in 经开区 (工信局) signed 2026-03-10; 乙 3 亿
    in 经开区 signed 2025-11-01; 丙 0.8 亿 in 经开区 signed 2026-02-01; 丁 1 亿 in 城关镇 (自然资源局)
    signed 2026-01-15; 戊 2 亿 in 城关镇 (自然资源局) signed 2026-05-20. Funds: 甲 2026-02 2 亿 and
    2026-04 0.5 亿 recognised, 2025-06 1 亿 recognised; 丁 2026-03 0.3 亿 not recognised."""
    mk = {
        "甲": ("50000", world.park, world.jxj, dt.date(2026, 3, 10)),
        "乙": ("30000", world.park, world.jxj, dt.date(2025, 11, 1)),
        "丙": ("8000", world.park, world.jxj, dt.date(2026, 2, 1)),
        "丁": ("10000", world.town, world.zrzy, dt.date(2026, 1, 15)),
        "戊": ("20000", world.town, world.zrzy, dt.date(2026, 5, 20)),
    }
    out = {}
    with time_machine.travel(at(2025, 10, 1), tick=False):
        for name, (wan, region, team, _day) in mk.items():
            out[name] = make_lead(
                world, investor=f"投资方{name}", title=f"项目{name}", amount_wan=wan, region=region, team=team
            )
    for name, (_w, _r, _t, day) in mk.items():
        _signed(out[name], world, day)
    _funds(out["甲"], world, 2026, 2, "2")
    _funds(out["甲"], world, 2026, 4, "0.5")
    _funds(out["甲"], world, 2025, 6, "1")
    _funds(out["丁"], world, 2026, 3, "0.3", recognised=False)
    return out


def _titles(client, url):
    page = client.get(url)
    assert page.status_code == 200
    return page


def test_signed_major_by_region_and_team(world, leads, client):
    metric = M.REGISTRY["attraction.signed_major"]
    units = _regions(world)
    with time_machine.travel(at(2026, 4, 2), tick=False):
        q1 = metric.compute(_ctx(world, "2026Q1"), units)
    park, town = q1[world.park.pk], q1[world.town.pk]
    # 经开区: 甲 only (乙 signed in 2025, 丙 under 1 亿); 城关镇: 丁 (exactly 1 亿 counts)
    assert (park.value, town.value) == (D(1), D(1))
    assert park.target is None  # a quarter has no own target
    client.force_login(world.supervisor)
    page = _titles(client, park.url)
    assert [r.title for r in page.context["page"]] == ["项目甲"]
    assert "签约的亿元以上项目" in page.content.decode()
    assert [r.title for r in _titles(client, town.url).context["page"]] == ["项目丁"]

    depts = _departments(world)
    with time_machine.travel(at(2026, 4, 2), tick=False):
        by_dept = metric.compute(_ctx(world, "2026Q1"), depts)
    assert (by_dept[world.jxj.pk].value, by_dept[world.zrzy.pk].value) == (D(1), D(1))
    assert [r.title for r in _titles(client, by_dept[world.zrzy.pk].url).context["page"]] == ["项目丁"]


def test_signed_major_takes_the_annual_target_for_a_year(world, leads):
    attraction_services.save_annual_target(
        actor=world.alice, year=2026, region=world.park, team=None, signed_count=2, signed_amount=0, funds=0
    )
    metric = M.REGISTRY["attraction.signed_major"]
    with time_machine.travel(at(2027, 1, 5), tick=False):
        year = metric.compute(_ctx(world, "2026"), _regions(world))
    # 2026: 经开区 甲 (target 2); 城关镇 丁 and 戊 (no target set)
    assert (year[world.park.pk].value, year[world.park.pk].target) == (D(1), D(2))
    assert (year[world.town.pk].value, year[world.town.pk].target) == (D(2), None)


def test_funds_of_the_quarter(world, leads, client):
    metric = M.REGISTRY["attraction.funds"]
    with time_machine.travel(at(2026, 4, 2), tick=False):
        q1 = metric.compute(_ctx(world, "2026Q1"), _regions(world))
    park, town = q1[world.park.pk], q1[world.town.pk]
    # 经开区: 甲's February 2 亿 = 20000.00 万元 (April is Q2, 2025 another year); 城关镇: 丁's 0.3 亿
    # was not recognised → 0
    assert (park.value, town.value) == (D("20000.00"), D("0.00"))
    client.force_login(world.supervisor)
    page = _titles(client, park.url)
    assert [(f.lead.title, f.year, f.month) for f in page.context["page"]] == [("项目甲", 2026, 2)]
    # the 台账 above the rows is the region's too: 2 亿 in February, 2.5 亿 by April
    months = page.context["months"]
    assert (months[1]["amount"], months[3]["cumulative"]) == (2 * YI, D("2.5") * YI)
    assert "尉氏经开区" in page.content.decode()
    assert list(_titles(client, town.url).context["page"]) == []
    with time_machine.travel(at(2026, 4, 2), tick=False):
        jxj = metric.compute(_ctx(world, "2026Q1"), _departments(world))[world.jxj.pk]
    assert jxj.value == D("20000.00")
    assert [f.month for f in _titles(client, jxj.url).context["page"]] == [2]


@pytest.fixture
def mu_run(world):
    mw = MuWorld(world)
    return publish(mw.compute(), world.alice)


def test_tax_per_mu_and_class_a_share_of_the_latest_published_run(world, mu_run, client):
    units = _regions(world)
    with time_machine.travel(at(2026, 4, 2), tick=False):
        tax = M.REGISTRY["mu.tax_per_mu"].compute(_ctx(world, "2026Q1"), units)
        share = M.REGISTRY["mu.class_a_share"].compute(_ctx(world, "2026Q1"), units)
    # 2025's run: 经开区 (600 + 1200 + 240) ÷ (20 + 20 + 10) = 40.8000 万元/亩, A 1 of 3 = 33.3%;
    # 城关镇 150 ÷ 30 = 5.0000, A 0 of 1 = 0.0%
    assert (tax[world.park.pk].value, tax[world.town.pk].value) == (D("40.8000"), D("5.0000"))
    assert (share[world.park.pk].value, share[world.park.pk].numerator, share[world.park.pk].denominator) == (
        D("33.3"),
        1,
        3,
    )
    assert share[world.town.pk].value == D("0.0")
    client.force_login(world.supervisor)
    page = _titles(client, tax[world.park.pk].url)
    assert page.context["run"] == mu_run
    assert sorted(r.enterprise.name for r in page.context["page"]) == ["丁公司", "乙公司", "甲公司"]
    assert {d["klass"]: d["n"] for d in page.context["distribution"]}["A"] == 1
    assert sorted(r.enterprise.name for r in _titles(client, share[world.town.pk].url).context["page"]) == [
        "丙公司"
    ]
    # a period before the run's data year has no run to read
    with time_machine.travel(at(2026, 4, 2), tick=False):
        early = M.REGISTRY["mu.tax_per_mu"].compute(_ctx(world, "2024"), units)
    assert early[world.park.pk].value is None


def test_the_scheme_form_offers_them_and_an_assessment_scores_them(world, leads, mu_run, client):
    for code in (
        "attraction.signed_major",
        "attraction.target_completion",
        "attraction.funds",
        "mu.tax_per_mu",
        "mu.class_a_share",
    ):
        assert code in dict(M.choices("region"))
    assert "attraction.signed_major" in dict(M.choices("department"))
    assert "mu.tax_per_mu" not in dict(M.choices("department"))
    client.force_login(world.supervisor)
    form = client.get(reverse("oversight:scheme_new")).content.decode()
    assert "签约亿元以上项目个数" in form and "亩均税收" in form
    attraction_services.save_annual_target(
        actor=world.alice, year=2026, region=world.park, team=None, signed_count=2, signed_amount=0, funds=0
    )
    items = [
        {"name": "签约亿元以上项目", "metric": "attraction.signed_major", "weight": "50", "rule": "ratio"},
        {"name": "亩均税收", "metric": "mu.tax_per_mu", "weight": "50", "rule": "rank", "step": "10"},
    ]
    # a quarter has no annual target to measure against: the item must set one
    with (
        time_machine.travel(at(2026, 4, 2), tick=False),
        pytest.raises(ValidationError, match="须填写目标值"),
    ):
        sa.save_scheme(
            None,
            actor=world.supervisor,
            region=world.county,
            name="乡镇季度考核",
            year=2026,
            period_kind="Q",
            sequence="regions",
            items=items,
        )
    with time_machine.travel(at(2027, 1, 5), tick=False):
        scheme = sa.save_scheme(
            None,
            actor=world.supervisor,
            region=world.county,
            name="乡镇年度考核",
            year=2026,
            period_kind="Y",
            sequence="regions",
            items=items,
        )
        a = sa.compute_assessment(scheme, "2026", actor=world.supervisor)
    r = {x.label: x for x in a.results.all()}
    # 经开区: 1 of its target 2 → 50 × 0.5 = 25; 亩均税收 first → 50; total 75
    # 城关镇: no target set → 0; 亩均税收 second → 50 − 10 = 40; total 40
    assert (r["尉氏经开区"].total, r["尉氏经开区"].rank) == (D("75.00"), 1)
    assert (r["城关镇"].total, r["城关镇"].rank) == (D("40.00"), 2)
    parts = {p["name"]: p for p in r["尉氏经开区"].items}
    assert "signed_from=2026-01-01" in parts["签约亿元以上项目"]["url"]


def test_target_completion_counts_from_january_to_the_end_of_the_period(world, leads, client):
    for region, team, count in ((world.park, None, 2), (world.town, None, 1), (world.county, world.jxj, 4)):
        attraction_services.save_annual_target(
            actor=world.alice,
            year=2026,
            region=region,
            team=team,
            signed_count=count,
            signed_amount=0,
            funds=0,
        )
    metric = M.REGISTRY["attraction.target_completion"]
    with time_machine.travel(at(2026, 7, 2), tick=False):
        q1 = metric.compute(_ctx(world, "2026Q1"), _regions(world))
        q2 = metric.compute(_ctx(world, "2026Q2"), _regions(world))
        teams = metric.compute(_ctx(world, "2026Q1"), _departments(world))
    # Q1: 经开区 甲 1 ÷ 2 = 50.0%; 城关镇 丁 1 ÷ 1 = 100.0%. By the end of Q2: 城关镇 丁 and 戊 2 ÷ 1
    assert (q1[world.park.pk].value, q1[world.town.pk].value) == (D("50.0"), D("100.0"))
    assert (q2[world.town.pk].value, q2[world.town.pk].target) == (D("200.0"), D(100))
    # 工信局 (its target under the county): 甲 only → 1 ÷ 4; 自然资源局 has no target
    assert (teams[world.jxj.pk].value, teams[world.zrzy.pk].value) == (D("25.0"), None)
    client.force_login(world.supervisor)
    assert sorted(r.title for r in _titles(client, q2[world.town.pk].url).context["page"]) == [
        "项目丁",
        "项目戊",
    ]
    assert [r.title for r in _titles(client, teams[world.jxj.pk].url).context["page"]] == ["项目甲"]


def test_a_city_reads_each_countys_own_run(world, mu_run):
    """全市县域考核: 尉氏县's own run stands for the county as a whole — (2040 + 150) ÷ (50 + 30) =
    27.3750 万元/亩, A 1 of 4 = 25.0%; 通许县 published no run: no value."""
    assert mu_run.region == world.county
    units = M.units_of(Sequence.COUNTIES, world.city)
    ctx = M.Context(root=world.city, period=Period.parse("2026Q1"), actor=world.admin)
    with time_machine.travel(at(2026, 4, 2), tick=False):
        tax = M.REGISTRY["mu.tax_per_mu"].compute(ctx, units)
        share = M.REGISTRY["mu.class_a_share"].compute(ctx, units)
    assert (tax[world.county.pk].value, share[world.county.pk].value) == (D("27.3750"), D("25.0"))
    assert (tax[world.other_county.pk].value, tax[world.other_county.pk].url) == (None, "")

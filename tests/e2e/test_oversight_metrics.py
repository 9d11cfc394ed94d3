"""The 招商 and 亩均 assessment metrics in a real browser (docs/oversight.md §5): 督查 opens the
computed township assessment and follows each figure to the rows it counts — the signed leads,
the 到位资金台账 of the region, the 亩均 run's evaluated enterprises — on a desk and on a phone."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.oversight.conftest import at
from zhuqi.attraction import services as attraction_services
from zhuqi.attraction.models import FundMonth, Pipeline, Stage, StageChange
from zhuqi.core.units import WAN, YI
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.mu.models import Scheme
from zhuqi.oversight import services_assessment as sa

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _reference_data():
    """Transactional tests flush the database: put the shipped 亩均 schemes and 招商 pipelines back."""
    if not Scheme.objects.exists():
        importlib.import_module("zhuqi.mu.migrations.0002_shipped_schemes").load(apps, None)
        importlib.import_module("zhuqi.mu.migrations.0006_shipped_class_measures").load(apps, None)
    importlib.import_module("tests.e2e.test_attraction").reference_data()


def _example(world):
    from tests.mu.conftest import MuWorld, publish

    new = Pipeline.objects.get(code="new")
    signed = Stage.objects.get(pipeline=new, code="signed")
    prereview = Stage.objects.get(pipeline=new, code="prereview")
    for name, wan, region, team, day in (
        ("甲", 50000, world.park, world.jxj, dt.date(2026, 3, 10)),
        ("丁", 10000, world.town, world.zrzy, dt.date(2026, 1, 15)),
    ):
        with time_machine.travel(at(2025, 10, 1), tick=False):
            lead = attraction_services.register_lead(
                actor=world.alice,
                pipeline=new,
                title=f"项目{name}",
                investor_name=f"投资方{name}",
                source="referral",
                amount=Decimal(wan) * WAN,
                region=region,
                team=team,
            )
        StageChange.objects.create(
            lead=lead,
            from_stage=prereview,
            to_stage=signed,
            actor=world.alice,
            at=dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI),
        )
        if name == "甲":
            FundMonth.objects.create(
                lead=lead,
                year=2026,
                month=2,
                source="out_province",
                amount=2 * YI,
                recognised=True,
                recorded_by=world.alice,
            )
    publish(MuWorld(world).compute(), world.alice)
    attraction_services.save_annual_target(
        actor=world.alice, year=2026, region=world.park, team=None, signed_count=2, signed_amount=0, funds=0
    )
    items = [
        {"name": "签约亿元以上项目", "metric": "attraction.signed_major", "weight": "40", "rule": "ratio"},
        {"name": "省外到位资金", "metric": "attraction.funds", "weight": "20", "rule": "rank", "step": "10"},
        {"name": "亩均税收", "metric": "mu.tax_per_mu", "weight": "20", "rule": "rank", "step": "10"},
        {"name": "A类企业占比", "metric": "mu.class_a_share", "weight": "20", "rule": "rank", "step": "10"},
    ]
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
        return sa.compute_assessment(scheme, "2026", actor=world.supervisor)


@pytest.mark.parametrize("width", [1280, 390])
def test_follow_each_figure_to_its_rows(world, browser, live_server, width):
    _reference_data()
    a = _example(world)
    context = browser.new_context(
        viewport={"width": width, "height": 860},
        is_mobile=width < 500,
        locale="zh-CN",
        base_url=live_server.url,
    )
    pg = context.new_page()
    pg.set_default_timeout(15000)
    try:
        log_in(pg, world.supervisor.username, PASSWORD)
        pg.goto(reverse("oversight:assessment_detail", args=[a.pk]))
        assert "尉氏经开区" in pg.content()
        shot(pg, f"oversight-metrics-assessment-{width}")
        park = {r.label: r for r in a.results.all()}["尉氏经开区"]
        urls = {p["name"]: p["url"] for p in park.items}
        pg.goto(urls["签约亿元以上项目"])
        expect(pg.locator("[data-testid=lead-row]")).to_have_count(1)
        assert "项目甲" in pg.content() and "项目丁" not in pg.content()
        shot(pg, f"oversight-metrics-leads-{width}")
        pg.goto(urls["省外到位资金"])
        expect(pg.locator("[data-testid=fund-row]")).to_have_count(1)
        shot(pg, f"oversight-metrics-funds-{width}")
        pg.goto(urls["亩均税收"])
        expect(pg.locator("[data-testid=mu-scored-filter]")).to_have_count(1)
        assert "丙公司" not in pg.content()  # 城关镇's
        shot(pg, f"oversight-metrics-mu-{width}")
    finally:
        context.close()

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.projects.conftest import make_project
from zhuqi.core.models import AuditEntry
from zhuqi.projects import figures, services
from zhuqi.projects.models import Campaign, Project, RankingRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world):
    return Campaign.objects.create(
        name="2026年第二季度“三个一批”",
        region=world.county,
        year=2026,
        round_no=2,
        thresholds={"industrial": 300_000_000},
    )


TOWN = ["signed", "landed", "started", "producing"]
PARK = ["signed", "landed", "started", "in_stats", "completed", "at_capacity"]


@pytest.fixture
def entries(world, campaign):
    n = 0
    for region, stages in ((world.town, TOWN), (world.park, PARK)):
        for stage in stages:
            n += 1
            p = make_project(world, code=f"C{n:02d}", region=region)
            Project.objects.filter(pk=p.pk).update(stage=stage)
            batch = (
                "sign"
                if stage in ("signed", "landed")
                else "start"
                if stage in ("started", "in_stats")
                else "produce"
            )
            services.add_to_campaign(campaign, p, batch=batch, actor=world.alice)
    return campaign


def test_four_rates_hand_computed(world, entries):
    rates = figures.campaign_rates(entries, Project.objects.visible_to(world.alice))
    # reached: signed 10, landed 8, started 6, producing 2, at capacity 1
    assert (rates["performance"]["numerator"], rates["performance"]["denominator"]) == (8, 10)
    assert rates["performance"]["rate"] == Decimal("80.0")
    assert rates["start"]["rate"] == Decimal("75.0")  # 6 / 8
    assert rates["production"]["rate"] == Decimal("33.3")  # 2 / 6
    assert rates["capacity"]["rate"] == Decimal("50.0")  # 1 / 2
    assert rates["performance"]["label"] == "签约项目履约率"


def test_ranked_across_regions(world, entries):
    rows = figures.rates_by_region(entries, Project.objects.visible_to(world.alice))
    assert [(r["rank"], r["region"].name) for r in rows] == [(1, "尉氏经开区"), (2, "城关镇")]
    park, town = rows
    assert park["rates"]["start"]["rate"] == Decimal("80.0")  # 4 / 5
    assert town["rates"]["start"]["rate"] == Decimal("66.7")  # 2 / 3
    assert town["rates"]["performance"]["rate"] == Decimal("75.0")  # 3 / 4


def test_entry_threshold_by_kind(world, campaign):
    small = make_project(world, code="T01", total_investment=Decimal("200000000"))
    with pytest.raises(ValidationError, match="入库门槛"):
        services.add_to_campaign(campaign, small, batch="sign", actor=world.alice)
    social = make_project(world, code="T02", kind="social", total_investment=Decimal("20000000"))
    services.add_to_campaign(campaign, social, batch="start", actor=world.alice)  # no threshold for social
    assert AuditEntry.objects.filter(event="campaign_entry_added").count() == 1


def test_outside_region_or_scope_refused(world, campaign, other_project):
    with pytest.raises(ValidationError, match="不在本期"):
        services.add_to_campaign(campaign, other_project, batch="sign", actor=world.alice)
    p = make_project(world, code="T03")
    with pytest.raises(PermissionDenied):
        services.add_to_campaign(campaign, p, batch="sign", actor=world.charlie)


def test_ranking_publication_red_and_black(world):
    for i, amount in enumerate([600000, 500000, 400000, 100000, 0]):
        p = make_project(world, code=f"R{i}", name=f"项目{i}")
        with_today = dt.date(2026, 6, 10)
        import time_machine

        with time_machine.travel(dt.datetime(2026, 6, 10, 2, tzinfo=dt.UTC), tick=False):
            services.plan_year(p, year=2026, amount=Decimal("1200000"), actor=world.alice)
            services.record_actual(p, year=2026, month=5, amount=Decimal(amount), actor=world.alice)
    rule = RankingRule.objects.create(
        name="项目投资进度红黑榜", region=world.county, subject="project", metric="lead", size=2
    )
    pub = services.publish_ranking(rule, period="2026年5月", actor=world.alice, today=with_today)
    assert [r["name"] for r in pub.red] == ["项目0", "项目1"]
    assert [r["name"] for r in pub.black] == ["项目4", "项目3"]
    assert pub.red[0]["value"] == "8.3"  # 50.0 − 41.7
    with pytest.raises(PermissionDenied):
        services.publish_ranking(rule, period="2026年5月", actor=world.charlie, today=with_today)

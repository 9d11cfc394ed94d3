from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.projects.conftest import make_project
from zhuqi.core.models import AuditEntry
from zhuqi.projects import figures, services
from zhuqi.projects.models import Campaign, Project

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

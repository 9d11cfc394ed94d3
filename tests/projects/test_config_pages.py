"""三个一批 rounds as configuration pages (the 红黑榜 rules are oversight's:
tests/oversight/test_redblack_projects.py): create and edit for the
dispatch office in its own area, bad input named, history shown; the visit-rule page's history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from zhuqi.assistance import services as assistance_services
from zhuqi.core.models import AuditEntry
from zhuqi.projects import services
from zhuqi.projects.models import Campaign

pytestmark = pytest.mark.django_db


def test_campaign_service(world):
    c = services.save_campaign(
        None,
        actor=world.alice,
        name="2026年第一期",
        region=world.county,
        year=2026,
        thresholds={"industrial": Decimal("300000000")},
    )
    assert c.thresholds == {"industrial": "300000000"}
    services.save_campaign(
        c, actor=world.alice, name="2026年第一期（调整）", region=world.county, year=2026, thresholds={}
    )
    c.refresh_from_db()
    assert (c.name, c.thresholds) == ("2026年第一期（调整）", {})
    assert set(
        AuditEntry.objects.filter(object_type="projects.campaign").values_list("event", flat=True)
    ) >= {
        "campaign_created",
        "campaign_changed",
    }
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(None, actor=world.alice, name="重复", region=world.county, year=2026)
    assert "第 1 期已存在" in exc.value.message_dict["round_no"][0]
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(None, actor=world.alice, name="x", region=world.other_county, year=2026)
    assert exc.value.message_dict == {"region": ["找不到该区划（或不在您的管辖范围内）"]}
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(
            None,
            actor=world.alice,
            name="x",
            region=world.county,
            year=2026,
            round_no=2,
            thresholds={"industrial": -1},
        )
    assert exc.value.message_dict == {"thresholds": ["入库门槛不能为负数"]}
    with pytest.raises(PermissionDenied):
        services.save_campaign(None, actor=world.leader, name="x", region=world.county, year=2026, round_no=3)
    with pytest.raises(Http404):
        services.save_campaign(c, actor=world.charlie, name="x", region=world.other_county, year=2026)
    assert Campaign.objects.count() == 1


def test_campaign_pages(world, login):
    client = login(world.alice)
    assert 'data-testid="campaign-create"' in client.get("/projects/campaigns/").content.decode()
    form = {
        "name": "",
        "region": world.county.pk,
        "year": 2026,
        "round_no": 1,
        "threshold_industrial": "30000",
    }
    assert "请填写名称" in client.post("/projects/campaigns/new/", form).content.decode()
    resp = client.post("/projects/campaigns/new/", {**form, "name": "2026年第一期"})
    c = Campaign.objects.get()
    assert resp.status_code == 302 and c.thresholds == {"industrial": "300000000"}
    page = client.get(f"/projects/campaigns/{c.pk}/edit/").content.decode()
    assert 'value="30000.00"' in page and "新建三个一批期次" in page  # the history
    assert login(world.leader).get("/projects/campaigns/new/").status_code == 404
    assert login(world.charlie).get(f"/projects/campaigns/{c.pk}/edit/").status_code == 404


def test_visit_rule_page_shows_its_history(world, login):
    assistance_services.set_visit_rule("commissioner", period="month", min_visits=2, actor=world.admin)
    assistance_services.set_load_limit("commissioner", min_count=2, max_count=3, actor=world.admin)
    page = login(world.alice).get("/assistance/rules/").content.decode()
    assert 'data-testid="config-history"' in page
    assert "修改走访频次" in page and "修改包抓数量" in page

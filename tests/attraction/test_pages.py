"""Pages and API: render, filters, forms through the services, scope (outside: 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.attraction.conftest import make_lead, pipeline, stage
from zhuqi.attraction.models import Lead

pytestmark = pytest.mark.django_db


def test_list_detail_funnel_and_scope(world, login):
    lead = make_lead(world)
    make_lead(world, investor="小额投资方", amount_wan="3000", title="小项目")
    alice = login(world.alice)
    page = alice.get(reverse("attraction:lead_list"), {"band": "5to20"}).context["page"]
    assert [x.title for x in page] == ["年产5万吨聚乳酸项目"]
    r = alice.get(reverse("attraction:lead_detail", args=[lead.pk]))
    assert r.status_code == 200 and 'data-testid="lead-move"' in r.content.decode()
    assert alice.get(reverse("attraction:funnel")).status_code == 200
    charlie = login(world.charlie)
    assert len(charlie.get(reverse("attraction:lead_list")).context["page"]) == 0
    assert charlie.get(reverse("attraction:lead_detail", args=[lead.pk])).status_code == 404
    zr = login(world.zr_handler)  # another department's team: not its lead
    assert zr.get(reverse("attraction:lead_detail", args=[lead.pk])).status_code == 404


def test_form_registers_in_wan_and_shows_the_duplicate_message(world, login):
    client = login(world.bob)
    data = {
        "pipeline": pipeline().pk,
        "title": "新能源电池项目",
        "investor_name": "某新能源科技有限公司",
        "source": "abroad",
        "amount": "120000",
        "region": world.park.pk,
        "registered_on": "2026-03-02",
    }
    r = client.post(reverse("attraction:lead_new"), data)
    assert r.status_code == 302
    lead = Lead.objects.get()
    assert lead.amount == 1_200_000_000 and lead.team_id == world.jxj.pk
    r = client.post(reverse("attraction:lead_new"), {**data, "investor_name": "某新能源科技（有限公司）"})
    assert r.status_code == 200 and "已有在跟进的线索" in r.content.decode()
    r = client.post(
        reverse("attraction:lead_new"), {**data, "investor_name": "另一家", "amount": "1200000000"}
    )
    assert "万元" in r.content.decode() and Lead.objects.count() == 1


def test_move_page_and_api(world, login):
    lead = make_lead(world)
    client = login(world.alice)
    r = client.post(reverse("attraction:lead_move", args=[lead.pk]), {"to_stage": stage("contact").pk})
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.stage.code == "contact"
    api = APIClient()
    api.force_authenticate(world.alice)
    r = api.post(f"/api/v1/attraction-leads/{lead.pk}/move/", {"to_stage": stage("lost").pk}, format="json")
    assert r.status_code == 400 and "reason" in r.data
    r = api.post(f"/api/v1/attraction-leads/{lead.pk}/move/", {"to_stage": stage("visit").pk}, format="json")
    assert r.status_code == 200 and r.data["stage_name"] == "考察"
    assert api.get("/api/v1/attraction-leads/").data["count"] == 1
    api.force_authenticate(world.charlie)
    assert api.get(f"/api/v1/attraction-leads/{lead.pk}/").status_code == 404
    assert api.get("/api/v1/attraction-leads/").data["count"] == 0


def test_the_team_filter_offers_the_teams_of_the_leads_and_not_a_province_of_them(world, login, monkeypatch):
    """The filter lists the teams following a visible lead; past TEAM_OPTIONS_MAX it is not
    offered (a province has a thousand) unless a region narrows it; a chosen team stays."""
    from zhuqi.attraction import selectors

    make_lead(world, team=world.jxj)  # in the park
    make_lead(world, investor="县城投资方", title="县城项目", region=world.county, team=world.zrzy)
    alice = login(world.alice)
    url = reverse("attraction:lead_list")
    by_name = sorted([world.jxj, world.zrzy], key=lambda d: d.name)
    assert [t.pk for t in alice.get(url).context["teams"]] == [d.pk for d in by_name]
    monkeypatch.setattr(selectors, "TEAM_OPTIONS_MAX", 1)
    r = alice.get(url, {"team": world.jxj.pk})
    html = r.content.decode()
    assert r.context["teams"] is None and 'data-testid="lead-filter-team"' not in html
    assert f'name="team" value="{world.jxj.pk}"' in html  # the chosen team is kept
    assert [x.title for x in r.context["page"]] == ["年产5万吨聚乳酸项目"]
    r = alice.get(url, {"region": world.park.pk})  # the park's leads: one team, offered
    assert [t.pk for t in r.context["teams"]] == [world.jxj.pk]
    assert 'data-testid="lead-filter-team"' in r.content.decode()

"""API writes beyond assignments and visits: plans and measures, meetings, lists, key
designation, visit rules — each through services, scoped, with Chinese errors."""

import pytest

from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance.models import Meeting, PlanMeasure, VisitRule
from zhuqi.core.models import AuditEntry
from zhuqi.enterprises.models import EnterpriseList, KeyDesignation

pytestmark = pytest.mark.django_db


@pytest.fixture
def hs(world):
    return make_enterprise("恒顺集团有限公司", world.grid)


def test_plan_measure_and_progress_via_api(world, hs, login):
    client = login(world.alice)
    response = client.post(
        "/api/v1/plans/", {"enterprise": hs.pk, "year": 2026, "goals": "全年产值突破5亿元"}
    )
    assert response.status_code == 201, response.json()
    plan_id = response.json()["id"]
    response = client.post(
        "/api/v1/plan-measures/",
        {"plan": plan_id, "title": "协调二期用地", "deadline": "2026-01-31", "owner": world.bob.pk},
    )
    assert response.status_code == 201, response.json()
    measure = response.json()
    assert measure["status"] == "planned"
    response = client.post(
        f"/api/v1/plan-measures/{measure['id']}/progress/", {"progress": 100, "note": "用地已挂牌"}
    )
    assert response.json()["status"] == "done"
    assert PlanMeasure.objects.get().updates.get().note == "用地已挂牌"
    # outside scope: not found; not on the team: forbidden
    assert (
        login(world.charlie)
        .post("/api/v1/plans/", {"enterprise": hs.pk, "year": 2026, "goals": "x"})
        .status_code
        == 400
    )
    response = login(world.bob).post("/api/v1/plans/", {"enterprise": hs.pk, "year": 2027, "goals": "x"})
    assert response.status_code == 403 and "一企一策" in response.json()["detail"]


def test_meeting_via_api(world, hs, login):
    other = make_enterprise("通许装备制造有限公司", world.other_grid)
    client = login(world.leader)
    body = {
        "kind": "bank",
        "title": "银企对接会",
        "held_on": "2026-04-08",
        "enterprises": [hs.pk],
        "problems": [{"enterprise": hs.pk, "category": "融资", "description": "续贷 3000 万元"}],
    }
    response = client.post("/api/v1/meetings/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["problems"] == [
        {"enterprise": hs.pk, "category": "融资", "description": "续贷 3000 万元"}
    ]
    body["enterprises"] = [other.pk]
    response = client.post("/api/v1/meetings/", body, content_type="application/json")
    # another county's enterprise is refused exactly like one that does not exist
    assert response.status_code == 400 and "对象不存在" in str(response.json()["enterprises"])
    assert Meeting.objects.count() == 1


def test_lists_and_key_via_api(world, hs, login):
    pool = EnterpriseList.objects.create(name="小升规培育库", kind="pool", goal=1, region=world.county)
    client = login(world.alice)
    response = client.post(
        f"/api/v1/enterprise-lists/{pool.pk}/enter/", {"enterprise": hs.pk, "reason": "营收接近"}
    )
    assert response.status_code == 201
    membership = response.json()["id"]
    response = client.post(f"/api/v1/list-memberships/{membership}/exit/", {"achieved": True})
    assert response.json()["achieved_on"] and response.json()["exited_on"] is None
    assert client.get(f"/api/v1/enterprise-lists/{pool.pk}/").json()["progress"]["pct"] == 100.0
    response = client.post(f"/api/v1/list-memberships/{membership}/exit/", {"reason": ""})
    assert response.status_code == 400 and "出库原因" in str(response.json())
    assert client.post(f"/api/v1/enterprises/{hs.pk}/key/", {"year": 2026}).status_code == 200
    assert KeyDesignation.objects.filter(enterprise=hs, year=2026).exists()
    assert (
        login(world.bob).post(f"/api/v1/enterprises/{hs.pk}/key/", {"year": 2026, "key": False}).status_code
        == 403
    )


def test_visit_rule_via_api_admin_only(world, login):
    rule = VisitRule.objects.get(role="commissioner")
    assert (
        login(world.alice)
        .patch(f"/api/v1/visit-rules/{rule.pk}/", {"min_visits": 2}, content_type="application/json")
        .status_code
        == 403
    )
    response = login(world.admin).patch(
        f"/api/v1/visit-rules/{rule.pk}/",
        {"period": "month", "min_visits": 3},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["period"] == "month"
    assert AuditEntry.objects.filter(event="visit_rule_changed").exists()


def test_openapi_schema_documents_the_endpoints(world, login):
    schema = login(world.alice).get("/api/schema/", {"format": "json"}).json()
    for path in [
        "/api/v1/enterprises/",
        "/api/v1/enterprises/{id}/key/",
        "/api/v1/industries/",
        "/api/v1/assignments/{id}/hand_over/",
        "/api/v1/visits/",
        "/api/v1/visit-compliance/",
        "/api/v1/plan-measures/{id}/progress/",
        "/api/v1/meetings/",
    ]:
        assert path in schema["paths"], path

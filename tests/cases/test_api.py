"""REST API and Open311: scope (404 outside) on every endpoint, transitions, api keys."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from rest_framework.test import APIClient

from zhuqi.cases.models import Case, PartnerSystem

PERSONAS = [
    "admin",
    "alice",
    "leader",
    "head",
    "bob",
    "zr_handler",
    "commissioner",
    "grid_member",
    "supervisor",
    "observer",
    "enterprise_user",
    "charlie",
    "other_handler",
]


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_scope_every_endpoint(cw, persona):
    w = cw.w
    mine = cw.to("in_progress")
    other = cw.new(ent=cw.ent_other, actor=w.charlie, channel="visit")
    user = getattr(w, persona)
    visible = set(Case.objects.visible_to(user).values_list("pk", flat=True))
    c = api(user)
    r = c.get("/api/v1/cases/")
    assert r.status_code == 200
    assert {row["id"] for row in r.json()["results"]} == visible
    for case in (mine, other):
        code = 200 if case.pk in visible else 404
        for suffix in ("", "clocks/", "timeline/", "allowed_actions/"):
            assert c.get(f"/api/v1/cases/{case.pk}/{suffix}").status_code == code, (persona, suffix)
        assert c.post(f"/api/v1/cases/{case.pk}/sign/").status_code in (
            {200, 400, 403} if code == 200 else {404}
        )
    r = c.get("/api/v1/case-supervisions/")
    assert r.status_code == 200
    r = c.get("/api/v1/case-figures/?dim=channel")
    assert r.status_code == (404 if persona in {"enterprise_user", "grid_member"} else 200)
    if r.status_code == 200:
        assert r.json()["totals"]["received"]["n"] == len(visible)


def test_api_loop(cw):
    w = cw.w
    r = api(w.enterprise_user).post(
        "/api/v1/cases/",
        {"enterprise": cw.ent.pk, "title": "招工难", "description": "急需技工 50 名"},
        format="json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["channel"] == "portal"
    assert api(w.bob).post(f"/api/v1/cases/{pk}/accept/").status_code == 404  # not dispatched to 工信局 yet
    assert api(w.leader).post(f"/api/v1/cases/{pk}/accept/").status_code == 403
    r = api(w.alice).post(f"/api/v1/cases/{pk}/accept/", {"category": cw.labor.pk}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = api(w.alice).post(f"/api/v1/cases/{pk}/dispatch_to/", {"lead": w.jxj.pk}, format="json")
    assert r.json()["status"] == "dispatched"
    assert api(w.bob).post(f"/api/v1/cases/{pk}/sign/").json()["status"] == "signed"
    r = api(w.bob).post(f"/api/v1/cases/{pk}/reply/", {"reply": ""}, format="json")
    assert r.status_code == 400 and "答复" in r.json()["detail"]
    api(w.bob).post(f"/api/v1/cases/{pk}/reply/", {"reply": "已对接人社局招聘会"}, format="json")
    r = api(w.enterprise_user).post(f"/api/v1/cases/{pk}/follow_up/", {"result": "satisfied"}, format="json")
    assert r.json()["status"] == "followed_up"
    assert api(w.alice).post(f"/api/v1/cases/{pk}/close/").json()["status"] == "closed"
    clocks = api(w.alice).get(f"/api/v1/cases/{pk}/clocks/").json()
    assert {c["kind"] for c in clocks} >= {"accept", "dispatch", "sign", "reply", "followup", "close"}


def test_api_create_outside_scope_is_refused_like_a_missing_enterprise(cw):
    def post(pk):
        return api(cw.w.alice).post(
            "/api/v1/cases/", {"enterprise": pk, "title": "x", "description": "y"}, format="json"
        )

    r, missing = post(cw.ent_other.pk), post(999999)
    assert r.status_code == missing.status_code == 400
    assert r.json()["enterprise"] == [
        m.replace("999999", str(cw.ent_other.pk)) for m in missing.json()["enterprise"]
    ]
    assert not Case.objects.filter(enterprise=cw.ent_other).exists()


def test_schema_builds(cw, client):
    client.force_login(cw.w.admin)
    r = client.get("/api/schema/")
    assert r.status_code == 200 and b"/api/v1/cases/{id}/dispatch_to/" in r.content


# --- Open311 -------------------------------------------------------------------------------
@pytest.fixture
def partner(cw):
    p = PartnerSystem(name="尉氏县12345热线", channel="h12345", region=cw.w.county)
    key = p.new_key()
    p.save()
    p.plain_key = key
    return p


def test_open311_services_without_key(cw, client):
    r = client.get("/open311/v2/services.json")
    assert r.status_code == 200
    codes = {s["service_code"] for s in r.json()}
    assert {"land", "land_quota", "labor"} <= codes
    r = client.get("/open311/v2/services.xml")
    root = ET.fromstring(r.content)  # noqa: S314 - our own response
    assert root.tag == "services" and root.find("service/service_code") is not None


def test_open311_requests_need_key(cw, client):
    cw.to("submitted")
    assert client.get("/open311/v2/requests.json").status_code == 403
    assert client.get("/open311/v2/requests.json?api_key=wrong").status_code == 403
    assert (
        client.post("/open311/v2/requests.json", {"service_code": "land", "description": "x"}).status_code
        == 403
    )


def test_open311_post_and_get(cw, client, partner):
    data = {
        "api_key": partner.plain_key,
        "service_code": "power",
        "description": "企业反映厂区频繁停电，影响生产",
        "attribute[credit_code]": cw.ent.credit_code,
        "attribute[external_no]": "WS12345-20260301-0001",
        "first_name": "经理",
        "last_name": "王",
        "phone": "13900000000",
    }
    r = client.post("/open311/v2/requests.json", data)
    assert r.status_code == 201, r.content
    no = r.json()[0]["service_request_id"]
    case = Case.objects.get(no=no)
    assert (
        case.external_no == "WS12345-20260301-0001" and case.partner == partner and case.channel == "h12345"
    )
    r = client.post("/open311/v2/requests.json", data)  # same external number again
    assert r.status_code == 400 and "已存在" in r.json()[0]["description"]
    r = client.get(f"/open311/v2/requests/{no}.json?api_key={partner.plain_key}")
    row = r.json()[0]
    assert row["status"] == "open" and row["service_code"] == "power"
    r = client.get(f"/open311/v2/requests/{no}.xml?api_key={partner.plain_key}")
    assert ET.fromstring(r.content)  # noqa: S314 - our own response.find("request/status").text == "open"
    r = client.get(f"/open311/v2/requests.json?api_key={partner.plain_key}&status=closed")
    assert r.json() == []


def test_open311_scope_of_key(cw, client, partner):
    other = cw.new(ent=cw.ent_other, actor=cw.w.charlie, channel="visit")
    mine = cw.to("closed")
    r = client.get(f"/open311/v2/requests.json?api_key={partner.plain_key}")
    nos = {row["service_request_id"] for row in r.json()}
    assert mine.no in nos and other.no not in nos
    assert next(row for row in r.json() if row["service_request_id"] == mine.no)["status"] == "closed"
    assert client.get(f"/open311/v2/requests/{other.no}.json?api_key={partner.plain_key}").status_code == 404
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": partner.plain_key,
            "service_code": "land",
            "description": "x",
            "attribute[credit_code]": cw.ent_other.credit_code,
        },
    )
    assert r.status_code == 400
    body = json.loads(r.content)
    assert "未找到企业" in body[0]["description"]


def test_routing_rules_api(cw):
    w = cw.w
    payload = {
        "category": cw.labor.pk,
        "region": w.county.pk,
        "lead_department": w.jxj.pk,
        "assisting_departments": [w.zrzy.pk],
    }
    assert api(w.bob).post("/api/v1/case-routing-rules/", payload, format="json").status_code == 403
    r = api(w.alice).post("/api/v1/case-routing-rules/", payload, format="json")
    assert r.status_code == 201, r.content
    bad = dict(payload, category=cw.other.pk, region=w.other_county.pk)
    assert api(w.alice).post("/api/v1/case-routing-rules/", bad, format="json").status_code == 400
    assert api(w.charlie).get(f"/api/v1/case-routing-rules/{r.json()['id']}/").status_code == 404
    assert api(w.alice).delete(f"/api/v1/case-routing-rules/{r.json()['id']}/").status_code == 204


def test_open311_post_xml(cw, client, partner):
    r = client.post(
        "/open311/v2/requests.xml",
        {
            "api_key": partner.plain_key,
            "service_code": "labor",
            "description": "企业急需招聘技工",
            "account_id": cw.ent.credit_code,
        },
    )
    assert r.status_code == 201 and r["Content-Type"].startswith("text/xml")
    no = ET.fromstring(r.content).find("request/service_request_id").text  # noqa: S314 - our own response
    assert Case.objects.get(no=no).category == cw.labor
    r = client.post(
        "/open311/v2/requests.xml", {"api_key": partner.plain_key, "service_code": "nope", "description": "x"}
    )
    assert r.status_code == 400 and ET.fromstring(r.content).tag == "errors"  # noqa: S314


def test_partner_key_generated_in_admin(cw, client):
    client.force_login(cw.w.admin)
    r = client.post(
        "/admin/cases/partnersystem/add/",
        {"name": "96388平台", "channel": "h96388", "region": cw.w.county.pk, "is_active": "on"},
        follow=True,
    )
    assert r.status_code == 200
    p = PartnerSystem.objects.get(name="96388平台")
    assert len(p.key_hash) == 64
    msg = next(str(m) for m in r.context["messages"] if "api_key" in str(m))
    key = msg.split("api_key：")[1].split("（")[0]
    assert PartnerSystem.by_key(key) == p


@pytest.mark.parametrize(("channel", "expected"), [(None, "h12345"), ("h96388", "h96388")])
def test_a_partners_case_carries_the_partners_channel(cw, client, channel, expected):
    """The default channel of a partner is a Channel value (it was "hotline_12345", which is
    not, so those partners' cases were filed as "api")."""
    from zhuqi.cases.models import Channel

    p = PartnerSystem(name="对接系统", region=cw.w.county, **({"channel": channel} if channel else {}))
    key = p.new_key()
    p.save()
    assert p.channel in Channel.values
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "power",
            "description": "企业反映厂区频繁停电",
            "attribute[credit_code]": cw.ent.credit_code,
        },
    )
    assert r.status_code == 201, r.content
    assert Case.objects.get(no=r.json()[0]["service_request_id"]).channel == expected

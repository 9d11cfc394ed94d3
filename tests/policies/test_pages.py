"""The policy pages and API as their users meet them: an official encodes an item with rows of
conditions and sees the matched enterprises and the near misses with the missing condition; the
enterprise user sees what it qualifies for and nearly qualifies for, and nothing of others;
scope and the department's ownership decide who may see and change what."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.policies.conftest import YEAR
from zhuqi.core.models import AuditEntry
from zhuqi.policies.models import PolicyItem

pytestmark = pytest.mark.django_db


def _form(pw, **extra):
    data = {
        "title": "升规入统奖励",
        "kind": "reward",
        "status": "published",
        "mode": "automatic",
        "department": pw.world.jxj.pk,
        "data_year": YEAR,
        "joiner": "all",
        "amount_type": "tiers",
        "base": "gross_output",
        "tiers": "2000, 2\n5000, 5\n10000, 10\n50000, 20",
        "limit_days": 60,
        "c-TOTAL_FORMS": 4,
        "c-INITIAL_FORMS": 0,
        "c-0-attr": "above_scale",
        "c-0-op": "eq",
        "c-0-value": "是",
        "c-1-attr": "above_scale_since",
        "c-1-op": "eq",
        "c-1-value": str(YEAR),
        "c-2-attr": "indicator:gross_output:value",
        "c-2-op": "gte",
        "c-2-value": "2000",
        "c-3-attr": "indicator:revenue:growth",
        "c-3-op": "gte",
        "c-3-value": "10",
    }
    data.update(extra)
    return data


def test_an_official_encodes_an_item_and_sees_who_matches(pw, client):
    client.force_login(pw.world.bob)  # 工信局's handler
    r = client.post(reverse("policies:item_new", args=[pw.document.pk]), _form(pw))
    assert r.status_code == 302, r.content.decode()[:2000]
    item = PolicyItem.objects.get()
    assert len(item.conditions["all"]) == 4
    assert item.amount_rule["tiers"][1] == {"min": "5000", "amount": "50000"}
    page = client.get(reverse("policies:item_detail", args=[item.pk])).content.decode()
    assert "甲机械有限公司" in page and "乙机械有限公司" not in page
    near = client.get(reverse("policies:item_detail", args=[item.pk]) + "?tab=near").content.decode()
    assert "乙机械有限公司" in near and "2025年营业收入同比增速（%） ≥ 10%" in near
    explain = client.get(reverse("policies:item_explain", args=[item.pk, pw.ents["甲"].pk])).content.decode()
    assert "符合条件" in explain and "5.00 万元" in explain
    # the form shows the stored rows again
    edit = client.get(reverse("policies:item_edit", args=[item.pk])).content.decode()
    assert 'value="2000"' in edit and "2000, 2" in edit


def test_a_bad_condition_row_is_refused_and_nothing_is_saved(pw, client):
    client.force_login(pw.world.bob)
    before = AuditEntry.objects.count()
    r = client.post(
        reverse("policies:item_new", args=[pw.document.pk]),
        _form(pw, **{"c-2-value": "两千万", "amount_type": "fixed", "amount_wan": "-1"}),
    )
    assert r.status_code == 200
    assert "工业总产值：“两千万”不是数字" in r.content.decode()
    assert not PolicyItem.objects.exists() and AuditEntry.objects.count() == before


def test_a_department_may_only_encode_its_own_items(pw, client):
    client.force_login(pw.world.zr_handler)  # 自然资源局
    r = client.post(reverse("policies:item_new", args=[pw.document.pk]), _form(pw))
    assert r.status_code == 200 and "只能登记本部门负责的政策事项" in r.content.decode()
    item = pw.item()
    assert client.get(reverse("policies:item_edit", args=[item.pk])).status_code == 404
    client.force_login(pw.world.other_handler)  # another county: not its document either
    assert client.get(reverse("policies:item_new", args=[pw.document.pk])).status_code == 404


def test_matched_enterprises_stay_within_the_viewers_scope(pw, client):
    item = pw.item()
    client.force_login(pw.world.charlie)  # 通许县 dispatch
    page = client.get(reverse("policies:item_detail", args=[item.pk])).content.decode()
    assert "甲机械有限公司" not in page
    assert client.get(reverse("policies:item_explain", args=[item.pk, pw.ents["甲"].pk])).status_code == 404


def test_the_enterprise_sees_its_own_policies_only(pw, client):
    item = pw.item()
    client.force_login(pw.world.enterprise_user)  # 乙's staff
    mine = client.get(reverse("policies:mine")).content.decode()
    assert "升规入统奖励" in mine and "7.1%" in mine  # nearly: its own growth shown
    assert client.get(reverse("policies:item_guide", args=[item.pk])).status_code == 200
    assert client.get(reverse("policies:item_detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("policies:item_explain", args=[item.pk, pw.ents["甲"].pk])).status_code == 404
    assert client.get(reverse("policies:item_explain", args=[item.pk, pw.ents["乙"].pk])).status_code == 200
    ent_page = client.get(reverse("enterprises:enterprise_detail", args=[pw.ents["乙"].pk]))
    if ent_page.status_code == 200:
        assert 'data-testid="enterprise-policies"' in ent_page.content.decode()


def test_the_enterprise_page_shows_the_panel_to_officials(pw, client):
    pw.item()
    client.force_login(pw.world.alice)
    page = client.get(reverse("enterprises:enterprise_detail", args=[pw.ents["甲"].pk])).content.decode()
    assert 'data-testid="enterprise-policies"' in page and "5.00 万元" in page


def test_drafts_are_for_those_who_manage_policies(pw, client):
    item = pw.item(status="draft")
    client.force_login(pw.world.leader)
    assert client.get(reverse("policies:item_detail", args=[item.pk])).status_code == 404
    client.force_login(pw.world.head)
    assert client.get(reverse("policies:item_detail", args=[item.pk])).status_code == 200


def test_api_matches_and_mine(pw):
    item = pw.item()
    api = APIClient()
    api.force_authenticate(pw.world.alice)
    r = api.get(f"/api/v1/policy-items/{item.pk}/matches/")
    assert r.status_code == 200 and r.json() == {
        "count": 1,
        "enterprises": [{"id": pw.ents["甲"].pk, "name": "甲机械有限公司"}],
    }
    assert api.get("/api/v1/policy-items/mine/").json() == {"qualifies": [], "nearly": []}
    api.force_authenticate(pw.world.enterprise_user)
    assert api.get(f"/api/v1/policy-items/{item.pk}/matches/").status_code == 404
    mine = api.get("/api/v1/policy-items/mine/").json()
    assert mine["qualifies"] == []
    assert [ln["has"] for ln in mine["nearly"][0]["lines"] if not ln["met"]] == ["7.1%"]


def test_the_document_file_is_shown_on_the_page_not_in_its_title(pw, client):
    """The policy file uploaded on the document page is listed in the page's body, where an
    official or an enterprise reading the policy can open it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(pw.world.bob)
    r = client.post(
        reverse("core:attachment_add", args=["policies.policydocument", pw.document.pk]),
        {"file": SimpleUploadedFile("尉政〔2026〕3号.pdf", b"%PDF-1.4\n%%EOF\n"), "next": "/"},
    )
    assert r.status_code == 302
    page = client.get(reverse("policies:document_detail", args=[pw.document.pk])).content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "尉政〔2026〕3号.pdf" not in title
    body = page.split("<body", 1)[1]
    assert "尉政〔2026〕3号.pdf" in body and 'data-testid="attachments"' in body

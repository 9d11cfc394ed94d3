"""One way to do each thing: the case page and the API fire transitions through
`services.fire`, and save or delete routing rules through the routing-rule services (one
permission check, audit in the same transaction)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cases.test_api import api
from zhuqi.cases import services
from zhuqi.cases.models import Case, RoutingRule
from zhuqi.cases.workflow import TRANSITIONS
from zhuqi.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_every_transition_has_exactly_one_service():
    assert set(services.ACTIONS) == set(TRANSITIONS)


def test_page_and_api_fire_through_one_function(cw, login, monkeypatch):
    calls = []
    real = services.fire

    def spy(case, action, *, actor, data=None):
        calls.append((action, actor.username))
        return real(case, action, actor=actor, data=data)

    monkeypatch.setattr(services, "fire", spy)
    a, b = cw.new(), cw.new(title="招工困难", description="缺少熟练技工")
    login(cw.w.alice).post(reverse("cases:act", args=[a.pk, "accept"]))
    assert api(cw.w.alice).post(f"/api/v1/cases/{b.pk}/accept/", {}, format="json").status_code == 200
    assert calls == [("accept", "alice"), ("accept", "alice")]
    assert set(Case.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"accepted"}


def test_dispatch_to_a_department_outside_scope_is_refused_as_nonexistent_on_page_and_api(cw, login):
    w = cw.w
    a, b = cw.to("accepted"), cw.to("accepted")
    for lead in (w.other_jxj.pk, 999999):
        page = login(w.alice).post(reverse("cases:act", args=[a.pk, "dispatch"]), {"lead": lead})
        assert page.status_code == 404
    r = api(w.alice).post(f"/api/v1/cases/{b.pk}/dispatch_to/", {"lead": w.other_jxj.pk}, format="json")
    # the API names the field, with DRF's message for a row that does not exist (core.api.VisibleRef)
    missing = api(w.alice).post(f"/api/v1/cases/{b.pk}/dispatch_to/", {"lead": 999999}, format="json")
    assert r.status_code == missing.status_code == 400
    assert r.json()["lead"] == [m.replace("999999", str(w.other_jxj.pk)) for m in missing.json()["lead"]]
    assert set(Case.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"accepted"}


def test_page_and_api_parse_parameters_alike(cw, login):
    w = cw.w
    a, b = cw.to("in_progress"), cw.to("in_progress")
    login(w.bob).post(reverse("cases:act", args=[a.pk, "reply"]), {"reply": "暂无法解决", "resolved": "0"})
    r = api(w.bob).post(
        f"/api/v1/cases/{b.pk}/reply/", {"reply": "暂无法解决", "resolved": False}, format="json"
    )
    assert r.status_code == 200
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.resolved) == (b.status, b.resolved) == ("replied", False)


def test_api_transition_errors_keep_their_shapes(cw):
    case = cw.new()
    r = api(cw.w.alice).post(f"/api/v1/cases/{case.pk}/sign/", {}, format="json")
    assert r.status_code == 400 and "detail" in r.json()  # wrong state
    r = api(cw.w.enterprise_user).post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json")
    assert r.status_code == 403 and "detail" in r.json()  # wrong actor
    assert api(cw.w.charlie).post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json").status_code == 404


# --- routing rules ---------------------------------------------------------------------------------
def test_rule_services_check_one_permission(cw):
    w = cw.w
    with pytest.raises(services.PermissionDenied):
        services.save_routing_rule(
            None, actor=w.bob, category=cw.labor, region=w.county, lead_department=w.jxj
        )
    with pytest.raises(services.PermissionDenied):
        services.delete_routing_rule(cw.rule_land, actor=w.bob)
    assert services.can_edit_routing_rules(w.alice) and not services.can_edit_routing_rules(w.bob)


def test_rule_outside_scope_and_duplicates_are_refused(cw):
    w = cw.w
    with pytest.raises(services.ValidationError) as exc:
        services.save_routing_rule(
            None, actor=w.alice, category=cw.labor, region=w.other_county, lead_department=w.jxj
        )
    assert "region" in exc.value.message_dict
    with pytest.raises(services.ValidationError) as exc:
        services.save_routing_rule(
            None, actor=w.alice, category=cw.labor, region=w.county, lead_department=w.other_jxj
        )
    assert "lead_department" in exc.value.message_dict
    with pytest.raises(services.ValidationError, match="已有分拨规则"):
        services.save_routing_rule(
            None, actor=w.alice, category=cw.land, region=w.county, lead_department=w.jxj
        )


def test_rule_audit_is_written_in_the_same_transaction(cw, monkeypatch):
    w = cw.w

    def broken(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.save_routing_rule(
            None, actor=w.alice, category=cw.labor, region=w.county, lead_department=w.jxj
        )
    with pytest.raises(RuntimeError):
        services.delete_routing_rule(cw.rule_power, actor=w.alice)
    assert not RoutingRule.objects.filter(category=cw.labor).exists()
    assert RoutingRule.objects.filter(pk=cw.rule_power.pk).exists()


def test_rule_delete_from_the_page_is_audited(cw, login):
    w = cw.w
    assert login(w.bob).post(reverse("cases:rule_delete", args=[cw.rule_power.pk])).status_code == 404
    r = login(w.alice).post(reverse("cases:rule_delete", args=[cw.rule_power.pk]))
    assert r.status_code == 302
    assert not RoutingRule.objects.filter(pk=cw.rule_power.pk).exists()
    assert AuditEntry.objects.filter(event="routing_rule_deleted").count() == 1


def test_rule_partial_update_through_the_api_keeps_the_rest(cw):
    w = cw.w
    url = f"/api/v1/case-routing-rules/{cw.rule_land.pk}/"
    assert api(w.bob).patch(url, {"is_active": False}, format="json").status_code == 403
    r = api(w.alice).patch(url, {"is_active": False}, format="json")
    assert r.status_code == 200, r.content
    rule = RoutingRule.objects.get(pk=cw.rule_land.pk)
    assert not rule.is_active and rule.lead_department == w.zrzy
    assert list(rule.assisting_departments.all()) == [w.jxj]
    assert AuditEntry.objects.filter(event="routing_rule_saved").count() == 1
    r = api(w.alice).patch(url, {"region": w.other_county.pk}, format="json")
    assert r.status_code == 400 and "region" in r.json()


# --- escalation levels ------------------------------------------------------------------------------
def test_escalation_levels_are_named(cw):
    from zhuqi.cases.models import EscalationLevel

    case = cw.to("in_progress")
    assert case.escalation_level == EscalationLevel.GRID
    case = services.escalate_case(case, actor=cw.w.alice, note="企业反复反映")
    assert case.escalation_level == EscalationLevel.DEPARTMENT == 2
    case = services.flag_beyond_local(case, actor=cw.w.alice, reason="涉及跨县协调")
    case.refresh_from_db()
    assert case.escalation_level == EscalationLevel.COUNTY
    assert case.get_escalation_level_display() == str(EscalationLevel.COUNTY.label)
    assert list(case.escalations.values_list("to_level", flat=True)) == [2, 3]

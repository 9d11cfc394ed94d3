"""Every transition of the one table: allowed and forbidden, for every role and every state."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhuqi.cases import services
from zhuqi.cases.models import Case, Extension, Status
from zhuqi.cases.workflow import TRANSITIONS
from zhuqi.core.models import AuditEntry

# The state each action is tried from (a valid source), and how to fire it.
SOURCE = {
    "accept": "submitted",
    "refuse": "submitted",
    "dispatch": "accepted",
    "sign": "dispatched",
    "send_back": "dispatched",
    "report_progress": "signed",
    "pause": "signed",
    "resume": "waiting",
    "reply": "in_progress",
    "follow_up": "replied",
    "close": "followed_up",
    "merge": "submitted",
    "withdraw": "submitted",
    "request_extension": "signed",
    "decide_extension": "signed",
    "beyond_local": "signed",
    "escalate": "accepted",
    "hold_meeting": "signed",
    "supervise": "signed",
}
EXPECTED_STATUS = {
    "accept": "accepted",
    "refuse": "refused",
    "dispatch": "dispatched",
    "sign": "signed",
    "send_back": "sent_back",
    "report_progress": "in_progress",
    "pause": "waiting",
    "resume": "in_progress",
    "reply": "replied",
    "follow_up": "followed_up",
    "close": "closed",
    "merge": "merged",
    "withdraw": "withdrawn",
}


def fire(cw, action, case, user):
    w = cw.w
    if action == "accept":
        return services.accept_case(case, actor=user)
    if action == "refuse":
        return services.refuse_case(case, actor=user, reason="重复提交")
    if action == "dispatch":
        return services.dispatch_case(case, actor=user, lead=w.jxj)
    if action == "sign":
        return services.sign_case(case, actor=user)
    if action == "send_back":
        return services.send_back_case(case, actor=user, reason="不属于本部门职责")
    if action == "report_progress":
        return services.report_progress(case, actor=user, note="进展")
    if action == "pause":
        return services.pause_case(case, actor=user, reason="补充材料")
    if action == "resume":
        return services.resume_case(case, actor=user)
    if action == "reply":
        return services.reply_case(case, actor=user, reply="已解决")
    if action == "follow_up":
        return services.follow_up_case(case, actor=user, result="satisfied")
    if action == "close":
        return services.close_case(case, actor=user)
    if action == "merge":
        into = cw.new(ent=case.enterprise, actor=w.alice, title="重复的诉求")
        return services.merge_case(case, into=into, actor=user)
    if action == "withdraw":
        return services.withdraw_case(case, actor=user)
    if action == "request_extension":
        return services.request_extension(case, actor=user, days=2, reason="需要会商")
    if action == "decide_extension":
        ext = Extension.objects.create(case=case, days=2, reason="需要会商", requested_by=w.bob)
        return services.decide_extension(ext, actor=user, approve=True)
    if action == "beyond_local":
        return services.flag_beyond_local(case, actor=user, reason="需省级协调")
    if action == "escalate":
        return services.escalate_case(case, actor=user)
    if action == "hold_meeting":
        Case.objects.filter(pk=case.pk).update(escalation_level=3)
        return services.hold_meeting(
            case, actor=user, held_at=timezone.now(), attendees="县长、经信局", decisions="三日内完成增容"
        )
    if action == "supervise":
        return services.supervise_case(case, actor=user, body="请加快办理")
    raise AssertionError(action)


# who may act, by persona name (world attributes); lead = 工信局 (head, bob)
ACTORS = {
    "dispatch": {"alice", "admin"},
    "lead": {"head", "bob"},
    "enterprise": {"enterprise_user"},
    "leader": {"leader", "admin"},
    "supervisor": {"supervisor", "admin"},
}
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


def test_table_covers_every_action():
    assert set(SOURCE) == set(TRANSITIONS)
    for action, state in SOURCE.items():
        assert state in TRANSITIONS[action].sources, action


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_transition_by_role(cw, action, persona):
    user = getattr(cw.w, persona)
    case = cw.to(SOURCE[action])
    allowed = any(persona in ACTORS[k] for k in TRANSITIONS[action].actors)
    before = AuditEntry.objects.count()
    if allowed:
        fire(cw, action, case, user)
        case.refresh_from_db()
        if action in EXPECTED_STATUS:
            assert case.status == EXPECTED_STATUS[action]
        assert AuditEntry.objects.count() > before
    else:
        status = case.status
        with pytest.raises(PermissionDenied):
            fire(cw, action, case, user)
        case.refresh_from_db()
        assert case.status == status


ALL_STATES = [s for s in Status.values]


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_transition_refused_from_every_other_state(cw, action):
    """From every state not in the table's sources, even an allowed actor is refused."""
    kind = sorted(TRANSITIONS[action].actors)[0]
    persona = sorted(ACTORS[kind] - {"admin"})[0]
    user = getattr(cw.w, persona)
    for state in ALL_STATES:
        if state in TRANSITIONS[action].sources:
            continue
        case = cw.to(state)
        if action == "hold_meeting":
            Case.objects.filter(pk=case.pk).update(escalation_level=3)
        with pytest.raises((ValidationError, PermissionDenied)) as exc:
            fire(cw, action, case, user)
        assert exc.type is ValidationError, (action, state, exc.value)
        assert "不能" in str(exc.value) or "状态" in str(exc.value)


def test_audit_event_and_notification_on_dispatch(cw):
    from zhuqi.core.models import Notification

    case = cw.to("accepted")
    services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj)
    entry = AuditEntry.objects.filter(event="dispatched", object_id=str(case.pk)).get()
    assert entry.actor == cw.w.alice
    assert entry.changes["lead_department"] == cw.w.jxj.name
    assert Notification.objects.filter(recipient=cw.w.bob, title__startswith="新交办诉求").exists()


def test_refuse_needs_reason(cw):
    case = cw.to("submitted")
    with pytest.raises(ValidationError, match="理由"):
        services.refuse_case(case, actor=cw.w.alice, reason=" ")


def test_dispatch_by_routing_rule_and_fallback(cw):
    w = cw.w
    case = cw.to("accepted")
    case = services.dispatch_case(case, actor=w.alice, category=cw.land_quota)
    assert case.lead_department == w.zrzy  # rule on the parent category 用地
    assert {d.department_id for d in case.departments.filter(active=True, role="assist")} == {w.jxj.pk}
    case2 = cw.to("accepted")
    case2 = services.dispatch_case(case2, actor=w.alice, category=cw.labor)  # no rule → dispatch office
    assert case2.lead_department == w.dispatch_office


def test_send_back_then_redispatch_and_old_department_keeps_read_access(cw):
    w = cw.w
    case = cw.to("sent_back")
    assert case.sendback_count == 1
    case = services.dispatch_case(case, actor=w.alice, lead=w.zrzy)
    assert case.status == "dispatched"
    assert Case.objects.visible_to(w.bob).filter(pk=case.pk).exists()
    assert Case.objects.visible_to(w.zr_handler).filter(pk=case.pk).exists()
    # bob's department is no longer lead: it cannot sign
    with pytest.raises(PermissionDenied):
        services.sign_case(case, actor=w.bob)
    services.sign_case(case, actor=w.zr_handler)


def test_unsatisfied_reopens_then_replied_and_closed(cw):
    w = cw.w
    case = cw.to("reopened")
    assert case.status == "reopened" and case.reopen_count == 1
    assert case.reply_due_at is not None
    case = services.reply_case(case, actor=w.bob, reply="已再次协调")
    case = services.follow_up_case(case, actor=w.enterprise_user, result="basic")
    case = services.close_case(case, actor=w.alice)
    assert case.status == "closed" and case.satisfaction == "basic"
    assert case.next_due_at is None and case.close_working_days is not None


def test_followup_by_one_time_token(cw):
    case = cw.to("replied")
    token = case.followup_token
    assert token
    services.follow_up_case(case, result="satisfied", token=token)
    case.refresh_from_db()
    assert case.status == "followed_up"
    with pytest.raises((PermissionDenied, ValidationError)):
        services.follow_up_case(case, result="unsatisfied", token=token)


def test_merge_only_same_enterprise(cw):
    a = cw.to("submitted")
    b = cw.new(ent=cw.ent_b, actor=cw.w.alice)
    with pytest.raises(ValidationError, match="同一企业"):
        services.merge_case(a, into=b, actor=cw.w.alice)


def test_three_sendbacks_or_reopens_make_a_problem_case(cw):
    w = cw.w
    case = cw.to("sent_back")
    for _ in range(2):
        case = services.dispatch_case(case, actor=w.alice, lead=w.jxj)
        case = services.send_back_case(case, actor=w.bob, reason="非本部门")
    case.refresh_from_db()
    assert case.sendback_count == 3 and case.is_problem_case
    assert case.escalation_level == 3
    assert case.escalations.filter(to_level=3, reason="problem").exists()


def test_extension_limits(cw):
    w = cw.w
    case = cw.to("signed")
    due = case.reply_due_at
    with pytest.raises(ValidationError, match="延期天数"):
        services.request_extension(case, actor=w.bob, days=8, reason="会商")
    ext = services.request_extension(case, actor=w.bob, days=3, reason="会商")
    with pytest.raises(ValidationError, match="待审批"):
        services.request_extension(case, actor=w.bob, days=1, reason="会商")
    services.decide_extension(ext, actor=w.alice, approve=True)
    case.refresh_from_db()
    assert case.reply_due_at > due
    with pytest.raises(ValidationError, match="已审批"):
        services.decide_extension(ext, actor=w.alice, approve=False)


def test_supervision_response_only_by_department(cw):
    w = cw.w
    case = cw.to("signed")
    sup = services.supervise_case(case, actor=w.supervisor, body="请说明超时原因")
    with pytest.raises(PermissionDenied):
        services.respond_supervision(sup, actor=w.zr_handler, response="x")
    services.respond_supervision(sup, actor=w.head, response="已安排专人，明日办结")
    sup.refresh_from_db()
    assert sup.responded_by == w.head


def test_create_scope(cw):
    w = cw.w
    with pytest.raises(PermissionDenied):
        cw.new(ent=cw.ent_b, actor=w.enterprise_user)  # not its own enterprise
    with pytest.raises(PermissionDenied):
        cw.new(ent=cw.ent_other, actor=w.alice)  # other county
    with pytest.raises(PermissionDenied):
        cw.new(ent=cw.ent, actor=w.observer)
    case = cw.new(ent=cw.ent, actor=w.grid_member, channel="visit")
    assert case.channel == "visit" and case.status == "submitted"
    portal = cw.new(ent=cw.ent, actor=w.enterprise_user, channel="visit")
    assert portal.channel == "portal"

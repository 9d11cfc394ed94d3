"""The ONE transition table of a case, and who may fire each transition.

`TRANSITIONS[action]` names the states it may start from, the state it leads to (None: the
status does not change, e.g. an extension request) and the actor kinds allowed:

* dispatch   — the dispatch office (专班办公室) whose region covers the case, or an admin
* lead       — a department head or handler of the case's current lead department (or the
               dispatch office's staff when the case fell back to the dispatch office)
* enterprise — a user of the case's own enterprise
* leader     — a county leader whose region covers the case
* supervisor — the supervision office (督查) whose region covers the case

Services check `check(action, case, user)` inside their transaction, after locking the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext, pgettext_lazy

from zhuqi.core import permissions
from zhuqi.core.scope import _own_enterprise_id, scope_for

from .models import OPEN_STATUSES, Case, Status

S = Status


class SystemActor:
    """The platform itself (a sweep, another app's hook raising a case): acts as the dispatch
    office of the case's region. Audit entries carry the label of the running job."""

    is_authenticated = False
    is_active = True
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset
    target: str | None
    actors: frozenset


def _t(label, sources, target, actors) -> Transition:
    return Transition(label, frozenset(sources), target, frozenset(actors))


WORKING = {S.SIGNED, S.IN_PROGRESS, S.REOPENED}

TRANSITIONS: dict[str, Transition] = {
    "accept": _t(pgettext_lazy("case action", "受理"), {S.SUBMITTED}, S.ACCEPTED, {"dispatch"}),
    "refuse": _t(pgettext_lazy("case action", "不予受理"), {S.SUBMITTED}, S.REFUSED, {"dispatch"}),
    "dispatch": _t(
        pgettext_lazy("case action", "交办"), {S.ACCEPTED, S.SENT_BACK}, S.DISPATCHED, {"dispatch"}
    ),
    "sign": _t(pgettext_lazy("case action", "签收"), {S.DISPATCHED}, S.SIGNED, {"lead"}),
    "send_back": _t(pgettext_lazy("case action", "退单"), {S.DISPATCHED}, S.SENT_BACK, {"lead"}),
    "report_progress": _t(pgettext_lazy("case action", "反馈进展"), WORKING, S.IN_PROGRESS, {"lead"}),
    "pause": _t(pgettext_lazy("case action", "等待企业补充"), WORKING, S.WAITING, {"lead"}),
    "resume": _t(
        pgettext_lazy("case action", "恢复办理"), {S.WAITING}, S.IN_PROGRESS, {"lead", "enterprise"}
    ),
    "reply": _t(pgettext_lazy("case action", "答复"), WORKING, S.REPLIED, {"lead"}),
    # target: satisfied/basic → followed_up; unsatisfied → reopened (重办)
    "follow_up": _t(
        pgettext_lazy("case action", "回访"), {S.REPLIED}, S.FOLLOWED_UP, {"dispatch", "enterprise"}
    ),
    "close": _t(pgettext_lazy("case action", "销号"), {S.FOLLOWED_UP}, S.CLOSED, {"dispatch"}),
    "merge": _t(pgettext_lazy("case action", "合并"), {S.SUBMITTED, S.ACCEPTED}, S.MERGED, {"dispatch"}),
    "withdraw": _t(
        pgettext_lazy("case action", "撤回"),
        {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.SENT_BACK, S.SIGNED, S.IN_PROGRESS, S.WAITING},
        S.WITHDRAWN,
        {"enterprise"},
    ),
    "request_extension": _t(pgettext_lazy("case action", "申请延期"), WORKING, None, {"lead"}),
    "decide_extension": _t(
        pgettext_lazy("case action", "审批延期"), WORKING | {S.WAITING}, None, {"dispatch"}
    ),
    "beyond_local": _t(
        pgettext_lazy("case action", "属地难以解决"), WORKING | {S.DISPATCHED}, None, {"lead", "dispatch"}
    ),
    "escalate": _t(
        pgettext_lazy("case action", "提级调度"),
        set(OPEN_STATUSES) - {S.SUBMITTED},
        None,
        {"dispatch", "leader"},
    ),
    "hold_meeting": _t(
        pgettext_lazy("case action", "召开协调会"), set(OPEN_STATUSES) - {S.SUBMITTED}, None, {"leader"}
    ),
    "supervise": _t(
        pgettext_lazy("case action", "督办"),
        WORKING | {S.DISPATCHED, S.WAITING, S.SENT_BACK},
        None,
        {"dispatch", "supervisor", "leader"},
    ),
}

# Follow-up result → target state.
FOLLOW_UP_TARGET = {"satisfied": S.FOLLOWED_UP, "basic": S.FOLLOWED_UP, "unsatisfied": S.REOPENED}


#: actor kind → the permission-matrix action (core/permissions.py) whose roles may act as it
KIND_ACTIONS = {
    "dispatch": "cases.transition.dispatch",
    "lead": "cases.transition.lead",
    "leader": "cases.transition.leader",
    "supervisor": "cases.transition.supervisor",
    "enterprise": "cases.transition.enterprise",
}


def actor_kinds(case: Case, user) -> set[str]:
    """Which actor kinds `user` is for `case`: the roles come from the permission matrix
    (`KIND_ACTIONS`), then the case decides — its region lies in the user's (dispatch, leader,
    supervisor; admins anywhere), its lead department is the user's (lead), it is the user's
    own enterprise's (enterprise)."""
    if user is SYSTEM:
        return {"dispatch"}
    scope = scope_for(user)
    if not scope.authenticated:
        return set()
    may = {kind for kind, action in KIND_ACTIONS.items() if permissions.allowed(user, action)}
    kinds: set[str] = set()
    if "enterprise" in may and _own_enterprise_id(user) == case.enterprise_id:
        kinds.add("enterprise")
    in_region = scope.is_admin or (
        bool(scope.region_path) and case.region.path.startswith(scope.region_path or "")
    )
    if in_region:
        kinds |= may & {"dispatch", "leader", "supervisor"}
    # the lead department's staff; the dispatch office's own staff when the case fell back to it
    if "lead" in may and case.lead_department_id and user.department_id == case.lead_department_id:
        kinds.add("lead")
    return kinds


def allowed(action: str, case: Case, user) -> bool:
    t = TRANSITIONS[action]
    return case.status in t.sources and bool(t.actors & actor_kinds(case, user))


def check(action: str, case: Case, user) -> Transition:
    """Raise ValidationError (wrong state) or PermissionDenied (wrong actor), in Chinese."""
    t = TRANSITIONS[action]
    if case.status not in t.sources:
        raise ValidationError(
            gettext("诉求当前状态为「%(status)s」，不能%(action)s")
            % {"status": case.get_status_display(), "action": t.label}
        )
    if not (t.actors & actor_kinds(case, user)):
        raise PermissionDenied(gettext("您无权对该诉求执行「%(action)s」") % {"action": t.label})
    return t


def allowed_actions(case: Case, user) -> list[str]:
    kinds = actor_kinds(case, user)
    return [a for a, t in TRANSITIONS.items() if case.status in t.sources and t.actors & kinds]

"""The ONE transition table of an application (申报 → 审核 → 公示 → 兑现), like `cases.workflow`.

`TRANSITIONS[action]` names the states it may start from, the state it leads to, and who fires
it: the item's department ("department": `services.can_manage(actor, item)`) or the applying
enterprise's user ("enterprise"). `check` refuses anything else with a Chinese message;
`allowed_actions` is what the application page offers."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from zhuqi.core import permissions

from .models import Application

S = Application.Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    actor: str  # "department" | "enterprise"


TRANSITIONS: dict[str, Transition] = {
    "return": Transition(frozenset({S.APPLIED}), S.RETURNED, "department"),
    "resubmit": Transition(frozenset({S.RETURNED}), S.APPLIED, "enterprise"),
    "approve": Transition(frozenset({S.APPLIED}), S.APPROVED, "department"),
    # the approved claims are shown publicly (公示) for PUBLICITY_DAYS working days
    "publicise": Transition(frozenset({S.APPROVED}), S.PUBLICISED, "department"),
    # after the 公示, to the account the enterprise confirmed
    "pay": Transition(frozenset({S.PUBLICISED}), S.PAID, "department"),
    "refuse": Transition(
        frozenset({S.APPLIED, S.RETURNED, S.APPROVED, S.PUBLICISED}), S.REFUSED, "department"
    ),
    # a condition proved false after payment: the money is recovered (追回), with the reason
    "clawback": Transition(frozenset({S.PAID}), S.CLAWED_BACK, "department"),
}


def _is_actor(kind: str, application: Application, actor) -> bool:
    from .services import can_manage

    if kind == "enterprise":
        membership = getattr(actor, "enterprise_membership", None)
        return permissions.allowed(actor, "policies.apply") and getattr(
            membership, "enterprise_id", None
        ) == (application.enterprise_id)
    return permissions.allowed(actor, "policies.review") and can_manage(actor, application.item)


def allowed(action: str, application: Application, actor) -> bool:
    t = TRANSITIONS.get(action)
    return bool(t and application.status in t.sources and _is_actor(t.actor, application, actor))


def check(action: str, application: Application, actor) -> Transition:
    t = TRANSITIONS.get(action)
    if t is None:
        raise ValidationError(_("未知的操作"))
    if not _is_actor(t.actor, application, actor):
        raise PermissionDenied(_("您不能办理这一步"))
    if application.status not in t.sources:
        raise ValidationError(
            _("当前状态（%(status)s）不能办理这一步") % {"status": application.get_status_display()}
        )
    return t


def allowed_actions(application: Application, actor) -> list[str]:
    return [a for a in TRANSITIONS if allowed(a, application, actor)]

"""The ONE transition table of a supervision item (like `zhuqi.cases.workflow` for cases).

    办理中 ──reply (牵头单位)──▶ 待审核 ──accept (督查)──▶ 已认定 ──close (督查)──▶ 已销号
       ▲                           │
       └──────return (督查)────────┘
    办理中 / 待审核 ──cancel (督查)──▶ 已撤销

`TRANSITIONS[action]` gives the statuses it may fire from, the status it leads to, who fires it
(an actor kind) and the permission-matrix action that actor's role needs. `services.fire` is the
one entry point, for the page and the API alike. Progress reports and extension requests do not
move the status; they are services of their own (the lead department's, while 办理中).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.roles import DEPARTMENT_ACTOR_ROLES

from .models import Item, Status


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    actor: str  # "lead": the lead department's people; "oversight": 督查
    label: object


LEAD, OVERSIGHT = "lead", "oversight"

TRANSITIONS: dict[str, Transition] = {
    "reply": Transition((Status.ASSIGNED,), Status.REPLIED, LEAD, _("办结回复")),
    "accept": Transition((Status.REPLIED,), Status.ACCEPTED, OVERSIGHT, _("审核认定")),
    "return": Transition((Status.REPLIED,), Status.ASSIGNED, OVERSIGHT, _("退回重办")),
    "close": Transition((Status.ACCEPTED,), Status.CLOSED, OVERSIGHT, _("销号")),
    "cancel": Transition((Status.ASSIGNED, Status.REPLIED), Status.CANCELLED, OVERSIGHT, _("撤销")),
}

#: the matrix action each actor kind's role needs
KIND_ACTIONS = {LEAD: "oversight.item.reply", OVERSIGHT: "oversight.item.review"}


def is_lead(user, item: Item) -> bool:
    """`user` acts for the item's lead department."""
    return (
        permissions.allowed(user, KIND_ACTIONS[LEAD])
        and getattr(user, "role", None) in DEPARTMENT_ACTOR_ROLES
        and user.department_id is not None
        and user.department_id == item.lead_department_id
    )


def is_overseer(user, item: Item) -> bool:
    """`user` is 督查 (or an admin) and sees the item."""
    return (
        permissions.allowed(user, KIND_ACTIONS[OVERSIGHT])
        and Item.objects.visible_to(user).filter(pk=item.pk).exists()
    )


def _actor_ok(kind: str, user, item: Item) -> bool:
    return is_lead(user, item) if kind == LEAD else is_overseer(user, item)


def allowed(action: str, item: Item, user) -> bool:
    t = TRANSITIONS.get(action)
    return t is not None and item.status in t.sources and _actor_ok(t.actor, user, item)


def check(action: str, item: Item, user) -> Transition:
    """The transition, or PermissionDenied (wrong person) / ValidationError (wrong status)."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise ValidationError(gettext("未知的操作"))
    if not _actor_ok(t.actor, user, item):
        raise PermissionDenied(gettext("您不能对该督办事项执行此操作"))
    if item.status not in t.sources:
        raise ValidationError(
            gettext("该督办事项当前为「%(status)s」，不能%(action)s")
            % {"status": item.get_status_display(), "action": t.label}
        )
    return t


def allowed_actions(item: Item, user) -> list[str]:
    return [a for a in TRANSITIONS if allowed(a, item, user)]

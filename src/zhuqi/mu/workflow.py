"""The ONE transition table of the 亩均 evaluation's workflow: a run from 试算 to 公示 to 已发布,
and an objection raised in 公示 and decided by the office (src/zhuqi/docs/mu-evaluation.md §7).

`TRANSITIONS[action]` names the model it moves, the states it may start from, the state it leads
to and the permission-matrix action of who may fire it. Services call `check(action, obj, user)`
inside their transaction, after locking the row; pages offer `allowed_actions(obj, user)`.

    试算 ──announce──▶ 公示中 ──publish (period over, no open objection)──▶ 已发布
                         │ ▲                                                 │
                         └─┘ recompute (an upheld objection's correction):   ▼ a later publication
                             a new run in 公示, this one 已被替代               已被替代
    异议: 待处理 ──uphold──▶ 已采纳     待处理 ──reject──▶ 未采纳
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from zhuqi.core import permissions

from .models import Objection, Run

R, OB = Run.Status, Objection.Status


@dataclass(frozen=True)
class Transition:
    label: str | Promise
    model: type
    sources: frozenset
    target: str
    action: str  # the permission-matrix action of who may fire it


def _t(label, model, sources, target, action) -> Transition:
    return Transition(label, model, frozenset(sources), target, action)


TRANSITIONS: dict[str, Transition] = {
    "announce": _t(pgettext_lazy("mu action", "发布公示"), Run, {R.TRIAL}, R.PUBLICITY, "mu.publish"),
    "recompute": _t(pgettext_lazy("mu action", "重新计算"), Run, {R.PUBLICITY}, R.SUPERSEDED, "mu.compute"),
    "publish": _t(pgettext_lazy("mu action", "正式发布"), Run, {R.PUBLICITY}, R.PUBLISHED, "mu.publish"),
    "object": _t(pgettext_lazy("mu action", "提出异议"), Run, {R.PUBLICITY}, R.PUBLICITY, "mu.object"),
    "uphold": _t(
        pgettext_lazy("mu action", "采纳异议"), Objection, {OB.OPEN}, OB.UPHELD, "mu.objection.decide"
    ),
    "reject": _t(
        pgettext_lazy("mu action", "不予采纳"), Objection, {OB.OPEN}, OB.REJECTED, "mu.objection.decide"
    ),
}


def allowed(action: str, obj, user) -> bool:
    t = TRANSITIONS[action]
    return isinstance(obj, t.model) and obj.status in t.sources and permissions.allowed(user, t.action)


def check(action: str, obj, user) -> Transition:
    """The transition, or PermissionDenied (the role may not) / ValidationError (the state)."""
    t = TRANSITIONS[action]
    if not permissions.allowed(user, t.action):
        raise PermissionDenied(gettext("您不能%(action)s") % {"action": t.label})
    if obj.status not in t.sources:
        raise ValidationError(
            gettext("当前状态为「%(status)s」，不能%(action)s")
            % {"status": obj.get_status_display(), "action": t.label}
        )
    return t


def allowed_actions(obj, user) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if isinstance(obj, t.model) and allowed(a, obj, user)]

"""The ONE transition table of a lead. Stages are data (`Stage` rows of a pipeline), so the
table names kinds of move, each with the stages it may start from and where it leads:

| move | from | to | reason |
|---|---|---|---|
| advance | a main stage but the last | any later main stage (skipping is recorded) | — |
| back | a main stage but the first | the main stage just before | required |
| shelve (搁置) | a main stage | the pipeline's 搁置 stage | required |
| drop (流失) | a main stage or 搁置 | the pipeline's 流失 stage | required |
| resume | 搁置 | the main stage it was shelved from | — |

Who: the matrix's `attraction.lead.work` on a lead the actor sees (a team its own, the office
its region). The pre-review gate (`Stage.needs_prereview`) is checked by `services.move_lead`."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuqi.core import permissions

from .models import Lead, Stage


@dataclass(frozen=True)
class Move:
    label: str | Promise
    needs_reason: bool


TRANSITIONS: dict[str, Move] = {
    "advance": Move(gettext_lazy("推进"), False),
    "back": Move(gettext_lazy("退回上一阶段"), True),
    "shelve": Move(gettext_lazy("搁置"), True),
    "drop": Move(gettext_lazy("流失"), True),
    "resume": Move(gettext_lazy("恢复推进"), False),
}


def stages_of(lead: Lead) -> list[Stage]:
    return list(Stage.objects.filter(pipeline_id=lead.pipeline_id).order_by("order"))


def shelved_from(lead: Lead) -> Stage | None:
    """The main stage a shelved lead was shelved from (its last change into 搁置)."""
    change = lead.changes.filter(to_stage=lead.stage_id).order_by("-at", "-pk").first()
    return change.from_stage if change else None


def targets(lead: Lead) -> list[tuple[str, Stage]]:
    """Every (move, stage) the table allows from the lead's stage, in pipeline order."""
    stages = stages_of(lead)
    main = [s for s in stages if not s.is_side]
    current = next(s for s in stages if s.pk == lead.stage_id)
    out: list[tuple[str, Stage]] = []
    shelf = next((s for s in stages if s.is_shelved), None)
    lost = next((s for s in stages if s.is_lost), None)
    if current.is_lost:
        return out
    if current.is_shelved:
        back_to = shelved_from(lead)
        if back_to is not None:
            out.append(("resume", back_to))
        if lost:
            out.append(("drop", lost))
        return out
    i = [s.pk for s in main].index(current.pk)
    out += [("advance", s) for s in main[i + 1 :]]
    if i > 0:
        out.append(("back", main[i - 1]))
    if shelf and not current.is_final:
        out.append(("shelve", shelf))
    if lost and not current.is_final:
        out.append(("drop", lost))
    return out


def check(lead: Lead, to_stage: Stage, actor) -> str:
    """The move taking `lead` to `to_stage`, or a Chinese refusal."""
    if not permissions.allowed(actor, "attraction.lead.work"):
        raise PermissionDenied(_("您的角色不能推进招商线索"))
    for move, stage in targets(lead):
        if stage.pk == to_stage.pk:
            return move
    raise ValidationError(
        {
            "to_stage": _("线索当前处于「%(from)s」，不能转到「%(to)s」")
            % {"from": lead.stage.name, "to": to_stage.name}
        }
    )

"""The county leader's coordination meetings (协调会) over cases escalated to level 3/4: schedule
one for several waiting cases, record what it decided on each (written to the cases through
`services.record_decision`: audit, notifications on commit), cancel it, and its minutes as a
Word document. The queue itself is `selectors.coordination_queue`; docs: cases-coordination.md."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, Region
from zhuqi.core.notify import notify
from zhuqi.core.roles import Role
from zhuqi.core.scope import require_visible

from . import selectors, services, workflow
from .models import Case, CoordinationSession, EscalationLevel

#: the most cases one meeting takes up (a half-day's agenda)
MAX_CASES = 30
#: who may stand for a case at a 协调会: the county leader or the dispatch office of its region
COORDINATOR_KINDS = frozenset({"leader", "dispatch"})


def can_manage(user) -> bool:
    return permissions.allowed(user, "cases.coordination.manage")


def _require(actor) -> None:
    permissions.require(actor, "cases.coordination.manage", gettext("只有县级领导或专班办公室可以安排协调会"))


def _check_case(case: Case, actor) -> None:
    """The case lies in the actor's region (as its leader or dispatch office)."""
    if not (COORDINATOR_KINDS & workflow.actor_kinds(case, actor)):
        raise PermissionDenied(gettext("诉求 %(no)s 不在您的管辖范围内") % {"no": case.no})


def _users(*user_ids):
    return list(get_user_model().objects.filter(pk__in=[u for u in user_ids if u], is_active=True))


def _dept_users(depts) -> list:
    return services.department_users(*[d.pk for d in depts])


def schedule_coordination(
    *,
    actor,
    cases: list[Case],
    scheduled_at: dt.datetime | None,
    place: str,
    title: str = "",
    convener=None,
    attendees: str = "",
    departments: list[Department] | tuple[Department, ...] = (),
) -> CoordinationSession:
    """Put a 协调会 on the calendar for `cases`, each waiting in the actor's queue; they leave the
    queue while it is scheduled. Audited on the meeting and on every case; the convening leader,
    the attending departments and the cases' lead departments are told on commit."""
    _require(actor)
    place = (place or "").strip()
    errors: dict[str, str] = {}
    if not cases:
        errors["cases"] = gettext("请至少选择一件待协调的诉求")
    elif len(cases) > MAX_CASES:
        errors["cases"] = gettext("一次协调会最多安排 %(n)s 件诉求") % {"n": MAX_CASES}
    if scheduled_at is None:
        errors["scheduled_at"] = gettext("请填写会议时间")
    if not place:
        errors["place"] = gettext("请填写会议地点")
    if errors:
        raise ValidationError(errors)
    assert scheduled_at is not None
    require_visible(actor, "convener", convener)
    if convener is not None and convener.role != Role.LEADER:
        raise ValidationError({"convener": gettext("主持领导须为县级领导")})
    require_visible(actor, "departments", *departments)
    if convener is None and getattr(actor, "role", None) == Role.LEADER:
        convener = actor
    with transaction.atomic():
        locked = list(
            Case.objects.select_for_update(of=("self",))
            .select_related("region")
            .filter(pk__in=[c.pk for c in cases])
            .order_by("pk")
        )
        waiting = set(
            Case.objects.filter(pk__in=[c.pk for c in locked])
            .filter(selectors.coordination_waiting_q())
            .values_list("pk", flat=True)
        )
        for case in locked:
            _check_case(case, actor)
            if case.pk not in waiting:
                raise ValidationError(
                    {
                        "cases": gettext("诉求 %(no)s 不在待协调队列中（已办结、未提级到县级或已安排协调会）")
                        % {"no": case.no}
                    }
                )
        region = getattr(actor, "region", None) or _county_of(locked[0].region)
        when = timezone.localtime(scheduled_at)
        session = CoordinationSession.objects.create(
            region=region,
            title=(title or "").strip()[:100]
            or gettext("%(date)s 诉求协调会") % {"date": f"{when:%Y-%m-%d}"},
            scheduled_at=scheduled_at,
            place=place[:100],
            convener=convener,
            attendees=(attendees or "").strip(),
            created_by=actor,
        )
        session.departments.set(departments)
        session.cases.set(locked)
        changes = {
            gettext_noop("会议时间"): f"{when:%Y-%m-%d %H:%M}",
            gettext_noop("地点"): session.place,
            gettext_noop("主持领导"): convener.display_name if convener is not None else "",
            gettext_noop("参会部门"): "、".join(d.name for d in departments),
        }
        audit.record(
            "event",
            session,
            event="coordination_scheduled",
            changes={**changes, gettext_noop("诉求"): "、".join(c.no for c in locked)},
            actor=actor,
        )
        for case in locked:
            services._event(case, "meeting_scheduled", actor, changes)
        recipients = _dept_users(departments) + services.department_users(
            *[c.lead_department_id for c in locked]
        )
        recipients += _users(getattr(convener, "pk", None))
        notify(
            [u for u in {u.pk: u for u in recipients}.values() if u.pk != actor.pk],
            (gettext("协调会通知：%(title)s") % {"title": session.title})[:200],
            body=gettext("%(when)s 在 %(place)s 召开，协调 %(n)s 件诉求")
            % {"when": f"{when:%Y-%m-%d %H:%M}", "place": session.place, "n": len(locked)},
            url=session.get_absolute_url(),
        )
    return session


def _county_of(region: Region) -> Region:
    """The county (or the highest region below it) a case lies in: an administrator's meeting
    belongs to it."""
    node = region
    while node.kind not in {"county", "city", "province"} and node.parent is not None:
        node = node.parent
    return node


def _locked_session(session: CoordinationSession, actor) -> CoordinationSession:
    locked = (
        CoordinationSession.objects.select_for_update(of=("self",))
        .filter(pk=session.pk)
        .visible_to(actor)
        .select_related("convener")
        .first()
    )
    if locked is None:
        raise PermissionDenied(gettext("该协调会不在您的管辖范围内"))
    if locked.status != CoordinationSession.Status.SCHEDULED:
        raise ValidationError(
            gettext("该协调会%(status)s，不能再修改") % {"status": locked.get_status_display()}
        )
    return locked


@dataclass
class Decision:
    """What the meeting decided on one case of its agenda; an empty `decision` leaves the case
    undecided (it returns to the queue)."""

    case: Case
    decision: str = ""
    department: Department | None = None
    due_on: dt.date | None = None


def record_coordination(
    session: CoordinationSession,
    *,
    actor,
    held_at: dt.datetime | None,
    attendees: str,
    summary: str,
    decisions: list[Decision],
) -> CoordinationSession:
    """Record the outcome of a scheduled 协调会: every decided case gets its decision,
    responsible department and new deadline written through `services.record_decision`;
    the meeting is held. All or nothing: a bad row refuses the whole record, naming the case."""
    _require(actor)
    if not CoordinationSession.objects.visible_to(actor).filter(pk=session.pk).exists():
        raise PermissionDenied(gettext("该协调会不在您的管辖范围内"))
    attendees = (attendees or "").strip()
    errors: dict[str, str] = {}
    if held_at is None:
        errors["held_at"] = gettext("请填写实际召开时间")
    elif held_at > timezone.now():
        errors["held_at"] = gettext("召开时间不能晚于现在：会议开过之后再记录结果")
    if not attendees:
        errors["attendees"] = gettext("请填写参会人员")
    decided = [d for d in decisions if (d.decision or "").strip()]
    if not decided and not errors:
        errors["decisions"] = gettext("请至少填写一件诉求的议定事项")
    held_on = timezone.localtime(held_at).date() if held_at else None
    for d in decided:
        if d.department is None:
            errors[f"department_{d.case.pk}"] = gettext("诉求 %(no)s：请选择责任单位") % {"no": d.case.no}
        if d.due_on is not None and held_on is not None and d.due_on < held_on:
            errors[f"due_on_{d.case.pk}"] = gettext("诉求 %(no)s：新的办结期限不能早于会议日期") % {
                "no": d.case.no
            }
    if errors:
        raise ValidationError(errors)
    assert held_at is not None
    for d in decided:
        require_visible(actor, f"department_{d.case.pk}", d.department)
    with transaction.atomic():
        session = _locked_session(session, actor)
        agenda = set(session.cases.values_list("pk", flat=True))
        for d in decided:
            if d.case.pk not in agenda:
                raise ValidationError(
                    {"decisions": gettext("诉求 %(no)s 不在本次协调会上") % {"no": d.case.no}}
                )
            case = services._lock(d.case)
            _check_case(case, actor)
            if not case.is_open:
                raise ValidationError(
                    {
                        f"decision_{case.pk}": gettext("诉求 %(no)s 当前为「%(status)s」，不能再写入议定事项")
                        % {"no": case.no, "status": case.get_status_display()}
                    }
                )
            if case.escalation_level < EscalationLevel.COUNTY:
                raise ValidationError(
                    {f"decision_{case.pk}": gettext("诉求 %(no)s 未提级到县级调度") % {"no": case.no}}
                )
            services.record_decision(
                case,
                actor=actor,
                held_at=held_at,
                attendees=attendees,
                decisions=d.decision.strip(),
                owners=d.department.name if d.department else "",
                department=d.department,
                due_on=d.due_on,
                session=session,
                convened_by=session.convener or actor,
            )
        session.status = CoordinationSession.Status.HELD
        session.held_at, session.recorded_by = held_at, actor
        session.attendees, session.summary = attendees, (summary or "").strip()
        session.save(update_fields=["status", "held_at", "recorded_by", "attendees", "summary"])
        audit.record(
            "event",
            session,
            event="coordination_held",
            changes={
                gettext_noop("召开时间"): f"{timezone.localtime(held_at):%Y-%m-%d %H:%M}",
                gettext_noop("已议定"): "、".join(d.case.no for d in decided),
                gettext_noop("未议定"): "、".join(
                    str(no)
                    for no in session.cases.exclude(pk__in=[d.case.pk for d in decided]).values_list(
                        "no", flat=True
                    )
                ),
            },
            actor=actor,
        )
    return session


def cancel_coordination(session: CoordinationSession, *, actor, reason: str) -> CoordinationSession:
    """Call a scheduled 协调会 off: its cases return to the queue; the departments are told."""
    _require(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写取消原因")})
    with transaction.atomic():
        session = _locked_session(session, actor)
        session.status, session.cancel_reason = CoordinationSession.Status.CANCELLED, reason[:300]
        session.save(update_fields=["status", "cancel_reason"])
        audit.record(
            "event",
            session,
            event="coordination_cancelled",
            changes={gettext_noop("取消原因"): reason},
            actor=actor,
        )
        recipients = _dept_users(session.departments.all()) + _users(session.convener_id)
        notify(
            [u for u in {u.pk: u for u in recipients}.values() if u.pk != actor.pk],
            (gettext("协调会取消：%(title)s") % {"title": session.title})[:200],
            body=reason,
            url=session.get_absolute_url(),
        )
    return session


# --- the minutes (会议纪要) -------------------------------------------------------------------------
def minutes_docx(session: CoordinationSession) -> bytes:
    """The minutes as a Word document: the particulars, one table row per case (decision,
    responsible department, new deadline) and the cases left undecided. A meeting not yet held
    gives its agenda, marked as such."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(12)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(gettext("%(title)s会议纪要") % {"title": session.title})
    run.bold = True
    run.font.size = Pt(18)
    when = timezone.localtime(session.held_at or session.scheduled_at)
    for label, value in (
        (gettext("时间"), f"{when:%Y-%m-%d %H:%M}"),
        (gettext("地点"), session.place or "—"),
        (gettext("主持领导"), session.convener.display_name if session.convener else "—"),
        (gettext("参会部门"), "、".join(d.name for d in session.departments.all()) or "—"),
        (gettext("参会人员"), session.attendees or "—"),
    ):
        doc.add_paragraph(gettext("%(label)s：%(value)s") % {"label": label, "value": value})
    if session.summary:
        doc.add_paragraph(session.summary)
    decisions = {m.case_id: m for m in session.decisions.select_related("department")}
    cases = list(
        session.cases.select_related("enterprise", "lead_department").order_by("-escalation_level", "pk")
    )
    doc.add_paragraph(
        gettext("会议协调了 %(n)s 件提级到县级以上调度的企业诉求，议定事项如下：") % {"n": len(cases)}
    )
    headers = [
        gettext("序号"),
        gettext("诉求编号"),
        gettext("企业"),
        gettext("问题"),
        gettext("议定事项"),
        gettext("责任单位"),
        gettext("办结期限"),
    ]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for i, case in enumerate(cases, start=1):
        m = decisions.get(case.pk)
        values = [
            str(i),
            case.no,
            case.enterprise.name,
            case.title,
            m.decisions if m else gettext("未议定，继续待协调"),
            (m.department.name if m and m.department else (m.owners if m else "")) or "—",
            f"{m.due_on:%Y-%m-%d}" if m and m.due_on else "—",
        ]
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    if session.status == CoordinationSession.Status.SCHEDULED:
        doc.add_paragraph(gettext("（会议尚未召开，本纪要为议程草稿。）"))
    elif session.status == CoordinationSession.Status.CANCELLED:
        doc.add_paragraph(gettext("（本次协调会已取消：%(reason)s）") % {"reason": session.cancel_reason})
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

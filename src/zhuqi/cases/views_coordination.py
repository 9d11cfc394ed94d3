"""Pages of the coordination meetings (协调会): the queue of cases at level 3/4 waiting for one
(with the form that schedules a meeting for the ticked cases), a meeting's page (its agenda, the
outcome form, cancel) and its minutes as a Word document."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhuqi.core import audit, permissions
from zhuqi.core.excel import DOCX_TYPE, file_response
from zhuqi.core.forms import add_service_error
from zhuqi.core.models import Department
from zhuqi.core.params import date_param, int_list, int_param, text_param
from zhuqi.core.roles import Role

from . import selectors
from . import services_coordination as services
from .forms_coordination import CancelForm, RecordForm, ScheduleForm
from .models import Case, CoordinationSession, Escalation


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


@login_required
def queue(request):
    """待协调的诉求 (most urgent first), the meetings scheduled and the latest held; a POST
    schedules a meeting for the ticked cases."""
    _require(request, "cases.coordination.view")
    user = request.user
    can_manage = services.can_manage(user)
    form = ScheduleForm(
        request.POST or None, user=user, initial={"convener": user.pk if user.role == Role.LEADER else None}
    )
    chosen: list[int] = []
    if request.method == "POST":
        if not can_manage:
            raise Http404
        chosen = int_list(request.POST.getlist("case"))
        if form.is_valid():
            cases = list(Case.objects.visible_to(user).filter(pk__in=chosen))
            if len(cases) != len(set(chosen)):  # one of them missing or outside scope: 404
                raise Http404
            try:
                session = services.schedule_coordination(actor=user, cases=cases, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, gettext("协调会已安排，相关部门已收到通知"))
                return redirect("cases:coordination_detail", session.pk)
    waiting = list(selectors.coordination_queue(user)[:200])
    scheduled = list(
        selectors.coordination_sessions(user, CoordinationSession.Status.SCHEDULED).order_by(
            "scheduled_at", "pk"
        )
    )
    held = list(
        selectors.coordination_sessions(user, CoordinationSession.Status.HELD).order_by("-held_at")[:10]
    )
    return render(
        request,
        "cases/coordination.html",
        {
            "waiting": waiting,
            "scheduled": scheduled,
            "held": held,
            "form": form,
            "chosen": set(chosen),
            "can_manage": can_manage,
            "now": timezone.now(),
            "reason_labels": dict(Escalation.Reason.choices),
        },
    )


def _session(request, pk) -> CoordinationSession:
    _require(request, "cases.coordination.view")
    return CoordinationSession.objects.select_related(
        "convener", "region", "created_by", "recorded_by"
    ).get_visible_or_404(request.user, pk=pk)


def _decisions(request, cases, depts) -> tuple[list[services.Decision], list[str]]:
    """The per-case rows of the outcome form: decision text, responsible department (one the
    viewer may see; any other counts as none), new deadline; and the messages for the dates
    that are not dates."""
    out, errors = [], []
    for case in cases:
        dept_id = int_param(request.POST, f"department_{case.pk}")
        raw_due = text_param(request.POST, f"due_on_{case.pk}", max_length=20).strip()
        due_on = date_param(request.POST, f"due_on_{case.pk}")
        if raw_due and due_on is None:
            errors.append(gettext("诉求 %(no)s：新的办结期限不是有效日期（年-月-日）") % {"no": case.no})
        out.append(
            services.Decision(
                case=case,
                decision=text_param(request.POST, f"decision_{case.pk}", max_length=2000),
                department=depts.get(dept_id) if dept_id else None,
                due_on=due_on,
            )
        )
    return out, errors


@login_required
def detail(request, pk):
    session = _session(request, pk)
    user = request.user
    can_record = services.can_manage(user) and session.status == CoordinationSession.Status.SCHEDULED
    cases = list(
        session.cases.select_related("enterprise", "lead_department", "region").order_by(
            "-escalation_level", "pk"
        )
    )
    depts = {
        d.pk: d for d in Department.objects.visible_to(user).filter(is_active=True).order_by("kind", "name")
    }
    form = RecordForm(
        request.POST or None,
        initial={"held_at": timezone.localtime(session.scheduled_at), "attendees": _attendees(session)},
    )
    posted: dict[int, services.Decision] = {}
    if request.method == "POST":
        if not can_record:
            raise Http404
        rows, bad_dates = _decisions(request, cases, depts)
        posted = {d.case.pk: d for d in rows}
        valid = form.is_valid()
        for message in bad_dates:
            form.add_error(None, message)
        if valid and not bad_dates:
            try:
                services.record_coordination(session, actor=user, decisions=rows, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, gettext("会议结果已记录，议定事项已写入各诉求并通知责任单位"))
                return redirect("cases:coordination_detail", session.pk)
    decisions = {m.case_id: m for m in session.decisions.select_related("department")}
    rows = []
    for case in cases:
        p = posted.get(case.pk)
        rows.append(
            {
                "case": case,
                "decided": decisions.get(case.pk),
                "decision": p.decision if p else "",
                "department": p.department.pk if p and p.department else case.lead_department_id,
                "due_on": p.due_on if p else None,
            }
        )
    return render(
        request,
        "cases/coordination_detail.html",
        {
            "session": session,
            "rows": rows,
            "departments": session.departments.all(),
            "dept_choices": list(depts.values()),
            "form": form,
            "cancel_form": CancelForm(),
            "can_record": can_record,
        },
    )


def _attendees(session: CoordinationSession) -> str:
    names = [session.convener.display_name] if session.convener else []
    names += [d.name for d in session.departments.all()]
    if session.attendees:
        names.append(session.attendees)
    return "、".join(names)


@login_required
@require_POST
def cancel(request, pk):
    session = _session(request, pk)
    if not services.can_manage(request.user):
        raise Http404
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        services.cancel_coordination(session, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, gettext("协调会已取消，诉求回到待协调队列"))
    return redirect("cases:coordination_detail", session.pk)


@login_required
def minutes(request, pk):
    session = _session(request, pk)
    content = services.minutes_docx(session)
    audit.record(
        "export",
        session,
        message=gettext("导出协调会会议纪要：%(title)s") % {"title": session.title},
        actor=request.user,
    )
    filename = gettext("%(title)s会议纪要.docx") % {"title": session.title}
    return file_response(content, filename, DOCX_TYPE)

"""Assistance pages: my enterprises, visits (phone-first), compliance rankings, assignments and
hand-overs, load, one-enterprise-one-plan, meetings, visit rules."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import audit, permissions
from zhuqi.core.excel import xlsx_response
from zhuqi.core.forms import add_service_error
from zhuqi.core.models import User
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.params import int_param, parse_int
from zhuqi.core.selectors import linkable_people
from zhuqi.core.services import attachments_of
from zhuqi.core.units import MAX_YEAR, MIN_YEAR
from zhuqi.enterprises.models import Enterprise

from . import compliance, selectors, services
from .forms import (
    AssignForm,
    HandOverForm,
    MeasureForm,
    MeetingForm,
    PlanForm,
    ProgressForm,
    RuleForm,
    VisitCorrectionForm,
    VisitForm,
    WithdrawForm,
    visit_problem_formset,
)
from .models import (
    Assignment,
    AssignmentRole,
    AssistancePlan,
    LoadLimit,
    Meeting,
    Period,
    PlanMeasure,
    Visit,
    VisitRule,
)


def _require(request, action: str) -> None:
    """A page the viewer's role may not use (core/permissions.py) answers 404."""
    if not permissions.allowed(request.user, action):
        raise Http404


def _year(value) -> int:
    """A year from a query or form value; the current year when missing or nonsense."""
    return parse_int(value, minimum=MIN_YEAR, maximum=MAX_YEAR) or timezone.localdate().year


def _err(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


# --- my enterprises ---------------------------------------------------------------------------------
@login_required
def my_enterprises(request):
    _require(request, "assistance.my_enterprises")
    today = timezone.localdate()
    ents = list(selectors.my_enterprises(request.user))
    rows = compliance.compute(
        selectors.held_assignments(request.user),
        *_current_quarter(today),
        today=today,
    )
    by_ent: dict[int, list] = {}
    for row in rows:
        by_ent.setdefault(row.assignment.enterprise_id, []).append(row)
    roles = {
        a.enterprise_id: a.get_role_display() for a in selectors.held_assignments(request.user, today.year)
    }
    stats = selectors.visit_stats(request.user, ents)
    items = []
    for e in ents:
        current = None
        for row in by_ent.get(e.pk, []):
            if row.units and (current is None or row.units[-1].status != compliance.DONE):
                current = row.units[-1]
        st = stats.get(e.pk, {})
        items.append(
            {
                "enterprise": e,
                "role": roles.get(e.pk, ""),
                "current": current,
                "last": st.get("last"),
                "n": st.get("n", 0),
            }
        )
    summary = compliance.Summary(request.user, request.user.display_name)
    for row in rows:
        summary.add(row)
    return render(
        request,
        "assistance/my_enterprises.html",
        {
            "items": items,
            "summary": summary,
            "quarter": compliance.range_label(Period.QUARTER, _current_quarter(today)[0]),
        },
    )


def _current_quarter(today):
    return compliance.period_bounds(Period.QUARTER, today)


# --- visits -----------------------------------------------------------------------------------------
@login_required
def visit_create(request):
    _require(request, "assistance.visit.record")
    initial = {}
    if enterprise_id := int_param(request.GET, "enterprise"):
        initial["enterprise"] = Enterprise.objects.get_visible_or_404(request.user, pk=enterprise_id)
    form = VisitForm(request.POST or None, request.FILES or None, initial=initial, user=request.user)
    # a post without the problem rows (an older page, the phone's saved form) records no problem
    has_rows = "problems-TOTAL_FORMS" in request.POST
    problems = visit_problem_formset(request.POST if has_rows else None)
    if request.method == "POST" and all([form.is_valid(), not has_rows or problems.is_valid()]):
        d = form.cleaned_data
        try:
            visit = services.record_visit(
                d["enterprise"],
                actor=request.user,
                findings=d["findings"],
                kind=d["kind"],
                visited_on=d["visited_on"],
                companions=d["companions"],
                problems=problems.problems(),
                photos=d["photos"],
            )
            messages.success(
                request,
                _("走访记录已保存：%(enterprise)s，%(visited_on)s")
                % {"enterprise": visit.enterprise, "visited_on": format(visit.visited_on, _("%m月%d日"))},
            )
            return redirect("assistance:visit_detail", visit.pk)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
    mine = list(selectors.my_enterprises(request.user).values_list("pk", flat=True))
    return render(request, "assistance/visit_form.html", {"form": form, "problems": problems, "mine": mine})


@login_required
def visit_list(request):
    _require(request, "assistance.visit.view")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind")
    qs = selectors.visits(
        request.user,
        q=q,
        mine=bool(request.GET.get("mine")),
        kind=kind,
        enterprise=request.GET.get("enterprise", ""),
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            _("走访记录.xlsx"),
            [_("走访日期"), _("企业"), _("走访人"), _("方式"), _("走访情况"), _("问题数")],
            (
                [
                    v.visited_on,
                    v.enterprise.name,
                    v.visitor.display_name,
                    v.get_kind_display(),
                    v.findings,
                    v.n_problems,
                ]
                for v in qs
            ),
            actor=request.user,
            what=_("走访记录"),
            object_type="assistance.visit",
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    export = request.GET.copy()
    export["export"] = "xlsx"
    return render(
        request,
        "assistance/visit_list.html",
        {"page": page, "q": q, "kinds": Visit.Kind.choices, "kind": kind, "export_query": export.urlencode()},
    )


@login_required
def visit_detail(request, pk):
    _require(request, "assistance.visit.view")
    visit = Visit.objects.select_related("enterprise", "visitor").get_visible_or_404(request.user, pk=pk)
    return render(
        request,
        "assistance/visit_detail.html",
        {
            "visit": visit,
            "attachments": attachments_of(visit, request.user),
            "target_label": "assistance.visit",
            "target": visit,
            "can_amend": services.can_amend_visit(request.user, visit),
            "amend_deadline": services.visit_amend_deadline(visit),
            "timeline": [e for e in audit.timeline(visit) if e.action == "event"],
        },
    )


def _amendable_or_404(request, pk) -> Visit:
    """The visit, for whom the matrix lets amend it: `assistance.visit.amend` (any visit in
    scope) or `assistance.visit.amend_own` and its author (whose time limit the page explains)."""
    _require(request, "assistance.visit.view")
    visit = Visit.objects.select_related("enterprise", "visitor").get_visible_or_404(request.user, pk=pk)
    user = request.user
    if not (
        permissions.allowed(user, "assistance.visit.amend")
        or (permissions.allowed(user, "assistance.visit.amend_own") and visit.visitor_id == user.pk)
    ):
        raise Http404
    return visit


@login_required
def visit_correct(request, pk):
    """Correct or withdraw a visit: its author within `services.VISIT_AMEND_WORKING_DAYS`
    working days of filing it, the dispatch office and administrators at any time."""
    visit = _amendable_or_404(request, pk)
    initial = {
        "visited_on": visit.visited_on,
        "kind": visit.kind,
        "companions": visit.companions,
        "findings": visit.findings,
    }
    form = VisitCorrectionForm(request.POST or None, initial=initial)
    withdraw = WithdrawForm(None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.correct_visit(
                visit,
                actor=request.user,
                reason=d["reason"],
                visited_on=d["visited_on"],
                kind=d["kind"],
                companions=d["companions"],
                findings=d["findings"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("走访记录已更正，原因已记入历史记录"))
            return redirect("assistance:visit_detail", visit.pk)
    return render(
        request,
        "assistance/visit_correct.html",
        {
            "visit": visit,
            "form": form,
            "withdraw": withdraw,
            "can_amend": services.can_amend_visit(request.user, visit),
            "amend_deadline": services.visit_amend_deadline(visit),
            "amend_days": services.VISIT_AMEND_WORKING_DAYS,
        },
    )


@login_required
@require_POST
def visit_withdraw(request, pk):
    visit = _amendable_or_404(request, pk)
    withdraw = WithdrawForm(request.POST)
    if withdraw.is_valid():
        try:
            services.withdraw_visit(visit, actor=request.user, reason=withdraw.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(withdraw, exc)
        else:
            messages.success(
                request,
                _("走访记录已撤回，不再计入走访次数和走访考核：%(enterprise)s")
                % {"enterprise": visit.enterprise},
            )
            return redirect("assistance:visit_list")
    return render(
        request,
        "assistance/visit_correct.html",
        {
            "visit": visit,
            "form": VisitCorrectionForm(
                initial={
                    "visited_on": visit.visited_on,
                    "kind": visit.kind,
                    "companions": visit.companions,
                    "findings": visit.findings,
                }
            ),
            "withdraw": withdraw,
            "can_amend": services.can_amend_visit(request.user, visit),
            "amend_deadline": services.visit_amend_deadline(visit),
            "amend_days": services.VISIT_AMEND_WORKING_DAYS,
        },
    )


# --- compliance -------------------------------------------------------------------------------------
def _range(request) -> tuple[str, dt.date, dt.date]:
    return compliance.period_from(request.GET)


def _shift(period, start, end, step):
    day = start - dt.timedelta(days=1) if step < 0 else end + dt.timedelta(days=1)
    return compliance.period_bounds(period, day)[0]


@login_required
def compliance_report(request):
    _require(request, "assistance.compliance.view")
    period, start, end = _range(request)
    rows = selectors.compliance_rows(request.user, start, end)
    tab = request.GET.get("tab") or "officials"
    summaries = {
        "officials": compliance.by_official(rows),
        "departments": compliance.by_department(rows),
        "enterprises": compliance.by_enterprise(rows),
    }.get(tab)
    if summaries is None:
        tab, summaries = "officials", compliance.by_official(rows)
    total = compliance.Summary(None, _("合计"))
    for row in rows:
        total.add(row)
    return render(
        request,
        "assistance/compliance.html",
        {
            "period": period,
            "periods": Period.choices,
            "start": start,
            "end": end,
            "label": compliance.range_label(period, start),
            "prev": _shift(period, start, end, -1),
            "next": _shift(period, start, end, 1),
            "tab": tab,
            "summaries": summaries,
            "total": total,
            "rules": VisitRule.objects.all(),
            "linkable": linkable_people(request.user, [s.key.pk for s in summaries])
            if tab == "officials"
            else set(),
        },
    )


def _compliance_page(request, subject, label: str, key: str, **which):
    """One person's or one enterprise's visits against the rules, for the chosen period."""
    period, start, end = _range(request)
    summary = compliance.Summary(subject, label)
    for row in selectors.compliance_rows(request.user, start, end, **which):
        summary.add(row)
    return render(
        request,
        "assistance/compliance_official.html",
        {
            key: subject,
            "summary": summary,
            "period": period,
            "start": start,
            "end": end,
            "label": compliance.range_label(period, start),
        },
    )


@login_required
def compliance_official(request, user_id):
    _require(request, "assistance.compliance.view")
    person = User.objects.get_visible_or_404(request.user, pk=user_id)
    return _compliance_page(request, person, person.display_name, "person", person=person)


@login_required
def compliance_enterprise(request, pk):
    _require(request, "assistance.compliance.view")
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=pk)
    return _compliance_page(request, enterprise, enterprise.name, "enterprise", enterprise=enterprise)


# --- assignments ------------------------------------------------------------------------------------
@login_required
def assignment_list(request):
    _require(request, "assistance.assignments.view")
    year = _year(request.GET.get("year"))
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role")
    qs = selectors.assignments(
        request.user, year=year, history=bool(request.GET.get("history")), q=q, role=role
    ).order_by("enterprise__name", "role", "started_on", "pk")  # the page and its export alike
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            _("包抓分工.xlsx"),
            [
                _("企业"),
                _("统一社会信用代码"),
                _("年度"),
                _("帮扶角色"),
                _("责任人"),
                _("账号"),
                _("包抓部门"),
                _("开始日期"),
                _("结束日期"),
                _("结束原因"),
            ],
            (
                [
                    a.enterprise.name,
                    a.enterprise.credit_code,
                    a.year,
                    a.get_role_display(),
                    a.user.display_name,
                    a.user.username,
                    a.department.name if a.department else "",
                    a.started_on,
                    a.ended_on or "",
                    a.end_reason,
                ]
                for a in qs
            ),
            actor=request.user,
            what=_("%(year)s年包抓分工") % {"year": year},
            object_type="assistance.assignment",
        )
    load = sorted(
        selectors.load_table(request.user, year),
        key=lambda r: (r["status"] != "over", r["status"] != "under"),
    )
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    export = request.GET.copy()
    export["export"] = "xlsx"
    return render(
        request,
        "assistance/assignment_list.html",
        {
            "page": page,
            "year": year,
            "q": q,
            "role": role,
            "roles": AssignmentRole.choices,
            "load": load,
            "load_ok": sum(1 for r in load if not r["status"]),
            "limits": LoadLimit.objects.all(),
            "can_manage": services.can_manage(request.user),
            "linkable": linkable_people(request.user, [r["user_id"] for r in load]),
            "export_query": export.urlencode(),
            "history": bool(request.GET.get("history")),
        },
    )


@login_required
@require_POST
def assign(request, pk):
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=pk)
    if not services.can_manage(request.user):
        raise Http404
    form = AssignForm(request.POST, viewer=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            result = services.assign(
                enterprise,
                year=_year(request.POST.get("year")),
                role=d["role"],
                user=d["user"],
                department=d["department"],
                actor=request.user,
            )
            messages.success(
                request,
                _("已确定%(role)s：%(display_name)s")
                % {"role": result.assignment.get_role_display(), "display_name": d["user"].display_name},
            )
            for w in result.warnings:
                messages.warning(request, w)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _err(exc))
    else:
        messages.error(request, _("请选择帮扶角色和责任人"))
    return redirect(reverse("enterprises:enterprise_detail", args=[pk]) + "#team")


@login_required
def hand_over(request, pk):
    assignment = Assignment.objects.select_related("enterprise", "user").get_visible_or_404(
        request.user, pk=pk
    )
    if not services.can_manage(request.user):
        raise Http404
    form = HandOverForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.hand_over(
                assignment,
                to_user=form.cleaned_data["to_user"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(
                request,
                _("已交接给%(display_name)s，原记录保留在历史中")
                % {"display_name": result.assignment.user.display_name},
            )
            for w in result.warnings:
                messages.warning(request, w)
            return redirect(
                reverse("enterprises:enterprise_detail", args=[assignment.enterprise_id]) + "#team"
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _err(exc))
    return render(request, "assistance/hand_over.html", {"form": form, "assignment": assignment})


@login_required
def hand_over_person(request, user_id):
    person = User.objects.get_visible_or_404(request.user, pk=user_id)
    if not services.can_manage(request.user):
        raise Http404
    form = HandOverForm(request.POST or None, viewer=request.user)
    current = selectors.current_assignments_of(request.user, person)
    if request.method == "POST" and form.is_valid():
        try:
            results = services.hand_over_all(
                person,
                to_user=form.cleaned_data["to_user"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(
                request,
                _("已将 %(count)s 项包抓责任交接给%(display_name)s")
                % {"count": len(results), "display_name": form.cleaned_data["to_user"].display_name},
            )
            for w in {w for r in results for w in r.warnings}:
                messages.warning(request, w)
            return redirect("assistance:assignment_list")
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _err(exc))
    return render(request, "assistance/hand_over.html", {"form": form, "person": person, "current": current})


# --- plans --------------------------------------------------------------------------------------------
@login_required
def plan_list(request):
    _require(request, "assistance.plan.view")
    year = _year(request.GET.get("year"))
    plans = selectors.plans(request.user, year=year, overdue_only=bool(request.GET.get("overdue")))
    return render(request, "assistance/plan_list.html", {"plans": plans, "year": year})


@login_required
def plan_edit(request, pk):
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=pk)
    year = _year(request.GET.get("year"))
    if not services.can_edit_plan(request.user, enterprise):
        raise Http404
    plan = selectors.plan_of(enterprise, year)
    form = PlanForm(request.POST or None, initial={"goals": plan.goals if plan else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_plan(enterprise, year=year, goals=form.cleaned_data["goals"], actor=request.user)
            messages.success(request, _("一企一策已保存"))
            return redirect(reverse("enterprises:enterprise_detail", args=[pk]) + "#plan")
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _err(exc))
    return render(
        request, "assistance/plan_form.html", {"form": form, "enterprise": enterprise, "year": year}
    )


@login_required
@require_POST
def measure_add(request, pk):
    plan = AssistancePlan.objects.select_related("enterprise").get_visible_or_404(request.user, pk=pk)
    form = MeasureForm(request.POST, viewer=request.user)
    if form.is_valid():
        try:
            services.add_measure(plan, actor=request.user, **form.cleaned_data)
            messages.success(request, _("措施已添加"))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _err(exc))
    else:
        messages.error(request, _("请填写措施内容和完成时限"))
    return redirect(reverse("enterprises:enterprise_detail", args=[plan.enterprise_id]) + "#plan")


@login_required
@require_POST
def measure_progress(request, pk):
    measure = PlanMeasure.objects.select_related("plan__enterprise").get_visible_or_404(request.user, pk=pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.report_progress(measure, actor=request.user, **form.cleaned_data)
            messages.success(request, _("进展已更新"))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _err(exc))
    else:
        messages.error(request, _("进度应在 0–100 之间，并填写进展情况"))
    return redirect(reverse("enterprises:enterprise_detail", args=[measure.plan.enterprise_id]) + "#plan")


# --- meetings -------------------------------------------------------------------------------------------
@login_required
def meeting_list(request):
    _require(request, "assistance.meetings.view")
    kind = request.GET.get("kind")
    qs = selectors.meetings(request.user, kind=kind)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/meeting_list.html",
        {
            "page": page,
            "kinds": Meeting.Kind.choices,
            "kind": kind,
            "can_create": permissions.allowed(request.user, "assistance.meetings.record"),
        },
    )


@login_required
def meeting_create(request):
    _require(request, "assistance.meetings.record")
    form = MeetingForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        by_name = {e.name: e for e in d["enterprises"]}
        problems = []
        for line in (d["problems"] or "").splitlines():
            line = line.strip()
            if not line:
                continue
            name, sep, text = line.replace(":", "：").partition("：")
            ent = by_name.get(name.strip()) if sep else None
            problems.append((ent, _("会议收集"), text.strip() if ent else line))
        try:
            meeting = services.record_meeting(
                actor=request.user,
                kind=d["kind"],
                title=d["title"],
                held_on=d["held_on"],
                enterprises=list(d["enterprises"]),
                location=d["location"],
                summary=d["summary"],
                problems=problems,
            )
            messages.success(request, _("会议已登记"))
            return redirect("assistance:meeting_detail", meeting.pk)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _err(exc))
    return render(request, "assistance/meeting_form.html", {"form": form})


@login_required
def meeting_detail(request, pk):
    _require(request, "assistance.meetings.view")
    meeting = Meeting.objects.select_related("host", "region").get_visible_or_404(request.user, pk=pk)
    return render(
        request,
        "assistance/meeting_detail.html",
        {
            "meeting": meeting,
            **selectors.meeting_parts(request.user, meeting),
            "attachments": attachments_of(meeting, request.user),
            "target_label": "assistance.meeting",
            "target": meeting,
        },
    )


# --- rules ------------------------------------------------------------------------------------------------
@login_required
def rules(request):
    _require(request, "assistance.rules.view")
    if request.method == "POST":
        _require(request, "assistance.configure")
        role = request.POST.get("role")
        if role not in AssignmentRole.values:
            raise Http404
        try:
            if request.POST.get("what") == "limit":
                services.set_load_limit(
                    role,
                    min_count=parse_int(request.POST.get("min_count") or "0", minimum=0) or 0,
                    max_count=parse_int(request.POST.get("max_count") or "0", minimum=0) or 0,
                    actor=request.user,
                )
            else:
                form = RuleForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("请填写周期、次数（≥1）和提醒天数"))
                services.set_visit_rule(role, actor=request.user, **form.cleaned_data)
            messages.success(request, _("已保存"))
        except (ValidationError, PermissionDenied, ValueError) as exc:
            messages.error(request, _err(exc) if not isinstance(exc, ValueError) else _("请输入整数"))
        return redirect("assistance:rules")
    return render(
        request,
        "assistance/rules.html",
        {
            "rows": selectors.rule_rows(),
            "periods": Period.choices,
            "can_edit": permissions.allowed(request.user, "assistance.configure"),
            "history": selectors.rule_history(),
        },
    )

"""Pages of the projects app. Every page starts from `Project.objects.visible_to(user)` (or the
scoped manager of the model shown); state changes go through `services`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhuqi.core import audit, exports, permissions
from zhuqi.core.forms import add_service_error
from zhuqi.core.models import Department, Region, Role
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.services import attachments_of
from zhuqi.core.units import WAN
from zhuqi.core.views import archive_page, archived_list_page

from . import figures, forms, selectors, services, workflow
from .importers import ActualImporter
from .models import (
    ApprovalStep,
    Campaign,
    CampaignEntry,
    InvestmentMonth,
    Project,
    Stage,
    Task,
    stage_index,
)
from .panels import render_panels


def _require(request, action: str) -> None:
    """A page the viewer's role may not use (core/permissions.py) answers 404."""
    if not permissions.allowed(request.user, action):
        raise Http404


def _messages_from(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _form_errors(request, form, exc: ValidationError) -> None:
    """A service's refusal shown where it belongs: under the field it names, else as a message."""
    if not hasattr(exc, "error_dict"):
        _messages_from(request, exc)
        return
    for field, errors in exc.error_dict.items():
        for error in errors:
            for msg in error.messages:
                if field in form.fields:
                    form.add_error(field, msg)
                else:
                    messages.error(request, msg)


def _period(request) -> tuple[int, int]:
    return selectors.report_period(request.GET)


# --- ledger -------------------------------------------------------------------------------
@login_required
def project_list(request):
    _require(request, "projects.view")
    user = request.user
    year, month = _period(request)
    base = Project.objects.visible_to(user)
    qs = selectors.listed_projects(user, request.GET, year=year, month=month)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    prog = figures.progress_by_project([p.pk for p in page], year, month)
    rows = [(p, prog.get(p.pk)) for p in page]
    total = figures.progress_total(base, year, month)
    context = {
        "page": page,
        "rows": rows,
        "year": year,
        "month": month,
        "total": total,
        **_count_and_sum(base),
        "stages": Stage.choices,
        "kinds": Project.Kind.choices,
        "levels": Project.Level.choices,
        "tags": Project.TAG_CHOICES,
        "regions": Region.filter_choices(user),
        "departments": Department.objects.visible_to(user).filter(projects__isnull=False).distinct(),
        "f": request.GET,
        "can_create": permissions.allowed(user, "projects.create"),
        "can_import": ActualImporter.allowed(user),
    }
    return render(request, "projects/project_list.html", context)


def _count_and_sum(projects) -> dict:
    agg = projects.order_by().aggregate(count=Count("pk"), investment_sum=Sum("total_investment"))
    return {"count": agg["count"], "investment_sum": agg["investment_sum"] or Decimal(0)}


def _save_project_form(request, form, project=None):
    data = dict(form.cleaned_data)
    team = data.pop("team", None)
    data["tags"] = list(data.get("tags") or [])
    data["total_investment"] = (data.pop("total_investment_wan") or Decimal(0)) * WAN
    yp = data.pop("year_planned_wan")
    data["year_planned_investment"] = (yp or Decimal(0)) * WAN
    if project is None:
        return services.create_project(actor=request.user, team=team or (), **data)
    data.pop("code", None)
    return services.update_project(project, actor=request.user, team=team, **data)


@login_required
def project_create(request):
    _require(request, "projects.create")
    form = forms.ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = _save_project_form(request, form)
            messages.success(request, gettext("项目已建档，七个审批环节已生成"))
            return redirect("projects:project_detail", pk=project.pk)
        except ValidationError as exc:
            _form_errors(request, form, exc)
    return render(request, "projects/project_form.html", {"form": form, "title": gettext("新建重点项目")})


@login_required
def project_edit(request, pk):
    project = Project.objects.get_visible_or_404(request.user, pk=pk)
    if not services.can_edit(request.user, project):
        raise Http404
    form = forms.ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            _save_project_form(request, form, Project.objects.get(pk=pk))
            messages.success(request, gettext("项目信息已保存"))
            return redirect("projects:project_detail", pk=pk)
        except ValidationError as exc:
            _form_errors(request, form, exc)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "title": gettext("编辑：%(name)s") % {"name": project.name}, "project": project},
    )


def _gantt_data(tasks, links) -> list[dict]:
    deps: dict[int, list[str]] = {}
    for p, s in links:
        deps.setdefault(s, []).append(f"t{p}")
    today = timezone.localdate()
    out = []
    for t in tasks:
        late = t.done_on is None and t.finish < today
        at_risk = t.late_start is not None and t.start > t.late_start
        cls = "zq-bar-done" if t.done_on else "zq-bar-late" if late or at_risk else "zq-bar-ok"
        if t.kind == Task.Kind.MILESTONE:
            cls += " zq-bar-milestone"
        out.append(
            {
                "id": f"t{t.pk}",
                "name": t.name,
                "start": t.start.isoformat(),
                "end": t.finish.isoformat(),
                "progress": 100 if t.done_on else t.progress,
                "dependencies": ", ".join(deps.get(t.pk, [])),
                "custom_class": cls,
            }
        )
    return out


def _investment_chart(project, year: int, month: int) -> dict:
    rows = {r.month: r for r in InvestmentMonth.objects.filter(project=project, year=year)}
    planned = [float((rows[m].planned if m in rows else 0) / WAN) for m in range(1, 13)]
    actual = [
        float(rows[m].actual / WAN) if m in rows and rows[m].actual is not None else None
        for m in range(1, 13)
    ]
    plan_total = sum(r.planned for r in rows.values())
    cum, cumulative = Decimal(0), []
    for m in range(1, 13):
        r = rows.get(m)
        if r is not None and r.actual is not None:
            cum += r.actual
        cumulative.append(float(figures.pct(cum, plan_total)) if plan_total and m <= month else None)
    elapsed = [float(figures.elapsed_pct(m)) for m in range(1, 13)]
    return {
        "year": year,
        "months": [gettext("%(m)s月") % {"m": m} for m in range(1, 13)],
        "planned": planned,
        "actual": actual,
        "completion": cumulative,
        "elapsed": elapsed,
    }


@login_required
def project_detail(request, pk):
    _require(request, "projects.view")
    user = request.user
    project = get_object_or_404(
        Project.objects.visible_to(user).select_related("region", "owner", "leader", "department"), pk=pk
    )
    today = timezone.localdate()
    year, month = _period(request)
    can_edit = services.can_edit(user, project)
    stages = []
    current = stage_index(project.stage)
    for i, (code, label) in enumerate(Stage.choices):
        stages.append(
            {
                "code": code,
                "label": label,
                "done": i < current,
                "current": i == current,
                "date": project.stage_date(code),
            }
        )
    allowed = [(s, str(Stage(s).label), d) for s, d in workflow.TRANSITIONS[project.stage].items()]
    approvals = selectors.approvals_of(project, today)
    tasks, links = selectors.schedule_of(project)
    prog = figures.progress_by_project([project.pk], year, month).get(project.pk) or figures.Progress(
        year, month
    )
    photos = [a for a in attachments_of(project, user) if a.is_image]
    files = [a for a in attachments_of(project, user) if not a.is_image]
    context = {
        "project": project,
        "can_edit": can_edit,
        "can_archive": services.can_manage_area(user, project.region, "projects.archive"),
        "stages": stages,
        "allowed": allowed,
        "approvals": approvals,
        "tasks": tasks,
        "gantt": _gantt_data(tasks, links),
        "baseline": project.baselines.first(),
        "chart": _investment_chart(project, year, month),
        "progress": prog,
        "year": year,
        "month": month,
        "photos": photos,
        "files": files,
        "team": project.team.all(),
        "stage_changes": project.stage_changes.select_related("confirmed_by").order_by("-created_at")[:20],
        # the history is the officials' (names, IPs, internal files): not an enterprise's to read
        "timeline": [] if user.role == Role.ENTERPRISE else audit.timeline(project),
        "case_links": project.case_links.select_related("case", "case__lead_department"),
        "stage_form": forms.StageForm(initial={"date": today}),
        "problem_form": forms.ProblemForm(),
        "task_form": forms.TaskForm(project=project, initial={"start": today}),
        "dep_form": forms.DependencyForm(project=project),
        "backward_form": forms.BackwardForm(
            initial={"target": project.target_date or project.planned_completion}
        ),
        "actual_form": forms.ActualForm(initial={"year": year, "month": month}),
        "plan_form": forms.PlanForm(
            initial={"year": year, "method": "even", "amount_wan": project.year_planned_investment / WAN}
        ),
        "today": today,
        "target_label": "projects.project",
        "panels": render_panels(request, project),
    }
    return render(request, "projects/project_detail.html", context)


def _post_project(request, pk) -> Project:
    return Project.objects.get_visible_or_404(request.user, pk=pk)


def _back(project, anchor=""):
    return redirect(reverse("projects:project_detail", args=[project.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def stage_move(request, pk):
    project = _post_project(request, pk)
    form = forms.StageForm(request.POST)
    if form.is_valid():
        try:
            services.move_stage(
                project,
                form.cleaned_data["to_stage"],
                date=form.cleaned_data["date"],
                evidence=form.cleaned_data["evidence"],
                actor=request.user,
            )
            messages.success(
                request,
                gettext("已转到「%(label)s」") % {"label": Stage(form.cleaned_data["to_stage"]).label},
            )
        except ValidationError as exc:
            _messages_from(request, exc)
    else:
        messages.error(request, gettext("请填写阶段和日期"))
    return _back(project, "stages")


@login_required
@require_POST
def problem_raise(request, pk):
    _require(request, "projects.problem.raise")
    project = _post_project(request, pk)
    form = forms.ProblemForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for msg in errors:
                messages.error(request, msg)
        return _back(project, "cases")
    try:
        link = services.raise_problem(
            project,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            actor=request.user,
        )
        messages.success(
            request, gettext("项目问题已登记为诉求 %(no)s，专班办公室将受理交办") % {"no": link.case.no}
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    return _back(project, "cases")


def _step(request, pk, step_pk) -> ApprovalStep:
    project = _post_project(request, pk)
    return get_object_or_404(
        ApprovalStep.objects.select_related("project", "step_type"), pk=step_pk, project=project
    )


@login_required
@require_POST
def approval_start(request, pk, step_pk):
    step = _step(request, pk, step_pk)
    form = forms.ApprovalStartForm(request.POST)
    if form.is_valid():
        try:
            step = services.start_approval(
                step, started_on=form.cleaned_data["started_on"], actor=request.user
            )
            messages.success(
                request,
                gettext("「%(name)s」已受理，应于 %(due_date)s 前办结")
                % {"name": step.step_type.name, "due_date": format(step.due_date, "%Y-%m-%d")},
            )
        except ValidationError as exc:
            _messages_from(request, exc)
    else:
        messages.error(request, gettext("请填写受理日期"))
    return _back(step.project, "approvals")


@login_required
@require_POST
def approval_done(request, pk, step_pk):
    step = _step(request, pk, step_pk)
    form = forms.ApprovalDoneForm(request.POST)
    if form.is_valid():
        try:
            services.complete_approval(step, done_on=form.cleaned_data["done_on"], actor=request.user)
            messages.success(request, gettext("「%(name)s」已办结") % {"name": step.step_type.name})
        except ValidationError as exc:
            _messages_from(request, exc)
    else:
        messages.error(request, gettext("请填写办结日期"))
    return _back(step.project, "approvals")


@login_required
@require_POST
def task_add(request, pk):
    project = _post_project(request, pk)
    form = forms.TaskForm(request.POST, project=project)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_task(
                project,
                name=d["name"],
                kind=d["kind"],
                start=d["start"],
                duration=d["duration"],
                owner_name=d["owner_name"],
                after=d["after"],
                lag=d["lag"] or 0,
                actor=request.user,
            )
            messages.success(request, gettext("任务已添加，后续任务已顺排"))
        except ValidationError as exc:
            _messages_from(request, exc)
    else:
        messages.error(
            request,
            gettext("任务信息不完整：")
            + "；".join(f"{form.fields[k].label}{v[0]}" for k, v in form.errors.items()),
        )
    return _back(project, "schedule")


@login_required
@require_POST
def task_done(request, pk, task_pk):
    project = _post_project(request, pk)
    task = get_object_or_404(Task, pk=task_pk, project=project)
    services.update_task(task, done_on=timezone.localdate(), progress=100, actor=request.user)
    messages.success(request, gettext("「%(name)s」已完成") % {"name": task.name})
    return _back(project, "schedule")


@login_required
@require_POST
def dependency_add(request, pk):
    project = _post_project(request, pk)
    form = forms.DependencyForm(request.POST, project=project)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_dependency(d["predecessor"], d["successor"], lag=d["lag"] or 0, actor=request.user)
            messages.success(request, gettext("前置关系已添加，后续任务已顺排"))
        except ValidationError as exc:
            _messages_from(request, exc)
    else:
        messages.error(request, gettext("请选择前置任务和后续任务"))
    return _back(project, "schedule")


@login_required
@require_POST
def schedule_backward(request, pk):
    project = _post_project(request, pk)
    form = forms.BackwardForm(request.POST)
    if form.is_valid():
        try:
            tasks = services.backward_schedule(
                project, target=form.cleaned_data["target"], actor=request.user
            )
            risky = [t.name for t in tasks if t.late_start and t.start > t.late_start]
            if risky:
                messages.warning(
                    request,
                    gettext("倒排完成；以下任务按现计划赶不上目标日期：%(tasks)s")
                    % {"tasks": "、".join(risky)},
                )
            else:
                messages.success(request, gettext("倒排完成，各任务最迟开始日期已给出"))
        except ValidationError as exc:
            _messages_from(request, exc)
    return _back(project, "schedule")


@login_required
@require_POST
def plan_approve(request, pk):
    project = _post_project(request, pk)
    try:
        services.approve_plan(project, actor=request.user)
        messages.success(request, gettext("计划已批准，基线已保存"))
    except ValidationError as exc:
        _messages_from(request, exc)
    return _back(project, "schedule")


def _actual_confirm(request, project, form):
    """The confirmation step before a month's completed investment is overwritten: the old and
    the new value side by side, a reason and a box to tick."""
    d = form.cleaned_data
    old = InvestmentMonth.objects.filter(project=project, year=d["year"], month=d["month"]).first()
    return render(
        request,
        "projects/actual_confirm.html",
        {"project": project, "form": form, "old": old.actual if old else None, "new": d["amount_wan"] * WAN},
    )


@login_required
@require_POST
def actual_record(request, pk):
    project = _post_project(request, pk)
    form = forms.ActualForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        # a month that already has a value is overwritten only after the confirmation page: the
        # box ticked and a reason given (the service refuses a change without a reason)
        if d["reason"] and not d["confirm"]:
            form.add_error("confirm", gettext("请勾选确认修改已填报的数值"))
            return _actual_confirm(request, project, form)
        try:
            services.record_actual(
                project,
                year=d["year"],
                month=d["month"],
                amount=d["amount_wan"] * WAN,
                actor=request.user,
                reason=d["reason"] if d["confirm"] else "",
            )
            messages.success(
                request,
                gettext("%(year)s年%(month)s月完成投资已填报") % {"year": d["year"], "month": d["month"]},
            )
        except services.OverwriteNeedsReason:
            if d["confirm"]:
                form.add_error("reason", gettext("请填写修改原因"))
            return _actual_confirm(request, project, form)
        except ValidationError as exc:
            _messages_from(request, exc)
    else:
        messages.error(request, gettext("请填写年度、月份和完成投资（万元）"))
    return _back(project, "investment")


@login_required
@require_POST
def plan_set(request, pk):
    project = _post_project(request, pk)
    form = forms.PlanForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        values = d["values"]
        try:
            services.plan_year(
                project,
                year=d["year"],
                amount=(d["amount_wan"] or Decimal(0)) * WAN,
                method=d["method"],
                profile=values,
                months=[Decimal(str(v)) * WAN for v in values]
                if values and d["method"] == "manual"
                else None,
                actor=request.user,
            )
            messages.success(request, gettext("年度投资计划已分解到月"))
        except ValidationError as exc:
            _messages_from(request, exc)
    else:
        messages.error(request, gettext("请检查年度计划：") + "；".join(v[0] for v in form.errors.values()))
    return _back(project, "investment")


# --- board (挂图作战) ---------------------------------------------------------------------------
@login_required
def board(request):
    _require(request, "projects.board")
    user = request.user
    year, month = _period(request)
    qs = selectors.filter_projects(user, request.GET, Project.objects.visible_to(user)).select_related(
        "department", "region"
    )
    shown = list(
        qs.exclude(planned_start=None)
        .exclude(planned_completion=None)
        .order_by("planned_start", "code")[:300]
    )
    prog = figures.progress_by_project([p.pk for p in shown], year, month)
    summary = figures.board_summary(qs, year, month)
    counts = summary["counts"]
    rows = []
    for p in shown:
        pr = prog.get(p.pk)
        lt = pr.light if pr else "grey"
        rows.append(
            {
                "id": p.pk,
                "name": p.name,
                "start": p.planned_start.isoformat(),
                "end": p.planned_completion.isoformat(),
                "stage": str(p.get_stage_display()),
                "light": lt,
                "lead": float(pr.lead) if pr and pr.lead is not None else None,
                "url": reverse("projects:project_detail", args=[p.pk]),
            }
        )
    by_dept, by_region = summary["by_dept"], summary["by_region"]
    chart = {
        "rows": rows[:80],
        "today": timezone.localdate().isoformat(),
        "yellow": float(figures.light_thresholds()[0]),
        "red": float(figures.light_thresholds()[1]),
        "departments": [
            {
                "name": g["name"] or "—",
                "lead": float(g["progress"].lead) if g["progress"].lead is not None else None,
            }
            for g in by_dept
        ],
    }
    return render(
        request,
        "projects/board.html",
        {
            "year": year,
            "month": month,
            "counts": counts,
            "total": summary["total"],
            "start_rate": figures.start_rate(qs, year, month),
            "by_dept": by_dept,
            "by_region": by_region,
            "chart": chart,
            "lagging": sorted((r for r in rows if r["light"] in ("red", "yellow")), key=lambda r: r["lead"])[
                :30
            ],
            "f": request.GET,
        },
    )


# --- 三个一批 -------------------------------------------------------------------------------------
@login_required
def campaign_list(request):
    _require(request, "projects.oversight.view")
    campaigns = Campaign.objects.visible_to(request.user).select_related("region")
    can_configure = permissions.allowed(request.user, "projects.configure")
    return render(
        request, "projects/campaign_list.html", {"campaigns": campaigns, "can_configure": can_configure}
    )


@login_required
def campaign_detail(request, pk):
    _require(request, "projects.oversight.view")
    user = request.user
    campaign = Campaign.objects.get_visible_or_404(user, pk=pk)
    visible = Project.objects.visible_to(user)
    batches = selectors.campaign_batches(campaign, visible)
    return render(
        request,
        "projects/campaign_detail.html",
        {
            "campaign": campaign,
            "rates": figures.campaign_rates(campaign, visible),
            "by_region": figures.rates_by_region(campaign, visible),
            "batches": [(label, batches[b]) for b, label in CampaignEntry.Batch.choices],
            "start_rate": figures.start_rate(
                visible.filter(region__path__startswith=campaign.region.path),
                campaign.year,
                figures.start_rate_month(campaign.year, timezone.localdate()),
            ),
            "can_manage": services.can_manage_area(user, campaign.region, "projects.campaign.manage"),
            "batch_choices": CampaignEntry.Batch.choices,
            "thresholds": [
                (str(Project.Kind(k).label) if k in Project.Kind.values else k, Decimal(str(v)))
                for k, v in (campaign.thresholds or {}).items()
            ],
        },
    )


@login_required
@require_POST
def campaign_entry_add(request, pk):
    _require(request, "projects.campaign.manage")
    campaign = Campaign.objects.get_visible_or_404(request.user, pk=pk)
    code = request.POST.get("code", "").strip()
    project = Project.objects.visible_to(request.user).filter(code=code).first()
    if project is None:
        messages.error(request, gettext("找不到项目编号「%(code)s」") % {"code": code})
    else:
        try:
            services.add_to_campaign(
                campaign, project, batch=request.POST.get("batch", ""), actor=request.user
            )
            messages.success(request, gettext("「%(name)s」已纳入本期") % {"name": project.name})
        except ValidationError as exc:
            _messages_from(request, exc)
    return redirect("projects:campaign_detail", pk=pk)


# --- 调度 ------------------------------------------------------------------------------------------------
@login_required
def dispatch(request):
    """Weekly dispatch view: what moved in the last seven days, what is stuck."""
    _require(request, "projects.board")
    user = request.user
    today = timezone.localdate()
    since = today - dt.timedelta(days=7)
    year, month = figures.report_period(today)
    overview = selectors.dispatch_overview(user, since=since, today=today, year=year, month=month)
    return render(
        request,
        "projects/dispatch.html",
        {
            "since": since,
            "today": today,
            "year": year,
            "month": month,
            **overview,
        },
    )


@login_required
def monthly_report(request):
    """月报表 as Excel (projects/exports.py): at once, or written in the background when large."""
    _require(request, "projects.export")
    return exports.respond(request, "projects.monthly_report")


# --- archive (soft delete of a mistaken project) -----------------------------------------------------
@login_required
def project_archive(request, pk):
    project = get_object_or_404(Project.objects.visible_to(request.user).select_related("region"), pk=pk)
    if not services.can_manage_area(request.user, project.region, "projects.archive"):
        raise Http404
    n = services.open_project_cases(project)
    blockers = [gettext("有 %(n)s 件未办结的诉求（请先办结或更正）") % {"n": n}] if n else []
    return archive_page(
        request,
        obj=project,
        heading=gettext("归档项目"),
        object_label=f"{project.code} {project.name}",
        archive=services.archive_project,
        blockers=blockers,
        cancel_url=reverse("projects:project_detail", args=[project.pk]),
        done_url=reverse("projects:project_list"),
    )


@login_required
def archived_list(request):
    return archived_list_page(
        request,
        Project,
        heading=gettext("已归档项目"),
        code_label=gettext("项目编号"),
        code_field="code",
        restore_url_name="projects:project_restore",
    )


@login_required
@require_POST
def project_restore(request, pk):
    if not permissions.allowed(request.user, "core.archive.restore"):
        raise Http404
    project = services.restore_project(
        Project(pk=pk), actor=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(request, gettext("已恢复「%(name)s」") % {"name": project.name})
    return redirect("projects:project_detail", project.pk)


# --- configuration: 三个一批 rounds and red/black list rules ---------------------------------------
def _config_page(request, *, form, heading, cancel_url, obj):
    return render(
        request,
        "core/config_form.html",
        {
            "form": form,
            "heading": heading,
            "cancel_url": cancel_url,
            "wide_fields": ["name", "projects", "scorers", "criteria"],
            "history": audit.timeline(obj)[::-1] if obj is not None else None,
        },
    )


def _campaign_form(request, campaign=None):
    user = request.user
    if not permissions.allowed(user, "projects.configure"):
        raise Http404
    if campaign is not None and not services.can_manage_area(user, campaign.region, "projects.configure"):
        raise Http404
    initial = {}
    if campaign is not None:
        initial = {f: getattr(campaign, f) for f in ("name", "region", "year", "round_no", "held_on")}
        for kind, value in (campaign.thresholds or {}).items():
            initial[f"threshold_{kind}"] = (Decimal(str(value)) / WAN).quantize(Decimal("0.01"))
    else:
        initial = {"year": timezone.localdate().year, "round_no": 1}
    form = forms.CampaignForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = services.save_campaign(
                campaign,
                actor=user,
                name=d["name"],
                region=d["region"],
                year=d["year"],
                round_no=d["round_no"],
                held_on=d["held_on"],
                thresholds=form.thresholds(),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("已保存「%(name)s」") % {"name": campaign.name})
            return redirect("projects:campaign_detail", campaign.pk)
    return _config_page(
        request,
        form=form,
        heading=gettext("编辑三个一批期次") if campaign else gettext("新建三个一批期次"),
        cancel_url=reverse("projects:campaign_list"),
        obj=campaign,
    )


@login_required
def campaign_create(request):
    return _campaign_form(request)


@login_required
def campaign_edit(request, pk):
    return _campaign_form(request, Campaign.objects.get_visible_or_404(request.user, pk=pk))


@login_required
def inspection_list(request):
    """The inspection tours (观摩) moved to oversight: old links land on its list."""
    _require(request, "oversight.tour.view")
    return redirect("oversight:tour_list")


@login_required
def ranking_list(request):
    """The 红黑榜 moved to oversight (docs/oversight.md §6): old links land on its list."""
    _require(request, "oversight.assessment.view")
    return redirect("oversight:redblack_list")

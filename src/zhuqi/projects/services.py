"""Every state change of the projects app: checks permission, writes audit, sends notifications.
Views, the API, imports and commands call these; they never write state themselves."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from zhuqi.cases import services as case_services
from zhuqi.cases.models import Case, Channel
from zhuqi.cases.workflow import SYSTEM
from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, User
from zhuqi.core.notify import notify
from zhuqi.core.roles import Role
from zhuqi.core.scope import scope_for
from zhuqi.core.units import WAN
from zhuqi.core.workcalendar import add_working_days

from . import schedule, workflow
from .models import (
    ApprovalStep,
    ApprovalStepType,
    Baseline,
    Campaign,
    CampaignEntry,
    Dependency,
    InvestmentMonth,
    Project,
    ProjectCase,
    ProjectProgress,
    Stage,
    StageChange,
    Task,
)

log = logging.getLogger("zhuqi.projects")


# The seven pre-construction approvals (七个环节) with their default legal limits in working days.
DEFAULT_APPROVAL_STEPS = [
    ("approval_filing", "立项审批（核准/备案）", 5, "发改委"),
    ("planning_site", "规划选址", 10, "自然资源局"),
    ("land_use", "用地审批", 20, "自然资源局"),
    ("energy_review", "节能审查", 10, "发改委"),
    ("feasibility", "可行性研究报告批复", 10, "发改委"),
    ("environment", "环境影响评价", 15, "生态环境分局"),
    ("construction_permit", "施工许可", 7, "住建局"),
]


# --- permissions ------------------------------------------------------------------------
def can_edit(user, project: Project) -> bool:
    """Who may change a visible project (the matrix's `projects.edit`): admins, the dispatch
    office of its area, the responsible department's people and the responsible leader."""
    if not permissions.allowed(user, "projects.edit"):
        return False
    scope = scope_for(user)
    if scope.is_admin:
        return True
    if project.leader_id == user.pk:
        return True
    if project.department_id and project.department_id == user.department_id:
        return True
    return can_manage_area(user, project.region)


def _require_edit(user, project: Project) -> None:
    if not can_edit(user, project):
        raise PermissionDenied(gettext("您没有修改该项目的权限"))


def can_manage_area(user, region, action: str = "projects.create") -> bool:
    """May `user` do `action` (a manager's action of the matrix) in `region`: admins anywhere,
    the dispatch office inside its own region subtree."""
    if not permissions.allowed(user, action):
        return False
    scope = scope_for(user)
    if scope.is_admin:
        return True
    return bool(scope.region_path) and region.path.startswith(scope.region_path or "")


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


# --- ledger -------------------------------------------------------------------------------
PROJECT_FIELDS = [
    "code",
    "name",
    "kind",
    "industry",
    "owner",
    "region",
    "total_investment",
    "year_planned_investment",
    "planned_start",
    "planned_completion",
    "level",
    "tags",
    "leader",
    "department",
    "description",
    "target_date",
]


# 五个一: the fields a project cannot be saved without, and what is said when one is missing
# (the service refuses; the form marks them required and says the same)
LEDGER_REQUIRED = {
    "department": gettext_lazy("请选择责任单位（五个一：一个责任单位）"),
    "leader": gettext_lazy("请选择包抓县领导（五个一：一名县级领导）"),
}


def _check_ledger(project: Project) -> None:
    """五个一: every project has a responsible unit and a responsible county leader; it cannot be
    planned to finish before it starts. Refused with the fields named."""
    errors = {}
    for field, message in LEDGER_REQUIRED.items():
        if getattr(project, f"{field}_id") is None:
            errors[field] = str(message)
    start, completion = project.planned_start, project.planned_completion
    if start and completion and completion < start:
        errors["planned_completion"] = gettext("计划竣工日期不能早于计划开工日期")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_project(*, actor, team=(), with_approvals: bool = True, **fields) -> Project:
    region = fields.get("region")
    if region is None:
        raise ValidationError({"region": gettext("请选择项目所在区划或园区")})
    own_department = (
        permissions.allowed(actor, "projects.edit")
        and fields.get("department")
        and fields["department"].pk == getattr(actor, "department_id", None)
    )
    if not can_manage_area(actor, region) and not own_department:
        raise PermissionDenied(gettext("您不能在该区划新建项目"))
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    taken = Project.all_objects.filter(code=fields.get("code")).first()
    if taken is not None:
        if taken.archived_at is not None:
            message = gettext("项目编号「%(code)s」属于已归档的项目，请系统管理员在「已归档」页恢复")
        else:
            message = gettext("项目编号「%(code)s」已存在")
        raise ValidationError({"code": message % {"code": fields.get("code")}})
    project = Project(**fields)
    project.full_clean(exclude=["owner", "leader", "department"])
    _check_ledger(project)
    project.save()
    if team:
        project.team.set(team)
    audit.record("event", project, event="project_created", changes={"name": project.name}, actor=actor)
    if with_approvals:
        init_approvals(project, actor=actor)
    return project


@transaction.atomic
def update_project(project: Project, *, actor, team=None, **fields) -> Project:
    _require_edit(actor, project)
    project = _lock(project)
    for name, value in fields.items():
        if name not in PROJECT_FIELDS:
            raise ValueError(f"unknown field {name}")
        setattr(project, name, value)
    project.full_clean(exclude=["owner", "leader", "department"])
    _check_ledger(project)
    project.save()
    if team is not None:
        project.team.set(team)
    return project


# --- stages ---------------------------------------------------------------------------------
@transaction.atomic
def move_stage(project: Project, to_stage: str, *, date: dt.date, evidence: str = "", actor) -> StageChange:
    """Move a project one stage forward or back, per workflow.TRANSITIONS; records date, confirmer
    and evidence, audited. Moving forward needs evidence; a date in the future is refused."""
    _require_edit(actor, project)
    project = _lock(project)
    current = project.stage
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": gettext("未知的阶段「%(to_stage)s」") % {"to_stage": to_stage}})
    direction = workflow.TRANSITIONS[current].get(to_stage)
    if direction is None:
        allowed = "、".join(str(Stage(s).label) for s in workflow.TRANSITIONS[current])
        raise ValidationError(
            {
                "to_stage": gettext(
                    "项目当前处于「%(label)s」，只能转到：%(allowed)s，不能直接转到「%(label2)s」"
                )
                % {"label": Stage(current).label, "allowed": allowed, "label2": Stage(to_stage).label}
            }
        )
    today = timezone.localdate()
    if date > today:
        raise ValidationError({"date": gettext("发生日期不能晚于今天")})
    evidence = (evidence or "").strip()
    if direction == "forward":
        if not evidence:
            raise ValidationError(
                {"evidence": gettext("请填写佐证材料（如合同编号、施工许可证号、入库编号、现场照片说明）")}
            )
        prev_date = project.stage_date(current)
        if prev_date and date < prev_date:
            raise ValidationError(
                {
                    "date": gettext("「%(label)s」日期不能早于「%(label2)s」日期 %(prev_date)s")
                    % {
                        "label": Stage(to_stage).label,
                        "label2": Stage(current).label,
                        "prev_date": format(prev_date, "%Y-%m-%d"),
                    }
                }
            )
        field = Project.STAGE_DATE_FIELDS[Stage(to_stage)]
        setattr(project, field, date)
    else:
        if not evidence:
            raise ValidationError({"evidence": gettext("回退阶段请说明原因")})
        cleared = Project.STAGE_DATE_FIELDS.get(Stage(current))
        if cleared:
            setattr(project, cleared, None)
    project.stage = to_stage
    project.save(update_fields=["stage", *Project.STAGE_DATE_FIELDS.values()])
    change = StageChange.objects.create(
        project=project,
        from_stage=current,
        to_stage=to_stage,
        date=date,
        confirmed_by=actor,
        evidence=evidence,
        is_rollback=direction == "back",
    )
    audit.record(
        "transition",
        project,
        event="stage_rollback" if direction == "back" else "stage_moved",
        changes={"stage": [current, to_stage], "date": date, "evidence": evidence[:200]},
        actor=actor,
    )
    recipients = [u for u in [project.leader] if u and u.pk != actor.pk]
    if recipients:
        notify(
            recipients,
            (
                gettext("项目「%(name)s」回退到%(stage)s阶段")
                if direction == "back"
                else gettext("项目「%(name)s」进入%(stage)s阶段")
            )
            % {"name": project.name, "stage": Stage(to_stage).label},
            url=f"/projects/{project.pk}/",
        )
    return change


# --- approvals (七个环节) ------------------------------------------------------------------------
def ensure_step_types() -> list[ApprovalStepType]:
    """Create the default seven steps if none are configured yet."""
    if not ApprovalStepType.objects.exists():
        for order, (code, name, days, hint) in enumerate(DEFAULT_APPROVAL_STEPS, start=1):
            ApprovalStepType.objects.create(
                code=code, name=name, legal_days=days, department_hint=hint, order=order
            )
    return list(ApprovalStepType.objects.filter(is_active=True))


def _department_for(project: Project, hint: str) -> Department | None:
    if not hint:
        return None
    county_paths = project.region.ancestor_paths()
    return (
        Department.objects.filter(Q(short_name=hint) | Q(name__contains=hint), region__path__in=county_paths)
        .order_by("-region__depth")
        .first()
    )


@transaction.atomic
def init_approvals(project: Project, *, actor) -> list[ApprovalStep]:
    steps = []
    for st in ensure_step_types():
        step, created = ApprovalStep.objects.get_or_create(
            project=project,
            step_type=st,
            defaults={
                "legal_days": st.legal_days,
                "department": _department_for(project, st.department_hint),
            },
        )
        steps.append(step)
    return steps


def approval_due(started_on: dt.date, legal_days: int) -> dt.date:
    """The day a step must be done: `legal_days` working days after acceptance (the day of
    acceptance not counted), from the work calendar (holidays, 调休 workdays)."""
    return add_working_days(started_on, legal_days)


@transaction.atomic
def start_approval(step: ApprovalStep, *, started_on: dt.date, actor, department=None) -> ApprovalStep:
    _require_edit(actor, step.project)
    step = ApprovalStep.objects.select_for_update().get(pk=step.pk)
    if step.status == ApprovalStep.Status.DONE:
        raise ValidationError({"status": gettext("该环节已办结")})
    step.started_on = started_on
    step.due_date = approval_due(started_on, step.legal_days)
    step.status = ApprovalStep.Status.IN_PROGRESS
    step.escalated_at = None
    if department is not None:
        step.department = department
    step.save()
    audit.record(
        "transition",
        step.project,
        event="approval_started",
        changes={"step": step.step_type.name, "started_on": started_on, "due_date": step.due_date},
        actor=actor,
    )
    return step


@transaction.atomic
def complete_approval(step: ApprovalStep, *, done_on: dt.date, actor) -> ApprovalStep:
    _require_edit(actor, step.project)
    step = ApprovalStep.objects.select_for_update().get(pk=step.pk)
    if step.status != ApprovalStep.Status.IN_PROGRESS:
        raise ValidationError({"status": gettext("只有办理中的环节可以办结")})
    if step.started_on and done_on < step.started_on:
        raise ValidationError({"done_on": gettext("办结日期不能早于受理日期")})
    step.done_on = done_on
    step.status = ApprovalStep.Status.DONE
    step.save()
    late = step.due_date is not None and done_on > step.due_date
    audit.record(
        "transition",
        step.project,
        event="approval_done",
        changes={"step": step.step_type.name, "done_on": done_on, "due_date": step.due_date, "late": late},
        actor=actor,
    )
    return step


def _project_case(project: Project, *, title: str, description: str, actor, lead: Department | None = None):
    """A key project's problem (项目问题) as a case of its owner enterprise, so the cases
    figures include it. With `lead` (e.g. the department behind an overdue approval) the case
    is accepted and dispatched to it at once. Returns None for a project without an owner
    enterprise (a case always belongs to an enterprise)."""
    if getattr(project, "owner_id", None) is None:
        return None
    with transaction.atomic():
        case = case_services.create_case(
            project.owner,
            channel=Channel.PROJECT,
            title=title,
            description=f"【{project.name}】{description}",
            actor=actor,
        )
        if lead is not None:
            case = case_services.accept_case(case, actor=actor)
            case = case_services.dispatch_case(case, actor=actor, lead=lead)
    return case


def case_for_overdue_approval(step: ApprovalStep, *, title: str, actor=None):
    """An overdue pre-construction approval step goes to its department as a case, dispatched
    by the platform itself (the sweep has no person). None when there is nobody to send it to
    or no owner enterprise to file it under."""
    if step.department_id is None:
        return None
    assert step.due_date is not None and step.department is not None
    description = gettext(
        "前期审批环节「%(step)s」已超过法定办理时限（应于 %(due)s 前办结），请%(department)s加快办理。"
    ) % {"step": step.step_type.name, "due": f"{step.due_date:%Y-%m-%d}", "department": step.department.name}
    # a generated title (project and step names) is shortened to the case's limit; a person's
    # title is never cut (raise_problem: the form and create_case refuse it)
    limit = Case._meta.get_field("title").max_length
    return _project_case(
        step.project, title=title[:limit], description=description, actor=SYSTEM, lead=step.department
    )


def raise_overdue(step: ApprovalStep, *, today: dt.date, actor=None) -> str:
    """An overdue step goes to its department: as a case (`case_for_overdue_approval`) when it
    can be one, else as a notification to the department's people (and the project's leader).
    The audit event "approval_overdue" is written either way. Returns "case" or "notified"."""
    from zhuqi.core.workcalendar import working_days_late

    step.escalated_at = timezone.now()
    step.save(update_fields=["escalated_at"])
    assert step.due_date is not None  # only steps with a due date can be overdue
    # the count cases use for a missed clock: working days in (due, today], at least 1 once past
    days_late = working_days_late(step.due_date, today)
    title = gettext("审批逾期：%(name)s · %(name2)s（逾期 %(days_late)s 个工作日）") % {
        "name": step.project.name,
        "name2": step.step_type.name,
        "days_late": days_late,
    }
    audit.record(
        "event",
        step.project,
        event="approval_overdue",
        changes={
            "step": step.step_type.name,
            "department": step.department.name if step.department else "",
            "due_date": step.due_date,
            "working_days_late": days_late,
        },
        actor=actor,
    )
    try:
        with transaction.atomic():
            case = case_for_overdue_approval(step, title=title, actor=actor)
            if case is not None:
                ProjectCase.objects.create(
                    project=step.project, case=case, source=ProjectCase.Source.APPROVAL_OVERDUE
                )
        if case is not None:
            return "case"
    except (TypeError, ValidationError, PermissionDenied):  # never lose the alarm
        log.exception("the overdue approval %s could not become a case; notifying instead", step.pk)
    recipients = (
        list(User.objects.filter(department=step.department, is_active=True)) if step.department else []
    )
    recipients += [u for u in [step.project.leader] if u]
    notify(recipients, title, url=f"/projects/{step.project_id}/#approvals", level="warning")
    return "notified"


def raise_problem(project: Project, *, title: str, description: str, actor) -> ProjectCase:
    """登记项目问题: a problem of the project goes into the cases pool (routed by the dispatch
    office like any other) and is linked to the project."""
    permissions.require(actor, "projects.problem.raise")
    if project.owner_id is None:
        raise ValidationError(gettext("该项目没有业主企业，项目问题请通过项目调度会协调"))
    with transaction.atomic():
        case = _project_case(project, title=title, description=description, actor=actor)
        assert case is not None  # the project has an owner enterprise
        link = ProjectCase.objects.create(project=project, case=case)
    return link


def sweep_overdue_approvals(today: dt.date | None = None) -> int:
    """Raise every in-progress step past its due date that has not been raised yet."""
    today = today or timezone.localdate()
    n = 0
    ids = list(
        ApprovalStep.objects.filter(
            status=ApprovalStep.Status.IN_PROGRESS, due_date__lt=today, escalated_at__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            step = (
                ApprovalStep.objects.select_for_update(of=("self",))
                .select_related("project", "step_type", "department", "project__leader")
                .get(pk=pk)
            )
            if step.escalated_at is None and step.status == ApprovalStep.Status.IN_PROGRESS:
                raise_overdue(step, today=today)
                n += 1
    return n


# --- schedule -------------------------------------------------------------------------------------
def _nodes_and_edges(project: Project):
    tasks = list(Task.objects.filter(project=project))
    nodes = {t.pk: schedule.Node(t.pk, t.name, t.start, t.duration, t.finish) for t in tasks}
    edges = list(
        Dependency.objects.filter(successor__project=project).values_list(
            "predecessor_id", "successor_id", "lag"
        )
    )
    return tasks, nodes, edges


@transaction.atomic
def add_task(
    project: Project,
    *,
    name: str,
    start: dt.date,
    duration: int,
    actor,
    kind: str = Task.Kind.TASK,
    owner_name: str = "",
    after: Task | None = None,
    lag: int = 0,
) -> Task:
    _require_edit(actor, project)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写任务名称")})
    if kind == Task.Kind.MILESTONE:
        duration = 0
    elif duration < 1:
        raise ValidationError({"duration": gettext("工期至少 1 个工作日")})
    start = add_working_days(start, 0)
    order = (
        Task.objects.filter(project=project).order_by("-order").values_list("order", flat=True).first() or 0
    ) + 1
    task = Task.objects.create(
        project=project,
        name=name,
        kind=kind,
        start=start,
        duration=duration,
        finish=schedule.finish_of(start, duration),
        owner_name=owner_name,
        order=order,
    )
    if after is not None:
        add_dependency(after, task, lag=lag, actor=actor)
    return task


@transaction.atomic
def update_task(task: Task, *, actor, **fields) -> Task:
    _require_edit(actor, task.project)
    task = Task.objects.select_for_update().get(pk=task.pk)
    for key in ("name", "start", "duration", "progress", "done_on", "owner_name"):
        if key in fields:
            setattr(task, key, fields[key])
    if task.kind == Task.Kind.MILESTONE:
        task.duration = 0
    task.start = add_working_days(task.start, 0)
    task.finish = schedule.finish_of(task.start, task.duration)
    if task.progress > 100:
        raise ValidationError({"progress": gettext("进度不能超过 100%")})
    task.save()
    reschedule(task.project, actor=actor)
    return task


@transaction.atomic
def add_dependency(predecessor: Task, successor: Task, *, lag: int = 0, actor) -> Dependency:
    """A finish-to-start link; refused with a Chinese message when it would close a loop.
    Successors are then pushed forward."""
    project = predecessor.project
    _require_edit(actor, project)
    if successor.project_id != project.pk:
        raise ValidationError(gettext("前置任务和后续任务必须属于同一个项目"))
    if predecessor.pk == successor.pk:
        raise ValidationError(gettext("任务不能以自己为前置任务"))
    _lock(project)
    tasks, nodes, edges = _nodes_and_edges(project)
    edges = [e for e in edges if (e[0], e[1]) != (predecessor.pk, successor.pk)]
    loop = schedule.find_cycle(edges + [(predecessor.pk, successor.pk, lag)], {t.pk: t.name for t in tasks})
    if loop:
        raise ValidationError(schedule.cycle_message(loop))
    dep, _ = Dependency.objects.update_or_create(
        predecessor=predecessor, successor=successor, defaults={"lag": lag}
    )
    audit.record(
        "event",
        project,
        event="dependency_added",
        changes={"predecessor": predecessor.name, "successor": successor.name, "lag": lag},
        actor=actor,
    )
    reschedule(project, actor=actor)
    return dep


@transaction.atomic
def reschedule(project: Project, *, actor) -> list[Task]:
    """The forward pass: push successors after their predecessors (+ lag working days)."""
    tasks, nodes, edges = _nodes_and_edges(project)
    try:
        schedule.forward(nodes, edges)
    except schedule.CycleError as exc:
        raise ValidationError(str(exc)) from exc
    moved = {}
    for t in tasks:
        n = nodes[t.pk]
        if (t.start, t.finish) != (n.start, n.finish):
            moved[t.name] = [f"{t.start}~{t.finish}", f"{n.start}~{n.finish}"]
            t.start, t.finish = n.start, n.finish
            t.save(update_fields=["start", "finish"])
    if moved:
        audit.record("event", project, event="schedule_forward", changes=moved, actor=actor)
    return tasks


@transaction.atomic
def backward_schedule(project: Project, *, target: dt.date, actor) -> list[Task]:
    """倒排工期: store the latest start/finish of every task so that all are done by `target`."""
    _require_edit(actor, project)
    project = _lock(project)
    tasks, nodes, edges = _nodes_and_edges(project)
    try:
        schedule.backward(nodes, edges, target)
    except schedule.CycleError as exc:
        raise ValidationError(str(exc)) from exc
    for t in tasks:
        t.late_start, t.late_finish = nodes[t.pk].late_start, nodes[t.pk].late_finish
        t.save(update_fields=["late_start", "late_finish"])
    project.target_date = target
    project.save(update_fields=["target_date"])
    late = [t.name for t in tasks if t.late_start and t.start > t.late_start]
    audit.record(
        "event", project, event="schedule_backward", changes={"target": target, "at_risk": late}, actor=actor
    )
    return tasks


@transaction.atomic
def approve_plan(project: Project, *, actor) -> Baseline:
    """Save the baseline (计划基线) of the current schedule."""
    _require_edit(actor, project)
    tasks = Task.objects.filter(project=project)
    if not tasks.exists():
        raise ValidationError(gettext("项目还没有任务，不能批准计划"))
    snap = {
        str(t.pk): {"name": t.name, "start": t.start.isoformat(), "finish": t.finish.isoformat()}
        for t in tasks
    }
    baseline = Baseline.objects.create(project=project, approved_by=actor, tasks=snap)
    audit.record("event", project, event="plan_approved", changes={"tasks": len(snap)}, actor=actor)
    return baseline


def baseline_variance(project: Project) -> list[dict]:
    """Each task against the latest baseline: finish slip in working days (+ = later)."""
    from zhuqi.core.workcalendar import working_days_between

    baseline = project.baselines.first()
    out = []
    for t in Task.objects.filter(project=project):
        row: dict[str, Any] = {"task": t, "baseline_start": None, "baseline_finish": None, "slip": None}
        snap = baseline.tasks.get(str(t.pk)) if baseline else None
        if snap:
            bf = dt.date.fromisoformat(snap["finish"])
            row.update(
                baseline_start=dt.date.fromisoformat(snap["start"]),
                baseline_finish=bf,
                slip=working_days_between(bf, t.finish),
            )
        out.append(row)
    return out


# --- investment -----------------------------------------------------------------------------------
def split_amount(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `amount` yuan over months by weights, to the fen; the rounding remainder goes
    to the last month with a weight, so the parts always add up."""
    total_w = sum(weights, Decimal(0))
    if total_w <= 0:
        raise ValidationError(gettext("分月比例之和必须大于 0"))
    parts = [(amount * w / total_w).quantize(Decimal("0.01"), ROUND_DOWN) for w in weights]
    last = max(i for i, w in enumerate(weights) if w > 0)
    parts[last] += amount - sum(parts, Decimal(0))
    return parts


# The year-to-date rows (ProjectProgress) are derived from the months. The services that change
# months refresh them once, in their own transaction; the InvestmentMonth signals refresh them
# after changes made elsewhere (the admin, a script). Not audited: derived data, whose causes
# are audited (investment_planned / investment_reported, the admin's row diffs).
_progress_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "zhuqi_progress_deferred", default=False
)


def refresh_progress(project_ids=None, years=None) -> None:
    """Recompute the year-to-date rows of the given projects and years (all when None)."""
    ProjectProgress.objects.rebuild(project_ids, years)


def month_changed(month: InvestmentMonth) -> None:
    """An InvestmentMonth row was saved or deleted (the signal receiver calls this)."""
    if not _progress_deferred.get():
        refresh_progress([month.project_id], [month.year])


@contextlib.contextmanager
def _months_of(project: Project, year: int):
    """Change months of one project and year, then refresh its progress once."""
    token = _progress_deferred.set(True)
    try:
        yield
    finally:
        _progress_deferred.reset(token)
    refresh_progress([project.pk], [year])


@transaction.atomic
def plan_year(
    project: Project,
    *,
    year: int,
    amount: Decimal | None = None,
    method: str = "even",
    profile: list | None = None,
    months: list | None = None,
    actor,
) -> list[InvestmentMonth]:
    """Set a year's planned investment by month: evenly, by a profile (12 weights) or by hand
    (12 amounts). The ledger's year plan follows when `year` is the current year."""
    _require_edit(actor, project)
    project = _lock(project)
    if method in ("even", "profile") and amount is None:
        raise ValidationError({"amount": gettext("请填写年度计划投资")})
    if method == "even":
        parts = split_amount(Decimal(amount or 0), [Decimal(1)] * 12)
    elif method == "profile":
        if not profile or len(profile) != 12:
            raise ValidationError({"profile": gettext("分月比例需要 12 个数")})
        parts = split_amount(Decimal(amount or 0), [Decimal(str(w)) for w in profile])
    elif method == "manual":
        if not months or len(months) != 12:
            raise ValidationError({"months": gettext("请填写 12 个月的计划投资")})
        parts = [Decimal(str(m or 0)) for m in months]
    else:
        raise ValidationError({"method": gettext("分解方式只能是平均、按比例或手工")})
    if any(p < 0 for p in parts):
        raise ValidationError({"months": gettext("计划投资不能为负数")})
    rows = []
    with _months_of(project, year):
        for m, part in enumerate(parts, start=1):
            row, _ = InvestmentMonth.objects.update_or_create(
                project=project, year=year, month=m, defaults={"planned": part}
            )
            rows.append(row)
    total = sum(parts, Decimal(0))
    if year == timezone.localdate().year:
        project.year_planned_investment = total
        project.save(update_fields=["year_planned_investment"])
    audit.record(
        "event",
        project,
        event="investment_planned",
        changes={"year": year, "method": method, "total": total},
        actor=actor,
    )
    return rows


class OverwriteNeedsReason(ValidationError):
    """The month already has a different completed investment: overwriting it needs a reason
    (the page, the API and the import ask for it). `old` is the stored value in yuan."""

    def __init__(self, old: Decimal, year: int, month: int):
        message = gettext(
            "%(year)s年%(month)s月已填报完成投资 %(old)s 万元；修改已有数值须确认并填写修改原因，原值将保留在历史记录中"
        ) % {"year": year, "month": month, "old": (old / WAN).quantize(Decimal("0.01"))}
        super().__init__({"reason": message})
        self.old = old


@transaction.atomic
def record_actual(
    project: Project, *, year: int, month: int, amount: Decimal, actor, reason: str = ""
) -> InvestmentMonth:
    """Enter one month's completed investment (yuan). Nothing is silently overwritten: when the
    month already has a different value, `reason` is required (else `OverwriteNeedsReason`), and
    the old value, the new one and the reason are kept in the project's history
    (`investment_corrected`). Entering the same value again changes nothing."""
    _require_edit(actor, project)
    if not 1 <= month <= 12:
        raise ValidationError({"month": gettext("月份必须在 1–12 之间")})
    amount = Decimal(amount)
    if amount < 0:
        raise ValidationError({"amount": gettext("完成投资不能为负数")})
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError({"month": gettext("不能填报未来月份的完成投资")})
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": gettext("修改原因不能超过 200 字")})
    with _months_of(project, year):
        row, _ = InvestmentMonth.objects.select_for_update().get_or_create(
            project=project, year=year, month=month
        )
        old = row.actual
        if old is not None and old == amount:
            return row
        if old is not None and not reason:
            raise OverwriteNeedsReason(old, year, month)
        row.actual = amount
        row.reported_at = timezone.now()
        row.save()
    audit.record(
        "event",
        project,
        event="investment_reported" if old is None else "investment_corrected",
        changes={"period": f"{year}-{month:02d}", "actual": [old, amount]},
        message=reason if old is not None else "",
        actor=actor,
    )
    return row


# --- archive (soft delete of a mistaken project) ----------------------------------------------------
def open_project_cases(project: Project) -> int:
    """Open cases raised from `project` (they must be handled before it is archived)."""
    from zhuqi.cases.models import OPEN_STATUSES

    return ProjectCase.objects.filter(project=project, case__status__in=OPEN_STATUSES).count()


def owned_projects_check(enterprise) -> str | None:
    """enterprises' archive check: live projects still name the enterprise as their owner."""
    n = Project.objects.filter(owner=enterprise).count()
    return gettext("是 %(n)s 个重点项目的业主单位（请先更正项目的业主单位）") % {"n": n} if n else None


@transaction.atomic
def archive_project(project: Project, *, actor, reason: str) -> Project:
    """Archive a project entered by mistake: it leaves the ledger, boards, figures, campaigns,
    rankings, exports and API listings, keeps its rows and history, and can be restored by a
    system administrator. The dispatch office of its area or an administrator; refused while
    cases raised from it are open."""
    from django.http import Http404

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写归档原因")})
    if len(reason) > 200:
        raise ValidationError({"reason": gettext("归档原因不能超过 200 字")})
    if not Project.objects.visible_to(actor).filter(pk=project.pk).exists():
        raise Http404
    project = Project.objects.select_for_update().select_related("region").get(pk=project.pk)
    if not can_manage_area(actor, project.region, "projects.archive"):
        raise PermissionDenied(gettext("只有本区域的专班办公室或系统管理员可以归档项目"))
    n = open_project_cases(project)
    if n:
        raise ValidationError(gettext("不能归档：该项目有 %(n)s 件未办结的诉求，请先办结或更正") % {"n": n})
    project.archived_at, project.archived_by, project.archive_reason = timezone.now(), actor, reason
    project.save(update_fields=["archived_at", "archived_by", "archive_reason"])
    audit.record(
        "event",
        project,
        event="project_archived",
        changes={"code": project.code},
        message=reason,
        actor=actor,
    )
    notify(
        [
            u
            for u in [project.leader, *User.objects.filter(role=Role.ADMIN, is_active=True)]
            if u and u.pk != actor.pk
        ],
        gettext("项目已归档：%(name)s") % {"name": project.name},
        body=reason,
    )
    return project


@transaction.atomic
def restore_project(project: Project, *, actor, reason: str = "") -> Project:
    """Bring an archived project back (system administrators)."""
    from django.http import Http404

    permissions.require(actor, "core.archive.restore", gettext("只有系统管理员可以恢复已归档的项目"))
    found = Project.all_objects.select_for_update().filter(pk=project.pk, archived_at__isnull=False).first()
    if found is None:
        raise Http404
    project = found
    archived_by = project.archived_by
    project.archived_at, project.archived_by, project.archive_reason = None, None, ""
    project.save(update_fields=["archived_at", "archived_by", "archive_reason"])
    audit.record(
        "event",
        project,
        event="project_restored",
        changes={"code": project.code},
        message=(reason or "").strip()[:200],
        actor=actor,
    )
    recipients = [u for u in (archived_by, project.leader) if u is not None and u.pk != actor.pk]
    notify(
        recipients,
        gettext("已归档的项目已恢复：%(name)s") % {"name": project.name},
        url=reverse("projects:project_detail", args=[project.pk]),
    )
    return project


# --- 三个一批 -----------------------------------------------------------------------------------------
def _config_region(actor, region, *, what: str):
    """The organising region of a campaign or ranking rule: one the actor manages (the dispatch
    office's own subtree, administrators anywhere); anything else as if it did not exist."""
    from zhuqi.core.models import Region

    if region is None or not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": gettext("找不到该区划（或不在您的管辖范围内）")})
    if not can_manage_area(actor, region, "projects.configure"):
        raise PermissionDenied(gettext("只有本区域的专班办公室或系统管理员可以设置%(what)s") % {"what": what})
    return region


@transaction.atomic
def save_campaign(
    campaign: Campaign | None,
    *,
    actor,
    name: str,
    region,
    year: int,
    round_no: int = 1,
    held_on: dt.date | None = None,
    thresholds: dict | None = None,
) -> Campaign:
    """Create (`campaign` None) or change a round of 三个一批: its name, organising region, year,
    round number, date and entry thresholds by project kind (yuan)."""
    from django.http import Http404

    from zhuqi.core.units import MAX_YEAR, MIN_YEAR

    what = gettext("三个一批期次")
    if campaign is not None:
        if not Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists():
            raise Http404
        # locked apart from the scope query: PostgreSQL locks no row of an outer join's nullable side
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _config_region(actor, campaign.region, what=what)
    _config_region(actor, region, what=what)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写名称")})
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise ValidationError(
            {"year": gettext("年度应在 %(min)s–%(max)s 之间") % {"min": MIN_YEAR, "max": MAX_YEAR}}
        )
    if int(round_no) < 1:
        raise ValidationError({"round_no": gettext("期次从 1 开始")})
    clean: dict[str, str] = {}
    for kind, value in (thresholds or {}).items():
        if kind not in Project.Kind.values:
            raise ValidationError({"thresholds": gettext("项目类型「%(kind)s」无效") % {"kind": kind}})
        if value in (None, ""):
            continue
        amount = Decimal(str(value))
        if amount < 0:
            raise ValidationError({"thresholds": gettext("入库门槛不能为负数")})
        clean[kind] = str(amount)
    taken = Campaign.objects.filter(region=region, year=year, round_no=round_no).exclude(
        pk=getattr(campaign, "pk", None)
    )
    if taken.exists():
        raise ValidationError(
            {
                "round_no": gettext("%(region)s %(year)s 年第 %(n)s 期已存在")
                % {"region": region.name, "year": year, "n": round_no}
            }
        )
    created = campaign is None
    campaign = campaign or Campaign()
    campaign.name, campaign.region, campaign.year, campaign.round_no = name, region, year, round_no
    campaign.held_on, campaign.thresholds = held_on, clean
    campaign.save()
    audit.record(
        "event",
        campaign,
        event="campaign_created" if created else "campaign_changed",
        changes={gettext_noop("名称"): name, gettext_noop("年度"): year, gettext_noop("期次"): round_no},
        actor=actor,
    )
    others = User.objects.filter(role=Role.DISPATCH, region=region, is_active=True).exclude(pk=actor.pk)
    notify(
        list(others),
        gettext("三个一批期次已保存：%(name)s") % {"name": name},
        url=reverse("projects:campaign_detail", args=[campaign.pk]),
    )
    return campaign


def entry_threshold(campaign: Campaign, project: Project) -> Decimal | None:
    value = (campaign.thresholds or {}).get(project.kind)
    return Decimal(str(value)) if value not in (None, "") else None


@transaction.atomic
def add_to_campaign(campaign: Campaign, project: Project, *, batch: str, actor) -> CampaignEntry:
    if not can_manage_area(actor, campaign.region, "projects.campaign.manage"):
        raise PermissionDenied(gettext("您不能调整该期次的项目"))
    if not project.region.path.startswith(campaign.region.path):
        raise ValidationError({"project": gettext("项目不在本期活动的区划内")})
    if batch not in CampaignEntry.Batch.values:
        raise ValidationError({"batch": gettext("批次只能是签约、开工或投产")})
    threshold = entry_threshold(campaign, project)
    if threshold is not None and project.total_investment < threshold:
        raise ValidationError(
            {
                "project": gettext(
                    "「%(kind)s」项目入库门槛为总投资 %(threshold).0f 万元，「%(name)s」只有 %(total).0f 万元"
                )
                % {
                    "kind": project.get_kind_display(),
                    "threshold": threshold / WAN,
                    "name": project.name,
                    "total": project.total_investment / WAN,
                }
            }
        )
    entry, created = CampaignEntry.objects.get_or_create(campaign=campaign, project=project, batch=batch)
    if created:
        audit.record(
            "event",
            campaign,
            event="campaign_entry_added",
            changes={"project": project.name, "batch": batch},
            actor=actor,
        )
    return entry

"""Reads of the projects app (scoped): the list filters and the weekly dispatch overview.
Each starts from `Project.objects.visible_to(user)`; the figures live in figures.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from zhuqi.core.models import Region
from zhuqi.core.params import int_param, year_param
from zhuqi.core.workcalendar import working_days_between

from . import figures
from .models import (
    ApprovalStep,
    CampaignEntry,
    Dependency,
    InvestmentMonth,
    Project,
    Stage,
    StageChange,
    Task,
)


def filter_projects(user, params, qs):
    """The list filters of a query string: text, stage, kind, level, region (within the
    viewer's scope), department and tag."""
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q) | Q(industry__contains=q))
    reached = params.get("reached")  # reached at least this stage (三个一批's rates drill here)
    if reached in Stage.values:
        qs = qs.reached(reached)
    for key in ("stage", "kind", "level"):
        value = params.get(key)
        if value:
            qs = qs.filter(**{key: value})
    region = int_param(params, "region")
    if region:
        r = Region.objects.visible_to(user).filter(pk=region).first()
        if r:
            qs = qs.filter(region__path__startswith=r.path)
    dept = int_param(params, "department")
    if dept:
        qs = qs.filter(department_id=dept)
    tag = params.get("tag")
    if tag:
        if connection.vendor == "postgresql":
            qs = qs.filter(tags__contains=[tag])
        else:  # SQLite has no JSON containment: match in Python over (pk, tags)
            qs = qs.filter(pk__in=[pk for pk, tags in qs.values_list("pk", "tags") if tag in (tags or [])])
    return qs


LIGHTS = ("green", "yellow", "red", "grey")


def report_period(params) -> tuple[int, int]:
    """The report month the list, its lights and the 月报表 read: `year`/`month` of the query
    string, else the month being reported now (figures.report_period)."""
    from django.utils import timezone

    year, month = figures.report_period(timezone.localdate())
    y = year_param(params) if "year" in params else year
    m = int_param(params, "month", maximum=12) if "month" in params else month
    if y and m:
        return y, m
    return year, month


def listed_projects(user, params, *, year: int, month: int):
    """The project list as the query string filters it (`filter_projects`, then the light at the
    report month): the page shows these rows and the 月报表 exports exactly them, in this order."""
    qs = filter_projects(user, params, Project.objects.visible_to(user))
    light = params.get("light")
    if light in LIGHTS:
        qs = figures.projects_with_light(qs, year, month, light)
    return qs.select_related("region", "department", "leader").order_by("code", "pk")


def dispatch_overview(user, *, since: dt.date, today: dt.date, year: int, month: int) -> dict:
    """The weekly dispatch view: what moved since `since`, what is stuck today, the red
    projects of the report month and how many have not reported it."""
    visible = Project.objects.visible_to(user)
    moved = (
        StageChange.objects.filter(project__in=visible, created_at__date__gte=since)
        .select_related("project", "confirmed_by")
        .order_by("-created_at")[:100]
    )
    approvals_done = (
        ApprovalStep.objects.filter(project__in=visible, done_on__gte=since)
        .select_related("project", "step_type", "department")
        .order_by("-done_on")[:100]
    )
    overdue = list(
        ApprovalStep.objects.filter(
            project__in=visible, status=ApprovalStep.Status.IN_PROGRESS, due_date__lt=today
        )
        .select_related("project", "step_type", "department")
        .order_by("due_date")[:100]
    )
    for a in overdue:
        a.days_late = working_days_between(a.due_date, today)
    late_tasks = (
        Task.objects.filter(project__in=visible, done_on__isnull=True, finish__lt=today)
        .select_related("project")
        .order_by("finish")[:100]
    )
    prog = figures.progress_by_project(visible, year, month)
    red_ids = [pk for pk, p in prog.items() if p.light == "red"]
    red = visible.filter(pk__in=red_ids).select_related("department")[:100]
    reds = [(p, prog[p.pk]) for p in red]
    reds.sort(key=lambda x: x[1].lead)
    unreported = visible.filter(
        pk__in=InvestmentMonth.objects.filter(
            year=year, month=month, actual__isnull=True, planned__gt=0
        ).values("project")
    ).count()
    return {
        "moved": moved,
        "approvals_done": approvals_done,
        "overdue": overdue,
        "late_tasks": late_tasks,
        "reds": reds,
        "unreported": unreported,
    }


def approvals_of(project: Project, today: dt.date) -> list[ApprovalStep]:
    """The project's approval steps in order, each marked overdue (and by how many working
    days) as of `today`."""
    approvals = list(project.approvals.select_related("step_type", "department").order_by("step_type__order"))
    for a in approvals:
        a.overdue = a.is_overdue(today)
        a.days_late = working_days_between(a.due_date, today) if a.overdue else 0
    return approvals


def schedule_of(project: Project) -> tuple[list[Task], list[tuple[int, int]]]:
    """The project's tasks (each with its baseline finish, slip and risk) and its links as
    (predecessor id, successor id) pairs."""
    from .services import baseline_variance

    tasks = list(Task.objects.filter(project=project).order_by("order", "start", "id"))
    links = list(
        Dependency.objects.filter(successor__project=project).values_list("predecessor_id", "successor_id")
    )
    variance = {r["task"].pk: r for r in baseline_variance(project)} if tasks else {}
    for t in tasks:
        v = variance.get(t.pk)
        t.baseline_finish = v["baseline_finish"] if v else None
        t.slip = v["slip"] if v else None
        t.at_risk = t.late_start is not None and t.start > t.late_start
    return tasks, links


def campaign_batches(campaign, visible) -> dict[str, list[CampaignEntry]]:
    """The campaign's entries among the `visible` projects, batch → entries by project code."""
    entries = (
        CampaignEntry.objects.filter(campaign=campaign, project__in=visible)
        .select_related("project", "project__region")
        .order_by("batch", "project__code")
    )
    batches: dict[str, list[CampaignEntry]] = {b: [] for b, _label in CampaignEntry.Batch.choices}
    for e in entries:
        batches[e.batch].append(e)
    return batches


def completed_investment(project_ids, until: dt.date) -> dict[int, tuple[Decimal, bool]]:
    """project → (its completed investment (完成投资, yuan) from its first month to the month of
    `until`, whether that month is closed: reported, or a later month reported). Projects without
    a reported month are left out. One query, for another module checking a commitment against
    it (attraction's 固定资产投资 and 投资强度 obligations, read by its daily sweep)."""
    from django.db.models import Count, Sum

    ids = list(project_ids)
    if not ids:
        return {}
    upto = Q(year__lt=until.year) | Q(year=until.year, month__lte=until.month)
    rows = (
        InvestmentMonth.objects.filter(project_id__in=ids, actual__isnull=False)
        .values("project_id")
        .annotate(
            total=Sum("actual", filter=upto),
            closing=Count("pk", filter=~Q(upto) | Q(year=until.year, month=until.month)),
        )
    )
    return {r["project_id"]: (r["total"] or Decimal(0), r["closing"] > 0) for r in rows}

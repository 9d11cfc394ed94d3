"""Reads of the projects app (scoped): the list filters and the weekly dispatch overview.
Each starts from `Project.objects.visible_to(user)`; the figures live in figures.py."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Q

from zhuqi.core.models import Region
from zhuqi.core.workcalendar import working_days_between

from . import figures
from .models import ApprovalStep, InvestmentMonth, Project, StageChange, Task


def filter_projects(user, params, qs):
    """The list filters of a query string: text, stage, kind, level, region (within the
    viewer's scope), department and tag."""
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q) | Q(industry__contains=q))
    for key in ("stage", "kind", "level"):
        value = params.get(key)
        if value:
            qs = qs.filter(**{key: value})
    region = params.get("region")
    if region and region.isdigit():
        r = Region.objects.visible_to(user).filter(pk=region).first()
        if r:
            qs = qs.filter(region__path__startswith=r.path)
    dept = params.get("department")
    if dept and dept.isdigit():
        qs = qs.filter(department_id=dept)
    tag = params.get("tag")
    if tag:
        if connection.vendor == "postgresql":
            qs = qs.filter(tags__contains=[tag])
        else:  # SQLite has no JSON containment: match in Python over (pk, tags)
            qs = qs.filter(pk__in=[pk for pk, tags in qs.values_list("pk", "tags") if tag in (tags or [])])
    return qs


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

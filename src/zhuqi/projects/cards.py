"""The projects card on officials' home pages."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from zhuqi.core.roles import Role

from . import figures, rollups
from .models import Project


def _from_rollup(user, year: int, month: int) -> dict | None:
    """The card's figures from 重点项目汇总 (rollups.py) for the viewer's whole scope — the
    administrator's every project, a region-scoped official's subtree — when it may be read and
    no project the viewer sees lies outside that subtree (`Project.scope_q` adds their own
    department's and those they lead); else None (count the rows)."""
    from zhuqi.core.scope import scope_for

    s = scope_for(user)
    path = "" if s.is_admin else (s.region_path or "")
    if not s.is_admin:
        if not path:
            return None
        own = Q(leader=user)
        if getattr(user, "department_id", None):
            own |= Q(department_id=user.department_id)
        if Project.objects.filter(own).exclude(region_path__startswith=path).exists():
            return None
    kept = rollups.summary(user, path, year, month)
    if kept is None:
        return None
    sums = kept["sums"]
    prog = figures.Progress(
        year,
        month,
        *(Decimal(sums[f]) for f in ("planned_year", "planned_ytd", "actual_ytd", "actual_month")),
    )
    return {"total": kept["total"], "progress": prog, "started": kept["started"]}


def projects_card(request) -> dict | None:
    user = request.user
    if not user.is_authenticated or user.role == Role.ENTERPRISE:
        return None
    year, month = figures.report_period(timezone.localdate())
    kept = _from_rollup(user, year, month)
    if kept is not None:
        if not kept["total"]:
            return None
        return {"template": "projects/_home_card.html", **kept}
    projects = Project.objects.visible_to(user)
    total = projects.count()
    if not total:
        return None
    prog = figures.progress_total(projects, year, month)
    return {
        "template": "projects/_home_card.html",
        "total": total,
        "progress": prog,
        "started": projects.filter(started_on__isnull=False).count(),
    }

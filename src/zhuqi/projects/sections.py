"""The enterprise page's 重点项目 panel: the projects the enterprise owns, with stage and the
investment light of the report month; only those the viewer may see, in two queries."""

from __future__ import annotations

from django.utils import timezone

from . import figures
from .models import Project

SHOWN = 20


def projects_section(request, enterprise):
    projects = list(
        Project.objects.visible_to(request.user)
        .filter(owner=enterprise)
        .select_related("department")
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    if not projects:
        return None
    year, month = figures.report_period(timezone.localdate())
    progress = figures.progress_by_project([p.pk for p in projects], year, month)
    return {
        "template": "projects/sections/enterprise_projects.html",
        "rows": [(p, progress.get(p.pk)) for p in projects],
        "year": year,
        "month": month,
    }

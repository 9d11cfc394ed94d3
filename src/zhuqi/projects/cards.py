"""The projects card on officials' home pages."""

from __future__ import annotations

from django.utils import timezone

from zhuqi.core.roles import Role

from . import figures
from .models import Project


def projects_card(request) -> dict | None:
    user = request.user
    if not user.is_authenticated or user.role == Role.ENTERPRISE:
        return None
    projects = Project.objects.visible_to(user)
    total = projects.count()
    if not total:
        return None
    year, month = figures.report_period(timezone.localdate())
    prog = figures.progress_total(projects, year, month)
    return {
        "template": "projects/_home_card.html",
        "total": total,
        "progress": prog,
        "started": projects.filter(started_on__isnull=False).count(),
    }

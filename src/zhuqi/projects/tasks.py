"""Background tasks of the projects app (each also a management command)."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _


@shared_task(ignore_result=True)
def sweep_overdue_approvals() -> int:
    from zhuqi.core import audit

    from . import rollups, services

    with audit.acting_as(None, label=_("任务: projects.sweep_overdue_approvals")):
        n = services.sweep_overdue_approvals()
    rollups.refresh()  # the marked pairs of 重点项目汇总 (projects-figures.md §Rollup)
    return n


@shared_task(ignore_result=True)
def refresh_rollups() -> int:
    """重点项目汇总: rebuild the marked pairs (projects-figures.md §Rollup)."""
    from . import rollups

    return rollups.refresh()

"""Background tasks of the projects app (each also a management command)."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _


@shared_task(ignore_result=True)
def sweep_overdue_approvals() -> int:
    from zhuqi.core import audit

    from . import services

    with audit.acting_as(None, label=_("任务: projects.sweep_overdue_approvals")):
        return services.sweep_overdue_approvals()

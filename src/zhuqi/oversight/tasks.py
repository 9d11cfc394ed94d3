"""Background tasks of the oversight app (in-process unless REDIS_URL is set)."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _


@shared_task(ignore_result=True)
def sweep_items() -> str:
    from zhuqi.core import audit

    from .sweep import sweep

    with audit.acting_as(None, label=_("任务: oversight.sweep_items")):
        return str(sweep())


@shared_task(ignore_result=True)
def calendar_reminders() -> int:
    from zhuqi.core import audit

    from .calendar_events import send_reminders

    with audit.acting_as(None, label=_("任务: oversight.calendar_reminders")):
        return send_reminders()

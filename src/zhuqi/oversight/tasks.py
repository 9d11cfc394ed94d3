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


#: seconds before a delivery of `render_bulletin` that found the bulletin held elsewhere asks again
RENDER_BUSY_RETRY = 60


@shared_task(ignore_result=True, bind=True, max_retries=None)
def render_bulletin(self, bulletin_id: int) -> str:
    """Render a published bulletin's Word and PDF once and store them (oversight.bulletin_files);
    queued when the publication commits. Delivered again while another worker renders it, it
    asks again later; delivered again after, it finds the files stored and does nothing."""
    from .bulletin_files import BUSY, render_published

    status = render_published(bulletin_id)
    if status == BUSY and not self.request.is_eager:  # in-process, a retry would run at once, in a loop:
        raise self.retry(countdown=RENDER_BUSY_RETRY)  # the holder stores the files, or a download does
    return status

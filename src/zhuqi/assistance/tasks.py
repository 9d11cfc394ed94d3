"""Background jobs of the assistance app (each also a management command)."""

from celery import shared_task


@shared_task(name="assistance.visit_reminders")
def visit_reminders() -> int:
    from .services import send_visit_reminders

    return send_visit_reminders()

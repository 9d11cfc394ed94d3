"""Background tasks of the core app (run in-process unless REDIS_URL is set)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def deliver_notifications(ids: list[int]) -> int:
    from .models import Notification
    from .notify import deliver

    return deliver(Notification.objects.filter(pk__in=ids).select_related("recipient"))


@shared_task(ignore_result=True)
def chain_audit() -> int:
    """Periodic catch-up: link audit entries whose after-commit step found the chain busy, and
    write a checkpoint of the chain head outside the database when one is due
    (`ZHUQI_AUDIT_CHECKPOINT_EVERY`, core.audit_checkpoints)."""
    from . import audit, audit_checkpoints

    linked = audit.chain_pending(wait=True)
    if audit_checkpoints.due():
        audit_checkpoints.write("interval")
    return linked


@shared_task(ignore_result=True)
def run_import(job_id: int) -> str:
    """Apply a large confirmed Excel import (an `ImportJob`), storing its progress on the job."""
    from .imports import run_job

    return run_job(job_id)

"""Background tasks of the core app (run in-process unless REDIS_URL is set)."""

from __future__ import annotations

from celery import shared_task
from celery.signals import before_task_publish

HEARTBEAT_TASK = "zhuqi.core.tasks.heartbeat"


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


@shared_task(ignore_result=True, name=HEARTBEAT_TASK)
def heartbeat() -> None:
    """Sent by beat every minute; running it marks the worker alive (/healthz, /metrics)."""
    from . import heartbeat as marks

    marks.mark(marks.WORKER)


@before_task_publish.connect(dispatch_uid="zhuqi_beat_heartbeat")
def _beat_sent_heartbeat(sender=None, **kwargs) -> None:
    """In the process that sends the heartbeat task (beat): mark beat alive. Other processes
    never send it, so this marks beat only."""
    if sender != HEARTBEAT_TASK:
        return
    from . import heartbeat as marks

    marks.mark(marks.BEAT)

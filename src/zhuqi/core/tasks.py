"""Background tasks of the core app (run in-process unless REDIS_URL is set)."""

from __future__ import annotations

from celery import shared_task
from celery.signals import before_task_publish

HEARTBEAT_TASK = "zhuqi.core.tasks.heartbeat"


#: notifications taken (and then sent) per transaction by `deliver_notifications`
DELIVER_BATCH = 200


@shared_task(ignore_result=True)
def deliver_notifications(ids: list[int]) -> int:
    """Send the notifications through the outbound channels, each at most once: a batch is
    taken (`sent_at` set, rows locked against a second worker) in a short transaction before
    it is sent, so a task delivered again after its worker died skips what was already taken.
    A worker killed between taking a batch and sending it loses those outbound copies, never the
    inbox rows (docs/operations.md §"When a worker dies")."""
    from django.db import transaction
    from django.utils import timezone

    from .models import Notification
    from .notify import channels, deliver

    if not channels():
        return 0
    sent = 0
    for start in range(0, len(ids), DELIVER_BATCH):
        with transaction.atomic():
            taken = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=ids[start : start + DELIVER_BATCH], sent_at__isnull=True)
                .select_related("recipient")
                .order_by("pk")
            )
            Notification.objects.filter(pk__in=[n.pk for n in taken]).update(sent_at=timezone.now())
        sent += deliver(taken)
    return sent


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


#: seconds before a delivery of `run_import` that found its job running elsewhere asks again
IMPORT_BUSY_RETRY = 60


@shared_task(ignore_result=True, bind=True, max_retries=None)
def run_import(self, job_id: int) -> str:
    """Apply a large confirmed Excel import (an `ImportJob`), storing its progress on the job.
    Delivered again while another worker still runs the job (a run longer than the broker's
    visibility timeout, or a dead worker's database session not yet closed), it asks again
    later instead of running the job a second time or dropping it."""
    from .imports import BUSY, run_job

    status = run_job(job_id)
    if status == BUSY:
        raise self.retry(countdown=IMPORT_BUSY_RETRY)
    return status


@shared_task(ignore_result=True, bind=True, max_retries=None)
def run_export(self, job_id: int) -> str:
    """Write a large Excel export (an `ExportJob`) as the user who asked for it (core.exports);
    delivered again while another worker still writes it, it asks again later."""
    from .exports import BUSY, run_job

    status = run_job(job_id)
    if status == BUSY:
        raise self.retry(countdown=IMPORT_BUSY_RETRY)
    return status


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

"""Background tasks of the cases app (in-process unless REDIS_URL is set)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def sweep_cases() -> str:
    from zhuqi.core import heartbeat

    from .sweep import sweep

    result = str(sweep())
    heartbeat.mark(heartbeat.CASES_SWEEP)  # the sweep lag on /metrics
    return result

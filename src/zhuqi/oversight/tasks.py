"""Background tasks of the oversight app (in-process unless REDIS_URL is set)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def sweep_items() -> str:
    from .sweep import sweep

    return str(sweep())

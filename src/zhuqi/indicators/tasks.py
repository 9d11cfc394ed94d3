"""Background tasks of the indicators app (in-process unless REDIS_URL is set)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def refresh_rollups() -> int:
    """Rebuild the rollups of the (indicator, period) pairs written since the last run."""
    from .rollups import refresh

    return refresh()

"""When a background duty last ran: one `Heartbeat` row per name, read by /healthz
(core.health) and /metrics (core.metrics).

* `WORKER`: the Celery task `zhuqi.core.tasks.heartbeat`, which beat sends every minute, ran on
  a worker (a dead worker, or a queue backed up behind long tasks, makes it old).
* `BEAT`: beat sent that task (marked in the sending process by a `before_task_publish`
  handler, so a dead beat shows even while the workers are fine).
* `CASES_SWEEP`: `zhuqi sweep_cases` or its task finished a run.
* `BACKUP`: `zhuqi backup` finished (core.backup).
"""

from __future__ import annotations

import datetime as dt

from django.db.utils import DatabaseError
from django.utils import timezone

WORKER = "worker"
BEAT = "beat"
CASES_SWEEP = "cases_sweep"
BACKUP = "backup"
NAMES = (WORKER, BEAT, CASES_SWEEP, BACKUP)


def mark(name: str, at: dt.datetime | None = None) -> None:
    """Record that `name` ran now (or at `at`)."""
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})


def last(name: str) -> dt.datetime | None:
    from .models import Heartbeat

    try:
        return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
    except DatabaseError:  # table not migrated yet
        return None


def ages(now: dt.datetime | None = None) -> dict[str, float | None]:
    """Seconds since each mark ran (None: never), in one query."""
    from .models import Heartbeat

    now = now or timezone.now()
    try:
        seen = dict(Heartbeat.objects.values_list("name", "at"))
    except DatabaseError:
        seen = {}
    return {name: ((now - seen[name]).total_seconds() if name in seen else None) for name in NAMES}

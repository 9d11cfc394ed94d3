"""Loading the demo once for a test module: the core and registry demo, then each module's
loader (the last one twice: a second run must add nothing), at a fixed moment, in a transaction
rolled back when the module's tests are done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import time_machine

#: the moment the demo tests load the demo at (the demo's returns run to October 2026)
DEMO_MOMENT = dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)


@contextmanager
def demo_loaded(django_db_blocker, *loaders: Callable[[dict], object]) -> Iterator[dict]:
    """The demo context after `load_core()` and `loaders` (each called with the context; the
    last called twice)."""
    from django.db import transaction

    from zhuqi.core import audit
    from zhuqi.core.demo import load_core

    with (
        django_db_blocker.unblock(),
        time_machine.travel(DEMO_MOMENT, tick=False),
        audit.acting_as(None, label="命令: zhuqi demo"),
        transaction.atomic(),
    ):
        context = load_core()
        for load in loaders:
            load(context)
        if loaders:
            loaders[-1](context)  # a second run adds nothing
        yield context
        transaction.set_rollback(True)

"""A return written while the rollup job runs is never lost from a figure that reads as fresh
(indicators/rollups.py): the writer holds its stale mark until it commits, the job waits for
it and then reads its values. With real threads on PostgreSQL; on SQLite one after the other."""

from __future__ import annotations

import importlib
import threading
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.db import connection, connections, transaction

from zhuqi.indicators import figures, rollups, services
from zhuqi.indicators.figures import Entity
from zhuqi.indicators.periods import Period
from zhuqi.indicators.services import Entry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
P = Period.parse


@pytest.fixture(autouse=True)
def reference_data():
    """An earlier flush may have taken the standard indicator set (a migration's data)."""
    importlib.import_module("zhuqi.indicators.migrations.0002_standard_set").load(apps, None)


def test_a_return_written_during_the_rollup_job_is_in_the_rollup(example):
    w = example.world
    rollups.refresh(everything=True)
    pair = (example.output.pk, "202610")
    rollups.mark_stale([pair])  # an earlier write's mark, committed, waiting for the job
    entry = Entry(example.output, P("202610"), enterprise=example.small, cumulative=D(150), row="第1行")

    def write():
        services.record_values([entry], actor=w.alice, source="behalf")

    if connection.vendor != "postgresql":
        write()
        rollups.refresh()
    else:
        written, go, errors = threading.Event(), threading.Event(), []

        def writer():
            try:
                with transaction.atomic():
                    write()
                    written.set()
                    go.wait(30)  # still open while the job starts
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
                written.set()
            finally:
                connections.close_all()

        def job():
            try:
                rollups.refresh()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connections.close_all()

        t_write = threading.Thread(target=writer)
        t_write.start()
        assert written.wait(30)
        t_job = threading.Thread(target=job)
        t_job.start()
        t_job.join(2)
        assert t_job.is_alive()  # waiting for the open writer's mark
        go.set()
        t_write.join(30)
        t_job.join(30)
        assert not errors
    assert rollups.fresh([pair])
    f = figures.figure(w.admin, example.output, P("202610"), Entity.of(region=w.county))
    assert f.actual == D(950)  # 500 + 300 + 150, read from the rollup

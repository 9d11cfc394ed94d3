"""Smoke test of the sweep and import benchmarks at a tiny county (seconds): the import bench
runs, and on PostgreSQL the sweep's raw-SQL floor makes the same changes the sweep makes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bench import bench_sweep_import, benchmarks
from zhuqi.scale.generate import generate

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


def test_import_benchmark_runs():
    generate("tiny", seed=5, today=TODAY, verbosity=0)
    users = benchmarks.generated_users()
    dry, applied = bench_sweep_import.bench_import(users, rows=30, repeat=1)
    assert dry.rows == applied.rows == 30 and dry.ratio and applied.ratio and applied.queries


def test_org_bodies_are_unique():
    bodies = {bench_sweep_import._org_body(i) for i in range(40_000)}
    assert len(bodies) == 40_000 and all(len(b) == 8 and b.startswith("MB") for b in bodies)


class _Rollback(Exception):
    pass


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor is PostgreSQL SQL")
def test_sweep_floor_makes_the_changes_the_sweep_makes():
    from zhuqi.cases.models import Case, CaseClock, Escalation
    from zhuqi.cases.sweep import sweep

    generate("tiny", seed=5, today=TODAY, verbosity=0)
    now = timezone.now() + dt.timedelta(days=3)

    def state():
        return (
            sorted(Case.objects.values_list("pk", "escalation_level")),
            sorted(Escalation.objects.values_list("case_id", "from_level", "to_level", "reason", "note")),
            CaseClock.objects.filter(overdue_flagged_at=now).count(),
            CaseClock.objects.filter(reminded_at=now).count(),
        )

    for run in (sweep, bench_sweep_import.sweep_floor):
        try:
            with transaction.atomic():
                run(now)
                if run is sweep:
                    expected = state()
                else:
                    assert state() == expected
                raise _Rollback
        except _Rollback:
            pass
    assert expected[2] > 0 and len(expected[1]) > 0

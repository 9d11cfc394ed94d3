"""Two bulletins of one region published at the same moment get two numbers (the region's row
locks its numbering). With real threads on PostgreSQL; on SQLite one after the other."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from zhuqi.oversight import services_bulletin as sb
from zhuqi.oversight.models import Bulletin

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FIGURES = {
    "cases": {"accepted": 0, "closed": 0, "close_rate": None, "rows": [], "top": [], "bottom": []},
    "items": [],
    "projects": {},
    "visits": 1,
}


def test_two_publications_at_once_take_two_numbers(world):
    bulletins = [
        Bulletin.objects.create(
            region=world.county,
            year=2026,
            month=m,
            title=f"{m}",
            issuer="x",
            figures=FIGURES,
            status=Bulletin.Status.APPROVED,
        )
        for m in (3, 4)
    ]
    if connection.vendor != "postgresql":
        for b in bulletins:
            sb.publish_bulletin(b, actor=world.supervisor)
    else:
        barrier = threading.Barrier(2)
        errors: list = []

        def run(b):
            try:
                barrier.wait()
                sb.publish_bulletin(b, actor=world.supervisor)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(b,)) for b in bulletins]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors
    assert sorted(Bulletin.objects.values_list("number", flat=True)) == [1, 2]

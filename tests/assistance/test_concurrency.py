"""Two concurrent writes of one thing through the API: one wins, the other gets a clear Chinese
conflict message (never a 500), and nothing is half-saved. With real threads on PostgreSQL; on
SQLite (one writer at a time) the two requests run one after the other."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from tests.enterprises.helpers import credit_code, make_enterprise
from zhuqi.assistance.models import Assignment
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.enterprises.models import Enterprise

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _both(user, requests):
    """POST each (url, body) as `user`, at once on PostgreSQL; return the responses."""

    def post(url, body):
        client = APIClient()
        client.force_authenticate(user)
        return client.post(url, body, format="json")

    if connection.vendor != "postgresql":
        return [post(*r) for r in requests]
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i, request):
        try:
            barrier.wait()
            results[i] = post(*request)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_assignments_of_one_role_at_once(world):
    ent = make_enterprise("恒顺集团有限公司", world.grid)
    body = {"enterprise": ent.pk, "year": 2026, "role": "grid_member"}
    responses = _both(
        world.alice,
        [
            ("/api/v1/assignments/", {**body, "user": world.grid_member.pk}),
            ("/api/v1/assignments/", {**body, "user": world.commissioner.pk}),
        ],
    )
    assert sorted(r.status_code for r in responses) == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400)
    assert "已由" in str(loser.json()) and "工作交接" in str(loser.json())
    winner = Assignment.objects.get(enterprise=ent, year=2026, role="grid_member", ended_on__isnull=True)
    assert Assignment.objects.filter(enterprise=ent).count() == 1
    # only the holder was told, and one assignment event was recorded
    assert Notification.objects.filter(title__contains="恒顺集团").count() == 1
    assert Notification.objects.get(title__contains="恒顺集团").recipient_id == winner.user_id
    assert AuditEntry.objects.filter(event="assigned").count() == 1


def test_two_registrations_of_one_credit_code_at_once(world):
    code = credit_code()
    body = {"credit_code": code, "region": world.grid.pk}
    responses = _both(
        world.alice,
        [
            ("/api/v1/enterprises/", {**body, "name": "恒顺集团有限公司"}),
            ("/api/v1/enterprises/", {**body, "name": "恒顺集团（重复）有限公司"}),
        ],
    )
    assert sorted(r.status_code for r in responses) == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400)
    assert loser.json() == {"credit_code": [f"统一社会信用代码 {code} 已登记"]}
    assert Enterprise.objects.filter(credit_code=code).count() == 1
    assert AuditEntry.objects.filter(event="enterprise_registered").count() == 1

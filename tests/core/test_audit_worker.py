"""Audit chaining in the worker, for real (issue #19 items 1 and 5): with REDIS_URL set, a request
whose transaction could not link its own entries (another writer was open) leaves them to the
Celery worker — it queues `chain_audit` after commit instead of linking in the request — and a
real worker on a real Redis then links them, and the chain verifies. A transaction found alone
links its own entries as before and queues nothing. PostgreSQL only (the worker is another
process and must see the test database; on SQLite entries are linked as they are written)."""

from __future__ import annotations

import threading
import time

import pytest
import redis as redis_client
from django.db import connection, connections, transaction

from tests.core.test_worker_heartbeat import worker_env
from tests.core.test_worker_kill import _wait, _worker
from zhuqi.core import audit, tasks
from zhuqi.core.models import AuditEntry

from .test_health import redis_url  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def _entry(label: str) -> AuditEntry:
    return audit.record("event", event="test", object_type="tests.thing", object_id=label)


def _in_thread(body, errors: list) -> threading.Thread:
    """Run `body` in a thread (its own database connection); what it raises lands in `errors`."""

    def run():
        try:
            body()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_entries_a_request_cannot_link_are_linked_by_a_real_worker(
    settings,
    monkeypatch,
    tmp_path,
    redis_url,  # noqa: F811
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    from zhuqi.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with REDIS_URL set
    queued: list[str] = []

    def delay():  # the broker of this process is the in-memory one: send to the real Redis
        with app.connection_for_write(redis_url) as conn:
            queued.append(app.send_task("zhuqi.core.tasks.chain_audit", connection=conn).id)

    monkeypatch.setattr(tasks.chain_audit, "delay", delay)
    monkeypatch.setattr(audit, "_last_chained", 0.0)

    # a opens first and is alone (links its own entry); b writes while a is open (unlinked) and
    # commits after a
    a_open, a_done = threading.Event(), threading.Event()
    ids: dict[str, int] = {}
    errors: list[BaseException] = []

    def writer_b():
        assert a_open.wait(20)
        with transaction.atomic():
            ids["b"] = _entry("b").pk
            assert a_done.wait(20)

    thread = _in_thread(writer_b, errors)
    try:
        with transaction.atomic():
            ids["a"] = _entry("a").pk
            a_open.set()
            _wait("b has written its entry", lambda: "b" in ids or errors, 20)
    finally:
        a_open.set()
        a_done.set()
        thread.join(30)
    assert not errors, errors

    # a was alone: linked in its own transaction, nothing queued for it
    assert AuditEntry.objects.get(pk=ids["a"]).prev_hash != audit.PENDING
    # b's request linked nothing: one chaining task waits in the queue, b is still unlinked
    assert len(queued) == 1
    assert AuditEntry.objects.get(pk=ids["b"]).prev_hash == audit.PENDING
    assert redis_client.Redis.from_url(redis_url).llen("celery") == 1

    env = worker_env(tmp_path, redis_url)
    worker = _worker(env)
    try:
        _wait(
            "the worker links b",
            lambda: AuditEntry.objects.get(pk=ids["b"]).prev_hash != audit.PENDING,
            90,
        )
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "zhuqi.core.tasks.chain_audit" in output and "succeeded" in output, output[-3000:]
    a, b = AuditEntry.objects.get(pk=ids["a"]), AuditEntry.objects.get(pk=ids["b"])
    assert b.prev_hash == a.hash
    assert b.hash == audit.compute_hash(a.hash, b)
    assert audit.verify() == (2, None, "")


def test_without_redis_the_request_links_what_it_can_itself(settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite entries are linked as they are written")
    assert settings.CELERY_TASK_ALWAYS_EAGER  # no REDIS_URL: no worker to hand the chaining to
    monkeypatch.setattr(audit, "_last_chained", 0.0)
    monkeypatch.setattr(tasks.chain_audit, "delay", lambda: pytest.fail("queued without a worker"))
    b_open, a_done = threading.Event(), threading.Event()
    ids: dict[str, int] = {}
    errors: list[BaseException] = []

    def writer_a():  # opens first, commits after b has written
        with transaction.atomic():
            ids["a"] = _entry("a").pk
            b_open.set()
            assert a_done.wait(20)

    thread = _in_thread(writer_a, errors)
    try:
        assert b_open.wait(20)
        with transaction.atomic():
            ids["b"] = _entry("b").pk  # a is open: written unlinked
            a_done.set()
            time.sleep(0.3)  # a commits meanwhile
        thread.join(30)
    finally:
        a_done.set()
        thread.join(30)
    assert not errors, errors
    # b's after-commit step linked it in this process
    b = AuditEntry.objects.get(pk=ids["b"])
    assert b.prev_hash == AuditEntry.objects.get(pk=ids["a"]).hash
    assert audit.verify() == (2, None, "")

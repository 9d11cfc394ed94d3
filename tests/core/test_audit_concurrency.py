"""The audit chain under concurrent writers. On PostgreSQL entries are written unlinked and
linked after commit in id order, once no open transaction can still add a lower id; two
writers committing out of id order, and many writers at once, leave a chain that verifies.
On SQLite (one writer at a time) the same writes run one after the other."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, connections, transaction

from tests.core.audit_tamper import sql
from zhuqi.core import audit
from zhuqi.core.models import AuditEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _entry(label: str) -> AuditEntry:
    return audit.record("event", event="test", object_type="tests.thing", object_id=label)


def _linked_in_id_order() -> None:
    prev = audit.GENESIS
    for entry in AuditEntry.objects.order_by("id"):
        assert entry.prev_hash == prev, entry.pk
        assert entry.hash == audit.compute_hash(prev, entry)
        prev = entry.hash


def test_two_writers_committing_out_of_id_order():
    if connection.vendor != "postgresql":
        with transaction.atomic():
            first = _entry("a")
        with transaction.atomic():
            second = _entry("b")
        assert second.prev_hash == first.hash
        assert audit.verify() == (2, None, "")
        return
    opened, second_done, finish = threading.Event(), threading.Event(), threading.Event()
    ids: dict[str, int] = {}
    errors: list[BaseException] = []

    def slow_writer():
        try:
            with transaction.atomic():
                ids["a"] = _entry("a").pk  # alone: links its own entry, holds the chain lock
                opened.set()
                assert second_done.wait(20)
                ids["c"] = _entry("c").pk
                assert finish.wait(20)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert opened.wait(20)
        with transaction.atomic():
            ids["b"] = _entry("b").pk  # another writer is open: written unlinked
        assert ids["a"] < ids["b"]
        # committed, but not linked while a transaction that started earlier is open
        assert AuditEntry.objects.get(pk=ids["b"]).prev_hash == audit.PENDING
        assert not AuditEntry.objects.filter(pk=ids["a"]).exists()  # not committed yet
        second_done.set()
        time.sleep(0.2)
        finish.set()
    finally:
        second_done.set()
        finish.set()
        thread.join(30)
    assert not errors, errors
    assert ids["b"] < ids["c"]
    assert not AuditEntry.objects.filter(prev_hash=audit.PENDING).exists()
    _linked_in_id_order()
    assert audit.verify() == (3, None, "")


def test_many_writers_at_once_leave_a_verifiable_chain():
    writers, per_writer = (6, 8) if connection.vendor == "postgresql" else (1, 8)
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def writer(n: int):
        rng = random.Random(n)
        try:
            barrier.wait(20)
            for i in range(per_writer):
                with transaction.atomic():
                    _entry(f"{n}-{i}-1")
                    time.sleep(rng.random() / 100)
                    if i % 3 == 0:
                        audit.record_many(
                            [
                                {"action": "event", "event": "test", "object_id": f"{n}-{i}-{k}"}
                                for k in (2, 3)
                            ]
                        )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            if connection.vendor == "postgresql":
                connections.close_all()

    if writers == 1:
        writer(0)
    else:
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors, errors
    expected = writers * per_writer + writers * 3 * 2
    checked, bad, reason = audit.verify()  # links whatever a busy chainer left behind
    assert (checked, bad, reason) == (expected, None, "")
    assert not AuditEntry.objects.filter(prev_hash=audit.PENDING).exists()
    _linked_in_id_order()


def test_an_unlinked_entry_before_linked_ones_is_reported():
    with transaction.atomic():
        for label in "abc":
            _entry(label)
    victim = AuditEntry.objects.order_by("id")[1]
    sql("UPDATE core_auditentry SET prev_hash = '' WHERE id = %s", [victim.pk])
    checked, bad, reason = audit.verify()
    assert bad.pk == victim.pk and checked == 1 and "未链入" in reason

"""Tampering with the audit log as someone with database access would, and `zhuqi audit verify`
naming each: the middle (test_audit.py), the end, the links, the checkpoints, the count; and on
PostgreSQL the table itself refusing UPDATE and DELETE."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tests.core.audit_tamper import sql
from zhuqi.core import audit, audit_checkpoints
from zhuqi.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _entries(n, label="x"):
    for i in range(n):
        audit.record("event", None, event="tamper_test", message=f"{label}{i}")


def _verify_error() -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    return str(exc.value)


def test_verify_writes_a_signed_checkpoint_and_reports_the_unproven_window(world, capsys):
    _entries(3)
    call_command("audit", "verify")
    first = capsys.readouterr().out
    assert "尚无库外检查点" in first
    lines = Path(settings.ZHUQI_AUDIT_CHECKPOINT_FILE).read_text().splitlines()
    cp = json.loads(lines[-1])
    assert cp["last_id"] == AuditEntry.objects.latest("id").pk and cp["count"] == AuditEntry.objects.count()
    _entries(2)
    call_command("audit", "verify")
    assert "其后的 2 条尚无检查点证明" in capsys.readouterr().out


def test_deleting_the_newest_entry_is_caught_by_the_checkpoint(world):
    _entries(3)
    audit_checkpoints.write("test")
    newest = AuditEntry.objects.latest("id")
    sql("DELETE FROM core_auditentry WHERE id = %s", [newest.pk])
    assert audit.verify()[1] is None  # the chain alone cannot tell...
    message = _verify_error()  # ...the checkpoint can
    assert f"#{newest.pk} 条已不存在" in message and "末尾被删除" in message


def test_rewriting_the_tail_and_recomputing_the_chain_is_caught(world):
    """An attacker who rewrites the newest entry and recomputes its hash keeps the chain valid;
    the checkpoint still holds the old hash."""
    _entries(3)
    audit_checkpoints.write("test")
    newest = AuditEntry.objects.latest("id")
    newest.message = "改写"
    forged = audit.compute_hash(newest.prev_hash, newest)
    sql("UPDATE core_auditentry SET message = %s, hash = %s WHERE id = %s", ["改写", forged, newest.pk])
    assert audit.verify()[1] is None
    assert "哈希与检查点" in _verify_error()


def test_deleting_in_the_middle_and_rechaining_is_caught_by_the_count(world):
    _entries(4)
    audit_checkpoints.write("test")
    rows = list(AuditEntry.objects.order_by("id"))
    victim = rows[-3]
    sql("DELETE FROM core_auditentry WHERE id = %s", [victim.pk])
    prev = rows[-4].hash
    for e in rows[-2:]:  # recompute every later link
        e.prev_hash = prev
        e.hash = audit.compute_hash(prev, e)
        prev = e.hash
        sql("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [e.prev_hash, e.hash, e.pk])
    assert audit.verify()[1] is None
    message = _verify_error()
    assert "有条目被删除或插入" in message


def test_blanking_the_newest_links_is_caught_after_the_grace_period(world):
    _entries(3)
    newest = AuditEntry.objects.latest("id")
    sql(
        "UPDATE core_auditentry SET prev_hash = '', actor_label = %s, message = %s WHERE id = %s",
        ["他人", "改写", newest.pk],
    )
    later = timezone.now() + dt.timedelta(seconds=settings.ZHUQI_AUDIT_CHAIN_GRACE + 60)
    with time_machine.travel(later, tick=False):
        checked, bad, reason = audit.verify()
        assert bad.pk == newest.pk and "仍未链入" in reason
        audit.chain_pending(wait=True)  # the catch-up does not bless it either
        assert AuditEntry.objects.get(pk=newest.pk).prev_hash == audit.PENDING


def test_blanking_a_checkpointed_link_is_caught_at_once(world):
    _entries(3)
    audit_checkpoints.write("test")
    newest = AuditEntry.objects.latest("id")
    sql("UPDATE core_auditentry SET prev_hash = '', message = %s WHERE id = %s", ["改写", newest.pk])
    checked, bad, reason = audit.verify()  # verify links what is pending first: not this one
    assert bad.pk == newest.pk and "检查点确认" in reason
    assert AuditEntry.objects.get(pk=newest.pk).prev_hash == audit.PENDING


def test_a_rewritten_checkpoint_line_is_named(world):
    _entries(2)
    audit_checkpoints.write("test")
    path = Path(settings.ZHUQI_AUDIT_CHECKPOINT_FILE)
    cp = json.loads(path.read_text().splitlines()[-1])
    cp["count"] += 5
    path.write_text(json.dumps(cp) + "\n")
    assert "第 1 行签名无效" in _verify_error()


def test_a_restore_is_recorded_with_a_reason(world, capsys):
    _entries(2)
    call_command("audit", "checkpoint", "--reason", "从 12 月 1 日备份恢复")
    assert "已写检查点" in capsys.readouterr().out
    assert json.loads(Path(settings.ZHUQI_AUDIT_CHECKPOINT_FILE).read_text().splitlines()[-1])["reason"] == (
        "从 12 月 1 日备份恢复"
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_entries(world):
    _entries(2)
    entry = AuditEntry.objects.latest("id")
    for statement in (
        "UPDATE core_auditentry SET message = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(statement, [entry.pk])
    assert audit.verify()[1] is None


def _old_entries(n, days_ago=400):
    with time_machine.travel(timezone.now() - dt.timedelta(days=days_ago), tick=False):
        _entries(n, "old")


def test_archiving_moves_old_entries_keeps_the_chain_and_proves_the_file(tmp_path, capsys):
    """No other rows: the oldest entries are also the lowest ids, as in a real log."""
    _old_entries(4)
    _entries(2, "new")
    audit_checkpoints.write("before archive")
    old_ids = list(
        AuditEntry.objects.filter(at__lt=timezone.now() - dt.timedelta(days=300)).values_list("id", flat=True)
    )
    target = tmp_path / "audit-2025.jsonl"
    before = (timezone.now() - dt.timedelta(days=300)).date().isoformat()
    call_command("audit", "archive", "--before", before, "--to", str(target))
    assert "已归档" in capsys.readouterr().out
    assert not AuditEntry.objects.filter(id__in=old_ids).exists()
    assert AuditEntry.objects.filter(event="audit_archived").exists()  # the operation is audited
    call_command("audit", "verify")  # the chain goes on from the archive; the checkpoint's count holds
    assert "哈希链无误" in capsys.readouterr().out
    call_command("audit", "verify-archive", str(target))
    assert "归档文件完好" in capsys.readouterr().out
    target.write_text(target.read_text().replace("old0", "改写"))
    with pytest.raises(CommandError, match="校验值"):
        call_command("audit", "verify-archive", str(target))


def test_recent_entries_cannot_be_archived(world, tmp_path):
    _entries(2)
    before = (timezone.now() - dt.timedelta(days=30)).date().isoformat()
    with pytest.raises(CommandError, match="至少保存 183 天"):
        call_command("audit", "archive", "--before", before, "--to", str(tmp_path / "x.jsonl"))
    assert not (tmp_path / "x.jsonl").exists()

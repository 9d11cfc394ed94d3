"""The audit log: every change recorded with who/where, hash-chained, tampering detected."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.core.audit_tamper import sql
from zhuqi.core import audit
from zhuqi.core.models import AuditEntry, Department

pytestmark = pytest.mark.django_db


def test_create_update_delete_are_recorded_with_diffs(world):
    with audit.acting_as(world.alice, ip="10.1.2.3"):
        dept = Department.objects.create(name="尉氏县商务局", region=world.county)
        dept.phone = "0371-1234567"
        dept.save()
        pk = dept.pk
        dept.delete()
    entries = list(AuditEntry.objects.filter(object_type="core.department", object_id=str(pk)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[1].changes == {"phone": ["", "0371-1234567"]}
    assert all(e.actor_id == world.alice.pk and e.ip == "10.1.2.3" for e in entries)


def test_role_change_is_a_permission_change(world):
    with audit.acting_as(world.admin):
        world.bob.role = "dept_head"
        world.bob.save()
    entry = AuditEntry.objects.filter(object_type="core.user", object_id=str(world.bob.pk)).latest("id")
    assert entry.action == "permission" and entry.changes["role"] == ["handler", "dept_head"]


def test_group_membership_is_a_permission_change(world):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="督办员")
    world.bob.groups.add(group)
    entry = AuditEntry.objects.filter(object_type="core.user", object_id=str(world.bob.pk)).latest("id")
    assert entry.action == "permission" and entry.changes["groups"] == ["add", [group.pk]]


def test_entries_cannot_be_changed_or_deleted_through_the_orm(world):
    entry = AuditEntry.objects.latest("id")
    entry.message = "改写"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_verify_passes_on_a_clean_log(world, capsys):
    call_command("audit", "verify")
    assert "审计日志完整" in capsys.readouterr().out


def test_verify_names_the_entry_altered_in_sql(world):
    victim = AuditEntry.objects.order_by("id")[3]
    sql("UPDATE core_auditentry SET message = %s WHERE id = %s", ["被篡改", victim.pk])
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert f"#{victim.pk}" in str(exc.value) and "篡改" in str(exc.value)


def test_verify_detects_a_deleted_entry(world):
    entries = list(AuditEntry.objects.order_by("id")[:6])
    sql("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])
    checked, bad, reason = audit.verify()
    assert bad.pk == entries[3].pk and "删除" in reason and checked == 2


def test_login_success_failure_and_logout_are_recorded(world, client):
    client.post(reverse("login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    failed = AuditEntry.objects.filter(action="login_failed").latest("id")
    assert failed.object_repr == "alice" and failed.ip == "10.9.9.9"
    from tests.conftest import PASSWORD

    client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    ok = AuditEntry.objects.filter(action="login").latest("id")
    assert ok.actor_id == world.alice.pk and ok.ip == "10.9.9.9"
    client.post(reverse("logout"))
    assert AuditEntry.objects.filter(action="logout", actor=world.alice).exists()


def test_request_changes_carry_the_user_and_address(world, login):
    client = login(world.alice)
    client.post(
        reverse("core:comment_add", args=["core.department", world.jxj.pk]),
        {"body": "请工信局本周内反馈"},
        REMOTE_ADDR="10.20.30.40",
    )
    entry = AuditEntry.objects.filter(event="comment_added").latest("id")
    assert entry.actor_id == world.alice.pk and entry.ip == "10.20.30.40"
    page = client.get(reverse("core:department_detail", args=[world.jxj.pk]))
    assert "发表评论" in page.content.decode()


def test_audit_page_is_for_admins_and_supervisors_only(world, login):
    assert login(world.bob).get(reverse("core:audit_list")).status_code == 404
    assert login(world.admin).get(reverse("core:audit_list")).status_code == 200


def test_record_many_appends_a_verifiable_chain_attributed_to_the_actor(world):
    before = AuditEntry.objects.count()
    with audit.acting_as(world.alice, ip="10.9.9.9"):
        entries = audit.record_many(
            [
                {
                    "action": "event",
                    "event": "deadline_missed",
                    "object_type": "cases.case",
                    "object_id": str(i),
                }
                for i in range(5)
            ]
        )
    assert AuditEntry.objects.count() == before + 5
    saved = list(AuditEntry.objects.order_by("-id")[:5])[::-1]
    assert [e.object_id for e in saved] == ["0", "1", "2", "3", "4"]
    assert all(e.actor_id == world.alice.pk and e.ip == "10.9.9.9" for e in saved)
    assert [e.pk for e in entries] == [e.pk for e in saved]
    # each entry links to the one before it, and the whole chain still verifies
    assert all(saved[i].prev_hash == saved[i - 1].hash for i in range(1, 5))
    checked, bad, _reason = audit.verify()
    assert bad is None and checked == before + 5


def test_record_many_hashes_entries_before_storing_them_and_the_chain_verifies(world):
    """On PostgreSQL `record_many` computes the hashes before the INSERT when every entry reads
    back as written; an IPv6 address (inet may rewrite it) or an exponent (jsonb prints numbers
    its own way) sends the batch the long way (linked from what was stored). Both verify."""
    batches = [
        ("10.9.9.9", {"n": [1, 2], "text": '中文 "引号" \\ 反斜杠'}),
        ("2001:0db8::1", {"x": [None, 1.5]}),
        (None, {"big": [None, 1e20]}),
        ("::ffff:1.2.3.4", {}),
        (None, {}),
    ]
    for ip, changes in batches:
        with audit.acting_as(world.alice, ip=ip):
            entries = audit.record_many(
                [
                    {
                        "action": "event",
                        "event": "e",
                        "changes": changes,
                        "object_type": "x",
                        "object_id": str(i),
                    }
                    for i in range(3)
                ]
            )
        assert all(e.pk for e in entries)
    assert not AuditEntry.objects.filter(prev_hash="").exists()  # linked at once (alone)
    _, bad, why = audit.verify()
    assert bad is None, why
    assert audit._same_after_storing({"ip": "10.9.9.9", "changes": {"n": [1, 2.5]}})
    assert not audit._same_after_storing({"ip": "2001:0db8::1", "changes": {}})
    assert not audit._same_after_storing({"ip": "010.9.9.9", "changes": {}})
    assert not audit._same_after_storing({"ip": None, "changes": {"big": [None, 1e20]}})

"""Case intake (issue #19 item 1): one INSERT per case with its number and deadlines known,
its row diff and the `submitted` event written together, and the SLA configuration and the
dispatch office's recipients kept per process — every edit seen by the next intake."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from zhuqi.cases import services
from zhuqi.cases.models import Case, CaseClock, Category, SlaActivation, SlaPolicy
from zhuqi.core import audit, versions
from zhuqi.core.models import AuditEntry, CacheVersion, Notification, User
from zhuqi.core.roles import Role
from zhuqi.core.workcalendar import SHANGHAI, due_at

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def _recipients(case) -> set[str]:
    return set(
        Notification.objects.filter(
            url=case.get_absolute_url(), title__startswith="新诉求待受理"
        ).values_list("recipient__username", flat=True)
    )


def test_a_new_case_is_written_whole_with_one_row_diff_and_its_event(cw):
    # as in a request: the middleware names the signed-in user for the row diffs
    with time_machine.travel(at(2026, 10, 9), tick=False), audit.acting_as(cw.w.enterprise_user):
        case = cw.new()
    stored = Case.objects.get(pk=case.pk)
    assert stored.no == f"ZQ2026{case.pk:07d}"
    assert stored.accept_due_at == due_at(at(2026, 10, 9), cw.sla.accept_days)
    assert stored.next_due_at == stored.accept_due_at
    assert stored.sla_id == cw.sla.pk
    clock = CaseClock.objects.get(case=case)
    assert (clock.kind, clock.state, clock.due_at) == ("accept", "running", stored.accept_due_at)
    entries = list(AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("id"))
    assert [(e.action, e.event) for e in entries] == [("create", ""), ("transition", "submitted")]
    created = entries[0].changes
    assert created["no"] == [None, stored.no]  # the final number, not a temporary one
    assert dt.datetime.fromisoformat(created["accept_due_at"][1]) == stored.accept_due_at
    assert dt.datetime.fromisoformat(created["next_due_at"][1]) == stored.next_due_at
    assert entries[0].actor == entries[1].actor == cw.w.enterprise_user
    assert "channel" in entries[1].changes
    checked, bad, _ = audit.verify()
    assert bad is None and checked >= 2


def test_an_sla_policy_edit_is_seen_by_the_next_intake(cw):
    with time_machine.travel(at(2026, 10, 9), tick=False):
        first = cw.new()
        cw.sla.accept_days = 3
        cw.sla.save()
        second = cw.new()
        land = SlaPolicy.objects.create(
            name="用地 2 天受理", scheme="henan13710", category=cw.land, accept_days=2
        )
        third = cw.new(category=cw.land_quota)  # a sub-category inherits its parent's policy
    assert first.accept_due_at == due_at(at(2026, 10, 9), 1)
    assert second.accept_due_at == due_at(at(2026, 10, 9), 3)
    assert third.sla == land and third.accept_due_at == due_at(at(2026, 10, 9), 2)


def test_a_category_moved_under_another_and_an_activation_are_seen_at_once(cw, world):
    land = SlaPolicy.objects.create(
        name="用地 2 天受理", scheme="henan13710", category=cw.land, accept_days=2
    )
    with time_machine.travel(at(2026, 10, 9), tick=False):
        assert services.policy_for(cw.labor, "normal") == cw.sla
        cw.labor.parent = cw.land
        cw.labor.save()
        assert services.policy_for(cw.labor, "normal") == land
        sub = Category.objects.create(code="labor_sub", name="招工", parent=cw.labor)
        assert services.policy_for(sub, "normal") == land
        services.activate_sla_scheme(
            actor=world.admin, scheme="shandong5", effective_from=dt.date(2026, 10, 12)
        )
    with time_machine.travel(at(2026, 10, 12), tick=False):
        assert services.policy_for(None, "normal").scheme == "shandong5"
    SlaActivation.objects.all().delete()
    with time_machine.travel(at(2026, 10, 12), tick=False):
        assert services.policy_for(None, "normal").scheme == "henan13710"


def test_an_edit_by_another_process_is_seen_through_the_version_token(cw):
    """Another gunicorn worker edits the policy: this process learns of it only from the token
    (no signal here); the rows changed behind its back are reloaded."""
    with time_machine.travel(at(2026, 10, 9), tick=False):
        assert services.policy_for(None, "normal").accept_days == 1
        SlaPolicy.objects.filter(pk=cw.sla.pk).update(accept_days=4)  # no signal, no token
        assert services.policy_for(None, "normal").accept_days == 1  # the copy is kept...
        CacheVersion.objects.update_or_create(key=services.SLA, defaults={"token": "other-worker"})
        assert services.policy_for(None, "normal").accept_days == 4  # ...until the token moves


def test_a_rolled_back_edit_leaves_no_copy_behind(cw):
    with time_machine.travel(at(2026, 10, 9), tick=False):
        with pytest.raises(RuntimeError), transaction.atomic():
            cw.sla.accept_days = 5
            cw.sla.save()
            assert services.policy_for(None, "normal").accept_days == 5  # its own edit, inside
            raise RuntimeError
        assert services.policy_for(None, "normal").accept_days == 1


def test_the_cached_policy_is_not_the_callers_to_change(cw):
    with time_machine.travel(at(2026, 10, 9), tick=False):
        policy = services.policy_for(None, "normal")
        policy.accept_days = 9  # e.g. a form bound to it, never saved
        assert services.policy_for(None, "normal").accept_days == 1


def test_dispatch_recipients_follow_user_edits_at_once(cw, world):
    with time_machine.travel(at(2026, 10, 9), tick=False):
        assert _recipients(cw.new()) == {"alice"}
        dora = User.objects.create_user(
            username="dora", password="x", full_name="dora", role=Role.DISPATCH, region=world.county
        )
        assert _recipients(cw.new()) == {"alice", "dora"}
        dora.is_active = False
        dora.save(update_fields=["is_active"])
        assert _recipients(cw.new()) == {"alice"}
        world.alice.role = Role.HANDLER
        world.alice.save()
        assert _recipients(cw.new()) == set()
        world.alice.role = Role.DISPATCH
        world.alice.save()
        token = versions.tokens(services.DISPATCH_USERS)
        world.alice.last_login = at(2026, 10, 9)
        world.alice.save(update_fields=["last_login"])  # a login: the recipients stay as they are
        assert versions.tokens(services.DISPATCH_USERS) == token
        assert _recipients(cw.new()) == {"alice"}


def test_recipients_are_kept_per_region_of_the_case(cw, world):
    with time_machine.travel(at(2026, 10, 9), tick=False):
        assert _recipients(cw.new(ent=cw.ent_other, actor=world.charlie)) == {"charlie"}
        cw.ent_other.region = world.grid
        cw.ent_other.save()
        assert _recipients(cw.new(ent=cw.ent_other, actor=world.alice)) == {"alice"}

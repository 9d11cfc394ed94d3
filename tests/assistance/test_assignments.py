"""Assignments: the 五位一体 team, load-limit warnings, hand-over history, scope hook."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import services
from zhuqi.assistance.models import Assignment, LoadLimit
from zhuqi.assistance.selectors import current_team, load_table, my_enterprises
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
def test_commissioner_sees_assigned_enterprises_first_and_nothing_else(world):
    mine = make_enterprise("恒顺集团有限公司", world.grid)
    other = make_enterprise("丰原生物化学股份有限公司", world.grid2)
    assert not Enterprise.objects.visible_to(world.commissioner).exists()
    result = services.assign(mine, year=2026, role="commissioner", user=world.commissioner, actor=world.alice)
    assert result.assignment.started_on == dt.date(2026, 3, 2)
    assert list(Enterprise.objects.visible_to(world.commissioner)) == [mine]
    assert list(my_enterprises(world.commissioner)) == [mine]
    assert other not in Enterprise.objects.visible_to(world.commissioner)
    assert Notification.objects.filter(recipient=world.commissioner, title__contains="首席服务专员").exists()


def test_one_holder_per_role_and_only_managers_assign(world):
    ent = make_enterprise("甲公司", world.grid)
    services.assign(ent, year=2026, role="county_leader", user=world.leader, actor=world.alice)
    with pytest.raises(ValidationError, match="工作交接"):
        services.assign(ent, year=2026, role="county_leader", user=world.head, actor=world.alice)
    with pytest.raises(PermissionDenied):
        services.assign(ent, year=2026, role="grid_member", user=world.grid_member, actor=world.bob)
    with pytest.raises(PermissionDenied):
        services.assign(ent, year=2026, role="grid_member", user=world.grid_member, actor=world.charlie)
    # an enterprise's staff is no official: outside the dispatch office's scope, refused as if
    # the person did not exist (the scope check comes first), never assigned
    with pytest.raises(ValidationError, match="不存在|在岗的工作人员"):
        services.assign(ent, year=2026, role="grid_member", user=world.enterprise_user, actor=world.alice)
    with pytest.raises(ValidationError, match="在岗的工作人员"):
        services.assign(ent, year=2026, role="grid_member", user=world.enterprise_user, actor=world.admin)


def test_department_contact_takes_the_persons_department(world):
    ent = make_enterprise("甲公司", world.grid)
    a = services.assign(ent, year=2026, role="dept_contact", user=world.head, actor=world.alice).assignment
    assert a.department == world.jxj
    team = {row["role"]: row["assignment"] for row in current_team(ent, 2026)}
    assert team["dept_contact"] == a
    assert team["county_leader"] is None


def test_load_limit_warnings_over_and_under(world):
    LoadLimit.objects.filter(role="commissioner").update(min_count=2, max_count=3)
    ents = [make_enterprise(f"企业{i}", world.grid) for i in range(4)]
    first = services.assign(
        ents[0], year=2026, role="commissioner", user=world.commissioner, actor=world.alice
    )
    assert first.warnings == ["commissioner 作为首席服务专员仅包抓 1 户企业，少于要求的 2 户"]
    for ent in ents[1:3]:
        assert (
            services.assign(
                ent, year=2026, role="commissioner", user=world.commissioner, actor=world.alice
            ).warnings
            == []
        )
    fourth = services.assign(
        ents[3], year=2026, role="commissioner", user=world.commissioner, actor=world.alice
    )
    assert fourth.warnings == ["commissioner 已作为首席服务专员包抓 4 户企业，超过上限 3 户"]
    # the assignment is made all the same (a warning, not a refusal), and shows in the load table
    assert Assignment.objects.filter(user=world.commissioner, ended_on__isnull=True).count() == 4
    row = next(r for r in load_table(world.alice, 2026) if r["user_id"] == world.commissioner.pk)
    assert (row["n"], row["status"]) == (4, "over")
    services.set_load_limit("commissioner", min_count=2, max_count=5, actor=world.admin)
    row = next(r for r in load_table(world.alice, 2026) if r["user_id"] == world.commissioner.pk)
    assert row["status"] == ""


def test_hand_over_keeps_history_and_moves_scope(world):
    ent = make_enterprise("恒顺集团有限公司", world.grid)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)):
        first = services.assign(
            ent, year=2026, role="commissioner", user=world.commissioner, actor=world.alice
        ).assignment
    successor = type(world.commissioner).objects.create_user(
        username="zy_new", password="x", full_name="新专员", role="commissioner", region=world.park
    )
    with pytest.raises(ValidationError, match="交接原因"):
        services.hand_over(first, to_user=successor, actor=world.alice, reason="")
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)):
        new = services.hand_over(first, to_user=successor, actor=world.alice, reason="岗位调整").assignment
    first.refresh_from_db()
    assert (first.ended_on, new.started_on) == (dt.date(2026, 6, 1), dt.date(2026, 6, 1))
    assert new.predecessor == first and "岗位调整" in first.end_reason
    history = list(Assignment.objects.filter(enterprise=ent, role="commissioner").order_by("started_on"))
    assert [a.user for a in history] == [world.commissioner, successor]
    assert ent not in Enterprise.objects.visible_to(world.commissioner)
    assert ent in Enterprise.objects.visible_to(successor)
    assert AuditEntry.objects.filter(event="handed_over", object_id=str(ent.pk)).exists()
    with pytest.raises(ValidationError, match="已结束"):
        services.hand_over(first, to_user=successor, actor=world.alice, reason="再次")


def test_official_moving_hands_over_everything(world):
    a = make_enterprise("甲公司", world.grid)
    b = make_enterprise("乙公司", world.grid2)
    services.assign(a, year=2026, role="commissioner", user=world.commissioner, actor=world.alice)
    services.assign(b, year=2026, role="grid_member", user=world.commissioner, actor=world.alice)
    results = services.hand_over_all(
        world.commissioner, to_user=world.grid_member, actor=world.alice, reason="调任"
    )
    assert len(results) == 2
    assert not Assignment.objects.filter(user=world.commissioner, ended_on__isnull=True).exists()
    assert Assignment.objects.filter(user=world.commissioner).count() == 2
    with pytest.raises(ValidationError, match="没有包抓"):
        services.hand_over_all(
            world.commissioner, to_user=world.grid_member, actor=world.alice, reason="调任"
        )

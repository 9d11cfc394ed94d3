"""Visit compliance for a period (done / due / overdue), rankings and reminders, in time travel."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import compliance, services
from zhuqi.assistance.models import Assignment, VisitRule
from zhuqi.core.models import Notification

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10):
    # 10:00 in Shanghai
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour - 8, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def team(world):
    ent = make_enterprise("恒顺集团有限公司", world.grid)
    with at(dt.date(2026, 1, 5)):
        for role, user in [
            ("commissioner", world.commissioner),
            ("dept_contact", world.head),
            ("county_leader", world.leader),
        ]:
            services.assign(ent, year=2026, role=role, user=user, actor=world.alice)
    return ent


def january(viewer, today):
    rows = compliance.compute(
        Assignment.objects.visible_to(viewer), dt.date(2026, 1, 1), dt.date(2026, 1, 31), today=today
    )
    return {s.key.username: s for s in compliance.by_official(rows)}, rows


def test_period_bounds():
    assert compliance.period_bounds("week", dt.date(2026, 1, 28)) == (
        dt.date(2026, 1, 26),
        dt.date(2026, 2, 1),
    )
    assert compliance.period_bounds("month", dt.date(2026, 2, 10)) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert compliance.period_bounds("quarter", dt.date(2026, 11, 3)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert compliance.range_label("quarter", dt.date(2026, 10, 1)) == "2026年第4季度"


def test_compliance_done_due_overdue_and_ranking(world, team):
    for day in (dt.date(2026, 1, 6), dt.date(2026, 1, 14)):
        with at(day):
            services.record_visit(team, actor=world.commissioner, findings="了解生产经营情况")
    with at(dt.date(2026, 1, 28)):
        officials, _ = january(world.alice, dt.date(2026, 1, 28))
        zy = officials["commissioner"]
        # weeks of Jan 5, 12 met; Jan 19 missed; this week still open
        assert (zy.done, zy.overdue, zy.due) == (2, 1, 1)
        assert zy.rate == Decimal("66.7")
        assert (officials["head"].done, officials["head"].due) == (0, 1)  # the month is not over
        assert officials["leader"].due == 1 and officials["leader"].rate is None
        services.record_visit(team, actor=world.head, findings="协调用电增容", kind="phone")
    with at(dt.date(2026, 2, 2)):
        officials, rows = january(world.alice, dt.date(2026, 2, 2))
        assert (officials["commissioner"].done, officials["commissioner"].overdue) == (2, 2)
        assert officials["head"].rate == Decimal("100.0")
        ranking = [s.key.username for s in compliance.by_official(rows)]
        assert ranking == ["head", "commissioner", "leader"]  # best first, nothing closed last
        depts = {s.label: s for s in compliance.by_department(rows)}
        assert depts["尉氏县工信局"].done == 1
        ent = compliance.by_enterprise(rows)[0]
        assert (ent.label, ent.done, ent.overdue) == ("恒顺集团有限公司", 3, 2)


def test_admin_can_change_the_rule_and_compliance_follows(world, team):
    with at(dt.date(2026, 1, 20)):
        services.record_visit(team, actor=world.commissioner, findings="走访")
    with pytest.raises(PermissionDenied):
        services.set_visit_rule("commissioner", period="month", min_visits=2, actor=world.alice)
    services.set_visit_rule("commissioner", period="month", min_visits=2, actor=world.admin)
    assert str(VisitRule.objects.get(role="commissioner")) == "首席服务专员每月不少于 2 次"
    officials, _ = january(world.alice, dt.date(2026, 2, 2))
    assert (officials["commissioner"].done, officials["commissioner"].overdue) == (0, 1)


def test_assignments_outside_scope_are_not_counted(world, team):
    officials, _ = january(world.charlie, dt.date(2026, 2, 2))
    assert officials == {}
    officials, _ = january(world.commissioner, dt.date(2026, 2, 2))
    assert set(officials) == {"commissioner", "head", "leader"}  # the team of their enterprise


def test_handed_over_assignment_counts_only_while_held(world, team):
    successor = type(world.commissioner).objects.create_user(
        username="zy_new", password="x", full_name="新专员", role="commissioner", region=world.park
    )
    old = Assignment.objects.get(enterprise=team, role="commissioner", ended_on__isnull=True)
    with at(dt.date(2026, 1, 19)):
        services.hand_over(old, to_user=successor, actor=world.alice, reason="岗位调整")
    officials, _ = january(world.alice, dt.date(2026, 2, 2))
    assert officials["commissioner"].overdue == 3  # Jan 5, 12 and the hand-over week
    assert officials["zy_new"].overdue == 2  # Jan 19 and Jan 26 weeks


def test_reminders_before_period_end_once(world, team):
    with at(dt.date(2026, 1, 21)):
        assert services.send_visit_reminders() == 0  # Wednesday mid-month: nothing ends soon enough
    with at(dt.date(2026, 1, 28)):
        # Wednesday: the month ends in 3 days (department contact reminded 5 days ahead),
        # the week in 4 (commissioner reminded 2 days ahead: not yet)
        assert services.send_visit_reminders() == 1
        assert Notification.objects.filter(recipient=world.head, title__startswith="走访提醒").exists()
    with at(dt.date(2026, 1, 30)):
        assert services.send_visit_reminders() == 1  # the commissioner; the head is not reminded twice
        assert services.send_visit_reminders() == 0
    note = Notification.objects.get(recipient=world.commissioner, title__startswith="走访提醒")
    assert "2026年第5周" in note.title and "02月01日截止" in note.body
    assert not Notification.objects.filter(recipient=world.leader, title__startswith="走访提醒").exists()


def test_visit_validation(world, team):
    with at(dt.date(2026, 3, 1)):
        with pytest.raises(ValidationError, match="不能晚于今天"):
            services.record_visit(
                team, actor=world.commissioner, findings="x", visited_on=dt.date(2026, 3, 2)
            )
        with pytest.raises(ValidationError, match="走访情况"):
            services.record_visit(team, actor=world.commissioner, findings="  ")
        with pytest.raises(PermissionDenied):
            services.record_visit(team, actor=world.charlie, findings="越权")
        visit = services.record_visit(
            team,
            actor=world.commissioner,
            findings="企业反映用工紧张",
            problems=[("用工", "缺少熟练焊工 30 人"), ("", "")],
        )
        assert [(p.category, p.description) for p in visit.problems.all()] == [("用工", "缺少熟练焊工 30 人")]


def _weeks(viewer, start, end, today):
    rows = compliance.compute(Assignment.objects.visible_to(viewer), start, end, today=today)
    return {(r.assignment.year, r.assignment.role): [u.start for u in r.units] for r in rows}


def test_a_week_belongs_to_the_month_of_its_thursday(world):
    """A weekly rule held all of 2026: January + February + March used to count 5 + 5 + 6 = 16
    weeks against the quarter's 14 (the weeks of 26 Jan, 23 Feb and 30 Mar in two reports each).
    By the Thursday: 5 + 4 + 4 = 13, the quarter's 13 (the week of 30 Mar has its Thursday on
    2 Apr: it is April's and Q2's)."""
    ent = make_enterprise("跨月周测试有限公司", world.grid)
    services.assign(
        ent,
        year=2026,
        role="commissioner",
        user=world.commissioner,
        actor=world.alice,
        on=dt.date(2026, 1, 1),
    )
    today = dt.date(2026, 4, 10)

    def weeks(start, end):
        return _weeks(world.alice, start, end, today)[(2026, "commissioner")]

    jan = weeks(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    feb = weeks(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    mar = weeks(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    q1 = weeks(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert (len(jan), len(feb), len(mar), len(q1)) == (5, 4, 4, 13)
    assert jan[0] == dt.date(2025, 12, 29) and jan[-1] == dt.date(2026, 1, 26)  # Thursdays 1 and 29 Jan
    assert feb[0] == dt.date(2026, 2, 2) and mar[-1] == dt.date(2026, 3, 23)
    assert sorted(jan + feb + mar) == q1
    assert weeks(dt.date(2026, 4, 1), dt.date(2026, 4, 30))[0] == dt.date(2026, 3, 30)


def test_iso_week_53_counts_for_one_assignment_year_only(world):
    """2026-W53 runs Mon 28 Dec 2026 – Sun 3 Jan 2027, Thursday 31 Dec: it is the 2026
    assignment's (December 2026) and not the 2027 assignment's (January 2027)."""
    ent = make_enterprise("跨年周测试有限公司", world.grid)
    services.assign(
        ent,
        year=2026,
        role="commissioner",
        user=world.commissioner,
        actor=world.alice,
        on=dt.date(2026, 1, 5),
    )
    services.assign(
        ent,
        year=2027,
        role="commissioner",
        user=world.commissioner,
        actor=world.alice,
        on=dt.date(2026, 12, 20),
    )
    today = dt.date(2027, 2, 10)
    dec = _weeks(world.alice, dt.date(2026, 12, 1), dt.date(2026, 12, 31), today)
    jan = _weeks(world.alice, dt.date(2027, 1, 1), dt.date(2027, 1, 31), today)
    w53 = dt.date(2026, 12, 28)
    assert w53 in dec[(2026, "commissioner")] and len(dec[(2026, "commissioner")]) == 5
    assert (2027, "commissioner") not in dec
    assert jan[(2027, "commissioner")][0] == dt.date(2027, 1, 4) and len(jan[(2027, "commissioner")]) == 4
    assert (2026, "commissioner") not in jan
    assert compliance.range_label("week", w53) == "2026年第53周"

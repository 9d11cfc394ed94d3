"""Clocks in working days, with time travel across weekends, the 2026 National Day holiday
(Oct 1–7 off) and 调休 workdays (Sun 2026-09-20, Sat 2026-10-10)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from zhuqi.cases import services
from zhuqi.cases.models import Case, CaseClock, SlaActivation, SlaPolicy
from zhuqi.core.workcalendar import SHANGHAI


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def local_date(value):
    return value.astimezone(SHANGHAI).date()


def clock(case, kind):
    return CaseClock.objects.filter(case=case, kind=kind).order_by("-id").first()


def test_accept_clock_skips_national_day(cw):
    with time_machine.travel(at(2026, 9, 30), tick=False):
        case = cw.new()
    assert local_date(case.accept_due_at) == dt.date(2026, 10, 8)
    assert case.next_due_at == case.accept_due_at
    with time_machine.travel(at(2026, 10, 8, 15), tick=False):
        case = services.accept_case(case, actor=cw.w.alice)
    c = clock(case, "accept")
    assert c.state == "met" and c.late_working_days == 0
    # dispatch within 1 working day of receipt: due the same day as acceptance
    assert local_date(case.dispatch_due_at) == dt.date(2026, 10, 8)


def test_sunday_tiaoxiu_workday_counts(cw):
    with time_machine.travel(at(2026, 9, 19), tick=False):  # Saturday
        case = cw.new()
    assert local_date(case.accept_due_at) == dt.date(2026, 9, 20)  # Sunday, a working day
    with time_machine.travel(at(2026, 9, 21, 9), tick=False):  # Monday: one working day late
        case = services.accept_case(case, actor=cw.w.alice)
    c = clock(case, "accept")
    assert c.state == "missed" and c.late_working_days == 1


def _dispatched(cw, when):
    with time_machine.travel(when, tick=False):
        case = cw.new()
        case = services.accept_case(case, actor=cw.w.alice)
        return services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj)


def test_dispatch_clocks_and_saturday_workday(cw):
    case = _dispatched(cw, at(2026, 10, 9))  # Friday; Sat 10-10 is a working day
    assert local_date(case.sign_due_at) == dt.date(2026, 10, 10)
    assert local_date(case.progress_due_at) == dt.date(2026, 10, 13)
    assert local_date(case.reply_due_at) == dt.date(2026, 10, 19)
    assert local_date(case.close_due_at) == dt.date(2026, 10, 22)
    assert case.next_due_at == case.sign_due_at
    with time_machine.travel(at(2026, 10, 12, 10), tick=False):  # Monday (Sunday off)
        case = services.sign_case(case, actor=cw.w.bob)
    c = clock(case, "sign")
    assert c.state == "missed" and c.late_working_days == 1
    assert case.next_due_at == case.progress_due_at


def test_missed_by_n_working_days_over_holiday(cw):
    case = _dispatched(cw, at(2026, 9, 28))  # Monday
    assert local_date(case.sign_due_at) == dt.date(2026, 9, 29)
    with time_machine.travel(at(2026, 10, 9, 10), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
    # working days after 9-29: 9-30, 10-8, 10-9 → 3
    assert clock(case, "sign").late_working_days == 3


def test_major_case_gets_22_working_days(cw):
    with time_machine.travel(at(2026, 9, 28), tick=False):
        case = cw.new()
        case = services.accept_case(case, actor=cw.w.alice, urgency="major")
        case = services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj)
    assert case.sla == cw.sla_major
    # 22 working days after Mon 9-28: 9-29, 9-30, 10-8 … (holiday skipped)
    from zhuqi.core.workcalendar import add_working_days

    assert local_date(case.reply_due_at) == add_working_days(dt.date(2026, 9, 28), 22) == dt.date(2026, 11, 3)


def test_pause_while_waiting_for_enterprise(cw):
    case = _dispatched(cw, at(2026, 9, 28))
    with time_machine.travel(at(2026, 9, 29, 9), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
        case = services.pause_case(case, actor=cw.w.bob, reason="请补充环评批复")
    assert case.status == "waiting" and case.next_due_at is None
    reply_due = case.reply_due_at
    with time_machine.travel(at(2026, 10, 9, 9), tick=False):  # 9-30, 10-8, 10-9 = 3 working days paused
        case = services.resume_case(case, actor=cw.w.enterprise_user, note="已上传")
    c = clock(case, "reply")
    assert c.paused_working_days == 3
    from zhuqi.core.workcalendar import add_working_days

    assert local_date(case.reply_due_at) == add_working_days(local_date(reply_due), 3)
    assert case.next_due_at == min(case.running_clocks().values())
    from zhuqi.core.models import AuditEntry

    assert AuditEntry.objects.filter(object_id=str(case.pk), event__in=["paused", "resumed"]).count() == 2


def test_send_back_limit_henan_one_day_over_holiday(cw):
    case = _dispatched(cw, at(2026, 9, 30))
    with time_machine.travel(at(2026, 10, 8, 16), tick=False):  # first working day after dispatch
        case = services.send_back_case(case, actor=cw.w.bob, reason="非本部门职责")
    assert case.status == "sent_back"
    assert local_date(case.dispatch_due_at) == dt.date(2026, 10, 9)


def test_send_back_after_limit_refused(cw):
    case = _dispatched(cw, at(2026, 9, 30))
    with (
        time_machine.travel(at(2026, 10, 9, 9), tick=False),
        pytest.raises(ValidationError, match="退单时限"),
    ):
        services.send_back_case(case, actor=cw.w.bob, reason="非本部门职责")


@pytest.fixture
def shandong(cw):
    SlaActivation.objects.create(scheme="shandong5", effective_from=dt.date(2026, 1, 1))
    SlaPolicy.objects.filter(scheme="shandong5").update(is_active=False)
    return SlaPolicy.objects.create(
        name="山东 5 个工作日", scheme="shandong5", resolve_days=5, extension_max_days=10, sendback_days=2
    )


def test_shandong_scheme(cw, shandong):
    case = _dispatched(cw, at(2026, 10, 9))
    assert case.sla == shandong
    assert local_date(case.reply_due_at) == dt.date(2026, 10, 15)  # 10,12,13,14,15
    with time_machine.travel(at(2026, 10, 12, 9), tick=False):  # 2nd working day: still allowed
        case = services.send_back_case(case, actor=cw.w.bob, reason="非本部门职责")
    with time_machine.travel(at(2026, 10, 12, 10), tick=False):
        case = services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj)
    with (
        time_machine.travel(at(2026, 10, 15, 9), tick=False),
        pytest.raises(ValidationError, match="2 个工作日"),
    ):
        services.send_back_case(case, actor=cw.w.bob, reason="非本部门职责")
    with time_machine.travel(at(2026, 10, 13, 9), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
        ext = services.request_extension(case, actor=cw.w.bob, days=10, reason="需省厅批复")
        services.decide_extension(ext, actor=cw.w.alice, approve=True)
    case.refresh_from_db()
    from zhuqi.core.workcalendar import add_working_days

    assert local_date(case.reply_due_at) == add_working_days(dt.date(2026, 10, 19), 10)


def test_extension_must_be_requested_before_deadline(cw):
    case = _dispatched(cw, at(2026, 10, 9))
    with time_machine.travel(at(2026, 10, 9, 11), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
    with (
        time_machine.travel(at(2026, 10, 20, 9), tick=False),
        pytest.raises(ValidationError, match="超过办结期限"),
    ):
        services.request_extension(case, actor=cw.w.bob, days=2, reason="会商")


def test_reply_outcome_and_close_working_days(cw):
    case = _dispatched(cw, at(2026, 9, 28))
    with time_machine.travel(at(2026, 9, 29), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
    with time_machine.travel(at(2026, 10, 12), tick=False):  # reply due 10-13 (29, 30, 8, 9, 10, 12, 13)
        case = services.reply_case(case, actor=cw.w.bob, reply="已解决")
    assert clock(case, "reply").state == "met"
    assert clock(case, "progress").state == "missed"  # progress due 10-8, never reported
    with time_machine.travel(at(2026, 10, 13), tick=False):
        case = services.follow_up_case(case, actor=cw.w.alice, result="satisfied")
        case = services.close_case(case, actor=cw.w.alice)
    assert case.close_working_days == 7  # (9-28, 10-13]: 29, 30, 8, 9, 10 (Sat workday), 12, 13
    assert Case.objects.get(pk=case.pk).next_due_at is None


def test_most_specific_sla_policy_wins(cw):
    land = SlaPolicy.objects.create(
        name="用地类 10 个工作日", scheme="henan13710", category=cw.land, resolve_days=10
    )
    land_major = SlaPolicy.objects.create(
        name="用地重大 30", scheme="henan13710", category=cw.land, urgency="major", resolve_days=30
    )
    case = _dispatched(cw, at(2026, 10, 9))
    assert case.sla == cw.sla  # no category yet: the generic policy
    with time_machine.travel(at(2026, 10, 9), tick=False):
        c2 = cw.new()
        c2 = services.accept_case(c2, actor=cw.w.alice, category=cw.land_quota)
        assert c2.sla == land  # a sub-category inherits its parent's policy
        c3 = cw.new()
        c3 = services.accept_case(c3, actor=cw.w.alice, category=cw.land_quota, urgency="major")
        assert c3.sla == land_major
        c4 = cw.new()
        c4 = services.accept_case(c4, actor=cw.w.alice, category=cw.labor, urgency="major")
        assert c4.sla == cw.sla_major


def test_major_urgency_outranks_a_category_only_policy(cw):
    """A 用地 policy of 15 days must not shorten the 22 days of a major 用地 case: category +
    urgency > urgency > category > default."""
    land = SlaPolicy.objects.create(
        name="用地类 15 个工作日", scheme="henan13710", category=cw.land, resolve_days=15
    )
    with time_machine.travel(at(2026, 9, 28), tick=False):
        major = services.accept_case(cw.new(), actor=cw.w.alice, category=cw.land_quota, urgency="major")
        major = services.dispatch_case(major, actor=cw.w.alice, lead=cw.w.jxj)
        normal = services.accept_case(cw.new(), actor=cw.w.alice, category=cw.land_quota)
    assert major.sla == cw.sla_major
    from zhuqi.core.workcalendar import add_working_days

    assert local_date(major.reply_due_at) == add_working_days(dt.date(2026, 9, 28), 22)
    assert normal.sla == land
    assert services.policy_for(None, "normal") == cw.sla


def test_pause_over_a_weekend_adds_only_the_working_time_lost(cw):
    """Paused Fri 17:30, resumed Mon 08:30: the working days lost 6 h 30 min of Friday and
    8 h 30 min of Monday (15 h), so a deadline at the end of Wed 10-21 moves to Thu 14:59:59,
    not a whole working day to the end of Thursday."""
    case = _dispatched(cw, at(2026, 10, 12))  # Monday: reply due 10-21 (13 … 21)
    with time_machine.travel(at(2026, 10, 12, 11), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
    assert case.reply_due_at.astimezone(SHANGHAI) == at(2026, 10, 21, 23, 59).replace(second=59)
    with time_machine.travel(at(2026, 10, 16, 17, 30), tick=False):
        case = services.pause_case(case, actor=cw.w.bob, reason="请补充环评批复")
    with time_machine.travel(at(2026, 10, 19, 8, 30), tick=False):
        case = services.resume_case(case, actor=cw.w.enterprise_user, note="已上传")
    assert case.reply_due_at.astimezone(SHANGHAI) == at(2026, 10, 22, 14, 59).replace(second=59)
    assert clock(case, "reply").due_at == case.reply_due_at
    assert clock(case, "reply").paused_working_days == 0  # less than one whole working day
    from zhuqi.core.models import AuditEntry

    resumed = AuditEntry.objects.get(object_id=str(case.pk), event="resumed")
    assert resumed.changes["暂停工作时长（小时）"] == 15


def test_pause_within_a_weekend_moves_nothing(cw):
    case = _dispatched(cw, at(2026, 10, 12))
    with time_machine.travel(at(2026, 10, 12, 11), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
    due = case.reply_due_at
    with time_machine.travel(at(2026, 10, 17, 10), tick=False):  # Saturday
        case = services.pause_case(case, actor=cw.w.bob, reason="请补充环评批复")
    with time_machine.travel(at(2026, 10, 18, 18), tick=False):  # Sunday
        case = services.resume_case(case, actor=cw.w.enterprise_user)
    assert case.reply_due_at == due

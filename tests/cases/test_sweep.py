"""The sweep: missed clocks, reminders, the four escalation levels; idempotent."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.management import call_command

from zhuqi.cases import services
from zhuqi.cases.models import Case, CaseClock, Escalation, Supervision
from zhuqi.cases.sweep import sweep
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.core.workcalendar import SHANGHAI


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def dispatched(cw, when):
    with time_machine.travel(when, tick=False):
        case = cw.new()
        case = services.accept_case(case, actor=cw.w.alice)
        return services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj)


def test_missed_sign_escalates_to_level_2_once(cw):
    case = dispatched(cw, at(2026, 9, 30))  # sign due 10-08 (after the holiday)
    with time_machine.travel(at(2026, 10, 7, 12), tick=False):  # still within the holiday
        r = sweep()
    assert r.missed == 0 and Case.objects.get(pk=case.pk).escalation_level == 1
    with time_machine.travel(at(2026, 10, 9, 8), tick=False):
        r1 = sweep()
        r2 = sweep()
    case.refresh_from_db()
    assert r1.missed == 1 and r1.escalated[2] == 1
    assert r2.missed == 0 and r2.escalated == {2: 0, 3: 0, 4: 0}
    assert case.escalation_level == 2
    assert Escalation.objects.filter(case=case).count() == 1
    assert AuditEntry.objects.filter(object_id=str(case.pk), event="escalated").count() == 1
    assert AuditEntry.objects.filter(object_id=str(case.pk), event="deadline_missed").count() == 1
    assert CaseClock.objects.get(case=case, kind="sign").overdue_flagged_at is not None
    # the clock is still running (not signed); signing later records it missed by 1 working day
    with time_machine.travel(at(2026, 10, 9, 9), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
    assert CaseClock.objects.get(case=case, kind="sign").late_working_days == 1


def test_reply_overdue_supervision_long_overdue_and_stuck(cw):
    case = dispatched(cw, at(2026, 9, 28))
    with time_machine.travel(at(2026, 9, 28, 11), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
        services.report_progress(case, actor=cw.w.bob, note="已现场查看")
    # reply due 10-13 (end of day)
    with time_machine.travel(at(2026, 10, 14, 8), tick=False):
        sweep()
    case.refresh_from_db()
    assert case.escalation_level == 2
    notice = Supervision.objects.get(case=case, kind="notice")
    assert notice.department == cw.w.jxj
    assert Notification.objects.filter(recipient=cw.w.bob, title__startswith="督办通知").exists()
    # 5 working days past the reply deadline → level 3 (10-14, 15, 16, 19, 20: 10-20 is the 5th)
    with time_machine.travel(at(2026, 10, 19, 8), tick=False):
        sweep()
    assert Case.objects.get(pk=case.pk).escalation_level == 2
    with time_machine.travel(at(2026, 10, 20, 8), tick=False):
        sweep()
        sweep()
    case.refresh_from_db()
    assert case.escalation_level == 3
    # the county leader hears of it in the run's 提级汇总 (one, though the sweep ran twice)
    digest = Notification.objects.get(recipient=cw.w.leader, title__startswith="诉求提级汇总")
    assert case.no in digest.body and "第3级" in digest.body
    assert not Notification.objects.filter(recipient=cw.w.leader, title__contains="第3级").exists()
    # 10 working days at level 3 → the leading group (level 4): 10-21 … 11-03 is the 10th
    with time_machine.travel(at(2026, 11, 2, 8), tick=False):
        sweep()
    assert Case.objects.get(pk=case.pk).escalation_level == 3
    with time_machine.travel(at(2026, 11, 3, 8), tick=False):
        sweep()
        sweep()
    case.refresh_from_db()
    assert case.escalation_level == 4
    assert list(case.escalations.values_list("to_level", flat=True)) == [2, 3, 4]


def _reply_due_monday_19_october(cw):
    case = dispatched(cw, at(2026, 10, 9))  # Friday; Sat 10-10 is a working day
    with time_machine.travel(at(2026, 10, 9, 11), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
        services.report_progress(case, actor=cw.w.bob, note="已现场查看")
    case.refresh_from_db()
    assert case.reply_due_at.astimezone(SHANGHAI).date() == dt.date(2026, 10, 19)
    return case


def test_level_3_when_the_reply_is_missed_by_5_working_days_as_late_by_counts(cw):
    """Reply due Mon 10-19, never given: missed by 4 working days all weekend (20, 21, 22, 23),
    by 5 from Monday 10-26 00:00 — level 3 then, as `late_by` (the clock's record) counts."""
    case = _reply_due_monday_19_october(cw)
    with time_machine.travel(at(2026, 10, 25, 23, 59), tick=False):
        sweep()
        assert services.late_by(case.reply_due_at, services._now()) == 4
    assert Case.objects.get(pk=case.pk).escalation_level == 2
    with time_machine.travel(at(2026, 10, 26, 8), tick=False):
        assert services.late_by(case.reply_due_at, services._now()) == 5
        sweep()
    case.refresh_from_db()
    assert case.escalation_level == 3
    assert case.escalations.get(to_level=3).reason == "long_overdue"


def test_level_4_after_10_working_days_at_level_3_on_any_day(cw):
    """Level 3 on Mon 10-26 08:00; (10-26, Sat 11-07] holds 9 working days: still level 3 on the
    weekend; the 10th is Mon 11-09 → level 4 from its first minute."""
    case = _reply_due_monday_19_october(cw)
    with time_machine.travel(at(2026, 10, 26, 8), tick=False):
        case = services.flag_beyond_local(case, actor=cw.w.bob, reason="涉及省级审批权限")
    assert Case.objects.get(pk=case.pk).escalation_level == 3
    for when in (at(2026, 11, 6, 23, 59), at(2026, 11, 7, 10), at(2026, 11, 8, 23, 59)):
        with time_machine.travel(when, tick=False):
            sweep()
        assert Case.objects.get(pk=case.pk).escalation_level == 3, when
    with time_machine.travel(at(2026, 11, 9, 0, 1), tick=False):
        sweep()
    case.refresh_from_db()
    assert case.escalation_level == 4
    assert case.escalations.get(to_level=4).reason == "stuck"


def test_paused_case_is_not_swept(cw):
    case = dispatched(cw, at(2026, 9, 28))
    with time_machine.travel(at(2026, 9, 28, 11), tick=False):
        case = services.sign_case(case, actor=cw.w.bob)
        services.pause_case(case, actor=cw.w.bob, reason="请补充材料")
    with time_machine.travel(at(2026, 10, 30, 8), tick=False):
        r = sweep()
    assert r.missed == 0
    assert Case.objects.get(pk=case.pk).escalation_level == 1


def test_beyond_local_escalates_and_leader_holds_meeting(cw):
    case = dispatched(cw, at(2026, 9, 28))
    case = services.sign_case(case, actor=cw.w.bob)
    case = services.flag_beyond_local(case, actor=cw.w.bob, reason="涉及省级审批权限")
    assert case.escalation_level == 3 and case.beyond_local
    m = services.hold_meeting(
        case,
        actor=cw.w.leader,
        held_at=at(2026, 10, 9),
        attendees="副县长、经信局、自然资源局",
        decisions="两周内报省厅",
        owners="自然资源局 张三",
    )
    assert m.case_id == case.pk
    # beyond-local again at level 3 → leading group
    case = services.flag_beyond_local(case, actor=cw.w.alice, reason="省厅答复需领导小组协调")
    assert case.escalation_level == 4
    assert sweep().escalated == {2: 0, 3: 0, 4: 0}


def test_reminder_sent_once_before_deadline(cw):
    case = dispatched(cw, at(2026, 10, 9, 9))  # sign due Sat 10-10 (workday)
    with time_machine.travel(at(2026, 10, 9, 18), tick=False):
        r1 = sweep()
        r2 = sweep()
    assert r1.reminded >= 1 and r2.reminded == 0
    assert CaseClock.objects.get(case=case, kind="sign").reminded_at is not None
    assert Notification.objects.filter(recipient=cw.w.bob, title__startswith="催办").exists()
    assert Supervision.objects.filter(case=case, kind="reminder").exists()


def test_management_command(cw, capsys):
    dispatched(cw, at(2026, 9, 28))
    with time_machine.travel(at(2026, 10, 9, 8), tick=False):
        call_command("sweep_cases")
    assert "超时登记" in capsys.readouterr().out


def test_celery_task_eager(cw):
    from zhuqi.cases.tasks import sweep_cases

    dispatched(cw, at(2026, 9, 28))
    with time_machine.travel(at(2026, 10, 9, 8), tick=False):
        out = sweep_cases.delay().get()
    assert "升至2级 1 件" in out

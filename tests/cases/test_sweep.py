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
    # 5 working days past the reply deadline → level 3 (10-14 … 10-20 is the 5th)
    with time_machine.travel(at(2026, 10, 20, 8), tick=False):
        sweep()
    assert Case.objects.get(pk=case.pk).escalation_level == 2
    with time_machine.travel(at(2026, 10, 21, 8), tick=False):
        sweep()
        sweep()
    case.refresh_from_db()
    assert case.escalation_level == 3
    assert Notification.objects.filter(recipient=cw.w.leader, title__contains="第3级").exists()
    # 10 working days at level 3 → the leading group (level 4)
    with time_machine.travel(at(2026, 11, 3, 8), tick=False):
        sweep()
    assert Case.objects.get(pk=case.pk).escalation_level == 3
    with time_machine.travel(at(2026, 11, 5, 8), tick=False):
        sweep()
        sweep()
    case.refresh_from_db()
    assert case.escalation_level == 4
    assert list(case.escalations.values_list("to_level", flat=True)) == [2, 3, 4]


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

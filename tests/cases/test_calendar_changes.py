"""A holiday arrangement entered after cases were raised moves their open deadlines: each
running clock keeps its number of working days, audited per case, its people told once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from zhuqi.cases import services
from zhuqi.cases.models import Case, CaseClock
from zhuqi.core import services as core_services
from zhuqi.core import workcalendar
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.core.workcalendar import SHANGHAI

D = dt.date


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workcalendar.invalidate()
    yield
    workcalendar.invalidate()


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def day(value):
    return value.astimezone(SHANGHAI).date()


def dispatched(cw, when, title="厂区变压器容量不足"):
    with time_machine.travel(when, tick=False):
        case = services.accept_case(cw.new(title=title), actor=cw.w.alice)
        return services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj)


def set_days(cw, changes, capture):
    """Enter overrides as the admin in one transaction and run what its commit runs."""
    with capture(execute=True), transaction.atomic():
        for date, is_workday in changes:
            core_services.set_workday_override(
                actor=cw.w.admin, date=date, is_workday=is_workday, note="测试"
            )


def test_new_day_off_moves_the_open_deadlines_after_it(cw, django_capture_on_commit_callbacks):
    # dispatched Mon 2027-03-01: sign 03-02, progress 03-04, reply 03-10, close 03-15
    case = dispatched(cw, at(2027, 3, 1))
    assert day(case.reply_due_at) == D(2027, 3, 10) and day(case.close_due_at) == D(2027, 3, 15)
    with time_machine.travel(at(2027, 3, 1, 11), tick=False):
        set_days(cw, [(D(2027, 3, 5), False)], django_capture_on_commit_callbacks)  # Friday off
    case.refresh_from_db()
    assert day(case.sign_due_at) == D(2027, 3, 2)  # before the changed day: unchanged
    assert day(case.progress_due_at) == D(2027, 3, 4)
    assert case.reply_due_at == workcalendar.end_of_day(D(2027, 3, 11))
    assert case.close_due_at == workcalendar.end_of_day(D(2027, 3, 16))
    assert CaseClock.objects.get(case=case, kind="reply", state="running").due_at == case.reply_due_at
    assert case.next_due_at == case.sign_due_at
    entry = AuditEntry.objects.get(object_id=str(case.pk), event="deadlines_recomputed")
    assert entry.changes["reply_due_at"] == ["2027-03-10 23:59", "2027-03-11 23:59"]
    assert set(entry.changes) == {"reply_due_at", "close_due_at"}
    assert Notification.objects.filter(recipient=cw.w.bob, title__startswith="工作日调整").count() == 1
    # a 调休 Saturday (03-13) makes the close clock one working day shorter again
    with time_machine.travel(at(2027, 3, 1, 12), tick=False):
        set_days(cw, [(D(2027, 3, 13), True)], django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert day(case.reply_due_at) == D(2027, 3, 11)
    assert day(case.close_due_at) == D(2027, 3, 15)


def test_an_import_of_many_days_tells_each_person_once(cw, django_capture_on_commit_callbacks):
    cases = [dispatched(cw, at(2027, 3, 1), title=f"用地问题 {i}") for i in range(3)]
    before = {c.pk: c.reply_due_at for c in cases}
    with time_machine.travel(at(2027, 3, 1, 11), tick=False):
        set_days(cw, [(D(2027, 3, 4), False), (D(2027, 3, 5), False)], django_capture_on_commit_callbacks)
    for c in Case.objects.filter(pk__in=before):
        assert day(c.reply_due_at) == D(2027, 3, 12), c.no  # two days later
    assert AuditEntry.objects.filter(event="deadlines_recomputed").count() == 3
    assert Notification.objects.filter(recipient=cw.w.bob, title__startswith="工作日调整").count() == 1


def test_a_rolled_back_change_moves_nothing(cw, django_capture_on_commit_callbacks):
    case = dispatched(cw, at(2027, 3, 1))
    due = case.reply_due_at
    with (
        time_machine.travel(at(2027, 3, 1, 11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        core_services.set_workday_override(actor=cw.w.admin, date=D(2027, 3, 5), is_workday=False)
        raise RuntimeError
    assert Case.objects.get(pk=case.pk).reply_due_at == due
    assert not AuditEntry.objects.filter(event="deadlines_recomputed").exists()


def test_deadlines_already_passed_and_closed_cases_stay(cw, django_capture_on_commit_callbacks):
    case = dispatched(cw, at(2027, 3, 1))
    with time_machine.travel(at(2027, 3, 11, 9), tick=False):  # reply (03-10) already missed
        set_days(cw, [(D(2027, 3, 5), False)], django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert day(case.reply_due_at) == D(2027, 3, 10)
    assert day(case.close_due_at) == D(2027, 3, 16)  # still running, not yet due: moved


def test_the_calendar_import_moves_them_in_one_go(cw, django_capture_on_commit_callbacks):
    import io

    from openpyxl import Workbook

    from zhuqi.core.imports import WorkdayOverrideImporter

    case = dispatched(cw, at(2027, 3, 1))
    wb = Workbook()
    wb.active.append(["日期", "是否上班", "说明"])
    for row in (
        ("2027-03-04", "放假", "测试"),
        ("2027-03-05", "放假", "测试"),
        ("2027-03-06", "上班", "测试"),
    ):
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    with (
        time_machine.travel(at(2027, 3, 1, 11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = WorkdayOverrideImporter(cw.w.admin).run(buffer.getvalue(), dry_run=False)
    assert result.applied
    case.refresh_from_db()
    # 2, 3, (4, 5 off), 6 (Saturday worked), 8, 9, 10, 11 → the 7th is Thursday 03-11
    assert day(case.reply_due_at) == D(2027, 3, 11)
    assert AuditEntry.objects.filter(event="deadlines_recomputed").count() == 1
    assert Notification.objects.filter(recipient=cw.w.bob, title__startswith="工作日调整").count() == 1


def test_the_national_arrangement_moves_open_deadlines(cw, django_capture_on_commit_callbacks):
    """The 系统设置 › 节假日安排 form goes through the same override service: one signal on
    commit, and the open cases' deadlines follow the new days."""
    case = dispatched(cw, at(2027, 3, 1))  # reply due Wed 03-10
    with (
        time_machine.travel(at(2027, 3, 1, 11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        core_services.enter_national_arrangement(
            actor=cw.w.admin, year=2027, holidays=[D(2027, 3, 5), D(2027, 3, 8)], workdays=[]
        )
    case.refresh_from_db()
    assert case.reply_due_at == workcalendar.end_of_day(D(2027, 3, 12))
    assert AuditEntry.objects.filter(object_id=str(case.pk), event="deadlines_recomputed").count() == 1

"""The oversight calendar (docs/oversight.md §督查日历): the dates of the hand-worked example
around the 2026 National Day holiday (a Monday meeting moved to the first working day, a 调休
Saturday that counts, the 5th working day of October), the reminders sent once each, caught up
after a day the sweep did not run, the page and its scope."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from tests.oversight.conftest import at
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.oversight import calendar_events as cal
from zhuqi.oversight.models import CalendarEvent, CalendarReminder

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def events(world):
    common = {"region": world.county}
    return {
        "weekly": CalendarEvent.objects.create(
            **common,
            kind="weekly_meeting",
            title="周调度会",
            recurrence="weekly",
            weekday=0,
            department=world.jxj,
            lead_days=1,
        ),
        "bulletin": CalendarEvent.objects.create(
            **common,
            kind="monthly_bulletin",
            title="月度通报",
            recurrence="monthly",
            day=5,
            day_rule="working",
            preparer=world.supervisor,
            lead_days=3,
        ),
        "inspection": CalendarEvent.objects.create(
            **common,
            kind="quarterly_inspection",
            title="季度督查",
            recurrence="quarterly",
            day=10,
            month=1,
            preparer=world.supervisor,
            lead_days=5,
        ),
        "annual": CalendarEvent.objects.create(
            **common,
            kind="annual_assessment",
            title="年终考核",
            recurrence="yearly",
            day=20,
            month=12,
            preparer=world.supervisor,
            lead_days=10,
        ),
    }


def test_dates_of_the_example(events):
    e = events
    assert cal.dates(e["weekly"], D(2026, 9, 24), D(2026, 10, 16)) == [
        D(2026, 9, 28),
        D(2026, 10, 8),  # Monday 5 October is a holiday: the first working day after it
        D(2026, 10, 12),
    ]
    assert cal.dates(e["bulletin"], D(2026, 10, 1), D(2026, 10, 31)) == [D(2026, 10, 13)]
    assert cal.dates(e["inspection"], D(2026, 8, 1), D(2027, 1, 31)) == [
        D(2026, 10, 10),  # a Saturday, but a 调休 working day: it stays
        D(2027, 1, 11),  # Sunday 10 January 2027: the Monday
    ]
    assert cal.dates(e["annual"], D(2026, 1, 1), D(2026, 12, 31)) == [D(2026, 12, 21)]
    reminders = {
        (o.event.title, o.on): o.remind_on
        for o in cal.occurrences(e.values(), D(2026, 9, 24), D(2026, 12, 31))
    }
    assert reminders[("周调度会", D(2026, 10, 8))] == D(2026, 9, 30)
    assert reminders[("月度通报", D(2026, 10, 13))] == D(2026, 10, 9)
    assert reminders[("季度督查", D(2026, 10, 10))] == D(2026, 9, 28)
    assert reminders[("年终考核", D(2026, 12, 21))] == D(2026, 12, 7)


def test_a_day_past_the_month_end_is_its_last_day(world):
    e = CalendarEvent(region=world.county, recurrence="monthly", day=31, preparer=world.supervisor)
    # October's 31st is a Saturday: Monday 2 November; November has 30 days: the 30th
    assert cal.dates(e, D(2026, 11, 1), D(2026, 11, 30)) == [D(2026, 11, 2), D(2026, 11, 30)]


def _sweep(y, m, d):
    with time_machine.travel(at(y, m, d, 8), tick=False):
        return cal.send_reminders()


def test_reminders_sent_once_and_caught_up(world, events):
    assert _sweep(2026, 9, 24) == 1  # the meeting of Monday 28 September, to 工信局
    assert Notification.objects.filter(recipient=world.bob, title="9月28日 周调度会：请做好准备").exists()
    assert not Notification.objects.filter(recipient=world.supervisor).exists()
    assert _sweep(2026, 9, 24) == 0  # idempotent
    assert _sweep(2026, 9, 28) == 1  # 季度督查 on 10 October, five working days ahead
    assert Notification.objects.filter(
        recipient=world.supervisor, title="10月10日 季度督查：请做好准备"
    ).exists()
    assert _sweep(2026, 9, 30) == 1  # the meeting moved to Thursday 8 October
    assert _sweep(2026, 10, 9) == 1  # 月度通报 on 13 October
    # no sweep on Saturday 10 October (the reminder day of the meeting of the 12th): caught up
    assert _sweep(2026, 10, 12) == 1
    assert set(CalendarReminder.objects.values_list("event__title", "occurs_on")) == {
        ("周调度会", D(2026, 9, 28)),
        ("季度督查", D(2026, 10, 10)),
        ("周调度会", D(2026, 10, 8)),
        ("月度通报", D(2026, 10, 13)),
        ("周调度会", D(2026, 10, 12)),
    }
    assert AuditEntry.objects.filter(event="calendar_reminded").count() == 5


def test_inactive_events_are_not_reminded_and_the_command_runs(world, events):
    CalendarEvent.objects.exclude(pk=events["weekly"].pk).update(is_active=False)
    with time_machine.travel(at(2026, 9, 28, 8), tick=False):
        call_command("oversight_calendar")
    assert list(CalendarReminder.objects.values_list("event__title", "occurs_on")) == [
        ("周调度会", D(2026, 9, 28))
    ]
    entry = AuditEntry.objects.get(event="calendar_reminded")
    assert "oversight_calendar" in entry.actor_label


def test_the_page_and_its_scope(world, events, login):
    with time_machine.travel(at(2026, 9, 24, 9), tick=False):
        cal.send_reminders()
        page = login(world.supervisor).get(reverse("oversight:calendar")).content.decode()
        assert page.index("2026-09-28") < page.index("2026-10-08") < page.index("2026-10-10")
        assert "月度通报" in page and "已提醒" in page and "年终考核" in page
        bob = login(world.bob).get(reverse("oversight:calendar")).content.decode()
        assert "周调度会" in bob and "季度督查" not in bob  # a department: its own events
        charlie = login(world.charlie).get(reverse("oversight:calendar")).content.decode()
        assert "周调度会" not in charlie and "今后 90 天没有安排" in charlie
        assert login(world.enterprise_user).get(reverse("oversight:calendar")).status_code == 404

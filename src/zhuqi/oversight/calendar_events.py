"""The oversight calendar (督查日历): the dates of each recurring event (周调度会, 月度通报, 季度督查,
考核 …) and the reminder sweep that tells whoever prepares one, `lead_days` working days before.
Rules and a hand-worked example: src/zhuqi/docs/oversight.md §督查日历.

* weekly: the event's weekday each week;
* monthly / quarterly / yearly: in each month of the cycle (every month; the `month`-th month of
  each quarter; the `month`-th month of the year), either the calendar day `day` (past the
  month's end: its last day) or, with the working-day rule, the `day`-th working day of the month;
* a date that is not a working day moves to the next working day (`core.workcalendar`);
* the reminder is due from `add_working_days(date, -lead_days)` until the date itself; it is sent
  once per occurrence (`CalendarReminder`, unique per event and date), so the sweep may run as
  often as it likes, and a day it did not run is caught up the next time.

Run by `zhuqi oversight_calendar` (cron) or the Celery task
`zhuqi.oversight.tasks.calendar_reminders`.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit
from zhuqi.core.notify import notify_many
from zhuqi.core.roles import DEPARTMENT_ACTOR_ROLES
from zhuqi.core.workcalendar import add_working_days

from .models import CalendarEvent, CalendarReminder, DayRule, Recurrence

#: how far ahead the calendar page looks, in days
HORIZON_DAYS = 90


@dataclass(frozen=True)
class Occurrence:
    event: CalendarEvent
    on: dt.date
    remind_on: dt.date


def _months(first: dt.date, last: dt.date):
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _in_cycle(event: CalendarEvent, month: int) -> bool:
    if event.recurrence == Recurrence.MONTHLY:
        return True
    if event.recurrence == Recurrence.QUARTERLY:
        return (month - 1) % 3 == (event.month or 1) - 1
    return month == (event.month or 12)  # yearly


def _day_in_month(event: CalendarEvent, year: int, month: int) -> dt.date:
    day = event.day or 1
    if event.day_rule == DayRule.WORKING:
        return add_working_days(dt.date(year, month, 1) - dt.timedelta(days=1), day)
    last = std_calendar.monthrange(year, month)[1]
    return add_working_days(dt.date(year, month, min(day, last)), 0)


def dates(event: CalendarEvent, start: dt.date, end: dt.date) -> list[dt.date]:
    """The event's dates in [start, end]."""
    out: list[dt.date] = []
    if event.recurrence == Recurrence.WEEKLY:
        # from the Monday of start's week back one week: a Sunday event moved to Monday counts
        d = start - dt.timedelta(days=start.weekday() + 7) + dt.timedelta(days=event.weekday or 0)
        while d <= end:
            moved = add_working_days(d, 0)
            if start <= moved <= end and moved not in out:
                out.append(moved)
            d += dt.timedelta(days=7)
        return out
    # a month's date may move into the next month (the 31st a holiday): look one month back
    first = (start.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for y, m in _months(first, end):
        if _in_cycle(event, m):
            d = _day_in_month(event, y, m)
            if start <= d <= end:
                out.append(d)
    return out


def occurrences(events: Iterable[CalendarEvent], start: dt.date, end: dt.date) -> list[Occurrence]:
    """Every occurrence of `events` in [start, end] with the day its reminder is due, by date."""
    out = [
        Occurrence(e, d, add_working_days(d, -e.lead_days) if e.lead_days else d)
        for e in events
        for d in dates(e, start, end)
    ]
    out.sort(key=lambda o: (o.on, o.event.kind, o.event.pk))
    return out


def upcoming(user, today: dt.date | None = None, days: int = HORIZON_DAYS) -> list[Occurrence]:
    """The occurrences of the events `user` may see in the next `days` days."""
    today = today or timezone.localdate()
    events = (
        CalendarEvent.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("region", "department", "preparer")
    )
    return occurrences(events, today, today + dt.timedelta(days=days))


def _recipients(events: list[CalendarEvent]) -> dict[int, list]:
    """Who is reminded of each event: its preparer, else its department's active people."""
    User = get_user_model()
    by_dept: dict[int, list] = defaultdict(list)
    depts = {e.department_id for e in events if e.preparer_id is None and e.department_id}
    if depts:
        for u in User.objects.filter(
            is_active=True, department_id__in=depts, role__in=DEPARTMENT_ACTOR_ROLES
        ):
            by_dept[u.department_id].append(u)
    return {
        e.pk: [e.preparer]
        if e.preparer is not None and e.preparer.is_active
        else by_dept.get(e.department_id or 0, [])
        for e in events
    }


def send_reminders(today: dt.date | None = None) -> int:
    """Remind the preparer of every occurrence whose reminder is due today and not yet sent:
    one read of the events, one of the reminders already sent, one bulk insert, one audit batch,
    one notification batch. Returns how many reminders were sent."""
    today = today or timezone.localdate()
    events = list(CalendarEvent.objects.filter(is_active=True).select_related("preparer", "region"))
    if not events:
        return 0
    longest = max(e.lead_days for e in events)
    horizon = add_working_days(today, longest + 1)
    due = [o for o in occurrences(events, today, horizon) if o.remind_on <= today <= o.on]
    if not due:
        return 0
    with transaction.atomic():
        sent = set(
            CalendarReminder.objects.filter(
                event__in=[o.event for o in due], occurs_on__gte=today
            ).values_list("event_id", "occurs_on")
        )
        due = [o for o in due if (o.event.pk, o.on) not in sent]
        if not due:
            return 0
        rows = CalendarReminder.objects.bulk_create(
            [CalendarReminder(event=o.event, occurs_on=o.on) for o in due], ignore_conflicts=True
        )
        audit.record_many(
            [
                {
                    "action": "event",
                    "obj": o.event,
                    "event": "calendar_reminded",
                    "changes": {gettext_noop("日期"): o.on.isoformat()},
                }
                for o in due
            ]
        )
        recipients = _recipients([o.event for o in due])
        notify_many(
            {
                "recipients": recipients[o.event.pk],
                "title": gettext("%(date)s %(title)s：请做好准备")
                % {
                    "date": gettext("%(m)s月%(d)s日") % {"m": o.on.month, "d": o.on.day},
                    "title": o.event.title,
                },
                "body": o.event.note,
                "url": reverse("oversight:calendar"),
            }
            for o in due
        )
    return len(rows)

"""Working days for deadlines: weekends, China's public holidays, 调休 weekend workdays.

The `holidays` package supplies the State Council's arrangement for the years it knows;
`WorkdayOverride` rows (entered or imported by an admin) win over it, for years the package does
not know yet or for local decisions. Calendar arithmetic runs on a sorted list of working days,
so `add_working_days` and `working_days_between` cost a binary search, not a walk day by day.

Conventions:
* `add_working_days(d, n)` for n ≥ 1 is the n-th working day after `d` (d itself not counted);
  n = 0 is `d` if it is a working day, else the next one; n < 0 counts back |n| working days
  before `d`.
* `working_days_between(a, b)` counts the working days in (a, b]; negative when b < a. So
  `working_days_between(d, add_working_days(d, n)) == n` for every n ≥ 1.
* "Late / past by N working days" is always that count: `working_days_late(due, at)` is 0 when
  `at ≤ due`, else `working_days_between(due, at)` and at least 1. `working_days_cutoff(now, n)`
  turns "at least n working days ago" into one comparison a query can use:
  `working_days_between(x, now) ≥ n  ⇔  x < working_days_cutoff(now, n)` (n ≥ 1), on working
  days and rest days alike.
* Working time (`working_time_between`, `add_working_time`) is time on working days, each
  counting whole (00:00–24:00 Asia/Shanghai), and none on rest days: what a pause costs.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_left, bisect_right
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import gettext as _

SHANGHAI = ZoneInfo("Asia/Shanghai")
_OVERRIDE_TTL = 60.0  # seconds a process trusts its copy of the overrides table
_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=256)
def _package_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    cal = holidays.China(years=year)
    offs = frozenset(d for d in cal if d.year == year)
    extra = frozenset(d for d in getattr(cal, "weekend_workdays", ()) if d.year == year)
    return offs, extra


def arrangement_known(year: int) -> bool:
    """True when the year's national arrangement is known: the `holidays` package has its 调休
    days, or an administrator entered the State Council's notice (`HolidayArrangement`). A local
    override alone (one extra day off) does not make a year known."""
    if _package_year(year)[1]:
        return True
    from django.db.utils import DatabaseError

    try:
        from .models import HolidayArrangement

        return HolidayArrangement.objects.filter(year=year).exists()
    except DatabaseError:  # table not migrated yet
        return False


def preview_year(year: int, holidays=(), workdays=()) -> list[tuple[int, int]]:
    """(month, working days) for each month of `year` as it would be with `holidays` off and
    `workdays` worked on top of today's calendar (package and overrides): the preview shown
    before a national arrangement is saved."""
    overrides = dict(_overrides())
    overrides.update({d: False for d in holidays})
    overrides.update({d: True for d in workdays})
    counts = dict.fromkeys(range(1, 13), 0)
    for day in _year_workdays(year, overrides):
        counts[day.month] += 1
    return sorted(counts.items())


class _Calendar:
    def __init__(self):
        # Guards first_year/last_year/days/overrides, which must change together.
        self.lock = threading.RLock()
        self.first_year = 0
        self.last_year = -1
        self.days: list[dt.date] = []
        # None = never loaded / invalidated. (Not 0.0: time.monotonic() counts from boot, so
        # on a machine up for less than the TTL "0.0" would look fresh and hide the overrides.)
        self.overrides_at: float | None = None
        self.overrides: dict[dt.date, bool] = {}

    def reset(self):
        with self.lock:
            self.first_year, self.last_year, self.days = 0, -1, []
            self.overrides_at = None


_cal = _Calendar()


def _overrides() -> dict[dt.date, bool]:
    now = time.monotonic()
    loaded_at = _cal.overrides_at
    if loaded_at is None or now - loaded_at > _OVERRIDE_TTL:
        from django.db.utils import DatabaseError

        try:
            from .models import WorkdayOverride

            fresh = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
        except DatabaseError:  # table not migrated yet
            fresh = {}
        # Under the lock: another thread may be extending the day list in `_ensure`; resetting
        # it half-way would leave a list that no longer matches first_year..last_year.
        with _cal.lock:
            if fresh != _cal.overrides:
                _cal.first_year, _cal.last_year, _cal.days = 0, -1, []
            _cal.overrides = fresh
            _cal.overrides_at = now
    return _cal.overrides


def invalidate() -> None:
    """Forget cached overrides and day lists (called when an override is saved or deleted).

    Reset now (this connection sees its own uncommitted change) and again when the transaction
    commits: a thread that reloaded in between saw the old rows and would keep them for the TTL.
    """
    from django.db import connection, transaction

    _cal.reset()
    if connection.in_atomic_block:
        transaction.on_commit(_cal.reset, robust=True)


def _year_workdays(year: int, overrides: dict[dt.date, bool]) -> list[dt.date]:
    offs, extra = _package_year(year)
    day = dt.date(year, 1, 1)
    out = []
    while day.year == year:
        if day in overrides:
            working = overrides[day]
        elif day in extra:
            working = True
        else:
            working = day.weekday() < 5 and day not in offs
        if working:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def _ensure(first: int, last: int) -> list[dt.date]:
    _overrides()  # refresh if stale (the query runs outside the lock)
    with _cal.lock:
        # The day list must be built from the overrides it is cached with: read them under
        # the lock, not from a snapshot another thread may have replaced since.
        overrides = _cal.overrides
        if _cal.last_year < _cal.first_year:
            _cal.first_year, _cal.last_year = first, last
            _cal.days = [d for y in range(first, last + 1) for d in _year_workdays(y, overrides)]
        if first < _cal.first_year:
            head = [d for y in range(first, _cal.first_year) for d in _year_workdays(y, overrides)]
            _cal.days = head + _cal.days
            _cal.first_year = first
        if last > _cal.last_year:
            tail = [d for y in range(_cal.last_year + 1, last + 1) for d in _year_workdays(y, overrides)]
            _cal.days = _cal.days + tail
            _cal.last_year = last
        return _cal.days


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(SHANGHAI)
        return value.date()
    return value


def is_working_day(day: dt.date | dt.datetime) -> bool:
    d = _as_date(day)
    days = _ensure(d.year, d.year)
    i = bisect_left(days, d)
    return i < len(days) and days[i] == d


def add_working_days(start: dt.date | dt.datetime, n: int) -> dt.date:
    """The date `n` working days after `start` (see the module docstring for n ≤ 0)."""
    d = _as_date(start)
    span = abs(n) // 240 + 1
    while True:
        days = _ensure(d.year - (span if n < 0 else 1), d.year + (span if n > 0 else 1))
        if n > 0:
            idx = bisect_right(days, d) + n - 1
        elif n == 0:
            idx = bisect_left(days, d)
        else:
            idx = bisect_left(days, d) + n
        if 0 <= idx < len(days):
            return days[idx]
        span *= 2


def working_days_between(a: dt.date | dt.datetime, b: dt.date | dt.datetime) -> int:
    """Working days in (a, b]; negative when b is before a."""
    da, db = _as_date(a), _as_date(b)
    if db < da:
        return -working_days_between(db, da)
    days = _ensure(da.year, db.year)
    return bisect_right(days, db) - bisect_right(days, da)


def working_days_late(due: dt.date | dt.datetime, at: dt.date | dt.datetime) -> int:
    """Working days `at` is past `due`: 0 when on time (`at <= due`); else the working days in
    (day of `due`, day of `at`], at least 1. Dates compare as whole days (a date `due` is the
    end of that day). The one count behind every "missed / late by N working days"."""
    if isinstance(due, dt.datetime) != isinstance(at, dt.datetime):
        due, at = _as_date(due), _as_date(at)
    if at <= due:
        return 0
    return max(1, working_days_between(due, at))


def working_days_cutoff(now: dt.date | dt.datetime, n: int) -> dt.datetime:
    """The start (00:00, Asia/Shanghai) of the n-th working day counting back from the day of
    `now`, that day included when it is a working day. For every moment x and n ≥ 1:
    `working_days_between(x, now) >= n` exactly when `x < working_days_cutoff(now, n)`; so for
    a deadline and n ≥ 2, `working_days_late(due, now) >= n` exactly when `due < cutoff`."""
    if n < 1:
        raise ValueError("n must be at least 1")
    d = _as_date(now)
    span = n // 240 + 1
    while True:
        days = _ensure(d.year - span, d.year)
        idx = bisect_right(days, d) - n
        if idx >= 0:
            return start_of_day(days[idx])
        span *= 2


def start_of_day(day: dt.date) -> dt.datetime:
    """The first instant of `day` in Asia/Shanghai, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI)


def working_time_between(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """The working time in [a, b): the part of it that falls on working days, each working day
    counting whole (00:00–24:00 Asia/Shanghai, as a deadline runs to the end of its day) and a
    rest day not at all. Fri 17:30 → Mon 08:30 is 6 h 30 min + 8 h 30 min = 15 h."""
    if b <= a:
        return dt.timedelta(0)
    a, b = a.astimezone(SHANGHAI), b.astimezone(SHANGHAI)
    da, db = a.date(), b.date()
    if da == db:
        return b - a if is_working_day(da) else dt.timedelta(0)
    total = dt.timedelta(0)
    if is_working_day(da):
        total += start_of_day(da + _DAY) - a
    last_working = is_working_day(db)
    if last_working:
        total += b - start_of_day(db)
    whole = working_days_between(da, db) - (1 if last_working else 0)  # days strictly between
    return total + whole * _DAY


def add_working_time(moment: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """The moment `amount` of working time (as `working_time_between` counts it) after
    `moment`: rest days are skipped, so `working_time_between(m, add_working_time(m, t)) == t`
    for a moment m on a working day."""
    t = moment.astimezone(SHANGHAI)
    if amount <= dt.timedelta(0):
        return t
    day = t.date()
    if not is_working_day(day):
        day = add_working_days(day, 0)
        t = start_of_day(day)
    room = start_of_day(day + _DAY) - t
    if amount <= room:
        return t + amount
    full, rest = divmod(amount - room, _DAY)
    if not rest:  # ends exactly at the end of a working day
        return start_of_day(add_working_days(day, full)) + _DAY
    return start_of_day(add_working_days(day, full + 1)) + rest


def shift_working_days(moment: dt.datetime, n: int) -> dt.datetime:
    """`moment` moved `n` working days on, keeping its time of day (Asia/Shanghai)."""
    local = moment.astimezone(SHANGHAI)
    return dt.datetime.combine(add_working_days(local.date(), n), local.timetz())


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of `day` in Asia/Shanghai, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def due_at(start: dt.datetime, n: int) -> dt.datetime:
    """A deadline `n` working days after the moment `start`: the end of that working day."""
    return end_of_day(add_working_days(start, n))


def missing_arrangement_warning(today: dt.date | None = None) -> str | None:
    """From November on, warn while next year's 调休 arrangement is unknown."""
    today = today or dt.datetime.now(SHANGHAI).date()
    if today.month < 11:
        return None
    if arrangement_known(today.year + 1):
        return None
    return _(
        "%(year)s年的节假日和调休安排尚未录入。国务院办公厅公布后，请在“系统设置 › 节假日安排”中录入，否则明年的办理时限会按普通周末计算。"
    ) % {"year": today.year + 1}

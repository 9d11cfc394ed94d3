"""The work calendar: the real 2026 arrangement, deadline arithmetic, admin overrides, the
November warning, and properties that must hold for every date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhuqi.core import workcalendar as wc
from zhuqi.core.models import HolidayArrangement, WorkdayOverride

D = dt.date
SH = wc.SHANGHAI


@pytest.fixture(autouse=True)
def _fresh_calendar(db):
    # Overrides are cached per process; a rolled-back test must not leak them into the next.
    wc.invalidate()
    yield
    wc.invalidate()


def days(start: dt.date, end: dt.date):
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)


# --- the 2026 arrangement (国办发明电〔2025〕号) ------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3)]
    + list(days(D(2026, 2, 15), D(2026, 2, 23)))
    + list(days(D(2026, 10, 1), D(2026, 10, 7)))
    + [D(2026, 5, 1), D(2026, 5, 5), D(2026, 6, 19), D(2026, 9, 25), D(2026, 4, 6)],
)
def test_2026_holidays_are_days_off(day):
    assert not wc.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 1, 4),  # Sunday worked for New Year
        D(2026, 2, 14),  # Saturday worked for Spring Festival
        D(2026, 2, 28),  # Saturday worked for Spring Festival
        D(2026, 5, 9),  # Saturday worked for Labour Day
        D(2026, 9, 20),  # Sunday worked for National Day
        D(2026, 10, 10),  # Saturday worked for National Day
    ],
)
def test_2026_weekend_workdays_are_working_days(day):
    assert day.weekday() >= 5
    assert wc.is_working_day(day)


def test_ordinary_weekdays_and_weekends():
    assert wc.is_working_day(D(2026, 9, 30))  # Wednesday before National Day
    assert wc.is_working_day(D(2026, 10, 8))  # first day back
    assert not wc.is_working_day(D(2026, 10, 11))  # ordinary Sunday
    assert not wc.is_working_day(D(2026, 10, 17))  # ordinary Saturday


def test_2026_has_248_working_days():
    # 365 days − 104 weekend days − 19 weekday holidays + 6 weekend workdays
    assert wc.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248
    assert sum(wc.is_working_day(d) for d in days(D(2026, 1, 1), D(2026, 12, 31))) == 248


def test_arrangement_known_for_2026_not_2027():
    assert wc.arrangement_known(2026)
    assert not wc.arrangement_known(2027)


# --- add_working_days ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # across the National Day holiday
        (D(2026, 9, 30), 2, D(2026, 10, 9)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # the Saturday workday counts
        (D(2026, 9, 30), 4, D(2026, 10, 12)),  # Sunday 10-11 does not
        (D(2026, 10, 9), 1, D(2026, 10, 10)),  # Friday + 1 → Saturday workday
        (D(2026, 10, 3), 1, D(2026, 10, 8)),  # from inside the holiday
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Friday + 1 → Sunday workday
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # across the Spring Festival
        (D(2026, 12, 31), 1, D(2027, 1, 4)),  # 2027-01-01 is New Year; then a weekend
        (D(2026, 9, 30), 5, D(2026, 10, 13)),
    ],
)
def test_add_working_days_forward(start, n, expected):
    assert wc.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 10, 8), D(2026, 10, 8)),  # a working day is itself
        (D(2026, 10, 10), D(2026, 10, 10)),  # the Saturday workday is itself
        (D(2026, 10, 1), D(2026, 10, 8)),  # a holiday rolls forward
        (D(2026, 10, 11), D(2026, 10, 12)),  # a Sunday rolls forward
    ],
)
def test_add_zero_working_days(start, expected):
    assert wc.add_working_days(start, 0) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 10, 8), -1, D(2026, 9, 30)),
        (D(2026, 10, 10), -1, D(2026, 10, 9)),
        (D(2026, 10, 12), -1, D(2026, 10, 10)),
        (D(2026, 10, 1), -1, D(2026, 9, 30)),  # from a holiday: the working day before it
        (D(2026, 9, 21), -1, D(2026, 9, 20)),  # Monday − 1 → Sunday workday
        (D(2026, 10, 8), -3, D(2026, 9, 28)),
        (D(2026, 2, 24), -1, D(2026, 2, 14)),
        (D(2026, 1, 5), -1, D(2026, 1, 4)),
        (D(2026, 1, 4), -1, D(2025, 12, 31)),  # back across the year boundary
    ],
)
def test_add_negative_working_days(start, n, expected):
    assert wc.add_working_days(start, n) == expected


def test_add_working_days_accepts_aware_datetimes_in_shanghai_time():
    # 2026-10-07 16:30 UTC is 2026-10-08 00:30 in Shanghai: the first day back, not a holiday.
    late = dt.datetime(2026, 10, 7, 16, 30, tzinfo=dt.UTC)
    assert wc.is_working_day(late)
    assert wc.add_working_days(late, 0) == D(2026, 10, 8)
    assert wc.add_working_days(late, 1) == D(2026, 10, 9)
    morning = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    assert wc.due_at(morning, 1) == dt.datetime(2026, 10, 8, 23, 59, 59, tzinfo=SH)


def test_large_n_spans_many_years():
    start = D(2026, 3, 2)
    far = wc.add_working_days(start, 2000)
    assert far.year >= 2033
    assert wc.working_days_between(start, far) == 2000
    assert wc.add_working_days(far, -2000) == start


# --- working_days_between ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2026, 9, 30), D(2026, 10, 8), 1),
        (D(2026, 9, 30), D(2026, 10, 10), 3),
        (D(2026, 10, 10), D(2026, 9, 30), -3),
        (D(2026, 10, 1), D(2026, 10, 7), 0),
        (D(2026, 10, 8), D(2026, 10, 8), 0),
        (D(2026, 9, 30), D(2026, 9, 30), 0),
        (D(2026, 2, 13), D(2026, 2, 24), 2),  # 02-14 (Sat) and 02-24
        (D(2026, 12, 31), D(2026, 12, 30), -1),  # (12-30, 12-31] = one working day, negated
    ],
)
def test_working_days_between(a, b, expected):
    assert wc.working_days_between(a, b) == expected


# --- database overrides --------------------------------------------------------------------


def test_override_wins_over_the_package_and_the_cache_is_reset_on_save():
    assert wc.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)  # warms the cache
    override = WorkdayOverride.objects.create(date=D(2026, 10, 8), is_workday=False, note="本地调休")
    assert not wc.is_working_day(D(2026, 10, 8))
    assert wc.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 9)
    assert wc.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 2

    override.is_workday = True
    override.save()
    assert wc.is_working_day(D(2026, 10, 8))

    override.delete()
    assert wc.is_working_day(D(2026, 10, 8))
    assert wc.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_override_can_make_a_holiday_or_weekend_a_working_day():
    WorkdayOverride.objects.create(date=D(2026, 10, 5), is_workday=True)
    WorkdayOverride.objects.create(date=D(2026, 10, 17), is_workday=True)
    assert wc.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 5)
    assert wc.is_working_day(D(2026, 10, 17))
    assert wc.add_working_days(D(2026, 10, 16), 1) == D(2026, 10, 17)


def test_changes_made_elsewhere_are_seen_after_the_ttl(monkeypatch):
    clock = [10_000.0]
    monkeypatch.setattr(wc.time, "monotonic", lambda: clock[0])
    assert wc.is_working_day(D(2026, 10, 9))
    # Another process adds an override: no signal reaches this one (queryset.bulk_create
    # sends none either), so the cached copy is trusted until the TTL passes.
    WorkdayOverride.objects.bulk_create([WorkdayOverride(date=D(2026, 10, 9), is_workday=False)])
    clock[0] += wc._OVERRIDE_TTL / 2
    assert wc.is_working_day(D(2026, 10, 9))
    clock[0] += wc._OVERRIDE_TTL
    assert not wc.is_working_day(D(2026, 10, 9))


def test_overrides_load_on_a_freshly_booted_machine(monkeypatch):
    # time.monotonic() counts from boot; shortly after boot it is below the TTL. A first load
    # must happen anyway (this used to treat "loaded at 0.0" as fresh and ignore the table).
    monkeypatch.setattr(wc.time, "monotonic", lambda: 5.0)
    wc.invalidate()
    WorkdayOverride.objects.bulk_create([WorkdayOverride(date=D(2026, 10, 9), is_workday=False)])
    assert not wc.is_working_day(D(2026, 10, 9))
    WorkdayOverride.objects.create(date=D(2026, 10, 12), is_workday=False)
    assert not wc.is_working_day(D(2026, 10, 12))


def test_invalidate_resets_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        WorkdayOverride.objects.create(date=D(2026, 10, 9), is_workday=False)
    assert callbacks, "the cache must be reset again on commit"
    assert not wc.is_working_day(D(2026, 10, 9))
    assert wc._cal.overrides_at is not None
    callbacks[-1]()
    assert wc._cal.overrides_at is None


# --- the November warning --------------------------------------------------------------------


def test_missing_arrangement_warning_for_2027():
    assert wc.missing_arrangement_warning(D(2026, 10, 31)) is None  # too early to worry
    warning = wc.missing_arrangement_warning(D(2026, 11, 1))
    assert warning and "2027年" in warning and "节假日安排" in warning
    assert wc.missing_arrangement_warning(D(2026, 12, 31))
    assert wc.missing_arrangement_warning(D(2025, 11, 15)) is None  # the package knows 2026


def test_a_single_override_does_not_silence_the_warning():
    """One local day (a 2027 override) is not the national arrangement: the warning stays until
    the State Council's notice is entered (tests/core/test_configuration.py)."""
    assert wc.missing_arrangement_warning(D(2026, 11, 20))
    WorkdayOverride.objects.create(date=D(2027, 2, 20), is_workday=True, note="春节调休")
    assert not wc.arrangement_known(2027)
    assert wc.missing_arrangement_warning(D(2026, 11, 20))
    HolidayArrangement.objects.create(year=2027)
    assert wc.arrangement_known(2027)
    assert wc.missing_arrangement_warning(D(2026, 11, 20)) is None


def test_warning_is_shown_to_admins_only(world, login, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 22, 10, 0, tzinfo=SH))
    page = login(world.admin).get("/core/regions/").content.decode()
    assert 'data-testid="calendar-warning"' in page and "2027年" in page
    page = login(world.alice).get("/core/regions/").content.decode()
    assert 'data-testid="calendar-warning"' not in page


# --- properties -------------------------------------------------------------------------------

dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2028, 12, 31))
steps = st.integers(min_value=-600, max_value=600)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPS
@given(d=dates, n=st.integers(min_value=1, max_value=600))
def test_add_then_between_round_trips(d, n):
    assert wc.working_days_between(d, wc.add_working_days(d, n)) == n


@PROPS
@given(d=dates, n=st.integers(min_value=-600, max_value=0))
def test_add_back_then_between(d, n):
    # For n ≤ 0 the start itself is counted by (result, d] only if it is a working day.
    expected = n if wc.is_working_day(d) else n + 1
    assert wc.working_days_between(d, wc.add_working_days(d, n)) == expected


@PROPS
@given(d=dates, n=steps)
def test_result_is_always_a_working_day(d, n):
    assert wc.is_working_day(wc.add_working_days(d, n))


@PROPS
@given(d=dates, n1=steps, n2=steps)
def test_monotonic_in_n(d, n1, n2):
    lo, hi = sorted((n1, n2))
    assert wc.add_working_days(d, lo) <= wc.add_working_days(d, hi)
    if lo < hi and not (lo == 0 and hi == 1):
        # 0 and 1 coincide only when d is not a working day (both give the next one)
        assert wc.add_working_days(d, lo) < wc.add_working_days(d, hi)


@PROPS
@given(d1=dates, d2=dates, n=steps)
def test_monotonic_in_start(d1, d2, n):
    a, b = sorted((d1, d2))
    assert wc.add_working_days(a, n) <= wc.add_working_days(b, n)


@PROPS
@given(d=dates, m=st.integers(min_value=1, max_value=300), n=st.integers(min_value=1, max_value=300))
def test_adding_composes(d, m, n):
    assert wc.add_working_days(wc.add_working_days(d, m), n) == wc.add_working_days(d, m + n)


@PROPS
@given(a=dates, b=dates)
def test_between_is_antisymmetric(a, b):
    assert wc.working_days_between(a, b) == -wc.working_days_between(b, a)


@PROPS
@given(a=dates, b=dates, c=dates)
def test_between_is_additive(a, b, c):
    ab, bc = wc.working_days_between(a, b), wc.working_days_between(b, c)
    assert ab + bc == wc.working_days_between(a, c)


@PROPS
@given(a=dates, span=st.integers(min_value=0, max_value=120))
def test_between_matches_counting_day_by_day(a, span):
    b = a + dt.timedelta(days=span)
    naive = sum(wc.is_working_day(a + dt.timedelta(days=i)) for i in range(1, span + 1))
    assert wc.working_days_between(a, b) == naive


# --- "late / past by N working days": one count everywhere ----------------------------------


@PROPS
@given(x=dates, now=dates, n=st.integers(min_value=1, max_value=30), hour=st.integers(0, 23))
def test_cutoff_is_the_count_as_one_comparison(x, now, n, hour):
    moment = dt.datetime.combine(now, dt.time(hour), tzinfo=SH)
    xm = dt.datetime.combine(x, dt.time(hour), tzinfo=SH)
    assert (wc.working_days_between(xm, moment) >= n) == (xm < wc.working_days_cutoff(moment, n))
    due = wc.end_of_day(x)
    if n >= 2:
        assert (wc.working_days_late(due, moment) >= n) == (due < wc.working_days_cutoff(moment, n))


def test_working_days_late_at_the_boundaries():
    due = wc.end_of_day(D(2026, 10, 19))  # Monday
    assert wc.working_days_late(due, due) == 0
    assert wc.working_days_late(due, dt.datetime(2026, 10, 24, 10, tzinfo=SH)) == 4  # Sat
    assert wc.working_days_late(due, dt.datetime(2026, 10, 26, 0, 0, 1, tzinfo=SH)) == 5
    # past due on a rest day: at least 1 (Fri 10-23 due, Saturday)
    assert wc.working_days_late(wc.end_of_day(D(2026, 10, 23)), dt.datetime(2026, 10, 24, 9, tzinfo=SH)) == 1
    # dates: due on a 调休 Saturday (2026-10-10), seen on Sunday: 1
    assert wc.working_days_late(D(2026, 10, 10), D(2026, 10, 11)) == 1
    assert wc.working_days_late(D(2026, 10, 10), D(2026, 10, 10)) == 0
    # "≥ 5" on Mon 10-26: the 5th working day back, Monday included, is Tue 10-20 (26, 23, 22,
    # 21, 20), so a deadline on 10-19 lies before the cutoff; on Sunday 10-25 it does not
    assert wc.working_days_cutoff(D(2026, 10, 26), 5) == dt.datetime(2026, 10, 20, tzinfo=SH)
    assert wc.working_days_cutoff(D(2026, 10, 25), 5) == dt.datetime(2026, 10, 19, tzinfo=SH)


# --- working time (pauses) ------------------------------------------------------------------


def test_working_time_skips_rest_days():
    H = dt.timedelta(hours=1)
    fri, mon = dt.datetime(2026, 10, 16, 17, 30, tzinfo=SH), dt.datetime(2026, 10, 19, 8, 30, tzinfo=SH)
    assert wc.working_time_between(fri, mon) == 15 * H
    sat, sun = dt.datetime(2026, 10, 17, 10, tzinfo=SH), dt.datetime(2026, 10, 18, 18, tzinfo=SH)
    assert wc.working_time_between(sat, sun) == dt.timedelta(0)
    # across National Day: 9-30 12:00 → 10-8 12:00 = 12 h + 12 h
    assert (
        wc.working_time_between(
            dt.datetime(2026, 9, 30, 12, tzinfo=SH), dt.datetime(2026, 10, 8, 12, tzinfo=SH)
        )
        == 24 * H
    )
    due = wc.end_of_day(D(2026, 10, 21))
    assert wc.add_working_time(due, 15 * H) == dt.datetime(2026, 10, 22, 14, 59, 59, tzinfo=SH)
    # from a rest day: starts at the next working day's 00:00
    assert wc.add_working_time(sat, 2 * H) == dt.datetime(2026, 10, 19, 2, tzinfo=SH)
    assert wc.shift_working_days(dt.datetime(2026, 10, 22, 14, 59, tzinfo=SH), 2) == dt.datetime(
        2026, 10, 26, 14, 59, tzinfo=SH
    )


@PROPS
@given(d=dates, minutes=st.integers(0, 24 * 60 - 1), amount=st.integers(0, 60 * 24 * 40))
def test_add_working_time_round_trips(d, minutes, amount):
    start = wc.start_of_day(wc.add_working_days(d, 0)) + dt.timedelta(minutes=minutes)
    later = wc.add_working_time(start, dt.timedelta(minutes=amount))
    assert wc.working_time_between(start, later) == dt.timedelta(minutes=amount)

"""Visit compliance: for a date range, which rule periods of each assignment were met (done),
are still open (due) or have passed without enough visits (overdue).

One query for the assignments, one for the visits in range; counting is done per
(visitor, enterprise) bucket with a binary search over sorted visit dates."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhuqi.core.params import date_param
from zhuqi.core.units import rate

from .models import Assignment, Period, Visit, VisitRule

DONE, DUE, OVERDUE = "done", "due", "overdue"
STATUS_LABELS = {
    DONE: gettext_lazy("已完成"),
    DUE: gettext_lazy("待走访"),
    OVERDUE: gettext_lazy("逾期未走访"),
}


def period_from(params) -> tuple[str, dt.date, dt.date]:
    """The period asked for by `?period=…&date=…` (page or API query), quarter and today when
    missing or malformed: (period, first day, last day)."""
    period = params.get("period") or Period.QUARTER
    if period not in Period.values:
        period = Period.QUARTER
    day = date_param(params, "date") or timezone.localdate()
    start, end = period_bounds(period, day)
    return period, start, end


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The rule period (week Mon–Sun, month, quarter, year) containing `day`."""
    if period == Period.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if period == Period.MONTH:
        start = day.replace(day=1)
    elif period == Period.QUARTER:
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    else:
        start = dt.date(day.year, 1, 1)
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[Period(period)]
    y, m = divmod(start.month - 1 + months, 12)
    return start, dt.date(start.year + y, m + 1, 1) - dt.timedelta(days=1)


def units(period: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The rule periods that overlap [start, end] (the first and last may stick out)."""
    out = []
    day = start
    while day <= end:
        s, e = period_bounds(period, day)
        out.append((s, e))
        day = e + dt.timedelta(days=1)
    return out


def unit_counts_in(period: str, unit_start: dt.date, start: dt.date, end: dt.date, year: int) -> bool:
    """Whether the rule period starting on `unit_start` belongs to the report range [start, end]
    and to the assignment year `year`. A week (Mon–Sun) belongs to the month, quarter and ISO
    year of its Thursday, so a week spanning two months is counted in one of them only and
    2026-W53 (28 Dec 2026 – 3 Jan 2027) in 2026 only; months, quarters and years are calendar
    periods and belong to the range they overlap and to their own year."""
    if period == Period.WEEK:
        thursday = unit_start + dt.timedelta(days=3)
        return start <= thursday <= end and thursday.isocalendar()[0] == year
    return unit_start.year == year


def range_label(period: str, start: dt.date) -> str:
    if period == Period.WEEK:
        iso = start.isocalendar()
        return gettext("%(year)s年第%(week)s周") % {"year": iso[0], "week": iso[1]}
    if period == Period.MONTH:
        return gettext("%(year)s年%(month)s月") % {"year": start.year, "month": start.month}
    if period == Period.QUARTER:
        return gettext("%(year)s年第%(quarter)s季度") % {
            "year": start.year,
            "quarter": (start.month - 1) // 3 + 1,
        }
    return gettext("%(year)s年") % {"year": start.year}


@dataclass
class Unit:
    start: dt.date
    end: dt.date
    visits: int
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Row:
    """Compliance of one assignment in the range."""

    assignment: Assignment
    rule: VisitRule
    units: list[Unit] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for u in self.units if u.status == status)

    @property
    def done(self) -> int:
        return self.count(DONE)

    @property
    def due(self) -> int:
        return self.count(DUE)

    @property
    def overdue(self) -> int:
        return self.count(OVERDUE)


@dataclass
class Summary:
    """Totals for an official, an enterprise or a department."""

    key: object
    label: str
    done: int = 0
    due: int = 0
    overdue: int = 0
    rows: list[Row] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        """Share of closed periods that were met, in percent rounded half up to one decimal
        (open periods not counted)."""
        return rate(self.done, self.done + self.overdue)

    def add(self, row: Row) -> None:
        self.done += row.done
        self.due += row.due
        self.overdue += row.overdue
        self.rows.append(row)


def compute(assignments, start: dt.date, end: dt.date, today: dt.date | None = None) -> list[Row]:
    """Compliance rows for `assignments` (a queryset) over [start, end]; periods after `today`
    are not yet required."""
    today = today or timezone.localdate()
    rules = {r.role: r for r in VisitRule.objects.all()}
    qs = (
        assignments.filter(started_on__lte=min(end, today), year__gte=start.year, year__lte=end.year)
        .exclude(ended_on__lt=start)
        .filter(role__in=list(rules))
        .select_related("user", "user__department", "enterprise", "department")
    )
    plan: list[tuple[Assignment, VisitRule, list[tuple[dt.date, dt.date]]]] = []
    lo, hi = None, None
    for a in qs:
        rule = rules[a.role]
        active_end = min(a.ended_on or end, end, today)
        spans = (
            [
                (s, e)
                for s, e in units(rule.period, max(start, a.started_on, dt.date(a.year, 1, 1)), active_end)
                if unit_counts_in(rule.period, s, start, end, a.year)
            ]
            if max(start, a.started_on) <= active_end
            else []
        )
        if not spans:
            continue
        plan.append((a, rule, spans))
        lo = spans[0][0] if lo is None else min(lo, spans[0][0])
        hi = spans[-1][1] if hi is None else max(hi, spans[-1][1])
    if not plan:
        return []
    users = {a.user_id for a, _, _ in plan}
    ents = {a.enterprise_id for a, _, _ in plan}
    visits: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for uid, eid, day in Visit.objects.filter(
        visited_on__gte=lo, visited_on__lte=hi, visitor_id__in=users, enterprise_id__in=ents
    ).values_list("visitor_id", "enterprise_id", "visited_on"):
        visits[(uid, eid)].append(day)
    for days in visits.values():
        days.sort()
    rows = []
    for a, rule, spans in plan:
        days = visits.get((a.user_id, a.enterprise_id), [])
        row = Row(a, rule)
        for s, e in spans:
            n = bisect_right(days, e) - bisect_left(days, s)
            status = DONE if n >= rule.min_visits else (OVERDUE if e < today else DUE)
            row.units.append(Unit(s, e, n, status))
        rows.append(row)
    return rows


def by_official(rows: list[Row]) -> list[Summary]:
    out: dict[int, Summary] = {}
    for row in rows:
        u = row.assignment.user
        out.setdefault(u.pk, Summary(u, u.display_name)).add(row)
    return _rank(out.values())


def by_enterprise(rows: list[Row]) -> list[Summary]:
    out: dict[int, Summary] = {}
    for row in rows:
        e = row.assignment.enterprise
        out.setdefault(e.pk, Summary(e, e.name)).add(row)
    return _rank(out.values())


def by_department(rows: list[Row]) -> list[Summary]:
    out: dict[object, Summary] = {}
    for row in rows:
        dept = row.assignment.department or row.assignment.user.department
        key = dept.pk if dept else None
        out.setdefault(key, Summary(dept, dept.name if dept else gettext("（未归属部门）"))).add(row)
    return _rank(out.values())


def _rank(summaries) -> list[Summary]:
    """Best first; officials with no closed period yet go last."""
    return sorted(summaries, key=lambda s: (s.rate is None, -(s.rate or 0), -s.done, s.label))

"""Reads of the indicators: the forms a viewer sees, what an enterprise must report, the
completeness board (expected, submitted, on time, late, missing), approvals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, When
from django.db.models import Value as V
from django.utils import timezone

from zhuqi.core.models import Region
from zhuqi.core.scope import scope_for
from zhuqi.core.units import rate
from zhuqi.enterprises.models import Enterprise

from .models import Approval, DataSet, Report, UnlockRequest, Value, ancestor_paths
from .periods import Period
from .services import due_on, expected_enterprises


def datasets_for(user):
    return DataSet.objects.visible_to(user).filter(is_active=True).select_related("region")


def current_period(dataset: DataSet, today: dt.date | None = None) -> Period:
    """The period being reported now: the last one that has ended (January of a merged form
    waits for 1—2月: its report period is the December before until February has ended)."""
    today = today or timezone.localdate()
    p = Period.last_ended(dataset.period_type, today)
    while dataset.skips(p):
        p = p.previous()
    return p


def recent_periods(dataset: DataSet, n: int = 6, today: dt.date | None = None) -> list[Period]:
    p, out = current_period(dataset, today), []
    while len(out) < n:
        if not dataset.skips(p):
            out.append(p)
        p = p.previous()
    return out


def returns_of(enterprise: Enterprise, today: dt.date | None = None) -> list[dict]:
    """For an enterprise: each form it is expected to report, its recent periods and their state."""
    today = today or timezone.localdate()
    out = []
    above = ancestor_paths(enterprise.region_path)  # the forms of its region and the regions above
    for ds in DataSet.objects.filter(is_active=True, region__path__in=above).select_related("region"):
        if not expected_enterprises(ds, today.year).filter(pk=enterprise.pk).exists():
            continue
        periods = recent_periods(ds, 4, today)
        reports = {
            r.period: r
            for r in Report.objects.filter(
                dataset=ds, enterprise=enterprise, period__in=[p.code for p in periods]
            )
        }
        rows = []
        for p in periods:
            due = due_on(ds, p)
            r = reports.get(p.code)
            state = "late" if r and r.late else "submitted" if r else ("overdue" if today > due else "open")
            rows.append(
                {"period": p, "label": p.label(ds.merge_jan_feb), "due": due, "report": r, "state": state}
            )
        out.append({"dataset": ds, "rows": rows})
    return out


@dataclass
class Completeness:
    """One row of the completeness board (src/zhuqi/docs/indicators-figures.md, 报送情况)."""

    label: str
    key: str
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def rate(self):
        return rate(self.submitted, self.expected)

    @property
    def on_time_rate(self):
        return rate(self.on_time, self.expected)


def _expected_in_scope(dataset: DataSet, period: Period, user):
    return expected_enterprises(dataset, period.year).filter(scope_for(user).enterprise_q())


def completeness(dataset: DataSet, period: Period, user) -> tuple[Completeness, list[Completeness]]:
    """The total and one row per child region of the viewer's region (or of the form's region
    for an administrator): expected = enterprises of the form's audience the viewer may see;
    submitted = with a return for the period; on time / late by the return's flag. One grouped
    query: each expected enterprise is labelled with the child region whose path prefixes its
    own (a CASE over the children) and with its return's `late` flag, then counted per child."""
    root_path = scope_for(user).region_path or dataset.region.path
    root = Region.objects.filter(path=root_path).first() or dataset.region
    children = list(Region.objects.filter(parent=root, is_active=True).order_by("code"))
    late = Report.objects.filter(dataset=dataset, period=period.code, enterprise=OuterRef("pk")).values(
        "late"
    )
    child = (
        Case(
            *[When(region_path__startswith=c.path, then=V(c.pk)) for c in children],
            output_field=IntegerField(),
        )
        if children
        else V(None, output_field=IntegerField())
    )
    groups = (
        _expected_in_scope(dataset, period, user)
        .annotate(child=child, report_late=Subquery(late[:1]))
        .order_by()
        .values("child")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(report_late__isnull=False)),
            late=Count("pk", filter=Q(report_late=True)),
        )
    )
    total = Completeness(root.name, str(root.pk))
    rows = {c.pk: Completeness(c.name, str(c.pk)) for c in children}
    for g in groups:
        for t in (total, rows.get(g["child"])):
            if t is not None:
                t.expected += g["expected"]
                t.submitted += g["submitted"]
                t.late += g["late"]
                t.on_time += g["submitted"] - g["late"]
    return total, [r for r in rows.values() if r.expected]


def missing_enterprises(dataset: DataSet, period: Period, user):
    """The enterprises of the board that have not reported (the drill-down of 未报)."""
    reported = Report.objects.filter(dataset=dataset, period=period.code, enterprise=OuterRef("pk"))
    return (
        _expected_in_scope(dataset, period, user)
        .filter(~Exists(reported))
        .select_related("region")
        .order_by("region__code", "name")
    )


def reports_for(dataset: DataSet, period: Period, user, *, late: bool | None = None):
    qs = (
        Report.objects.visible_to(user)
        .filter(dataset=dataset, period=period.code)
        .select_related("enterprise", "region")
    )
    if late is not None:
        qs = qs.filter(late=late)
    return qs.order_by("region__code", "enterprise__name")


def return_values(enterprise: Enterprise, dataset: DataSet, period: Period) -> dict[int, dict]:
    """indicator pk → this period's value, the previous period's and last year's (for prefill)."""
    codes = [period.code, period.previous().code, period.last_year().code]
    values = Value.objects.filter(
        enterprise=enterprise, period__in=codes, indicator__in=dataset.items.values("indicator")
    )
    out: dict[int, dict] = {}
    for v in values:
        slot = {period.code: "now", period.previous().code: "prev", period.last_year().code: "last_year"}[
            v.period
        ]
        out.setdefault(v.indicator_id, {})[slot] = v
    return out


def approvals_for(user, dataset: DataSet, periods: list[Period]):
    return {
        (a.period, a.region_id): a
        for a in Approval.objects.visible_to(user)
        .filter(dataset=dataset, period__in=[p.code for p in periods])
        .select_related("region", "approved_by")
    }


def pending_unlocks(user):
    s = scope_for(user)
    qs = UnlockRequest.objects.filter(status=UnlockRequest.Status.PENDING).select_related(
        "approval__region", "approval__dataset", "requested_by"
    )
    if s.is_admin:
        return qs
    if not s.region_path:
        return qs.none()
    return qs.filter(Q(approval__region__path__startswith=s.region_path))


# --- home pages and the cockpit ------------------------------------------------------------------
def default_period(user, today) -> Period:
    """The month the dispatch view opens on: the last month whose returns are due (five working
    days after it ends; before that it is still being reported, so the month before), or, when the
    viewer's enterprises have reported nothing that recent, the latest month they reported."""
    from django.db.models import Max

    from zhuqi.core.workcalendar import add_working_days

    p = Period.last_ended("M", today)
    if today <= add_working_days(p.end, 5):
        p = p.previous()
    monthly = Report.objects.visible_to(user).filter(dataset__period_type="M")
    if monthly.filter(period=p.code).exists():  # the usual case: one index probe per form, no MAX
        return p
    latest = monthly.filter(period__lte=p.code).aggregate(m=Max("period"))["m"]
    if latest and latest < p.code:
        return Period.parse(latest)
    return p


def returns_to_file(enterprise: Enterprise, today: dt.date) -> list[dict]:
    """The periods of `returns_of` the enterprise has not filed yet (open or overdue), overdue
    first, then by deadline; each row also names its form (`dataset`)."""
    out = [
        {**row, "dataset": form["dataset"]}
        for form in returns_of(enterprise, today)
        for row in form["rows"]
        if row["state"] in ("open", "overdue")
    ]
    out.sort(key=lambda r: (r["state"] != "overdue", r["due"], r["dataset"].name))
    return out


def region_of(user) -> Region | None:
    """The viewer's own region (an administrator: the top of the tree), as the cockpit and the
    经济指标调度 open on it."""
    visible = Region.objects.visible_to(user)
    path = scope_for(user).region_path
    return visible.filter(path=path).first() if path else visible.order_by("depth", "code").first()


def region_figures(user, today: dt.date, region: Region):
    """(period, figures) of every active indicator of `region` at the default period of the
    经济指标调度, exactly as its summary table computes them (`figures.compute`)."""
    from . import figures
    from .models import Indicator

    period = default_period(user, today)
    entity = figures.Entity.of(region=region)
    inds = list(Indicator.objects.filter(is_active=True).order_by("sort", "code"))
    figs = figures.compute(user, inds, period, [entity])
    return period, [figs[(entity.key, ind.pk)] for ind in inds]


def behind_indicators(user, today: dt.date, region: Region | None = None):
    """(region, period, figures) of the indicators of `region` (default: the viewer's) behind
    at the default period of the 经济指标调度: 超时序进度 below zero, or growth below its target,
    the furthest behind first; None when the viewer has no region."""
    region = region or region_of(user)
    if region is None:
        return None
    period, figs = region_figures(user, today, region)
    rows = []
    for f in figs:
        gap = f.lead if f.lead is not None else f.growth_gap
        if gap is not None and gap < 0:
            rows.append((gap, f))
    rows.sort(key=lambda r: r[0])
    return region, period, [f for _gap, f in rows]


#: the period types whose last period ends on 31 December, in the order a full-year figure is
#: preferred when an enterprise reported several (a yearly return, December, Q4, H2, 下旬)
_YEAR_END = (("Y", ""), ("M", "12"), ("Q", "Q4"), ("H", "H2"), ("X", "12X3"))


@dataclass(frozen=True)
class AnnualFact:
    """An enterprise's full-year (1—12月累计) value of one indicator, from an approved period."""

    value: Decimal  # in the indicator's unit
    period: str  # the period code it was read from ("2026", "202612", "2026Q4" …)
    indicator: str  # the indicator's name


def approved_annual_values(enterprise_ids, year: int, codes) -> dict[tuple[int, str], AnnualFact]:
    """(enterprise, indicator code) → the enterprise's full-year value of `year` for each indicator
    in `codes`: the cumulative (1—12月累计) of a period ending on 31 December (the year itself,
    December, Q4, H2 or 12月下旬, preferred in that order) whose approval (审核锁定) covers the
    enterprise's region — a value still open to change is not a fact. The fact another module
    checks a commitment against (attraction's 达产产值 and 单位产出能耗 obligations, read by its
    daily sweep, which acts for no viewer). Three queries whatever the number of enterprises."""
    ids = list(enterprise_ids)
    codes = list(codes)
    if not ids or not codes:
        return {}
    order = {f"{year}{suffix}": i for i, (_t, suffix) in enumerate(_YEAR_END)}
    rows = list(
        Value.objects.filter(
            enterprise_id__in=ids, indicator__code__in=codes, year=year, period__in=list(order)
        )
        .filter(Q(cumulative__isnull=False) | Q(period=str(year), value__isnull=False))
        .values_list(
            "enterprise_id",
            "indicator_id",
            "indicator__code",
            "indicator__name",
            "period",
            "region_path",
            "cumulative",
            "value",
        )
    )
    if not rows:
        return {}
    locks: dict[tuple[int, str], list[str]] = {}
    for ind, period, path in Approval.objects.filter(
        status=Approval.Status.APPROVED,
        period__in={r[4] for r in rows},
        dataset__items__indicator__in={r[1] for r in rows},
    ).values_list("dataset__items__indicator", "period", "region__path"):
        locks.setdefault((ind, period), []).append(path)
    out: dict[tuple[int, str], AnnualFact] = {}
    best: dict[tuple[int, str], int] = {}
    for ent, ind, code, name, period, path, cumulative, value in rows:
        if not any((path or "").startswith(p) for p in locks.get((ind, period), ())):
            continue
        key, rank = (ent, code), order[period]
        if key in best and best[key] <= rank:
            continue
        best[key] = rank
        out[key] = AnnualFact(cumulative if cumulative is not None else value, period, name)
    return out

"""The metrics an assessment (考核) or a 红黑榜 may score: each one a figure another app already
defines, read for a set of units (child regions, departments or projects) over a period. Nothing
here is entered for the assessment: a figure entered once is reused, never asked for again.

By the 2024 rules on reducing the burden on the grassroots, only outcomes are scored — the list
below is the whole choice, and it holds no count of meetings held, photos uploaded, logins or
app activity (docs/oversight.md §考核).

Each metric returns, per unit, a `Measure`: the value (rounded as the page shows it), the target
the metric itself sets where it has one, the counts it is made of, and the link to the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, Region
from zhuqi.core.units import WAN, half_up, rate
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.indicators.periods import Period

from .models import Item, Report, Sequence, Slip, SlipRecord, Status

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Unit:
    """Whom a figure is about: a child region, a department or a project."""

    kind: str  # "region" | "department" | "project"
    pk: int
    label: str
    path: str = ""  # a region's path


@dataclass
class Measure:
    value: Decimal | None
    target: Decimal | None = None  # the metric's own target (e.g. 100 % of the plan), if any
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    url: str = ""


@dataclass
class Context:
    root: Region
    period: Period
    actor: object
    indicator: object | None = None

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def end(self) -> dt.date:
        return self.period.end

    @property
    def as_of(self) -> dt.datetime:
        """The end of the period, or now while it runs."""
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
        return min(end, timezone.now())


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    definition: str
    units: frozenset[str]
    compute: Callable[[Context, list[Unit]], dict[int, Measure]]
    higher_is_better: bool = True
    percent: bool = False  # the value is a percentage
    own_target: bool = False  # each unit's Measure carries its target
    needs_indicator: bool = False
    #: a rate whose denominator is empty means nothing fell to the unit (no case, no item due):
    #: a base item on it scores full marks rather than nothing
    empty_full: bool = False
    unit_label: str = ""
    extra: dict = field(default_factory=dict)
    #: the period kinds (PeriodKind codes) for which the own target holds; None: every kind
    own_target_periods: frozenset[str] | None = None

    def has_own_target(self, period_kind: str | None = None) -> bool:
        """Whether each unit's Measure carries a target for periods of `period_kind`."""
        if not self.own_target:
            return False
        return (
            self.own_target_periods is None or period_kind is None or period_kind in self.own_target_periods
        )


REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> None:
    REGISTRY[metric.code] = metric


def choices(kind: str | None = None) -> list[tuple[str, str]]:
    """(code, label) of the metrics offered for units of `kind` (all when None)."""
    return [(m.code, str(m.label)) for m in REGISTRY.values() if kind is None or kind in m.units]


#: the unit kind of each sequence
UNIT_KIND = {
    Sequence.REGIONS: "region",
    Sequence.COUNTIES: "region",
    Sequence.DEPARTMENTS: "department",
    Sequence.PROJECTS: "project",
}


def units_of(sequence: str, root: Region) -> list[Unit]:
    """The units a sequence ranks under `root`: its active child regions (towns, parks), its
    working departments (government departments, town and park offices), or its live projects;
    a province or a city may rank all the counties of its subtree (全省县域考核)."""
    if sequence in (Sequence.REGIONS, Sequence.COUNTIES):
        regions = (
            Region.objects.filter(parent=root, is_active=True)
            if sequence == Sequence.REGIONS
            else Region.objects.filter(path__startswith=root.path, kind=Region.Kind.COUNTY, is_active=True)
        )
        return [Unit("region", r.pk, r.name, r.path) for r in regions.order_by("path")]
    if sequence == Sequence.DEPARTMENTS:
        kinds = (Department.Kind.GOVERNMENT, Department.Kind.TOWN, Department.Kind.PARK)
        return [
            Unit("department", d.pk, d.short_name or d.name)
            for d in Department.objects.filter(region=root, is_active=True, kind__in=kinds).order_by("name")
        ]
    from zhuqi.projects.models import Project

    return [
        Unit("project", pk, name)
        for pk, name in Project.objects.filter(region__path__startswith=root.path, archived_at__isnull=True)
        .order_by("code")
        .values_list("pk", "name")
    ]


def by_unit_path(units: list[Unit], rows) -> dict[int, list]:
    """Rows keyed by a region path, gathered under the unit whose path is a prefix of it: one
    grouped query by path serves units at any depth (a city's counties, a county's towns)."""
    index = {u.path: u.pk for u in units}
    out: dict[int, list] = {}
    for path, row in rows:
        parts = (path or "").split("/")
        for i in range(1, len(parts)):
            pk = index.get("/".join(parts[:i]) + "/")
            if pk is not None:
                out.setdefault(pk, []).append(row)
                break
    return out


# --- 诉求 (cases) -------------------------------------------------------------------------------
def _cases_rate(key: str):
    """A rate of the cases' own statistics (`cases.figures.metrics`: the same numerator and
    denominator conditions, with the running deadlines judged at the end of the period), over
    the cases submitted in the period, counted in one grouped query by lead department or by
    region path; the link opens the denominator's cases."""

    def compute(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
        from zhuqi.cases import figures as F
        from zhuqi.cases.models import Case

        if not units:
            return {}
        metric = next(m for m in F.metrics(ctx.as_of) if m.key == key)
        assert metric.denominator is not None
        qs = Case.objects.filter(region_path__startswith=ctx.root.path).filter(F.period_q(ctx.start, ctx.end))
        counts = {"n": Count("pk", filter=metric.numerator), "d": Count("pk", filter=metric.denominator)}
        dim = "region" if units[0].kind == "region" else "department"
        pairs: dict[int, tuple[int, int]] = {}
        if dim == "region":  # exact paths, summed under each unit
            grouped = qs.values_list("region_path").annotate(**counts).order_by()
            rows = [(path, (n, d)) for path, n, d in grouped]
            for pk, parts in by_unit_path(units, rows).items():
                pairs[pk] = (sum(p[0] for p in parts), sum(p[1] for p in parts))
        else:
            for dept, n, d in qs.values_list("lead_department_id").annotate(**counts).order_by():
                if dept is not None:
                    pairs[dept] = (n, d)
        out = {}
        for u in units:
            k = u.path if dim == "region" else str(u.pk)
            url = (
                reverse("cases:list")
                + "?"
                + urlencode(
                    {"metric": key, "part": "d", "dim": dim, "key": k, "start": ctx.start, "end": ctx.end}
                )
            )
            n, d = pairs.get(u.pk, (0, 0))
            out[u.pk] = Measure(rate(n, d), numerator=n, denominator=d, url=url)
        return out

    return compute


def _cases_overdue(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """超期未办结: cases still open past their reply deadline at the end of the period (the
    bulletin's figure, `cases.figures.reply_overdue_q`)."""
    from zhuqi.cases import figures as F
    from zhuqi.cases.models import Case

    if not units:
        return {}
    qs = Case.objects.filter(region_path__startswith=ctx.root.path).filter(F.reply_overdue_q(ctx.as_of))
    out = {}
    if units[0].kind == "region":
        agg = qs.aggregate(
            **{f"u{u.pk}": Count("pk", filter=Q(region_path__startswith=u.path)) for u in units}
        )
        counts = {u.pk: agg[f"u{u.pk}"] for u in units}
    else:
        counts = dict(qs.values_list("lead_department_id").annotate(n=Count("pk")).order_by())
    for u in units:
        n = counts.get(u.pk, 0) or 0
        # the list applies the same condition at the same moment: exactly the rows counted
        params = {
            "overdue_at": ctx.end.isoformat(),
            **({"region": u.pk} if u.kind == "region" else {"dept": u.pk}),
        }
        out[u.pk] = Measure(Decimal(n), numerator=n, url=reverse("cases:list") + "?" + urlencode(params))
    return out


# --- 督办事项 (this app) ----------------------------------------------------------------------
def _items_url(u: Unit, **params) -> str:
    return reverse("oversight:item_list") + "?" + urlencode({"department": u.pk, **params})


def _items_ontime(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """按期办结率 = items due in the period (not cancelled) whose last 办结回复 came on or before
    the due date and that 督查 has accepted (已认定 or 已销号) ÷ items due in the period."""
    rows = (
        Item.objects.filter(region__path__startswith=ctx.root.path, due_on__range=(ctx.start, ctx.end))
        .exclude(status=Status.CANCELLED)
        .annotate(replied=Max("reports__at", filter=Q(reports__kind=Report.Kind.REPLY)))
        .values_list("lead_department_id", "status", "due_on", "replied")
    )
    due: dict[int, int] = {}
    ontime: dict[int, int] = {}
    for dept, status, due_on, replied in rows:
        due[dept] = due.get(dept, 0) + 1
        if (
            status in (Status.ACCEPTED, Status.CLOSED)
            and replied
            and timezone.localtime(replied).date() <= due_on
        ):
            ontime[dept] = ontime.get(dept, 0) + 1
    out = {}
    for u in units:
        n, d = ontime.get(u.pk, 0), due.get(u.pk, 0)
        url = _items_url(u, status="all", due_from=ctx.start, due_to=ctx.end)
        out[u.pk] = Measure(rate(n, d), numerator=n, denominator=d, url=url)
    return out


def _items_red(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """红色督办件数: the items (led by the unit) that received a red slip in the period."""
    start = dt.datetime.combine(ctx.start, dt.time(), tzinfo=SHANGHAI)
    counts = dict(
        SlipRecord.objects.filter(
            slip=Slip.RED,
            issued_at__gte=start,
            issued_at__lt=ctx.as_of,
            item__region__path__startswith=ctx.root.path,
        )
        .values_list("item__lead_department_id")
        .annotate(n=Count("item_id", distinct=True))
        .order_by()
    )
    return {
        u.pk: Measure(
            Decimal(counts.get(u.pk, 0)),
            numerator=counts.get(u.pk, 0),
            url=_items_url(u, status="all", slip=int(Slip.RED)),
        )
        for u in units
    }


# --- 重点项目 (projects) ------------------------------------------------------------------------
def _project_month(ctx: Context) -> tuple[int, int]:
    """The report month whose year-to-date figures stand for the period: its last month, or the
    current report month while the period runs."""
    from zhuqi.projects import figures as PF

    last = (ctx.period.year, ctx.period.last_month)
    return min(last, PF.report_period(timezone.localdate()))


def _projects_progress(ctx: Context, units: list[Unit]) -> dict[int, tuple]:
    """(planned_year, planned_to_date, actual_to_date) per unit, one aggregate query."""
    from zhuqi.projects.models import ProjectProgress

    year, month = _project_month(ctx)
    rows = ProjectProgress.objects.filter(
        project__region__path__startswith=ctx.root.path,
        project__archived_at__isnull=True,
        year=year,
        month=month,
    )
    if not units:
        return {}
    kind = units[0].kind
    if kind == "region":
        grouped = (
            rows.values_list("project__region__path")
            .annotate(y=Sum("planned_year"), p=Sum("planned_ytd"), a=Sum("actual_ytd"))
            .order_by()
        )
        out = {}
        for pk, parts in by_unit_path(units, [(path, (y, p, a)) for path, y, p, a in grouped]).items():
            out[pk] = tuple(sum((x[i] or 0 for x in parts), Decimal(0)) for i in range(3))
        return out
    by = "project__department_id" if kind == "department" else "project_id"
    return {
        r[by]: (r["y"], r["p"], r["a"])
        for r in rows.values(by)
        .annotate(y=Sum("planned_year"), p=Sum("planned_ytd"), a=Sum("actual_ytd"))
        .order_by()
    }


def _projects_url(u: Unit) -> str:
    key = {"region": "region", "department": "department"}.get(u.kind)
    if key is None:
        return reverse("projects:project_detail", args=[u.pk])
    return reverse("projects:project_list") + "?" + urlencode({key: u.pk})


def _projects_investment(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """投资计划完成率 = 累计完成投资 ÷ 累计计划投资 (到报告月) × 100; its own target is 100 %."""
    progress = _projects_progress(ctx, units)
    out = {}
    for u in units:
        _y, planned, actual = progress.get(u.pk, (None, None, None))
        out[u.pk] = Measure(
            rate(actual or 0, planned) if planned else None,
            target=HUNDRED,
            numerator=actual,
            denominator=planned,
            url=_projects_url(u),
        )
    return out


def _projects_lead(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """超时序进度 (points) = 年度计划完成率 − 时序进度 (projects' own figure, docs/progress.md); its
    target is 0: on or ahead of schedule."""
    from zhuqi.projects.figures import Progress

    year, month = _project_month(ctx)
    progress = _projects_progress(ctx, units)
    out = {}
    for u in units:
        y, _p, a = progress.get(u.pk, (None, None, None))
        lead = Progress(year, month, y or Decimal(0), Decimal(0), a or Decimal(0)).lead if y else None
        out[u.pk] = Measure(lead, target=Decimal(0), numerator=a, denominator=y, url=_projects_url(u))
    return out


def _approvals_overdue(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """审批逾期事项数: approval steps in progress past their due date at the end of the period,
    by project or by the project's responsible department; its target is 0."""
    from zhuqi.projects import figures as PF
    from zhuqi.projects.models import Project

    projects = Project.objects.filter(region__path__startswith=ctx.root.path, archived_at__isnull=True)
    by = "project_id" if units and units[0].kind == "project" else "project__department_id"
    counts = PF.overdue_counts(projects, ctx.as_of.astimezone(SHANGHAI).date(), by=by)
    return {
        u.pk: Measure(
            Decimal(counts.get(u.pk, 0)),
            target=Decimal(0),
            numerator=counts.get(u.pk, 0),
            url=_projects_url(u),
        )
        for u in units
    }


def tour_round(ctx: Context):
    """The 观摩 round a period's 观摩得分 is read from: the latest round held in the period and
    published, organised by the root region or a region under it; None when there is none."""
    from .models import TourRound

    return (
        TourRound.objects.filter(
            region__path__startswith=ctx.root.path,
            status=TourRound.Status.PUBLISHED,
            held_on__range=(ctx.start, ctx.end),
        )
        .order_by("-held_on", "-published_at", "-pk")
        .first()
    )


def _tour_score(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """观摩得分: a project's 综合得分 (total) in the period's 观摩 round (`tour_round`; this app's
    own figure, oversight/tours.py); a department's is the mean of the totals of its projects in
    the round, rounded half up to 0.01. Enterprise sites and sites without a total count for
    nobody; no round, or no scored project: no value. The link opens the round."""
    from .tours import results

    rnd = tour_round(ctx) if units else None
    if rnd is None:
        return {u.pk: Measure(None) for u in units}
    url = rnd.get_absolute_url()
    totals = [(r.site.project, r.total) for r in results(rnd) if r.site.project_id and r.total is not None]
    if units[0].kind == "project":
        by_project = {p.pk: t for p, t in totals}
        return {u.pk: Measure(by_project.get(u.pk), url=url) for u in units}
    by_dept: dict[int, list[Decimal]] = {}
    for p, t in totals:
        if p.department_id is not None:
            by_dept.setdefault(p.department_id, []).append(t)
    out = {}
    for u in units:
        vals = by_dept.get(u.pk)
        if not vals:
            out[u.pk] = Measure(None, url=url)
            continue
        s = sum(vals, Decimal(0))
        out[u.pk] = Measure(half_up(s / len(vals), 2), numerator=s, denominator=len(vals), url=url)
    return out


# --- 经济指标 (indicators) ----------------------------------------------------------------------
def _indicator_completion(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """目标完成率 = 累计实际 ÷ 累计目标 (到期末) × 100 of the chosen indicator (indicators'
    own figures, docs/indicators-figures.md); its own target is 100 %."""
    from zhuqi.indicators import figures as IF

    if ctx.indicator is None or not units:
        return {}
    entities = [IF.Entity(u.kind, u.pk, u.label, u.path) for u in units]
    figs = IF.compute(ctx.actor, [ctx.indicator], ctx.period, entities)
    out = {}
    for e in entities:
        f = figs.get((e.key, ctx.indicator.pk))
        url = (
            reverse("indicators:dispatch_rows")
            + "?"
            + urlencode(
                {"indicator": ctx.indicator.code, "period": ctx.period.code, "kind": e.kind, "id": e.pk}
            )
        )
        if f is None or f.actual is None or not f.target_to_date:
            out[e.pk] = Measure(None, target=HUNDRED, numerator=f.actual if f else None, url=url)
        else:
            out[e.pk] = Measure(
                rate(f.actual, f.target_to_date),
                target=HUNDRED,
                numerator=f.actual,
                denominator=f.target_to_date,
                url=url,
            )
    return out


# --- 招商引资 (attraction) -------------------------------------------------------------------------
def _by_unit(units: list[Unit], qs, path_field: str, team_field: str, value) -> dict[int, Decimal | int]:
    """One grouped query of `value` over `qs`: by region path summed under each region unit, or
    by the 招商 team (a department) for department units."""
    if not units:
        return {}
    if units[0].kind == "region":
        rows = qs.values_list(path_field).annotate(v=value).order_by()
        return {pk: sum(parts) for pk, parts in by_unit_path(units, list(rows)).items()}
    return {k: v for k, v in qs.values_list(team_field).annotate(v=value).order_by() if k is not None}


def _unit_params(ctx: Context, u: Unit) -> dict:
    """The list filters naming a unit's rows: its region subtree, or the team's rows under the root."""
    return {"region": u.pk} if u.kind == "region" else {"region": ctx.root.pk, "team": u.pk}


def _signed_major(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """签约亿元以上项目个数: the leads of 1 亿元 or more first signed in the period
    (`attraction.figures.signed_major_q`, the annual target's own count), landing in the region's
    subtree or followed by the team. For a year period the own target is the year's 招商目标
    (AnnualTarget.signed_count: the region's, or the team's under the root); none otherwise. The
    link opens the lead list filtered to exactly these leads."""
    from zhuqi.attraction import figures as AF
    from zhuqi.attraction.models import AnnualTarget, Lead

    qs = Lead.objects.filter(region_path__startswith=ctx.root.path).filter(
        AF.signed_major_q(ctx.start, ctx.end)
    )
    counts = _by_unit(units, qs, "region_path", "team_id", Count("pk"))
    targets: dict[int, int] = {}
    if units and ctx.period.type == "Y":
        t = AnnualTarget.objects.filter(year=ctx.period.year)
        if units[0].kind == "region":
            t = t.filter(team__isnull=True, region_id__in=[u.pk for u in units]).values_list("region_id")
        else:
            t = t.filter(region=ctx.root, team_id__in=[u.pk for u in units]).values_list("team_id")
        targets = dict(t.annotate(n=Max("signed_count")).order_by())
    out = {}
    for u in units:
        n = counts.get(u.pk, 0)
        params = {**_unit_params(ctx, u), "signed_from": ctx.start, "signed_to": ctx.end}
        target = targets.get(u.pk)
        out[u.pk] = Measure(
            Decimal(n),
            target=Decimal(target) if target is not None else None,
            numerator=n,
            url=reverse("attraction:lead_list") + "?" + urlencode(params),
        )
    return out


def _funds(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """省外到位资金（万元）: the recognised fund months of the period's months
    (`attraction.figures.funds_q`, the 台账's and the annual target's own sum) of the leads landing
    in the region's subtree or followed by the team, in 万元 half up to 0.01. The link opens the
    台账's rows of exactly these months."""
    from zhuqi.attraction import figures as AF
    from zhuqi.attraction.models import FundMonth

    qs = FundMonth.objects.filter(AF.funds_q(ctx.start, ctx.end), lead__region_path__startswith=ctx.root.path)
    sums = _by_unit(units, qs, "lead__region_path", "lead__team_id", Sum("amount"))
    out = {}
    for u in units:
        yuan = sums.get(u.pk) or Decimal(0)
        params = {
            "year": ctx.start.year,
            "from_month": ctx.start.month,
            "to_month": ctx.end.month,
            "recognised": 1,
            **_unit_params(ctx, u),
        }
        out[u.pk] = Measure(
            half_up(yuan / WAN, 2),
            numerator=yuan,
            url=reverse("attraction:funds_ledger") + "?" + urlencode(params),
        )
    return out


def _target_completion(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
    """年度签约目标完成率 = 签约亿元以上项目 from 1 January to the end of the period ÷ the year's
    target count × 100 (`attraction.figures.target_progress` up to the period's end: the annual
    target page's own figure); its own target is 100 %. A region's target is its own (no team), a
    team's its target under the root; no target, or a target of 0: no value. The link opens the
    leads counted."""
    from zhuqi.attraction import figures as AF

    year = ctx.period.year
    jan1 = dt.date(year, 1, 1)
    rows = [r for r in AF.target_progress(ctx.root, year, until=ctx.end) if r["metric"] == "signed_count"]
    if units and units[0].kind == "region":
        by = {r["region_id"]: r for r in rows if r["team_id"] is None}
    else:
        by = {r["team_id"]: r for r in rows if r["team_id"] is not None and r["region_id"] == ctx.root.pk}
    out = {}
    for u in units:
        params = {**_unit_params(ctx, u), "signed_from": jan1, "signed_to": ctx.end}
        url = reverse("attraction:lead_list") + "?" + urlencode(params)
        r = by.get(u.pk)
        if r is None:
            out[u.pk] = Measure(None, target=HUNDRED, url=url)
        else:
            out[u.pk] = Measure(
                r["rate"], target=HUNDRED, numerator=r["actual"], denominator=r["target"], url=url
            )
    return out


# --- 亩均效益 (mu) ----------------------------------------------------------------------------------
def _mu(field: str):
    """A figure of the region ranking (`mu.selectors.region_figures`, the run's own region page)
    of the latest published 亩均 run covering the unit whose data year is the period's year or
    before (`mu.selectors.published_runs`): 亩均税收 (万元/亩), or A类企业占比 = A 类 ÷ 参评企业
    × 100. Units with no such run or no evaluated enterprise: no value. The link opens the run's
    class list of the region's evaluated enterprises (the denominator; its A 类 count is the
    numerator)."""

    def compute(ctx: Context, units: list[Unit]) -> dict[int, Measure]:
        from zhuqi.core.models import Region
        from zhuqi.mu import selectors as MS

        regions = {r.pk: r for r in Region.objects.filter(pk__in=[u.pk for u in units])}
        run_of = MS.published_runs(list(regions.values()), ctx.end.year)
        runs: dict[int, tuple] = {}  # run id → (run, its units' regions)
        for pk, run in run_of.items():
            runs.setdefault(run.pk, (run, []))[1].append(regions[pk])
        rows: dict[int, dict] = {}
        for run, rs in runs.values():
            rows.update(MS.region_figures(ctx.actor, run, rs))
        out = {}
        for u in units:
            run = run_of.get(u.pk)
            if run is None:
                out[u.pk] = Measure(None)
                continue
            row = rows.get(u.pk)
            url = reverse("mu:run_detail", args=[run.pk]) + "?" + urlencode({"region": u.pk, "evaluated": 1})
            if field == "tax_per_mu":
                if row is None or row["tax_per_mu"] is None:
                    out[u.pk] = Measure(None, url=url)
                else:
                    out[u.pk] = Measure(
                        row["tax_per_mu"], numerator=row["tax"], denominator=row["land"], url=url
                    )
                continue
            n = row["n"] if row else 0
            n_a = next((c["n"] for c in row["classes"] if c["klass"] == "A"), 0) if row else 0
            out[u.pk] = Measure(rate(n_a, n), numerator=n_a, denominator=n, url=url)
        return out

    return compute


REG, DEPT, PROJ = "region", "department", "project"

for _m in (
    Metric(
        "cases.close_rate",
        _("诉求办结率"),
        _("期内提交并受理的企业诉求中已办结的比例：办结数 ÷ 受理数（诉求统计同一口径）"),
        frozenset({REG, DEPT}),
        _cases_rate("close_rate"),
        percent=True,
        empty_full=True,
    ),
    Metric(
        "cases.close_ontime",
        _("诉求按时办结率"),
        _("按时办结件数 ÷ 应办结件数（诉求统计同一口径）"),
        frozenset({REG, DEPT}),
        _cases_rate("close_ontime"),
        percent=True,
        empty_full=True,
    ),
    Metric(
        "cases.satisfaction",
        _("诉求满意率"),
        _("企业回访满意、基本满意的件数 ÷ 回访件数（诉求统计同一口径）"),
        frozenset({REG, DEPT}),
        _cases_rate("satisfaction"),
        percent=True,
        empty_full=True,
    ),
    Metric(
        "cases.overdue",
        _("超期未办结诉求件数"),
        _("期末仍未办结且已超过办结期限的诉求件数"),
        frozenset({REG, DEPT}),
        _cases_overdue,
        higher_is_better=False,
        unit_label=_("件"),
    ),
    Metric(
        "oversight.ontime",
        _("督办事项按期办结率"),
        _("办结时限在期内的督办事项中，按期（时限当日或之前）办结回复并经督查认定的件数 ÷ 期内到期件数"),
        frozenset({DEPT}),
        _items_ontime,
        percent=True,
        empty_full=True,
    ),
    Metric(
        "oversight.red",
        _("红色督办件数"),
        _("期内被发出红色督办单的督办事项件数（按牵头单位）"),
        frozenset({DEPT}),
        _items_red,
        higher_is_better=False,
        unit_label=_("件"),
    ),
    Metric(
        "projects.investment",
        _("重点项目投资计划完成率"),
        _("累计完成投资 ÷ 累计计划投资（到期末月份）× 100，目标 100%"),
        frozenset({REG, DEPT, PROJ}),
        _projects_investment,
        percent=True,
        own_target=True,
    ),
    Metric(
        "projects.lead",
        _("项目投资超时序进度"),
        _("年度计划完成率 − 时序进度（百分点），0 及以上为达到时序进度"),
        frozenset({REG, DEPT, PROJ}),
        _projects_lead,
        own_target=True,
        unit_label=_("个百分点"),
    ),
    Metric(
        "projects.approval_overdue",
        _("项目审批逾期事项数"),
        _("期末仍在办理且已超过办理时限的审批事项数，目标为 0"),
        frozenset({DEPT, PROJ}),
        _approvals_overdue,
        higher_is_better=False,
        own_target=True,
        unit_label=_("项"),
    ),
    Metric(
        "projects.tour_score",
        _("项目观摩得分"),
        _("期内最近一轮已公布观摩中项目观摩点的综合得分；部门取其项目综合得分的平均值"),
        frozenset({DEPT, PROJ}),
        _tour_score,
        unit_label=_("分"),
    ),
    Metric(
        "attraction.signed_major",
        _("签约亿元以上项目个数"),
        _(
            "期内首次进入签约阶段、计划投资 1 亿元及以上的招商线索个数（落地本区域或本小组跟进）；年度考核以年度招商目标的签约个数为目标"
        ),
        frozenset({REG, DEPT}),
        _signed_major,
        own_target=True,
        own_target_periods=frozenset({"Y"}),
        unit_label=_("个"),
    ),
    Metric(
        "attraction.target_completion",
        _("年度签约目标完成率"),
        _(
            "当年 1 月 1 日至期末签约的亿元以上项目个数 ÷ 年度招商目标的签约个数 × 100（与招商年度目标同一口径），目标 100%"
        ),
        frozenset({REG, DEPT}),
        _target_completion,
        percent=True,
        own_target=True,
    ),
    Metric(
        "attraction.funds",
        _("省外到位资金"),
        _("期内各月认定为省外到位资金的金额合计（到位资金台账同一口径），单位万元"),
        frozenset({REG, DEPT}),
        _funds,
        unit_label=_("万元"),
    ),
    Metric(
        "mu.tax_per_mu",
        _("亩均税收"),
        _("期末年度及以前最近一次已发布亩均效益评价中，本区域参评企业评价税收合计 ÷ 用地面积合计（万元/亩）"),
        frozenset({REG}),
        _mu("tax_per_mu"),
        unit_label=_("万元/亩"),
    ),
    Metric(
        "mu.class_a_share",
        _("亩均评价A类企业占比"),
        _("同一次亩均效益评价中，本区域 A 类企业数 ÷ 参评企业数 × 100"),
        frozenset({REG}),
        _mu("class_a_share"),
        percent=True,
    ),
    Metric(
        "indicators.completion",
        _("经济指标目标完成率"),
        _("所选指标的累计实际 ÷ 累计目标（到期末）× 100，目标 100%"),
        frozenset({REG, DEPT}),
        _indicator_completion,
        percent=True,
        own_target=True,
        needs_indicator=True,
    ),
):
    register(_m)

"""Computed figures (percentages never stored; year-to-date sums are kept in ProjectProgress):
investment completion, time elapsed (时序进度), schedule
lead/lag (超时序进度), lights, campaign rates (三个一批). Definitions are
written out in src/zhuqi/docs/projects-figures.md; every function here follows them to the letter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum
from django.utils.translation import gettext_lazy as _

from zhuqi.core import progress
from zhuqi.core.models import Department, Region
from zhuqi.core.progress import LIGHT_LABELS, light, light_thresholds  # noqa: F401  (re-exported)
from zhuqi.core.units import rate

from .models import (
    ApprovalStep,
    CampaignEntry,
    Project,
    ProjectProgress,
    Stage,
    stages_from,
)

_MONEY = DecimalField(max_digits=24, decimal_places=6)


def pct(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator in percent, rounded half up to one decimal (`core.units.rate`)."""
    return rate(numerator, denominator)


def elapsed_pct(month: int) -> Decimal:
    """时序进度 after `month` full months of the year: month / 12 (`core.progress`)."""
    return progress.elapsed_pct(month)


def report_period(today: dt.date) -> tuple[int, int]:
    """The month the current monthly report covers: the last full month before `today`."""
    if today.month == 1:
        return today.year - 1, 12
    return today.year, today.month - 1


@dataclass
class Progress:
    year: int
    month: int
    planned_year: Decimal = Decimal(0)
    planned_to_date: Decimal = Decimal(0)
    actual_to_date: Decimal = Decimal(0)
    actual_month: Decimal = Decimal(0)
    reported: bool = False

    @property
    def completion(self) -> Decimal | None:
        """累计完成率 = cumulative actual ÷ annual plan."""
        return pct(self.actual_to_date, self.planned_year)

    @property
    def elapsed(self) -> Decimal:
        return elapsed_pct(self.month)

    @property
    def lead(self) -> Decimal | None:
        """超时序进度 in points = completion % − elapsed %."""
        return progress.lead(self.completion, self.elapsed)

    @property
    def light(self) -> str:
        return light(self.lead)

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]


def _progress_rows(projects, year: int, month: int):
    """The year-to-date row of each project at `month` (one row per project, no summing). A
    queryset with no filter (a province-wide viewer) needs no semi-join against itself."""
    if hasattr(projects, "query") and projects.query.where == Project.objects.all().query.where:
        # every live project: filter the progress rows by the project's archive flag (one join)
        # instead of a semi-join of the project table against itself
        return ProjectProgress.objects.filter(project__archived_at__isnull=True, year=year, month=month)
    return ProjectProgress.objects.filter(project__in=projects, year=year, month=month)


def progress_by_project(projects, year: int, month: int) -> dict[int, Progress]:
    """One query: each project's plan and actual for the year up to `month`."""
    out = {}
    for pid, py, pt, at, am, rep in _progress_rows(projects, year, month).values_list(
        "project_id", "planned_year", "planned_ytd", "actual_ytd", "actual_month", "reported"
    ):
        out[pid] = Progress(year, month, py, pt, at, am, rep)
    return out


def progress_total(projects, year: int, month: int) -> Progress:
    """The same figures summed over a set of projects (a department, a region)."""
    return progress_and_red(projects, year, month, red=False)[0]


def progress_and_red(projects, year: int, month: int, *, red: bool = True) -> tuple[Progress, int | None]:
    """`progress_total` and, in the same aggregate, the number of projects whose light at
    `month` is red (= `projects_with_light(…, "red").count()`: one progress row per project and
    month, `progress_one_row_per_month`) — the cockpit's two figures in one scan of the rows."""
    extra = {"red": Count("pk", filter=light_q("red", month))} if red else {}
    # (aliases unlike the fields: the red filter reads the fields themselves)
    agg = _progress_rows(projects, year, month).aggregate(
        sum_planned_year=Sum("planned_year"),
        sum_planned_to_date=Sum("planned_ytd"),
        sum_actual_to_date=Sum("actual_ytd"),
        sum_actual_month=Sum("actual_month"),
        **extra,
    )
    return Progress(
        year,
        month,
        agg["sum_planned_year"] or Decimal(0),
        agg["sum_planned_to_date"] or Decimal(0),
        agg["sum_actual_to_date"] or Decimal(0),
        agg["sum_actual_month"] or Decimal(0),
    ), agg.get("red")


def progress_grouped(projects, year: int, month: int, by: str) -> list[dict]:
    """Roll-up by `by` (e.g. "project__department__name" or "project__region__name"), sorted by lead."""
    rows = (
        _progress_rows(projects, year, month)
        .values(by)
        .annotate(planned_year=Sum("planned_year"), actual_to_date=Sum("actual_ytd"), n=Count("project"))
    )
    out = []
    for r in rows:
        p = Progress(year, month, r["planned_year"] or 0, 0, r["actual_to_date"] or 0)
        out.append({"name": r[by], "n": r["n"], "progress": p})
    out.sort(key=lambda x: (x["progress"].lead is None, -(x["progress"].lead or 0)))
    return out


def light_q(colour: str, month: int) -> Q:
    """The ProjectProgress rows (at `month`) whose light is `colour`, as SQL: exactly
    `light(lead)` (`core.progress.light_q`)."""
    return progress.light_q(colour, elapsed_pct(month), "actual_ytd", "planned_year")


def light_counts(projects, year: int, month: int) -> dict[str, int]:
    """How many projects show each light (projects without a plan this year are grey)."""
    rows = _progress_rows(projects, year, month)
    agg = rows.aggregate(
        **{c: Count("pk", filter=light_q(c, month)) for c in ("green", "yellow", "red", "grey")}
    )
    planned_none = projects.count() - sum(agg.values())
    agg["grey"] += planned_none
    return agg


def projects_with_light(projects, year: int, month: int, colour: str):
    """The projects (a queryset) whose light at `month` is `colour`."""
    lit = _progress_rows(projects, year, month).filter(light_q(colour, month)).values("project_id")
    if colour == "grey":
        with_row = _progress_rows(projects, year, month).values("project_id")
        return projects.filter(Q(pk__in=lit) | ~Q(pk__in=with_row))
    return projects.filter(pk__in=lit)


def unit_labels(units) -> dict[int, str]:
    """id → the name a chart shows for each department or region: its short name, else its name;
    where two share it (工信局 of two counties), their full names, and where those still clash,
    the full name with the region above (城关镇（尉氏县）)."""
    units = list(units.select_related("parent") if units.model is Region else units.select_related("region"))

    def short(u):
        return getattr(u, "short_name", "") or u.name

    def full(u):
        above = u.parent if isinstance(u, Region) else u.region
        return f"{u.name}（{above.name}）" if above else u.name

    labels = {u.pk: short(u) for u in units}
    for step in (lambda u: u.name, full):
        clashing = [u for u in units if list(labels.values()).count(labels[u.pk]) > 1]
        for u in clashing:
            labels[u.pk] = step(u)
    return labels


def board_summary(projects, year: int, month: int) -> dict:
    """Everything the schedule board aggregates, from one pass over the projects' progress
    rows (light classified in SQL by `light_q`): light counts, the total, and the roll-ups by
    department and by region, each sorted by lead as `progress_grouped` sorts them."""
    from django.db.models import Case, CharField, Value, When

    colour = Case(
        *[When(light_q(c, month), then=Value(c)) for c in ("red", "yellow", "green")],
        default=Value("grey"),
        output_field=CharField(),
    )
    rows = (
        _progress_rows(projects, year, month)
        .annotate(colour=colour)
        .values_list(
            "project__department_id",
            "project__region_id",
            "planned_year",
            "planned_ytd",
            "actual_ytd",
            "actual_month",
            "colour",
        )
    )
    counts = {"green": 0, "yellow": 0, "red": 0, "grey": 0}
    sums = [Decimal(0)] * 4
    # grouped by id (two units of the same name in different counties stay two), labelled after
    depts: dict = {}
    regions: dict = {}
    zero = Decimal(0)
    for dept_id, region_id, py, pt, at, am, lit in list(rows):  # one fetch, no cursor
        counts[lit] += 1
        sums[0] += py
        sums[1] += pt
        sums[2] += at
        sums[3] += am
        g = regions.get(region_id)
        if g is None:
            g = regions[region_id] = [zero, zero, 0]
        g[0] += py
        g[1] += at
        g[2] += 1
        if dept_id is not None:
            g = depts.get(dept_id)
            if g is None:
                g = depts[dept_id] = [zero, zero, 0]
            g[0] += py
            g[1] += at
            g[2] += 1
    counts["grey"] += projects.count() - sum(counts.values())

    def grouped(groups, labels):
        out = [
            {
                "id": k,
                "name": labels.get(k, ""),
                "n": n,
                "progress": Progress(year, month, py, Decimal(0), at),
            }
            for k, (py, at, n) in groups.items()
        ]
        out.sort(key=lambda x: (x["progress"].lead is None, -(x["progress"].lead or 0)))
        return out

    return {
        "counts": counts,
        "total": Progress(year, month, *sums),
        "by_dept": grouped(depts, unit_labels(Department.objects.filter(pk__in=depts))),
        "by_region": grouped(regions, unit_labels(Region.objects.filter(pk__in=regions))),
    }


def start_rate(projects, year: int, month: int) -> dict:
    """开工率 of the year's plan at the end of report month `month` (0–12) of `year`: projects
    planned to start in `year` that started on or before the last day of that month, over all
    projects planned to start in `year`; compared with 时序进度 month ÷ 12 over the same period,
    so numerator and time elapsed end on the same day (zhuqi/docs/projects-figures.md §4)."""
    planned = projects.filter(planned_start__year=year)
    total = planned.count()
    cutoff = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    started = planned.filter(started_on__isnull=False, started_on__lte=cutoff).count()
    rate = pct(started, total)
    elapsed = elapsed_pct(month)
    return {
        "total": total,
        "started": started,
        "rate": rate,
        "elapsed": elapsed,
        "month": month,
        "cutoff": cutoff,
        "lead": None if rate is None else rate - elapsed,
    }


def start_rate_month(year: int, today: dt.date) -> int:
    """The report month of `year`'s start rate on `today`: the last full month before today
    (`report_period`) when that lies in `year`, 12 for a past year, 0 for a year not begun.
    In January the current report is last December's, so the new year's starts are not yet
    credited to anything."""
    ry, rm = report_period(today)
    if year < ry:
        return 12
    return rm if year == ry else 0


# --- 三个一批 -------------------------------------------------------------------------
RATE_DEFS = [
    # key, label, numerator stage, denominator stage
    ("performance", _("签约项目履约率"), Stage.LANDED, Stage.SIGNED),
    ("start", _("履约项目开工率"), Stage.STARTED, Stage.LANDED),
    ("production", _("开工项目投产率"), Stage.PRODUCING, Stage.STARTED),
    ("capacity", _("投产项目达效率"), Stage.AT_CAPACITY, Stage.PRODUCING),
]


def stage_rates(projects, agg: dict | None = None) -> dict[str, dict]:
    """The four chained rates over a set of projects: of those that reached stage B, the share
    that reached stage A (counts from the current stage; see zhuqi/docs/projects-figures.md).
    `agg`: the counts of `stage_counts` already made."""
    if agg is None:
        agg = stage_counts(projects)
    out = {}
    for key, label, num, den in RATE_DEFS:
        n, d = agg[f"n_{num}"], agg[f"n_{den}"]
        out[key] = {"label": label, "numerator": n, "denominator": d, "rate": pct(n, d)}
    return out


def stage_counts(projects) -> dict[str, int]:
    """n_<stage>: the projects that reached each stage (from `stage`), and `total`: all of
    them (= `projects.count()`), in one aggregate."""
    return projects.aggregate(
        **{f"n_{s}": Count("id", filter=Q(stage__in=stages_from(s))) for s in Stage.values if s != "planned"},
        total=Count("id"),
    )


def stage_counts_from(by_stage: dict[str, int]) -> dict[str, int]:
    """`stage_counts` from the number of projects at each current stage (重点项目汇总's)."""
    out = {f"n_{s}": sum(by_stage.get(t, 0) for t in stages_from(s)) for s in Stage.values if s != "planned"}
    out["total"] = sum(by_stage.values())
    return out


def campaign_rates(campaign, visible) -> dict:
    projects = visible.filter(pk__in=CampaignEntry.objects.filter(campaign=campaign).values("project"))
    return stage_rates(projects)


def rates_by_region(campaign, visible) -> list[dict]:
    """Each child region of the campaign's region (county → its towns and parks), ranked by the
    履约项目开工率 then the 签约项目履约率."""
    base = visible.filter(pk__in=CampaignEntry.objects.filter(campaign=campaign).values("project"))
    region = campaign.region
    rows = []
    for child in region.children.order_by("code"):
        subset = base.filter(region__path__startswith=child.path)
        if not subset.exists():
            continue
        rows.append({"region": child, "n": subset.count(), "rates": stage_rates(subset)})
    own = base.filter(region=region)
    if own.exists():
        rows.append({"region": region, "n": own.count(), "rates": stage_rates(own), "own": True})

    def key(r):
        vals = [r["rates"][k]["rate"] for k in ("start", "performance")]
        return tuple(-(v if v is not None else Decimal(-1)) for v in vals)

    rows.sort(key=key)
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return rows


def overdue_counts(projects, today: dt.date, by: str = "project_id") -> dict:
    rows = (
        ApprovalStep.objects.filter(
            project__in=projects, status=ApprovalStep.Status.IN_PROGRESS, due_date__lt=today
        )
        .values(by)
        .annotate(n=Count("id"))
    )
    return {r[by]: r["n"] for r in rows}

"""The indicators' figures (经济指标调度): actual of an entity (a region, a 包抓 department, a 包抓
leader's group), completion against its target, 时序进度 and 超时序进度 with the light, growth on
the same panel (同口径) and nominal (名义), the official rates (官方口径) and the enterprises that
pull a figure down. Each is defined once, in src/zhuqi/docs/indicators-figures.md, with a
hand-worked example that tests/indicators/test_figures.py reproduces.

Every figure is a condition over `Value` rows, so it drills down to the rows it is made of
(`rows`); sums are set-based SQL (one query per grouping and period); percentages are computed
when shown with `core.units.rate` (Decimal, half up, one decimal), a zero or negative base
giving None ("—")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models import Value as V
from django.utils.translation import gettext_lazy as _

from zhuqi.core import progress
from zhuqi.core.roles import REGION_SCOPED_ROLES
from zhuqi.core.scope import NOTHING, assignment_groups, scope_for
from zhuqi.core.units import half_up, rate
from zhuqi.enterprises.models import Enterprise

from . import rollups
from .models import Aggregation, Indicator, IndicatorKind, Rollup, Target, Value
from .periods import Period

KIND_LABELS = {"region": _("区划"), "department": _("包抓部门"), "leader": _("包抓领导")}


# --- entities ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entity:
    """Whom a figure is about: a region (its subtree's enterprises), a 包抓 department or a 包抓
    leader (the enterprises assigned to them in the year, from `core.scope.assignment_groups`)."""

    kind: str
    pk: int
    label: str
    path: str = ""

    @classmethod
    def of(cls, *, region=None, department=None, leader=None, year: int | None = None) -> Entity:
        if department is not None:
            return cls("department", department.pk, department.name)
        if leader is not None:
            return cls("leader", leader.pk, leader.display_name)
        return cls("region", region.pk, region.name, region.path)

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)

    def values_q(self, year: int) -> Q:
        """The entity's enterprise values (of any period): a condition over `Value`."""
        if self.kind == "region":
            return Q(enterprise__isnull=False, region_path__startswith=self.path)
        groups = assignment_groups(self.kind, year)
        if groups is None:
            return NOTHING
        return Q(enterprise__in=groups.filter(group_id=self.pk).values("enterprise_id"))


def value_period(period: Period) -> Period:
    """The period whose cumulative values give a figure at `period`: a month or 旬 itself; a
    quarter, half-year or year its last month (1—N月累计)."""
    if period.type in ("M", "X"):
        return period
    return Period(period.year, "M", period.last_month)


# --- one figure ----------------------------------------------------------------------------------
@dataclass
class Figure:
    """One indicator of one entity at one period. Sums are over the entity's enterprises."""

    indicator: Indicator
    period: Period
    entity: Entity
    actual: Decimal | None = None  # 累计实际 (the aggregation of the indicator)
    reporters: int = 0  # enterprises with a value this period
    last_year: Decimal | None = None  # last year's same period, all the entity's enterprises (名义)
    panel_now: Decimal | None = None  # Σ this year's cumulative of the same panel (同口径)
    panel_last: Decimal | None = None  # Σ their last year's cumulative
    panel_size: int = 0
    official: Decimal | None = None  # an official rate published for the region (官方口径)
    target: Target | None = None
    target_year: Decimal | None = None  # 年度目标
    target_to_date: Decimal | None = None  # 累计目标 at the period
    extra: dict = field(default_factory=dict)

    @property
    def is_official(self) -> bool:
        return self.indicator.kind == IndicatorKind.OFFICIAL

    @property
    def cumulative_kind(self) -> bool:
        """Figures measured against time (时序进度): summed, year-to-date indicators."""
        return self.indicator.aggregation == Aggregation.SUM

    @property
    def completion(self) -> Decimal | None:
        """完成率 % = 累计实际 ÷ 年度目标 × 100 (no target or a zero one → None)."""
        if self.actual is None or not self.target_year:
            return None
        return rate(self.actual, self.target_year)

    @property
    def elapsed(self) -> Decimal | None:
        """时序进度 % = months elapsed ÷ 12 (`Period.months_elapsed`, 10⅓ after 11月上旬)."""
        return progress.elapsed_pct(self.period.months_elapsed) if self.cumulative_kind else None

    @property
    def lead(self) -> Decimal | None:
        """超时序进度 in points = 完成率 − 时序进度."""
        if self.elapsed is None:
            return None
        return progress.lead(self.completion, self.elapsed)

    @property
    def light(self) -> str:
        return progress.light(self.lead)

    @property
    def gap(self) -> Decimal | None:
        """差距 = 累计实际 − 累计目标 (negative: behind)."""
        if self.actual is None or self.target_to_date is None:
            return None
        return self.actual - self.target_to_date

    @property
    def panel_growth(self) -> Decimal | None:
        """同口径增速 % = Σ this year's cumulative ÷ Σ last year's − 1, over the enterprises that
        have both; None when last year's sum is zero or negative."""
        return growth(self.panel_now, self.panel_last)

    @property
    def nominal_growth(self) -> Decimal | None:
        """名义增速 % = this year's total ÷ last year's total − 1 (all the entity's values)."""
        return growth(self.actual, self.last_year)

    @property
    def growth_target(self) -> Decimal | None:
        return self.target.growth if self.target is not None else None

    @property
    def shown_growth(self) -> Decimal | None:
        """The growth held against the growth target: the official rate where one is published,
        else the same-panel growth."""
        return self.official if self.is_official else self.panel_growth

    @property
    def growth_gap(self) -> Decimal | None:
        """增速差 in points = growth − growth target."""
        g, t = self.shown_growth, self.growth_target
        return None if g is None or t is None else half_up(g - t, 1)


def growth(now, last) -> Decimal | None:
    """Growth in % = now ÷ last − 1, half up to 0.1 (`core.units.rate`); None when either is
    missing or last is zero or negative (a loss last year has no growth rate)."""
    if now is None or last is None or last <= 0:
        return None
    return rate(Decimal(now) - Decimal(last), last)


# --- the set-based sums -------------------------------------------------------------------------
def _group_expr(entities: Sequence[Entity], year: int):
    """(filter, group expression) over Value rows for entities of one kind."""
    kind = entities[0].kind
    if kind == "region":
        q = Q(pk__in=[])
        whens = []
        for e in entities:
            q |= Q(region_path__startswith=e.path)
            whens.append(When(region_path__startswith=e.path, then=V(e.pk)))
        return q, Case(*whens, default=V(None), output_field=IntegerField())
    groups = assignment_groups(kind, year)
    if groups is None:
        return NOTHING, V(None, output_field=IntegerField())
    groups = groups.filter(group_id__in=[e.pk for e in entities])
    expr = Subquery(groups.filter(enterprise_id=OuterRef("enterprise_id")).values("group_id")[:1])
    return Q(enterprise__in=groups.values("enterprise_id")), expr


def compute(
    user,
    indicators: Sequence[Indicator],
    period: Period,
    entities: Sequence[Entity],
    *,
    with_targets: bool = True,
) -> dict[tuple[tuple[str, int], int], Figure]:
    """Every figure of `indicators` for `entities` (all of one kind) at `period`, as seen by
    `user`: one aggregate query over this year's and last year's values, one for the official
    rates, one for the targets. Keyed by (entity.key, indicator pk)."""
    out: dict[tuple[tuple[str, int], int], Figure] = {}
    if not entities or not indicators:
        return out
    kind = entities[0].kind
    vp = value_period(period)
    ly = vp.last_year()
    ratio_parts = {
        i.pk: (i.numerator_id, i.denominator_id) for i in indicators if i.aggregation == Aggregation.RATIO
    }
    ids = {
        i.pk for i in indicators if i.kind != IndicatorKind.OFFICIAL and i.aggregation != Aggregation.RATIO
    }
    ids |= {x for pair in ratio_parts.values() for x in pair}
    agg = _sums(user, entities, ids, [vp.code, ly.code], period.year)
    for e in entities:
        for ind in indicators:
            f = Figure(ind, period, e)
            out[(e.key, ind.pk)] = f
            if ind.kind == IndicatorKind.OFFICIAL:
                continue
            if ind.aggregation == Aggregation.RATIO:
                num, den = ratio_parts[ind.pk]
                now = [agg.get((e.pk, x, vp.code)) for x in (num, den)]
                then = [agg.get((e.pk, x, ly.code)) for x in (num, den)]
                f.actual = _ratio(now)
                f.last_year = _ratio(then)
                f.reporters = now[1]["n"] if now[1] else 0
                continue
            now_row, then_row = agg.get((e.pk, ind.pk, vp.code)), agg.get((e.pk, ind.pk, ly.code))
            key = "avg" if ind.aggregation == Aggregation.AVERAGE else "total"
            if now_row:
                f.actual = now_row[key]
                f.reporters = now_row["n"]
                f.panel_now, f.panel_last, f.panel_size = now_row["pn"], now_row["pl"], now_row["pc"]
                if key == "avg" and now_row["pc"]:  # averages over the same panel
                    f.panel_now = now_row["pn"] / now_row["pc"] if now_row["pn"] is not None else None
                    f.panel_last = now_row["pl"] / now_row["pc"] if now_row["pl"] is not None else None
            if then_row:
                f.last_year = then_row[key]
    if kind == "region":
        official = [i.pk for i in indicators if i.kind == IndicatorKind.OFFICIAL]
        if official:
            for v in Value.objects.visible_to(user).filter(
                enterprise__isnull=True,
                department__isnull=True,
                region__in=[e.pk for e in entities],
                indicator__in=official,
                period=vp.code,
            ):
                f = out.get((("region", v.region_id), v.indicator_id))
                if f is not None:
                    f.official = v.cumulative if v.cumulative is not None else v.value
    if with_targets:
        attach_targets(user, out.values(), period)
    return out


def _sums(user, entities: Sequence[Entity], ids: set[int], codes: list[str], year: int) -> dict:
    """(entity pk, indicator, period) → {rows, n, total, avg, pc, pn, pl} of the entities'
    enterprise values the user sees: from the rollups where they may be read (`_rollup_sums`),
    else one aggregate over the values. Both give the same numbers (tests/indicators/test_rollups.py)."""
    from_rollups = _rollup_sums(user, entities, ids, codes, year)
    if from_rollups is not None:
        return from_rollups
    where, expr = _group_expr(entities, year)
    qs = Value.objects.visible_to(user).filter(
        where, enterprise__isnull=False, indicator__in=ids, period__in=codes
    )
    return _grouped(qs.annotate(g=expr))


def _grouped(qs) -> dict:
    agg: dict[tuple[int, int, str], dict] = {}
    for r in qs.values("g", "indicator_id", "period").annotate(**rollups.AGGREGATES).order_by():
        if r["g"] is not None:
            agg[(r["g"], r["indicator_id"], r["period"])] = _with_avg(r)
    return agg


def _with_avg(r: dict) -> dict:
    """Averages are Σ ÷ count of the values with a cumulative, on either path."""
    r["avg"] = r["total"] / r["n"] if r["n"] and r["total"] is not None else None
    return r


def _rollup_sums(user, entities: Sequence[Entity], ids: set[int], codes: list[str], year: int) -> dict | None:
    """The sums from the rollups (indicators-figures.md §Rollups), or None where they may not
    be read: entities other than regions, a viewer who does not see every enterprise of each
    entity's subtree (only the administrator and officials of a region above it do), entities
    one under another, or a pair not fresh. Each entity's sums are its subtree row of each pair;
    archived enterprises' values, which the rollup keeps, are subtracted."""
    if entities[0].kind != "region":
        return None
    s = scope_for(user)
    if not s.is_admin:
        if s.role not in REGION_SCOPED_ROLES or not s.region_path:
            return None
        if not all(e.path.startswith(s.region_path) for e in entities):
            return None
    by_path = {e.path: e.pk for e in entities}
    if any(p != q and p.startswith(q) for p in by_path for q in by_path):
        return None  # nested entities: the values' reading counts a row once, in the first
    pairs = {(i, c) for i in ids for c in codes}
    if not rollups.fresh(pairs):
        return None
    agg: dict[tuple[int, int, str], dict] = {}
    rows = Rollup.objects.filter(  # one subtree row per (entity, pair): an index lookup
        indicator__in=ids, period__in=codes, subtree=True, region_path__in=sorted(by_path)
    ).values("region_path", "indicator_id", "period", *rollups.FIELDS)
    for r in rows:
        agg[(by_path[r["region_path"]], r["indicator_id"], r["period"])] = r
    under, expr = _group_expr(entities, year)  # regions: the same subtree terms over region_path
    archived = Enterprise.all_objects.filter(archived_at__isnull=False).values("pk")
    gone = _grouped(
        Value.objects.filter(under, enterprise__in=archived, indicator__in=ids, period__in=codes).annotate(
            g=expr
        )
    )
    for key, minus in gone.items():
        r = agg.get(key)
        if r is None:  # cannot happen while the pair is fresh; read the values instead
            return None
        for f in rollups.FIELDS:
            if minus[f] is not None:
                r[f] = (r[f] or 0) - minus[f]
    out = {}
    for key, r in agg.items():
        if not r["rows"]:
            continue  # only archived enterprises' values: as if none
        if not r["n"]:
            r["total"] = None
        if not r["pc"]:
            r["pn"] = r["pl"] = None
        out[key] = _with_avg(r)
    return out


def _ratio(pair) -> Decimal | None:
    num, den = pair
    if not num or not den:
        return None
    return rate(num["total"], den["total"])


def target_q(entities: Iterable[Entity]) -> Q:
    q = Q(pk__in=[])
    for e in entities:
        if e.kind == "region":
            q |= Q(region=e.pk, department__isnull=True, leader__isnull=True)
        elif e.kind == "department":
            q |= Q(department=e.pk)
        else:
            q |= Q(leader=e.pk)
    return q


def _target_key(t: Target) -> tuple[str, int]:
    if t.department_id:
        return ("department", t.department_id)
    if t.leader_id:
        return ("leader", t.leader_id)
    return ("region", t.region_id)


def attach_targets(user, figures: Iterable[Figure], period: Period) -> None:
    """Fill each figure's target: the annual amount and the cumulative target at the period
    (Σ parts up to it, `services_targets.cumulative_target`); one query with the parts."""
    from .services_targets import cumulative_target

    figures = list(figures)
    if not figures:
        return
    entities = {f.entity for f in figures}
    targets = (
        Target.objects.visible_to(user)
        .filter(target_q(entities), year=period.year, indicator__in={f.indicator.pk for f in figures})
        .select_related("indicator")
        .prefetch_related("parts")
    )
    found = {(_target_key(t), t.indicator_id): t for t in targets}
    for f in figures:
        t = found.get((f.entity.key, f.indicator.pk))
        if t is None:
            continue
        f.target = t
        f.target_year = t.amount
        f.target_to_date = cumulative_target(t, period, list(t.parts.all()))


def figure(user, indicator: Indicator, period: Period, entity: Entity) -> Figure:
    return compute(user, [indicator], period, [entity])[(entity.key, indicator.pk)]


def entity_total(indicator: Indicator, entity: Entity, period: Period, *, user=None) -> Decimal | None:
    """The entity's actual (Σ cumulative) at `period` (a year: its December), unscoped when no
    user is given (a service's own base, e.g. a growth-only target's last-year total)."""
    vp = value_period(period)
    qs = Value.objects.filter(entity.values_q(period.year + 1 if period.type == "Y" else period.year))
    if user is not None:
        qs = qs.filter(Value.scope_q(user))
    return qs.filter(indicator=indicator, period=vp.code).aggregate(s=Sum("cumulative"))["s"]


# --- drilling down ---------------------------------------------------------------------------------
ROW_SETS = ("all", "panel", "last_year")


def rows(user, indicator: Indicator, period: Period, entity: Entity, which: str = "all"):
    """The Value rows a figure is made of: "all" (the actual and the nominal growth's this-year
    side), "panel" (the same-panel growth: both years present), "last_year" (the nominal
    growth's last-year side), each with `contribution` = this year's − last year's cumulative."""
    vp = value_period(period)
    code = vp.last_year().code if which == "last_year" else vp.code
    ids = [indicator.pk]
    if indicator.aggregation == Aggregation.RATIO:
        ids = [indicator.numerator_id, indicator.denominator_id]
    qs = (
        Value.objects.visible_to(user)
        .filter(entity.values_q(period.year), indicator__in=ids, period=code)
        .select_related("enterprise", "indicator", "region")
        .annotate(contribution=F("cumulative") - F("last_year_cumulative"))
    )
    if which == "panel":
        qs = qs.filter(cumulative__isnull=False, last_year_cumulative__isnull=False)
    return qs.order_by(F("contribution").asc(nulls_last=True), "enterprise__name")


def laggards(user, indicator: Indicator, period: Period, entity: Entity, limit: int = 10) -> list[dict]:
    """The enterprises that pull the same-panel growth down most: contribution = this year's
    cumulative − last year's (negative only, most negative first), and the points it takes
    off the growth = contribution ÷ the panel's last-year total × 100."""
    if indicator.aggregation != Aggregation.SUM:
        return []
    base = rows(user, indicator, period, entity, "panel")
    panel_last = base.aggregate(s=Sum("last_year_cumulative"))["s"]
    out = []
    for v in base.filter(contribution__lt=0)[:limit]:
        out.append(
            {
                "value": v,
                "enterprise": v.enterprise,
                "cumulative": v.cumulative,
                "last_year": v.last_year_cumulative,
                "contribution": v.contribution,
                "points": rate(v.contribution, panel_last) if panel_last and panel_last > 0 else None,
                "growth": growth(v.cumulative, v.last_year_cumulative),
            }
        )
    return out


# --- series for the charts --------------------------------------------------------------------------
def series(user, indicator: Indicator, period: Period, entity: Entity, type_: str = "M") -> dict:
    """Cumulative actual and cumulative target by month (or 旬) from January to `period`'s end
    (the target curve to the year's end), and last year's cumulative by the same periods."""
    from .services_targets import cumulative_target

    year = period.year
    all_periods = [Period(year, type_, i) for i in range(1, (12 if type_ == "M" else 36) + 1)]
    elapsed = [p for p in all_periods if p.end <= value_period(period).end]
    codes = [p.code for p in elapsed]
    # on a 旬 axis, a 下旬 without 旬 returns shows the month's cumulative (monthly returns end there)
    month_of = {
        p.code: Period(year, "M", p.last_month).code for p in elapsed if p.type == "X" and p.index % 3 == 0
    }
    qs = (
        Value.objects.visible_to(user)
        .filter(entity.values_q(year), indicator=indicator, period__in=codes + list(month_of.values()))
        .values("period")
        .annotate(s=Sum("cumulative"), ly=Sum("last_year_cumulative"))
    )
    by = {r["period"]: r for r in qs}
    for xun, month in month_of.items():
        if xun not in by and month in by:
            by[xun] = by[month]
    target = (
        Target.objects.visible_to(user)
        .filter(target_q([entity]), indicator=indicator, year=year)
        .select_related("indicator")
        .prefetch_related("parts")
        .first()
    )
    parts = list(target.parts.all()) if target else []
    return {
        "labels": [p.label() for p in all_periods],
        "codes": [p.code for p in all_periods],
        "actual": [num(by.get(c, {}).get("s")) for c in codes],
        "last_year": [num(by.get(c, {}).get("ly")) for c in codes],
        "target": [num(cumulative_target(target, p, parts)) if target else None for p in all_periods],
    }


def num(d) -> float | None:
    return None if d is None else float(d)


def by_group(figs: dict, entities: Sequence[Entity], indicator: Indicator) -> list[Figure]:
    return [figs[(e.key, indicator.pk)] for e in entities if (e.key, indicator.pk) in figs]


def group_entities(kind: str, user, root, year: int) -> list[Entity]:
    """The rows of the dispatch view: the child regions of `root`, or the 包抓 departments /
    leaders that hold enterprises in `root`'s subtree visible to `user` (labelled by the hook)."""
    from zhuqi.core.models import Region

    if kind == "region":
        children = Region.objects.visible_to(user).filter(parent=root, is_active=True).order_by("code")
        return [Entity("region", r.pk, r.name, r.path) for r in children]
    groups = assignment_groups(kind, year)
    if groups is None:
        return []
    from zhuqi.enterprises.models import Enterprise

    inside = Enterprise.objects.visible_to(user).filter(region_path__startswith=root.path)
    seen: dict[int, str] = {}
    for r in groups.filter(enterprise_id__in=inside.values("pk")).order_by("label"):
        seen.setdefault(r["group_id"], r["label"])
    return [Entity(kind, pk, label) for pk, label in seen.items()]


def totals_by_kind(figs: Iterable[Figure]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for f in figs:
        counts[f.light] += 1
    return counts

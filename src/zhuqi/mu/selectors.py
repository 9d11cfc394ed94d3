"""Reads of the 亩均 evaluation, each starting from `visible_to(user)`."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When, Window
from django.db.models.functions import Rank
from django.http import Http404
from django.utils.translation import gettext

from zhuqi.core import permissions
from zhuqi.core.models import Region
from zhuqi.core.units import WAN, half_up, ratio

from .measures import DEFINITIONS
from .models import (
    SHOWN_TO_ENTERPRISES,
    Adjustment,
    ClassMeasure,
    FactCorrection,
    Family,
    Klass,
    Measure,
    Objection,
    Result,
    Run,
    Scheme,
)
from .scoring import FLOOR_POINTS, HUNDRED, SPAN_POINTS

CLASSES = [Klass.A, Klass.B, Klass.C, Klass.D, Klass.T]
RANKED = [Klass.A, Klass.B, Klass.C, Klass.D]


def runs_for(user):
    return Run.objects.visible_to(user).select_related("scheme", "region", "created_by")


def schemes_for(user):
    return Scheme.objects.visible_to(user).filter(status=Scheme.Status.ACTIVE)


def distribution(run: Run, region: Region | None = None) -> list[dict]:
    """Class → count of a run (of `region`'s enterprises), every class shown (zero included)."""
    qs = in_region(run.results.all(), region)
    counts = dict(qs.values_list("klass").annotate(n=Count("pk")).order_by())
    return [{"klass": k, "label": Klass(k).label, "n": counts.get(k, 0)} for k in CLASSES]


def latest_run(user, region: Region) -> Run | None:
    """The latest published run covering `region` (its own or a region above it), the viewer's
    scope permitting: the classes the cockpit shows."""
    return (
        runs_for(user)
        .filter(status=Run.Status.PUBLISHED, region__path__in=region.ancestor_paths())
        .order_by("-year", "-pk")
        .first()
    )


def class_counts(user, run: Run, region: Region | None = None) -> dict[str, int]:
    """Class → the number of `run`'s results the viewer may see in `region`: exactly the rows
    of the run page filtered by `klass` and `region` (`ranked`, `in_region`)."""
    counts = dict(
        in_region(ranked(user, run), region).order_by().values_list("klass").annotate(n=Count("pk"))
    )
    return {k: counts.get(k, 0) for k in CLASSES}


def ranked(user, run: Run, klass: str = ""):
    """The run's results the viewer may see, by rank (T 类 last)."""
    qs = Result.objects.visible_to(user).filter(run=run).select_related("enterprise")
    if klass in Klass.values:
        qs = qs.filter(klass=klass)
    return qs.order_by(F("rank").asc(nulls_last=True), "enterprise__name")


def in_region(qs, region: Region | None):
    """Results of enterprises in `region`'s subtree (all when None)."""
    return qs if region is None else qs.filter(enterprise__region_path__startswith=region.path)


def drill_region(user, run: Run, region_id: int | None) -> Region | None:
    """The region of a drill-down inside the run's region (None: the run's region itself; a
    region outside it or out of the viewer's scope counts as absent)."""
    if region_id is None or region_id == run.region_id:
        return None
    return (
        Region.objects.visible_to(user)
        .filter(pk=region_id, path__startswith=run.region.path)
        .exclude(pk=run.region_id)
        .first()
    )


def region_ranking(user, run: Run, parent: Region | None = None) -> list[dict]:
    """`_region_ranking` with each row's 亩均营业收入 and last year's 亩均税收 (the trend)."""
    return _region_ranking(user, run, parent, full=True)


def published_runs(regions: list[Region], year: int) -> dict[int, Run]:
    """Region id → the latest published run covering it (its own or a region above it) whose
    data year is `year` or before: the run oversight's 亩均 metrics read for a period of `year`.
    One query for all the regions; a region no run covers is left out."""
    paths = {p for r in regions for p in r.ancestor_paths()}
    runs = list(
        Run.objects.filter(status=Run.Status.PUBLISHED, region__path__in=paths, year__lte=year)
        .select_related("region")
        .order_by("-year", "-pk")
    )
    out = {}
    for region in regions:
        mine = set(region.ancestor_paths())
        run = next((r for r in runs if r.region.path in mine), None)
        if run is not None:
            out[region.pk] = run
    return out


def region_figures(user, run: Run, regions: list[Region]) -> dict[int, dict]:
    """Region id → its row of the region ranking (`_region_ranking`: 亩均税收, evaluated count,
    class distribution) for regions at any depth inside the run's region (a county's towns, a
    city's counties) or the run's region itself; a region without a result has no row."""
    inside = [r for r in regions if r.path.startswith(run.region.path)]
    below = [r for r in inside if r.pk != run.region_id]
    out = {}
    if below:
        rows = _region_ranking(user, run, run.region, children=below)
        out.update({r["region"].pk: r for r in rows if not r["direct"]})
    if len(below) < len(inside) and run.region.parent_id:  # the run's own region, as a whole
        rows = _region_ranking(user, run, run.region.parent, children=[run.region])
        out.update({r["region"].pk: r for r in rows if not r["direct"]})
    return out


#: the results that were scored (T 类 and the unevaluated left out): the rows behind a region's
#: 亩均税收 and evaluated count (the run page's `evaluated=1`)
EVALUATED = Q(total__isnull=False)


def _region_ranking(
    user, run: Run, parent: Region | None = None, full: bool = False, children: list[Region] | None = None
) -> list[dict]:
    """The regions one level below `parent` (the run's region by default; towns and parks of a
    county) ranked by 亩均税收 = Σ 评价税收 ÷ Σ 用地 of their evaluated enterprises (RANK() in
    SQL over the grouped sums), each with its count, average total and class distribution.
    Enterprises placed on `parent` itself form one more row (本级直属). Only results the
    viewer may see are counted. Defined in src/zhuqi/docs/mu-evaluation.md §6. `children`, when
    given, are the (disjoint) regions grouped instead of `parent`'s children."""
    parent = parent or run.region
    if children is None:
        children = list(Region.objects.filter(parent=parent, is_active=True).order_by("path"))
    group = Case(
        *[When(enterprise__region_path__startswith=c.path, then=Value(c.pk)) for c in children],
        default=Value(0),
        output_field=IntegerField(),
    )
    evaluated = EVALUATED
    counts = {f"n_{k}": Count("pk", filter=Q(klass=k)) for k in CLASSES}
    rows = (
        Result.objects.visible_to(user)
        .filter(run=run, enterprise__region_path__startswith=parent.path)
        .annotate(g=group)
        .values("g")
        .annotate(
            n=Count("pk", filter=evaluated),
            total_sum=Sum("total", filter=evaluated),
            tax_sum=Sum("tax", filter=evaluated),
            land_sum=Sum("land_mu", filter=evaluated),
            revenue_sum=Sum("revenue", filter=evaluated),
            **counts,
        )
        .annotate(
            rk=Window(
                Rank(),
                order_by=[
                    (F("tax_sum") / F("land_sum")).desc(nulls_last=True),
                    F("total_sum").desc(nulls_last=True),
                ],
            )
        )
        .order_by("rk", "g")
    )
    names = {c.pk: c for c in children}
    with_children = set(
        Region.objects.filter(parent__in=children, is_active=True).values_list("parent_id", flat=True)
    )
    out = []
    for row in rows:
        region = names.get(row["g"])
        tax_sum, land_sum = row["tax_sum"], row["land_sum"]
        out.append(
            {
                "region": region or parent,
                "direct": region is None,
                "drillable": region is not None and region.pk in with_children,
                "rank": row["rk"],
                "n": row["n"],
                "average": ratio(row["total_sum"] or 0, row["n"], 2),
                "tax": half_up(tax_sum / WAN, 2) if tax_sum is not None else None,
                "land": half_up(land_sum, 2) if land_sum is not None else None,
                "tax_per_mu": half_up(tax_sum / WAN / land_sum, 4)
                if tax_sum is not None and land_sum
                else None,
                "classes": [{"klass": k, "n": row[f"n_{k}"]} for k in CLASSES],
                # 亩均营业收入 = Σ 营业收入 ÷ Σ 用地 of the same evaluated enterprises
                "revenue": half_up(row["revenue_sum"] / WAN, 2) if row["revenue_sum"] is not None else None,
                "revenue_per_mu": half_up(row["revenue_sum"] / WAN / land_sum, 4)
                if row["revenue_sum"] is not None and land_sum
                else None,
            }
        )
    if full:
        _add_last_year(user, run, parent, out)
    return out


def previous_run(run: Run) -> Run | None:
    """Last year's published run of the same scheme (any version) and region: the trend's base."""
    return (
        Run.objects.filter(
            scheme__code=run.scheme.code,
            region_id=run.region_id,
            year=run.year - 1,
            status=Run.Status.PUBLISHED,
        )
        .order_by("-pk")
        .first()
    )


def _add_last_year(user, run: Run, parent: Region, out: list[dict]) -> None:
    """Each row's 亩均税收 in last year's published run (same regions) and the change."""
    last = previous_run(run)
    before = {}
    if last is not None:
        rows = _region_ranking(user, last, parent)
        before = {(r["direct"], r["region"].pk): r["tax_per_mu"] for r in rows}
    for row in out:
        prev = before.get((row["direct"], row["region"].pk))
        row["tax_per_mu_last"] = prev
        row["tax_per_mu_change"] = (
            row["tax_per_mu"] - prev if prev is not None and row["tax_per_mu"] is not None else None
        )


def leaders(user, run: Run, parent: Region | None = None, n: int = 10):
    """亩均效益领跑者: the evaluated enterprises of the region with the highest 亩均税收 (ties by
    total), the first n."""
    parent = parent or run.region
    return list(
        Result.objects.visible_to(user)
        .filter(run=run, total__isnull=False, enterprise__region_path__startswith=parent.path)
        .select_related("enterprise__region")
        .order_by(
            F("tax_per_mu").desc(nulls_last=True), F("total").desc(nulls_last=True), "enterprise__name"
        )[:n]
    )


def result_for(user, pk: int) -> Result:
    if not (permissions.allowed(user, "mu.view") or permissions.allowed(user, "mu.own")):
        raise Http404
    return Result.objects.select_related(
        "run", "run__scheme", "run__region", "enterprise"
    ).get_visible_or_404(user, pk=pk)


def published_tax_per_mu(enterprise_ids, year: int) -> dict[int, Result]:
    """Each enterprise's result with a 亩均税收 in a published (已发布) run of data year `year`
    (the newest run when several schemes or regions evaluated it), with its run and region: the
    fact another module checks a commitment against (attraction's 年亩均税收 obligations, read by
    its daily sweep, which acts for no viewer)."""
    out: dict[int, Result] = {}
    rows = (
        Result.objects.filter(
            enterprise_id__in=list(enterprise_ids),
            run__year=year,
            run__status=Run.Status.PUBLISHED,
            tax_per_mu__isnull=False,
        )
        .select_related("run", "run__region", "run__scheme")
        .order_by("enterprise_id", "-run__published_at", "-run__pk")
    )
    for r in rows:
        out.setdefault(r.enterprise_id, r)
    return out


def latest_result(user, enterprise) -> Result | None:
    """The enterprise's result in the latest run in 公示 or published the viewer may see."""
    return (
        Result.objects.visible_to(user)
        .filter(enterprise=enterprise, run__status__in=SHOWN_TO_ENTERPRISES)
        .select_related("run", "run__scheme")
        .order_by("-run__year", "-run__pk")
        .first()
    )


def objections_for(user, *, run: Run | None = None, enterprise_id: int | None = None, status: str = ""):
    """The objections the viewer may see: of one run's scheme, region and year (every round of
    its 公示), of one enterprise, of one status."""
    qs = Objection.objects.visible_to(user).select_related("enterprise", "run", "run__scheme", "department")
    if run is not None:
        qs = qs.filter(run__scheme_id=run.scheme_id, run__region_id=run.region_id, run__year=run.year)
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    if status in Objection.Status.values:
        qs = qs.filter(status=status)
    return qs


def objection_for(user, pk: int) -> Objection:
    if not (permissions.allowed(user, "mu.view") or permissions.allowed(user, "mu.own")):
        raise Http404
    return Objection.objects.select_related(
        "run", "run__scheme", "run__region", "enterprise", "department", "result", "decided_by"
    ).get_visible_or_404(user, pk=pk)


def corrections_for(user, year: int | None = None):
    qs = FactCorrection.objects.visible_to(user).select_related("enterprise", "created_by", "objection")
    return qs.filter(year=year) if year else qs


def adjustments_for(user, year: int | None = None):
    qs = Adjustment.objects.visible_to(user).select_related("enterprise", "created_by").order_by("-pk")
    return qs.filter(year=year) if year else qs


def explanation(result: Result) -> dict:
    """Line by line why the result is what it is, and what it would take to reach the class
    above: the points gap to the last-ranked enterprise of that class, and for each item the
    value that alone would close it (holding the pool's benchmarks as they are)."""
    specs = {i.measure: i for i in result.run.scheme.items.all()}
    lines = [
        {"item": i, "label": Measure(i.measure).label, "unit": DEFINITIONS[i.measure].unit}
        for i in result.items.all()
    ]
    target = _class_above(result)
    gap = None
    paths = []
    if target is not None:
        gap = target["total"] - result.total
        for line in lines:
            item, spec = line["item"], specs.get(line["item"].measure)
            if spec is None or spec.lower_is_better or item.missing:
                continue
            need = _value_for(item, item.points + gap, spec.cap)
            if need is None:
                continue
            path = {**line, "need": need}
            if item.measure == Measure.TAX_PER_MU and result.land_mu:
                path["tax_needed"] = half_up(need * result.land_mu, 2)
            paths.append(path)
    return {"lines": lines, "target": target, "gap": gap, "paths": paths}


def _class_above(result: Result) -> dict | None:
    """The class above this result's and the last-ranked result that reached it by rank."""
    if result.rank is None or result.rank_class not in (Klass.B, Klass.C, Klass.D):
        return None
    above = RANKED[RANKED.index(Klass(result.rank_class)) - 1]
    last = (
        Result.objects.filter(run_id=result.run_id, rank_class__in=RANKED[: RANKED.index(above) + 1])
        .order_by("-rank")
        .values("rank", "total", "tax_per_mu")
        .first()
    )
    if last is None:
        return None
    return {"klass": str(above), "label": above.label, **last}


def _value_for(item, points: Decimal, cap: Decimal | None) -> Decimal | None:
    """The value of `item` that alone gives `points` (None when the item cannot give that
    many: above its cap, or above full marks in the min-max and best families)."""
    weight = item.weight
    if cap is not None and points > cap:
        return None
    if item.family == Family.RATIO:
        if item.benchmark is None:
            return None
        return half_up(points / weight * item.benchmark, 4)
    if item.benchmark is None:
        return None
    if item.family == Family.MIN_MAX:
        if item.benchmark_low is None:
            return None
        position = (points * HUNDRED / weight - FLOOR_POINTS) / SPAN_POINTS
        if position > 1:
            return None
        return half_up(item.benchmark_low + position * (item.benchmark - item.benchmark_low), 4)
    if points > weight:
        return None
    return half_up(points / weight * item.benchmark, 4)


def measures_for_region(scheme_id: int, region: Region | None):
    """The measure list in force for `region` under a scheme: the list of the nearest region
    (itself, then its ancestors) that has one of its own, else the scheme's sample list."""
    qs = ClassMeasure.objects.filter(scheme_id=scheme_id)
    if region is not None:
        owners = list(
            qs.filter(region__path__in=region.ancestor_paths())
            .order_by("-region__depth")
            .values_list("region_id", flat=True)[:1]
        )
        if owners:
            return qs.filter(region_id=owners[0])
    return qs.filter(region__isnull=True)


def class_measures(run: Run, day, klass: str | None = None) -> list[ClassMeasure]:
    """The differentiated measures valid on `day` for a run (of one class, or every class): its
    region's own list, or the nearest ancestor's, or the scheme's sample list."""
    qs = measures_for_region(run.scheme_id, run.region)
    if klass is not None:
        qs = qs.filter(klass=klass)
    return [m for m in qs if m.valid_on(day)]


#: the classes a 包保 list is proposed from by default
KEY_CLASSES = (Klass.A, Klass.B)


def key_list(user, run: Run, *, classes=KEY_CLASSES, top: int | None = None):
    """The proposed 包保联系名单 for the year after the run's: the 规上 enterprises of the chosen
    classes (A and B by default) by rank, the first `top` of them when given."""
    qs = (
        Result.objects.visible_to(user)
        .filter(run=run, klass__in=list(classes), enterprise__above_scale=True, rank__isnull=False)
        .select_related("enterprise", "enterprise__region")
        .order_by("rank")
    )
    return qs[:top] if top else qs


def utility_accounts(enterprise_ids) -> dict[tuple[int, str], list[str]]:
    """(enterprise id, kind) → its utility account numbers, for a list of enterprises (one query)."""
    from .models import UtilityAccount

    out: dict[tuple[int, str], list[str]] = {}
    for ent_id, kind, number in UtilityAccount.objects.filter(
        enterprise_id__in=list(enterprise_ids)
    ).values_list("enterprise_id", "kind", "number"):
        out.setdefault((ent_id, kind), []).append(number)
    return out


def latest_published_year(user) -> int | None:
    """The data year of the latest published evaluation the viewer may see."""
    return (
        Run.objects.visible_to(user)
        .filter(status=Run.Status.PUBLISHED)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def class_filter_choices(user) -> list[tuple[str, str]]:
    """The registry list's 亩均类别 filter: A–D and T of the latest published year (none offered
    before anything is published, or to a viewer who may not see evaluations)."""
    from zhuqi.core import permissions

    if not permissions.allowed(user, "mu.view"):
        return []
    year = latest_published_year(user)
    if year is None:
        return []
    return [
        (k, gettext("%(klass)s（%(year)s年度）") % {"klass": label, "year": year})
        for k, label in Klass.choices
    ]


def class_filter_q(user, value: str):
    """Enterprises whose class in a published run of the latest published year is `value`."""
    from django.db.models import Exists, OuterRef, Q

    from zhuqi.core import permissions

    if value not in Klass.values or not permissions.allowed(user, "mu.view"):
        return None
    year = latest_published_year(user)
    if year is None:
        return Q(pk__in=[])
    return Q(
        Exists(
            Result.objects.filter(
                enterprise_id=OuterRef("pk"), run__status=Run.Status.PUBLISHED, run__year=year, klass=value
            )
        )
    )

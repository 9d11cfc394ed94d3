"""Reads of the 亩均 evaluation, each starting from `visible_to(user)`."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F
from django.http import Http404

from zhuqi.core import permissions
from zhuqi.core.units import half_up

from .measures import DEFINITIONS
from .models import Family, Klass, Measure, Result, Run, Scheme
from .scoring import FLOOR_POINTS, HUNDRED, SPAN_POINTS

CLASSES = [Klass.A, Klass.B, Klass.C, Klass.D, Klass.T]
RANKED = [Klass.A, Klass.B, Klass.C, Klass.D]


def runs_for(user):
    return Run.objects.visible_to(user).select_related("scheme", "region", "created_by")


def schemes_for(user):
    return Scheme.objects.visible_to(user).filter(status=Scheme.Status.ACTIVE)


def distribution(run: Run) -> list[dict]:
    """Class → count of a run, every class shown (zero included)."""
    counts = dict(run.results.values_list("klass").annotate(n=Count("pk")).order_by())
    return [{"klass": k, "label": Klass(k).label, "n": counts.get(k, 0)} for k in CLASSES]


def ranked(user, run: Run, klass: str = ""):
    """The run's results the viewer may see, by rank (T 类 last)."""
    qs = Result.objects.visible_to(user).filter(run=run).select_related("enterprise")
    if klass in Klass.values:
        qs = qs.filter(klass=klass)
    return qs.order_by(F("rank").asc(nulls_last=True), "enterprise__name")


def result_for(user, pk: int) -> Result:
    if not (permissions.allowed(user, "mu.view") or permissions.allowed(user, "mu.own")):
        raise Http404
    return Result.objects.select_related(
        "run", "run__scheme", "run__region", "enterprise"
    ).get_visible_or_404(user, pk=pk)


def latest_result(user, enterprise) -> Result | None:
    """The enterprise's result in the latest published run the viewer may see."""
    return (
        Result.objects.visible_to(user)
        .filter(enterprise=enterprise, run__status=Run.Status.PUBLISHED)
        .select_related("run", "run__scheme")
        .order_by("-run__year", "-run__published_at")
        .first()
    )


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

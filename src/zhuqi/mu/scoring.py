"""The scoring of one pool, in Decimal, defined in src/zhuqi/docs/mu-evaluation.md.

`score_pool` takes the pool as plain data (each enterprise's facts and adjustments) and returns
every intermediate, so the hand-worked examples of the documentation are tested on it directly
and `services.compute` only reads the rows in a few set-based queries and writes the results
in bulk; the ranking, percentiles and classes are then one SQL statement over the stored
results (`ranking.rank_run`, window functions). Rounding is half up (`zhuqi.core.units.half_up`): measure values, ratios and positions
to 4 decimals, points and totals to 2, percentiles to 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from zhuqi.core.units import half_up

from .measures import DEFINITIONS, LAND
from .models import Adjustment, CountRounding, FactKind, Family, Measure, MissingRule, Veto

ZERO = Decimal(0)
HUNDRED = Decimal(100)
FLOOR_POINTS = Decimal(20)  # the min-max family's floor: 20 of 100
SPAN_POINTS = Decimal(80)


class ScoringError(ValueError):
    """A pool that cannot be scored (a message in Chinese, for the person computing)."""


@dataclass
class ItemSpec:
    measure: str
    weight: Decimal
    family: str
    benchmark: Decimal | None = None
    cap: Decimal | None = None
    lower_is_better: bool = False


@dataclass
class Settings:
    items: list[ItemSpec]
    missing_rule: str = MissingRule.POOL_AVERAGE
    bonus_cap: Decimal = ZERO
    a_pct: Decimal = Decimal(20)
    b_pct: Decimal = Decimal(60)
    c_pct: Decimal = Decimal(95)
    count_rounding: str = CountRounding.HALF_UP
    min_a: int = 1
    min_d: int = 0


@dataclass
class Entry:
    """One enterprise of the pool: its facts (kind → value) and adjustments (kind, points, reason)."""

    key: int
    name: str
    facts: dict[str, Decimal]
    adjustments: list[tuple[str, Decimal, str]] = field(default_factory=list)
    protected_reason: str = ""  # a protection the rules give (just entered 规上)
    tiebreak: str = ""  # last resort of the order (the credit code)


@dataclass
class ItemScore:
    measure: str
    family: str
    weight: Decimal
    value: Decimal | None
    benchmark: Decimal | None
    benchmark_low: Decimal | None
    ratio: Decimal | None
    points: Decimal
    missing: bool = False
    capped: bool = False


@dataclass
class Scored:
    entry: Entry
    items: list[ItemScore]
    base: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    tax_per_mu: Decimal | None
    notes: list[str] = field(default_factory=list)
    veto: str = ""  # Veto: what the class by rank is subject to
    protected: bool = False


def land(facts: dict[str, Decimal]) -> Decimal | None:
    """Own land in 亩, or the leased floor area (折亩) of a firm without land."""
    own = facts.get(FactKind.LAND_MU)
    return own if own is not None else facts.get(FactKind.LEASED_MU)


def measure_value(measure: str, facts: dict[str, Decimal]) -> Decimal | None:
    """The measure of one enterprise, 4 decimals; None when a fact is missing."""
    d = DEFINITIONS[measure]
    num = facts.get(d.numerator)
    den = land(facts) if d.denominator == LAND else facts.get(d.denominator)
    if num is None or den is None:
        return None
    if den <= 0:
        raise ScoringError(_("分母为 0 或负数"))
    return half_up(num * d.scale / den, 4)


def check_weights(items: list[ItemSpec]) -> None:
    total = sum((i.weight for i in items), ZERO)
    if total != HUNDRED:
        raise ScoringError(
            _("方案各项权重合计为 %(total)s，应为 100") % {"total": format(total.normalize(), "f")}
        )
    for i in items:
        if i.family == Family.RATIO and not (i.benchmark and i.benchmark > 0):
            label = Measure(i.measure).label
            raise ScoringError(_("「%(item)s」按基准值计分，须设定大于 0 的基准值") % {"item": label})


def _points(weight: Decimal, ratio: Decimal, cap: Decimal | None) -> tuple[Decimal, bool]:
    points = half_up(ratio * weight, 2)
    if cap is not None and points > cap:
        return half_up(cap, 2), True
    return points, False


def score_item(spec: ItemSpec, values: dict[int, Decimal | None]) -> dict[int, ItemScore]:
    """One item over the pool: the pool's minimum and maximum come from the values present."""
    present = [v for v in values.values() if v is not None]
    low = min(present) if present else None
    high = max(present) if present else None
    out: dict[int, ItemScore] = {}
    for key, value in values.items():
        score = ItemScore(spec.measure, spec.family, spec.weight, value, None, None, None, ZERO)
        out[key] = score
        if value is None:
            score.missing = True
            continue
        if spec.family == Family.RATIO:
            bench = spec.benchmark or ZERO
            score.benchmark = bench
            if spec.lower_is_better:
                ratio = half_up(bench / value, 4) if value > 0 else None
            else:
                ratio = half_up(value / bench, 4)
            if ratio is None:  # zero where lower is better: the best there is
                score.points, score.capped = (
                    (spec.cap, True) if spec.cap is not None else (spec.weight, False)
                )
                continue
            score.ratio = ratio
            score.points, score.capped = _points(spec.weight, ratio, spec.cap)
        elif spec.family == Family.MIN_MAX:
            assert low is not None and high is not None
            score.benchmark, score.benchmark_low = high, low
            if high == low:
                position = Decimal(1)
            elif spec.lower_is_better:
                position = half_up((high - value) / (high - low), 4)
            else:
                position = half_up((value - low) / (high - low), 4)
            score.ratio = position
            score.points = half_up(spec.weight * (FLOOR_POINTS + SPAN_POINTS * position) / HUNDRED, 2)
        else:  # best gets full marks
            assert low is not None and high is not None
            best = low if spec.lower_is_better else high
            score.benchmark = best
            if spec.lower_is_better:
                ratio = half_up(best / value, 4) if value > 0 else Decimal(1)
            else:
                ratio = half_up(value / best, 4) if best > 0 else ZERO
            score.ratio = ratio
            score.points, score.capped = _points(spec.weight, ratio, spec.cap)
    if out and not present:
        label = Measure(spec.measure).label
        raise ScoringError(_("本组没有一家企业有「%(item)s」的数据，无法计分") % {"item": label})
    return out


def _count(n: int, pct: Decimal, rounding: str) -> int:
    exact = Decimal(n) * pct / HUNDRED
    if rounding == CountRounding.FLOOR:
        return math.floor(exact)
    if rounding == CountRounding.CEIL:
        return math.ceil(exact)
    return int(half_up(exact, 0))


def class_cuts(n: int, s: Settings) -> tuple[int, int, int]:
    """The last rank of A, of B and of C in a pool of n (the rest are D): percentages turned
    into counts by the scheme's rounding, then the minimum counts applied."""
    if n == 0:
        return 0, 0, 0
    a = _count(n, s.a_pct, s.count_rounding)
    b = _count(n, s.b_pct, s.count_rounding)
    c = _count(n, s.c_pct, s.count_rounding)
    a = max(a, min(s.min_a, n))
    c = min(c, n - min(s.min_d, n))
    a = min(a, c)
    b = min(max(b, a), c)
    return a, b, c


def score_pool(settings: Settings, entries: list[Entry]) -> list[Scored]:
    """Score one pool: every item's points, the bonus, penalty and total, and the veto or
    protection each enterprise is subject to. Ranking and classes are set-based in SQL
    (`ranking.rank_run`). Raises ScoringError naming what is wrong."""
    check_weights(settings.items)
    values: dict[str, dict[int, Decimal | None]] = {}
    for spec in settings.items:
        column: dict[int, Decimal | None] = {}
        for e in entries:
            try:
                column[e.key] = measure_value(spec.measure, e.facts)
            except ScoringError:
                label = Measure(spec.measure).label
                raise ScoringError(
                    _("%(name)s：「%(item)s」的分母为 0 或负数") % {"name": e.name, "item": label}
                ) from None
        values[spec.measure] = column
    by_item = {}
    for spec in settings.items:
        scores = score_item(spec, values[spec.measure])
        missing = [s for s in scores.values() if s.missing]
        if missing:
            if settings.missing_rule == MissingRule.POOL_AVERAGE:
                present = [s.points for s in scores.values() if not s.missing]
                fill = half_up(sum(present, ZERO) / len(present), 2)
            else:
                fill = ZERO
            for s in missing:
                s.points = fill
        by_item[spec.measure] = scores
    scored: list[Scored] = []
    for e in entries:
        items = [by_item[spec.measure][e.key] for spec in settings.items]
        base = sum((i.points for i in items), ZERO)
        bonus = sum((p for k, p, _r in e.adjustments if k == Adjustment.Kind.BONUS), ZERO)
        notes = []
        if bonus > settings.bonus_cap:
            notes.append(
                _("加分 %(bonus)s 超过上限，按 %(cap)s 计") % {"bonus": bonus, "cap": settings.bonus_cap}
            )
            bonus = settings.bonus_cap
        penalty = sum((p for k, p, _r in e.adjustments if k == Adjustment.Kind.PENALTY), ZERO)
        for kind, points, reason in e.adjustments:
            label = Adjustment.Kind(kind).label
            notes.append(f"{label} {points}：{reason}" if kind in _POINT_KINDS else f"{label}：{reason}")
        tax = measure_value(Measure.TAX_PER_MU, e.facts)
        scored.append(Scored(e, items, base, bonus, penalty, base + bonus - penalty, tax, notes=notes))
    for s in scored:
        kinds = {k for k, _p, _r in s.entry.adjustments}
        if Adjustment.Kind.VETO_LOWEST in kinds:
            s.veto = Veto.LOWEST
        elif Adjustment.Kind.VETO_AB in kinds:
            s.veto = Veto.NOT_AB
        s.protected = Adjustment.Kind.PROTECT in kinds or bool(s.entry.protected_reason)
        if s.entry.protected_reason:
            s.notes.append(s.entry.protected_reason)
    return scored


_POINT_KINDS = {Adjustment.Kind.BONUS, Adjustment.Kind.PENALTY}

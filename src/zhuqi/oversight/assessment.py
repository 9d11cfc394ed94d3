"""The scoring of assessments (考核) and the drawing of 红黑榜, as plain functions over the
metrics' measures: docs/oversight.md §5 (考核) and §6 (红黑榜) define them with a hand-worked
example each, reproduced by tests/oversight/test_assessment.py.

* **按完成目标比例计分**: points = weight × min(value ÷ target, cap) (lower-is-better metrics:
  target ÷ value; a value of 0 on such a metric earns the cap); no value or no target: 0.
* **按排名计分**: units ranked by value (ties share the higher rank: 1, 1, 3); points = weight −
  (rank − 1) × step, never below 0.
* **达标计分**: the weight when the value reaches the target (≥; lower-is-better: ≤), else 0.
* **按件计分**: points = value × points per unit, at most the weight.
* A unit with no value scores 0 on the item, except on a rate whose denominator is empty
  because nothing fell to the unit (no case submitted, no item due): a base item then scores
  its full weight.

Each item's points are rounded half up to 0.01; a bonus item adds its points, a penalty item
takes them away; the total is the sum. Totals are ranked like values (1, 1, 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from zhuqi.core.units import half_up

from .metrics import Measure, Metric, Unit
from .models import ItemKind, ScoringRule

ZERO = Decimal(0)


def fmt(value: Decimal | int | None) -> str:
    """A number without trailing zeros (20.00 → 20, 92.50 → 92.5); None → "—"."""
    if value is None:
        return "—"
    d = Decimal(value)
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def competition_ranks(values: dict, *, higher_is_better: bool = True) -> dict:
    """{key: rank} for the keys with a value: 1, 1, 3 (ties share the better rank)."""
    known = [(k, v) for k, v in values.items() if v is not None]
    known.sort(key=lambda kv: kv[1], reverse=higher_is_better)
    ranks, prev, rank = {}, None, 0
    for i, (k, v) in enumerate(known, start=1):
        if v != prev:
            rank, prev = i, v
        ranks[k] = rank
    return ranks


@dataclass
class ItemScore:
    value: Decimal | None
    target: Decimal | None
    points: Decimal
    explanation: str
    url: str = ""
    rank: int | None = None


def target_of(item, measure: Measure) -> Decimal | None:
    """The item's own target where it sets one, else the metric's (e.g. 100 % of the plan)."""
    return item.target if item.target is not None else measure.target


def meets(value: Decimal | None, target: Decimal | None, higher_is_better: bool) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if higher_is_better else value <= target


def score_item(item, metric: Metric, measures: dict[int, Measure], units: list[Unit]) -> dict[int, ItemScore]:
    """Each unit's points on one scheme item (before the sign of a bonus/penalty item)."""
    w = Decimal(item.weight)
    hib = metric.higher_is_better
    unit_word = "%" if metric.percent else str(metric.unit_label or "")
    ranks = (
        competition_ranks(
            {u.pk: measures.get(u.pk, Measure(None)).value for u in units}, higher_is_better=hib
        )
        if item.rule == ScoringRule.RANK
        else {}
    )
    out: dict[int, ItemScore] = {}
    for u in units:
        m = measures.get(u.pk) or Measure(None)
        v, t = m.value, target_of(item, m)
        shown = f"{fmt(v)}{unit_word}"
        if v is None:
            if metric.empty_full and item.kind == ItemKind.BASE:
                full = half_up(w, 2)
                out[u.pk] = ItemScore(
                    None, t, full, _("期内无应考核的事项，得满分 %(w)s") % {"w": fmt(w)}, m.url
                )
            else:
                out[u.pk] = ItemScore(None, t, ZERO, _("无数据，不得分"), m.url)
            continue
        if item.rule == ScoringRule.RATIO:
            if not t:
                out[u.pk] = ItemScore(v, t, ZERO, _("没有目标值，不得分"), m.url)
                continue
            cap = Decimal(item.cap_ratio)
            if hib:
                ratio = max(v / t, ZERO)
                how = _("%(v)s ÷ 目标 %(t)s") % {"v": shown, "t": f"{fmt(t)}{unit_word}"}
            else:
                ratio = cap if v <= 0 else t / v
                how = _("目标 %(t)s ÷ %(v)s") % {"v": shown, "t": f"{fmt(t)}{unit_word}"}
            used = min(ratio, cap)
            points = half_up(w * used, 2)
            text = _("%(how)s = %(r)s%(capped)s；得分 %(w)s × %(u)s = %(p)s") % {
                "how": how,
                "r": half_up(ratio, 4),
                "capped": (_("，超过上限按 %(c)s 计") % {"c": fmt(cap)}) if ratio > cap else "",
                "w": fmt(w),
                "u": half_up(used, 4),
                "p": points,
            }
            out[u.pk] = ItemScore(v, t, points, text, m.url)
        elif item.rule == ScoringRule.RANK:
            rank = ranks[u.pk]
            step = Decimal(item.step or 0)
            points = half_up(max(w - (rank - 1) * step, ZERO), 2)
            text = _("%(v)s，第 %(rank)s 名；得分 %(w)s − (%(rank)s − 1) × %(s)s = %(p)s") % {
                "v": shown,
                "rank": rank,
                "w": fmt(w),
                "s": fmt(step),
                "p": points,
            }
            out[u.pk] = ItemScore(v, t, points, text, m.url, rank)
        elif item.rule == ScoringRule.THRESHOLD:
            ok = meets(v, t, hib)
            points = half_up(w if ok else ZERO, 2)
            text = (
                _("%(v)s，达到目标 %(t)s，得 %(p)s 分") if ok else _("%(v)s，未达到目标 %(t)s，不得分")
            ) % {
                "v": shown,
                "t": f"{fmt(t)}{unit_word}",
                "p": points,
            }
            out[u.pk] = ItemScore(v, t, points, text, m.url)
        else:  # PER_UNIT
            per = Decimal(item.per_unit or 0)
            raw = max(v, ZERO) * per
            points = half_up(min(raw, w), 2)
            text = _("%(v)s × %(per)s 分 = %(raw)s%(capped)s") % {
                "v": shown,
                "per": fmt(per),
                "raw": half_up(raw, 2),
                "capped": (_("，超过上限按 %(w)s 分计") % {"w": fmt(w)}) if raw > w else "",
            }
            out[u.pk] = ItemScore(v, t, points, text, m.url)
    return out


SIGN = {ItemKind.BASE: 1, ItemKind.BONUS: 1, ItemKind.PENALTY: -1}


@dataclass
class UnitResult:
    unit: Unit
    total: Decimal
    rank: int
    items: list[dict]


def score(items: Iterable, scored: dict[int, dict[int, ItemScore]], units: list[Unit]) -> list[UnitResult]:
    """Totals and ranks from each item's scores (`scored[item.pk][unit.pk]`), best first."""
    items = list(items)
    rows = []
    for u in units:
        total = ZERO
        parts = []
        for it in items:
            s = scored[it.pk][u.pk]
            signed = s.points * SIGN[ItemKind(it.kind)]
            total += signed
            parts.append(
                {
                    "item": it.pk,
                    "name": it.name,
                    "kind": it.kind,
                    "value": None if s.value is None else str(s.value),
                    "target": None if s.target is None else str(s.target),
                    "points": str(signed),
                    "explanation": s.explanation,
                    "url": s.url,
                }
            )
        rows.append((u, total, parts))
    ranks = competition_ranks({u.pk: total for u, total, _p in rows})
    out = [UnitResult(u, total, ranks[u.pk], parts) for u, total, parts in rows]
    out.sort(key=lambda r: (r.rank, r.unit.label))
    return out


# --- 红黑榜 -------------------------------------------------------------------------------------
@dataclass
class Ranked:
    unit: Unit
    value: Decimal
    target: Decimal | None
    met: bool | None
    url: str = ""


def ranked(
    units: list[Unit], measures: dict[int, Measure], *, target: Decimal | None, higher_is_better: bool
):
    """The units with a value, best first; each with the target (the rule's, else the metric's)
    and whether it met it."""
    rows = []
    for u in units:
        m = measures.get(u.pk)
        if m is None or m.value is None:
            continue
        t = target if target is not None else m.target
        rows.append(Ranked(u, m.value, t, meets(m.value, t, higher_is_better), m.url))
    rows.sort(key=lambda r: (-r.value if higher_is_better else r.value, r.unit.label))
    return rows


def _ranks(rows: list[Ranked]) -> list[int]:
    """Competition ranks of rows already in order (equal values share the better rank)."""
    out, prev, rank = [], None, 0
    for i, r in enumerate(rows, start=1):
        if r.value != prev:
            rank, prev = i, r.value
        out.append(rank)
    return out


def _within(rows: list[Ranked], n: int) -> list[Ranked]:
    """The rows ranked in the first `n` places (ties at the edge are all in)."""
    return [r for r, k in zip(rows, _ranks(rows), strict=True) if k <= n]


def split(rows: list[Ranked], size: int, exempt: set[tuple[str, int]]) -> tuple[list, list, list]:
    """(red, black, exempted) from `rows` (best first).

    With a target: the red list is those ranked in the top `size` places who met it; the black
    list those ranked in the bottom `size` places — counted after setting aside the units
    exempted for force majeure — who missed it. Units tied at the edge are listed together. A
    unit that met the target is never on the black list. Without a target (no rule target, no
    metric target): the top and the bottom `size` places, at most half the units each, nobody on
    both. `exempted` lists the exempted units that would otherwise have been on the black list."""

    def key(r):
        return (r.unit.kind, r.unit.pk)

    pool = [r for r in rows if key(r) not in exempt]
    if not any(r.target is not None for r in rows):
        n = min(size, len(rows) // 2)
        red = _within(rows, n) if n else []
        reds = {key(r) for r in red}
        black = [r for r in _within(list(reversed(pool)), n) if key(r) not in reds] if n else []
        shadow = _within(list(reversed(rows)), n) if n else []
        return red, black, [r for r in shadow if key(r) in exempt and key(r) not in reds]
    red = [r for r in _within(rows, size) if r.met]
    black = [r for r in _within(list(reversed(pool)), size) if r.met is False]
    shadow = [r for r in _within(list(reversed(rows)), size) if r.met is False]
    return red, black, [r for r in shadow if key(r) in exempt]

"""Progress against a plan in time: 完成率, 时序进度, 超时序进度 and the lights, shared by every
module that measures actual against a plan over a year (projects' investment, indicators'
targets). One definition: src/zhuqi/docs/progress.md.

* completion % = cumulative actual ÷ annual target × 100 (`core.units.rate`, half up, 0.1);
* elapsed % (时序进度) = the share of the year the period covers × 100 (`elapsed_pct(months)`:
  months may be fractional, e.g. 10⅓ after 11月上旬);
* lead (超时序进度) in points = completion − elapsed;
* light: green above −yellow, yellow down to −red, red at or below −red, grey without a target.

A plan decomposed over the year (以月保季、以季保年) is split here too: `split` (parts rounded,
the remainder on the last part: the indicators' targets) and `split_cumulative` (the cumulative
plan to the end of each part rounded, each part the difference: whole numbers never go
negative; 招商 annual targets).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from .units import rate

_AMOUNT: DecimalField = DecimalField(max_digits=24, decimal_places=6)


def light_thresholds() -> tuple[Decimal, Decimal]:
    """Points behind schedule at which a light turns yellow and red (default 10 and 30);
    set ZHUQI_LIGHTS = (yellow, red) in the settings to change them for every module."""
    yellow, red = getattr(settings, "ZHUQI_LIGHTS", (10, 30))
    return Decimal(str(yellow)), Decimal(str(red))


def light(lead: Decimal | None) -> str:
    """green / yellow / red for a lead in points; grey when there is no plan."""
    if lead is None:
        return "grey"
    yellow, red = light_thresholds()
    if lead <= -red:
        return "red"
    if lead <= -yellow:
        return "yellow"
    return "green"


LIGHT_LABELS = {"green": _("绿灯"), "yellow": _("黄灯"), "red": _("红灯"), "grey": _("无计划")}
LIGHTS = ("green", "yellow", "red", "grey")


def elapsed_pct(months: int | Fraction) -> Decimal:
    """时序进度 after `months` of the year (a whole number, or a Fraction for a 旬): months ÷ 12."""
    months = Fraction(months)
    return rate(months.numerator, months.denominator * 12)  # type: ignore[return-value]


def lead(completion: Decimal | None, elapsed: Decimal) -> Decimal | None:
    """超时序进度 in points = completion % − elapsed %; None without a completion."""
    return None if completion is None else completion - elapsed


def light_q(colour: str, elapsed: Decimal, actual: str, plan: str) -> Q:
    """The rows whose light is `colour`, as SQL over the fields `actual` (cumulative) and `plan`
    (annual): exactly `light(lead)` with the completion rounded half up to 0.1. A rounded value
    is ≤ t (one decimal) exactly when the unrounded one is < t + 0.05, so SQL needs no rounding:
    100·actual < (elapsed − t + 0.05)·plan."""
    yellow, red = light_thresholds()
    half = Decimal("0.05")
    below = {
        t: Q(
            **{f"{actual}__lt": ExpressionWrapper((elapsed - t + half) * F(plan) / 100, output_field=_AMOUNT)}
        )
        for t in (yellow, red)
    }
    planned = Q(**{f"{plan}__gt": 0})
    return {
        "grey": ~planned,
        "red": planned & below[red],
        "yellow": planned & below[yellow] & ~below[red],
        "green": planned & ~below[yellow],
    }[colour]


def split(amount: Decimal, weights: list[Decimal], places: int) -> list[Decimal]:
    """`amount` split in proportion to `weights`, each part rounded half up to `places`
    decimals, the remainder on the last part so the parts add up to `amount` exactly. Where the
    roundings add up to more than the last part's own share, so that the remainder would make the
    last part negative (20 persons over 36 旬 in whole numbers: 35 parts of 1 and −15), the parts
    are rounded cumulatively instead (`split_cumulative`): none negative, still adding up."""
    total = sum(weights, Decimal(0))
    if total == 0:
        raise ValueError("weights add up to zero")
    q = Decimal(1).scaleb(-places)
    parts = [(amount * w / total).quantize(q, ROUND_HALF_UP) for w in weights[:-1]]
    parts.append(amount - sum(parts, Decimal(0)))
    if amount >= 0 and parts[-1] < 0 and all(w >= 0 for w in weights):
        return split_cumulative(amount, weights, places)
    return parts


def split_cumulative(amount: Decimal, weights: list[Decimal], places: int = 0) -> list[Decimal]:
    """`amount` split in proportion to `weights` (none negative) so that the plan to the end of
    each part is the pro-rata share rounded half up to `places` decimals, each part the
    difference of two such cumulative values: the parts add up to `amount` exactly, none is
    negative, and a whole number (places 0) splits into whole numbers — 50 over four equal
    quarters is 13, 12, 13, 12 (cumulative 12.5 → 13, 25, 37.5 → 38, 50)."""
    total = sum(weights, Decimal(0))
    if total <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative and add up to more than zero")
    q = Decimal(1).scaleb(-places)
    parts: list[Decimal] = []
    running, before = Decimal(0), Decimal(0)
    for i, w in enumerate(weights):
        running += w
        upto = amount if i == len(weights) - 1 else (amount * running / total).quantize(q, ROUND_HALF_UP)
        parts.append(upto - before)
        before = upto
    return parts

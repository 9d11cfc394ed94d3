"""Progress against a plan in time: 完成率, 时序进度, 超时序进度 and the lights, shared by every
module that measures actual against a plan over a year (projects' investment, indicators'
targets). One definition: src/zhuqi/docs/progress.md.

* completion % = cumulative actual ÷ annual target × 100 (`core.units.rate`, half up, 0.1);
* elapsed % (时序进度) = the share of the year the period covers × 100 (`elapsed_pct(months)`:
  months may be fractional, e.g. 10⅓ after 11月上旬);
* lead (超时序进度) in points = completion − elapsed;
* light: green above −yellow, yellow down to −red, red at or below −red, grey without a target.
"""

from __future__ import annotations

from decimal import Decimal
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

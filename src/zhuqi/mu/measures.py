"""What each measure is: the quotient of two facts, scaled into its unit. One table, read by the
computation, the explanation page and mu-evaluation.md."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhuqi.core.units import WAN

from .models import FactKind, Measure

#: the land a measure per mu divides by: own land, or leased floor area (折亩) for firms without
LAND = "land"


@dataclass(frozen=True)
class Definition:
    numerator: str  # a FactKind
    denominator: str  # a FactKind or LAND
    scale: Decimal  # numerator ÷ scale ÷ denominator (yuan → 万元), × 100 for a percentage
    unit: str | Promise  # shown beside the value


_W = Decimal(1) / WAN  # yuan → 万元

DEFINITIONS: dict[str, Definition] = {
    Measure.TAX_PER_MU: Definition(FactKind.TAX, LAND, _W, _("万元/亩")),
    Measure.VALUE_ADDED_PER_MU: Definition(FactKind.VALUE_ADDED, LAND, _W, _("万元/亩")),
    Measure.REVENUE_PER_MU: Definition(FactKind.REVENUE, LAND, _W, _("万元/亩")),
    Measure.TECH_PER_MU: Definition(FactKind.TECH_INVESTMENT, LAND, _W, _("万元/亩")),
    Measure.VALUE_ADDED_PER_ENERGY: Definition(FactKind.VALUE_ADDED, FactKind.ENERGY, _W, _("万元/吨标煤")),
    Measure.REVENUE_PER_ENERGY: Definition(FactKind.REVENUE, FactKind.ENERGY, _W, _("万元/吨标煤")),
    Measure.VALUE_ADDED_PER_EMISSION: Definition(FactKind.VALUE_ADDED, FactKind.EMISSIONS, _W, _("万元/吨")),
    Measure.LABOUR_PRODUCTIVITY: Definition(FactKind.VALUE_ADDED, FactKind.EMPLOYEES, _W, _("万元/人")),
    Measure.RND_RATIO: Definition(FactKind.RND, FactKind.REVENUE, Decimal(100), _("%")),
    Measure.TAX_PER_POWER: Definition(FactKind.TAX, FactKind.POWER, _W, _("万元/万千瓦时")),
}
assert set(DEFINITIONS) == set(Measure.values)


#: the unit people read and type each fact in, and its factor to the stored unit (万元 → yuan)
FACT_UNITS: dict[str, tuple[Decimal, str | Promise]] = {
    FactKind.TAX: (WAN, _("万元")),
    FactKind.LAND_MU: (Decimal(1), _("亩")),
    FactKind.LEASED_MU: (Decimal(1), _("亩")),
    FactKind.VALUE_ADDED: (WAN, _("万元")),
    FactKind.REVENUE: (WAN, _("万元")),
    FactKind.EMPLOYEES: (Decimal(1), _("人")),
    FactKind.RND: (WAN, _("万元")),
    FactKind.ENERGY: (Decimal(1), _("吨标煤")),
    FactKind.POWER: (Decimal(1), _("万千瓦时")),
    FactKind.EMISSIONS: (Decimal(1), _("吨")),
    FactKind.TECH_INVESTMENT: (WAN, _("万元")),
}
assert set(FACT_UNITS) == set(FactKind.values)


def shown(kind: str, value: Decimal | None) -> Decimal | None:
    """A stored fact in the unit people read it in (money in 万元), without trailing zeros."""
    if value is None:
        return None
    scale = FACT_UNITS[kind][0]
    return (value / scale).normalize() if scale != 1 else value.normalize()

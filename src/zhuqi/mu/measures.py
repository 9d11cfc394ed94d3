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

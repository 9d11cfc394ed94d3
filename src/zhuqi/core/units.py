"""Units and bounds every app shares, named once.

Money is stored in yuan as `Decimal`; people read and type it in 万元 or 亿元, so a form field
in 万元 multiplies by `WAN` on the way in and divides on the way out. Years that people type or
import lie within `MIN_YEAR`..`MAX_YEAR`.
"""

from decimal import ROUND_HALF_UP, Decimal

#: one 万元 in yuan
WAN = Decimal(10_000)
#: one 亿元 in yuan
YI = Decimal(100_000_000)

#: the earliest and latest year a form, an API or an import accepts
MIN_YEAR = 2000
MAX_YEAR = 2100

#: display precision of percentages and averages: one decimal place
ONE_DP = Decimal("0.1")


def half_up(value, places: int = 1) -> Decimal | None:
    """`value` rounded half up (away from zero at .5) to `places` decimals, as a Decimal: the
    one rounding of every displayed rate and average (6.25 → 6.3, 0.15 → 0.2). A float is
    taken by its shortest repr (0.15 stays 0.15, not 0.1499…); None stays None."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def ratio(n, d, places: int = 1) -> Decimal | None:
    """n ÷ d rounded half up to `places` decimals (an average); None when d is zero."""
    if not d:
        return None
    return half_up(Decimal(n) / Decimal(d), places)


def rate(n, d, places: int = 1) -> Decimal | None:
    """The percentage n ÷ d × 100 computed exactly from the counts, rounded half up to `places`
    decimals (1 of 16 → 6.3); None when d is zero (shown as "—")."""
    if not d:
        return None
    return half_up(Decimal(n) * 100 / Decimal(d), places)

"""Units and bounds every app shares, named once.

Money is stored in yuan as `Decimal`; people read and type it in 万元 or 亿元, so a form field
in 万元 multiplies by `WAN` on the way in and divides on the way out. Years that people type or
import lie within `MIN_YEAR`..`MAX_YEAR`.
"""

from decimal import Decimal

#: one 万元 in yuan
WAN = Decimal(10_000)
#: one 亿元 in yuan
YI = Decimal(100_000_000)

#: the earliest and latest year a form, an API or an import accepts
MIN_YEAR = 2000
MAX_YEAR = 2100

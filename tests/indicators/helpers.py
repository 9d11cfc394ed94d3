"""Indicator test helpers: a value row written directly (the figures' tests set up exact rows)."""

from __future__ import annotations

from decimal import Decimal as D

from zhuqi.indicators.models import Value
from zhuqi.indicators.periods import Period


def val(ind, code, cum, ly=None, ent=None, region=None):
    p = Period.parse(code)
    return Value.objects.create(
        indicator=ind,
        period=code,
        year=p.year,
        period_type=p.type,
        enterprise=ent,
        region=ent.region if ent else region,
        region_path=ent.region_path if ent else region.path,
        cumulative=D(cum),
        value=D(cum),
        last_year_cumulative=None if ly is None else D(ly),
        source="behalf",
    )

"""The enterprise page's 经济指标 panel: the enterprise's own monthly series this year beside last
year's, and the latest year-on-year growth; only for viewers who may see the enterprise's values."""

from __future__ import annotations

from django.utils import timezone

from zhuqi.core import permissions
from zhuqi.core.units import rate

from .models import Value


def indicators_section(request, enterprise):
    user = request.user
    if not (permissions.allowed(user, "indicators.view") or permissions.allowed(user, "indicators.report")):
        return None
    year = timezone.localdate().year
    values = list(
        Value.objects.visible_to(user)
        .filter(enterprise=enterprise, year__in=[year, year - 1], period_type="M")
        .select_related("indicator")
        .order_by("indicator__sort", "period")
    )
    if not values:
        return None
    by_indicator: dict[int, dict] = {}
    for v in values:
        row = by_indicator.setdefault(
            v.indicator_id, {"indicator": v.indicator, "months": {}, "latest": None}
        )
        if v.year == year:
            row["months"][int(v.period[4:6])] = v
            row["latest"] = v
    rows = []
    months = sorted({m for r in by_indicator.values() for m in r["months"]})
    for r in by_indicator.values():
        latest = r["latest"]
        if latest is None:
            continue
        growth = None
        if latest.last_year_cumulative and r["indicator"].aggregation == "sum":
            growth = rate(latest.cumulative - latest.last_year_cumulative, abs(latest.last_year_cumulative))
        rows.append(
            {
                "indicator": r["indicator"],
                "latest": latest,
                "growth": growth,
                "cells": [r["months"].get(m) for m in months],
            }
        )
    if not rows:
        return None
    return {
        "template": "indicators/sections/enterprise_indicators.html",
        "rows": rows,
        "months": months,
        "year": year,
    }

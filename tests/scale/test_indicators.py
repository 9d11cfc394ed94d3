"""The generator's `indicators` part at a tiny county: every enterprise's ten indicators for each
month of the scale's years, cumulative = previous + month, last year's pair beside each value,
this year's returns of the 规上 enterprises, official rates, targets whose months add up."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db.models import Count, F, Sum

from zhuqi.enterprises.models import Enterprise
from zhuqi.indicators.models import DataSet, Report, Target, Value
from zhuqi.scale.generate import SCALES, generate
from zhuqi.scale.indicators import CODES, DEPARTMENT_CODES, OFFICIAL

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


def test_tiny_indicator_values():
    result = generate("tiny", seed=4, today=TODAY, verbosity=0)
    assert "indicators" not in result.skipped
    years = SCALES["tiny"].indicator_years
    months = 12 * (years - 1) + 10  # this year to October (the last month ended)
    n_ent = Enterprise.objects.count()
    n_above = Enterprise.objects.filter(above_scale=True).count()
    ent_values = Value.objects.filter(enterprise__isnull=False)
    assert ent_values.count() == expected_values(n_ent, n_above, years)
    # 规下 enterprises: what the departments send, this year and last
    small = ent_values.filter(enterprise__above_scale=False)
    assert set(small.values_list("indicator__code", flat=True).distinct()) == set(DEPARTMENT_CODES)
    assert min(small.values_list("year", flat=True)) == TODAY.year - 1
    assert set(ent_values.values_list("source", flat=True).distinct()) == {"generated"}
    assert not ent_values.exclude(region_path__startswith=Enterprise.objects.first().region_path[:9]).exists()
    series = defaultdict(dict)
    for ent, ind, period, cum, value, ly_cum, ly_value in ent_values.filter(
        indicator__code__in=["gross_output", "profit", "industrial_investment"]
    ).values_list(
        "enterprise", "indicator", "period", "cumulative", "value", "last_year_cumulative", "last_year_value"
    ):
        series[(ent, ind)][period] = (cum, value, ly_cum, ly_value)
    for s in series.values():
        for period, (cum, value, ly_cum, ly_value) in s.items():
            if period.endswith("01"):
                assert cum == value
            else:
                assert cum == s[str(int(period) - 1)][0] + value
            last = s.get(str(int(period) - 100))
            assert (ly_cum, ly_value) == ((last[0], last[1]) if last else (None, None))
    employees = ent_values.filter(indicator__code="employees")
    assert not employees.exclude(cumulative=F("value")).exists()
    # magnitudes: 万元, skewed by enterprise size
    out = ent_values.filter(indicator__code="gross_output", period="202610").aggregate(s=Sum("cumulative"))
    assert out["s"] > 10_000
    # official rates per county and month, the county's form and this year's returns of 规上 enterprises
    county_rates = Value.objects.filter(enterprise__isnull=True, indicator__code__in=OFFICIAL)
    assert county_rates.count() == len(OFFICIAL) * months
    ds = DataSet.objects.get()
    assert ds.items.count() == 7 and ds.period_type == "M"
    above = Enterprise.objects.filter(above_scale=True).count()
    per_period = dict(Report.objects.filter(dataset=ds).values_list("period").annotate(n=Count("pk")))
    assert per_period["202609"] == above and 0 < per_period["202610"] <= above
    assert "202511" not in per_period
    for target in Target.objects.all():
        assert sum(p.amount for p in target.parts.all()) == target.amount
        assert target.parts.count() == 12
    assert Target.objects.filter(indicator__code="gross_output", year=2026).exists()


def expected_values(n_ent: int, n_above: int, years: int) -> int:
    months = 12 * (years - 1) + 10  # this year to October (the last month ended)
    return n_above * len(CODES) * months + (n_ent - n_above) * len(DEPARTMENT_CODES) * (12 + 10)


def test_only_indicators_later(db):
    generate("tiny", only=["core", "enterprises"], verbosity=0, today=TODAY)
    assert not Value.objects.exists()
    generate("tiny", only=["indicators"], verbosity=0, today=TODAY)
    n_above = Enterprise.objects.filter(above_scale=True).count()
    assert Value.objects.filter(enterprise__isnull=False).count() == expected_values(
        Enterprise.objects.count(), n_above, SCALES["tiny"].indicator_years
    )


def test_indicator_benchmarks_run_and_agree():
    from bench import bench_indicators, benchmarks

    generate("tiny", seed=5, today=TODAY, verbosity=0)
    users = benchmarks.generated_users()
    out = bench_indicators.bench_indicators(users, repeat=2, rows=1500)
    names = [m.name for m in out]
    # county and province rollups, the dispatch page four ways for each (by region from the
    # rollups and, stale, from the values; by department; by leader) and the rollup job's
    # rebuild, a return (first and corrected; tiny may lack the first), the whole department
    # import, the bulk write twice
    assert len(out) in (16, 17), names
    assert sum("经济指标调度页" in n for n in names) == 8
    assert sum("指标汇总重建" in n for n in names) == 2
    imported = next(m for m in out if m.name.startswith("导入部门指标表"))
    assert imported.rows and imported.ratio
    assert all(m.median > 0 for m in out)
    assert out[-1].rows == 1500 and out[-1].ratio

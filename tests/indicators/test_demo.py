"""The indicators demo: 固镇's 规上 monthly form with about 300 reporters, returns for 2025 and 2026
to October with a few late, inconsistent and missing ones, official rates, 2026 targets whose
parts add up; cumulative and period numbers and last year's pair follow record_values' rules."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from tests.demo_loading import demo_loaded
from zhuqi.assistance import demo as assistance_demo
from zhuqi.enterprises.models import Enterprise
from zhuqi.enterprises.services import check_credit_code
from zhuqi.indicators import demo as indicators_demo
from zhuqi.indicators.models import Approval, DataSet, Report, Target, TargetPart, Value
from zhuqi.indicators.services import expected_enterprises

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, assistance_demo.load, indicators_demo.load) as context:
        yield context


def test_reporters_and_credit_codes(demo):
    ds = DataSet.objects.get(code=indicators_demo.DATASET_CODE)
    assert ds.merge_jan_feb and ds.items.count() == 7
    expected = expected_enterprises(ds, 2026)
    assert 290 <= expected.count() <= 320
    assert expected.filter(key_designations__isnull=False).distinct().count() >= 45
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        assert check_credit_code(code) == code
    assert Enterprise.objects.filter(above_scale=True, above_scale_since=2026).count() >= 30


def test_every_expected_enterprise_reported_september_but_the_missing(demo):
    ds = DataSet.objects.get(code=indicators_demo.DATASET_CODE)
    expected = set(expected_enterprises(ds, 2026).values_list("pk", flat=True))
    for period, gap in (("202609", 4), ("202610", 9), ("202608", 0)):
        reported = set(Report.objects.filter(dataset=ds, period=period).values_list("enterprise", flat=True))
        assert reported <= expected
        assert len(expected - reported) == gap, period
    assert not Report.objects.filter(dataset=ds, period="202601").exists()  # 1—2月 merged
    assert not Report.objects.filter(dataset=ds, period="202611").exists()
    late = Report.objects.filter(dataset=ds, late=True)
    assert 0.02 < late.count() / Report.objects.filter(dataset=ds).count() < 0.15
    for r in late[:50]:
        assert r.submitted_at.date() > r.due_on
    for r in Report.objects.filter(dataset=ds, late=False)[:50]:
        assert r.submitted_at.date() <= r.due_on
    # every return holds the form's 7 indicators, linked to it
    per = Value.objects.filter(report__dataset=ds).values("report").annotate(n=Count("pk"))
    assert {row["n"] for row in per} == {7}
    assert Value.objects.filter(enterprise__isnull=False, report__isnull=True).count() == 0


def test_cumulative_is_previous_plus_month(demo):
    rows = defaultdict(dict)
    for ent, ind, period, cum, value, flags in Value.objects.filter(
        enterprise__isnull=False, indicator__code__in=["gross_output", "tax", "profit"]
    ).values_list("enterprise", "indicator", "period", "cumulative", "value", "flags"):
        rows[(ent, ind)][period] = (cum, value, flags)
    inconsistent = 0
    for series in rows.values():
        for period, (cum, value, flags) in series.items():
            if period.endswith("02"):  # 1—2月: the period is the cumulative
                assert value == cum
                continue
            prev = series.get(f"{int(period) - 1}")
            if prev is None:
                continue
            if "inconsistent" in flags:
                inconsistent += 1
                assert cum != prev[0] + value
            else:
                assert cum == prev[0] + value, period
    assert inconsistent == 6


def test_last_year_pair_and_swing_explanations(demo):
    values = Value.objects.filter(year=2026, enterprise__isnull=False, indicator__code="revenue")
    with_ly = values.filter(last_year_cumulative__isnull=False)
    assert with_ly.count() > 0.8 * values.count()
    some = with_ly.first()
    ly = Value.objects.get(
        indicator=some.indicator, enterprise=some.enterprise, period=f"2025{some.period[4:]}"
    )
    assert (some.last_year_cumulative, some.last_year_value) == (ly.cumulative, ly.value)
    # new 2026 entrants have no 同期 (they leave the same-panel comparison)
    assert values.filter(enterprise__above_scale_since=2026, last_year_cumulative__isnull=False).count() == 0
    for v in Value.objects.filter(flags__contains="swing")[:200]:
        assert v.explanation
    # magnitudes: the county's 1—10月 gross output in the tens of billions of yuan (万元)
    total = Value.objects.filter(indicator__code="gross_output", period="202610").aggregate(
        s=Sum("cumulative")
    )
    assert Decimal(1_000_000) < total["s"] < Decimal(20_000_000)


def test_official_rates_and_targets(demo):
    county = demo["regions"]["340323"]
    rates = Value.objects.filter(region=county, enterprise__isnull=True, indicator__code="value_added_growth")
    assert rates.count() == 11 + 9 and {v.source for v in rates} == {"official"}
    assert rates.get(period="202610").cumulative == Decimal("14.3")
    growth = Target.objects.get(indicator__code="value_added_growth", region=county, year=2026)
    assert growth.growth == 15 and growth.amount is None
    assert Target.objects.get(indicator__code="new_above_scale", region=county).amount == 47
    inv = Target.objects.get(indicator__code="industrial_investment", region=county, year=2026)
    assert inv.growth == 10 and inv.decomposed_to == "X"
    for target in Target.objects.filter(amount__isnull=False):
        # set through the 目标管理 service: the finest parts, and the months and quarters they make
        by_type = defaultdict(list)
        for p in target.parts.all():
            by_type[p.period_type].append(p.amount)
        finest = by_type[target.decomposed_to]
        assert len(finest) == (36 if target.decomposed_to == "X" else 12)
        for parts in by_type.values():
            assert sum(parts) == target.amount, target
        assert set(by_type) == ({"X", "M", "Q"} if target.decomposed_to == "X" else {"M", "Q"})
    # the towns' targets add up to the county's
    for code in ("gross_output", "industrial_investment"):
        towns = Target.objects.filter(indicator__code=code, year=2026, region__parent=county)
        assert towns.count() >= 5
        assert (
            towns.aggregate(s=Sum("amount"))["s"]
            == Target.objects.get(indicator__code=code, year=2026, region=county).amount
        )
    # each month's 旬 add up to a seasonal month: December above February
    parts = {p.period: p.amount for p in TargetPart.objects.filter(target=inv)}
    assert parts["202612X1"] + parts["202612X2"] + parts["202612X3"] > 0
    assert Approval.objects.filter(region=county, period="202608").exists()
    assert not Approval.objects.filter(region=county, period="202609").exists()

"""The shared progress definitions (src/zhuqi/docs/progress.md): its three hand-checked
examples, and the SQL light agreeing with the Python light at the rounding boundary."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

from zhuqi.core import progress
from zhuqi.core.units import rate


def _row(actual, plan, months):
    completion = rate(actual, plan)
    elapsed = progress.elapsed_pct(months)
    lead = progress.lead(completion, elapsed)
    return completion, elapsed, lead, progress.light(lead)


def test_a_month():
    assert _row(537_600, 1_200_000, 5) == (D("44.8"), D("41.7"), D("3.1"), "green")


def test_a_xun():
    assert _row(1_100, 1_500, Fraction(31, 3)) == (D("73.3"), D("86.1"), D("-12.8"), "yellow")


def test_red_and_grey():
    assert _row(500, 1_000, 10) == (D("50.0"), D("83.3"), D("-33.3"), "red")
    assert progress.light(progress.lead(rate(5, 0), D("50"))) == "grey"


def test_thresholds_are_one_setting(settings):
    settings.ZHUQI_LIGHTS = (5, 20)
    assert progress.light(D("-5")) == "yellow" and progress.light(D("-20")) == "red"


def test_a_split_never_makes_a_part_negative():
    """indicators-figures.md §3: 20 人 over 36 旬 in whole persons. Each part rounded on its own
    (0.56 → 1) and the remainder on the last would give 35 × 1 and −15; rounded cumulatively the
    parts are 1, 0, 1, 0 … adding up to 20, none negative. A split whose remainder is not
    negative is the documented one: 1,000 over 12 months to one decimal ends on 83.7."""
    parts = progress.split(D(20), [D(1)] * 36, 0)
    assert sum(parts) == 20 and min(parts) == 0 and max(parts) == 1
    assert [int(p) for p in parts[:10]] == [1, 0, 1, 0, 1, 0, 1, 0, 1, 1]
    monthly = progress.split(D(1000), [D(1)] * 12, 1)
    assert monthly[:11] == [D("83.3")] * 11 and monthly[-1] == D("83.7")

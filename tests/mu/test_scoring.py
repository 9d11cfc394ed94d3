"""The scoring rules on small pools: class counts, ties, the missing-item and weight rules."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from zhuqi.mu import scoring
from zhuqi.mu.models import CountRounding

TAX = {"tax": D(100) * 10_000, "land_mu": D(10)}


def _settings(**kw):
    return scoring.Settings(items=[scoring.ItemSpec("tax_per_mu", D(100), "best")], **kw)


def test_class_counts_of_a_pool_of_39_and_of_4():
    s = _settings()
    assert scoring.class_cuts(39, s) == (8, 23, 37)  # 7.8, 23.4, 37.05 half up; D = 2
    assert scoring.class_cuts(4, s) == (1, 2, 4)  # 0.8, 2.4, 3.8: no D
    assert scoring.class_cuts(4, _settings(min_d=1)) == (1, 2, 3)
    assert scoring.class_cuts(39, _settings(count_rounding=CountRounding.FLOOR)) == (7, 23, 37)
    assert scoring.class_cuts(39, _settings(count_rounding=CountRounding.CEIL)) == (8, 24, 38)
    assert scoring.class_cuts(1, s) == (1, 1, 1)


def test_weights_must_sum_to_100():
    s = scoring.Settings(items=[scoring.ItemSpec("tax_per_mu", D(90), "best")])
    with pytest.raises(scoring.ScoringError, match="合计为 90"):
        scoring.score_pool(s, [scoring.Entry(1, "a", TAX)])


def test_an_item_no_one_has_stops_the_computation():
    s = scoring.Settings(
        items=[scoring.ItemSpec("tax_per_mu", D(50), "best"), scoring.ItemSpec("rnd_ratio", D(50), "best")]
    )
    with pytest.raises(scoring.ScoringError, match="没有一家企业"):
        scoring.score_pool(s, [scoring.Entry(1, "a", TAX)])


def test_missing_item_as_zero_when_the_scheme_says_so():
    s = scoring.Settings(
        items=[scoring.ItemSpec("tax_per_mu", D(50), "best"), scoring.ItemSpec("rnd_ratio", D(50), "best")],
        missing_rule="zero",
    )
    with_rnd = {**TAX, "rnd": D(1), "revenue": D(100)}
    out = {
        r.entry.name: r
        for r in scoring.score_pool(s, [scoring.Entry(1, "a", TAX), scoring.Entry(2, "b", with_rnd)])
    }
    assert out["a"].items[1].missing and out["a"].items[1].points == 0


def test_lower_is_better_min_max():
    spec = scoring.ItemSpec("tax_per_mu", D(100), "min_max", lower_is_better=True)
    out = scoring.score_item(spec, {1: D(2), 2: D(4), 3: D(3)})
    assert [out[k].points for k in (1, 2, 3)] == [D("100.00"), D("20.00"), D("60.00")]

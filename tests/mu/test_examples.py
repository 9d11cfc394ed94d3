"""The hand-worked examples of src/zhuqi/docs/mu-evaluation.md, reproduced exactly: the shipped
schemes (as the data migration loads them) scored by `scoring.score_pool`, and then again end to
end by `services.compute` from imported facts, ranked and classed in SQL."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.enterprises.helpers import make_enterprise
from tests.mu import examples as ex
from zhuqi.mu import scoring, services
from zhuqi.mu.models import Result, Scheme

pytestmark = pytest.mark.django_db

# name: (item points in scheme order, base, bonus, total, rank, percentile, class by rank, class)
HUANGYAN_ABOVE = {
    "甲": (
        ["37.35", "22.03", "22.27", "12.17", "11.03", "9.93"],
        "114.78",
        "0",
        "114.78",
        2,
        "50.00",
        "B",
        "B",
    ),
    "乙": (
        ["45.00", "29.38", "14.85", "9.80", "11.03", "5.52"],
        "115.58",
        "0",
        "115.58",
        1,
        "25.00",
        "A",
        "A",
    ),
    "丙": (["6.23", "7.34", "7.42", "5.07", "6.89", "3.31"], "36.26", "0", "36.26", 4, "100.00", "C", "C"),
    "丁": (
        ["29.88", "17.63", "22.27", "12.17", "11.03", "8.28"],
        "101.26",
        "0",
        "101.26",
        3,
        "75.00",
        "C",
        "C",
    ),
}
HUANGYAN_BELOW = {
    "戊": (["25.88", "63.78"], "89.66", "0", "89.66", 2, "66.67", "B", "B"),
    "己": (["12.94", "31.89"], "44.83", "0", "44.83", 3, "100.00", "C", "C"),
    "庚": (["71.88", "70.86"], "142.74", "0", "142.74", 1, "33.33", "A", "A"),
}
ANHUI_ABOVE = {
    "子": (["32.38", "15.79", "10.00", "6.00", "7.33", "6.21"], "77.71", "0", "77.71", 2, "50.00", "B", "B"),
    "丑": (["8.00", "4.00", "2.00", "2.50", "2.00", "2.63"], "21.13", "3", "24.13", 4, "100.00", "C", "C"),
    "寅": (
        ["40.00", "20.00", "10.00", "10.00", "10.00", "10.00"],
        "100.00",
        "0",
        "100.00",
        1,
        "25.00",
        "A",
        "C",
    ),
    "卯": (["9.52", "5.26", "3.60", "2.00", "2.00", "2.00"], "24.38", "0", "24.38", 3, "75.00", "C", "C"),
}
CASES = [
    ("huangyan-2022-above", ex.HUANGYAN_ABOVE, {}, HUANGYAN_ABOVE),
    ("huangyan-2022-below", ex.HUANGYAN_BELOW, {}, HUANGYAN_BELOW),
    ("anhui-minmax-above", ex.ANHUI_ABOVE, ex.ANHUI_ADJUSTMENTS, ANHUI_ABOVE),
]


def _check(scored, expected):
    assert {s.entry.name for s in scored} == set(expected)
    for s in scored:
        points, base, bonus, total, *_rank = expected[s.entry.name]
        assert [i.points for i in s.items] == [D(p) for p in points], s.entry.name
        assert (s.base, s.bonus, s.total) == (D(base), D(bonus), D(total)), s.entry.name


@pytest.mark.parametrize(("code", "data", "adjustments", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_shipped_schemes_reproduce_the_documented_examples(code, data, adjustments, expected):
    scheme = Scheme.objects.get(code=code, region__isnull=True)
    entries = [
        scoring.Entry(i, name, facts, adjustments.get(name, []))
        for i, (name, facts) in enumerate(data.items())
        if services._in_pool(scheme, _Ent(scheme), facts)
    ]
    _check(scoring.score_pool(services.settings_of(scheme), entries), expected)


@pytest.mark.parametrize(("code", "data", "adjustments", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_examples_end_to_end_ranked_in_sql(world, code, data, adjustments, expected):
    """From imported facts through `services.compute`: the totals, and the ranks, percentiles
    and classes the SQL ranking gives, as the document's tables say."""
    scheme = Scheme.objects.get(code=code, region__isnull=True)
    ents = {
        name: make_enterprise(f"{name}公司", world.grid, above_scale=scheme.pool == "above") for name in data
    }
    services.import_facts(
        [{"enterprise": ents[n], "year": 2025, "facts": f} for n, f in data.items()], actor=world.alice
    )
    for name, adjs in adjustments.items():
        for kind, points, reason in adjs:
            services.add_adjustment(
                ents[name], year=2025, kind=kind, points=points, reason=reason, actor=world.alice
            )
    run = services.compute(scheme, 2025, actor=world.alice)
    got = {
        r.enterprise.name[0]: (str(r.total), r.rank, r.percentile, r.rank_class, r.klass)
        for r in Result.objects.filter(run=run).select_related("enterprise")
    }
    assert got == {
        name: (total, rank, D(pct), rank_class, klass)
        for name, (_p, _b, _bonus, total, rank, pct, rank_class, klass) in expected.items()
    }


class _Ent:
    """Stands for an enterprise of the scheme's pool (规上 for a 规上 scheme)."""

    def __init__(self, scheme):
        self.above_scale = scheme.pool == "above"


def test_documented_intermediates():
    """A few intermediates the document spells out: the cap, the missing item, min-max bounds."""
    scheme = Scheme.objects.get(code="huangyan-2022-above")
    entries = [scoring.Entry(i, n, f) for i, (n, f) in enumerate(ex.HUANGYAN_ABOVE.items())]
    by_name = {s.entry.name: s for s in scoring.score_pool(services.settings_of(scheme), entries)}
    tax = by_name["乙"].items[0]
    assert (tax.value, tax.ratio, tax.points, tax.capped) == (D("60.0000"), D("2.4899"), D("45.00"), True)
    emission = by_name["乙"].items[3]
    assert emission.missing and emission.points == D("9.80")  # (12.17 + 5.07 + 12.17) ÷ 3
    anhui = Scheme.objects.get(code="anhui-minmax-above")
    entries = [scoring.Entry(i, n, f) for i, (n, f) in enumerate(ex.ANHUI_ABOVE.items())]
    zi = next(s for s in scoring.score_pool(services.settings_of(anhui), entries) if s.entry.name == "子")
    assert (zi.items[0].benchmark_low, zi.items[0].benchmark, zi.items[0].ratio) == (D(4), D(25), D("0.7619"))

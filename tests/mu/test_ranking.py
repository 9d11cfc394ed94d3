"""The ranking in SQL (`ranking.rank_run`): ties on total broken by 亩均税收 then credit code,
percentiles half up in integer arithmetic, class counts, vetoes and protections."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.enterprises.helpers import make_enterprise
from zhuqi.enterprises.models import Enterprise
from zhuqi.mu import ranking, scoring
from zhuqi.mu.models import Result, Run, Scheme, Veto

pytestmark = pytest.mark.django_db


def _run(world):
    scheme = Scheme.objects.get(code="huangyan-2022-above")
    return Run.objects.create(scheme=scheme, region=world.county, year=2025, created_by=world.alice)


def _settings(**kw):
    return scoring.Settings(items=[], **kw)


def test_equal_totals_are_ordered_by_tax_per_mu_then_credit_code(world):
    run = _run(world)
    rows = [
        ("a", "91000000000000000B", D(80), D(5)),
        ("b", "91000000000000000C", D(80), D(15)),
        ("c", "91000000000000000A", D(80), D(5)),
        ("d", "91000000000000000D", D(90), None),
    ]
    for name, code, total, tax in rows:
        e = Enterprise.objects.create(name=name, credit_code=code, region=world.grid)
        Result.objects.create(run=run, enterprise=e, total=total, tax_per_mu=tax, klass="")
    ranking.rank_run(run.pk, 4, _settings())
    got = [(r.enterprise.name, r.rank, r.percentile, r.klass) for r in run.results.order_by("rank")]
    assert got == [
        ("d", 1, D("25.00"), "A"),
        ("b", 2, D("50.00"), "B"),
        ("c", 3, D("75.00"), "C"),  # equal total and tax: the lower credit code first
        ("a", 4, D("100.00"), "C"),
    ]


def test_percentile_is_rounded_half_up_and_classes_follow_the_counts(world):
    """n = 32: rank 1 is 3.125 % → 3.13 (half up), rank 3 is 9.375 → 9.38; A 6.4 → 6, B 19.2 →
    19, C 30.4 → 30, D 2."""
    run = _run(world)
    for i in range(32):
        e = make_enterprise(f"e{i:02d}", world.grid)
        Result.objects.create(run=run, enterprise=e, total=D(100 - i), tax_per_mu=D(1), klass="")
    ranking.rank_run(run.pk, 32, _settings())
    by_rank = {r.rank: r for r in run.results.all()}
    assert (by_rank[1].percentile, by_rank[3].percentile, by_rank[32].percentile) == (
        D("3.13"),
        D("9.38"),
        D("100.00"),
    )
    counts = {k: sum(1 for r in by_rank.values() if r.klass == k) for k in "ABCD"}
    assert counts == {"A": 6, "B": 13, "C": 11, "D": 2}


def test_veto_and_protection_change_the_class_not_the_rank(world):
    run = _run(world)
    specs = [(D(100), Veto.NOT_AB, False), (D(90), Veto.LOWEST, True), (D(80), "", False), (D(10), "", True)]
    for i, (total, veto, protected) in enumerate(specs):
        e = make_enterprise(f"e{i}", world.grid)
        Result.objects.create(run=run, enterprise=e, total=total, veto=veto, protected=protected, klass="")
    ranking.rank_run(run.pk, 4, _settings(min_d=1))
    got = [(r.rank, r.rank_class, r.klass) for r in run.results.order_by("rank")]
    # a veto to the lowest class wins over a protection; a protected D becomes C
    assert got == [(1, "A", "C"), (2, "B", "D"), (3, "C", "C"), (4, "D", "C")]

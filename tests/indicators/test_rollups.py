"""Indicator rollups (indicators-figures.md §Rollups): the dispatch view's region figures read
from the rollups give exactly the numbers the values give; a value written after the last
refresh is in the figure at once (the pair reads its values until the next refresh); archived
enterprises stay out; a moved region carries its rows and makes its pairs stale (its ancestors'
subtree rows); viewers who do not see a whole subtree never read rollups; the subtree rows of
§Rollups' worked example; random data over five levels, both ways."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.management import call_command

from tests.enterprises.helpers import make_enterprise
from tests.indicators.helpers import val
from zhuqi.core import services as core_services
from zhuqi.core.models import Region
from zhuqi.indicators import figures, rollups, services
from zhuqi.indicators.figures import Entity
from zhuqi.indicators.models import Aggregation, Rollup, RollupStale
from zhuqi.indicators.periods import Period
from zhuqi.indicators.services import Entry

pytestmark = pytest.mark.django_db
P = Period.parse
FIELDS = ("actual", "reporters", "last_year", "panel_now", "panel_last", "panel_size")


def numbers(user, example, entities):
    inds = [example.output, example.tax, example.employees]
    figs = figures.compute(user, inds, P("202610"), entities, with_targets=False)
    return {(k, f): getattr(fig, f) for k, fig in figs.items() for f in FIELDS}


@pytest.fixture
def reads(monkeypatch):
    """Which way each figure was read: True from rollups, False from the values."""
    seen: list[bool] = []
    real = figures._rollup_sums

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        seen.append(out is not None)
        return out

    monkeypatch.setattr(figures, "_rollup_sums", spy)
    return seen


def subdivisions(w):
    return [Entity.of(region=r) for r in (w.county, w.other_county)]


def test_rollups_give_the_numbers_the_values_give(example, reads):
    w = example.world
    example.employees.aggregation = Aggregation.AVERAGE  # a county may define one averaged
    example.employees.save()
    val(example.employees, "202610", 120, 100, ent=example.ent)
    val(example.employees, "202610", 45, ent=example.ent2)
    asks = [
        (w.admin, subdivisions(w)),
        (w.admin, [Entity.of(region=w.province)]),
        (w.alice, [Entity.of(region=r) for r in (w.town, w.park)]),
        (w.alice, [Entity.of(region=w.county)]),
        # one entity under another: the values count a row once, in the first; read from them
        (w.alice, [Entity.of(region=r) for r in (w.town, w.park, w.county)]),
    ]
    live = [numbers(user, example, entities) for user, entities in asks]
    assert reads == [False] * 5  # never refreshed: read from the values
    rollups.refresh(everything=True)
    assert [numbers(user, example, entities) for user, entities in asks] == live
    assert reads[5:] == [True, True, True, True, False]
    county = figures.figure(w.admin, example.output, P("202610"), Entity.of(region=w.county))
    assert (county.actual, county.panel_now, county.panel_last, county.last_year) == (
        D(900),
        D(800),
        D(760),
        D(960),
    )
    people = figures.figure(w.admin, example.employees, P("202610"), Entity.of(region=w.county))
    assert people.actual == D("82.5")  # (120 + 45) ÷ 2: an average, not a sum


def test_a_value_written_after_the_refresh_counts_at_once(example, reads):
    w = example.world
    rollups.refresh(everything=True)
    services.record_values(
        [Entry(example.output, P("202610"), enterprise=example.small, cumulative=D(150), row="第1行")],
        actor=w.alice,
        source="behalf",
    )
    assert set(RollupStale.objects.values_list("indicator_id", "period")) == {
        (example.output.pk, "202610"),
        (example.output.pk, "202710"),  # next year's 上年同期 changed with it
    }
    f = figures.figure(w.admin, example.output, P("202610"), Entity.of(region=w.county))
    assert f.actual == D(950)  # 500 + 300 + 150: the small enterprise's 100 replaced
    assert reads[-1] is False
    call_command("indicator_rollups")  # what the sweep runs every minute
    assert not RollupStale.objects.exists()
    f = figures.figure(w.admin, example.output, P("202610"), Entity.of(region=w.county))
    assert f.actual == D(950) and reads[-1] is True


def test_an_archived_enterprise_is_left_out_of_rollup_figures(example, reads):
    w = example.world
    rollups.refresh(everything=True)
    from zhuqi.enterprises import services as ent_services

    ent_services.archive_enterprise(example.small, actor=w.admin, reason="重复登记")
    f = figures.figure(w.admin, example.output, P("202610"), Entity.of(region=w.county))
    assert reads[-1] is True
    assert (f.actual, f.reporters) == (D(800), 2)
    # a region whose only values are an archived enterprise's has no figure, as from the values
    lone = Region.objects.create(code="410223200", name="新庄镇", kind="town", parent=w.county)
    gone = make_enterprise("已归档企业", lone, above_scale=True)
    val(example.output, "202610", 70, ent=gone)
    rollups.mark_stale([(example.output.pk, "202610")])
    rollups.refresh()
    ent_services.archive_enterprise(gone, actor=w.admin, reason="重复登记")
    f = figures.figure(w.alice, example.output, P("202610"), Entity.of(region=lone))
    assert reads[-1] is True
    assert (f.actual, f.reporters) == (None, 0)


def test_a_moved_region_takes_its_rows_along(example, reads):
    w = example.world
    rollups.refresh(everything=True)
    core_services.save_region(
        actor=w.admin, code=w.town.code, name=w.town.name, kind="town", parent=w.other_county, region=w.town
    )
    # the old and new counties' subtree rows are out of date: the town's pairs are stale, and
    # the figures read the values until the refresh
    assert (example.output.pk, "202610") in set(RollupStale.objects.values_list("indicator_id", "period"))
    figs = figures.compute(w.admin, [example.output], P("202610"), subdivisions(w), with_targets=False)
    assert reads[-1] is False
    # the town's 城关小微企业 (100) now counts in 通许县
    assert figs[(("region", w.county.pk), example.output.pk)].actual == D(800)
    assert figs[(("region", w.other_county.pk), example.output.pk)].actual == D(1099)
    rollups.refresh()
    figs = figures.compute(w.admin, [example.output], P("202610"), subdivisions(w), with_targets=False)
    assert reads[-1] is True
    assert figs[(("region", w.county.pk), example.output.pk)].actual == D(800)
    assert figs[(("region", w.other_county.pk), example.output.pk)].actual == D(1099)
    assert Rollup.objects.filter(region_path__startswith=w.other_county.path, subtree=False).count() >= 2
    w.town.refresh_from_db()
    assert subtree_total(example.output, "202610", w.town.path) == D(100)  # its own row, moved


def test_who_does_not_see_a_whole_subtree_reads_the_values(example, reads):
    w = example.world
    rollups.refresh(everything=True)
    # 通许县's dispatch office asking about 尉氏县 sees none of it, rollups or not
    f = figures.figure(w.charlie, example.output, P("202610"), Entity.of(region=w.county))
    assert reads[-1] is False and f.actual is None
    f = figures.figure(w.commissioner, example.output, P("202610"), Entity.of(region=w.county))
    assert reads[-1] is False


def subtree_total(indicator, period, path):
    return Rollup.objects.get(indicator=indicator, period=period, region_path=path, subtree=True).total


def test_the_subtree_rows_of_the_worked_example(example, reads):
    """§Rollups' worked example: the leaf rows of 工业总产值 1—10月 2026, the subtree rows summed
    from them, and the province's figure for its two cities read from one row each."""
    w = example.world
    luoyang = Region.objects.create(code="4103", name="洛阳市", kind="city", parent=w.province)
    val(example.output, "202610", 250, ent=make_enterprise("洛阳轴承有限公司", luoyang, above_scale=True))
    rollups.refresh(everything=True)
    rows = Rollup.objects.filter(indicator=example.output, period="202610")
    assert dict(rows.filter(subtree=False).values_list("region_path", "total")) == {
        "41/4102/410223/410223P1/410223P1G1/": D(500),  # 恒顺
        "41/4102/410223/410223P1/410223P1G2/": D(300),  # 丰原
        "41/4102/410223/410223100/": D(100),  # 城关小微企业
        "41/4102/410222/410222G1/": D(999),  # 通许装备
        "41/4103/": D(250),  # 洛阳轴承
    }
    assert dict(rows.filter(subtree=True).values_list("region_path", "total")) == {
        "41/": D(2149),
        "41/4102/": D(1899),
        "41/4102/410223/": D(900),
        "41/4102/410223/410223P1/": D(800),
        "41/4102/410223/410223P1/410223P1G1/": D(500),
        "41/4102/410223/410223P1/410223P1G2/": D(300),
        "41/4102/410223/410223100/": D(100),
        "41/4102/410222/": D(999),
        "41/4102/410222/410222G1/": D(999),
        "41/4103/": D(250),
    }
    assert rows.get(region_path="41/4102/", subtree=True).rows == 4
    cities = [Entity.of(region=r) for r in (w.city, luoyang)]
    figs = figures.compute(w.admin, [example.output], P("202610"), cities, with_targets=False)
    assert reads[-1] is True
    assert [figs[(e.key, example.output.pk)].actual for e in cities] == [D(1899), D(250)]
    province = figures.figure(w.admin, example.output, P("202610"), Entity.of(region=w.province))
    assert province.actual == D(2149) and province.reporters == 5


def test_subtree_rows_give_the_values_numbers_over_random_data(example, reads, monkeypatch):
    """Random values over five levels, several viewers and sets of regions: the rollups' numbers
    equal the values' after a full build, with one pair stale, after archiving an enterprise and
    after a region moved (read from the values until the refresh, then from the rollups)."""
    import random

    from zhuqi.core.models import Role, User
    from zhuqi.enterprises import services as ent_services

    w = example.world
    rng = random.Random(18)
    luoyang = Region.objects.create(code="4103", name="洛阳市", kind="city", parent=w.province)
    yichuan = Region.objects.create(code="410329", name="伊川县", kind="county", parent=luoyang)
    yc_town = Region.objects.create(code="410329100", name="城关街道", kind="town", parent=yichuan)
    yc_grid = Region.objects.create(code="410329100G1", name="城关一网格", kind="grid", parent=yc_town)
    villages = [
        Region.objects.create(code=f"410223100G{k}", name=f"城关{k}网格", kind="grid", parent=w.town)
        for k in (1, 2)
    ]
    places = [w.city, w.county, w.town, w.park, w.grid, w.grid2, w.other_county, w.other_grid, luoyang]
    places += [yichuan, yc_town, yc_grid, *villages]
    ents = [make_enterprise(f"随机企业{k}", rng.choice(places), above_scale=True) for k in range(24)]
    example.employees.aggregation = Aggregation.AVERAGE
    example.employees.save()
    inds = [example.output, example.tax, example.employees]
    for ent in ents:
        for ind in inds:
            for code in ("202610", "202510"):
                if rng.random() < 0.8:
                    ly = rng.randint(1, 900) if rng.random() < 0.6 else None
                    val(ind, code, rng.randint(0, 1000), ly, ent=ent)
    city_leader = User.objects.create_user(
        username="city_leader", password="x", role=Role.LEADER, region=w.city
    )

    def figs(user, entities, indicators=inds):
        got = figures.compute(user, indicators, P("202610"), entities, with_targets=False)
        return {(k, f): getattr(fig, f) for k, fig in got.items() for f in FIELDS}

    def compare(indicators=inds):
        """Every ask both ways: equal numbers; which asks the rollups answered."""
        before = len(reads)
        for user, regions in asks():
            entities = [Entity.of(region=r) for r in regions]
            with monkeypatch.context() as m:  # in place of the `reads` spy: the values only
                m.setattr(figures, "_rollup_sums", lambda *a, **k: None)
                live = figs(user, entities, indicators)
            assert figs(user, entities, indicators) == live, (user, regions)
        return reads[before:]

    def asks():
        for r in Region.objects.all():
            r.refresh_from_db()
        regions = {r.pk: r for r in Region.objects.all()}

        def g(r):
            return regions[r.pk]

        return [
            (w.admin, [g(w.province)]),
            (w.admin, [g(w.city), g(luoyang)]),
            (w.admin, [g(w.county), g(w.other_county), g(yichuan)]),
            (w.admin, [g(w.town), g(w.park), g(yc_town)]),
            (w.admin, [g(w.grid), g(w.grid2), g(yc_grid), *map(g, villages)]),
            (city_leader, [g(w.county), g(w.other_county)]),
            (city_leader, [g(w.city)]),
            (w.alice, [g(w.town), g(w.park)]),
            (w.alice, [g(w.grid), g(w.grid2)]),
            (w.charlie, [g(w.other_grid)]),
            (w.commissioner, [g(w.park)]),  # sees assigned enterprises only: the values
        ]

    everyone = [True] * 10 + [False]
    assert compare() == [False] * 11  # never built
    rollups.refresh(everything=True)
    assert compare() == everyone
    # one pair stale: the asks over it read the values, the others still the rollups
    val(example.output, "202610", 77, ent=make_enterprise("新报企业", villages[0], above_scale=True))
    assert compare() == [False] * 11
    assert compare([example.tax, example.employees]) == everyone
    rollups.refresh()
    assert compare() == everyone
    # archived enterprises, subtracted from the subtree rows at every level
    for ent in ents[:3]:
        ent_services.archive_enterprise(ent, actor=w.admin, reason="重复登记")
    assert compare() == everyone
    # 城关镇 with its two grids moves to 伊川县 (another city): stale, then rebuilt
    core_services.save_region(
        actor=w.admin, code=w.town.code, name=w.town.name, kind="town", parent=yichuan, region=w.town
    )
    assert compare() == [False] * 11
    rollups.refresh()
    moved_away = everyone[:7] + [False] + everyone[8:]  # 城关镇 is no longer alice's to see whole
    assert compare() == moved_away
    assert not RollupStale.objects.exists()

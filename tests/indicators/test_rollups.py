"""Indicator rollups (indicators-figures.md §Rollups): the dispatch view's region figures read
from the rollups give exactly the numbers the values give; a value written after the last
refresh is in the figure at once (the pair reads its values until the next refresh); archived
enterprises stay out; a moved region carries its rows; viewers who do not see a whole subtree
never read rollups."""

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
        (w.alice, [Entity.of(region=r) for r in (w.town, w.park, w.county)]),
    ]
    live = [numbers(user, example, entities) for user, entities in asks]
    assert reads == [False] * 3  # never refreshed: read from the values
    rollups.refresh(everything=True)
    assert [numbers(user, example, entities) for user, entities in asks] == live
    assert reads[3:] == [True] * 3
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
    figs = figures.compute(w.admin, [example.output], P("202610"), subdivisions(w), with_targets=False)
    assert reads[-1] is True
    # the town's 城关小微企业 (100) now counts in 通许县
    assert figs[(("region", w.county.pk), example.output.pk)].actual == D(800)
    assert figs[(("region", w.other_county.pk), example.output.pk)].actual == D(1099)
    assert Rollup.objects.filter(region_path__startswith=w.other_county.path).count() >= 2


def test_who_does_not_see_a_whole_subtree_reads_the_values(example, reads):
    w = example.world
    rollups.refresh(everything=True)
    # 通许县's dispatch office asking about 尉氏县 sees none of it, rollups or not
    f = figures.figure(w.charlie, example.output, P("202610"), Entity.of(region=w.county))
    assert reads[-1] is False and f.actual is None
    f = figures.figure(w.commissioner, example.output, P("202610"), Entity.of(region=w.county))
    assert reads[-1] is False

"""诉求年度汇总 (cases/rollups.py, cases-figures.md §Rollup): the rollup and the cases give the same
办结率 / 今年受理 for every region and viewer; a status change marks its (year, path) stale and the
sweep makes it fresh again; a correction that moves a case marks both paths; a viewer who does
not see a whole subtree never reads it."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine

from zhuqi.cases import rollups, services
from zhuqi.cases.models import Case, CaseCount, CaseCountStale
from zhuqi.cases.sweep import sweep
from zhuqi.cockpit import figures as cockpit_figures
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = pytest.mark.django_db

STATUSES = ["submitted", "withdrawn", "merged", "refused", "accepted", "signed", "replied", "closed"]


def _from_rows(user, region, start):
    """The cockpit's 办结率 counted over the cases (the fallback), whatever the rollup holds."""
    from zhuqi.cases import figures as F

    t = F.totals(F.base(user, start).filter(region_path__startswith=region.path))
    return t["close_rate"]


def _random_cases(cw, world, seed: int) -> None:
    rng = random.Random(seed)
    ents = [cw.ent, cw.ent_b, cw.ent_other]
    for _i in range(14):
        ent = rng.choice(ents)
        status = rng.choice(STATUSES)
        actor = world.charlie if ent == cw.ent_other else None
        if ent == cw.ent_other and status not in {"submitted", "accepted"}:
            status = "submitted"  # the other county's office drives none of the world's steps
        if status in {"merged", "withdrawn"}:
            ent, actor = cw.ent, None  # the fixture's enterprise account merges and withdraws
        if actor is not None:
            cw.new(ent=ent, actor=actor)
            continue
        case = cw.to(status, ent=ent)
        if rng.random() < 0.3:  # a case of last year
            Case.objects.filter(pk=case.pk).update(
                submitted_at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=SHANGHAI)
            )
        elif rng.random() < 0.2:  # submitted in the first minutes of this year, Beijing time
            Case.objects.filter(pk=case.pk).update(
                submitted_at=dt.datetime(2026, 1, 1, 0, 5, tzinfo=SHANGHAI)
            )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_and_rows_give_the_same_figures(world, cw, seed):
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False):
        _random_cases(cw, world, seed)
        rollups.refresh(everything=True)
        start = dt.date(2026, 1, 1)
        checked = 0
        for user in (world.admin, world.leader, world.alice, world.supervisor):
            for region in (world.province, world.city, world.county, world.town, world.other_county):
                if not rollups.readable_by(user, region.path):
                    continue
                kept = rollups.totals(user, region.path, 2026)
                assert kept is not None, (user, region)
                rows = _from_rows(user, region, start)
                assert (kept["closed"], kept["accepted"]) == (rows["n"], rows["d"]), (user, region)
                assert cockpit_figures._close_rate(user, region, start) == rows
                checked += 1
        assert checked >= 8
        # the map's 办结率 by subdivision: from the rollup, then (a pair under the region marked)
        # from the cases — the same rates
        for region in (world.province, world.city, world.county):
            children = cockpit_figures.children_of(world.admin, region)
            kept = cockpit_figures.by_child(world.admin, region, children, "close_rate", dt.date(2026, 6, 1))
            rollups.mark_stale([(2026, region.path + "x/")])
            rows = cockpit_figures.by_child(world.admin, region, children, "close_rate", dt.date(2026, 6, 1))
            assert kept == rows, region
            assert region != world.county or any(v["value"] is not None for v in kept.values())
            CaseCountStale.objects.all().delete()
        # the totals over every year too
        kept = rollups.totals(world.admin, world.province.path, 2000)
        rows = _from_rows(world.admin, world.province, dt.date(2000, 1, 1))
        assert (kept["closed"], kept["accepted"]) == (rows["n"], rows["d"])
        assert kept["received"] == Case.objects.count()


def test_a_status_change_marks_stale_and_the_sweep_makes_fresh(world, cw):
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False):
        case = cw.to("replied")
        other = cw.new(ent=cw.ent_other, actor=world.charlie)
        sweep()  # no full build yet: the sweep builds everything
        assert rollups.fresh(world.province.path, 2026)
        assert rollups.totals(world.admin, world.province.path, 2026)["accepted"] == 1
        services.follow_up_case(case, actor=world.alice, result="satisfied")
        case = services.close_case(Case.objects.get(pk=case.pk), actor=world.alice)
        # stale under the case's own path, up to the province; not the other county's
        assert list(CaseCountStale.objects.values_list("year", "region_path")) == [(2026, case.region_path)]
        assert not rollups.fresh(world.county.path, 2026)
        assert not rollups.fresh(world.province.path, 2026)
        assert rollups.fresh(world.other_county.path, 2026)
        assert rollups.fresh(world.county.path, 2027)  # a later year is not touched
        assert rollups.totals(world.admin, world.province.path, 2026) is None  # the cockpit counts rows
        assert cockpit_figures._close_rate(world.admin, world.province, dt.date(2026, 1, 1))["n"] == 1
        sweep()
        assert rollups.fresh(world.province.path, 2026)
        kept = rollups.totals(world.admin, world.province.path, 2026)
        assert (kept["closed"], kept["accepted"]) == (1, 1)
        assert rollups.totals(world.charlie, world.other_county.path, 2026)["received"] == 1
        # a deleted case marks its pair too
        other.delete()
        assert not rollups.fresh(world.other_county.path, 2026)
        rollups.refresh()
        assert rollups.totals(world.admin, world.other_county.path, 2026)["received"] == 0


def test_a_correction_that_moves_a_case_marks_both_paths(world, cw):
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False):
        case = cw.to("accepted")
        rollups.refresh(everything=True)
        old_path = case.region_path
        services.correct_case(case, actor=world.alice, reason="登记时选错企业", enterprise=cw.ent_b)
        marked = set(CaseCountStale.objects.values_list("region_path", flat=True))
        assert marked == {old_path, world.town.path}
        rollups.refresh()
        assert dict(CaseCount.objects.filter(accepted__gt=0).values_list("region_path", "accepted")) == {
            world.town.path: 1
        }


def test_only_a_viewer_who_sees_the_whole_subtree_reads_the_rollup(world, cw):
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False):
        cw.to("accepted")
        rollups.refresh(everything=True)
        assert rollups.totals(world.leader, world.county.path, 2026) is not None
        assert rollups.totals(world.leader, world.city.path, 2026) is None  # above the leader's county
        assert rollups.totals(world.bob, world.county.path, 2026) is None  # a department's handler
        assert rollups.totals(world.charlie, world.county.path, 2026) is None  # another county's office


def test_the_hand_checked_example(world, cw):
    """cases-figures.md §Rollup: 50.0 % from both; closing the open case: 100.0 % from the cases
    while stale, then from the rollup; the other county reads the rollup throughout."""
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False):
        cw.to("closed", ent=cw.ent_b)  # 城关镇
        open_case = cw.to("replied")  # the grid of 城关镇
        cw.to("withdrawn")
        cw.new(ent=cw.ent_other, actor=world.charlie)
        rollups.refresh(everything=True)
        rows = dict(
            ((p, (r, a, c)) for p, r, a, c in CaseCount.objects.values_list("region_path", *rollups.FIELDS))
        )
        assert rows[world.town.path] == (1, 1, 1) and rows[world.grid.path] == (2, 1, 0)
        start = dt.date(2026, 1, 1)
        assert rollups.totals(world.leader, world.county.path, 2026) == {
            "received": 3,
            "accepted": 2,
            "closed": 1,
        }
        assert cockpit_figures._close_rate(world.leader, world.county, start) == {
            "n": 1,
            "d": 2,
            "rate": _from_rows(world.leader, world.county, start)["rate"],
        }
        assert str(cockpit_figures._close_rate(world.leader, world.county, start)["rate"]) == "50.0"
        services.follow_up_case(open_case, actor=world.alice, result="satisfied")
        services.close_case(Case.objects.get(pk=open_case.pk), actor=world.alice)
        assert rollups.totals(world.leader, world.county.path, 2026) is None
        assert rollups.totals(world.charlie, world.other_county.path, 2026) is not None
        assert str(cockpit_figures._close_rate(world.leader, world.county, start)["rate"]) == "100.0"
        rollups.refresh()
        assert rollups.totals(world.leader, world.county.path, 2026) == {
            "received": 3,
            "accepted": 2,
            "closed": 2,
        }
        assert str(cockpit_figures._close_rate(world.leader, world.county, start)["rate"]) == "100.0"

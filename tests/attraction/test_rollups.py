"""招商年度汇总 (attraction/rollups.py, attraction-figures.md §Rollup): the rollup and the rows give
the cockpit the same 今年登记线索 / 已签约 / 已转为重点项目 / 省外到位资金 for every region and
viewer; a stage change, a fund month, a correction and a deletion mark their pairs stale and the
sweep makes them fresh again; a viewer who does not see a whole subtree never reads it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
import time_machine

from tests.attraction.conftest import make_lead, stage
from tests.projects.conftest import make_project
from zhuqi.attraction import figures, rollups, services
from zhuqi.attraction.models import (
    FundMonth,
    FundSource,
    Lead,
    LeadCount,
    LeadCountBuild,
    LeadCountStale,
    LedgerClose,
    StageChange,
)
from zhuqi.attraction.tasks import sweep
from zhuqi.core.units import WAN
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI)
PATHS = [
    [],
    ["negotiating"],
    ["negotiating", "prereview", "signed"],
    ["contact", "shelved"],
    ["negotiating", "prereview", "signed", "registered"],
    ["negotiating", "prereview", "signed", "lost"],
]


def _rows(user, region):
    """The figures counted over the rows (the fallback), whatever the rollup holds."""
    LeadCountBuild.objects.all().delete()
    try:
        return figures.region_figures(user, region, dt.date(2026, 1, 1), TODAY)
    finally:
        LeadCountBuild.objects.create()


def _random_data(world, seed: int, *, future: bool) -> list[Lead]:
    rng = random.Random(seed)
    sources = [FundSource.OUT_OF_PROVINCE, FundSource.IN_PROVINCE, FundSource.LOAN]
    leads = []
    for i in range(16):
        region = rng.choice([world.park, world.town, world.county, world.other_county])
        day = rng.choice([dt.date(2025, 11, 3), dt.date(2026, 1, 1), dt.date(2026, 3, 9), TODAY])
        if future and i == 0:
            day = dt.date(2026, 8, 1)  # registered after the day read
        lead = make_lead(
            world,
            actor=world.admin,
            investor=f"投资方{seed}-{i}有限公司",
            title=f"项目{i}",
            region=region,
            registered_on=day,
            amount_wan=str(rng.choice([5000, 10000, 60000])),
        )
        path = rng.choice(PATHS)
        for code in path:
            StageChange.objects.create(
                lead=lead, from_stage=lead.stage, to_stage=stage(code), actor=world.admin
            )
        if path:
            Lead.objects.filter(pk=lead.pk).update(stage=stage(path[-1]))
        if rng.random() < 0.25:
            Lead.objects.filter(pk=lead.pk).update(project=make_project(world, code=f"ZS-{seed}-{i}"))
        for source in rng.sample(sources, rng.randint(0, 3)):
            FundMonth.objects.create(
                lead=lead,
                year=rng.choice([2025, 2026]),
                month=rng.randint(1, 7),
                source=source,
                amount=Decimal(rng.randint(1, 900)) * WAN,
                recognised=rng.random() < 0.7,
                recorded_by=world.admin,
                recorded_at=NOW - dt.timedelta(days=rng.randint(0, 100)),
            )
        leads.append(lead)
    # a closed month: the rows recorded after the close do not count (figures.counted_q)
    LedgerClose.objects.create(
        region=world.county, year=2026, month=3, closed_by=world.admin, closed_at=NOW - dt.timedelta(days=50)
    )
    return leads


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_and_rows_give_the_same_figures(world, seed):
    with time_machine.travel(NOW, tick=False):
        _random_data(world, seed, future=seed == 3)
        rollups.refresh(everything=True)
        read = 0
        for user in (world.admin, world.leader, world.alice, world.bob, world.commissioner, world.charlie):
            for region in (
                world.province,
                world.city,
                world.county,
                world.park,
                world.town,
                world.other_county,
            ):
                kept = rollups.region_figures(user, region.path, dt.date(2026, 1, 1), TODAY)
                got = figures.region_figures(user, region, dt.date(2026, 1, 1), TODAY)
                rows = _rows(user, region)
                assert got == rows, (user, region)
                if kept is not None:
                    assert rollups.readable_by(user, region.path)
                    assert {k: got[k] for k in kept} == kept, (user, region)
                    read += 1
        if seed == 3:  # a lead registered after the day read: its region's ancestors count the rows
            assert (
                rollups.region_figures(world.admin, world.province.path, dt.date(2026, 1, 1), TODAY) is None
            )
        else:
            assert read >= 10


def test_viewers_who_do_not_see_the_subtree_never_read_it(world):
    with time_machine.travel(NOW, tick=False):
        _random_data(world, 4, future=False)
        rollups.refresh(everything=True)
        for user, region in (
            (world.bob, world.county),  # a department's team: its own leads only
            (world.commissioner, world.county),  # the park's official: not the county
            (world.charlie, world.county),  # another county's office
            (world.leader, world.city),  # a county leader: not the city
        ):
            assert not rollups.readable_by(user, region.path)
            assert rollups.region_figures(user, region.path, dt.date(2026, 1, 1), TODAY) is None
        assert rollups.region_figures(world.leader, world.county.path, dt.date(2026, 1, 1), TODAY) is not None
        # a cohort that is not the year from 1 January: the rows
        assert rollups.region_figures(world.admin, world.county.path, dt.date(2026, 2, 1), TODAY) is None


def test_changes_mark_stale_and_the_sweep_makes_fresh(world):
    with time_machine.travel(NOW, tick=False):
        lead = make_lead(world, actor=world.admin, registered_on=dt.date(2026, 2, 1), region=world.park)
        rollups.refresh(everything=True)
        assert rollups.fresh(world.county.path, 2026)
        assert (
            rollups.region_figures(world.admin, world.county.path, dt.date(2026, 1, 1), TODAY)["signed"] == 0
        )

        for code in ("negotiating", "prereview", "signed"):
            StageChange.objects.create(
                lead=lead, from_stage=lead.stage, to_stage=stage(code), actor=world.admin
            )
        assert not rollups.fresh(world.county.path, 2026) and not rollups.fresh(world.province.path, 2026)
        assert rollups.fresh(world.other_county.path, 2026) and rollups.fresh(world.county.path, 2025)
        assert rollups.region_figures(world.admin, world.county.path, dt.date(2026, 1, 1), TODAY) is None
        sweep()
        assert not LeadCountStale.objects.exists()
        assert (
            rollups.region_figures(world.admin, world.county.path, dt.date(2026, 1, 1), TODAY)["signed"] == 1
        )

        # a fund month of 2025 marks 2025 under the lead's path, not 2026
        fund = FundMonth.objects.create(
            lead=lead,
            year=2025,
            month=12,
            source=FundSource.OUT_OF_PROVINCE,
            amount=100 * WAN,
            recognised=True,
            recorded_by=world.admin,
            recorded_at=NOW,
        )
        assert list(LeadCountStale.objects.values_list("year", "region_path")) == [(2025, world.park.path)]
        sweep()
        fund.delete()
        assert not rollups.fresh(world.county.path, 2025)
        sweep()

        # a correction that moves the lead to another county: both paths (and the fund years)
        FundMonth.objects.create(
            lead=lead,
            year=2026,
            month=2,
            source=FundSource.OUT_OF_PROVINCE,
            amount=200 * WAN,
            recognised=True,
            recorded_by=world.admin,
            recorded_at=NOW,
        )
        sweep()
        assert (
            rollups.region_figures(world.admin, world.county.path, dt.date(2026, 1, 1), TODAY)["funds"]
            == 200 * WAN
        )
        services.update_lead(lead, actor=world.admin, region=world.other_county)
        marked = set(LeadCountStale.objects.values_list("year", "region_path"))
        assert {(2026, world.park.path), (2026, world.other_county.path)} <= marked
        sweep()
        county = rollups.region_figures(world.admin, world.county.path, dt.date(2026, 1, 1), TODAY)
        other = rollups.region_figures(world.admin, world.other_county.path, dt.date(2026, 1, 1), TODAY)
        assert (county["registered"], county["funds"]) == (0, 0)
        assert (other["registered"], other["signed"], other["funds"]) == (1, 1, 200 * WAN)

        # a project deleted: the lead loses it without a save
        lead.refresh_from_db()
        project = make_project(world, code="ZS-X")
        lead.project = project
        lead.save()
        sweep()
        assert (
            rollups.region_figures(world.admin, world.other_county.path, dt.date(2026, 1, 1), TODAY)[
                "converted"
            ]
            == 1
        )
        project.delete()
        assert not rollups.fresh(world.other_county.path, 2026)
        sweep()
        assert (
            rollups.region_figures(world.admin, world.other_county.path, dt.date(2026, 1, 1), TODAY)[
                "converted"
            ]
            == 0
        )

        # the lead deleted
        Lead.objects.filter(pk=lead.pk).first().delete()
        assert not rollups.fresh(world.other_county.path, 2026)
        sweep()
        assert LeadCount.objects.filter(region_path=world.other_county.path).count() == 0


def test_ledger_close_marks_the_year_under_the_region(world):
    with time_machine.travel(NOW, tick=False):
        make_lead(world, actor=world.admin, registered_on=dt.date(2026, 2, 1), region=world.park)
        rollups.refresh(everything=True)
        LedgerClose.objects.create(
            region=world.county, year=2026, month=3, closed_by=world.admin, closed_at=NOW
        )
        assert list(LeadCountStale.objects.values_list("year", "region_path")) == [(2026, world.park.path)]


def test_worked_example(world):
    """attraction-figures.md §Rollup: 尉氏经开区 and 城关镇 on 1 June 2026."""
    with time_machine.travel(NOW, tick=False):
        a = make_lead(
            world, actor=world.admin, investor="甲公司", registered_on=dt.date(2026, 1, 8), region=world.park
        )
        b = make_lead(
            world, actor=world.admin, investor="乙公司", registered_on=dt.date(2026, 3, 2), region=world.park
        )
        make_lead(
            world, actor=world.admin, investor="丙公司", registered_on=dt.date(2026, 5, 20), region=world.town
        )
        make_lead(
            world,
            actor=world.admin,
            investor="丁公司",
            registered_on=dt.date(2025, 12, 30),
            region=world.town,
        )
        for code in ("negotiating", "prereview", "signed"):
            StageChange.objects.create(lead=a, from_stage=a.stage, to_stage=stage(code), actor=world.admin)
        Lead.objects.filter(pk=b.pk).update(project=make_project(world, code="ZS-B"))
        for month, wan, ok in ((2, 300, True), (5, 200, True), (5, 90, False), (6, 50, True), (7, 40, True)):
            FundMonth.objects.create(
                lead=a,
                year=2026,
                month=month,
                source=FundSource.OUT_OF_PROVINCE if ok or month != 5 else FundSource.LOAN,
                amount=wan * WAN,
                recognised=ok,
                recorded_by=world.admin,
                recorded_at=NOW,
            )
        rollups.refresh(everything=True)
        rows = {
            (r.year, r.region_path): (r.registered, r.signed, r.converted, r.last_registered)
            for r in LeadCount.objects.all()
        }
        assert rows == {
            (2026, world.park.path): (2, 1, 1, dt.date(2026, 3, 2)),
            (2026, world.town.path): (1, 0, 0, dt.date(2026, 5, 20)),
            (2025, world.town.path): (1, 0, 0, dt.date(2025, 12, 30)),
        }
        f = figures.region_figures(world.leader, world.county, dt.date(2026, 1, 1), TODAY)
        assert f == {
            "registered": 3,
            "signed": 1,
            "converted": 1,
            "funds": 550 * WAN,
            "sign_rate": Decimal("33.3"),
        }
        assert f == _rows(world.leader, world.county)

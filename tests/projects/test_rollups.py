"""重点项目汇总 (projects/rollups.py, projects-figures.md §Rollup): the rollup and the rows give the
same cockpit figures (三个一批 counts, investment completion against 时序进度, red lights, the
map's red lights by subdivision) and the same home card for every region and viewer; a stale
rollup is never read; investment reported, a stage moved, a project archived, moved or deleted
marks its pairs and the periodic job makes them fresh; other light thresholds make it unreadable
until rebuilt."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
import time_machine

from tests.projects.conftest import make_project
from zhuqi.cockpit import figures as cockpit_figures
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.projects import cards, rollups, services, tasks
from zhuqi.projects import figures as F
from zhuqi.projects.models import (
    Project,
    ProjectProgress,
    ProjectStageCount,
    ProjectSum,
    ProjectSumBuild,
    ProjectSumStale,
    Stage,
)
from zhuqi.projects.selectors import filter_projects

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 6, 15, 10, tzinfo=SHANGHAI)  # report month: May 2026


def _live(user, region, year, month):
    """The cockpit's project figures read from the rows, whatever the rollup holds."""
    qs = filter_projects(user, {"region": region.pk}, Project.objects.visible_to(user))
    prog, red = F.progress_and_red(qs, year, month)
    return prog, red, F.stage_counts(qs)


def _section(user, region):
    s = cockpit_figures.projects(user, region, TODAY.date())
    return [(f.key, f.value, f.n, f.note, f.tone) for f in s.figures]


def _card(user):
    c = cards.projects_card(type("R", (), {"user": user})())
    if c is None:
        return None
    p = c["progress"]
    return (c["total"], c["started"], p.planned_year, p.planned_to_date, p.actual_to_date, p.actual_month)


def _random_projects(world, seed: int) -> None:
    rng = random.Random(seed)
    places = [world.park, world.town, world.grid, world.county, world.other_county, world.grid2]
    for i in range(12):
        region = rng.choice(places)
        other = region == world.other_county
        p = make_project(
            world,
            code=f"R{seed}{i:02d}",
            name=f"随机项目{i}",
            region=region,
            department=world.other_jxj if other else world.jxj,
            leader=world.charlie if other else world.leader,
        )
        for year in (2025, 2026):
            if rng.random() < 0.8:
                services.plan_year(
                    p, year=year, amount=Decimal(rng.randrange(1200, 2_400_000, 1200)), actor=world.admin
                )
                for month in range(1, 13 if year == 2025 else 6):
                    if rng.random() < 0.6:
                        services.record_actual(
                            p,
                            year=year,
                            month=month,
                            amount=Decimal(rng.randrange(0, 400_000)),
                            actor=world.admin,
                        )
        stage = rng.choice(Stage.values)
        started = dt.date(2026, 3, 1) if rng.random() < 0.5 else None
        Project.all_objects.filter(pk=p.pk).update(stage=stage, started_on=started)
        if rng.random() < 0.15:
            Project.all_objects.filter(pk=p.pk).update(archived_at=TODAY)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_and_rows_give_the_same_figures(world, seed):
    with time_machine.travel(TODAY, tick=False):
        _random_projects(world, seed)
        rollups.refresh(everything=True)
        assert not ProjectSumStale.objects.exists()
        checked = 0
        viewers = (world.admin, world.leader, world.alice, world.bob, world.supervisor, world.charlie)
        regions = (world.province, world.city, world.county, world.park, world.town, world.other_county)
        for year, month in ((2026, 5), (2025, 12), (2026, 1)):
            for user in viewers:
                for region in regions:
                    if not rollups.readable_by(user, region.path):
                        continue
                    kept = rollups.summary(user, region.path, year, month)
                    assert kept is not None, (user, region)
                    prog, red, counts = _live(user, region, year, month)
                    assert kept["red"] == red, (user, region, year, month)
                    assert [kept["sums"][f] for f in rollups.SUMS] == [
                        prog.planned_year,
                        prog.planned_to_date,
                        prog.actual_to_date,
                        prog.actual_month,
                    ], (user, region, year, month)
                    assert F.stage_counts_from(kept["by_stage"]) == counts, (user, region)
                    checked += 1
        assert checked >= 3 * 12
        # the cockpit's section, the map's red lights by subdivision and the home card: from the
        # rollup, then (a pair under the region marked) from the rows — the same
        for user in viewers:
            for region in regions:
                if not rollups.readable_by(user, region.path):
                    continue
                kept = _section(user, region)
                children = cockpit_figures.children_of(user, region)
                kept_map = cockpit_figures.by_child(user, region, children, "red", TODAY.date())
                rollups.mark_stale([(2026, region.path + "x/")])
                assert rollups.summary(user, region.path, 2026, 5) is None
                assert _section(user, region) == kept, (user, region)
                assert cockpit_figures.by_child(user, region, children, "red", TODAY.date()) == kept_map
                ProjectSumStale.objects.all().delete()
        # the home card: from the rollup where it may be read, then (no build) from the rows
        everyone = (*viewers, world.head, world.observer, world.grid_member, world.commissioner)
        kept = {u.username: _card(u) for u in everyone}
        for user in (world.admin, world.leader, world.alice, world.bob):
            assert cards._from_rollup(user, 2026, 5) is not None, user
        assert cards._from_rollup(world.commissioner, 2026, 5) is None
        ProjectSumBuild.objects.all().delete()
        assert {u.username: _card(u) for u in everyone} == kept
        assert ProjectSum.objects.exists()


def test_a_stale_rollup_is_not_read_and_the_job_makes_it_fresh(world):
    with time_machine.travel(TODAY, tick=False):
        p = make_project(world, code="S001", region=world.park)
        q = make_project(
            world, code="S002", region=world.other_county, department=world.other_jxj, leader=world.charlie
        )
        services.plan_year(p, year=2026, amount=Decimal(1_200_000), actor=world.admin)
        services.plan_year(q, year=2026, amount=Decimal(1_200_000), actor=world.admin)
        tasks.refresh_rollups()  # no full build yet: the job builds everything
        assert rollups.fresh(world.province.path, 2026)
        kept = rollups.summary(world.admin, world.province.path, 2026, 5)
        assert kept["red"] == 2 and kept["sums"]["actual_ytd"] == 0 and kept["total"] == 2
        # investment reported: (2026, the park) marked, nothing else
        services.record_actual(p, year=2026, month=4, amount=Decimal(500_000), actor=world.admin)
        assert list(ProjectSumStale.objects.values_list("year", "region_path")) == [(2026, world.park.path)]
        assert rollups.summary(world.admin, world.county.path, 2026, 5) is None
        assert rollups.summary(world.admin, world.province.path, 2026, 5) is None
        assert rollups.summary(world.charlie, world.other_county.path, 2026, 5) is not None
        assert rollups.fresh(world.county.path, 2025)  # another year is not touched
        # the cockpit reads the rows meanwhile: the new figures at once
        red = next(
            f
            for f in cockpit_figures.projects(world.admin, world.province, TODAY.date()).figures
            if f.key == "red"
        )
        assert red.n == 1
        tasks.refresh_rollups()
        kept = rollups.summary(world.admin, world.province.path, 2026, 5)
        assert kept["red"] == 1 and kept["sums"]["actual_ytd"] == Decimal(500_000)
        # a stage moved: everything of the park (year 0)
        services.move_stage(p, Stage.SIGNED, date=dt.date(2026, 6, 1), evidence="合同", actor=world.admin)
        assert (0, world.park.path) in set(ProjectSumStale.objects.values_list("year", "region_path"))
        assert rollups.summary(world.admin, world.county.path, 2025, 12) is None
        rollups.refresh()
        assert rollups.summary(world.admin, world.county.path, 2026, 5)["by_stage"][Stage.SIGNED] == 1
        # moved to another county: both paths marked, the rows follow
        services.update_project(Project.objects.get(pk=p.pk), actor=world.admin, region=world.other_county)
        marked = set(ProjectSumStale.objects.values_list("year", "region_path"))
        assert {(0, world.park.path), (0, world.other_county.path)} <= marked
        rollups.refresh()
        assert not ProjectSum.objects.filter(region_path=world.park.path).exists()
        assert rollups.summary(world.admin, world.other_county.path, 2026, 5)["total"] == 2
        # archived: out of every figure
        services.archive_project(Project.objects.get(pk=p.pk), actor=world.admin, reason="录入错误")
        assert rollups.summary(world.admin, world.other_county.path, 2026, 5) is None
        rollups.refresh()
        kept = rollups.summary(world.admin, world.other_county.path, 2026, 5)
        assert kept["total"] == 1 and kept["sums"]["actual_ytd"] == 0
        # deleted
        Project.all_objects.get(pk=q.pk).delete()
        assert not rollups.fresh(world.other_county.path, 2026)
        rollups.refresh()
        assert rollups.summary(world.admin, world.province.path, 2026, 5)["total"] == 0
        assert not ProjectStageCount.objects.filter(n__gt=0, region_path=world.other_county.path).exists()
        # every project's rows rebuilt: the full build is dropped, the next refresh makes one
        ProjectProgress.objects.rebuild()
        assert not rollups.fresh(world.province.path, 2026)
        rollups.refresh()
        assert rollups.fresh(world.province.path, 2026)


def test_other_light_thresholds_make_it_unreadable_until_rebuilt(world, settings):
    """Completion 20.8 % against 时序进度 41.7 % (May): lead −20.9, yellow under (10, 30), red
    under (5, 20)."""
    with time_machine.travel(TODAY, tick=False):
        p = make_project(world, code="T001", region=world.park)
        services.plan_year(p, year=2026, amount=Decimal(1_200_000), actor=world.admin)
        services.record_actual(p, year=2026, month=5, amount=Decimal(250_000), actor=world.admin)
        rollups.refresh(everything=True)
        assert rollups.summary(world.admin, world.county.path, 2026, 5)["red"] == 0
        settings.ZHUQI_LIGHTS = (5, 20)
        assert rollups.summary(world.admin, world.county.path, 2026, 5) is None
        red = next(
            f
            for f in cockpit_figures.projects(world.admin, world.county, TODAY.date()).figures
            if f.key == "red"
        )
        assert red.n == 1  # from the rows
        rollups.refresh()  # built under other thresholds: everything again
        assert rollups.summary(world.admin, world.county.path, 2026, 5)["red"] == 1


def test_only_a_viewer_who_sees_the_whole_subtree_reads_it(world):
    with time_machine.travel(TODAY, tick=False):
        make_project(world, code="V001", region=world.park)
        rollups.refresh(everything=True)
        assert rollups.summary(world.leader, world.county.path, 2026, 5) is not None
        assert (
            rollups.summary(world.bob, world.park.path, 2026, 5) is not None
        )  # a county handler: its county
        assert rollups.summary(world.leader, world.city.path, 2026, 5) is None  # above the leader's county
        assert rollups.summary(world.charlie, world.county.path, 2026, 5) is None  # another county
        assert rollups.summary(world.commissioner, world.park.path, 2026, 5) is None
        assert rollups.summary(world.enterprise_user, world.park.path, 2026, 5) is None


def test_the_hand_checked_example(world):
    """projects-figures.md §Rollup: two projects in 尉氏经开区 and one in 城关镇, read at May 2026."""
    with time_machine.travel(TODAY, tick=False):
        a = make_project(world, code="H001", region=world.park)
        b = make_project(world, code="H002", region=world.park)
        c = make_project(world, code="H003", region=world.town)
        services.plan_year(a, year=2026, amount=Decimal(1_200_000), actor=world.admin)
        services.plan_year(b, year=2026, amount=Decimal(600_000), actor=world.admin)
        services.plan_year(c, year=2026, amount=Decimal(1_200_000), actor=world.admin)
        services.record_actual(a, year=2026, month=5, amount=Decimal(250_000), actor=world.admin)
        for month in range(1, 6):
            services.record_actual(c, year=2026, month=month, amount=Decimal(100_000), actor=world.admin)
        Project.all_objects.filter(pk=a.pk).update(stage=Stage.SIGNED)
        Project.all_objects.filter(pk=b.pk).update(stage=Stage.STARTED, started_on=dt.date(2026, 3, 2))
        Project.all_objects.filter(pk=c.pk).update(stage=Stage.PRODUCING, started_on=dt.date(2025, 4, 1))
        rollups.refresh(everything=True)
        rows = {
            p: (n, py, pt, at, am, red)
            for p, n, py, pt, at, am, red in ProjectSum.objects.filter(year=2026, month=5).values_list(
                "region_path", "rows", *rollups.SUMS, "red"
            )
        }
        assert rows == {
            world.park.path: (2, 1_800_000, 750_000, 250_000, 250_000, 1),
            world.town.path: (1, 1_200_000, 500_000, 500_000, 100_000, 0),
        }
        kept = rollups.summary(world.leader, world.county.path, 2026, 5)
        assert kept is not None and kept["total"] == 3 and kept["started"] == 2
        shown = {
            f.key: (f.value, f.n)
            for f in cockpit_figures.projects(world.leader, world.county, TODAY.date()).figures
        }
        assert shown["investment"] == ("25.0%", 3)  # 750,000 ÷ 3,000,000; 时序进度 41.7 %
        assert shown["red"] == (1, 1)  # B: 0.0 % against 41.7 %
        assert shown["rate_performance"] == ("66.7%", 2)  # 履约落地 or later 2 ÷ 签约 or later 3
        assert shown["rate_start"] == ("100.0%", 2)
        assert shown["rate_production"] == ("50.0%", 1)
        assert shown["rate_capacity"] == ("0.0%", 0)
        ProjectSumStale.objects.create(year=2026, region_path=world.town.path)
        assert {
            f.key: (f.value, f.n)
            for f in cockpit_figures.projects(world.leader, world.county, TODAY.date()).figures
        } == shown  # the same from the rows


def test_the_sweep_command_refreshes_it(world):
    from io import StringIO

    from django.core.management import call_command

    with time_machine.travel(TODAY, tick=False):
        p = make_project(world, code="C001", region=world.park)
        rollups.refresh(everything=True)
        services.plan_year(p, year=2026, amount=Decimal(1_200_000), actor=world.admin)
        assert not rollups.fresh(world.county.path, 2026)
        call_command("projects_sweep", "--rollups-only", stdout=StringIO())
        assert rollups.summary(world.admin, world.county.path, 2026, 5)["sums"]["planned_year"] == 1_200_000
        services.record_actual(p, year=2026, month=5, amount=Decimal(1), actor=world.admin)
        call_command("projects_sweep", stdout=StringIO())  # the daily sweep refreshes it at its end
        assert rollups.summary(world.admin, world.county.path, 2026, 5)["sums"]["actual_ytd"] == 1

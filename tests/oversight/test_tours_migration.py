"""The data migration that moves the projects' inspection rounds (观摩) into the tour tables:
rounds, criteria, the round's projects as sites, scorers as judges, every score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.projects.conftest import make_project

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("projects", "0005_project_archive"), ("oversight", "0002_bulletins")]
AFTER = [("projects", "0006_inspections_moved_to_oversight"), ("oversight", "0004_tours_from_projects")]


@pytest.fixture
def latest():
    """Back to the latest state afterwards: the flush after a transactional test truncates the
    current tables only, and a table of the old state left behind blocks it."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_old_inspection_rows_are_copied(world, latest):
    x = make_project(world, code="X1", name="甲项目")
    y = make_project(world, code="Y1", name="乙项目")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Round = old.get_model("projects", "InspectionRound")
    Criterion = old.get_model("projects", "InspectionCriterion")
    Score = old.get_model("projects", "InspectionScore")
    rnd = Round.objects.create(
        name="上半年观摩", region_id=world.county.pk, held_on=dt.date(2026, 6, 20), status="published"
    )
    rnd.projects.set([y.pk, x.pk])
    rnd.scorers.set([world.alice.pk, world.leader.pk])
    c1 = Criterion.objects.create(round=rnd, name="建设进度", weight=60, max_score=100, order=1)
    c2 = Criterion.objects.create(round=rnd, name="现场管理", weight=40, max_score=50, order=2)
    for scorer, project, crit, score in [
        (world.alice, x, c1, 90),
        (world.alice, x, c2, 45),
        (world.leader, x, c1, 80),
        (world.leader, x, c2, 40),
    ]:
        Score.objects.create(
            round=rnd, project_id=project.pk, criterion=crit, scorer_id=scorer.pk, score=score
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    from zhuqi.oversight import tours
    from zhuqi.oversight.models import TourRound

    new = TourRound.objects.get()
    assert (new.name, new.region_id, new.held_on, new.status) == (
        "上半年观摩",
        world.county.pk,
        dt.date(2026, 6, 20),
        "published",
    )
    assert [(s.project.code, s.order) for s in new.sites.all()] == [("X1", 1), ("Y1", 2)]
    assert [(c.name, c.weight, c.max_score) for c in new.criteria.all()] == [
        ("建设进度", Decimal("60.00"), 100),
        ("现场管理", Decimal("40.00"), 50),
    ]
    assert set(new.judges.values_list("user_id", flat=True)) == {world.alice.pk, world.leader.pk}
    assert new.scores.count() == 4
    rows = tours.results(new)
    # 建设进度 85; 现场管理 42.5/50 = 85 % → 85.00
    assert [(r.site.name, r.total, r.rank) for r in rows] == [
        ("甲项目", Decimal("85.00"), 1),
        ("乙项目", None, 0),
    ]

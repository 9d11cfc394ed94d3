"""The data migration that turns the projects app's own 红黑榜 (RankingRule, RankingPublication)
into oversight's rules and published lists (docs/oversight.md §6)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

move = importlib.import_module("zhuqi.oversight.migrations.0007_redblack_from_projects")

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("projects", "0006_inspections_moved_to_oversight"),
    ("oversight", "0006_bulletin_periods_calendar"),
]
AFTER = [("projects", "0007_rankings_moved_to_oversight"), ("oversight", "0007_redblack_from_projects")]


@pytest.fixture
def executor():
    """Migrated back to before the move; the whole schema restored afterwards."""
    ex = MigrationExecutor(connection)
    ex.migrate(BEFORE)
    yield ex
    ex = MigrationExecutor(connection)
    ex.migrate(ex.loader.graph.leaf_nodes())


def test_old_rules_and_lists_are_moved(world, executor):
    old = executor.loader.project_state(BEFORE).apps
    Rule = old.get_model("projects", "RankingRule")
    Publication = old.get_model("projects", "RankingPublication")
    lead = Rule.objects.create(
        name="重点项目投资进度红黑榜", region_id=world.county.pk, subject="project", metric="lead", size=5
    )
    overdue = Rule.objects.create(
        name="审批逾期黑榜（责任部门）",
        region_id=world.county.pk,
        subject="department",
        metric="overdue",
        size=2,
    )
    Rule.objects.create(
        name="观摩得分红黑榜", region_id=world.other_county.pk, subject="project", metric="inspection", size=3
    )
    may = dt.datetime(2026, 6, 3, 1, tzinfo=dt.UTC)
    red = [{"name": "甲项目", "value": "8.3"}]
    black = [{"name": "乙项目", "value": "-12.5"}]
    Publication.objects.create(
        rule=lead, period="2026年5月", red=red, black=black, published_at=may, published_by_id=world.alice.pk
    )
    Publication.objects.create(
        rule=lead, period="2026年第二季度", red=[], black=black, published_at=may + dt.timedelta(days=30)
    )
    # published twice for one month: the later list stands
    Publication.objects.create(
        rule=lead, period="2026年4月", red=[], black=[], published_at=may - dt.timedelta(days=40)
    )
    Publication.objects.create(
        rule=lead, period="4/2026", red=red, black=[], published_at=may - dt.timedelta(days=30)
    )
    # a period the page never offered: the report month of its publication (Beijing time: 1 July → June)
    Publication.objects.create(
        rule=overdue,
        period="七月上旬",
        red=[],
        black=[],
        published_at=dt.datetime(2026, 6, 30, 17, tzinfo=dt.UTC),
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    RedBlackRule = new.get_model("oversight", "RedBlackRule")
    RedBlackList = new.get_model("oversight", "RedBlackList")

    got = {
        r.name: (r.region_id, r.sequence, r.metric, r.size, r.period_kind, r.target, r.scheme_id, r.is_active)
        for r in RedBlackRule.objects.all()
    }
    assert got == {
        # its lists were mostly monthly
        "重点项目投资进度红黑榜": (world.county.pk, "projects", "projects.lead", 5, "M", None, None, True),
        "审批逾期黑榜（责任部门）": (
            world.county.pk,
            "departments",
            "projects.approval_overdue",
            2,
            "M",
            None,
            None,
            True,
        ),
        # never published: 观摩 rounds are half-yearly
        "观摩得分红黑榜": (
            world.other_county.pk,
            "projects",
            "projects.tour_score",
            3,
            "H",
            None,
            None,
            True,
        ),
    }
    lists = {
        (lst.rule.name, lst.period): (lst.red, lst.black, lst.published_by_id)
        for lst in RedBlackList.objects.select_related("rule")
    }
    red_k = [{"name": "甲项目", "value": "8.3", "kind": "project"}]
    black_k = [{"name": "乙项目", "value": "-12.5", "kind": "project"}]
    assert lists == {
        ("重点项目投资进度红黑榜", "202605"): (red_k, black_k, world.alice.pk),
        ("重点项目投资进度红黑榜", "2026Q2"): ([], black_k, None),
        ("重点项目投资进度红黑榜", "202604"): (red_k, [], None),
        ("审批逾期黑榜（责任部门）", "202606"): ([], [], None),
    }
    assert RedBlackList.objects.get(period="202605").published_at == may


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("2026年5月", "202605"),
        ("2026年12月", "202612"),
        ("2026年第3季度", "2026Q3"),
        ("2026年第三季度", "2026Q3"),
        ("2026年上半年", "2026H1"),
        ("2026年下半年", "2026H2"),
        ("2026年", "2026"),
        # as the English interface wrote them
        ("5/2026", "202605"),
        ("2026 Q2", "2026Q2"),
        ("first half of 2026", "2026H1"),
        ("second half of 2026", "2026H2"),
        ("2026Q4", "2026Q4"),
        # not understood: the month before the one it was published in (3 January → December)
        ("年中", "202512"),
        ("2026年13月", "202512"),
    ],
)
def test_old_period_labels_become_codes(label, code):
    assert move.period_code(label, dt.datetime(2026, 1, 3, 2, tzinfo=dt.UTC)) == code

"""The generator's `oversight` part at a tiny county: supervision items of every colour with the
reasons the sweep gives, deterministic with the seed, generated later with `--only oversight`;
and each city's quarterly county assessment computed and published for every ended quarter."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Q

from zhuqi.core.models import Notification, Region
from zhuqi.core.workcalendar import add_working_days, working_days_between
from zhuqi.oversight.models import Assessment, Item, Report, Scheme, SlipRecord
from zhuqi.scale.generate import SCALES, generate

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
REASONS = {
    0: {""},
    1: {"due_soon", "report_due"},
    2: {"marked", "behind", "ignored_blue"},
    3: {"overdue", "ignored_orange"},
}


def snapshot() -> list[tuple]:
    return list(
        Item.objects.order_by("pk").values_list(
            "region__code",
            "lead_department__name",
            "title",
            "status",
            "slip",
            "slip_reason",
            "assigned_on",
            "due_on",
        )
    )


def test_tiny_items_in_every_colour_for_each_county():
    result = generate("tiny", seed=3, today=TODAY, verbosity=0)
    assert "oversight" not in result.skipped
    items = Item.objects.all()
    assert items.count() == SCALES["tiny"].oversight_items == result.counts["oversight.item"]
    for county in Region.objects.filter(kind="county"):
        mine = items.filter(region=county)
        statuses = Counter(mine.values_list("status", flat=True))
        assert 0.6 < statuses["closed"] / mine.count() < 0.8
        open_ = mine.filter(status__in=["assigned", "replied", "accepted"])
        assert set(open_.values_list("slip", flat=True)) == {0, 1, 2, 3}
        kinds = set(mine.values_list("lead_department__kind", flat=True))
        assert kinds <= {"government", "town", "park"} and {"government", "town"} <= kinds
    for item in items:
        assert item.slip_reason in REASONS[item.slip], item
        assert item.assigned_on <= item.due_on and item.assigned_on <= TODAY
        assert item.working_days == working_days_between(item.assigned_on, item.due_on)
        if item.slip:
            assert item.slip_at.date() <= TODAY
            assert item.slips.order_by("issued_at", "pk").last().slip == item.slip
        if item.status == "assigned" and item.due_on < TODAY:
            assert item.slip == 3 and item.slip_reason == "overdue"  # as the sweep leaves it
        if item.status == "assigned" and item.slip == 0:
            assert item.due_on > add_working_days(TODAY, 3)
        if item.status == "assigned" and item.slip < 2:
            assert item.priority == "normal"  # 重大/紧急/领导批示 are orange at once
        if item.status == "closed":
            assert item.closed_at and item.reports.filter(kind=Report.Kind.REPLY).exists()
    assert SlipRecord.objects.count() >= items.exclude(slip=0).count()
    # a year of assessments: one per ended quarter, published, a result for every county
    scheme = Scheme.objects.get()
    assert scheme.region.kind == "city" and scheme.sequence == "counties" and scheme.items.count() == 3
    assessments = Assessment.objects.filter(scheme=scheme).order_by("period")
    assert [a.period for a in assessments] == ["2026Q1", "2026Q2", "2026Q3"]
    counties = set(Region.objects.filter(kind="county").values_list("pk", flat=True))
    for a in assessments:
        assert a.status == Assessment.Status.PUBLISHED
        assert {r.unit_id for r in a.results.all()} == counties
        assert all(r.total is not None and r.rank == 1 for r in a.results.all())
    assert result.counts["oversight.assessment"] == 3


def test_deterministic_with_the_seed():
    generate("tiny", seed=7, today=TODAY, verbosity=0, only=["core", "oversight"])
    first = snapshot()
    Item.objects.all().delete()
    generate("tiny", seed=7, today=TODAY, verbosity=0, only=["oversight"])
    again = snapshot()
    assert first == again and len(first) == SCALES["tiny"].oversight_items


def test_only_oversight_later_without_cases_or_projects(capsys, django_capture_on_commit_callbacks):
    generate("tiny", only=["core", "enterprises"], seed=2, today=TODAY, verbosity=0)
    assert not Item.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # as if the generator's transaction committed
        result = generate("tiny", only=["oversight"], seed=2, today=TODAY, verbosity=0)
    assert "oversight" not in result.skipped
    assert Item.objects.count() == SCALES["tiny"].oversight_items
    assert Item.objects.filter(~Q(slip=0), status="assigned").exists()
    a = Assessment.objects.get(period="2026Q3")
    # no cases, no projects: 诉求办结率 full marks (no denominator), no 超期, no investment plan
    (r,) = a.results.all()
    assert r.total is not None
    assert Assessment.objects.filter(status=Assessment.Status.PUBLISHED).count() == 3
    # the city's people have the publications in their inbox; nothing went out (console channel)
    assert Notification.objects.filter(title__startswith="考核结果公布").exists()
    assert "[通知]" not in capsys.readouterr().out


def test_oversight_benchmark_uses_the_generated_items(monkeypatch):
    from bench import bench_oversight as bo

    generate("tiny", only=["core", "oversight"], seed=5, today=TODAY, verbosity=0)
    root = Region.objects.get(kind="province")
    monkeypatch.setattr(bo, "ITEMS", 200)  # the generated 300 are enough: nothing written
    assert bo.write_items(root) == (300, 0)
    monkeypatch.setattr(bo, "ITEMS", 400)  # fewer than it needs: it writes its own, every colour
    assert bo.write_items(root) == (700, 400)
    assert set(Item.objects.filter(status="assigned").values_list("slip", flat=True)) == {0, 1, 2, 3}

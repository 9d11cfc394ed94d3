import datetime as dt

import pytest
import time_machine

from zhuqi.core import demo
from zhuqi.oversight.demo import load
from zhuqi.oversight.models import Bulletin, CalendarEvent, Item, Slip, Status

pytestmark = pytest.mark.django_db


def test_demo_has_items_in_every_colour_and_loads_once():
    with time_machine.travel(dt.datetime(2026, 10, 20, 2, tzinfo=dt.UTC), tick=False):
        context = demo.load_core()
        load(context)
        load(context)  # idempotent
    items = Item.objects.filter(region__code="340323")
    assert items.count() == 30
    assert set(items.filter(status=Status.ASSIGNED).values_list("slip", flat=True)) == {
        Slip.NONE,
        Slip.BLUE,
        Slip.ORANGE,
        Slip.RED,
    }
    assert set(items.exclude(list_kind="").values_list("list_kind", flat=True)) == {
        "task",
        "responsibility",
        "deadline",
    }
    assert items.filter(status=Status.REPLIED).exists() and items.filter(status=Status.CLOSED).exists()
    # last month's bulletin, published with its number
    bulletin = Bulletin.objects.get(region__code="340323", kind="month")
    assert (bulletin.year, bulletin.month, bulletin.issued_number) == (2026, 9, "〔2026〕1号")
    # last quarter's, drafted for the county leader to approve
    quarter = Bulletin.objects.get(region__code="340323", kind="quarter")
    assert (quarter.year, quarter.quarter, quarter.status) == (2026, 3, "draft")
    # the calendar: 三个一 (一月一通报、一季一督查、年终一考核) and 周调度
    kinds = set(CalendarEvent.objects.filter(region__code="340323").values_list("kind", flat=True))
    assert {"weekly_meeting", "monthly_bulletin", "quarterly_inspection", "annual_assessment"} <= kinds
    assert CalendarEvent.objects.filter(region__code="340323").count() == 6


def test_demo_publishes_last_quarters_assessments_and_their_lists():
    from zhuqi.oversight.models import Assessment, RedBlackList

    with time_machine.travel(dt.datetime(2026, 10, 20, 2, tzinfo=dt.UTC), tick=False):
        context = demo.load_core()
        load(context)
    published = Assessment.objects.filter(status=Assessment.Status.PUBLISHED, period="2026Q3")
    assert {a.scheme.sequence for a in published} == {"regions", "departments"}
    assert all(a.results.exists() for a in published)
    assert RedBlackList.objects.filter(period="2026Q3").exists()


def test_demo_tour_round_scored_by_five_judges():
    """The demo's 观摩: projects and an enterprise as sites, five judges who scored every site,
    published, ranked by the trimmed means; and the key projects' 红黑榜."""
    from zhuqi.assistance.demo import load as load_assistance
    from zhuqi.oversight import tours
    from zhuqi.oversight.models import TourRound
    from zhuqi.projects.demo import load_demo as load_projects

    with time_machine.travel(dt.datetime(2026, 7, 10, 2, tzinfo=dt.UTC), tick=False):
        context = demo.load_core()
        load_assistance(context)  # the demo enterprises
        load_projects(context)
        load(context)
        load(context)  # idempotent
    rnd = TourRound.objects.get(region__code="340323")
    assert rnd.is_published and rnd.period == "2026年下半年"
    assert rnd.judges.count() == 5
    sites = list(rnd.sites.all())
    assert any(s.project_id for s in sites) and any(s.enterprise_id for s in sites)
    rows = tours.results(rnd)
    assert all(r.total is not None and r.done == 5 for r in rows)
    assert rows[0].rank == 1 and sum(rnd.criteria.values_list("weight", flat=True)) == 100
    # the key projects' monthly 红黑榜 (once the projects app's own): last month's list published
    from zhuqi.oversight.models import RedBlackList, RedBlackRule

    rules = dict(
        RedBlackRule.objects.filter(region__code="340323", period_kind="M").values_list("name", "metric")
    )
    assert rules == {
        "重点项目投资进度红黑榜": "projects.lead",
        "责任单位投资进度红黑榜": "projects.lead",
        "审批逾期黑榜（责任部门）": "projects.approval_overdue",
    }
    lst = RedBlackList.objects.get(rule__name="重点项目投资进度红黑榜")
    assert lst.period == "202606" and (lst.red or lst.black)

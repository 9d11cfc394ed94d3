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
    assert items.count() == 12
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

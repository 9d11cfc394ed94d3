from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from zhuqi.core import workcalendar
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.oversight import services


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workcalendar.invalidate()
    yield
    workcalendar.invalidate()


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def make_item(world, when=None, **fields):
    """An item of 尉氏县 led by its 工信局, created by 督查 at `when` (default 2026-03-02 10:00)."""
    fields.setdefault("title", "规上工业增加值增长 8.5%")
    fields.setdefault("lead_department", world.jxj)
    fields.setdefault("working_days", 20)
    with time_machine.travel(when or at(2026, 3, 2), tick=False):
        return services.create_item(actor=world.supervisor, **fields)

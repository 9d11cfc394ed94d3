"""Exports are typed workbooks: dates and datetimes are Excel dates with a date format, rates are
numbers with a % format, and text is text even when it looks like a formula. The exports of cases,
assignments and the projects' monthly report are read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from tests.cases.conftest import CaseWorld
from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import services as assistance_services
from zhuqi.core.excel import write_workbook

pytestmark = pytest.mark.django_db


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _by_header(ws, row: int = 2) -> dict:
    headers = [c.value for c in ws[1]]
    return dict(zip(headers, ws[row], strict=False))


def test_dates_datetimes_rates_and_formula_like_text_are_typed_cells():
    at = dt.datetime(2026, 5, 31, 17, 30, tzinfo=dt.UTC)  # 01:30 on 1 June in Asia/Shanghai
    content = write_workbook(
        ["日期", "时间", "完成率%", "数量", "标题", "负号", "空"],
        [[dt.date(2026, 1, 1), at, Decimal("44.8"), 3, '=HYPERLINK("http://x")', "-3+2", None]],
        rates={2},
    )
    day, when, rate, count, title, minus, empty = _sheet(content)[2]
    assert day.is_date and day.value == dt.datetime(2026, 1, 1) and day.number_format == "yyyy-mm-dd"
    assert when.is_date and when.value == dt.datetime(2026, 6, 1, 1, 30)
    assert when.number_format == "yyyy-mm-dd hh:mm"
    assert rate.data_type == "n" and rate.value == pytest.approx(0.448) and rate.number_format == "0.0%"
    assert count.data_type == "n" and count.value == 3 and count.number_format == "General"
    assert title.data_type == "s" and title.value == '=HYPERLINK("http://x")'
    assert minus.data_type == "s" and minus.value == "-3+2"
    assert empty.value is None


def test_assignment_export_dates_are_dates(world, login):
    ent = make_enterprise("恒顺集团有限公司", world.grid)
    with time_machine.travel(dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC), tick=False):
        assistance_services.assign(
            ent, year=2026, role="commissioner", user=world.commissioner, actor=world.alice
        )
    response = login(world.alice).get(reverse("assistance:assignment_list"), {"export": "xlsx", "year": 2026})
    cell = _by_header(_sheet(response.content))["开始日期"]
    assert cell.is_date and cell.value == dt.datetime(2026, 1, 5) and cell.number_format == "yyyy-mm-dd"


def test_case_export_has_description_reply_and_closing_time_as_dates(world, login):
    cw = CaseWorld(world)
    with time_machine.travel(dt.datetime(2026, 5, 6, 2, tzinfo=dt.UTC), tick=False):
        case = cw.to("replied")
    response = login(world.alice).get(reverse("cases:export"))
    row = _by_header(_sheet(response.content))
    assert row["问题描述"].value == "新上生产线需要增容，变压器容量不足，影响投产"
    assert row["答复内容"].value == "已协调解决"
    assert row["办结时间"].is_date and row["办结时间"].number_format == "yyyy-mm-dd hh:mm"
    assert row["办结时间"].value == dt.datetime(2026, 5, 6, 10, 0)  # 02:00 UTC = 10:00 in 尉氏县
    assert row["提交时间"].is_date and row["提交时间"].number_format == "yyyy-mm-dd hh:mm"
    assert case.replied_at is not None

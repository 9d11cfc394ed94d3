"""Audit entries read as people speak: field labels, choice labels instead of codes, amounts in
万元, and the object type as the model's name, in timelines and on the audit log page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.projects.conftest import make_project
from zhuqi.core import audit
from zhuqi.core.models import AuditEntry
from zhuqi.core.templatetags.core_tags import change_rows, object_type_label
from zhuqi.projects import services as project_services

pytestmark = pytest.mark.django_db


def _rows(entry) -> dict:
    return {label: (old, new) for label, old, new in change_rows(entry)}


def test_stage_codes_show_their_labels(world):
    project = make_project(world)
    entry = audit.record(
        "event", project, event="stage_moved", changes={"stage": ["started", "in_stats"]}, actor=world.alice
    )
    assert _rows(entry) == {"当前阶段": ("开工", "入库纳统")}


def test_recorded_actual_shows_month_and_amount_in_wan(world):
    project = make_project(world)
    with time_machine.travel(dt.datetime(2026, 6, 10, 2, tzinfo=dt.UTC), tick=False):
        project_services.record_actual(
            project, year=2026, month=5, amount=Decimal("537600"), actor=world.alice
        )
    entry = AuditEntry.objects.filter(object_type="projects.project", event="investment_reported").get()
    rows = _rows(entry)
    assert rows["月份"] == (None, "2026-05")
    assert rows["完成投资"] == (None, "53.76 万元")
    assert "period" not in rows and "actual" not in rows
    month_row = AuditEntry.objects.filter(object_type="projects.investmentmonth", action="update").get()
    assert _rows(month_row)["填报时间"] == (None, "2026-06-10 10:00")  # local time, not an ISO stamp


def test_row_diffs_show_money_in_wan_and_choices_by_label(world):
    project = make_project(world)
    project.total_investment = Decimal("650000000")
    project.level = "province"
    project.save()
    entry = AuditEntry.objects.filter(object_type="projects.project", action="update").latest("id")
    rows = _rows(entry)
    assert rows["总投资"] == ("5.00 亿元", "6.50 亿元")
    assert rows["项目级别"][1] == "省重点"


def test_object_type_is_the_models_name(world, login):
    assert object_type_label("core.user") == "用户"
    assert object_type_label("projects.project") == "重点项目"
    world.leader.phone = "13900000001"
    world.leader.save()
    page = login(world.admin).get("/core/audit/").content.decode()
    assert "core.user" not in page and "用户" in page

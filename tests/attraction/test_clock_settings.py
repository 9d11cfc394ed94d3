"""The clock defaults a province, city or county sets (attraction-figures.md §Clocks, 时限设置):
the nearest region's row wins, else the shipped defaults; a change applies to clocks started
afterwards; bad input is refused under its field; only the office of the area; audit; page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.attraction.conftest import make_lead
from zhuqi.attraction import services
from zhuqi.attraction.models import ClockSetting
from zhuqi.core.models import AuditEntry
from zhuqi.core.units import WAN, YI
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = pytest.mark.django_db

DAYS = {"respond_days": 2, "judge_days": 5, "feedback_days": 10, "progress_days": 20}


def _set(region, actor, threshold=Decimal(5000) * WAN, **days):
    return services.save_clock_setting(region, actor=actor, threshold=threshold, **{**DAYS, **days})


def _due(lead) -> dict[str, dt.date]:
    return {c.kind: c.due_on for c in lead.clocks.filter(done_at__isnull=True)}


def test_shipped_defaults_without_any_setting(world):
    rule = services.clock_rule(world.park)
    assert rule.setting is None
    assert rule.threshold == YI
    assert rule.days == {"respond": 1, "judge": 3, "feedback": 7, "progress": 10}


def test_county_wins_over_city_over_province(world):
    _set(world.province, world.admin, respond_days=4)
    assert services.clock_rule(world.park).days["respond"] == 4
    _set(world.city, world.admin, respond_days=3)
    assert services.clock_rule(world.park).days["respond"] == 3
    _set(world.county, world.alice, respond_days=2)
    rule = services.clock_rule(world.park)  # a park of the county: the county's row
    assert rule.days["respond"] == 2 and rule.setting.region == world.county
    # the other county has no row of its own: the city's
    assert services.clock_rule(world.other_county).days["respond"] == 3
    # 恢复上级设置: the county's leads take the city's again
    services.clear_clock_setting(ClockSetting.objects.get(region=world.county), actor=world.alice)
    assert services.clock_rule(world.park).setting.region == world.city
    assert AuditEntry.objects.filter(event="clock_setting_cleared", object_id=str(world.county.pk)).exists()


def test_worked_example_with_the_county_setting(world):
    """尉氏县 sets 5,000 万元 and 2/5/10/20 working days. A 6,000 万元 lead registered on Wednesday
    30 September 2026 runs the clocks (under the shipped 1 亿元 it would not); the working days
    after 30 September are 8, 9, 10 (调休), 12, 13, 14, 15, 16, 19, 20, … October."""
    _set(world.county, world.alice)
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI), tick=False):
        lead = make_lead(world, amount_wan="6000")
    assert _due(lead) == {
        "respond": dt.date(2026, 10, 9),
        "judge": dt.date(2026, 10, 13),
        "feedback": dt.date(2026, 10, 20),
        "progress": dt.date(2026, 11, 3),
    }
    # a 4,000 万元 lead stays below the county's threshold
    assert not make_lead(world, investor="河南某某新材料有限公司", amount_wan="4000").clocks.exists()


def test_change_affects_clocks_started_afterwards_only(world):
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI), tick=False):
        lead = make_lead(world, amount_wan="50000")
        before = _due(lead)
        _set(world.county, world.alice, respond_days=30, judge_days=30, feedback_days=30, progress_days=30)
        lead.refresh_from_db()
        assert _due(lead) == before  # running clocks keep their day
    # the next 报告进展, started by a report after the change, takes the new days
    with time_machine.travel(dt.datetime(2026, 10, 12, 10, tzinfo=SHANGHAI), tick=False):
        services.stop_clock(lead, "progress", actor=world.bob, note="已完成选址踏勘")
    assert _due(lead)["progress"] == dt.date(2026, 11, 23)  # 30 working days after 12 October


def test_audit_names_the_old_and_new_values(world):
    _set(world.county, world.alice, respond_days=2)
    entry = AuditEntry.objects.get(event="clock_setting_set", object_id=str(world.county.pk))
    assert entry.actor == world.alice
    assert entry.changes["响应（工作日）"] == [1, 2]
    assert entry.changes["计时起点（万元）"] == ["10000", "5000"]
    # saving again changes the same row
    _set(world.county, world.alice, respond_days=3)
    assert ClockSetting.objects.get(region=world.county).respond_days == 3
    assert ClockSetting.objects.count() == 1


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("respond_days", 0, "响应时限须为 1–60 之间的整数"),
        ("judge_days", 61, "研判时限须为 1–60 之间的整数"),
        ("feedback_days", 2.5, "反馈推荐人时限须为 1–60 之间的整数"),
        ("progress_days", "10", "报告进展间隔须为 1–60 之间的整数"),
        ("threshold", Decimal(0), "计时起点须大于 0 万元"),
        ("threshold", Decimal(-1), "计时起点须大于 0 万元"),
        ("threshold", None, "计时起点须大于 0 万元"),
    ],
)
def test_bad_input_is_refused_under_its_field(world, field, value, message):
    args = {"threshold": Decimal(5000) * WAN, **DAYS, field: value}
    with pytest.raises(ValidationError) as exc:
        services.save_clock_setting(world.county, actor=world.alice, **args)
    assert message in exc.value.message_dict[field][0]
    assert not ClockSetting.objects.exists()


def test_who_may_set_and_where(world):
    with pytest.raises(PermissionDenied):
        _set(world.county, world.bob)  # a handler
    with pytest.raises(PermissionDenied):
        _set(world.county, world.leader)
    with pytest.raises(ValidationError) as exc:
        _set(world.city, world.alice)  # the county's office may not set its city's
    assert "region" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _set(world.county, world.charlie)  # another county
    with pytest.raises(ValidationError) as exc:
        _set(world.park, world.alice)  # a park takes its county's
    assert "省、市、县" in exc.value.message_dict["region"][0]
    setting = _set(world.county, world.alice)
    with pytest.raises(PermissionDenied):
        services.clear_clock_setting(setting, actor=world.charlie)
    assert not AuditEntry.objects.filter(event="clock_setting_set", actor=world.charlie).exists()


def test_page_sets_shows_and_scopes(world, login):
    _set(world.other_county, world.charlie)
    client = login(world.alice)
    url = reverse("attraction:clock_settings")
    r = client.get(url)
    assert r.status_code == 200
    assert r.context["in_force"].setting is None
    assert r.context["settings"] == []  # 通许县's row is not hers
    assert "正在计时的时限不变" in r.content.decode()
    r = client.post(
        url,
        {"region": world.county.pk, "threshold": "5000", **{k: str(v) for k, v in DAYS.items()}},
        follow=True,
    )
    assert [s.region for s in r.context["settings"]] == [world.county]
    assert r.context["in_force"].threshold == Decimal(5000) * WAN
    assert [e.event for e in r.context["history"]] == ["clock_setting_set"]
    # bad input: the form shows the message under the field and saves nothing
    r = client.post(url, {"region": world.county.pk, "threshold": "0", **DAYS, "judge_days": "1.5"})
    assert "请填写 1–60 之间的整数" in " ".join(r.context["form"].errors["judge_days"])
    r = client.post(url, {"region": world.county.pk, "threshold": "0", **DAYS})
    assert "计时起点须大于 0 万元" in " ".join(r.context["form"].errors["threshold"])
    assert ClockSetting.objects.get(region=world.county).judge_days == DAYS["judge_days"]
    # the other county's row cannot be cleared from here
    other = ClockSetting.objects.get(region=world.other_county)
    assert client.post(url, {"clear": other.pk}).status_code == 404
    assert login(world.bob).get(url).status_code == 404

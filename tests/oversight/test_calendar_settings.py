"""管理日历事项 (docs/oversight.md §督查日历): 督查 or the dispatch office adds and changes the
events of their county's oversight calendar in the app, each refusal names the field in Chinese,
another county's event is 404, roles that may not configure are refused, every change is audited
and the calendar shows what was entered."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from zhuqi.core.models import AuditEntry, Notification
from zhuqi.oversight import services_calendar as svc
from zhuqi.oversight.models import CalendarEvent

pytestmark = pytest.mark.django_db


def _fields(world, **over):
    fields = {
        "region": world.county,
        "kind": "monthly_bulletin",
        "title": "一月一通报",
        "recurrence": "monthly",
        "day": 5,
        "day_rule": "working",
        "department": world.jxj,
        "lead_days": 3,
    }
    fields.update(over)
    return fields


def _events(obj):
    return list(
        AuditEntry.objects.filter(object_id=str(obj.pk), event__startswith="calendar_event")
        .order_by("pk")
        .values_list("event", flat=True)
    )


def test_create_and_edit_an_event_with_its_audit_entries(world):
    event = svc.save_event(None, actor=world.supervisor, **_fields(world))
    assert (event.region, event.recurrence, event.day, event.day_rule) == (
        world.county,
        "monthly",
        5,
        "working",
    )
    assert event.weekday is None and event.month is None and event.is_active
    assert svc.describe(event) == "每月第 5 个工作日"
    entry = AuditEntry.objects.get(event="calendar_event_created", object_id=str(event.pk))
    assert entry.actor == world.supervisor and entry.changes["名称"] == "一月一通报"
    # edited into a weekly meeting: the day is cleared, the weekday kept
    event = svc.save_event(
        event,
        actor=world.alice,
        **_fields(world, title="周调度会", kind="weekly_meeting", recurrence="weekly", weekday=0, day=9),
    )
    event.refresh_from_db()
    assert (event.title, event.weekday, event.day, event.month) == ("周调度会", 0, None, None)
    assert svc.describe(event) == "每周一"
    assert _events(event) == ["calendar_event_created", "calendar_event_changed"]
    # quarterly, the 1st month, the 10th; yearly, December 20th
    q = svc.save_event(
        None,
        actor=world.alice,
        **_fields(world, recurrence="quarterly", month=1, day=10, day_rule="calendar"),
    )
    assert svc.describe(q) == "每季度第 1 个月10 日"
    y = svc.save_event(
        None, actor=world.alice, **_fields(world, recurrence="yearly", month=12, day=20, day_rule="calendar")
    )
    assert svc.describe(y) == "每年 12 月20 日"


def test_a_named_preparer_is_told(world):
    event = svc.save_event(None, actor=world.alice, **_fields(world, department=None, preparer=world.bob))
    note = Notification.objects.get(recipient=world.bob)
    assert "一月一通报" in note.title and "提前 3 个工作日" in note.body
    svc.save_event(
        event, actor=world.alice, **_fields(world, department=None, preparer=world.bob, title="改名")
    )
    assert Notification.objects.filter(recipient=world.bob).count() == 1  # the same preparer: once


@pytest.mark.parametrize(
    "over, field, message",
    [
        ({"title": "  "}, "title", "请填写名称"),
        ({"kind": "party"}, "kind", "请选择类型"),
        ({"recurrence": "daily"}, "recurrence", "请选择周期"),
        ({"recurrence": "weekly", "weekday": None}, "weekday", "每周的安排须选择星期"),
        ({"recurrence": "weekly", "weekday": 7}, "weekday", "星期应在 0–6 之间"),
        ({"day": None}, "day", "须填写日"),
        ({"day_rule": "calendar", "day": 32}, "day", "日应在 1–31 之间"),
        ({"day_rule": "working", "day": 16}, "day", "第几个工作日应在 1–15 之间"),
        ({"day_rule": "lunar"}, "day_rule", "请选择日期规则"),
        ({"recurrence": "quarterly", "month": None}, "month", "季度中的第几个月"),
        ({"recurrence": "quarterly", "month": 4}, "month", "季度中的第几个月应在 1–3 之间"),
        ({"recurrence": "yearly", "month": None}, "month", "每年的安排须填写月份"),
        ({"recurrence": "yearly", "month": 13}, "month", "月份应在 1–12 之间"),
        ({"lead_days": 61}, "lead_days", "提前提醒的工作日数应在 0–60 之间"),
        ({"department": None, "preparer": None}, "department", "请选择准备单位或准备人"),
        ({"note": "说" * 201}, "note", "说明最多 200 个字"),
    ],
)
def test_each_bad_field_is_named(world, over, field, message):
    with pytest.raises(ValidationError) as exc:
        svc.save_event(None, actor=world.supervisor, **_fields(world, **over))
    assert message in exc.value.message_dict[field][0]
    assert not CalendarEvent.objects.exists()


def test_preparers_and_region_must_be_in_scope(world):
    # another county's department and person are refused as if they did not exist
    with pytest.raises(ValidationError) as exc:
        svc.save_event(None, actor=world.alice, **_fields(world, department=world.other_jxj))
    assert "准备单位不存在" in exc.value.message_dict["department"][0]
    with pytest.raises(ValidationError) as exc:
        svc.save_event(None, actor=world.alice, **_fields(world, preparer=world.other_handler))
    assert "准备人不存在" in exc.value.message_dict["preparer"][0]
    # a county department cannot prepare a town's event: it is not of the town
    with pytest.raises(ValidationError) as exc:
        svc.save_event(None, actor=world.alice, **_fields(world, region=world.town))
    assert "不是城关镇及所辖的部门" in exc.value.message_dict["department"][0]
    with pytest.raises(ValidationError) as exc:
        svc.save_event(None, actor=world.alice, **_fields(world, region=world.other_county))
    assert "找不到该区划" in exc.value.message_dict["region"][0]
    # the city is visible to nobody below it
    with pytest.raises((ValidationError, PermissionDenied)):
        svc.save_event(None, actor=world.alice, **_fields(world, region=world.city))
    assert not CalendarEvent.objects.exists()


def test_roles_that_may_not_configure_are_refused(world):
    for user in (world.leader, world.head, world.bob, world.observer, world.commissioner):
        with pytest.raises(PermissionDenied):
            svc.save_event(None, actor=user, **_fields(world))
    event = svc.save_event(None, actor=world.supervisor, **_fields(world))
    with pytest.raises(PermissionDenied):
        svc.set_active(event, actor=world.leader, active=False)
    assert _events(event) == ["calendar_event_created"]


def test_another_countys_event_is_404(world):
    event = svc.save_event(None, actor=world.supervisor, **_fields(world))
    with pytest.raises(Http404):
        svc.save_event(event, actor=world.charlie, **_fields(world, title="改"))
    with pytest.raises(Http404):
        svc.set_active(event, actor=world.charlie, active=False)
    event.refresh_from_db()
    assert event.title == "一月一通报" and event.is_active


def test_switching_off_and_on(world):
    event = svc.save_event(None, actor=world.supervisor, **_fields(world))
    svc.set_active(event, actor=world.alice, active=False)
    event.refresh_from_db()
    assert not event.is_active
    svc.set_active(event, actor=world.alice, active=True)
    event.refresh_from_db()
    assert event.is_active
    assert _events(event) == [
        "calendar_event_created",
        "calendar_event_deactivated",
        "calendar_event_activated",
    ]


# --- the pages -----------------------------------------------------------------------------------
def _post(world, **over):
    data = {
        "title": "“工招园”工作周调度会",
        "kind": "weekly_meeting",
        "region": world.county.pk,
        "recurrence": "weekly",
        "weekday": "0",
        "day_rule": "calendar",
        "department": world.jxj.pk,
        "lead_days": "1",
    }
    data.update(over)
    return data


def test_pages_add_edit_switch_off_and_the_calendar_shows_it(world, login):
    client = login(world.supervisor)
    calendar = client.get(reverse("oversight:calendar")).content.decode()
    assert reverse("oversight:calendar_events") in calendar and "管理日历事项" in calendar
    r = client.post(reverse("oversight:calendar_event_new"), _post(world))
    assert r.status_code == 302 and r.url == reverse("oversight:calendar_events")
    event = CalendarEvent.objects.get()
    assert "工作周调度会" in client.get(reverse("oversight:calendar")).content.decode()
    listing = client.get(reverse("oversight:calendar_events")).content.decode()
    assert "每周一" in listing and "工信局" in listing
    # a weekly event without its weekday: the form says so under the field
    r = client.post(reverse("oversight:calendar_event_edit", args=[event.pk]), _post(world, weekday=""))
    assert r.status_code == 200 and "每周的安排须选择星期" in r.content.decode()
    r = client.post(reverse("oversight:calendar_event_edit", args=[event.pk]), _post(world, weekday="2"))
    event.refresh_from_db()
    assert r.status_code == 302 and event.weekday == 2
    edit = client.get(reverse("oversight:calendar_event_edit", args=[event.pk])).content.decode()
    assert "修改记录" in edit and "修改督查日历事项" in edit
    r = client.post(reverse("oversight:calendar_event_toggle", args=[event.pk]), {"active": "0"}, follow=True)
    assert "已停用" in r.content.decode()
    event.refresh_from_db()
    assert not event.is_active
    assert "工作周调度会" not in client.get(reverse("oversight:calendar")).content.decode()


def test_pages_scope_and_roles(world, login):
    event = svc.save_event(None, actor=world.supervisor, **_fields(world))
    client = login(world.charlie)  # 通许县's dispatch office
    assert client.get(reverse("oversight:calendar_event_edit", args=[event.pk])).status_code == 404
    r = client.post(reverse("oversight:calendar_event_toggle", args=[event.pk]), {"active": "0"})
    assert r.status_code == 404
    assert "一月一通报" not in client.get(reverse("oversight:calendar_events")).content.decode()
    client = login(world.leader)  # sees the calendar, may not configure it
    assert "管理日历事项" not in client.get(reverse("oversight:calendar")).content.decode()
    assert client.get(reverse("oversight:calendar_events")).status_code == 404
    assert client.get(reverse("oversight:calendar_event_new")).status_code == 404
    event.refresh_from_db()
    assert event.is_active

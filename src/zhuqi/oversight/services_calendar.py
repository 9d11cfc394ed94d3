"""Every change of the oversight calendar (督查日历): add or change an event (its recurrence and
day rule, who prepares it, how many working days ahead they are reminded), switch it off and on
again. Each checks the matrix (`oversight.calendar.configure`) and the actor's area, locks the
event it changes, writes, audits in the same transaction and tells a newly named preparer on
commit. Dates and reminders: calendar_events.py; rules: docs/oversight.md §督查日历."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, Region
from zhuqi.core.notify import notify
from zhuqi.core.roles import OFFICIAL_ROLES
from zhuqi.core.scope import scope_for

from .models import CalendarEvent, CalendarKind, DayRule, Recurrence
from .services import _actor_region

ACTION = "oversight.calendar.configure"
#: the most working days ahead a preparer may be reminded (the model's validator)
MAX_LEAD_DAYS = 60
#: "the N-th working day" stays inside the month: even October and the Spring Festival month
#: have more than 15 working days
MAX_WORKING_DAY = 15
WEEKDAYS = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]


def can_configure(user, region: Region) -> bool:
    """May `user` configure the calendar of `region`: the matrix, then the region inside the
    user's own subtree (admins anywhere)."""
    if not permissions.allowed(user, ACTION):
        return False
    scope = scope_for(user)
    if scope.is_admin:
        return True
    return bool(scope.region_path) and region.path.startswith(scope.region_path or "")


def editable(user):
    """The events `user` may change: visible to them and of a region in their area."""
    qs = CalendarEvent.objects.visible_to(user)
    scope = scope_for(user)
    if not permissions.allowed(user, ACTION):
        return qs.none()
    if scope.is_admin:
        return qs
    if not scope.region_path:
        return qs.none()
    return qs.filter(region__path__startswith=scope.region_path)


def _locked(event: CalendarEvent, actor) -> CalendarEvent:
    """The event re-read under a row lock, or 404 when the actor may not change it (outside
    their scope or area is the same as missing)."""
    if not editable(actor).filter(pk=event.pk).exists():
        raise Http404
    return CalendarEvent.objects.select_for_update(of=("self",)).select_related("region").get(pk=event.pk)


def _int(value, field: str, label: str, low: int, high: int, *, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: gettext("请填写%(label)s") % {"label": label}})
        return None
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: gettext("%(label)s应为整数") % {"label": label}}) from None
    if not low <= n <= high:
        raise ValidationError(
            {
                field: gettext("%(label)s应在 %(low)s–%(high)s 之间")
                % {"label": label, "low": low, "high": high}
            }
        )
    return n


def _schedule(recurrence: str, weekday, day, day_rule: str, month) -> dict:
    """The day rule the recurrence needs (the model's check constraints, said in Chinese naming
    the field): weekly needs the weekday; the others the day, quarterly and yearly the month.
    What the recurrence does not use is cleared."""
    if recurrence not in Recurrence.values:
        raise ValidationError({"recurrence": gettext("请选择周期（每周、每月、每季度或每年）")})
    if recurrence == Recurrence.WEEKLY:
        if weekday in (None, ""):
            raise ValidationError({"weekday": gettext("每周的安排须选择星期")})
        wd = _int(weekday, "weekday", gettext("星期"), 0, 6)
        return {"weekday": wd, "day": None, "month": None, "day_rule": DayRule.CALENDAR}
    if day_rule not in DayRule.values:
        raise ValidationError({"day_rule": gettext("请选择日期规则（日历日或第 N 个工作日）")})
    if day in (None, ""):
        raise ValidationError({"day": gettext("每月、每季度、每年的安排须填写日（几号，或第几个工作日）")})
    if day_rule == DayRule.WORKING:
        d = _int(day, "day", gettext("第几个工作日"), 1, MAX_WORKING_DAY)
    else:
        d = _int(day, "day", gettext("日"), 1, 31)
    m = None
    if recurrence == Recurrence.QUARTERLY:
        if month in (None, ""):
            raise ValidationError({"month": gettext("每季度的安排须填写季度中的第几个月（1–3）")})
        m = _int(month, "month", gettext("季度中的第几个月"), 1, 3)
    elif recurrence == Recurrence.YEARLY:
        if month in (None, ""):
            raise ValidationError({"month": gettext("每年的安排须填写月份（1–12）")})
        m = _int(month, "month", gettext("月份"), 1, 12)
    return {"weekday": None, "day": d, "month": m, "day_rule": day_rule}


def _check_preparers(actor, region: Region, department, preparer) -> None:
    if department is None and preparer is None:
        raise ValidationError({"department": gettext("请选择准备单位或准备人（至少一项）")})
    if department is not None:
        ok = (
            Department.objects.visible_to(actor)
            .filter(pk=department.pk, is_active=True, region__path__startswith=region.path)
            .exists()
        )
        if not ok:
            raise ValidationError(
                {
                    "department": gettext("准备单位不存在，或不是%(region)s及所辖的部门")
                    % {"region": region.name}
                }
            )
    if preparer is not None:
        User = get_user_model()
        found = (
            User.objects.visible_to(actor)
            .filter(pk=preparer.pk, is_active=True, role__in=OFFICIAL_ROLES)
            .select_related("region", "department__region")
            .first()
        )
        home = _actor_region(found) if found is not None else None
        if home is None or not home.path.startswith(region.path):
            raise ValidationError(
                {
                    "preparer": gettext("准备人不存在，或不是%(region)s及所辖的在岗人员")
                    % {"region": region.name}
                }
            )


def _describe(event: CalendarEvent) -> str:
    """The schedule in words, for the audit entry and the list: 每周一 / 每月第 5 个工作日 …"""
    if event.recurrence == Recurrence.WEEKLY:
        return gettext("每%(weekday)s") % {"weekday": str(WEEKDAYS[event.weekday or 0])}
    if event.day_rule == DayRule.WORKING:
        day = gettext("第 %(n)s 个工作日") % {"n": event.day}
    else:
        day = gettext("%(n)s 日") % {"n": event.day}
    if event.recurrence == Recurrence.MONTHLY:
        return gettext("每月%(day)s") % {"day": day}
    if event.recurrence == Recurrence.QUARTERLY:
        return gettext("每季度第 %(m)s 个月%(day)s") % {"m": event.month, "day": day}
    return gettext("每年 %(m)s 月%(day)s") % {"m": event.month, "day": day}


describe = _describe


@transaction.atomic
def save_event(
    event: CalendarEvent | None,
    *,
    actor,
    region: Region | None,
    kind: str,
    title: str,
    recurrence: str,
    weekday=None,
    day=None,
    day_rule: str = DayRule.CALENDAR,
    month=None,
    department: Department | None = None,
    preparer=None,
    lead_days=3,
    note: str = "",
) -> CalendarEvent:
    """Create (`event` None) or change an event of a region's calendar. The region is in the
    actor's area; the preparing department and person (at least one) are visible to the actor
    and belong to the region or below it. Reminders already sent stay sent."""
    permissions.require(actor, ACTION, gettext("您不能设置督查日历"))
    if event is not None:
        event = _locked(event, actor)
    if region is None or not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": gettext("找不到该区划（或不在您的管辖范围内）")})
    if not can_configure(actor, region):
        raise PermissionDenied(gettext("只能设置本辖区的督查日历"))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": gettext("请填写名称")})
    if len(title) > 100:
        raise ValidationError({"title": gettext("名称最多 100 个字")})
    if kind not in CalendarKind.values:
        raise ValidationError({"kind": gettext("请选择类型")})
    schedule = _schedule(recurrence, weekday, day, day_rule, month)
    lead = _int(lead_days, "lead_days", gettext("提前提醒的工作日数"), 0, MAX_LEAD_DAYS)
    assert lead is not None  # required: a blank one is refused
    _check_preparers(actor, region, department, preparer)
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": gettext("说明最多 200 个字")})
    created = event is None
    old_preparer = event.preparer_id if event is not None else None
    event = event or CalendarEvent()
    event.region, event.kind, event.title, event.recurrence = region, kind, title, recurrence
    event.weekday, event.day, event.month = schedule["weekday"], schedule["day"], schedule["month"]
    event.day_rule = schedule["day_rule"]
    event.department, event.preparer, event.lead_days, event.note = department, preparer, lead, note
    event.save()
    audit.record(
        "event",
        event,
        event="calendar_event_created" if created else "calendar_event_changed",
        changes={
            gettext_noop("名称"): title,
            gettext_noop("区划"): region.name,
            gettext_noop("日期"): _describe(event),
            gettext_noop("准备单位"): department.name if department else "",
            gettext_noop("准备人"): preparer.display_name if preparer else "",
            gettext_noop("提前提醒（工作日）"): lead,
        },
        actor=actor,
    )
    if preparer is not None and preparer.pk != old_preparer and preparer.pk != actor.pk:
        notify(
            [preparer],
            gettext("您负责准备督查日历事项：%(title)s") % {"title": title},
            body=gettext("%(when)s；提前 %(n)s 个工作日提醒您。") % {"when": _describe(event), "n": lead},
            url=reverse("oversight:calendar"),
        )
    return event


@transaction.atomic
def set_active(event: CalendarEvent, *, actor, active: bool) -> CalendarEvent:
    """Switch an event off (no more dates on the calendar, no more reminders; its past reminders
    stay) or on again."""
    permissions.require(actor, ACTION, gettext("您不能设置督查日历"))
    event = _locked(event, actor)
    if event.is_active == active:
        return event
    event.is_active = active
    event.save(update_fields=["is_active"])
    audit.record(
        "event",
        event,
        event="calendar_event_activated" if active else "calendar_event_deactivated",
        actor=actor,
    )
    return event

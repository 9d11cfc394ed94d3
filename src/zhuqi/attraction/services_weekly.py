"""The 驻外招商组's weekly reports (工作周报): which departments are stationed teams, one report per
team and ISO week, and the reminder on the due day to the teams that have not filed. Reads (the
board of teams × weeks) are in `selectors.report_board`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, User
from zhuqi.core.notify import notify_many
from zhuqi.core.roles import DEPARTMENT_ROLES
from zhuqi.core.scope import require_visible, scope_for
from zhuqi.core.workcalendar import add_working_days

from .models import AbroadTeam, ReportReminder, WeeklyReport

#: the longest text of one part of a report
MAX_TEXT = 2000


def iso_week(day: dt.date) -> tuple[int, int]:
    """(ISO year, ISO week) of a day: 2026-12-31 (Thursday) is week 53 of 2026, 2027-01-01 too."""
    year, week, _weekday = day.isocalendar()
    return year, week


def week_monday(year: int, week: int) -> dt.date:
    try:
        return dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValidationError(
            {"week": gettext("周次不正确：%(year)s年没有第 %(week)s 周") % {"year": year, "week": week}}
        ) from None


def due_date(team: AbroadTeam, year: int, week: int) -> dt.date:
    """The day a week's report is due: the team's due weekday of that week, or the last working
    day before it when that day is a rest day (a holiday Friday: the report is due before the
    holiday)."""
    day = week_monday(year, week) + dt.timedelta(days=team.due_weekday)
    return day if add_working_days(day, 0) == day else add_working_days(day, -1)


def can_file(user, team: AbroadTeam) -> bool:
    """The team's own people file its reports (the matrix's `attraction.weekly.submit`)."""
    return (
        permissions.allowed(user, "attraction.weekly.submit")
        and team.is_active
        and getattr(user, "department_id", None) == team.department_id
    )


def _text(value: str, field: str, label: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: gettext("请填写%(label)s") % {"label": label}})
    if len(value) > MAX_TEXT:
        raise ValidationError(
            {field: gettext("%(label)s不能超过 %(n)s 字") % {"label": label, "n": MAX_TEXT}}
        )
    return value


@transaction.atomic
def file_report(
    team: AbroadTeam,
    *,
    year: int,
    week: int,
    met: str,
    next_week: str,
    actor,
    new_leads: str = "",
    today: dt.date | None = None,
) -> WeeklyReport:
    """File (or change) the team's report of an ISO week: whom it met and the next week's plan
    are required; a week that has not begun is refused."""
    team = AbroadTeam.objects.select_for_update().select_related("department").get(pk=team.pk)
    if not can_file(actor, team):
        raise PermissionDenied(gettext("只有本驻外招商组的人员可以报送周报"))
    today = today or timezone.localdate()
    monday = week_monday(year, week)
    if monday > today:
        raise ValidationError({"week": gettext("第 %(week)s 周还没有开始，不能报送") % {"week": week}})
    fields = {
        "met": _text(met, "met", gettext("本周对接拜访情况"), required=True),
        "new_leads": _text(new_leads, "new_leads", gettext("新获取线索"), required=False),
        "next_week": _text(next_week, "next_week", gettext("下周工作计划"), required=True),
    }
    report = WeeklyReport.objects.filter(team=team, year=year, week=week).first()
    created = report is None
    if report is None:
        report = WeeklyReport.objects.create(team=team, year=year, week=week, submitted_by=actor, **fields)
    else:
        for key, value in fields.items():
            setattr(report, key, value)
        report.submitted_by, report.submitted_at = actor, timezone.now()
        report.save()
    audit.record(
        "event",
        report,
        event="weekly_report_filed" if created else "weekly_report_changed",
        changes={
            gettext_noop("驻外招商组"): team.department.name,
            gettext_noop("周次"): f"{year}-W{week:02d}",
            gettext_noop("逾期"): today > due_date(team, year, week),
        },
        actor=actor,
    )
    return report


def _in_area(user, department: Department) -> bool:
    scope = scope_for(user)
    return scope.is_admin or (
        bool(scope.region_path) and department.region.path.startswith(scope.region_path or "")
    )


@transaction.atomic
def save_team(
    team: AbroadTeam | None,
    *,
    actor,
    department: Department | None = None,
    station: str = "",
    due_weekday: int = 4,
    is_active: bool = True,
) -> AbroadTeam:
    """Name a department a 驻外招商组 (its station and the weekday its report is due), or switch
    one on or off. The office of the department's area and admins only."""
    permissions.require(actor, "attraction.configure", gettext("只有专班办公室可以设置驻外招商组"))
    if team is not None:
        team = AbroadTeam.objects.select_for_update().select_related("department__region").get(pk=team.pk)
        if not _in_area(actor, team.department):
            raise PermissionDenied(gettext("您不能修改该驻外招商组"))
        team.is_active = is_active
        team.save(update_fields=["is_active"])
    else:
        if department is None:
            raise ValidationError({"department": gettext("请选择部门")})
        require_visible(actor, "department", department)
        if not _in_area(actor, department):
            raise ValidationError({"department": gettext("所选的记录不存在")})
        station = (station or "").strip()
        if not station:
            raise ValidationError({"station": gettext("请填写驻点城市")})
        if not 0 <= due_weekday <= 6:
            raise ValidationError({"due_weekday": gettext("请选择周报截止日")})
        if AbroadTeam.objects.filter(department=department).exists():
            raise ValidationError({"department": gettext("该部门已设为驻外招商组")})
        team = AbroadTeam.objects.create(
            department=department, station=station[:40], due_weekday=due_weekday, is_active=is_active
        )
    audit.record(
        "event",
        team,
        event="abroad_team_set",
        changes={
            gettext_noop("驻外招商组"): team.department.name,
            gettext_noop("驻点城市"): team.station,
            gettext_noop("启用"): team.is_active,
        },
        actor=actor,
    )
    return team


def remind_reports(today: dt.date | None = None) -> int:
    """On a team's due day, remind its people of this week's report if it is not filed, once
    (a `ReportReminder` row): one batch of rows, audit entries and notices. Returns the number
    of reminders sent (one per team and week)."""
    today = today or timezone.localdate()
    # the week whose report is due today: usually this week, but a due day moved before a
    # holiday may fall in the week before the week it reports on
    weeks = {iso_week(today + dt.timedelta(days=d)) for d in (-7, 0, 7)}
    with transaction.atomic():
        due: list[tuple[AbroadTeam, int, int]] = [
            (t, year, week)
            for t in AbroadTeam.objects.filter(is_active=True, created_on__lte=today)
            .select_related("department")
            .order_by("pk")
            for year, week in sorted(weeks)
            if due_date(t, year, week) == today
        ]
        filed = set(
            WeeklyReport.objects.filter(
                team__in=[t for t, _y, _w in due], year__in={y for _t, y, _w in due}
            ).values_list("team_id", "year", "week")
        )
        reminded = set(
            ReportReminder.objects.filter(
                team__in=[t for t, _y, _w in due], year__in={y for _t, y, _w in due}
            ).values_list("team_id", "year", "week")
        )
        todo = [(t, y, w) for t, y, w in due if (t.pk, y, w) not in filed and (t.pk, y, w) not in reminded]
        if not todo:
            return 0
        ReportReminder.objects.bulk_create(
            [ReportReminder(team=t, year=y, week=w) for t, y, w in todo], ignore_conflicts=True
        )
        teams = [t for t, _y, _w in todo]
        people: dict[int, list] = {}
        for u in User.objects.filter(
            department_id__in=[t.department_id for t in teams], is_active=True, role__in=DEPARTMENT_ROLES
        ):
            people.setdefault(u.department_id, []).append(u)
        audit.record_many(
            [
                {
                    "action": "event",
                    "obj": t,
                    "event": "weekly_report_reminded",
                    "changes": {gettext_noop("周次"): f"{y}-W{w:02d}"},
                }
                for t, y, w in todo
            ]
        )
        url = reverse("attraction:report_new")
        notify_many(
            [
                {
                    "recipients": people.get(t.department_id, []),
                    "title": gettext("请于今天报送%(year)s年第 %(week)s 周驻外招商工作周报")
                    % {"year": y, "week": w},
                    "url": f"{url}?year={y}&week={w}",
                    "level": "warning",
                }
                for t, y, w in todo
            ]
        )
    return len(todo)

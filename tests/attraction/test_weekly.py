"""The 驻外招商组's weekly reports (attraction-figures.md §Weekly reports): the due day (moved
before a holiday), one report per team and ISO week, the reminder once on the due day, the board
of teams × weeks with the 报送率, and scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhuqi.attraction import selectors, services_weekly
from zhuqi.attraction.models import AbroadTeam, WeeklyReport
from zhuqi.core.models import AuditEntry, Department, Notification
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def team(world):
    return services_weekly.save_team(None, actor=world.alice, department=world.jxj, station="上海")


def _file(team, actor, year, week, **kw):
    return services_weekly.file_report(
        team, year=year, week=week, met=kw.get("met", "拜访了3家企业"), next_week="继续对接", actor=actor
    )


def test_due_days_move_before_holidays(team):
    assert services_weekly.due_date(team, 2026, 39) == dt.date(2026, 9, 24)  # 中秋 Friday 25 Sep
    assert services_weekly.due_date(team, 2026, 40) == dt.date(2026, 9, 30)  # 国庆 from 1 Oct
    assert services_weekly.due_date(team, 2026, 41) == dt.date(2026, 10, 9)


def test_worked_example_board(world, team, login):
    """工信局 (驻上海) set up 14 September 2026; on Monday 12 October the board shows weeks 42 back
    to 35."""
    AbroadTeam.objects.filter(pk=team.pk).update(created_on=dt.date(2026, 9, 14))
    team.refresh_from_db()
    with time_machine.travel(_at(dt.date(2026, 9, 18), 9), tick=False):
        _file(team, world.bob, 2026, 38)  # Friday 18 Sep, on time
    with time_machine.travel(_at(dt.date(2026, 9, 25)), tick=False):
        _file(team, world.bob, 2026, 39)  # due Thursday 24 Sep: late
    # week 40 (due 30 Sep) not filed
    with time_machine.travel(_at(dt.date(2026, 10, 9)), tick=False):
        _file(team, world.head, 2026, 41)
    with time_machine.travel(_at(dt.date(2026, 10, 12)), tick=False):
        board = selectors.report_board(world.alice)
        r = login(world.alice).get(reverse("attraction:report_board"))
    assert [w["week"] for w in board["weeks"]] == [42, 41, 40, 39, 38, 37, 36, 35]
    row = board["rows"][0]
    assert [c["state"] for c in row["cells"]] == ["pending", "filed", "missing", "late", "filed", "", "", ""]
    assert (row["filed"], row["due"], row["rate"]) == (3, 4, Decimal("75.0"))
    assert r.status_code == 200 and "75.0%" in r.content.decode()
    # the other county sees no team
    assert selectors.report_board(world.charlie)["rows"] == []


def test_one_report_a_week_filing_again_changes_it(world, team):
    with time_machine.travel(_at(dt.date(2026, 10, 9)), tick=False):
        _file(team, world.bob, 2026, 41)
        report = _file(team, world.bob, 2026, 41, met="拜访了5家企业")
    assert WeeklyReport.objects.count() == 1 and report.met == "拜访了5家企业"
    assert AuditEntry.objects.filter(event="weekly_report_changed").count() == 1


def test_refusals(world, team):
    with time_machine.travel(_at(dt.date(2026, 10, 9)), tick=False):
        with pytest.raises(ValidationError) as e:
            services_weekly.file_report(team, year=2026, week=41, met=" ", next_week="x", actor=world.bob)
        assert "本周对接拜访情况" in str(e.value)
        with pytest.raises(ValidationError) as e:
            _file(team, world.bob, 2026, 42)
        assert "还没有开始" in str(e.value)
        with pytest.raises(ValidationError) as e:
            _file(team, world.bob, 2026, 54)
        assert "第 54 周" in str(e.value)
        for person in (world.zr_handler, world.alice, world.other_handler):
            with pytest.raises(PermissionDenied):
                _file(team, person, 2026, 41)
    assert not WeeklyReport.objects.exists()
    with pytest.raises(ValidationError):
        services_weekly.save_team(None, actor=world.alice, department=world.jxj, station="深圳")
    with pytest.raises(ValidationError):
        services_weekly.save_team(None, actor=world.alice, department=world.other_jxj, station="深圳")


def test_reminder_on_the_due_day_once(world, team):
    services_weekly.save_team(None, actor=world.alice, department=world.zrzy, station="深圳")
    AbroadTeam.objects.update(created_on=dt.date(2026, 9, 1))
    assert services_weekly.remind_reports(dt.date(2026, 9, 29)) == 0  # not the due day
    with time_machine.travel(_at(dt.date(2026, 9, 30), 7), tick=False):
        _file(team, world.bob, 2026, 40)  # 工信局 filed; 自然资源局 did not
    assert services_weekly.remind_reports(dt.date(2026, 9, 30)) == 1
    assert services_weekly.remind_reports(dt.date(2026, 9, 30)) == 0
    assert list(
        Notification.objects.filter(title__contains="周报").values_list("recipient__username", flat=True)
    ) == ["zr_handler"]


def test_pages(world, team, login):
    with time_machine.travel(_at(dt.date(2026, 10, 9)), tick=False):
        bob = login(world.bob)
        r = bob.post(
            reverse("attraction:report_new"),
            {"year": 2026, "week": 41, "met": "拜访长三角企业", "new_leads": "", "next_week": "赴苏州"},
        )
        report = WeeklyReport.objects.get()
        assert r.status_code == 302 and r["Location"] == reverse("attraction:report_detail", args=[report.pk])
        assert "拜访长三角企业" in bob.get(r["Location"]).content.decode()
        r = bob.post(reverse("attraction:report_new"), {"year": 2026, "week": 41, "met": "", "next_week": ""})
        assert r.status_code == 200 and r.context["form"].errors.keys() == {"met", "next_week"}
        assert WeeklyReport.objects.get().met == "拜访长三角企业"
    assert login(world.zr_handler).get(reverse("attraction:report_new")).status_code == 404
    assert login(world.charlie).get(reverse("attraction:report_detail", args=[report.pk])).status_code == 404
    r = login(world.alice).post(
        reverse("attraction:abroad_teams"), {"department": world.zrzy.pk, "station": "深圳", "due_weekday": 3}
    )
    assert r.status_code == 302
    assert AbroadTeam.objects.get(department=world.zrzy).due_weekday == 3
    assert Department.objects.filter(abroad_team__isnull=False).count() == 2

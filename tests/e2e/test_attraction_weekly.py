"""招商引资 clocks and weekly reports in a real browser: the office names 工信局 a 驻外招商组
(驻上海); bob files this week's report from the board and sees 已报 beside 自然资源局's 未报; the
office filters the lead list by 超时 and bob records the late 响应 on the lead page. A phone shows
the board."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.attraction.conftest import make_lead
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_attraction import reference_data
from zhuqi.attraction.models import AbroadTeam, LeadClock, WeeklyReport
from zhuqi.core.workcalendar import add_working_days

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _next_monday_morning() -> dt.datetime:
    """10:00 Beijing time on the coming Monday: the week's report is then on time (due Friday),
    whatever day the suite runs on."""
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return dt.datetime.combine(monday, dt.time(10), tzinfo=timezone.get_current_timezone())


def test_weekly_reports_board(world, page, phone):
    with time_machine.travel(_next_monday_morning(), tick=True):
        _weekly_reports_board(world, page, phone)


def _weekly_reports_board(world, page, phone):
    reference_data()
    other = AbroadTeam.objects.create(
        department=world.zrzy, station="深圳", created_on=timezone.localdate() - dt.timedelta(weeks=3)
    )
    log_in(page, "alice", PASSWORD)
    page.goto("/attraction/weekly/teams/")
    form = page.locator("[data-testid=team-form]")
    form.locator("[name=department]").select_option(str(world.jxj.pk))
    form.locator("[name=station]").fill("上海")
    form.locator("[name=due_weekday]").select_option("4")
    form.get_by_role("button").click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=team-row]")).to_have_count(2)
    shot(page, "attraction-weekly-1-teams")

    page.context.clear_cookies()
    log_in(page, "bob", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="驻外招商周报").first.click()
    page.click("[data-testid=report-new]")
    form = page.locator("[data-testid=report-form]")
    form.locator("[name=met]").fill("拜访上海两家生物基材料企业，推介经开区聚乳酸产业园")
    form.locator("[name=new_leads]").fill("可降解餐具项目，约 2 亿元")
    form.locator("[name=next_week]").fill("邀请企业来固镇实地考察")
    shot(page, "attraction-weekly-2-form")
    page.click("[data-testid=report-submit]")
    page.wait_for_selector("[data-testid=report-detail]")
    assert "聚乳酸产业园" in page.locator("[data-testid=report-detail]").inner_text()
    report = WeeklyReport.objects.get()
    assert report.team.department == world.jxj and report.submitted_by == world.bob

    page.context.clear_cookies()
    log_in(page, "alice", PASSWORD)
    page.goto("/attraction/weekly/")
    rows = page.locator("[data-testid=board-row]")
    expect(rows).to_have_count(2)
    jxj = rows.filter(has_text=world.jxj.name)
    assert jxj.locator("[data-testid=board-cell]").first.get_attribute("data-state") == "filed"
    zr = rows.filter(has_text=world.zrzy.name)
    states = [c.get_attribute("data-state") for c in zr.locator("[data-testid=board-cell]").all()]
    assert "missing" in states and other.pk
    shot(page, "attraction-weekly-3-board")

    log_in(phone, "alice", PASSWORD)
    phone.goto("/attraction/weekly/")
    expect(phone.locator("[data-testid=board-row]")).to_have_count(2)
    shot(phone, "attraction-weekly-4-board-phone")


def test_overdue_clock_is_listed_and_recorded(world, page):
    reference_data()
    lead = make_lead(world)  # 5 亿元: the clocks run
    past = timezone.localdate() - dt.timedelta(days=20)
    LeadClock.objects.filter(lead=lead, kind="respond").update(
        started_on=past, due_on=add_working_days(past, 1)
    )
    log_in(page, "alice", PASSWORD)
    page.goto("/attraction/")
    page.check("[data-testid=lead-filter-overdue]")
    page.locator("[data-testid=lead-filters]").get_by_role("button").click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=lead-row]")).to_have_count(1)
    assert page.locator("[data-testid=lead-overdue]").inner_text() == "响应"
    shot(page, "attraction-clocks-1-overdue-list")

    page.context.clear_cookies()
    log_in(page, "bob", PASSWORD)
    page.goto(f"/attraction/leads/{lead.pk}/")
    row = page.locator("[data-testid=clock-row][data-kind=respond]")
    expect(row.locator("[data-testid=clock-overdue]")).to_have_count(1)
    row.locator("[name=note]").fill("已电话联系投资方，约定下周考察")
    row.get_by_role("button").click()
    page.wait_for_load_state()
    assert "已电话联系投资方" in page.locator("[data-testid=lead-clocks]").inner_text()
    shot(page, "attraction-clocks-2-recorded")
    assert LeadClock.objects.get(lead=lead, kind="respond").done_by == world.bob


def test_a_judging_meeting_decides_leads(world, page):
    from zhuqi.attraction.models import JudgingMeeting, Lead

    reference_data()
    keep = make_lead(world, investor="安徽丰原集团有限公司", title="年产5万吨聚乳酸项目")
    drop = make_lead(world, investor="某化工有限公司", title="年产2万吨氯碱项目", amount_wan="30000")
    log_in(page, "alice", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="线索研判会").first.click()
    page.click("[data-testid=meeting-new]")
    form = page.locator("[data-testid=meeting-form]")
    form.locator("[name=region]").select_option(str(world.county.pk))
    form.locator("[name=place]").fill("县政府三楼会议室")
    expect(form.locator("[data-testid=meeting-lead]")).to_have_count(2)
    shot(page, "attraction-judging-1-new")
    page.click("[data-testid=meeting-save]")
    page.wait_for_selector("[data-testid=judging-table]")
    meeting = JudgingMeeting.objects.get()
    for lead, scores, decision, reason in (
        (keep, ["8", "7", "6", "9", "8", "7"], "follow", ""),
        (drop, ["3", "5", "4", "2", "1", "5"], "drop", "能耗和环保不符合要求"),
    ):
        row = page.locator(f"[data-testid=judging-row][data-lead='{lead.pk}']")
        for box, value in zip(row.locator("input[type=number]").all(), scores, strict=True):
            box.fill(value)
        row.locator("[name$=tax_per_mu]").fill("25")
        row.locator("select").select_option(decision)
        row.locator("[name$=reason]").fill(reason)
    page.click("[data-testid=judging-save]")
    page.wait_for_load_state()
    assert (
        page.locator(
            f"[data-testid=judging-row][data-lead='{keep.pk}'] [data-testid=judging-total]"
        ).inner_text()
        == "45"
    )
    shot(page, "attraction-judging-2-scored")
    page.click("[data-testid=judging-decide]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=meeting-status]").inner_text() == "已决定"
    shot(page, "attraction-judging-3-decided")
    assert Lead.objects.get(pk=drop.pk).stage.code == "lost"
    assert Lead.objects.get(pk=keep.pk).stage.code == "lead"
    with page.expect_download() as download:
        page.click("[data-testid=meeting-minutes]")
    assert download.value.suggested_filename.endswith("会议纪要.docx")
    meeting.refresh_from_db()
    assert meeting.status == "decided"

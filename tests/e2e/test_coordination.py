"""The county leader's 协调会 in a real browser: the home card shows the cases waiting for a
coordination meeting; the leader ticks two in the queue and schedules a meeting; after it the
outcome is recorded (one case decided with its responsible department and new deadline, one left
for later); the decided case leaves the queue; the minutes download as Word; the phone shows
the queue and the meeting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.cases.conftest import CaseWorld
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.cases import services
from zhuqi.cases.models import Case, CoordinationMeeting, CoordinationSession, EscalationLevel

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/wt/shots/leader")


def _shot(pg, name):
    shot(pg, name)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def cw(world):
    return CaseWorld(world)


def _escalated(cw, title) -> Case:
    case = cw.to("in_progress", title=title)
    while case.escalation_level < EscalationLevel.COUNTY:
        case = services.escalate_case(case, actor=cw.w.alice, note="部门层面难以解决")
    return case


def test_leader_schedules_and_records_a_coordination_meeting(page, phone, cw):
    w = cw.w
    a = _escalated(cw, "新厂区用地指标不足")
    b = _escalated(cw, "跨县运输线路审批")
    log_in(page, "leader", PASSWORD)
    card = page.locator("[data-testid=coordination-card]")
    assert "待召开协调会的诉求" in card.inner_text() and a.no in card.inner_text()
    _shot(page, "coordination-home-card")
    page.click("[data-testid=coordination-card-link]")
    page.wait_for_selector("[data-testid=coordination-queue]")
    expect(page.locator("[data-testid=queue-row]")).to_have_count(2)
    page.check(f"[data-testid=queue-row][data-no='{a.no}'] [data-testid=queue-pick]")
    page.check(f"[data-testid=queue-row][data-no='{b.no}'] [data-testid=queue-pick]")
    # a forgotten place is named, the ticks stay
    when = timezone.localtime() - dt.timedelta(hours=1)
    page.fill("#id_scheduled_at", when.strftime("%Y-%m-%dT%H:%M"))
    page.click("[data-testid=schedule-submit]")
    expect(page.locator("[data-testid=schedule-card]")).to_contain_text("请填写会议地点")
    assert page.locator(f"[data-testid=queue-row][data-no='{a.no}'] [data-testid=queue-pick]").is_checked()
    page.fill("#id_place", "县政府三楼会议室")
    page.fill("#id_attendees", "企业负责人")
    _shot(page, "coordination-queue")
    page.click("[data-testid=schedule-submit]")
    page.wait_for_selector("[data-testid=record-form]")
    assert page.locator("[data-testid=session-status]").inner_text() == "已安排"
    session = CoordinationSession.objects.get()
    assert set(session.cases.all()) == {a, b}
    # the outcome: the first case decided, the second left for the next meeting
    row = page.locator(f"[data-testid=session-case][data-no='{a.no}']")
    row.locator("[data-testid=decision-input]").fill("自然资源局十个工作日内完成用地指标调剂")
    row.locator("[data-testid=department-input]").select_option(str(w.zrzy.pk))
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    row.locator("[data-testid=due-input]").fill(due)
    _shot(page, "coordination-record")
    page.click("[data-testid=record-submit]")
    page.wait_for_selector("[data-testid=session-status]:has-text('已召开')")
    assert "自然资源局十个工作日内" in page.locator("[data-testid=case-decision]").inner_text()
    _shot(page, "coordination-held")
    m = CoordinationMeeting.objects.get(case=a)
    assert m.department == w.zrzy and m.due_on.isoformat() == due
    with page.expect_download() as dl:
        page.click("[data-testid=session-minutes]")
    assert dl.value.suggested_filename.endswith("会议纪要.docx")
    # the queue keeps the undecided case only
    page.goto("/cases/coordination/")
    assert [r.get_attribute("data-no") for r in page.locator("[data-testid=queue-row]").all()] == [b.no]

    # on the phone
    log_in(phone, "leader", PASSWORD)
    _shot(phone, "coordination-home-phone")
    phone.goto("/cases/coordination/")
    phone.wait_for_selector("[data-testid=coordination-queue]")
    _shot(phone, "coordination-queue-phone")
    phone.goto(f"/cases/coordination/{session.pk}/")
    phone.wait_for_selector("[data-testid=session-cases]")
    _shot(phone, "coordination-held-phone")

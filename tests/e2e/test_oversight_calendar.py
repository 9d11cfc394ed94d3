"""管理日历事项 in a real browser: 督查 opens the oversight calendar, adds the monthly bulletin
through the form (a monthly event without its day is refused under the field), sees it listed and
on the calendar, switches it off; the pages on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.oversight.models import CalendarEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_event_added_through_the_form_is_on_the_calendar(world, page, phone):
    # a fixed Monday: the 90-day calendar's rows do not depend on the day the suite runs
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI), tick=True):
        log_in(page, "supervisor", PASSWORD)
        page.goto("/oversight/calendar/")
        expect(page.locator("[data-testid=calendar-row]")).to_have_count(0)
        page.click("[data-testid=calendar-manage]")
        page.click("[data-testid=calendar-event-new]")
        page.fill("#id_title", "一月一通报：月度助企工作通报")
        page.select_option("#id_kind", "monthly_bulletin")
        page.select_option("#id_recurrence", "monthly")
        page.select_option("#id_day_rule", "working")
        page.select_option("#id_department", str(world.jxj.pk))
        page.fill("#id_lead_days", "3")
        page.click("[data-testid=config-submit]")
        # no day: refused, and the message sits under the day
        expect(page.locator("[data-testid=error-day]")).to_contain_text("须填写日")
        shot(page, "oversight-calendar-event-form")
        page.fill("#id_day", "5")
        page.click("[data-testid=config-submit]")
        row = page.locator("[data-testid=calendar-event-row]")
        expect(row).to_have_count(1)
        assert "每月第 5 个工作日" in row.inner_text()
        shot(page, "oversight-calendar-events")
        page.click("text=返回督查日历")
        page.wait_for_url("**/oversight/calendar/")
        rows = page.locator("[data-testid=calendar-row]", has_text="一月一通报")
        expect(rows.nth(2)).to_be_attached()  # 90 days: three monthly bulletins at least
        shot(page, "oversight-calendar-with-event")
        # switched off: gone from the calendar
        page.goto("/oversight/calendar/events/")
        page.click("[data-testid=calendar-event-deactivate]")
        expect(page.locator("[data-testid=calendar-event-row][data-active='0']")).to_have_count(1)
        assert not CalendarEvent.objects.get().is_active
        page.goto("/oversight/calendar/")
        expect(page.locator("[data-testid=calendar-row]")).to_have_count(0)
        # the phone: the list and the form fit
        page.goto("/oversight/calendar/events/")
        page.click("[data-testid=calendar-event-activate]")
        log_in(phone, "supervisor", PASSWORD)
        phone.goto("/oversight/calendar/events/")
        assert phone.locator("[data-testid=calendar-event-row]").first.is_visible()
        shot(phone, "oversight-calendar-events-phone")
        phone.click("[data-testid=calendar-event-row] a")
        expect(phone.locator("#id_title")).to_have_value("一月一通报：月度助企工作通报")
        shot(phone, "oversight-calendar-event-form-phone")

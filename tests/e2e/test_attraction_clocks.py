"""招商线索办理时限 in a real browser: alice (尉氏县's office) opens 系统设置, sees the defaults in
force, types a day count that is not a whole number and reads the message under the field, then
saves 尉氏县's own setting and sees it in force and in the history; a phone shows the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_attraction import reference_data
from zhuqi.attraction.models import ClockSetting
from zhuqi.core.units import WAN

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_office_sets_the_county_clocks(world, page, phone):
    reference_data()
    log_in(page, "alice", PASSWORD)
    page.goto("/core/settings/")
    page.get_by_role("link", name="招商线索办理时限").click()
    page.wait_for_selector("[data-testid=clock-form]")
    assert "按系统默认" in page.locator("[data-testid=clock-source]").inner_text()
    assert "正在计时的时限不变" in page.locator("[data-testid=clock-note]").inner_text()
    shot(page, "attraction-clocks-1-defaults")

    assert page.locator("[data-testid=clock-pick] select").input_value() == str(world.county.pk)
    assert "按系统默认计时" in page.locator("[data-testid=clock-pick-source]").inner_text()
    form = page.locator("[data-testid=clock-form]")
    form.locator("[name=threshold]").fill("5000")
    form.locator("[name=respond_days]").fill("2")
    form.locator("[name=judge_days]").fill("1.5")
    form.locator("[name=feedback_days]").fill("10")
    form.locator("[name=progress_days]").fill("20")
    page.click("[data-testid=clock-submit]")
    page.wait_for_selector("[data-testid=error-judge_days]")
    assert "1–60 之间的整数" in page.locator("[data-testid=error-judge_days]").inner_text()
    assert not ClockSetting.objects.exists()
    shot(page, "attraction-clocks-2-error")

    page.locator("[data-testid=clock-form] [name=judge_days]").fill("5")
    page.click("[data-testid=clock-submit]")
    page.wait_for_selector("[data-testid=clock-row]")
    assert "尉氏县" in page.locator("[data-testid=clock-source]").inner_text()
    assert "5000.00 万元" in page.locator("[data-testid=clock-in-force]").inner_text()
    expect(page.locator("[data-testid=history-row]")).to_have_count(1)
    setting = ClockSetting.objects.get(region=world.county)
    assert (setting.threshold, setting.judge_days) == (5000 * WAN, 5)
    shot(page, "attraction-clocks-3-saved")

    log_in(phone, "alice", PASSWORD)
    phone.goto("/attraction/clocks/")
    phone.wait_for_selector("[data-testid=clock-card]")
    shot(phone, "attraction-clocks-4-phone")

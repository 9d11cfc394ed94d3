"""The error pages in a real browser: an official who follows a dead link sees the Chinese 404
page in the product's layout, with its menu and the favicon, and gets home from it; on a phone
too."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dead_link_shows_the_chinese_404_and_leads_home(page, world):
    log_in(page, "alice", PASSWORD)
    response = page.goto("/enterprises/999999/")
    assert response.status == 404
    page.wait_for_selector("[data-testid=error-page]")
    assert "页面不存在" in page.locator("[data-testid=error-page] h1").inner_text()
    expect(page.locator("[data-testid=nav-menu]")).to_have_count(1)  # the layout, with its menu
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(icon).status == 200
    shot(page, "error-1-404")
    page.click("[data-testid=error-home]")
    page.wait_for_url("**/")
    expect(page.locator("[data-testid=error-page]")).to_have_count(0)


def test_404_on_a_phone(phone, world):
    log_in(phone, "grid_member", PASSWORD)
    phone.goto("/cases/999999/")
    phone.wait_for_selector("[data-testid=error-page]")
    box = phone.locator("[data-testid=error-home]").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # the button fits the screen
    shot(phone, "error-2-404-phone")

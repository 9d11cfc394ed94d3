"""The UI shell in a real browser: log in, land on the role's home, switch language."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_switch_language_and_screenshot_home(page, world):
    page.goto("/")
    assert "/account/login/" in page.url
    assert page.locator("h1").inner_text().strip().endswith("助企平台")
    shot(page, "login")

    log_in(page, "alice", PASSWORD)
    title = page.locator("[data-testid=home-title]")
    assert title.get_attribute("data-role") == "dispatch"
    assert title.inner_text() == "专班办公室工作台"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    shot(page, "home-dispatch-zh")

    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("[data-testid=lang-switch]").inner_text().strip() == "中文"
    assert page.locator("[data-testid=home-title]").inner_text() == "Dispatch office workbench"
    assert page.locator("[data-testid=nav-menu] a", has_text="Dispatch board").is_visible()
    shot(page, "home-dispatch-en")

    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=zh-CN]")


def test_wrong_password_shows_chinese_message(page, world):
    page.goto("/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    error = page.locator("[data-testid=login-error]")
    expect(error).to_contain_text("用户名或密码不正确")


def test_phone_sized_home_has_collapsible_menu(phone, world):
    log_in(phone, "bob", PASSWORD)
    assert phone.locator("[data-testid=home-title]").inner_text() == "经办工作台"
    menu = phone.locator("[data-testid=nav-menu]")
    assert not menu.is_visible()
    phone.click("button.navbar-toggler")
    menu.wait_for(state="visible")
    phone.wait_for_selector("#zq-nav.show:not(.showing)")
    phone.wait_for_timeout(400)  # let the slide-in transition finish before the screenshot
    assert phone.locator("[data-testid=nav-menu] a", has_text="首页").is_visible()
    shot(phone, "home-handler-phone")

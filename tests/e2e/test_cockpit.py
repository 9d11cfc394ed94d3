"""Work-first home pages and the cockpit in a real browser, on the demo (固镇县): each role's home
opens on its queue at desktop and phone sizes; the county leader's cockpit shows the figures
and draws the towns from the demo's approximate outlines (ranked beside), a figure opens exactly
its rows; the city's cockpit draws its counties from the loaded outlines; the big screen is
1920×1080 without navigation. Screenshots in tests/e2e/screenshots/cockpit-*.png."""

from __future__ import annotations

import importlib

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import shot
from zhuqi.core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHIPPED = (
    "zhuqi.enterprises.migrations.0003_industries_tags",
    "zhuqi.assistance.migrations.0002_default_rules",
    "zhuqi.cases.migrations.0009_default_sla_schemes",
    "zhuqi.indicators.migrations.0002_standard_set",
    "zhuqi.mu.migrations.0002_shipped_schemes",
    "zhuqi.mu.migrations.0006_shipped_class_measures",
)

#: demo login → the testid of the card its home page must open on
HOMES = {
    "dispatch": "cases-card",
    "jxj_handler": "cases-card",
    "leader": "cases-card",
    "duban": "oversight-card",
    "zhuanyuan": "card-my-enterprises",
    "wangge": "card-my-enterprises",
    "qiye": "cases-card",
}


@pytest.fixture
def demo():
    """The whole demo (transactional tests flush the rows migrations ship: put them back)."""
    from django.apps import apps
    from django.db import IntegrityError, transaction

    for module in SHIPPED:
        try:
            with transaction.atomic():
                importlib.import_module(module).load(apps, None)
        except IntegrityError:  # still there: this is the session's first flush-free test
            pass
    from zhuqi.attraction.models import Pipeline

    if not Pipeline.objects.exists():  # the attraction pipelines and stages its migration seeds
        importlib.import_module("zhuqi.attraction.migrations.0002_seed_pipelines").seed(apps, None)
    call_command("demo", verbosity=0)


def _log_in(pg, username):
    pg.context.clear_cookies()
    pg.goto("/account/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", DEMO_PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_selector("[data-testid=home-title]")


def _first_card(pg) -> str:
    return pg.locator("main .row.g-3 > div > [data-testid]").first.get_attribute("data-testid")


def test_homes_cockpit_map_and_big_screen(demo, page, phone, browser, live_server):
    # --- every role opens on its queue: desktop, then phone ----------------------------------
    for username, first in HOMES.items():
        for pg, size in ((page, "desktop"), (phone, "phone")):
            _log_in(pg, username)
            assert _first_card(pg) == first, (username, size)
            assert "区划</div>" not in pg.content()  # no tile counting regions/departments/people
            shot(pg, f"cockpit-home-{username}-{size}")
    # the dispatch office's queue: the first item opens its case
    _log_in(page, "dispatch")
    items = page.locator("[data-testid=cases-card-items] a")
    if items.count():
        items.first.click()
        page.wait_for_url("**/cases/*/")

    # --- the county leader's cockpit ------------------------------------------------------------
    _log_in(page, "leader")
    page.locator("[data-testid=nav-menu] a", has_text="驾驶舱").click()
    page.wait_for_selector("[data-testid=cockpit-title]")
    assert "固镇县" in page.locator("[data-testid=cockpit-title]").inner_text()
    for key in ("close_rate", "overdue", "escalated", "investment", "red", "paid", "red_items", "mu_A"):
        assert page.locator(f"[data-testid=fig-{key}]").count() == 1, key
    assert page.locator("[data-testid=indicator-row]").count() > 0
    chart = page.locator("[data-testid=cockpit-chart]")
    assert chart.get_attribute("data-kind") == "map"  # the demo's approximate town outlines
    page.wait_for_selector("#cockpit-chart[data-ready='1']")
    assert page.locator("[data-testid=child-row]").count() >= 10
    shot(page, "cockpit-county-desktop")
    # a figure opens exactly its rows
    fig = page.locator("[data-testid=fig-accepted]")
    n = int(fig.get_attribute("data-n"))
    fig.click()
    expect(page.locator("[data-testid=pager-count]").first).to_have_text(f"共 {n} 条")
    shot(page, "cockpit-county-drill-accepted")
    # another metric ranks the towns again; a town opens its own cockpit
    page.go_back()
    page.select_option("[data-testid=metric-select]", "red")
    page.wait_for_url("**metric=red**")
    page.locator("[data-testid=child-cockpit]").first.click()
    page.wait_for_selector("[data-testid=cockpit-breadcrumb] a")
    assert "固镇县" in page.locator("[data-testid=cockpit-breadcrumb]").inner_text()
    shot(page, "cockpit-town-desktop")

    # --- the phone layout ------------------------------------------------------------------------
    _log_in(phone, "leader")
    phone.goto("/cockpit/")
    phone.wait_for_selector("#cockpit-chart[data-ready='1']")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # nothing wider than the phone
    shot(phone, "cockpit-county-phone")

    # --- the city draws its counties from the loaded outlines (admin) ---------------------------
    _log_in(page, "admin")
    from zhuqi.core.models import Region

    city = Region.objects.get(code="3403")
    page.goto(f"/cockpit/?region={city.pk}")
    page.wait_for_selector("#cockpit-chart[data-ready='1']")
    assert page.locator("[data-testid=cockpit-chart]").get_attribute("data-kind") == "map"
    assert page.locator("#cockpit-chart canvas").count() >= 1
    shot(page, "cockpit-city-map-desktop")

    # --- the big screen ------------------------------------------------------------------------
    ctx = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN", base_url=live_server.url
    )
    big = ctx.new_page()
    _log_in(big, "leader")
    big.goto("/cockpit/?screen=1")
    big.wait_for_selector("#cockpit-chart[data-ready='1']")
    expect(big.locator("[data-testid=nav-menu]")).to_have_count(0)
    expect(big.locator("meta[http-equiv=refresh]")).to_have_count(1)
    assert big.evaluate("document.documentElement.scrollHeight") <= 1080
    shot(big, "cockpit-county-screen")
    ctx.close()

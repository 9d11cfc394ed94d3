"""Configuration pages in a real browser, as the dispatch office: an enterprise pool and a 三个一批
round are created and edited from the product's pages (never /admin/), each showing its history
(红黑榜 rules: tests/e2e/test_oversight_assessment.py, test_projects.py); the visit-rule page
shows its history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_assistance import reference_data
from zhuqi.assistance import services as assistance_services
from zhuqi.enterprises.models import EnterpriseList
from zhuqi.projects.models import Campaign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _save(page):
    page.click("[data-testid=config-submit]")


def test_enterprise_pool_created_and_edited(page, world):
    log_in(page, "alice", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="企业清单").click()
    page.click("[data-testid=list-create]")
    page.fill("#id_name", "2026年小升规培育库")
    page.select_option("#id_kind", "pool")
    page.select_option("#id_region", str(world.county.pk))
    page.fill("#id_goal", "30")
    _save(page)
    expect(page.locator("[data-testid=error-pool]")).to_have_text("培育库请选择培育方向")
    page.select_option("#id_pool", "small_to_scale")
    _save(page)
    page.wait_for_selector(".alert-success")
    page.click("[data-testid=list-edit]")
    page.fill("#id_goal", "40")
    _save(page)
    page.wait_for_selector("[data-testid=pool-progress]")
    assert "年度目标 40 户" in page.locator("[data-testid=pool-progress]").inner_text()
    page.click("[data-testid=list-edit]")
    history = page.locator("[data-testid=config-history]").inner_text()
    assert "新建清单" in history and "修改清单" in history
    shot(page, "config-list-form")
    assert EnterpriseList.objects.get().goal == 40


def test_campaign_round(page, world):
    log_in(page, "alice", PASSWORD)
    page.goto("/projects/campaigns/")
    page.click("[data-testid=campaign-create]")
    page.fill("#id_name", "2026年第二期三个一批")
    page.select_option("#id_region", str(world.county.pk))
    page.fill("#id_round_no", "2")
    page.fill("#id_threshold_industrial", "30000")
    _save(page)
    page.wait_for_selector(".alert-success")
    assert Campaign.objects.get().thresholds == {"industrial": "300000000"}
    page.goto("/projects/campaigns/")
    page.click("[data-testid=campaign-edit]")
    assert page.input_value("#id_threshold_industrial") == "30000.00"
    expect(page.locator("[data-testid=config-history]")).to_contain_text("新建三个一批期次")
    shot(page, "config-campaign-form")


def test_visit_rule_page_history(page, world):
    reference_data()
    assistance_services.set_visit_rule("commissioner", period="month", min_visits=2, actor=world.admin)
    log_in(page, "alice", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="走访频次与包抓数量").click()
    expect(page.locator("[data-testid=config-history]")).to_contain_text("修改走访频次")
    shot(page, "config-visit-rules")

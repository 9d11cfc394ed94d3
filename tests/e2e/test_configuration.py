"""系统设置, walked in the browser: the administrator and the dispatch office configure regions,
departments, next year's holidays, problem categories, the SLA scheme and a routing rule from
the product's own pages (never /admin/), each showing its error under the field and its history."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.cases.models import Category, RoutingRule, SlaActivation, SlaPolicy
from zhuqi.core.models import Department, HolidayArrangement, Region
from zhuqi.core.workcalendar import SHANGHAI, is_working_day

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shipped_schemes():
    """Transactional tests flush the rows the migrations ship: put the SLA schemes back."""
    importlib.import_module("zhuqi.cases.migrations.0009_default_sla_schemes").load(apps, None)


def open_setting(page, testid: str) -> None:
    page.locator("[data-testid=nav-menu] a", has_text="系统设置").click()
    page.click(f"[data-testid=setting-{testid}]")


def test_admin_adds_moves_and_deactivates_regions(page, world):
    log_in(page, "admin", PASSWORD)
    open_setting(page, "coresettings_regions")
    form = page.locator("[data-testid=region-form]")
    form.locator("#id_code").fill("4102 23")
    form.locator("#id_name").fill("洧川镇")
    form.locator("#id_kind").select_option("town")
    form.locator("#id_parent").select_option(label="尉氏县")
    page.click("[data-testid=region-submit]")
    expect(page.locator("[data-testid=error-code]")).to_contain_text("字母、数字")
    page.locator("#id_code").fill("410223101")
    page.click("[data-testid=region-submit]")
    page.wait_for_selector("[data-testid=timeline]")
    town = Region.objects.get(code="410223101")
    assert town.path == "41/4102/410223/410223101/"
    # move the park (with its grids) under the new town: its subtree follows
    page.goto(f"/core/settings/regions/{world.park.pk}/")
    page.locator("#id_parent").select_option(label="洧川镇")
    page.click("[data-testid=region-submit]")
    page.wait_for_selector("[data-testid=timeline]")
    page.wait_for_selector(".alert-success")
    assert "调整上级区划" in page.locator("[data-testid=timeline]").inner_text()
    assert Region.objects.get(pk=world.grid.pk).path.startswith("41/4102/410223/410223101/410223P1/")
    # the grid still has a grid member: deactivation is refused and says why
    page.goto(f"/core/settings/regions/{world.grid.pk}/")
    assert "在职人员" in page.locator("[data-testid=uses]").inner_text()
    page.click("[data-testid=deactivate]")
    expect(page.locator(".alert-danger")).to_contain_text("在职人员：1")
    assert Region.objects.get(pk=world.grid.pk).is_active
    shot(page, "configuration-1-region")
    # the new town now holds the park: refused too, and it says so
    page.goto(f"/core/settings/regions/{town.pk}/")
    page.click("[data-testid=deactivate]")
    expect(page.locator(".alert-danger")).to_contain_text("下级区划")  # the park is under it now


def test_dispatch_office_creates_renames_and_retires_a_department(page, world):
    log_in(page, "alice", PASSWORD)
    open_setting(page, "coresettings_departments")
    table = page.locator("[data-testid=department-settings-table]").inner_text()
    assert "尉氏县工信局" in table and "通许县工信局" not in table
    form = page.locator("[data-testid=department-form]")
    form.locator("#id_name").fill("尉氏县工信局")
    form.locator("#id_region").select_option(label="尉氏县")
    page.click("[data-testid=department-submit]")
    expect(page.locator("[data-testid=error-name]")).to_contain_text("已有名为")
    page.locator("#id_name").fill("尉氏县商务局")
    page.click("[data-testid=department-submit]")
    page.wait_for_selector("[data-testid=timeline]")
    page.locator("#id_name").fill("尉氏县商务和投资促进局")
    page.locator("#id_region").select_option(label="尉氏经开区")
    page.click("[data-testid=department-submit]")
    page.wait_for_selector(".alert-success")
    dept = Department.objects.get(name="尉氏县商务和投资促进局")
    assert dept.region == world.park
    page.click("[data-testid=deactivate]")
    page.wait_for_selector("[data-testid=inactive]")
    assert not Department.objects.get(pk=dept.pk).is_active
    shot(page, "configuration-2-department")


def test_admin_enters_next_years_holidays_after_a_preview(page, world):
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, tzinfo=SHANGHAI), tick=True):
        log_in(page, "admin", PASSWORD)
        assert "2027年" in page.locator("[data-testid=calendar-warning]").inner_text()
        page.click("[data-testid=calendar-warning-link]")
        form = page.locator("[data-testid=holiday-form]")
        form.locator("#id_year").fill("2027")
        form.locator("#id_notice").fill("国务院办公厅关于2027年部分节假日安排的通知")
        form.locator("#id_holidays").fill("2027-01-01\n2月6日至12日\n2027-10-01~2027-10-07")
        form.locator("#id_workdays").fill("2027-02-20\n2027-10-09")
        page.click("[data-testid=holiday-preview-button]")
        preview = page.locator("[data-testid=holiday-preview]")
        expect(preview).to_contain_text("2027年")
        assert (
            page.locator("[data-testid=preview-month-2]").inner_text().strip() == "15"
        )  # 20 weekdays - 5, 8-12 Feb + Sat 20
        assert not HolidayArrangement.objects.exists()
        shot(page, "configuration-3-holiday-preview")
        page.click("[data-testid=holiday-save]")
        page.wait_for_selector("[data-testid=arrangement-2027]")
        expect(page.locator("[data-testid=calendar-warning]")).to_have_count(0)
        assert HolidayArrangement.objects.filter(year=2027).exists()
        assert is_working_day(dt.date(2027, 2, 20)) and not is_working_day(dt.date(2027, 2, 11))
        assert "录入" in page.locator("[data-testid=history]").inner_text()


def test_admin_adds_a_category_and_retires_one_still_used_by_a_rule(page, world):
    land = Category.objects.create(code="land", name="用地")
    RoutingRule.objects.create(category=land, region=world.county, lead_department=world.jxj)
    log_in(page, "admin", PASSWORD)
    open_setting(page, "casescategories")
    form = page.locator("[data-testid=category-form]")
    form.locator("#id_code").fill("land_quota")
    form.locator("#id_name").fill("用地指标")
    form.locator("#id_parent").select_option(label="用地")
    page.click("[data-testid=category-submit]")
    page.wait_for_selector("[data-testid=timeline]")
    assert Category.objects.get(code="land_quota").parent == land
    page.goto(f"/cases/settings/categories/{land.pk}/")
    page.click("[data-testid=deactivate]")
    expect(page.locator(".alert-danger")).to_contain_text("启用的分拨规则：1")
    assert Category.objects.get(pk=land.pk).is_active
    shot(page, "configuration-4-category")


def test_admin_edits_the_13710_scheme_and_schedules_shandong(page, world):
    shipped_schemes()
    log_in(page, "admin", PASSWORD)
    open_setting(page, "casessla")
    assert "河南“13710”" in page.locator("[data-testid=sla-current]").inner_text()
    major = SlaPolicy.objects.get(scheme="henan13710", urgency="major")
    page.locator("[data-testid=scheme-henan13710] a", has_text="重大复杂").click()
    page.locator("#id_resolve_days").fill("0")
    page.click("[data-testid=sla-policy-submit]")
    expect(page.locator("[data-testid=error-resolve_days]")).to_contain_text("1 到 250")
    page.locator("#id_resolve_days").fill("20")
    page.click("[data-testid=sla-policy-submit]")
    page.wait_for_selector(".alert-success")
    assert SlaPolicy.objects.get(pk=major.pk).resolve_days == 20
    assert "20" in page.locator("[data-testid=timeline]").inner_text()
    page.goto("/cases/settings/sla/")
    form = page.locator("[data-testid=sla-activation-form]")
    form.locator("#id_scheme").select_option("shandong5")
    start = dt.date.today() + dt.timedelta(days=30)
    form.locator("#id_effective_from").fill(start.isoformat())
    page.click("[data-testid=sla-activate]")
    page.wait_for_selector(".alert-success")
    assert start.isoformat() in page.locator("[data-testid=sla-current]").inner_text()
    assert SlaActivation.objects.get().scheme == "shandong5"
    shot(page, "configuration-5-sla")


def test_dispatch_office_edits_a_routing_rule(page, world):
    land = Category.objects.create(code="land", name="用地")
    rule = RoutingRule.objects.create(category=land, region=world.county, lead_department=world.zrzy)
    log_in(page, "alice", PASSWORD)
    open_setting(page, "casesrules")
    page.click("[data-testid=rule-edit]")
    page.locator("#id_lead_department").select_option(label="尉氏县工信局")
    page.click("[data-testid=rule-submit]")
    page.wait_for_selector(".alert-success")
    assert RoutingRule.objects.get(pk=rule.pk).lead_department == world.jxj
    assert "保存分拨规则" in page.locator("[data-testid=timeline]").inner_text()
    shot(page, "configuration-6-rule")

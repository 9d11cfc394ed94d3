"""Indicators in a real browser: an enterprise fills its monthly return on a phone (a bad cell is
named, nothing saved; then it goes through), the dispatch office sees the completeness board and
its rows, reminds the one missing, and approves the month; the locked return then says so."""

from __future__ import annotations

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.indicators.conftest import IndicatorWorld
from zhuqi.indicators import selectors, services
from zhuqi.indicators.models import Approval, Report, Value

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def reference_data():
    """The flush took the standard indicator set (a migration's data): put it back."""
    importlib.import_module("zhuqi.indicators.migrations.0002_standard_set").load(apps, None)


def test_enterprise_reports_on_a_phone_and_the_county_approves(world, phone, page):
    reference_data()
    iw = IndicatorWorld(world)
    period = selectors.current_period(iw.monthly)
    label = period.label(iw.monthly.merge_jan_feb)

    log_in(phone, "ent_user", PASSWORD)
    phone.click("button.navbar-toggler")
    phone.locator("[data-testid=nav-menu] a", has_text="报表填报").first.click()
    row = phone.locator(f"[data-testid=my-period][data-period='{period.code}']")
    assert label in row.inner_text()
    row.locator("[data-testid=fill-return]").click()
    assert phone.locator("[data-testid=return-period]").inner_text() == label
    phone.fill("[data-testid=value-gross_output]", "12,345.6")
    phone.fill("[data-testid=value-tax]", "八十")
    phone.fill("[data-testid=value-profit]", "-20")
    phone.fill("[data-testid=value-employees]", "320")
    phone.click("[data-testid=return-submit]")
    error = phone.locator("[data-testid=return-row][data-indicator=tax] [data-testid=row-error]")
    expect(error).to_contain_text("“八十”不是数字")
    assert not Value.objects.exists()
    shot(phone, "indicators-1-return-error-phone")
    phone.fill("[data-testid=value-tax]", "80")
    phone.click("[data-testid=return-submit]")
    phone.wait_for_selector("[data-testid=my-form]")
    assert "已报送" in phone.locator(f"[data-testid=my-period][data-period='{period.code}']").inner_text()
    assert str(Value.objects.get(indicator=iw.output, period=period.code).cumulative) == "12345.6000"
    shot(phone, "indicators-2-my-returns-phone")

    log_in(page, "alice", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="指标报送").first.click()
    page.locator("[data-testid=dataset-table] a", has_text="规上工业企业月报").click()
    total = page.locator("[data-testid=completeness-total]").inner_text()
    assert "2" in total and "50.0%" in total  # 2 expected, 1 reported
    assert iw.ent2.name in page.locator("[data-testid=listed-table]").inner_text()
    shot(page, "indicators-3-completeness")
    page.click("[data-testid=remind-all]")
    expect(page.locator("body")).to_contain_text(f"{iw.ent2.name} 没有企业账号，也没有包抓干部")

    page.locator("[data-testid=nav-menu] a", has_text="报表审核").first.click()
    # still within the reporting days with one enterprise missing: no locking yet
    waiting = page.locator(
        f"[data-testid=approval-row][data-period='{period.code}'] [data-testid=still-reporting]"
    )
    assert "尚有 1 户未报" in waiting.inner_text()
    shot(page, "indicators-3b-still-reporting")
    assert not page.locator(
        f"[data-testid=approval-row][data-period='{period.code}'] [data-testid=approve]"
    ).count()
    # its 包抓 official enters the missing return on its behalf; then the month can be approved
    figures = {item.indicator_id: {"cumulative": D(100)} for item in iw.monthly.items.all()}
    services.submit_return(iw.monthly, iw.ent2, period, figures, actor=world.alice, source="behalf")
    page.reload()
    page.locator(f"[data-testid=approval-row][data-period='{period.code}'] [data-testid=approve]").click()
    page.wait_for_selector(f"[data-testid=approval-row][data-period='{period.code}'] [data-testid=approved]")
    assert Approval.objects.get(period=period.code).status == "approved"
    shot(page, "indicators-4-approved")

    phone.goto(f"/indicators/returns/{iw.monthly.pk}/{period.code}/{iw.ent.pk}/")
    assert phone.locator("[data-testid=return-locked]").is_visible()
    assert Report.objects.filter(period=period.code, enterprise=iw.ent).count() == 1


def test_dispatch_sets_up_a_report_form_in_settings(world, page):
    reference_data()
    IndicatorWorld(world)
    log_in(page, "alice", PASSWORD)
    page.goto("/core/settings/")
    page.click("[data-testid='setting-indicatorssettings_datasets']")
    form = page.locator("[data-testid=dataset-form]")
    form.locator("#id_code").fill("wsx_power")
    form.locator("#id_name").fill("重点企业用电月报")
    form.locator("#id_region").select_option(label="尉氏县")
    form.locator("#id_due_working_days").fill("3")
    form.locator("#id_indicators input[type=checkbox]").first.check()
    page.click("[data-testid=dataset-submit]")
    page.wait_for_url("**/indicators/settings/datasets/*/")
    assert "重点企业用电月报" in page.content()
    shot(page, "indicators-5-settings-dataset")
    from zhuqi.indicators.models import DataSet

    assert DataSet.objects.get(code="wsx_power").items.count() == 1

"""经济指标调度 in a real browser: a target set and decomposed to 旬 through the page (preview, save,
a manual correction refused when the parts do not add up); the dispatch view shows who is behind
(completion against 时序进度, same-panel and nominal growth, the laggard), drills to the rows and
sends a 督办提醒; the charts draw; the view works on a phone."""

from __future__ import annotations

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance.models import Assignment, AssignmentRole
from zhuqi.core.models import Notification
from zhuqi.indicators.models import Indicator, Target, Value
from zhuqi.indicators.periods import Period

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _values(world):
    """尉氏县's 工业总产值 for 1—10月 2026 and 2025 (the example of docs/indicators-figures.md)."""
    importlib.import_module("zhuqi.indicators.migrations.0002_standard_set").load(apps, None)
    output = Indicator.objects.get(code="gross_output")
    ent = make_enterprise("恒顺集团有限公司", world.grid, above_scale=True)
    ent2 = make_enterprise("丰原生物化学股份有限公司", world.grid2, above_scale=True)
    small = make_enterprise("城关小微企业", world.town)
    gone = make_enterprise("退规企业", world.grid)

    def val(e, code, cum, ly=None):
        p = Period.parse(code)
        Value.objects.create(
            indicator=output,
            period=code,
            year=p.year,
            period_type=p.type,
            enterprise=e,
            region=e.region,
            region_path=e.region_path,
            cumulative=D(cum),
            value=D(cum),
            last_year_cumulative=None if ly is None else D(ly),
            source="behalf",
        )

    for e, cum in ((ent, 400), (ent2, 360), (gone, 200)):
        val(e, "202510", cum)
    val(ent, "202610", 500, 400)
    val(ent2, "202610", 300, 360)
    val(small, "202610", 100)
    Assignment.objects.create(
        enterprise=ent2, year=2026, role=AssignmentRole.COUNTY_LEADER, user=world.leader
    )
    return output, ent2


def test_targets_set_and_decomposed_through_the_page(page, world):
    _values(world)
    log_in(page, "alice", PASSWORD)
    page.goto("/indicators/targets/?year=2026")
    page.click("[data-testid=target-new]")
    page.select_option("#id_indicator", label="工业总产值（万元）")
    page.fill("#id_year", "2026")
    page.select_option("#id_region", label=world.county.name)
    page.fill("#id_amount", "1500")
    page.select_option("#id_decomposed_to", value="X")
    page.click("[data-testid=target-preview-btn]")
    parts = page.locator("[data-testid=target-preview] [data-testid=part]")
    expect(parts).to_have_count(36)
    assert parts.nth(0).input_value() == "41.7" and parts.nth(35).input_value() == "40.5"
    assert "375" in page.locator("[data-testid=preview-quarters]").inner_text()
    shot(page, "indicators-target-preview")
    assert not Target.objects.exists()
    page.click("[data-testid=target-save]")
    page.wait_for_selector("[data-testid=target-title]")
    assert page.locator("[data-testid=target-amount]").inner_text().startswith("1500")
    t = Target.objects.get()
    assert (t.decomposed_to, t.parts.filter(period_type="X").count()) == ("X", 36)

    # a manual correction that does not add up is refused, naming the gap
    page.locator("[data-testid=parts-form] [data-testid=part]").nth(0).fill("50")
    page.click("[data-testid=parts-save]")
    page.wait_for_selector(".alert-danger")
    assert "相差 8.3" in page.locator(".alert-danger").inner_text()
    shot(page, "indicators-target-parts")


def test_dispatch_shows_who_is_behind_and_drills_to_the_rows(page, world):
    output, ent2 = _values(world)
    from zhuqi.indicators import services_targets

    services_targets.set_target(
        output, 2026, region=world.county, amount=D(1500), growth=D(8), actor=world.alice
    )
    log_in(page, "alice", PASSWORD)
    page.goto("/indicators/dispatch/?period=202610&indicator=gross_output")
    row = page.locator("[data-testid=summary-table] tr[data-indicator=gross_output]")
    assert row.locator("[data-testid=completion]").inner_text() == "60.0%"
    assert row.locator("[data-testid=lead] [data-light]").get_attribute("data-light") == "yellow"
    assert row.locator("[data-testid=panel-growth]").inner_text() == "5.3%"
    assert row.locator("[data-testid=nominal-growth]").inner_text() == "-6.3%"
    laggard = page.locator("[data-testid=laggards] [data-testid=laggard]")
    expect(laggard).to_have_count(1)
    assert ent2.name in laggard.inner_text()
    page.wait_for_selector("#ind-curve[data-ready='1'] canvas")
    page.wait_for_selector("#ind-rank[data-ready='1'] canvas")
    shot(page, "indicators-dispatch")

    # the actual drills down to the enterprises' values
    row.locator("[data-testid=actual]").click()
    page.wait_for_selector("[data-testid=value-rows]")
    expect(page.locator("[data-testid=value-row]")).to_have_count(3)
    page.click("[data-testid=set-panel]")
    page.wait_for_selector("[data-testid=set-panel].active")
    rows = page.locator("[data-testid=value-row]")
    expect(rows).to_have_count(2)  # the largest fall first
    assert ent2.name in rows.nth(0).inner_text()
    shot(page, "indicators-dispatch-rows")

    # 督办提醒 from the laggard reaches its 包抓 leader
    page.goto("/indicators/dispatch/?period=202610&indicator=gross_output")
    laggard.locator("[data-testid=remind]").click()
    page.wait_for_selector(".alert-success")
    assert Notification.objects.filter(recipient=world.leader, title__contains="督办提醒").count() == 1


def test_dispatch_on_a_phone_and_scope(phone, world):
    _values(world)
    log_in(phone, "alice", PASSWORD)
    phone.goto("/indicators/dispatch/?period=202610&indicator=gross_output")
    phone.wait_for_selector("#ind-curve[data-ready='1'] canvas")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    shot(phone, "indicators-dispatch-phone")
    phone.context.clear_cookies()
    log_in(phone, "charlie", PASSWORD)
    resp = phone.goto(f"/indicators/dispatch/?region={world.county.pk}")
    assert resp.status == 404

"""招商 annual targets decomposed over the year, in a real browser: the office opens 分解目标 from the
annual page, previews a manual decomposition by quarter, is told which metric does not add up,
corrects it and saves; the annual page then shows 已分解 and the 时序进度. On a phone the form
previews a month decomposition. Screenshots (1366 and 390 wide) go to /work/wt/shots/targets15/."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.e2e.test_attraction import reference_data
from zhuqi.attraction import services
from zhuqi.attraction.models import AnnualTargetPart
from zhuqi.core.units import YI

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/wt/shots/targets15")


def _shot(pg, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_office_decomposes_an_annual_target(world, page, phone):
    reference_data()
    year = timezone.localdate().year
    target = services.save_annual_target(
        actor=world.alice,
        year=year,
        region=world.county,
        signed_count=10,
        signed_amount=20 * YI,
        funds=5 * YI,
    )
    log_in(page, "alice", PASSWORD)
    page.goto(f"/attraction/annual/?year={year}")
    expect(page.locator("[data-testid=schedule-split]")).to_have_text("未分解")
    page.locator("[data-testid=split-link]").click()
    page.wait_for_url(f"**/attraction/annual/{target.pk}/split/")

    # manual, by quarter: the preview opens the cells, a wrong sum is refused naming the metric
    page.select_option("#id_method", "manual")
    page.select_option("#id_split_to", "Q")
    counts = page.locator("[data-testid=split-metric][data-metric=signed_count] [data-testid=split-part]")
    expect(counts.first).not_to_be_editable()  # 平均分解 shown, read only
    page.locator("[data-testid=split-preview-btn]").click()
    expect(counts.first).to_be_editable()
    expect(page.locator("[data-testid=split-part]")).to_have_count(12)
    for i, value in enumerate(["4", "3", "2", "2"]):
        counts.nth(i).fill(value)
    page.locator("[data-testid=split-save]").click()
    expect(page.locator("[data-testid=split-errors]")).to_contain_text("签约亿元以上项目（个）")
    expect(page.locator("[data-testid=split-errors]")).to_contain_text("相差 1")
    assert not AnnualTargetPart.objects.exists()
    _shot(page, "split-refused-desktop")
    counts = page.locator("[data-testid=split-metric][data-metric=signed_count] [data-testid=split-part]")
    counts.nth(3).fill("1")
    page.locator("[data-testid=split-save]").click()
    page.wait_for_url(lambda url: url.endswith(f"/attraction/annual/?year={year}"))
    expect(page.locator("[data-testid=schedule-split]")).to_have_text("已分解到季度")
    assert [p.amount for p in AnnualTargetPart.objects.filter(metric="signed_count").order_by("period")] == [
        Decimal(4),
        Decimal(3),
        Decimal(2),
        Decimal(1),
    ]
    row = page.locator("[data-testid=schedule-row][data-metric=signed_count]")
    expect(row).to_have_count(1)
    assert row.locator("[data-testid=schedule-elapsed]").inner_text().endswith("%")
    _shot(page, "annual-schedule-desktop")
    # the actual drills down to the lead list
    row.locator("[data-testid=schedule-actual-link]").click()
    page.wait_for_url(lambda url: "/attraction/?signed_from=" in url)

    # on a phone: the form previews an equal decomposition to months (12 cells a metric, quarters)
    log_in(phone, "alice", PASSWORD)
    phone.goto(f"/attraction/annual/{target.pk}/split/")
    phone.select_option("#id_method", "equal")
    phone.select_option("#id_split_to", "M")
    phone.locator("[data-testid=split-preview-btn]").click()
    expect(phone.locator("[data-testid=split-part]")).to_have_count(36)
    expect(phone.locator("[data-testid=split-quarters]")).to_have_count(3)
    expect(phone.locator("[data-testid=split-quarters]").first).to_contain_text("第四季度")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form overflows the phone: {width}px"
    _shot(phone, "split-months-phone")
    phone.goto(f"/attraction/annual/?year={year}")
    expect(phone.locator("[data-testid=schedule-unit]")).to_have_count(1)
    expect(phone.locator("[data-testid=schedule-cards]")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(phone, "annual-schedule-phone")
    page.goto(f"/attraction/annual/{target.pk}/split/")
    _shot(page, "split-form-desktop")

"""The wide 招商 tables on a phone (390 px): the 到位资金台账 with its 关账 column and the annual
targets with their size bands and the 延链补链 qualifier become cards, so the page never scrolls
sideways and the key figures (each month's amount and close, each unit's 完成率) are on screen.
Desktop (1280) and phone screenshots go to /work/wt/shots/attrapi2/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.e2e.test_attraction import reference_data
from tests.e2e.test_attraction_ledger import _lead
from zhuqi.attraction import services
from zhuqi.attraction.models import Chain, ChainNode, FundMonth, Lead
from zhuqi.core.units import WAN, YI

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/wt/shots/attrapi2")


def _shot(pg, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_sideways_scroll(pg) -> None:
    width, inner = pg.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{pg.url}: the page is {width} px wide on a {inner} px screen"


def test_ledger_and_targets_read_on_a_phone(world, page, phone):
    reference_data()
    year = timezone.localdate().year
    a = _lead(world, "甲项目", "5", dt.date(year, 3, 10))
    e = _lead(world, "戊项目", "25", dt.date(year, 6, 1))
    chain = Chain.objects.create(name="生物基新材料", region=world.county)
    link = ChainNode.objects.create(chain=chain, name="可降解制品", position="down", gap="extend")
    Lead.objects.filter(pk=e.pk).update(chain_node=link)
    for lead, month, wan in ((a, 1, "2000"), (e, 2, "5000")):
        FundMonth.objects.create(
            lead=lead,
            year=year - 1 if year > 2000 and timezone.localdate().month <= 2 else year,
            month=month,
            source="out_province",
            amount=Decimal(wan) * WAN,
            recognised=True,
            recorded_by=world.alice,
            reason="省外资金，认定依据：银行进账单及出资证明（较长的说明文字用于检查手机上的换行）",
        )
    services.save_annual_target(
        actor=world.alice,
        year=year,
        region=world.county,
        signed_count=4,
        signed_5=2,
        signed_20=1,
        signed_chain=2,
        signed_amount=40 * YI,
        funds=3 * YI,
    )
    services.save_annual_target(
        actor=world.alice, year=year, region=world.county, team=world.jxj, signed_count=3, funds=2 * YI
    )
    ledger_year = FundMonth.objects.values_list("year", flat=True).first()
    services.close_ledger(actor=world.alice, region=world.county, year=ledger_year, month=1)
    services.reopen_ledger(
        actor=world.alice,
        region=world.county,
        year=ledger_year,
        month=1,
        reason="补录甲项目1月到位资金分割证明，原件已报专班办公室核验",
    )
    if (ledger_year, 2) < (timezone.localdate().year, timezone.localdate().month):
        services.close_ledger(actor=world.alice, region=world.county, year=ledger_year, month=2)

    # desktop: the tables as they were
    page.set_viewport_size({"width": 1280, "height": 860})
    log_in(page, "alice", PASSWORD)
    page.goto(f"/attraction/funds/?year={ledger_year}")
    assert page.locator("[data-testid=funds-ledger]").is_visible()
    assert not page.locator("[data-testid=funds-ledger-cards]").is_visible()
    _shot(page, "funds-ledger-desktop")
    page.goto(f"/attraction/annual/?year={year}")
    assert page.locator("[data-testid=annual-ranking]").is_visible()
    assert (
        "其中延链补链（1 亿元及以上）：1 / 2 · 50.0%"
        in page.locator("[data-testid=annual-row]", has_text="区划")
        .locator("[data-testid=annual-bands]")
        .inner_text()
    )
    _shot(page, "annual-targets-desktop")

    # phone: cards, no sideways scrolling, the figures on screen
    log_in(phone, "alice", PASSWORD)
    phone.goto(f"/attraction/funds/?year={ledger_year}")
    _no_sideways_scroll(phone)
    assert not phone.locator("[data-testid=funds-ledger]").is_visible()
    card = phone.locator("[data-testid=ledger-card-2]")
    assert card.is_visible() and "5000.00 万元" in card.inner_text()
    reopened = phone.locator("[data-testid=ledger-card-close-1]")
    assert reopened.is_visible() and "已重新开账" in reopened.inner_text()
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.locator("[data-testid=funds-cards]").is_visible()
    _shot(phone, "funds-ledger-phone")
    phone.goto(f"/attraction/funds/?year={ledger_year}&month=2&recognised=1")
    _no_sideways_scroll(phone)
    assert "戊项目" in phone.locator("[data-testid=funds-cards]").inner_text()
    _shot(phone, "funds-ledger-month-phone")

    phone.goto(f"/attraction/annual/?year={year}")
    _no_sideways_scroll(phone)
    assert not phone.locator("[data-testid=annual-ranking]").is_visible()
    cards = phone.locator("[data-testid=annual-card]")
    expect(cards).to_have_count(2)
    county = cards.filter(has_text="尉氏县").filter(has_text="区划").first
    text = county.inner_text()
    assert county.is_visible() and "50.0%" in text and "其中延链补链（1 亿元及以上）：1 / 2 · 50.0%" in text
    assert county.locator("[data-testid=annual-card-rate]").first.is_visible()
    _shot(phone, "annual-targets-phone")

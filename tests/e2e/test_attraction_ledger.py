"""招商 targets by size band, the 台账's 关账 and a second phase (二期), in a real browser: the
office reads the 规模档 progress and drills down to the signed leads, closes November's 台账 and
reopens it with a reason, and a second phase's page shows its first phase and why its funds
are not recognised. Desktop (1280) and phone (390) screenshots go to /work/wt/shots/ledger/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.e2e.test_attraction import reference_data
from zhuqi.attraction import services
from zhuqi.attraction.models import Contract, FundMonth, Lead, LedgerClose, Stage, StageChange
from zhuqi.core.units import WAN, YI
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/wt/shots/ledger")


def _shot(pg, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _lead(world, title, yi, day, **extra):
    lead = services.register_lead(
        actor=world.alice,
        pipeline=Stage.objects.get(pipeline__code="new", code="lead").pipeline,
        title=title,
        investor_name=f"{title}投资有限公司",
        source="referral",
        amount=Decimal(yi) * YI,
        region=world.park,
        team=world.jxj,
        **extra,
    )
    signed = Stage.objects.get(pipeline__code="new", code="signed")
    started = Stage.objects.get(pipeline__code="new", code="started")
    for stage, hour in ((signed, 10), (started, 11)):
        StageChange.objects.create(
            lead=lead,
            to_stage=stage,
            actor=world.alice,
            at=dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI),
        )
    Lead.objects.filter(pk=lead.pk).update(stage=started)
    Contract.objects.create(
        lead=lead, kind="formal", signed_on=day, amount=Decimal(yi) * YI, created_by=world.alice
    )
    return lead


def test_bands_close_and_second_phase(world, page, phone):
    reference_data()
    year = timezone.localdate().year
    a = _lead(world, "甲项目", "5", dt.date(year, 3, 10))
    e = _lead(world, "戊项目", "25", dt.date(year, 6, 1))
    _lead(world, "丙项目", "0.8", dt.date(year, 4, 1))
    second = _lead(world, "甲项目二期", "3", dt.date(year, 7, 1), phase_of=a)
    for lead, wan in ((a, "2000"), (e, "5000")):
        FundMonth.objects.create(
            lead=lead,
            year=year,
            month=2,
            source="out_province",
            amount=Decimal(wan) * WAN,
            recognised=True,
            recorded_by=world.alice,
        )
    services.record_funds(  # August: after 甲 signed in March, so a second phase's
        second, year=year, month=8, source="out_province", amount=1000 * WAN, actor=world.alice
    )
    services.save_annual_target(
        actor=world.alice,
        year=year,
        region=world.county,
        signed_count=4,
        signed_5=2,
        signed_20=1,
        signed_amount=40 * YI,
        funds=3 * YI,
    )
    page.set_viewport_size({"width": 1280, "height": 860})
    log_in(page, "alice", PASSWORD)

    # 规模档: 5 亿元及以上 2 / 2, drill down to 甲 and 戊
    page.goto(f"/attraction/annual/?year={year}")
    bands = page.locator("[data-testid=annual-bands]").first.inner_text()
    assert "5 亿元及以上：2 / 2" in bands and "50 亿元及以上：0" in bands and "未设目标" in bands
    _shot(page, "annual-targets-desktop")
    page.locator("[data-testid=annual-band-link]").first.click()
    page.wait_for_load_state()
    titles = page.locator("tbody").inner_text()
    assert "甲项目" in titles and "戊项目" in titles and "丙项目" not in titles
    assert page.locator("[data-testid=lead-filter-size]").input_value() == "5"
    _shot(page, "lead-list-size-band-desktop")

    # 关账: close February, the row shows who and when; reopen with a reason
    page.goto(f"/attraction/funds/?year={year}")
    page.select_option("[data-testid=close-month]", "2")
    page.locator("[data-testid=close-form] button").click()
    page.wait_for_load_state()
    cell = page.locator("[data-testid=ledger-close-2]").inner_text()
    assert "已关账" in cell and str(world.alice) in cell
    assert LedgerClose.objects.get(year=year, month=2).is_closed
    _shot(page, "funds-ledger-closed-desktop")
    # the second phase's page names its first phase and why its August funds do not count
    page.goto(f"/attraction/leads/{second.pk}/")
    assert "前期项目" in page.locator("[data-testid=lead-phase-of]").inner_text()
    assert "不作为新的省外到位资金项目" in page.content()
    _shot(page, "lead-second-phase-desktop")
    page.goto(f"/attraction/funds/?year={year}")
    page.fill("[data-testid=reopen-reason]", "补录甲项目二期2月到位资金分割证明")
    page.locator("[data-testid=reopen-form] button").click()
    page.wait_for_load_state()
    assert "已重新开账" in page.locator("[data-testid=ledger-close-2]").inner_text()
    assert not LedgerClose.objects.get(year=year, month=2).is_closed

    # a phone: the ledger with its 关账 column and the annual bands
    services.close_ledger(actor=world.alice, region=world.county, year=year, month=1)
    log_in(phone, "alice", PASSWORD)
    phone.goto(f"/attraction/funds/?year={year}")
    assert phone.locator("[data-testid=ledger-close-form]").is_visible()
    _shot(phone, "funds-ledger-phone")
    phone.goto(f"/attraction/annual/?year={year}")
    assert phone.locator("[data-testid=annual-cards]").is_visible()
    _shot(phone, "annual-targets-phone")
    phone.goto(f"/attraction/leads/{second.pk}/")
    _shot(phone, "lead-second-phase-phone")

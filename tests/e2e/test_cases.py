"""The whole case loop in a real browser: the enterprise submits on the portal (phone) → the
dispatch office accepts and dispatches → the department signs for and replies → the follow-up
call is unsatisfied → reopened (重办) → replied again → the enterprise rates it satisfied → closed."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.cases.conftest import CaseWorld
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.cases.models import Case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cw(world):
    return CaseWorld(world)


def _context(browser, live_server, *, phone=False):
    if phone:
        ctx = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            base_url=live_server.url,
        )
    else:
        ctx = browser.new_context(
            viewport={"width": 1366, "height": 860}, locale="zh-CN", base_url=live_server.url
        )
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    return ctx, pg


def _status(pg) -> str:
    return pg.locator("[data-testid=case-status]").get_attribute("data-status")


def test_whole_loop(browser, live_server, cw):
    w = cw.w
    # 1. the enterprise submits on its phone
    ent_ctx, ent = _context(browser, live_server, phone=True)
    log_in(ent, "ent_user", PASSWORD)
    ent.goto("/cases/portal/")
    shot(ent, "cases-portal-empty-phone")
    ent.click("[data-testid=portal-new]")
    ent.fill("#id_title", "新生产线变压器需要增容")
    ent.fill(
        "#id_description",
        "新上两条生产线，用电负荷增加，现有 630 千伏安变压器容量不足，请协调供电公司尽快增容。",
    )
    ent.fill("#id_contact_phone", "13900001111")
    shot(ent, "cases-portal-form-phone")
    ent.click("[data-testid=portal-submit]")
    ent.wait_for_selector("[data-testid=case-status]")
    assert _status(ent) == "submitted"
    shot(ent, "cases-portal-submitted-phone")
    case = Case.objects.get(title="新生产线变压器需要增容")
    assert case.channel == "portal"

    # 2. the dispatch office accepts and dispatches from its board
    d_ctx, d = _context(browser, live_server)
    log_in(d, "alice", PASSWORD)
    d.goto("/cases/board/")
    assert d.locator(f"[data-testid=case-row][data-no='{case.no}']").is_visible()
    shot(d, "cases-board")
    d.click(f"[data-testid=case-row][data-no='{case.no}']")
    expect(d.locator("[data-testid=route-suggestion]")).to_be_visible()
    assert "水电气" in d.locator("[data-testid=route-suggestion]").inner_text()
    shot(d, "cases-detail-dispatch-submitted")
    d.click("[data-testid=act-accept]")
    d.wait_for_selector("[data-testid=case-status][data-status=accepted]")
    d.select_option("[data-testid=dispatch-lead]", str(w.jxj.pk))
    d.click("[data-testid=act-dispatch]")
    d.wait_for_selector("[data-testid=case-status][data-status=dispatched]")
    assert "工信局" in d.locator("[data-testid=lead]").inner_text()
    # the enterprise sees when its reply is due, not the department's sign deadline
    ent.reload()
    assert "答复期限" in ent.locator("[data-testid=enterprise-dues]").inner_text()
    assert "签收期限" not in ent.content()

    # 3. the department signs for it and replies
    h_ctx, h = _context(browser, live_server)
    log_in(h, "bob", PASSWORD)
    h.goto("/cases/inbox/")
    shot(h, "cases-inbox")
    h.click(f"[data-testid=case-row][data-no='{case.no}']")
    h.click("[data-testid=act-sign]")
    h.wait_for_selector("[data-testid=case-status][data-status=signed]")
    h.fill("[data-testid=reply-text]", "已协调供电公司现场勘查，增容方案已确定，本周内完成施工。")
    h.click("[data-testid=act-reply]")
    h.wait_for_selector("[data-testid=case-status][data-status=replied]")

    # 4. the follow-up call: unsatisfied → reopened
    d.reload()
    rate_link = d.locator("[data-testid=rate-link]").input_value()
    assert rate_link.startswith(settings.SITE_URL + "/cases/rate/")  # absolute: pasted into WeChat
    shot(d, "cases-detail-rate-link")
    d.click("[data-testid=act-follow_up-unsatisfied]")
    d.wait_for_selector("[data-testid=case-status][data-status=reopened]")
    shot(d, "cases-detail-reopened")

    # 5. replied again
    h.reload()
    h.fill("[data-testid=reply-text]", "增容工程已完工送电，企业两条新生产线已投产。")
    h.click("[data-testid=act-reply]")
    h.wait_for_selector("[data-testid=case-status][data-status=replied]")
    shot(h, "cases-detail-department-replied")

    # 6. the enterprise rates it on its phone
    ent.reload()
    assert _status(ent) == "replied"
    ent.click("[data-testid=act-follow_up-satisfied]")
    ent.wait_for_selector("[data-testid=case-status][data-status=followed_up]")
    shot(ent, "cases-detail-rated-phone")

    # 7. the dispatch office closes it
    d.reload()
    d.click("[data-testid=act-close]")
    d.wait_for_selector("[data-testid=case-status][data-status=closed]")
    shot(d, "cases-detail-closed")
    case.refresh_from_db()
    assert case.status == "closed" and case.reopen_count == 1 and case.satisfaction == "satisfied"

    d.goto("/cases/figures/")
    d.wait_for_selector("[data-testid=chart] canvas")
    assert "100.0%" in d.locator("[data-testid=total-close_rate]").inner_text()
    # the page opens on this year; the period buttons switch, and say which one is on
    assert "btn-primary" in d.locator("[data-testid=periods] a", has_text="本年").get_attribute("class")
    shot(d, "cases-figures")
    d.locator("[data-testid=periods] a", has_text="全部").click()
    d.wait_for_url("**/cases/figures/?dim=department&start=&end=")
    assert "btn-primary" in d.locator("[data-testid=periods] a", has_text="全部").get_attribute("class")
    assert "100.0%" in d.locator("[data-testid=total-close_rate]").inner_text()
    d.select_option("select[name=dim]", "region")
    d.locator("form button", has_text="统计").click()
    d.wait_for_selector("[data-testid=figures-table] >> text=尉氏经开区")
    shot(d, "cases-figures-by-region")
    for ctx in (ent_ctx, d_ctx, h_ctx):
        ctx.close()

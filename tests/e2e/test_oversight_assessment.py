"""考核 and 红黑榜 in a real browser: 督查 sets a scheme scoring the departments' 诉求办结率,
computes this quarter from the live cases, reads a department's explanation and its rows,
publishes it after the confirmation, then sets a 红黑榜 on the scheme's total and publishes the
quarter's red and black lists by the rules (docs/oversight.md §5–6)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.cases.conftest import CaseWorld
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.cases import services as case_services
from zhuqi.indicators.periods import Period
from zhuqi.oversight.models import Assessment, RedBlackList

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_scheme_computed_published_and_its_red_black_list(world, page):
    w = world
    cw = CaseWorld(world)
    cw.to("closed")
    cw.to("closed", title="用工招聘")
    cw.to("signed", title="土地指标")
    case = cw.new(title="用地报批")
    case = case_services.accept_case(case, actor=w.alice)
    case = case_services.dispatch_case(case, actor=w.alice, lead=w.zrzy)
    case = case_services.sign_case(case, actor=w.zr_handler)
    case = case_services.reply_case(case, actor=w.zr_handler, reply="已办理")
    case = case_services.follow_up_case(case, actor=w.alice, result="satisfied")
    case_services.close_case(case, actor=w.alice)
    quarter = Period.containing("Q", timezone.localdate())

    log_in(page, "supervisor", PASSWORD)
    page.goto("/oversight/assessments/")
    page.click("[data-testid=scheme-new]")
    form = page.locator("[data-testid=scheme-form]")
    form.locator("#s-name").fill("部门季度考核")
    form.locator("#s-seq").select_option("departments")
    row = form.locator("[data-testid=scheme-item-row]").first
    row.locator("select[name$=-metric]").select_option("cases.close_rate")
    row.locator("input[name$=-weight]").fill("90")
    row.locator("select[name$=-rule]").select_option("ratio")
    row.locator("input[name$=-target]").fill("95")
    page.click("[data-testid=scheme-submit]")
    # the weights must make 100: refused, the form kept
    expect(page.locator(".alert").first).to_contain_text("合计应为 100 分，现为 90 分")
    page.locator("[data-testid=scheme-item-row]").first.locator("input[name$=-weight]").fill("100")
    page.click("[data-testid=scheme-submit]")
    page.wait_for_selector("[data-testid=assessment-compute-form]")

    page.select_option("#a-period", quarter.code)
    page.click("[data-testid=assessment-compute]")
    page.wait_for_selector("[data-testid=assessment-table]")
    rows = page.locator("[data-testid=assessment-row]")
    expect(rows).to_have_count(2)
    assert "自然资源局" in rows.nth(0).inner_text() and "100.00" in rows.nth(0).inner_text()
    assert "工信局" in rows.nth(1).inner_text() and "70.21" in rows.nth(1).inner_text()
    # 工信局's explanation and the cases its rate is made of
    rows.nth(1).locator("a").first.click()
    explanation = page.locator("[data-testid=assessment-explanations]").nth(1)
    explanation.wait_for()
    assert "66.7% ÷ 目标 95%" in explanation.inner_text()
    shot(page, "oversight-assessment")
    # publishing needs the confirmation
    page.click("[data-testid=assessment-publish]")
    expect(page.locator(".alert").first).to_contain_text("请勾选确认")
    page.check("#a-confirm")
    page.click("[data-testid=assessment-publish]")
    page.wait_for_selector("[data-testid=assessment-status]:has-text('已公布')")
    assert Assessment.objects.get().status == Assessment.Status.PUBLISHED

    # a 红黑榜 on the scheme's total: target 80, one on each list
    page.goto("/oversight/redblack/")
    page.click("[data-testid=redblack-new]")
    form = page.locator("[data-testid=redblack-form]")
    form.locator("#r-name").fill("部门考核红黑榜")
    form.locator("#r-seq").select_option("departments")
    form.locator("#r-scheme").select_option(label=f"部门季度考核（{quarter.year}）")
    form.locator("#r-target").fill("80")
    form.locator("#r-size").fill("1")
    page.click("[data-testid=redblack-submit]")
    page.wait_for_selector("[data-testid=redblack-preview]")
    expect(page.locator("[data-testid=tag-red]")).to_have_count(1)
    expect(page.locator("[data-testid=tag-black]")).to_have_count(1)
    page.check("#rb-confirm")
    page.click("[data-testid=redblack-publish]")
    page.wait_for_selector("[data-testid=redblack-published]")
    assert page.locator("[data-testid=red-list]").inner_text().startswith("自然资源局")
    assert page.locator("[data-testid=black-list]").inner_text().startswith("工信局")
    assert quarter.label() in page.locator("[data-testid=redblack-history]").inner_text()
    shot(page, "oversight-redblack")
    lst = RedBlackList.objects.get()
    assert [r["name"] for r in lst.red] == ["自然资源局"] and [r["name"] for r in lst.black] == ["工信局"]

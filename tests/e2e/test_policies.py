"""惠企政策 in a real browser: 工信局's handler encodes an item with four conditions in rows,
sees the one enterprise that qualifies and the near misses with the missing condition; an
enterprise's user sees the policy it qualifies for and the one it nearly qualifies for, with its
own figure."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.policies.conftest import YEAR, PolicyWorld
from zhuqi.indicators.models import Indicator
from zhuqi.policies.models import PolicyItem

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def reference_data():
    """Transactional tests flush the database: put the shipped indicators back."""
    if not Indicator.objects.exists():
        importlib.import_module("zhuqi.indicators.migrations.0002_standard_set").load(apps, None)


def _row(page, n, attr, op, value):
    page.select_option(f"[name=c-{n}-attr]", attr)
    page.select_option(f"[name=c-{n}-op]", op)
    page.fill(f"[name=c-{n}-value]", value)


def test_an_official_encodes_an_item_and_an_enterprise_sees_what_it_qualifies_for(world, page):
    reference_data()
    pw = PolicyWorld(world)
    pw.item(
        title="规上企业稳岗奖励",
        conditions={"all": [{"attr": "above_scale", "op": "eq", "value": True}]},
        amount_rule={"type": "fixed", "amount": "10000"},
        exclusivity_group="",
    )

    log_in(page, "bob", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="惠企政策").first.click()
    page.locator("[data-testid=policy-document-list] a", has_text=pw.document.title).click()
    page.click("[data-testid=policy-item-new]")
    page.fill("[data-field=title]", "升规入统奖励")
    page.select_option("[data-field=kind]", "reward")
    page.select_option("[data-field=status]", "published")
    page.select_option("[data-field=mode]", "automatic")
    page.fill("[data-field=data_year]", str(YEAR))
    _row(page, 0, "above_scale", "eq", "是")
    _row(page, 1, "above_scale_since", "eq", str(YEAR))
    _row(page, 2, "indicator:gross_output:value", "gte", "2000")
    _row(page, 3, "indicator:revenue:growth", "gte", "10")
    page.select_option("[data-field=amount_type]", "tiers")
    page.select_option("[data-field=base]", "gross_output")
    page.fill("[data-field=tiers]", "2000, 2\n5000, 5\n10000, 10\n50000, 20")
    shot(page, "policies-item-form")
    page.click("[data-testid=policy-item-save]")

    page.wait_for_selector("[data-testid=policy-item-title]")
    item = PolicyItem.objects.get(title="升规入统奖励")
    assert len(item.conditions["all"]) == 4
    matched = page.locator("[data-testid=policy-match-row]")
    expect(matched).to_have_count(1)
    assert "甲机械有限公司" in matched.first.inner_text()
    shot(page, "policies-item-matched")
    page.click("[data-testid=tab-near]")
    near = page.locator("[data-testid=policy-match-row]")
    expect(near).to_have_count(2)
    text = page.locator("[data-testid=policy-match-table]").inner_text()
    assert "乙机械有限公司" in text and "营业收入同比增速（%） ≥ 10%" in text
    assert "丙机械有限公司" in text and "入规年份 = 2025" in text
    near.filter(has_text="乙机械有限公司").get_by_role("link").click()
    expect(page.locator("[data-testid=policy-explain]")).to_contain_text("7.1%")

    page.context.clear_cookies()
    log_in(page, "ent_user", PASSWORD)  # 乙's user
    page.locator("[data-testid=nav-menu] a", has_text="可享政策").first.click()
    qualifies = page.locator("[data-testid=policy-qualifies-item]")
    expect(qualifies).to_have_count(1)
    assert "规上企业稳岗奖励" in qualifies.first.inner_text()
    assert "1.00 万元" in qualifies.first.inner_text()
    nearly = page.locator("[data-testid=policy-nearly-item]")
    expect(nearly).to_have_count(1)
    assert "升规入统奖励" in nearly.first.inner_text()
    assert "本企业 7.1%" in nearly.first.inner_text()
    shot(page, "policies-enterprise-mine")
    nearly.first.get_by_role("link").first.click()
    expect(page.locator("[data-testid=policy-guide]")).to_contain_text("受理后 60 个工作日内兑现")


def test_apply_return_resubmit_approve_pay_and_the_exclusivity_group(world, page):
    """The enterprise applies, is returned once with a reason, re-applies, is approved and paid
    within the clock; a second item of the same exclusivity group is refused at approval."""
    reference_data()
    pw = PolicyWorld(world)
    rule = {"type": "fixed", "amount": "10000"}
    above = {"all": [{"attr": "above_scale", "op": "eq", "value": True}]}
    pw.item(
        title="规上企业稳岗奖励", mode="apply", conditions=above, amount_rule=rule, exclusivity_group="稳岗"
    )
    pw.item(title="稳岗扩岗补助", mode="apply", conditions=above, amount_rule=rule, exclusivity_group="稳岗")

    def as_enterprise():
        page.context.clear_cookies()
        log_in(page, "ent_user", PASSWORD)
        page.goto("/policies/mine/")

    def as_department():
        page.context.clear_cookies()
        log_in(page, "bob", PASSWORD)

    as_enterprise()
    page.locator("[data-testid=policy-qualifies-item]", has_text="规上企业稳岗奖励").locator(
        "[data-testid=policy-apply]"
    ).click()
    expect(page.locator("[data-testid=policy-application-status]")).to_have_text("待审核")
    first = page.url
    page.goto("/policies/mine/")
    page.locator("[data-testid=policy-qualifies-item]", has_text="稳岗扩岗补助").locator(
        "[data-testid=policy-apply]"
    ).click()
    expect(page.locator("[data-testid=policy-application-status]")).to_have_text("待审核")
    second = page.url

    as_department()
    page.goto(first)
    page.fill("[data-testid=policy-action-return] [name=reason]", "请补充社保缴费证明")
    page.click("[data-testid=policy-action-return] button")
    expect(page.locator("[data-testid=policy-application-status]")).to_have_text("退回补正")

    as_enterprise()
    page.goto(first)
    assert "请补充社保缴费证明" in page.locator("[data-testid=policy-application-reason]").inner_text()
    page.click("[data-testid=policy-action-resubmit] button")
    expect(page.locator("[data-testid=policy-application-status]")).to_have_text("待审核")

    as_department()
    page.goto(first)
    page.fill("[data-testid=policy-action-approve] [name=amount]", "8000")
    page.click("[data-testid=policy-action-approve] button")
    expect(page.locator("body")).to_contain_text(
        "请说明理由"
    )  # another amount than the rule's needs a reason
    page.fill("[data-testid=policy-action-approve] [name=amount]", "8000")
    page.fill("[data-testid=policy-action-approve] [name=reason]", "核定社保缴费人数 8 人")
    page.click("[data-testid=policy-action-approve] button")
    expect(page.locator("[data-testid=policy-application-status]")).to_have_text("已核准")
    assert (
        "0.80 万元（测算 1.00 万元）" in page.locator("[data-testid=policy-application-amount]").inner_text()
    )
    expect(page.locator("[data-testid=policy-action-pay]")).to_have_count(0)  # nothing paid before the 公示
    page.click("[data-testid=policy-action-publicise] button")
    expect(page.locator("[data-testid=policy-application-status]")).to_have_text("公示中")
    page.click("[data-testid=policy-application-publicity] a")
    expect(page.locator("h1")).to_contain_text("规上企业稳岗奖励")
    expect(page.locator("[data-testid=policy-publicity-row]")).to_have_count(1)
    shot(page, "policies-publicity")

    as_enterprise()
    page.goto(first)
    page.fill("[data-testid=policy-account] [name=bank_name]", "中国农业银行尉氏支行")
    page.fill("[data-testid=policy-account] [name=bank_account]", "6228 4800 1234 5678")
    page.click("[data-testid=policy-account] button")
    expect(page.locator("[data-testid=policy-application-account]")).to_contain_text("6228480012345678")
    shot(page, "policies-application-account")

    # after the five working days of the 公示
    with time_machine.travel(timezone.now() + dt.timedelta(days=10), tick=True):
        as_department()
        page.goto(first)
        page.fill("[data-testid=policy-action-pay] [name=voucher]", "WS-2026-001")
        page.click("[data-testid=policy-action-pay] button")
        expect(page.locator("[data-testid=policy-application-status]")).to_have_text("已兑现")
        assert "按期" in page.locator("[data-testid=policy-application]").inner_text()
        shot(page, "policies-application-paid")

    as_department()
    page.goto(second)
    page.click("[data-testid=policy-action-approve] button")
    expect(page.locator("body")).to_contain_text("同一年度“稳岗”类资金不重复享受")
    assert page.locator("[data-testid=policy-application-status]").inner_text() == "待审核"

    # the enterprise complains that the second claim is stuck: it becomes a 诉求 (政策兑现)
    as_enterprise()
    page.goto(second)
    page.fill("[data-testid=policy-complain] textarea", "同类资金已兑现一项，第二项请给出书面答复")
    page.click("[data-testid=policy-complain] button")
    expect(page.locator("h1").first).to_contain_text("政策兑现：稳岗扩岗补助")
    page.goto(second)
    assert "按诉求办理" in page.locator("[data-testid=policy-complaint-case]").inner_text()
    shot(page, "policies-complaint-case")


def test_the_enterprise_reads_its_policies_on_a_phone(world, phone):
    reference_data()
    pw = PolicyWorld(world)
    pw.item()
    log_in(phone, "ent_user", PASSWORD)
    phone.click("button.navbar-toggler")
    phone.locator("[data-testid=nav-menu] a", has_text="可享政策").first.click()
    item = phone.locator("[data-testid=policy-nearly-item]")
    expect(item.first).to_contain_text("本企业 7.1%")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "policies-phone-mine")

"""The routing suggestion on the case-raising page (issue #12 item 21): an unsure suggestion is
shown as a hint and selects nothing; a sure one pre-selects the category as before."""

from __future__ import annotations

import pytest

from tests.cases.conftest import CaseWorld
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.cases import routing, services
from zhuqi.cases.models import Category, RoutingRule
from zhuqi.core.models import Department

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(world):
    """A routed history where 施工 goes with 工程建设审批 (→ 住建局) and 用电 with 水电气 (→ 供电)."""
    cw = CaseWorld(world)
    approval = Category.objects.create(code="approval", name="审批", keywords="审批")
    build = Category.objects.create(
        code="approval_build", name="工程建设审批", parent=approval, keywords="施工许可 竣工验收"
    )
    zjj = Department.objects.create(name="尉氏县住房和城乡建设局", short_name="住建局", region=world.county)
    RoutingRule.objects.create(category=approval, region=world.county, lead_department=zjj)
    texts = {
        build: ["新厂房施工许可办理慢", "二期车间施工图审查", "施工许可证材料补正", "厂房施工竣工验收"],
        cw.power: ["变压器增容报装", "车间用电负荷不足", "用电报装进度慢", "频繁停电影响生产"],
    }
    for cat, items in texts.items():
        for i in range(16):
            case = cw.new(title=items[i % 4], description=items[(i + 1) % 4], actor=world.alice, ent=cw.ent_b)
            case = services.accept_case(case, actor=world.alice, category=cat)
            services.dispatch_case(case, actor=world.alice, lead=world.jxj)
    routing.reset_model()
    yield cw
    routing.reset_model()


def test_unsure_suggestion_is_a_hint_without_preselection(page, world, history):
    cw = history
    log_in(page, "alice", PASSWORD)
    page.goto("/cases/new/")
    page.select_option("#id_enterprise", str(cw.ent_b.pk))
    page.fill("#id_title", "施工用电线路未接入")
    page.fill("#id_description", "新厂房施工用电线路到现在还没有接入，工地只能停工等电。")
    hint = page.locator("[data-testid=suggestion]")
    page.wait_for_selector("[data-testid=suggestion]:is([data-preselect=yes], [data-preselect=no])")
    # history says 审批 (施工), the keyword rule says 用电: unsure, so a hint and nothing selected
    assert hint.get_attribute("data-preselect") == "no"
    text = hint.inner_text()
    assert "系统建议" in text and "把握不大" in text and "未预选" in text
    assert page.input_value("#id_category") == ""
    shot(page, "routing-1-unsure-hint")

    # a text both the history and the keywords agree on is pre-selected as before
    page.fill("#id_title", "变压器容量不足经常停电")
    page.fill("#id_description", "车间用电负荷增加，变压器容量不足，经常停电，请协调增容。")
    page.wait_for_selector("[data-testid=suggestion][data-preselect=yes]")
    assert "已预选" in hint.inner_text() and "尉氏县供电公司" in hint.inner_text()
    assert page.input_value("#id_category") == str(cw.power.pk)
    shot(page, "routing-2-sure-preselected")

    # back to an unsure text: the script takes back only the choice it made
    page.fill("#id_title", "施工用电线路未接入")
    page.fill("#id_description", "新厂房施工用电线路到现在还没有接入，工地只能停工等电。")
    page.wait_for_selector("[data-testid=suggestion][data-preselect=no]")
    assert page.input_value("#id_category") == ""
    page.click("[data-testid=case-submit]")
    page.wait_for_selector("[data-testid=case-status]")
    case = cw.ent_b.cases.order_by("-id").first()
    assert case.title == "施工用电线路未接入" and case.category is None

    # on the case page the dispatch office sees the same hint; the lead department is not chosen
    suggestion = page.locator("[data-testid=route-suggestion]")
    assert suggestion.get_attribute("data-preselect") == "no"
    assert "把握不大" in page.locator("[data-testid=route-unsure]").inner_text()
    assert page.locator("[data-testid=route-category]").first.input_value() == ""
    shot(page, "routing-3-case-page-hint")

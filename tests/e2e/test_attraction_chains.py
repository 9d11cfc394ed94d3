"""产业链 in a real browser: the county office creates a chain with its 链长 and lead department,
adds a link (a wrong industry code is refused under the field), confirms a suggested local
enterprise and turns another down, and sees the 产业链全景图 drawn (a canvas, the count in the
table, a click on the count lists the enterprise). The 招商路径图 groups the target enterprises
by home region, on a desktop and on a phone."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.attraction.test_chains import node as add_node
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_attraction import reference_data
from tests.enterprises.helpers import make_enterprise
from zhuqi.attraction import services, services_chains
from zhuqi.attraction.models import Chain, ChainEnterprise, ChainNode
from zhuqi.enterprises.models import Enterprise, Industry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: where the screenshots are also kept for review
REVIEW = Path("/work/wt/shots/chains")


def _shot(pg, name):
    path = shot(pg, name)
    if REVIEW.parent.exists():
        REVIEW.mkdir(exist_ok=True)
        shutil.copy(path, REVIEW / path.name)


def test_edit_a_chain_confirm_an_enterprise_and_see_the_panorama(world, page, phone):
    reference_data()
    chem = Industry.objects.get(code="26")
    make_enterprise("尉氏聚乳酸新材料有限公司", world.grid, industry=chem)
    make_enterprise("城关化工有限公司", world.town, industry=chem)
    make_enterprise("通许化工有限公司", world.other_grid, industry=chem)  # another county: never suggested

    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    phone.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, "alice", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="产业链图谱").first.click()
    page.click("[data-testid=chain-new]")
    form = page.locator("[data-testid=chain-form]")
    form.locator("[name=name]").fill("生物基新材料")
    form.locator("[name=region]").select_option(str(world.county.pk))
    form.locator("[name=leader]").select_option(str(world.leader.pk))
    form.locator("[name=department]").select_option(str(world.jxj.pk))
    page.click("[data-testid=chain-save]")
    page.wait_for_selector("[data-testid=node-tree]")
    chain = Chain.objects.get()
    assert (chain.leader, chain.department) == (world.leader, world.jxj)

    page.click("[data-testid=node-add]")
    form = page.locator("[data-testid=node-form]")
    form.locator("[name=name]").fill("聚乳酸")
    form.locator("[name=position]").select_option("mid")
    form.locator("[name=industry_codes]").fill("C26")
    form.locator("[name=gap]").select_option("strengthen")
    page.click("[data-testid=node-save]")
    page.wait_for_selector("[data-testid=error-industry_codes]")
    assert "不是国民经济行业分类" in page.locator("[data-testid=error-industry_codes]").inner_text()
    assert not ChainNode.objects.exists()
    _shot(page, "chains-1-node-refused")
    page.locator("[data-testid=node-form] [name=industry_codes]").fill("2614，2651")
    page.click("[data-testid=node-save]")
    page.wait_for_selector("[data-testid=suggestions]")
    node = ChainNode.objects.get()
    assert node.industry_codes == "2614,2651"

    rows = page.locator("[data-testid=suggestion-row]")
    expect(rows).to_have_count(2)
    assert "通许化工" not in page.locator("[data-testid=suggestions]").inner_text()
    rows.filter(has_text="尉氏聚乳酸").locator("[data-testid=confirm]").click()
    page.wait_for_load_state()
    page.locator("[data-testid=suggestion-row]", has_text="城关化工").locator("[data-testid=remove]").click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=suggestion-row]")).to_have_count(0)
    expect(page.locator("[data-testid=placement-row]")).to_have_count(2)
    assert list(ChainEnterprise.objects.order_by("status").values_list("status", flat=True)) == [
        "confirmed",
        "removed",
    ]
    _shot(page, "chains-2-node-enterprises")

    page.goto(f"/attraction/chains/{chain.pk}/")
    page.wait_for_selector("[data-testid=chain-chart] canvas")
    assert errors == []
    expect(page.locator("[data-testid=map-row]")).to_have_count(1)
    assert page.locator("[data-testid=map-count]").inner_text() == "1"
    assert page.locator("[data-testid=map-total]").inner_text() == "1"
    _shot(page, "chains-3-panorama")
    page.click("[data-testid=map-count]")
    page.wait_for_selector("[data-testid=node-enterprises]")
    assert page.locator("[data-testid=node-enterprise]").inner_text().startswith("尉氏聚乳酸新材料有限公司")

    # a fuller chain for the pictures: a link below 聚乳酸, a downstream and an upstream link
    mod = add_node(world, chain, "改性与共混", "mid", "2651", "fill", parent=node)
    deg = add_node(world, chain, "可降解制品、纤维", "down", "2927,2822", "extend")
    add_node(world, chain, "玉米等生物质原料", "up", "0111")
    for n, name in (
        (mod, "尉氏改性材料有限公司"),
        (deg, "尉氏可降解制品有限公司"),
        (deg, "尉氏聚乳酸新材料有限公司"),
    ):
        ent = Enterprise.objects.filter(name=name).first() or make_enterprise(name, world.grid, industry=chem)
        services_chains.place_enterprise(n, ent, actor=world.alice, confirm=True)
    page.goto(f"/attraction/chains/{chain.pk}/")
    page.wait_for_selector("[data-testid=chain-chart] canvas")
    assert page.locator("[data-testid=map-count]").all_inner_texts() == ["0", "2", "1", "2"]
    assert page.locator("[data-testid=map-total]").inner_text() == "3"
    _shot(page, "chains-3b-panorama-full")
    page.goto(f"/attraction/chains/{chain.pk}/edit/")
    expect(page.locator("[data-testid=node-row]")).to_have_count(4)
    _shot(page, "chains-3c-chain-edit")

    for i, (name, home) in enumerate(
        (("浙江海正生物材料", "浙江"), ("金丹科技", "河南"), ("安徽丰原", "浙江"))
    ):
        services.save_target(
            None,
            actor=world.alice,
            name=name,
            home_region=home,
            chain_node=node,
            approach="产业链推介会邀约",
            approach_on=dt.date(2026, 5, 1) + dt.timedelta(days=7 * i),
            status="planned",
            region=world.county,
            team=world.jxj,
        )
    page.goto("/attraction/chains/")
    page.click("[data-testid=paths-link]")
    page.wait_for_selector("[data-testid=paths-chart] canvas")
    assert page.locator("[data-testid=paths-count]").all_inner_texts() == ["2", "1"]
    _shot(page, "chains-4-paths")

    log_in(phone, "alice", PASSWORD)
    phone.goto(f"/attraction/chains/{chain.pk}/")
    phone.wait_for_selector("[data-testid=chain-chart] canvas")
    _shot(phone, "chains-5-panorama-phone")
    phone.goto("/attraction/chains/paths/")
    phone.wait_for_selector("[data-testid=paths-chart] canvas")
    _shot(phone, "chains-6-paths-phone")
    assert errors == []

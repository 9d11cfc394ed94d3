"""招商引资 in a real browser: the county office registers a lead, moves it to 预审, is refused
签约 before the pre-review, asks 工信局 and 自然资源局, who answer; concludes the 综合意见, signs,
records the contract with an obligation, is refused funds before registration, turns the lead
into a key project whose page links back, starts it and records a month of funds in place that
is recognised and shows in the 台账. A phone shows the funnel."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.attraction.models import Lead, Pipeline, ReviewRule, Stage
from zhuqi.projects.models import Project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def reference_data():
    """Transactional tests flush the database: put the shipped pipelines back."""
    if not Pipeline.objects.exists():
        importlib.import_module("zhuqi.attraction.migrations.0002_seed_pipelines").seed(apps, None)
    importlib.import_module("tests.e2e.test_assistance").reference_data()


def _move(page, code):
    stage = Stage.objects.get(pipeline__code="new", code=code)
    page.select_option("[data-testid=lead-move] [name=to_stage]", str(stage.pk))
    page.click("[data-testid=lead-move-submit]")
    page.wait_for_load_state()


def _funds(page, wan):
    form = page.locator("[data-testid=fund-form]")
    form.locator("[name=source]").select_option("out_province")
    form.locator("[name=amount]").fill(wan)
    form.locator("[name=evidence]").fill("到位资金分割证明 2026-01")
    form.get_by_role("button").click()
    page.wait_for_load_state()


def _answer(page, username, lead):
    page.context.clear_cookies()
    log_in(page, username, PASSWORD)
    page.goto(f"/attraction/leads/{lead.pk}/")
    form = page.locator("[data-testid=opinion-form]")
    form.locator("[name=verdict]").select_option("pass")
    form.get_by_role("button").click()
    page.wait_for_load_state()


def test_a_lead_from_registration_to_project(world, page, phone):
    reference_data()
    ReviewRule.objects.create(region=world.county, department=world.jxj)
    ReviewRule.objects.create(region=world.county, department=world.zrzy)

    log_in(page, "alice", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="招商线索").first.click()
    page.click("[data-testid=lead-new]")
    form = page.locator("[data-testid=lead-form]")
    form.locator("[name=pipeline]").select_option(label="新引进项目")
    page.fill("[name=title]", "年产5万吨聚乳酸项目")
    page.fill("[name=investor_name]", "安徽丰原集团有限公司")
    page.select_option("[name=source]", "referral")
    page.fill("[name=amount]", "50000")
    page.select_option("[name=region]", str(world.park.pk))
    page.select_option("[name=team]", str(world.jxj.pk))
    shot(page, "attraction-1-lead-form")
    page.click("[data-testid=lead-save]")
    page.wait_for_selector("[data-testid=lead-facts]")
    lead = Lead.objects.get()
    assert "5.00 亿元" in page.locator("[data-testid=lead-amount]").inner_text()

    _move(page, "negotiating")
    _move(page, "prereview")
    _move(page, "signed")  # refused: no pre-review yet
    assert "联审预审" in page.content()
    assert page.locator("[data-testid=lead-stage]").inner_text() == "预审"
    shot(page, "attraction-2-signing-refused")

    page.locator("[data-testid=prereview-start]").get_by_role("button").click()
    page.wait_for_selector("[data-testid=prereview-open]")
    expect(page.locator("[data-testid=opinion-row]")).to_have_count(2)

    _answer(page, "bob", lead)
    _answer(page, "zr_handler", lead)
    shot(page, "attraction-3-opinion")

    page.context.clear_cookies()
    log_in(page, "alice", PASSWORD)
    page.goto(f"/attraction/leads/{lead.pk}/")
    conclude = page.locator("[data-testid=prereview-conclude]")
    conclude.locator("[name=conclusion]").select_option("pass")
    conclude.locator("[name=summary]").fill("符合产业方向，同意签约")
    conclude.get_by_role("button").click()
    page.wait_for_selector("[data-testid=prereview-conclusion]")
    _move(page, "signed")
    assert page.locator("[data-testid=lead-stage]").inner_text() == "签约"

    page.click("[data-testid=contract-new]")
    page.select_option("[name=kind]", "formal")
    page.fill("[name=number]", "GZ-2026-001")
    page.fill("[name=signed_on]", "2026-01-05")
    page.fill("[name=amount]", "50000")
    page.fill("[name=planned_start]", "2026-06-30")
    page.select_option("[name=ob-0-kind]", "start")
    page.fill("[name=ob-0-due_on]", "2026-06-30")
    page.click("[data-testid=contract-save]")
    page.wait_for_selector("[data-testid=obligation]")
    _funds(page, "30000")  # refused: not registered locally yet
    assert "尚未在本地注册" in page.content()
    _move(page, "registered")
    shot(page, "attraction-4-signed")

    convert = page.locator("[data-testid=lead-convert]")
    convert.locator("[name=code]").fill("ZS-2026-001")
    convert.locator("[name=leader]").select_option(str(world.leader.pk))
    convert.locator("[name=department]").select_option(str(world.jxj.pk))
    page.click("[data-testid=lead-convert-submit]")
    page.wait_for_selector("[data-testid=project-from-lead]")
    project = Project.objects.get(code="ZS-2026-001")
    assert project.total_investment == lead.amount and project.stage == "signed"
    shot(page, "attraction-5-project")
    page.locator("[data-testid=project-from-lead] a").click()
    page.wait_for_selector("[data-testid=lead-project]")
    assert "ZS-2026-001" in page.locator("[data-testid=lead-project]").inner_text()
    history = page.locator("[data-testid=stage-change]")
    expect(history).to_have_count(5)  # registered in 线索, then 在谈, 预审, 签约, 注册
    _move(page, "land")
    _move(page, "started")
    _funds(page, "30000")
    assert page.locator("[data-testid=fund-recognised]").first.inner_text() == "认定"
    shot(page, "attraction-6-lead-funds")
    page.locator("[data-testid=nav-menu] a", has_text="到位资金台账").first.click()
    expect(page.locator("[data-testid=funds-ledger]")).to_contain_text("3.00 亿元")
    shot(page, "attraction-7-ledger")

    log_in(phone, "alice", PASSWORD)
    phone.goto("/attraction/funnel/")
    assert phone.locator("[data-testid=funnel-new]").is_visible()
    shot(phone, "attraction-8-funnel-phone")


def test_chain_map_targets_and_rates(world, page, phone):
    from zhuqi.attraction import services
    from zhuqi.attraction.models import Chain, ChainNode

    reference_data()
    chain = Chain.objects.create(
        name="生物基新材料", region=world.county, leader=world.leader, department=world.jxj
    )
    node = ChainNode.objects.create(
        chain=chain, name="聚乳酸", position="mid", industry_codes="2614", gap="strengthen"
    )
    ChainNode.objects.create(
        chain=chain, name="可降解制品", position="down", industry_codes="2927", gap="fill"
    )
    services.save_target(
        None,
        actor=world.alice,
        name="浙江海正生物材料股份有限公司",
        headquarters="浙江台州",
        tags=["listed"],
        chain_node=node,
        approach="上门拜访",
        status="planned",
        region=world.county,
        team=world.jxj,
    )

    log_in(page, "alice", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="产业链图谱").first.click()
    expect(page.locator("[data-testid=chain-node]")).to_have_count(2)
    shot(page, "attraction-9-chains")
    page.goto("/attraction/targets/")
    page.click("a[href='/attraction/targets/new/']")
    page.fill("[name=name]", "安徽丰原集团有限公司")
    page.check("[name=tags][value=soe]")
    page.select_option("[name=status]", "contacting")
    page.select_option("[name=region]", str(world.county.pk))
    page.click("[data-testid=target-save]")
    page.wait_for_selector("[data-testid=target-table]")
    expect(page.locator("[data-testid=target-row]")).to_have_count(2)
    shot(page, "attraction-10-targets")
    with page.expect_download() as download:
        page.click("[data-testid=target-export]")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.locator("[data-testid=nav-menu] a", has_text="招商成效").first.click()
    expect(page.locator("[data-testid=rate-sign]")).to_be_visible()
    shot(page, "attraction-11-rates")

    log_in(phone, "alice", PASSWORD)
    phone.goto("/attraction/")
    shot(phone, "attraction-12-leads-phone")


def test_a_breached_obligation_raised_as_a_supervision_item(world, page, phone):
    """The sweep warns of an investment promised a month ago and not met; the county office opens
    the lead, clicks 立为督办事项 beside the warned obligation, assigns it to 工信局 and follows the
    item's link back to the lead's 履约 panel. A phone shows the warned obligation."""
    import datetime as dt

    from zhuqi.attraction import services
    from zhuqi.attraction.models import Contract, Obligation
    from zhuqi.oversight.models import Item
    from zhuqi.projects.models import InvestmentMonth

    reference_data()
    today = dt.date.today()
    lead = services.register_lead(
        actor=world.alice,
        pipeline=Pipeline.objects.get(code="new"),
        title="年产5万吨聚乳酸项目",
        investor_name="安徽丰原集团有限公司",
        source="referral",
        amount=500_000_000,
        region=world.park,
        team=world.jxj,
    )
    project = Project.objects.create(
        code="ZS-2026-009", name=lead.title, region=world.park, department=world.jxj
    )
    Lead.objects.filter(pk=lead.pk).update(project=project)
    contract = Contract.objects.create(
        lead=lead,
        kind="formal",
        number="GZ-2026-009",
        signed_on=today - dt.timedelta(days=300),
        amount=lead.amount,
        created_by=world.alice,
    )
    due = today - dt.timedelta(days=40)
    ob = Obligation.objects.create(contract=contract, kind="investment", target=30000, due_on=due)
    # 20,000 万元 to the due month, the month after reported: 未履约
    after = due.replace(day=1) + dt.timedelta(days=32)
    InvestmentMonth.objects.create(project=project, year=due.year, month=due.month, actual=200_000_000)
    InvestmentMonth.objects.create(project=project, year=after.year, month=after.month, actual=10_000_000)
    assert services.sweep_obligations(today) == (0, 1)

    log_in(page, "alice", PASSWORD)
    page.goto(f"/attraction/leads/{lead.pk}/")
    row = page.locator(f"#obligation-{ob.pk}")
    assert row.locator("[data-testid=obligation-breached]").is_visible()
    assert "未履约" in row.inner_text() and "20000.00" in row.inner_text()
    assert "项目月度完成投资（ZS-2026-009）" in row.locator("[data-testid=obligation-fact]").inner_text()
    shot(page, "attraction-13-obligation-breached")
    row.locator("[data-testid=raise-oversight-item]").click()
    form = page.locator("[data-testid=oversight-item-form]")
    expect(form.locator("#id_source")).to_have_value("obligation")
    assert form.locator("#id_title").input_value().startswith("督办招商项目履约：年产5万吨聚乳酸项目未履约")
    form.locator("#id_lead_department").select_option(str(world.jxj.pk))
    form.locator("#id_working_days").fill("10")
    shot(page, "attraction-14-raise-item-form")
    page.click("[data-testid=oversight-item-submit]")
    page.wait_for_selector("[data-testid=item-status]")
    item = Item.objects.get()
    assert item.source_object == ob
    shot(page, "attraction-15-item-from-obligation")
    page.click("[data-testid=item-source-link]")
    page.wait_for_selector(f"#obligation-{ob.pk}")
    assert page.url.endswith(f"/attraction/leads/{lead.pk}/#obligation-{ob.pk}")

    log_in(phone, "alice", PASSWORD)
    phone.goto(f"/attraction/leads/{lead.pk}/#obligation-{ob.pk}")
    assert phone.locator(f"#obligation-{ob.pk} [data-testid=obligation-breached]").is_visible()
    shot(phone, "attraction-16-obligation-breached-phone")
    # 立为督办事项 sits under the obligation at the phone's full width, not off to the right
    button = phone.locator(f"#obligation-{ob.pk} [data-testid=obligation-actions] a").first
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] > 250, box
    phone.screenshot(path="/work/wt/shots/targets15/obligation-actions-phone.png", full_page=True)

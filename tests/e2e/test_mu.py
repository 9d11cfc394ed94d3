"""亩均效益评价 in a real browser: the dispatch office imports the facts of the document's
例一, runs a trial computation, reads one enterprise's explanation (why C, what it takes to
reach B) and the region ranking, puts the run in 公示; the enterprise objects with evidence, the
office upholds it (the run is recomputed) and publishes; the enterprise sees its new class. And
the adjustments page on a phone."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import make_enterprise
from tests.mu import examples as ex
from zhuqi.core.excel import write_workbook
from zhuqi.core.units import WAN
from zhuqi.enterprises.models import EnterpriseUser, KeyDesignation
from zhuqi.mu.importers import FACT_COLUMNS, FactImporter
from zhuqi.mu.models import Fact, Run, Scheme

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "imports")


def reference_data():
    """Transactional tests flush the database: put the shipped schemes back."""
    if not Scheme.objects.exists():
        importlib.import_module("zhuqi.mu.migrations.0002_shipped_schemes").load(apps, None)
        importlib.import_module("zhuqi.mu.migrations.0006_shipped_class_measures").load(apps, None)


def _facts_file(tmp_path, ents):
    headers = [c.header for c in FactImporter.columns]
    rows = []
    for name, facts in ex.HUANGYAN_ABOVE.items():
        row = [ents[name].credit_code, 2025]
        for _h, kind, scale in FACT_COLUMNS:
            value = facts.get(kind)
            row.append(
                "" if value is None else str((value / scale).normalize()) if scale == WAN else str(value)
            )
        rows.append(row)
    path = tmp_path / "亩均数据.xlsx"
    path.write_bytes(write_workbook(headers, rows))
    return path


def test_import_trial_explain_regions_publicity_objection_and_publication(world, page, tmp_path):
    """The whole workflow: import, trial, explanation, region ranking, 公示, the enterprise's
    objection with evidence, the office upholds it (the run is recomputed), publication."""
    reference_data()
    regions = {"甲": world.grid, "乙": world.grid2, "丙": world.town, "丁": world.grid}
    ents = {
        name: make_enterprise(f"{name}公司", regions[name], above_scale=True) for name in ex.HUANGYAN_ABOVE
    }
    EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=ents["丁"], is_primary=True)
    path = _facts_file(tmp_path, ents)

    log_in(page, "alice", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="亩均评价").first.click()
    page.click("[data-testid=mu-import]")
    page.set_input_files("#import-file", str(path))
    page.click("[data-testid=import-preview-button]")
    page.wait_for_selector("[data-testid=import-rows]")
    shot(page, "mu-1-import-preview")
    page.click("[data-testid=import-confirm]")
    page.wait_for_selector("[data-testid=import-done]")
    assert Fact.objects.filter(kind="tax").count() == 4

    page.goto("/mu/")
    scheme = Scheme.objects.get(code="huangyan-2022-above")
    page.select_option("#mu-scheme", str(scheme.pk))
    page.fill("#mu-year", "2025")
    page.click("[data-testid=mu-compute]")
    page.wait_for_selector("[data-testid=mu-result-table]")
    assert "C类 2" in page.inner_text("[data-testid=mu-distribution]").replace("\n", " ")
    assert page.inner_text("[data-testid=mu-run-status]") == "试算"
    shot(page, "mu-2-trial-run")

    page.locator("[data-testid=mu-result-row] a", has_text="丁公司").click()
    page.wait_for_selector("[data-testid=mu-explanation]")
    assert page.inner_text("[data-testid=mu-total]") == "101.26"
    reach = page.inner_text("[data-testid=mu-reach]")
    assert "13.52" in reach and "34.8603" in reach and "348.60" in reach
    shot(page, "mu-3-explanation")
    page.go_back()

    # region ranking: the county's park and town, then the park's grids, then the rows
    page.click("[data-testid=mu-regions-link]")
    page.wait_for_selector("[data-testid=mu-region-table]")
    rows = page.locator("[data-testid=mu-region-row]")
    expect(rows).to_have_count(2)
    assert "尉氏经开区" in rows.nth(0).inner_text()
    assert page.locator("[data-testid=mu-region-tax-per-mu]").first.inner_text() == "40.8000"
    page.wait_for_selector("[data-testid=mu-region-chart][data-ready='1']")
    expect(page.locator("[data-testid=mu-leader-row]")).to_have_count(4)
    shot(page, "mu-4-regions")
    page.click("[data-testid=mu-region-drill]")
    page.wait_for_selector("[data-testid=mu-region-trail]")
    assert page.locator("[data-testid=mu-region-row]").nth(0).inner_text().count("经开区二网格") == 1
    page.locator("[data-testid=mu-region-rows]").nth(1).click()  # 一网格: 甲 and 丁
    page.wait_for_selector("[data-testid=mu-region-filter]")
    names = page.locator("[data-testid=mu-result-row]").all_inner_texts()
    assert len(names) == 2 and "甲公司" in names[0] and "丁公司" in names[1]

    page.click("[data-testid=mu-announce]")
    page.wait_for_selector("[data-testid=mu-publicity]")
    assert page.inner_text("[data-testid=mu-run-status]") == "公示中"
    run = Run.objects.get()
    assert run.status == Run.Status.PUBLICITY

    # the enterprise sees its class in 公示 and objects, with a file
    page.context.clear_cookies()
    log_in(page, "ent_user", PASSWORD)
    page.goto(f"/enterprises/{ents['丁'].pk}/")
    assert page.inner_text("[data-testid=enterprise-mu-class]") == "C类"
    assert "公示中" in page.inner_text("[data-testid=enterprise-mu-publicity]")
    page.click("[data-testid=enterprise-mu-link]")
    page.wait_for_selector("[data-testid=mu-objection-form]")
    page.select_option("#mu-fact-kind", "tax")
    page.fill("#mu-reason", "评价税收漏计了城镇土地使用税 160 万元")
    evidence = tmp_path / "完税证明.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")
    page.set_input_files("#mu-files", str(evidence))
    shot(page, "mu-5-objection-form")
    page.click("[data-testid=mu-object]")
    page.wait_for_selector("[data-testid=mu-objection]")
    assert page.inner_text("[data-testid=mu-objection-status]") == "待处理"
    assert "完税证明.pdf" in page.inner_text("[data-testid=mu-objection-files]")

    # the office upholds it with the corrected figure: the run is recomputed
    page.context.clear_cookies()
    log_in(page, "alice", PASSWORD)
    page.goto("/mu/")
    page.click("[data-testid=mu-objections-link]")
    page.locator("[data-testid=mu-objection-row] a", has_text="丁公司").click()
    page.wait_for_selector("[data-testid=mu-uphold-form]")
    assert page.inner_text("[data-testid=mu-objection-current]") == "240"
    page.fill("#mu-new-value", "400")
    page.fill("#mu-uphold-reason", "经税务局核实，评价税收为 400 万元")
    shot(page, "mu-6-objection-decide")
    page.click("[data-testid=mu-uphold]")
    page.wait_for_selector("[data-testid=mu-objection-correction]")
    assert page.inner_text("[data-testid=mu-objection-status]") == "已采纳"
    new = Run.objects.get(status=Run.Status.PUBLICITY)
    assert new.replaces == run
    page.goto(f"/mu/runs/{new.pk}/")
    first = page.locator("[data-testid=mu-result-row]").first.inner_text()
    assert "丁公司" in first and "116.38" in first

    # the period over: published
    Run.objects.filter(pk=new.pk).update(publicity_end=dt.date(2000, 1, 3))
    page.reload()
    page.click("[data-testid=mu-publish]")
    page.wait_for_selector("[data-testid=mu-run-status]")
    assert page.inner_text("[data-testid=mu-run-status]") == "已发布"
    # the class lists go out: the power company's list by 电力用户编号
    page.click("[data-testid=mu-export]")
    with page.expect_download() as download:
        page.click("[data-testid=mu-export-power]")
    assert download.value.suggested_filename.endswith("电力用户编号.xlsx")
    shot(page, "mu-6b-published-export")

    # the 包保 list proposed from the published run: A and B, confirmed as next year's key firms
    page.click("[data-testid=mu-keylist-link]")
    page.wait_for_selector("[data-testid=mu-keylist]")
    rows = page.locator("[data-testid=mu-keylist-row]").all_inner_texts()
    assert len(rows) == 2 and "丁公司" in rows[0] and "乙公司" in rows[1]
    shot(page, "mu-8-keylist")
    page.click("[data-testid=mu-keylist-confirm]")
    page.wait_for_selector(".alert-success")
    assert set(KeyDesignation.objects.filter(year=2026).values_list("enterprise__name", flat=True)) == {
        "丁公司",
        "乙公司",
    }

    page.context.clear_cookies()
    log_in(page, "ent_user", PASSWORD)
    page.goto(f"/enterprises/{ents['丁'].pk}/")
    assert page.inner_text("[data-testid=enterprise-mu-class]") == "A类"
    shot(page, "mu-7-enterprise-panel")
    page.click("[data-testid=enterprise-mu-link]")
    page.wait_for_selector("[data-testid=mu-result-measures]")
    assert "优先保障新增用地指标" in page.inner_text("[data-testid=mu-result-measures]")


def test_adjustments_page_on_a_phone(world, phone):
    """An official corrects a fact and registers a bonus from the adjustments page."""
    reference_data()
    ent = make_enterprise("丙公司", world.town, above_scale=True)
    from zhuqi.mu import services

    services.import_facts(
        [{"enterprise": ent, "year": 2025, "facts": ex.HUANGYAN_ABOVE["丙"]}], actor=world.alice
    )
    log_in(phone, "alice", PASSWORD)
    phone.goto("/mu/adjustments/?year=2025")
    phone.fill("#mu-cor-code", ent.credit_code)
    phone.select_option("#mu-cor-kind", "tax")
    phone.fill("#mu-cor-value", "180")
    phone.fill("#mu-cor-reason", "补缴税款")
    phone.click("[data-testid=mu-correct]")
    phone.wait_for_selector("[data-testid=mu-correction-row]")
    row = phone.inner_text("[data-testid=mu-correction-row]")
    assert "150" in row and "180" in row and "补缴税款" in row
    phone.fill("#mu-adj-code", ent.credit_code)
    phone.select_option("#mu-adj-kind", "bonus")
    phone.fill("#mu-adj-points", "2")
    phone.fill("#mu-adj-reason", "省级绿色工厂")
    phone.click("[data-testid=mu-adjust]")
    phone.wait_for_selector("[data-testid=mu-adjustment-row]")
    assert "省级绿色工厂" in phone.inner_text("[data-testid=mu-adjustment-row]")
    shot(phone, "mu-9-adjustments-phone")


def test_the_county_sets_its_own_measures_from_the_settings_page(world, page):
    """系统设置 → 亩均差别化措施: the dispatch office starts 尉氏县's list from the sample, raises
    C's 差别电价 to 0.08 and sees the change; an amount that is not a number is refused."""
    reference_data()
    scheme = Scheme.objects.get(code="huangyan-2022-above")
    log_in(page, "alice", PASSWORD)
    page.goto("/core/settings/")
    page.get_by_role("link", name="亩均差别化措施").click()
    page.select_option("[data-testid=mu-measures-scheme]", str(scheme.pk))
    page.wait_for_selector("[data-testid=mu-measures-start]")
    assert "示例措施" in page.inner_text("[data-testid=mu-measures-owner]")
    page.click("[data-testid=mu-measures-start]")
    page.wait_for_selector(".alert-success")
    assert "尉氏县的措施" in page.inner_text("[data-testid=mu-measures-owner]")
    row = page.locator("[data-testid=mu-measure-row]", has=page.locator("input[value='0.05']")).first
    row.locator("[name=amount]").fill("很多")
    row.locator("[data-testid=mu-measure-save]").click()
    assert "幅度：应为数字" in page.inner_text(".alert-danger")
    row = page.locator("[data-testid=mu-measure-row]", has=page.locator("input[value='0.05']")).first
    row.locator("[name=amount]").fill("0.08")
    row.locator("[data-testid=mu-measure-save]").click()
    page.wait_for_selector(".alert-success")
    expect(page.locator("[data-testid=mu-measure-row] input[value='0.08']")).to_have_count(1)
    shot(page, "mu-9-measures")

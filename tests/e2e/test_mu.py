"""亩均效益评价 in a real browser: the dispatch office imports the facts of the document's
例一, runs a trial computation, reads one enterprise's explanation (why C, what it takes to
reach B), publishes; the enterprise's user then sees its own class on its page."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import make_enterprise
from tests.mu import examples as ex
from zhuqi.core.excel import write_workbook
from zhuqi.core.units import WAN
from zhuqi.enterprises.models import EnterpriseUser
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


def test_import_trial_explain_publish_and_the_enterprise_sees_its_class(world, page, tmp_path):
    reference_data()
    ents = {name: make_enterprise(f"{name}公司", world.grid, above_scale=True) for name in ex.HUANGYAN_ABOVE}
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
    page.click("[data-testid=mu-publish]")
    page.wait_for_selector("[data-testid=mu-run-status]")
    assert page.inner_text("[data-testid=mu-run-status]") == "已发布"
    assert Run.objects.get().status == Run.Status.PUBLISHED

    page.context.clear_cookies()
    log_in(page, "ent_user", PASSWORD)
    page.goto(f"/enterprises/{ents['丁'].pk}/")
    assert page.inner_text("[data-testid=enterprise-mu-class]") == "C类"
    shot(page, "mu-4-enterprise-panel")
    page.click("[data-testid=enterprise-mu-link]")
    page.wait_for_selector("[data-testid=mu-explanation]")
    assert "34.8603" in page.inner_text("[data-testid=mu-reach]")

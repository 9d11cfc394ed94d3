"""A large export in a real browser: the dispatch officer exports the registry with a filter,
lands on the export's page (written in the background), downloads the file from it, finds it
again under 我的导出 in the user menu, and reads the inbox message; the same pages on a phone."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import make_enterprise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.ZHUQI_EXPORT_DIR = str(tmp_path / "exports")
    settings.ZHUQI_EXPORT_BACKGROUND_ROWS = 3  # so a handful of rows goes the background way


def test_a_large_export_is_fetched_from_its_page(world, page, phone, tmp_path):
    for i in range(6):
        make_enterprise(f"后台导出企业{i}", world.grid)
    make_enterprise("其他名称企业", world.grid)
    log_in(page, "alice", PASSWORD)
    page.goto("/enterprises/?q=后台导出")
    page.click("[data-testid=export-xlsx]")
    page.wait_for_url("**/core/exports/*/")
    job = page.locator("[data-testid=export-job]")
    expect(job).to_have_attribute("data-status", "done")
    expect(job).to_contain_text("共 6 行")
    expect(page.locator("h1")).to_contain_text("企业名录（关键词=后台导出）")
    shot(page, "export-job-done")
    with page.expect_download() as download:
        page.click("[data-testid=export-download]")
    path = tmp_path / "download.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename == "企业名录.xlsx"
    ws = load_workbook(io.BytesIO(path.read_bytes())).active
    names = sorted(row[0] for row in ws.iter_rows(min_row=2, values_only=True))
    assert names == [f"后台导出企业{i}" for i in range(6)]
    # found again from the user menu
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=export-list-link]")
    rows = page.locator("[data-testid=export-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("企业名录（关键词=后台导出）")
    shot(page, "export-list")
    # and from the inbox
    page.click("[data-testid=inbox-link]")
    expect(page.locator("[data-testid=inbox-list]")).to_contain_text(
        "导出完成：企业名录（关键词=后台导出），6 行"
    )

    log_in(phone, "alice", PASSWORD)
    phone.goto("/core/exports/")
    phone.locator("[data-testid=export-row] a").first.click()
    expect(phone.locator("[data-testid=export-download]")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    shot(phone, "export-job-phone")

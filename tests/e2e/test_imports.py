"""The one import flow in a real browser: from the registry's list page to the import page,
upload → preview → confirm; a large file goes to the background job and its progress page."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import credit_code
from zhuqi.core.excel import write_workbook
from zhuqi.core.models import Department
from zhuqi.enterprises.importers import EnterpriseImporter
from zhuqi.enterprises.models import Enterprise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "imports")


def test_enterprise_import_preview_then_confirm(world, page, tmp_path):
    headers = [c.header for c in EnterpriseImporter.columns]
    code = credit_code()
    values = {"企业名称": "恒顺集团有限公司", "统一社会信用代码": code, "所在区划": "410223P1G1"}
    path = tmp_path / "名录.xlsx"
    path.write_bytes(write_workbook(headers, [[values.get(h, "") for h in headers]]))

    log_in(page, "alice", PASSWORD)
    page.goto("/enterprises/")
    page.click("a[href='/core/import/enterprises/']")
    page.wait_for_selector("[data-testid=import-upload-form]")
    page.set_input_files("#import-file", str(path))
    page.click("[data-testid=import-preview-button]")
    page.wait_for_selector("[data-testid=import-rows]")
    assert "恒顺集团有限公司" in page.inner_text("[data-testid=import-rows]")
    assert not Enterprise.objects.exists()
    shot(page, "import-preview")
    page.click("[data-testid=import-confirm]")
    page.wait_for_selector("[data-testid=import-done]")
    assert page.inner_text("[data-testid=import-created]") == "1"
    assert Enterprise.objects.get(credit_code=code).name == "恒顺集团有限公司"


def test_large_file_goes_to_the_background_job(world, page, settings, tmp_path):
    settings.ZHUQI_IMPORT_BACKGROUND_ROWS = 3
    rows = [(f"导入局{i}", "", "", "410223", "") for i in range(4)]
    path = tmp_path / "部门.xlsx"
    path.write_bytes(write_workbook(["名称", "简称", "类型", "所属区划代码", "电话"], rows))

    log_in(page, "alice", PASSWORD)
    page.goto("/core/import/departments/")
    page.set_input_files("#import-file", str(path))
    page.click("[data-testid=import-preview-button]")
    page.wait_for_selector("[data-testid=import-background]")
    page.click("[data-testid=import-confirm]")
    page.wait_for_selector("[data-testid=import-done]")
    assert "/core/import/departments/jobs/" in page.url
    assert page.inner_text("[data-testid=import-created]") == "4"
    assert Department.objects.filter(name__startswith="导入局").count() == 4
    shot(page, "import-job-done")

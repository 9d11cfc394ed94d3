"""Indicator entry in a real browser: a department uploads its table through the one import flow
(errors first, then the preview, then the result); an official fills the 批量录入 grid with the
keyboard and a block pasted from Excel, and saves it in one go."""

from __future__ import annotations

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import make_enterprise
from zhuqi.core.excel import write_workbook
from zhuqi.indicators.models import DataSet, DataSetIndicator, Indicator, Source, Value
from zhuqi.indicators.periods import Period

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "imports")


def reference_data():
    """The standard indicator set is a migration's data: a transactional test flushed it."""
    importlib.import_module("zhuqi.indicators.migrations.0002_standard_set").load(apps, None)


@pytest.fixture
def ents(world):
    reference_data()
    return [
        make_enterprise("恒顺集团有限公司", world.grid, above_scale=True),
        make_enterprise("丰原生物化学股份有限公司", world.grid2, above_scale=True),
        make_enterprise("尉氏纺织有限公司", world.town, above_scale=True),
    ]


def test_a_department_uploads_its_table(world, ents, page, tmp_path):
    period = Period.last_ended("M", timezone.localdate())
    head = ["统一社会信用代码", "企业名称", "期间", "入库税收", "应税销售收入"]
    bad = tmp_path / "税务-有误.xlsx"
    bad.write_bytes(write_workbook(head, [[ents[0].credit_code, ents[0].name, period.label(), "十二", 300]]))
    good = tmp_path / "税务.xlsx"
    good.write_bytes(
        write_workbook(
            head,
            [
                [ents[0].credit_code, ents[0].name, period.label(), 12.5, 300],
                [ents[1].credit_code, ents[1].name, period.code, 30, 800],
            ],
        )
    )

    log_in(page, "bob", PASSWORD)  # a handler at the county's 工信局
    page.goto("/core/import/")
    page.click("a[data-testid=import-indicator_values]")
    page.wait_for_selector("[data-testid=import-upload-form]")
    page.set_input_files("#import-file", str(bad))
    page.click("[data-testid=import-preview-button]")
    page.wait_for_selector("[data-testid=import-errors]")
    errors = page.inner_text("[data-testid=import-errors]")
    assert "入库税收" in errors and "不是数字" in errors
    shot(page, "indicators-import-errors")

    page.set_input_files("#import-file", str(good))
    page.click("[data-testid=import-preview-button]")
    page.wait_for_selector("[data-testid=import-rows]")
    rows = page.inner_text("[data-testid=import-rows]")
    assert ents[1].name in rows and "入库税收 30" in rows
    assert not Value.objects.exists()
    shot(page, "indicators-import-preview")
    page.click("[data-testid=import-confirm]")
    page.wait_for_selector("[data-testid=import-done]")
    assert page.inner_text("[data-testid=import-created]") == "4"
    assert Value.objects.filter(source=Source.IMPORT, period=period.code).count() == 4
    shot(page, "indicators-import-done")


def test_an_official_fills_the_grid_with_keyboard_and_paste(world, ents, page, phone):
    output, tax = Indicator.objects.get(code="gross_output"), Indicator.objects.get(code="tax")
    ds = DataSet.objects.create(
        code="wsx_monthly", name="规上工业企业月报", region=world.county, merge_jan_feb=False
    )
    for i, ind in enumerate([output, tax]):
        DataSetIndicator.objects.create(dataset=ds, indicator=ind, sort=i)
    period = Period.last_ended("M", timezone.localdate())
    # rows are ordered by name: 丰原 (0), 尉氏纺织 (1), 恒顺 (2)
    fy, fz, hs = sorted(ents, key=lambda e: e.name)

    log_in(page, "alice", PASSWORD)
    page.goto(f"/indicators/grid/?dataset={ds.pk}&period={period.code}")
    page.wait_for_selector("[data-testid=grid-table]")
    expect(page.locator("[data-testid^=grid-row-]")).to_have_count(3)

    # keyboard: type, Enter moves down, ArrowRight moves right, ArrowUp moves up
    page.click("[data-testid=cell-0-0]")
    page.keyboard.type("1200")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.dataset.testid") == "cell-1-0"
    page.keyboard.type("800")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.testid") == "cell-1-1"
    page.keyboard.type("40")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.dataset.testid") == "cell-0-1"

    # a block copied from Excel (two columns, one row) pasted at 恒顺's first cell
    page.click("[data-testid=cell-2-0]")
    page.evaluate(
        """() => {
          const dt = new DataTransfer();
          dt.setData("text/plain", "2500\\t66.5\\r\\n");
          document.activeElement.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
        }"""
    )
    assert page.input_value("[data-testid=cell-2-1]") == "66.5"
    assert "已粘贴 2 格" in page.inner_text("[data-testid=grid-status]")

    # a typo is refused on its cell and nothing is saved
    page.fill("[data-testid=cell-0-1]", "十二")
    shot(page, "indicators-grid-filled")
    page.click("[data-testid=grid-save]")
    page.wait_for_selector("[data-testid=grid-failed]")
    assert "不是数字" in page.inner_text("[data-testid=cell-error-0-1]")
    assert page.input_value("[data-testid=cell-2-0]") == "2500"  # the typed values are kept
    assert not Value.objects.exists()
    shot(page, "indicators-grid-error")

    page.fill("[data-testid=cell-0-1]", "45")
    page.click("[data-testid=grid-save]")
    page.wait_for_selector("text=已保存 6 个数值")
    values = {
        (v.enterprise_id, v.indicator_id): v.cumulative for v in Value.objects.filter(source=Source.GRID)
    }
    assert values == {
        (fy.pk, output.pk): D(1200),
        (fy.pk, tax.pk): D(45),
        (fz.pk, output.pk): D(800),
        (fz.pk, tax.pk): D(40),
        (hs.pk, output.pk): D(2500),
        (hs.pk, tax.pk): D("66.5"),
    }
    assert page.input_value("[data-testid=cell-2-1]") == "66.5"  # prefilled from the saved values
    shot(page, "indicators-grid-saved")

    log_in(phone, "alice", PASSWORD)
    phone.goto(f"/indicators/grid/?dataset={ds.pk}&period={period.code}")
    phone.wait_for_selector("[data-testid=grid-table]")
    assert phone.is_visible("[data-testid=grid-save]")
    shot(phone, "indicators-grid-phone")

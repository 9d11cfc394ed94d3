"""Department tables through the one import flow: matched by credit code within the importer's
scope, period spellings, all or nothing with row- and column-level Chinese messages, one
set-based write; the statistics bureau's published figures for regions."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.core import import_flow
from tests.enterprises.helpers import make_enterprise
from zhuqi.core.excel import write_workbook
from zhuqi.core.models import AuditEntry, Region
from zhuqi.indicators import services
from zhuqi.indicators.importers import EnterpriseValuesImporter, OfficialValuesImporter, parse_period
from zhuqi.indicators.models import Flag, Source, Value
from zhuqi.indicators.periods import Period
from zhuqi.indicators.services import Entry

pytestmark = pytest.mark.django_db
P = Period.parse
HEAD = ["统一社会信用代码", "企业名称", "期间", "工业总产值", "入库税收"]


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "imports")


def book(rows, headers=HEAD):
    return write_workbook(headers, rows)


def run(user, rows, headers=HEAD, dry_run=False, cls=EnterpriseValuesImporter):
    return cls(user).run(book(rows, headers), dry_run=dry_run)


def errors(result):
    return {(e.row, e.column): e.message for e in result.errors}


@pytest.mark.parametrize(
    "text, code",
    [
        ("202510", "202510"),
        (202510, "202510"),
        ("2025年10月", "202510"),
        ("2025-10", "202510"),
        ("2025/1", "202501"),
        ("2025.10", "202510"),
        ("2025年1—10月", "202510"),
        ("2025年1-10月累计", "202510"),
        ("2025年10月中旬", "202510X2"),
        ("202510X3", "202510X3"),
        ("2025年第三季度", "2025Q3"),
        ("2025Q3", "2025Q3"),
        ("2025年上半年", "2025H1"),
        ("2025年", "2025"),
        ("２０２５年１０月", "202510"),
    ],
)
def test_period_spellings(text, code):
    assert parse_period(text).code == code


@pytest.mark.parametrize("text", ["2025年13月", "十月", "abc", "2025-10-40"])
def test_unknown_period_spellings_are_refused(text):
    with pytest.raises(ValueError):
        parse_period(text)


def test_a_department_imports_its_table_after_the_preview(iw):
    bob = iw.world.bob  # a handler at the county's 工信局
    rows = [
        [iw.ent.credit_code, iw.ent.name, "2025年3月", 300, 12.5],
        [iw.ent2.credit_code, iw.ent2.name, "2025-03", "1,200", None],
    ]
    preview = run(bob, rows, dry_run=True)
    assert preview.ok, preview.errors
    assert not Value.objects.exists()
    cells = EnterpriseValuesImporter(bob).preview_cells(preview.rows[0])
    assert "2025年3月" in cells and "工业总产值 300" in cells[-1]

    result = run(bob, rows)
    assert result.ok and result.created == 3
    v = Value.objects.get(enterprise=iw.ent2, indicator=iw.output)
    assert (v.period, v.cumulative, v.source) == ("202503", D(1200), Source.IMPORT)
    assert v.import_job and v.entered_by == bob
    assert not Value.objects.filter(enterprise=iw.ent2, indicator=iw.tax).exists()  # blank: not reported
    assert AuditEntry.objects.filter(action="import", object_type="indicators.value").count() == 1


def test_headers_by_code_with_unit_and_period_values(iw):
    services.record_values(
        [Entry(iw.output, P("202502"), enterprise=iw.ent, cumulative=D(100))],
        actor=iw.world.alice,
        source="behalf",
    )
    head = ["统一社会信用代码", "期间", "gross_output（当期）", "入库税收（万元）", "从业人员", "备注"]
    result = run(iw.world.alice, [[iw.ent.credit_code, "202503", 50, 7, 120, "x"]], head)
    assert result.ok, result.errors
    v = Value.objects.get(enterprise=iw.ent, indicator=iw.output, period="202503")
    assert (v.value, v.cumulative) == (D(50), D(150))  # the period's own value; the cumulative derived
    assert Value.objects.get(indicator=iw.employees).value == D(120)


def test_a_file_without_indicator_columns_or_with_an_unknown_one_is_refused(iw):
    result = run(iw.world.alice, [[iw.ent.credit_code, "202503"]], ["统一社会信用代码", "期间"])
    assert result.errors[0].row == 1 and "没有指标列" in result.errors[0].message
    result = run(iw.world.alice, [[iw.ent.credit_code, "202503", 1]], ["统一社会信用代码", "期间", "产量"])
    assert "无法识别的表头「产量」" in result.errors[0].message
    assert "工业总产值" in result.errors[0].message and "（当期）" not in result.errors[0].message
    # an official rate is not an enterprise's column
    result = run(
        iw.world.alice,
        [[iw.ent.credit_code, "202503", 1]],
        ["统一社会信用代码", "期间", "规上工业增加值增速"],
    )
    assert "无法识别的表头" in result.errors[0].message


def test_every_bad_cell_is_named_and_nothing_is_written(iw):
    w = iw.world
    town = Region.objects.create(code="410223200", name="洧川镇", kind="town", parent=w.county)
    late = make_enterprise("洧川锁定企业", town, above_scale=True)
    services.record_values(
        [
            Entry(iw.output, P("202502"), enterprise=iw.ent2, cumulative=D(500)),
            Entry(iw.output, P("202403"), enterprise=iw.small, cumulative=D(100)),
            Entry(iw.output, P("202503"), enterprise=late, cumulative=D(100)),
        ],
        actor=w.alice,
        source="behalf",
    )
    services.approve_period(iw.monthly, P("202503"), town, actor=w.alice)
    future = Period.containing("M", timezone.localdate()).next().code
    rows = [
        [iw.ent.credit_code, "", "2025年3月", "一百", 1],  # 2: text in a number cell
        ["91410000MA0000000X", "", "202503", 1, 1],  # 3: unknown enterprise
        [iw.other.credit_code, "", "202503", 1, 1],  # 4: the other county's
        [iw.ent.credit_code, "", "2025年13月", 1, 1],  # 5: wrong period
        [iw.ent.credit_code, "", future, 1, 1],  # 6: not begun
        [iw.ent2.credit_code, "", "202503", 400, None],  # 7: below February's 500
        [iw.ent2.credit_code, "", "2025-03", 600, None],  # 8: duplicate of row 7
        [iw.small.credit_code, "", "202503", 151, None],  # 9: +51 % on last year, no explanation
        [late.credit_code, "", "202503", 120, None],  # 10: locked
        [iw.ent.credit_code, "", "202504", None, None],  # 11: nothing reported
    ]
    result = run(w.bob, rows)
    found = errors(result)
    assert "不是数字" in found[(2, "工业总产值")]
    assert "找不到" in found[(3, "统一社会信用代码")]
    assert found[(4, "统一社会信用代码")] == found[(3, "统一社会信用代码")].replace(
        "91410000MA0000000X", iw.other.credit_code
    )
    assert "月份" in found[(5, "期间")]
    assert "尚未开始" in found[(6, "期间")]
    assert "小于上期累计" in found[(7, "工业总产值")]
    assert "与第 7 行重复" in found[(8, "统一社会信用代码")]
    assert "情况说明" in found[(9, "情况说明")]
    assert "已审核锁定" in found[(10, "期间")]
    assert (11, "") in found
    assert not result.ok and Value.objects.count() == 3
    assert not AuditEntry.objects.filter(action="import").exists()


def test_a_real_run_whose_cells_all_parse_is_checked_once_at_the_write(iw, monkeypatch):
    """Without a dry run first, problems only the whole file shows (a cumulative below last
    month's, a swing without an explanation) still come back naming row and column, nothing is
    written, and the rows are checked once (at the write, under its locks), not twice."""
    services.record_values(
        [
            Entry(iw.output, P("202502"), enterprise=iw.ent2, cumulative=D(500)),
            Entry(iw.output, P("202403"), enterprise=iw.small, cumulative=D(100)),
        ],
        actor=iw.world.alice,
        source="behalf",
    )
    before = Value.objects.count()
    checks = []
    real_check = services._check
    monkeypatch.setattr(services, "_check", lambda *a, **k: checks.append(1) or real_check(*a, **k))
    rows = [
        [iw.ent2.credit_code, "", "202503", 400, None],  # 2: below February's 500
        [iw.small.credit_code, "", "202503", 151, None],  # 3: +51 % on last year, no explanation
        [iw.ent.credit_code, "", "202503", 10, 1],  # 4: fine
    ]
    result = run(iw.world.bob, rows)
    found = errors(result)
    assert "小于上期累计" in found[(2, "工业总产值")]
    assert "情况说明" in found[(3, "情况说明")]
    assert not result.ok and Value.objects.count() == before
    assert len(checks) == 1
    # the preview (a dry run) checks the same rows and names the same cells
    assert errors(run(iw.world.bob, rows, dry_run=True)) == found


def test_an_explained_swing_is_imported_and_flagged(iw):
    services.record_values(
        [Entry(iw.output, P("202403"), enterprise=iw.ent, cumulative=D(100))],
        actor=iw.world.alice,
        source="behalf",
    )
    head = [*HEAD, "情况说明"]
    result = run(iw.world.alice, [[iw.ent.credit_code, "", "202503", 200, None, "新生产线投产"]], head)
    assert result.ok, result.errors
    v = Value.objects.get(period="202503")
    assert Flag.SWING in v.flag_list and v.explanation == "新生产线投产"


def test_the_page_previews_then_imports(iw, login):
    client = login(iw.world.bob)
    data = book([[iw.ent.credit_code, iw.ent.name, "202503", 300, 12]])
    page = import_flow.preview(client, "indicator_values", data)
    assert page.status_code == 200 and "import-confirm" in page.content.decode()
    assert not Value.objects.exists()
    done = import_flow.confirm(client, "indicator_values", import_flow.token_of(page.content.decode()))
    assert done.status_code == 200 and 'data-testid="import-done"' in done.content.decode()
    assert Value.objects.count() == 2
    template = client.get(reverse("core:import_template", args=["indicator_values"]))
    assert template.status_code == 200


def test_who_may_import(iw, login):
    for user, status in ((iw.world.observer, 404), (iw.world.enterprise_user, 404), (iw.world.bob, 200)):
        assert login(user).get(import_flow.url("indicator_values")).status_code == status


def test_the_check_and_the_write_are_set_based(iw):
    """The number of queries does not grow with the rows (a 50,000-row table is one write)."""

    def queries(n):
        ents = [make_enterprise(f"批量企业{n}-{i}", iw.world.grid, above_scale=True) for i in range(n)]
        rows = [[e.credit_code, "", "202503", 100 + i, 5] for i, e in enumerate(ents)]
        with CaptureQueriesContext(connection) as ctx:
            result = run(iw.world.alice, rows)
        assert result.ok and result.created == 2 * n
        Value.objects.all().delete()
        return len(ctx.captured_queries)

    assert queries(40) <= queries(4) + 2


def test_region_figures_of_the_statistics_bureau(iw):
    w = iw.world
    head = ["区划代码", "期间", "规上工业增加值增速", "工业投资增速"]
    rows = [[w.county.code, "2025年10月", 8.5, -3.2], [w.park.code, "202510", 9.1, None]]
    result = run(w.alice, rows, head, cls=OfficialValuesImporter)
    assert result.ok, result.errors
    v = Value.objects.get(region=w.county, indicator=iw.growth)
    assert (v.enterprise, v.cumulative, v.source) == (None, D("8.5"), Source.OFFICIAL)
    assert Value.objects.filter(source=Source.OFFICIAL).count() == 3

    refused = run(w.alice, [[w.other_county.code, "202510", 7, None]], head, cls=OfficialValuesImporter)
    assert "不在您的管辖范围内" in errors(refused)[(2, "区划代码")]
    # an enterprise indicator is not a region's published figure here
    bad = run(
        w.alice,
        [[w.county.code, "202510", 7]],
        ["区划代码", "期间", "工业总产值"],
        cls=OfficialValuesImporter,
    )
    assert "无法识别的表头" in bad.errors[0].message


def test_a_template_downloaded_in_english_imports_back(iw):
    from django.utils import translation

    with translation.override("en"):
        head = [c.header for c in EnterpriseValuesImporter.columns][:3] + ["工业总产值 (period)", "tax"]
        assert head[2] != "期间"  # the headers in English
        result = run(iw.world.alice, [[iw.ent.credit_code, "", "202501", 50, 7]], head)
    assert result.ok, result.errors
    assert Value.objects.get(indicator=iw.output).value == D(50)

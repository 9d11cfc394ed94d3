"""Excel import of the registry: preview, row errors in Chinese, wrong headers, duplicates,
all-or-nothing, updates matched by credit code; the page flow upload → preview → confirm."""

import io

import pytest
from django.urls import reverse

from tests.core import import_flow
from tests.enterprises.helpers import credit_code, make_enterprise
from zhuqi.core.excel import write_workbook
from zhuqi.enterprises.importers import EnterpriseImporter
from zhuqi.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in EnterpriseImporter.columns]


def book(rows, headers=HEADERS):
    return write_workbook(headers, rows)


def row(name, code, region="410223P1G1", **extra):
    values = {h: "" for h in HEADERS}
    values.update({"企业名称": name, "统一社会信用代码": code, "所在区划": region})
    values.update(extra)
    return [values[h] for h in HEADERS]


def test_good_file_creates_and_updates_by_credit_code(world):
    existing = make_enterprise("旧名称有限公司", world.grid)
    code = credit_code()
    data = book(
        [
            row(
                "恒顺集团有限公司",
                code,
                **{
                    "行业代码": "26",
                    "注册资本（万元）": 5000,
                    "规上企业": "是",
                    "标签": "专精特新、外贸",
                    "梯队": "强雁",
                },
            ),
            row("新名称有限公司", existing.credit_code, "经开区二网格"),
        ]
    )
    preview = EnterpriseImporter(world.alice).run(data, dry_run=True)
    assert preview.ok and [r["_action"] for r in preview.rows] == ["新增", "更新"]
    assert not Enterprise.objects.filter(credit_code=code).exists()  # dry run writes nothing
    result = EnterpriseImporter(world.alice).run(data, dry_run=False)
    assert (result.created, result.updated) == (1, 1)
    hs = Enterprise.objects.get(credit_code=code)
    assert hs.registered_capital == 50_000_000 and hs.above_scale and hs.tier == "strong"
    assert sorted(t.name for t in hs.tags.all()) == ["专精特新", "外贸"]
    existing.refresh_from_db()
    assert (existing.name, existing.region) == ("新名称有限公司", world.grid2)


def test_bad_rows_get_chinese_messages_and_nothing_is_saved(world):
    good = credit_code()
    data = book(
        [
            row("好企业有限公司", good),
            row("坏代码有限公司", "91410223000000001X"),
            row("短代码有限公司", "123"),
            row("区划不对有限公司", credit_code(), "不存在的乡镇"),
            row("行业不对有限公司", credit_code(), **{"行业代码": "99"}),
            row("", credit_code()),
            row("外县企业有限公司", credit_code(), "410222G1"),
            row("规上填错有限公司", credit_code(), **{"规上企业": "也许"}),
        ]
    )
    result = EnterpriseImporter(world.alice).run(data, dry_run=False)
    messages = [str(e) for e in result.errors]
    assert not result.applied
    assert any(m.startswith("第 3 行「统一社会信用代码」") and "校验位" in m for m in messages)
    assert any(m.startswith("第 4 行「统一社会信用代码」") and "18 位" in m for m in messages)
    assert any(m.startswith("第 5 行「所在区划」") for m in messages)
    assert any(m.startswith("第 6 行「行业代码」") for m in messages)
    assert "第 7 行「企业名称」：不能为空" in messages
    assert any(m.startswith("第 8 行「所在区划」") and "管辖范围" in m for m in messages)
    assert any(m.startswith("第 9 行「规上企业」") for m in messages)
    assert not Enterprise.objects.filter(credit_code=good).exists()  # the good row was not half-saved


def test_wrong_headers_are_a_file_error(world):
    data = book([["恒顺集团有限公司", credit_code()]], headers=["公司名", "信用代码"])
    result = EnterpriseImporter(world.alice).run(data, dry_run=False)
    assert len(result.errors) == 1
    assert "缺少表头「企业名称、统一社会信用代码、所在区划」" in str(result.errors[0])
    assert not Enterprise.objects.exists()


def test_duplicate_codes_in_one_file_are_refused(world):
    code = credit_code()
    data = book([row("甲有限公司", code), row("乙有限公司", code.lower())])
    result = EnterpriseImporter(world.alice).run(data, dry_run=False)
    assert [str(e) for e in result.errors] == ["第 3 行「统一社会信用代码」：与第 2 行重复"]
    assert not Enterprise.objects.exists()


def test_not_an_excel_file(world):
    result = EnterpriseImporter(world.alice).run(b"not a workbook", dry_run=True)
    assert "不是有效的 Excel" in str(result.errors[0])


def test_import_page_preview_then_confirm(world, login):
    # the enterprise import is a kind of the one import flow (/core/import/enterprises/)
    client = login(world.alice)
    assert client.get(reverse("enterprises:enterprise_import"))["Location"] == import_flow.url("enterprises")
    code = credit_code()
    response = import_flow.preview(client, "enterprises", book([row("恒顺集团有限公司", code)]), "名录.xlsx")
    html = response.content.decode()
    assert 'data-testid="import-preview"' in html and "恒顺集团有限公司" in html and "新增" in html
    assert not Enterprise.objects.exists()
    token = import_flow.token_of(html)
    response = import_flow.confirm(client, "enterprises", token)
    assert 'data-testid="import-done"' in response.content.decode()
    assert Enterprise.objects.get(credit_code=code).name == "恒顺集团有限公司"
    # confirming again without a new preview does nothing
    response = import_flow.confirm(client, "enterprises", token)
    assert "预览已失效" in response.content.decode()
    assert Enterprise.objects.count() == 1


def test_import_page_shows_row_errors_and_keeps_nothing(world, login):
    client = login(world.alice)
    data = book([row("坏代码有限公司", "91410223000000001X")])
    html = import_flow.preview(client, "enterprises", data, "名录.xlsx").content.decode()
    assert 'data-testid="import-errors"' in html and "第 2 行「统一社会信用代码」" in html
    assert 'data-testid="import-confirm"' not in html
    assert not Enterprise.objects.exists()


def test_template_download(world, login):
    from openpyxl import load_workbook

    client = login(world.alice)
    response = client.get(reverse("enterprises:import_template"), follow=True)
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == HEADERS

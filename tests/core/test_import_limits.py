"""Hostile spreadsheets: every import goes through one reader (core.excel.Importer.read) that
refuses a file over a limit (size, unpacked size, zip ratio, rows, columns, cell length) with a
Chinese message naming the limit, before anything is written and before the workbook can fill a
worker's memory."""

from __future__ import annotations

import io
import os
import re
import zipfile

import pytest
from openpyxl import Workbook

from zhuqi.core.imports import RegionImporter
from zhuqi.core.models import AuditEntry, Region

from .import_flow import preview

HEADERS = ["代码", "名称", "类型", "上级代码"]
GOOD_ROW = ("410223200", "洧川镇", "乡镇（街道）", "410223")


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rewrite(data: bytes, parts: dict[str, bytes]) -> bytes:
    """`data` with some of its zip members replaced or added."""
    replace = dict(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.pop(info.filename, None) or src.read(info.filename))
        for name, body in replace.items():
            dst.writestr(name, body)
    return out.getvalue()


def shared_strings(*texts: str) -> bytes:
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(texts)}" uniqueCount="{len(texts)}">{items}</sst>'
    ).encode()


def refused(world, data: bytes) -> str:
    """The one file-level message of a refused preview and of a refused apply; nothing written."""
    before = Region.objects.count()
    for dry_run in (True, False):
        result = RegionImporter(world.alice).run(data, dry_run=dry_run)
        assert not result.ok and not result.applied
        assert len(result.errors) == 1, [str(e) for e in result.errors]
    assert Region.objects.count() == before
    assert not AuditEntry.objects.filter(action="import").exists()
    return result.errors[0].message


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "imports")


def test_a_sound_file_still_imports(world):
    result = RegionImporter(world.alice).run(xlsx([GOOD_ROW]), dry_run=False)
    assert result.applied and Region.objects.filter(code="410223200").exists()


def test_a_huge_shared_string_compressed_small_is_refused_by_its_ratio(world):
    # The attack of issue 21: one shared string of millions of characters, a few KB zipped.
    data = rewrite(
        xlsx([GOOD_ROW]), {"xl/sharedStrings.xml": shared_strings("代码", "名称", "类型", "a" * 8_000_000)}
    )
    assert len(data) < 100_000
    message = refused(world, data)
    assert "压缩比超过上限 100 倍" in message and "xl/sharedStrings.xml" in message


def test_a_long_shared_string_within_the_ratio_is_refused_before_openpyxl_reads_it(world, settings):
    settings.ZHUQI_IMPORT_MAX_ZIP_RATIO = 100_000
    data = rewrite(
        xlsx([GOOD_ROW]), {"xl/sharedStrings.xml": shared_strings("代码", "名称", "类型", "a" * 2_000_000)}
    )
    assert refused(world, data) == "有单元格的文字超过上限 5000 个字符"


def test_too_many_rows(world, settings):
    settings.ZHUQI_IMPORT_MAX_ROWS = 5
    rows = [(f"4102232{i:02d}", f"镇{i}", "乡镇（街道）", "410223") for i in range(6)]
    assert RegionImporter(world.alice).run(xlsx(rows[:5])).ok
    message = refused(world, xlsx(rows))
    assert message == "行数超过上限 5 行（第 7 行起），请分批导入"


def test_too_many_columns(world):
    row = [*GOOD_ROW, *(["x"] * 97)]  # 101 cells
    message = refused(world, xlsx([GOOD_ROW, row]))
    assert message == "列数超过上限 100 列（第 3 行有 101 列）"


def test_a_cell_too_long_is_named_by_its_cell(world):
    long_name = "镇" * 5001
    message = refused(world, xlsx([GOOD_ROW, ("410223201", long_name, "乡镇（街道）", "410223")]))
    assert message == "单元格 B3 的文字超过上限 5000 个字符"


def test_a_cell_within_the_limit_but_over_the_column_length_names_the_column(world):
    result = RegionImporter(world.alice).run(xlsx([("410223201", "镇" * 300, "乡镇（街道）", "410223")]))
    assert not result.ok
    assert any(e.row == 2 and "个字符" in e.message for e in result.errors)


def test_a_file_over_the_byte_limit(world, settings):
    data = xlsx([GOOD_ROW])
    settings.ZHUQI_IMPORT_MAX_BYTES = len(data) - 1
    assert re.fullmatch(r"文件大小超过上限 [\d.]+ MB，请分批导入", refused(world, data))


def test_the_upload_page_refuses_a_file_over_the_byte_limit(world, login, settings):
    settings.ZHUQI_IMPORT_MAX_BYTES = 1024 * 1024
    big = b"PK" + os.urandom(1024 * 1024)
    page = preview(login(world.alice), "regions", big).content.decode()
    assert "文件大小超过上限 1 MB，请分批导入" in page
    assert 'name="token"' not in page
    assert not AuditEntry.objects.filter(action="import").exists()


def test_a_non_zip_named_xlsx(world, login):
    message = refused(world, "代码,名称\n410223200,洧川镇\n".encode())
    assert message == "不是有效的 Excel（.xlsx）文件，请用模板另存为 .xlsx 后再导入"
    page = preview(login(world.alice), "regions", b"not a zip at all", name="区划.xlsx").content.decode()
    assert "不是有效的 Excel（.xlsx）文件" in page and 'name="token"' not in page


def test_a_zip_with_a_huge_member(world, settings):
    settings.ZHUQI_IMPORT_MAX_UNZIPPED_BYTES = 1024 * 1024
    data = rewrite(xlsx([GOOD_ROW]), {"xl/media/blob.bin": os.urandom(1024 * 1024)})
    assert refused(world, data) == "文件解压后超过上限 1 MB，请分批导入"


def test_entity_expansion_is_not_a_workbook(world):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>'
    )
    data = rewrite(xlsx([GOOD_ROW]), {"xl/sharedStrings.xml": bomb})
    assert refused(world, data) == "不是有效的 Excel（.xlsx）文件，请用模板另存为 .xlsx 后再导入"


def test_a_forged_dimension_does_not_pad_rows_to_the_whole_sheet(world):
    data = xlsx([GOOD_ROW])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    sheet = re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    assert "XFD1048576" in sheet
    result = RegionImporter(world.alice).run(rewrite(data, {"xl/worksheets/sheet1.xml": sheet.encode()}))
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.rows) == 1

"""The guard scan's bound (`core.excel._bounded_xml`, issue #13): a part passes without a Python
call per element only when the element-by-element scan (`_scan_xml`) would pass it too; every
other part (too long a text, markup that could hide a false start, another encoding, not
well-formed) goes to the full scan, whose messages are unchanged. And `gc_paused`: an import runs
without the cyclic collector, which is enabled again afterwards as it was."""

from __future__ import annotations

import gc
import io
import zipfile

import pytest

from zhuqi.core import excel

LIMIT = 200  # the characters a text or a cell may hold in these parts
HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def part(body: bytes, head: bytes = HEAD) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", head + body)
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    return archive, archive.infolist()[0]


def full_scan_passes(archive, info) -> bool:
    try:
        excel._scan_xml(archive, info, LIMIT)
    except Exception:  # noqa: BLE001 — any refusal of the full scan
        return False
    return True


def sheet(*cells: bytes) -> bytes:
    return (
        b'<worksheet xmlns="m"><sheetData><row r="1">' + b"".join(cells) + b"</row></sheetData></worksheet>"
    )


def cell(text: str, ref: str = "A1") -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


PASSING = {
    "short cells": sheet(*(cell("x" * 40, f"A{i}") for i in range(200))),
    "number cells": sheet(*(f'<c r="B{i}"><v>{i}.5</v></c>'.encode() for i in range(500))),
    "Chinese text": sheet(*(cell("企业" * 20, f"A{i}") for i in range(50))),
    "prefixed elements": b'<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c r="A1"><x:v>1</x:v></x:c>'
    b"</x:row></x:sheetData></x:worksheet>",
    "no declaration": sheet(cell("abc")),
}

TOO_LONG = {
    "one long text": sheet(cell("x" * (LIMIT + 1))),
    "a cell of many short runs": b'<worksheet xmlns="m"><sheetData><row><c r="A1" t="inlineStr"><is>'
    + b"".join(b"<r><t>" + b"y" * 30 + b"</t></r>" for _ in range(8))
    + b"</is></c></row></sheetData></worksheet>",
    "shared strings": b'<sst xmlns="m"><si>'
    + b"".join(b"<r><t>" + b"z" * 30 + b"</t></r>" for _ in range(8))
    + b"</si></sst>",
}

NOT_DECIDED = {
    # a comment holding a false start between two halves of one long cell
    "comment": b'<worksheet xmlns="m"><sheetData><row><c r="A1" t="inlineStr"><is><r><t>'
    + b"a" * 110
    + b"</t></r><!--<c r='Z9'>--><r><t>"
    + b"a" * 110
    + b"</t></r></is></c></row></sheetData></worksheet>",
    "CDATA": sheet(
        b'<c r="A1" t="inlineStr"><is><t><![CDATA[' + b"b" * 60 + b"<c >" + b"b" * 60 + b"]]></t></is></c>"
    ),
    "processing instruction": sheet(b"<?pi <c ?>", cell("short")),
}


@pytest.mark.parametrize("name", sorted(PASSING))
def test_the_bound_passes_what_the_full_scan_passes(name):
    archive, info = part(PASSING[name])
    assert full_scan_passes(archive, info)
    assert excel._bounded_xml(archive, info, LIMIT)


@pytest.mark.parametrize("name", sorted(TOO_LONG) + sorted(NOT_DECIDED))
def test_the_bound_leaves_to_the_full_scan_what_it_cannot_pass(name):
    archive, info = part({**TOO_LONG, **NOT_DECIDED}[name])
    assert not excel._bounded_xml(archive, info, LIMIT)
    if name in TOO_LONG:
        assert not full_scan_passes(archive, info)


def test_a_long_cell_hidden_behind_a_comment_is_still_refused_by_the_full_scan():
    archive, info = part(NOT_DECIDED["comment"])
    with pytest.raises(excel._TooLong):
        excel._scan_xml(archive, info, LIMIT)


def test_other_encodings_doctypes_and_broken_xml_go_to_the_full_scan():
    text = sheet(cell("短"))
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?>' + text.decode()).encode("utf-16")
    cases = [
        part(utf16, head=b""),
        part(text, head=b'<?xml version="1.0" encoding="ISO-8859-1"?>'),
        part(b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + text),
        part(sheet(cell("x"))[:-5]),  # not well-formed
    ]
    for archive, info in cases:
        assert not excel._bounded_xml(archive, info, LIMIT)


def test_a_long_file_of_short_cells_passes_across_chunks(monkeypatch):
    # small chunks (the declaration still within the first): starts and `<!` straddle them
    monkeypatch.setattr(excel, "SCAN_CHUNK", 61)
    archive, info = part(PASSING["short cells"])
    assert excel._bounded_xml(archive, info, LIMIT)
    archive, info = part(NOT_DECIDED["comment"])
    assert not excel._bounded_xml(archive, info, LIMIT)
    archive, info = part(TOO_LONG["a cell of many short runs"])
    assert not excel._bounded_xml(archive, info, LIMIT)


def test_gc_paused_restores_the_collector_as_it_was():
    assert gc.isenabled()
    with excel.gc_paused():
        assert not gc.isenabled()
        with excel.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), excel.gc_paused():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with excel.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_an_import_runs_without_the_collector_and_enables_it_again(world):
    from zhuqi.core.imports import RegionImporter

    seen = []

    class Spy(RegionImporter):
        def prepare(self, rows):
            seen.append(gc.isenabled())
            super().prepare(rows)

    data = excel.write_workbook(
        ["代码", "名称", "类型", "上级代码"], [["410223200", "洧川镇", "乡镇（街道）", "410223"]]
    )
    Spy(world.alice).run(data, dry_run=True)
    assert seen == [False]
    assert gc.isenabled()

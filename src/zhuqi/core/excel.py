"""Excel helpers: all-or-nothing imports with a dry-run preview, and audited exports.

An importer declares its columns; `run(file, dry_run=True)` reads the workbook, checks the header
row strictly (a missing or unknown column is a file error; columns whose header starts with
「备注」 are ignored), validates every row and returns row-level messages in the user's language.
Nothing is written unless every row is valid and `dry_run` is False; then all rows are applied in
one transaction.

Headers: a column's header is a Chinese msgid marked with gettext_noop. The Chinese header is
canonical and always accepted; the header in the active language is accepted too, so a template
downloaded in English (templates, previews and messages show headers translated) imports back.

Every importer of every app is also a page of the one import flow (`zhuqi.core.imports` and
`zhuqi.core.views_import`): it declares `kind`, `title`, `allowed(user)` and its template rows,
and registers itself with `zhuqi.core.imports.register`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import io
import re
import threading
import zipfile
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.parsers import expat

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from . import audit

IGNORED_HEADER_PREFIX = gettext_noop("备注")  # in Chinese, and in the active language
PROGRESS_EVERY = 500  # rows between two progress reports

# What a row does, as `row["_action"]`: msgids, shown translated in the preview.
CREATE = gettext_noop("新增")
UPDATE = gettext_noop("更新")
SAME = gettext_noop("无变化")


class RowInvalid(ValueError):
    """Raised by a column parser or row validator with a (translated) message; `column` names
    the column it is about (its translated header). The older form "header|message" in one
    string is still understood."""

    def __init__(self, message: Any = "", column: Any = ""):
        super().__init__(str(message))
        self.column = str(column) if column else ""


def choice_by_label(choices_cls) -> dict[str, str]:
    """A TextChoices value by its label (in Chinese, English or the active language) or by its
    value, case-folded: how an importer reads a choice cell."""
    return _choice_by_label(choices_cls, translation.get_language())


@functools.lru_cache(maxsize=32)
def _choice_by_label(choices_cls, active: str | None) -> dict[str, str]:
    table = {}
    for language in ("en", "zh-hans", active):
        with translation.override(language):
            table.update({str(label).casefold(): value for value, label in choices_cls.choices})
    table.update({value.casefold(): value for value in choices_cls.values})
    return table


def normalise_header(text: Any) -> str:
    """A header cell as compared: no spaces, full-width brackets, case-folded."""
    text = re.sub(r"\s+", "", str(text or ""))
    return text.replace("(", "（").replace(")", "）").replace(":", "：").casefold()


@dataclass
class Column:
    """One column of an import. `msgid` is the Chinese header, marked with gettext_noop: it is
    the canonical header and is always accepted; `header` is that header in the active language
    (what the template, the preview and error messages show), and is accepted too."""

    msgid: str
    key: str
    required: bool = True
    parse: Callable[[Any], Any] | None = None
    max_length: int | None = None

    @property
    def header(self) -> str:
        return _(self.msgid)

    def accepts(self, name: Any) -> bool:
        """Whether a header cell names this column (Chinese or the active language)."""
        cell = normalise_header(name)
        return bool(cell) and cell in {normalise_header(self.msgid), normalise_header(self.header)}


def is_ignored_header(name: str) -> bool:
    """Columns whose header starts with 「备注」 (or its translation) are the user's own notes."""
    cell = normalise_header(name)
    prefixes = {normalise_header(IGNORED_HEADER_PREFIX), normalise_header(_(IGNORED_HEADER_PREFIX))}
    return any(p and cell.startswith(p) for p in prefixes)


@dataclass
class RowError:
    row: int
    column: str
    message: str

    @property
    def where(self) -> str:
        """「第 3 行「名称」」, 「第 1 行」 or 「文件」: the place the message is about."""
        place = _("第 %(n)d 行") % {"n": self.row} if self.row else _("文件")
        return (
            _("%(place)s「%(column)s」") % {"place": place, "column": self.column} if self.column else place
        )

    def __str__(self) -> str:
        return _("%(where)s：%(message)s") % {"where": self.where, "message": self.message}


@dataclass
class ImportResult:
    dry_run: bool
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | tuple | set):
        return _("、").join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
        )
    return str(value)


def not_xlsx_message() -> str:
    return _("不是有效的 Excel（.xlsx）文件，请用模板另存为 .xlsx 后再导入")


SCAN_CHUNK = 64 * 1024
SCAN_SLACK = 10  # the streaming scan refuses texts this many times longer than a cell may be
RATIO_FLOOR = 1024 * 1024  # parts smaller than this unpacked are not held to the ratio limit


class _TooLong(Exception):
    def __init__(self, cell: str = ""):
        self.cell = cell


class _HasDoctype(Exception):
    pass


def check_workbook(data: bytes) -> str:
    """Why an uploaded workbook must not be opened, or "" if it may: it is larger than
    ZHUQI_IMPORT_MAX_BYTES, is not a zip, unpacks to more than ZHUQI_IMPORT_MAX_UNZIPPED_BYTES,
    has a part compressed more than ZHUQI_IMPORT_MAX_ZIP_RATIO times (a zip bomb), or holds a
    text of more than ZHUQI_IMPORT_MAX_CELL_CHARS characters (found by streaming every XML part
    through expat, before openpyxl loads the shared strings whole)."""
    max_bytes = settings.ZHUQI_IMPORT_MAX_BYTES
    if len(data) > max_bytes:
        return _("文件大小超过上限 %(n)s MB，请分批导入") % {"n": megabytes(max_bytes)}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return not_xlsx_message()
    with archive:
        max_unzipped = settings.ZHUQI_IMPORT_MAX_UNZIPPED_BYTES
        max_ratio = settings.ZHUQI_IMPORT_MAX_ZIP_RATIO
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if total > max_unzipped:
                return _("文件解压后超过上限 %(n)s MB，请分批导入") % {"n": megabytes(max_unzipped)}
            if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
                return _("文件的压缩比超过上限 %(n)d 倍（%(part)s），不像正常的 Excel 文件") % {
                    "n": max_ratio,
                    "part": info.filename,
                }
        max_chars = settings.ZHUQI_IMPORT_MAX_CELL_CHARS
        for info in archive.infolist():
            if not info.filename.lower().endswith((".xml", ".rels")):
                continue
            try:
                # A guard for memory, looser than the limit: a cell just over it is named by
                # its row and column when the rows are read. The bound first (no Python per
                # element); the element-by-element scan where it cannot decide.
                if not _bounded_xml(archive, info, SCAN_SLACK * max_chars):
                    _scan_xml(archive, info, SCAN_SLACK * max_chars)
            except _TooLong as e:
                if e.cell:
                    message = _("单元格 %(cell)s 的文字超过上限 %(n)d 个字符")
                    return message % {"cell": e.cell, "n": max_chars}
                return _("有单元格的文字超过上限 %(n)d 个字符") % {"n": max_chars}
            except (_HasDoctype, expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError):
                return not_xlsx_message()
    return ""


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


#: where an element that starts a cell or a shared string (`c`, `si`, with any prefix) may begin
_CELL_START = re.compile(rb"<(?:[^\s/>:<]*:)*(?:c|si)[\s/>]")
#: the XML declaration of a part in UTF-8 (no encoding named, or UTF-8): where one byte `<` is
#: always the character `<` and a character is never fewer bytes than one
_DECLARATION = re.compile(
    rb"""(?:\xef\xbb\xbf)?(?:<\?xml(?:\s+version\s*=\s*["'][^"'<>]*["'])"""
    rb"""(?:\s+encoding\s*=\s*["']utf-8["'])?(?:\s+standalone\s*=\s*["'][^"'<>]*["'])?\s*\?>|(?=<[^?]))""",
    re.IGNORECASE,
)


def _bounded_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_chars: int) -> bool:
    """True if `_scan_xml` would pass this part, decided without a Python call per element:
    the part is well-formed XML (expat, no handlers but the DOCTYPE refusal) and no two
    consecutive starts of a cell or a shared string (the part's beginning and end count as
    starts) are more than `max_chars` bytes apart. A text node or a cell's text lies between two
    such starts, and never holds more characters than bytes (UTF-8, entities shorten; no DTD
    can define others), so neither counter of `_scan_xml` can pass `max_chars`. False (let
    `_scan_xml` decide, with its messages) when that bound does not hold, the part holds a
    comment, CDATA, a processing instruction or a DOCTYPE (markup where a false start could
    hide), or expat refuses it."""
    parser = expat.ParserCreate()

    def doctype(*args):
        raise _HasDoctype()

    parser.StartDoctypeDeclHandler = doctype
    hop = max(max_chars // 2, 1)
    buf = b""  # the part from the latest start found on (a start may straddle two chunks)
    prev = b""  # the previous chunk's last byte: a `<!` may straddle two chunks
    first = True
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(SCAN_CHUNK):
                parser.Parse(chunk, False)
                skip = 0
                if first:
                    first = False
                    m = _DECLARATION.match(chunk)
                    if m is None:  # another encoding (UTF-16 …), or not XML: the full scan
                        return False
                    skip = m.end()
                seen = prev + chunk
                if seen.find(b"<!", skip) != -1 or seen.find(b"<?", skip) != -1:
                    return False
                prev = chunk[-1:]
                buf += chunk
                # hop from start to start: a start at least `hop` bytes on if there is one within
                # `max_chars`, else the very next one (the gaps of a subset of the starts bound
                # the gaps of all of them)
                at = 0
                while True:
                    m = _CELL_START.search(buf, at + hop)
                    if m is None or m.start() - at > max_chars:
                        m = _CELL_START.search(buf, at + 1)
                    if m is None:
                        break
                    if m.start() - at > max_chars:
                        return False
                    at = m.start()
                if len(buf) - at > max_chars:
                    return False
                buf = buf[at:]
        parser.Parse(b"", True)
    except (_HasDoctype, expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return len(buf) <= max_chars


def _scan_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_chars: int) -> None:
    """Stream one XML part: raise _TooLong when a text node, or the text of one shared string
    (<si>) or cell (<c>), is longer than `max_chars`. Nothing but counters is kept."""
    parser = expat.ParserCreate()
    parser.buffer_text = True  # one call per run of text, not per piece
    node = cell = text = 0
    ref = ""
    # element name (with any prefix) → 1 a text element (t, v), 2 a cell or shared string
    # (c, si), 0 anything else: looked up once per name, not split per element
    kinds: dict[str, int] = {}

    def kind_of(name: str) -> int:
        local = name.rsplit(":", 1)[-1]
        k = kinds[name] = 1 if local in ("t", "v") else 2 if local in ("si", "c") else 0
        return k

    def start(name, attrs):
        nonlocal node, cell, text, ref
        node = 0
        k = kinds.get(name)
        if k is None:
            k = kind_of(name)
        if k == 2:
            cell = 0
            ref = attrs.get("r", "") if name.endswith("c") else ""
        elif k == 1:
            text += 1

    def end(name):
        nonlocal node, text
        node = 0
        if kinds.get(name) == 1:
            text -= 1

    def chars(data):
        nonlocal node, cell
        node += len(data)
        if text > 0:
            cell += len(data)
        if node > max_chars or cell > max_chars:
            raise _TooLong(str(ref)[:12])

    def doctype(*args):
        raise _HasDoctype()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    with archive.open(info) as stream:
        while chunk := stream.read(SCAN_CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


_gc_lock = threading.Lock()
_gc_pauses = 0  # imports running under `gc_paused`
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection while an import runs. A table of 50,000 rows builds a few
    hundred thousand dicts, Decimals and entries that all stay alive until the write; every
    full collection walks all of them (and the rest of the process), and as the heap grows
    Python runs one each time it grows by a quarter: a third of the import's CPU time went
    there. Reference counting still frees everything acyclic at once; cycles wait until the
    import ends. Nested and concurrent imports share the pause: the collector is enabled again,
    if it was before the first one, when the last one ends."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


class Importer:
    """Subclasses set `columns`, `object_name` and implement `clean_row` and `apply_row` (or
    `apply_rows`, to write all rows set-based). `clean_row` may set `row["_action"]` (CREATE,
    UPDATE, SAME: msgids, shown translated; or a short translated text) and `row["_note"]` for
    the preview.

    To appear in the import flow a subclass also sets `kind` (URL slug), `title`, `help_lines`,
    `sample` (the template's example rows), overrides `allowed(user)` and is registered with
    `zhuqi.core.imports.register`."""

    do_not_call_in_templates = True  # templates list the classes themselves
    columns: Sequence[Column] = ()
    object_name: Any = gettext_lazy("数据")  # in the audit entry: 「导入企业 12 行」
    audit_object_type = ""
    #: True when `apply_rows` checks the whole file again under its locks (and raises naming the
    #: rows): a real run whose rows all parsed then skips `check_rows`, which the dry run showed
    checks_at_write = False
    kind = ""  # URL slug of the import page
    title: Any = ""  # page title
    help_lines: Sequence[Any] = ()
    sample: Sequence[Sequence[Any]] = ()
    done_url = ""  # URL name of the page the result links back to

    def __init__(self, actor):
        self.actor = actor
        self.progress: Callable[[str, int, int], None] | None = None

    # --- registration with the import flow ----------------------------------------
    @classmethod
    def allowed(cls, user) -> bool:
        """Who may use this import (its page, its template); others get 404."""
        return False

    @classmethod
    def template_rows(cls, user) -> Sequence[Sequence[Any]]:
        """The example rows of the downloadable template."""
        return cls.sample

    # --- preview -------------------------------------------------------------------
    def preview_headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def preview_cells(self, row: dict) -> list[str]:
        return [_cell(row.get(c.key)) for c in self.columns]

    # --- reading -------------------------------------------------------------
    def read(self, file) -> tuple[list[tuple[int, dict]], list[RowError]]:
        """The data rows of the first sheet as (row number, {column key: cell value}), or the
        file-level errors. Every limit (settings.ZHUQI_IMPORT_MAX_*) is checked before or while
        streaming, so a hostile file is refused before it can fill a worker's memory."""
        data = file.read() if hasattr(file, "read") else file
        problem = check_workbook(data)
        if problem:
            return [], [RowError(0, "", problem)]
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
            return [], [RowError(0, "", not_xlsx_message())]
        try:
            return self._read_rows(wb.worksheets[0])
        finally:
            wb.close()

    def _read_rows(self, ws) -> tuple[list[tuple[int, dict]], list[RowError]]:
        max_rows = settings.ZHUQI_IMPORT_MAX_ROWS
        max_columns = settings.ZHUQI_IMPORT_MAX_COLUMNS
        max_chars = settings.ZHUQI_IMPORT_MAX_CELL_CHARS
        ws.reset_dimensions()  # a forged <dimension> must not pad every row to 16,384 cells
        rows = ws.iter_rows(values_only=True)
        out: list[tuple[int, dict]] = []
        index: dict[str, int] = {}  # column key → cell index
        header_seen = False
        for rownum, values in enumerate(rows, start=1):
            values = values or ()
            if rownum > max_rows + 1:
                message = _("行数超过上限 %(n)d 行（第 %(row)d 行起），请分批导入")
                return [], [RowError(0, "", message % {"n": max_rows, "row": rownum})]
            width = len(values)
            while width and (values[width - 1] is None or values[width - 1] == ""):
                width -= 1
            if width > max_columns:
                message = _("列数超过上限 %(n)d 列（第 %(row)d 行有 %(found)d 列）")
                return [], [RowError(rownum, "", message % {"n": max_columns, "row": rownum, "found": width})]
            for i in range(width):
                value = values[i]
                if isinstance(value, str) and len(value) > max_chars:
                    message = _("单元格 %(cell)s 的文字超过上限 %(n)d 个字符")
                    cell = f"{get_column_letter(i + 1)}{rownum}"
                    return [], [RowError(rownum, "", message % {"cell": cell, "n": max_chars})]
            if rownum == 1:
                header_seen = True
                header = [_text(v) for v in values[:width]]
                header_errors = self.check_headers(header)
                if header_errors:
                    return [], header_errors
                for i, name in enumerate(header):
                    column = self.column_for(name)
                    if column is not None:
                        index.setdefault(column.key, i)
                # a row holds the file's columns only (an importer may offer dozens: one per
                # indicator); parse_row gives the others None without looking at them
                present = list(index.items())
                self._present_keys = set(index)
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            n = len(values)
            raw = {key: (values[i] if i < n else None) for key, i in present}
            out.append((rownum, raw))
        if not header_seen:
            return [], [RowError(0, "", _("文件是空的"))]
        if not out:
            return [], [RowError(0, "", _("文件里没有数据行"))]
        return out, []

    def column_for(self, name: Any) -> Column | None:
        """The column a header cell names: its Chinese header or its header in the active
        language, compared without spaces, bracket width or case."""
        for column in self.columns:
            if column.accepts(name):
                return column
        return None

    def expected_headers(self) -> list[str]:
        """The headers the messages list as the template's (its columns, by default)."""
        return [c.header for c in self.columns]

    def check_headers(self, names: list[str]) -> list[RowError]:
        """The header row must name every required column, and nothing the template does not
        have (a typo such as 「手机号」 for 「手机」 would otherwise drop a whole column silently);
        columns whose header starts with 「备注」 are ignored. A header may be written in Chinese
        or in the user's language (a template downloaded in English can be uploaded back)."""
        sep = _("、")
        expected = sep.join(self.expected_headers())
        found: dict[str, list[str]] = {}  # column key → the header cells naming it
        unknown = []
        for name in names:
            if not name:
                continue
            column = self.column_for(name)
            if column is not None:
                found.setdefault(column.key, []).append(name)
            elif not is_ignored_header(name):
                unknown.append(name)
        missing = [c.header for c in self.columns if c.required and c.key not in found]
        if missing:
            message = _("缺少表头「%(missing)s」；模板的表头是：%(expected)s")
            return [RowError(1, "", message % {"missing": sep.join(missing), "expected": expected})]
        repeated = sorted({n for cells in found.values() if len(cells) > 1 for n in cells})
        errors = []
        if unknown:
            message = _("无法识别的表头「%(unknown)s」；模板的表头是：%(expected)s")
            errors.append(RowError(1, "", message % {"unknown": sep.join(unknown), "expected": expected}))
        if repeated:
            message = _("表头「%(names)s」出现了不止一次")
            errors.append(RowError(1, "", message % {"names": sep.join(repeated)}))
        return errors

    def _row_columns(self) -> tuple[dict[str, Any], list[Column]]:
        """The keys of the columns this file lacks (None in every row) and the columns each row
        parses: the file's, and the required ones (a missing one is named). Computed once a file."""
        present = getattr(self, "_present_keys", None)
        cached = getattr(self, "_row_columns_cache", None)
        if cached is not None and cached[0] is present:
            return cached[1], cached[2]
        absent = {
            c.key: None
            for c in self.columns
            if present is not None and c.key not in present and not c.required
        }
        parsed = [c for c in self.columns if c.key not in absent]
        # what a row looks at, per column, read once a file (not attribute by attribute per cell)
        self._row_specs = [(c, c.key, c.required, c.max_length, c.parse) for c in parsed]
        self._row_columns_cache = (present, absent, parsed)
        return absent, parsed

    def parse_row(self, rownum: int, raw: dict) -> tuple[dict, list[RowError]]:
        errors: list[RowError] = []
        absent, _parsed = self._row_columns()
        row: dict[str, Any] = dict(absent)  # not columns of this file
        for col, key, required, max_length, parse in self._row_specs:
            value = raw.get(key)
            text = value.strip() if type(value) is str else _text(value)
            if text == "":
                if required:
                    errors.append(RowError(rownum, col.header, _("不能为空")))
                row[key] = None
                continue
            if max_length and len(text) > max_length:
                message = _("不能超过 %(n)d 个字符") % {"n": max_length}
                errors.append(RowError(rownum, col.header, message))
                continue
            try:
                row[key] = parse(value) if parse else text
            except (RowInvalid, ValueError, TypeError) as exc:
                errors.append(RowError(rownum, col.header, str(exc) or _("格式不正确")))
        return row, errors

    # --- subclass hooks --------------------------------------------------------
    def prepare(self, rows: list[tuple[int, dict]]) -> None:
        """Load lookups once for all rows (avoid a query per row)."""

    def clean_row(self, rownum: int, row: dict, seen: dict) -> dict:
        """Check a parsed row against the database and earlier rows; raise RowInvalid."""
        return row

    def check_rows(self, rows: list[dict]) -> list[RowError]:
        """Check the clean rows together, after `clean_row` has seen each (rules that need the
        whole file at once: a set-based service's validation); return their errors."""
        return []

    def apply_row(self, row: dict) -> bool:
        """Write one row; return True if created, False if updated."""
        raise NotImplementedError

    def apply_rows(self, rows: list[dict]) -> tuple[int, int]:
        """Write all (valid) rows inside the import's transaction; return (created, updated).
        By default one `apply_row` per row; large imports override it to write set-based."""
        created = 0
        for i, row in enumerate(rows, start=1):
            created += bool(self.apply_row(row))
            if i % PROGRESS_EVERY == 0:
                self.report("save", i, len(rows))
        return created, len(rows) - created

    def report(self, phase: str, done: int, total: int) -> None:
        """Tell whoever runs the import how far it got (`phase` is "check" or "save")."""
        if self.progress is not None:
            self.progress(phase, done, total)

    # --- driver --------------------------------------------------------------------
    def run(
        self, file, *, dry_run: bool = True, progress: Callable[[str, int, int], None] | None = None
    ) -> ImportResult:
        """Check every row, then (unless `dry_run` or anything is wrong) write them all in one
        transaction with one `import` audit entry. `progress(phase, done, total)` is called
        every few hundred rows (a background import stores it for its page)."""
        with gc_paused():
            return self._run(file, dry_run=dry_run, progress=progress)

    def _run(self, file, *, dry_run: bool, progress: Callable[[str, int, int], None] | None) -> ImportResult:
        self.progress = progress
        result = ImportResult(dry_run=dry_run)
        raw_rows, errors = self.read(file)
        if errors:
            result.errors = errors
            return result
        total = len(raw_rows)
        parsed: list[tuple[int, dict]] = []
        for rownum, raw in raw_rows:
            row, row_errors = self.parse_row(rownum, raw)
            result.errors.extend(row_errors)
            if not row_errors:
                parsed.append((rownum, row))
        self.prepare(parsed)
        seen: dict = {}
        for i, (rownum, row) in enumerate(parsed, start=1):
            if i % PROGRESS_EVERY == 0:
                self.report("check", i, total)
            try:
                cleaned = self.clean_row(rownum, row, seen)
            except RowInvalid as exc:
                if exc.column:
                    column, message = exc.column, str(exc)
                else:
                    column, _sep, message = str(exc).partition("|")
                    if not message:
                        column, message = "", column
                result.errors.append(RowError(rownum, column, message))
                continue
            cleaned["_row"] = rownum
            result.rows.append(cleaned)
        if result.rows and (dry_run or result.errors or not self.checks_at_write):
            result.errors.extend(self.check_rows(result.rows))
        result.errors.sort(key=lambda e: e.row)
        self.report("check", total, total)
        if result.errors or dry_run:
            return result
        self.report("save", 0, len(result.rows))
        with transaction.atomic():
            result.created, result.updated = self.apply_rows(result.rows)
            audit.record(
                "import",
                object_type=self.audit_object_type,
                object_repr=_("导入%(what)s") % {"what": self.object_name},
                changes={"created": result.created, "updated": result.updated},
                message=_("导入%(what)s %(n)d 行") % {"what": self.object_name, "n": len(result.rows)},
                actor=self.actor,
            )
        self.report("save", len(result.rows), len(result.rows))
        return result


def template_workbook(columns: Sequence[Column], sample: Iterable[Sequence[Any]] = ()) -> bytes:
    """The template of an import: the headers in the active language, then the sample rows."""
    return write_workbook([c.header for c in columns], sample)


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
RATE_FORMAT = "0.0%"
FORMULA_PREFIXES = ("=", "+", "-", "@")


def write_workbook(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet: str = "Sheet1",
    *,
    rates: Collection[int] = (),
) -> bytes:
    """An .xlsx of `headers` and `rows`, every cell typed: a date is an Excel date shown
    yyyy-mm-dd, a datetime one shown yyyy-mm-dd hh:mm in local time (Asia/Shanghai, written naive
    since Excel has no time zones), a number a number. The columns whose index is in `rates` hold
    percentages as the pages show them (44.8 means 44.8 %): they are written as fractions (0.448)
    with a % format, so Excel computes with them. Text is always written as text, never as a
    formula, even when it begins with = + - or @ (a user's title cannot run in the reader's Excel)."""
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
    ws = wb.add_worksheet(sheet[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = wb.add_format({"num_format": DATE_FORMAT})
    datetime_fmt = wb.add_format({"num_format": DATETIME_FORMAT})
    rate_fmt = wb.add_format({"num_format": RATE_FORMAT})
    widths = [max(8, len(str(h)) * 2 + 2) for h in headers]
    for c, h in enumerate(headers):
        ws.write_string(0, c, str(h), bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            width = _write_cell(ws, r, c, value, c in rates, date_fmt, datetime_fmt, rate_fmt)
            if c < len(widths):
                widths[c] = min(60, max(widths[c], width))
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)
    wb.close()
    return buffer.getvalue()


def _write_cell(ws, r: int, c: int, value: Any, rate: bool, date_fmt, datetime_fmt, rate_fmt) -> int:
    """Write one typed cell; return the column width it needs."""
    if value is None or value == "":
        ws.write_blank(r, c, None)
        return 0
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, timezone.get_default_timezone())
        ws.write_datetime(r, c, value, datetime_fmt)
        return 17
    if isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
        return 12
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
        return 6
    if isinstance(value, int | float | Decimal):
        if rate:
            ws.write_number(r, c, float(Decimal(str(value)) / 100), rate_fmt)
        else:
            ws.write_number(r, c, float(value))
        return len(str(value)) + 2
    text = str(value)  # lazy translations and labels too
    ws.write_string(r, c, text)  # never a formula or a hyperlink, whatever it begins with
    return len(text) * 2


def xlsx_response(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    actor,
    what: str,
    object_type: str = "",
    rates: Collection[int] = (),
) -> HttpResponse:
    """An Excel download of exactly `rows`, with an audit entry naming what was exported. Dates,
    datetimes and numbers are typed cells (`write_workbook`); the columns whose index is in
    `rates` hold percentages (44.8 = 44.8 %) and get a % format."""
    rows = list(rows)
    content = write_workbook(headers, rows, rates=rates)
    audit.record(
        "export",
        object_type=object_type,
        object_repr=what,
        changes={"rows": len(rows)},
        message=_("导出%(what)s %(n)d 行") % {"what": what, "n": len(rows)},
        actor=actor,
    )
    return file_response(content, filename, XLSX_TYPE)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A download of `content` named `filename` (Chinese names too: RFC 5987)."""
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- files kept on the server under a token ----------------------------------------------------------
# A previewed import waits for its confirmation, a large export for its download: each file lies
# in a private folder (a setting, by default `<project>/var/<name>`) under a random token.

#: what a token may look like: a file name outside this cannot be asked for
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def kept_dir(setting: str, name: str) -> Path:
    """The folder `settings.<setting>` or `<project>/var/<name>`, created (owner only) if missing."""
    folder = Path(getattr(settings, setting, None) or Path(settings.PROJECT_DIR) / "var" / name)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def token_file(folder: Path, token: str) -> Path | None:
    """The .xlsx file of `token` in `folder`, or None for anything that is not a token."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    return folder / f"{token}.xlsx"

"""Excel helpers: all-or-nothing imports with a dry-run preview, and audited exports.

An importer declares its columns; `run(file, actor, dry_run=True)` reads the workbook, checks the
headers, validates every row and returns row-level Chinese messages. Nothing is written unless
every row is valid and `dry_run` is False; then all rows are applied in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from . import audit

MAX_IMPORT_ROWS = 200_000


class RowInvalid(ValueError):
    """Raised by a column parser or row validator with a Chinese message."""


@dataclass
class Column:
    header: str
    key: str
    required: bool = True
    parse: Callable[[Any], Any] | None = None
    max_length: int | None = None


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where}{('「' + self.column + '」') if self.column else ''}：{self.message}"


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


class Importer:
    """Subclasses set `columns`, `object_name` and implement `clean_row` and `apply_row` (or
    `apply_rows`, to write all rows set-based)."""

    columns: Sequence[Column] = ()
    object_name = "数据"
    audit_object_type = ""

    def __init__(self, actor):
        self.actor = actor

    # --- reading -------------------------------------------------------------
    def read(self, file) -> tuple[list[tuple[int, dict]], list[RowError]]:
        try:
            data = file.read() if hasattr(file, "read") else file
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
            return [], [RowError(0, "", "不是有效的 Excel（.xlsx）文件，请用模板另存为 .xlsx 后再导入")]
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        try:
            header = [_text(v) for v in next(rows)]
        except StopIteration:
            return [], [RowError(0, "", "文件是空的")]
        index: dict[str, int] = {}
        for i, name in enumerate(header):
            if name:
                index.setdefault(name, i)
        missing = [c.header for c in self.columns if c.required and c.header not in index]
        if missing:
            expected = "、".join(c.header for c in self.columns)
            return [], [RowError(1, "", f"缺少表头「{'、'.join(missing)}」；模板的表头是：{expected}")]
        out: list[tuple[int, dict]] = []
        for rownum, values in enumerate(rows, start=2):
            if values is None or all(v is None or _text(v) == "" for v in values):
                continue
            raw = {
                c.key: (
                    values[index[c.header]] if c.header in index and index[c.header] < len(values) else None
                )
                for c in self.columns
            }
            out.append((rownum, raw))
            if len(out) > MAX_IMPORT_ROWS:
                return [], [RowError(0, "", f"行数超过上限 {MAX_IMPORT_ROWS}，请分批导入")]
        wb.close()
        if not out:
            return [], [RowError(0, "", "文件里没有数据行")]
        return out, []

    def parse_row(self, rownum: int, raw: dict) -> tuple[dict, list[RowError]]:
        errors: list[RowError] = []
        row: dict[str, Any] = {}
        for col in self.columns:
            value = raw.get(col.key)
            text = _text(value)
            if text == "":
                if col.required:
                    errors.append(RowError(rownum, col.header, "不能为空"))
                row[col.key] = None
                continue
            if col.max_length and len(text) > col.max_length:
                errors.append(RowError(rownum, col.header, f"不能超过 {col.max_length} 个字符"))
                continue
            try:
                row[col.key] = col.parse(value) if col.parse else text
            except (RowInvalid, ValueError, TypeError) as exc:
                errors.append(RowError(rownum, col.header, str(exc) or "格式不正确"))
        return row, errors

    # --- subclass hooks --------------------------------------------------------
    def prepare(self, rows: list[tuple[int, dict]]) -> None:
        """Load lookups once for all rows (avoid a query per row)."""

    def clean_row(self, rownum: int, row: dict, seen: dict) -> dict:
        """Check a parsed row against the database and earlier rows; raise RowInvalid."""
        return row

    def apply_row(self, row: dict) -> bool:
        """Write one row; return True if created, False if updated."""
        raise NotImplementedError

    def apply_rows(self, rows: list[dict]) -> tuple[int, int]:
        """Write all (valid) rows inside the import's transaction; return (created, updated).
        By default one `apply_row` per row; large imports override it to write set-based."""
        created = sum(1 for row in rows if self.apply_row(row))
        return created, len(rows) - created

    # --- driver --------------------------------------------------------------------
    def run(self, file, *, dry_run: bool = True) -> ImportResult:
        result = ImportResult(dry_run=dry_run)
        raw_rows, errors = self.read(file)
        if errors:
            result.errors = errors
            return result
        parsed: list[tuple[int, dict]] = []
        for rownum, raw in raw_rows:
            row, row_errors = self.parse_row(rownum, raw)
            result.errors.extend(row_errors)
            if not row_errors:
                parsed.append((rownum, row))
        self.prepare(parsed)
        seen: dict = {}
        for rownum, row in parsed:
            try:
                cleaned = self.clean_row(rownum, row, seen)
            except RowInvalid as exc:
                column, _, message = str(exc).partition("|")
                if not message:
                    column, message = "", column
                result.errors.append(RowError(rownum, column, message))
                continue
            cleaned["_row"] = rownum
            result.rows.append(cleaned)
        result.errors.sort(key=lambda e: e.row)
        if result.errors or dry_run:
            return result
        with transaction.atomic():
            result.created, result.updated = self.apply_rows(result.rows)
            audit.record(
                "import",
                object_type=self.audit_object_type,
                object_repr=f"导入{self.object_name}",
                changes={"created": result.created, "updated": result.updated},
                message=f"导入{self.object_name} {len(result.rows)} 行",
                actor=self.actor,
            )
        return result


def template_workbook(columns: Sequence[Column], sample: Iterable[Sequence[Any]] = ()) -> bytes:
    return write_workbook([c.header + ("" if c.required else "") for c in columns], sample)


def write_workbook(headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
    ws = wb.add_worksheet(sheet[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    widths = [max(8, len(h) * 2 + 2) for h in headers]
    for c, h in enumerate(headers):
        ws.write(0, c, h, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                value = (
                    timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
                    if timezone.is_aware(value)
                    else value
                )
            ws.write(r, c, value if value is not None else "")
            if c < len(widths) and isinstance(value, str):
                widths[c] = min(60, max(widths[c], len(value) * 2))
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)
    wb.close()
    return buffer.getvalue()


def xlsx_response(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    actor,
    what: str,
    object_type: str = "",
) -> HttpResponse:
    """An Excel download of exactly `rows`, with an audit entry naming what was exported."""
    rows = list(rows)
    content = write_workbook(headers, rows)
    audit.record(
        "export",
        object_type=object_type,
        object_repr=what,
        changes={"rows": len(rows)},
        message=f"导出{what} {len(rows)} 行",
        actor=actor,
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

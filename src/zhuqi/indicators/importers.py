"""Department tables of indicator values, through the one import flow (`zhuqi.core.imports`).

* 部门指标表 (`indicator_values`): a department's whole table (税务's tax list, 供电's power list,
  统计's 规上 returns). Columns: 统一社会信用代码 · 企业名称 (informational) · 期间 · 情况说明
  (optional) · one column per indicator, named by the indicator's name or code. A cell is the
  1—N月累计 (cumulative) value; a header qualified 「（当期）」 (or 本期、本月、当月) takes the period's
  own value instead, as does an indicator reported per period. Rows are matched by credit code
  among the enterprises the importer may see.
* 区域指标（统计部门发布） (`indicator_official`): the statistics bureau's published figures for
  regions (规上工业增加值增速 …): 区划代码 · 期间 · one column per official indicator.

Both check every cell (numbers, enterprise or region in scope, period, duplicate rows) in
`clean_row`, then the whole file with `services.check_entries` in `check_rows` (locked periods,
a cumulative below last month's, ±50 % on last year without a 情况说明), and write all of it in
one call of `services.record_values` (set-based, all or nothing).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhuqi.core import permissions
from zhuqi.core.excel import (
    CREATE,
    UPDATE,
    Column,
    Importer,
    ImportResult,
    RowError,
    RowInvalid,
    _text,
    normalise_header,
)
from zhuqi.core.imports import register
from zhuqi.core.lookups import in_qs
from zhuqi.core.models import Region
from zhuqi.enterprises.models import Enterprise

from . import services
from .models import Indicator, IndicatorKind, Source, Unit, Value
from .periods import Period

# --- periods as people write them ------------------------------------------------------------------

#: Chinese spellings of periods accepted in 「期间」 (besides the codes 202610, 2026Q3 …)
PERIOD_PATTERNS = (
    ("M", re.compile(r"(\d{4})[-/.年](\d{1,2})月?")),  # 2026-10, 2026/10, 2026年10月
    ("M", re.compile(r"(\d{4})年?1[-—–~至到](\d{1,2})月?(?:累计)?")),  # 2026年1—10月（累计）
    ("X", re.compile(r"(\d{4})[-/.年](\d{1,2})月?([上中下])旬")),  # 2026年10月中旬
    ("Q", re.compile(r"(\d{4})年?第?([1-4一二三四])季度?")),  # 2026年第三季度
    ("H", re.compile(r"(\d{4})年?([上下])半年")),  # 2026年上半年
    ("Y", re.compile(r"(\d{4})年?(?:全年|年度)?")),  # 2026年
)
PERIOD_WORDS = {"上": 1, "中": 2, "下": 3, "一": 1, "二": 2, "三": 3, "四": 4}
#: header qualifiers: the cell holds the period's own value, or the 1—N月累计
PERIOD_VALUE_WORDS = {"当期", "本期", "本月", "当月", "当期值", "本月值"}
CUMULATIVE_WORDS = {"累计", "累计值", "1-n月累计", "1—n月累计"}


def parse_period(raw: Any) -> Period:
    """A 期间 cell: a period code (202610, 2026Q3, 202610X2) or a common spelling (2026年10月,
    2026-10, 2026年1—10月, 2026年10月中旬, 2026年第三季度); a date cell is its month."""
    if isinstance(raw, dt.datetime | dt.date):
        return Period.month(raw.year, raw.month)
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return _parse_period_text(raw)  # a table repeats its few periods on every row
    return _parse_period(raw)


@functools.lru_cache(maxsize=256)
def _parse_period_text(raw: str | int) -> Period:
    return _parse_period(raw)


def _parse_period(raw: Any) -> Period:
    text = unicodedata.normalize("NFKC", _text(raw)).replace(" ", "").replace("－", "-")
    try:
        return Period.parse(text)
    except ValidationError:
        pass
    for kind, pattern in PERIOD_PATTERNS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        try:
            year = int(m[1])
            if kind == "M":
                return Period.parse(f"{year}{int(m[2]):02d}")
            if kind == "X":
                return Period.parse(f"{year}{int(m[2]):02d}X{PERIOD_WORDS[m[3]]}")
            if kind == "Q":
                return Period.parse(f"{year}Q{PERIOD_WORDS.get(m[2]) or m[2]}")
            if kind == "H":
                return Period.parse(f"{year}H{PERIOD_WORDS[m[2]]}")
            return Period.parse(f"{year}")
        except ValidationError as exc:
            raise RowInvalid("".join(exc.messages)) from None
    message = _("「%(value)s」不是有效的期间，请写成 202610、2026年10月、2026-10、2026Q3 或 202610X2 的形式")
    raise RowInvalid(message % {"value": text[:40]})


def parse_number(raw: Any):
    """A number cell (blank: nothing reported); text is refused naming the value."""
    try:
        return services.parse_amount(raw, "value")
    except ValidationError as exc:
        raise RowInvalid("".join(exc.messages)) from None


def parse_credit_code(raw: Any) -> str:
    if type(raw) is str and raw.isascii():  # NFKC leaves ASCII as it is
        return raw.strip().replace(" ", "").upper()
    return unicodedata.normalize("NFKC", _text(raw)).replace(" ", "").upper()


# --- indicator columns -------------------------------------------------------------------------------


def _norm(text: Any) -> str:
    """A header as compared: no spaces, full-width brackets, case-folded, half-width letters."""
    cell = normalise_header(unicodedata.normalize("NFKC", str(text or "")))
    return cell.replace("(", "（").replace(")", "）")


def _split_header(name: Any) -> tuple[str, set[str]]:
    """「工业总产值（当期，万元）」 → ("工业总产值", {"当期", "万元"}), compared the way headers are."""
    cell = _norm(name)
    quals: set[str] = set()
    while cell.endswith("）") and "（" in cell:
        cut = cell.rindex("（")
        quals |= {q for q in re.split(r"[，,、/;；]", cell[cut + 1 : -1]) if q}
        cell = cell[:cut]
    return cell, quals


@dataclass
class IndicatorColumn(Column):
    """One indicator's column: its header is the indicator's name; the name or the code is
    accepted, with its unit or 「累计」 in brackets (`period_value`: 「（当期）」)."""

    indicator: Any = None
    period_value: bool = False

    @property
    def header(self) -> str:
        return self.msgid

    def accepts(self, name: Any) -> bool:
        if _norm(name) == _norm(self.msgid):  # its own header, in the user's language
            return True
        base, quals = _split_header(name)
        ind = self.indicator
        if base not in {_norm(ind.name), _norm(ind.code)}:
            return False
        unit = {_norm(label) for label in _unit_labels(ind.unit)}
        asks_period = bool(quals & PERIOD_VALUE_WORDS)
        if quals - unit - PERIOD_VALUE_WORDS - CUMULATIVE_WORDS:
            return False
        if asks_period and quals & CUMULATIVE_WORDS:
            return False
        if not ind.cumulative:  # reported per period: the plain header is the period's value
            return self.period_value
        return asks_period == self.period_value


def _unit_labels(unit: str) -> set[str]:
    """A unit's label in Chinese and in the active language (万元, 吨标煤 …)."""
    labels = {str(Unit(unit).label)}
    with translation.override("zh-hans"):
        labels.add(str(Unit(unit).label))
    return labels


def _indicator_columns(indicators) -> list[IndicatorColumn]:
    cols = []
    for ind in indicators:
        cols.append(
            IndicatorColumn(
                ind.name, f"c:{ind.code}", False, parse_number, indicator=ind, period_value=not ind.cumulative
            )
        )
        if ind.cumulative:
            header = _("%(name)s（当期）") % {"name": ind.name}
            cols.append(
                IndicatorColumn(
                    header, f"v:{ind.code}", False, parse_number, indicator=ind, period_value=True
                )
            )
    return cols


class _TemplateColumns:
    """`cls.columns` of a values importer: its fixed columns and one per indicator, read from
    the database when asked (the flow's page and template); an instance sets its own list."""

    def __get__(self, obj, owner):
        return [*owner.fixed_columns, *(c for c in _indicator_columns(owner.indicators()) if c.key[0] == "c")]


@dataclass
class Figure:
    """An indicator's numbers in one row, and the headers they came from."""

    indicator: Indicator
    cumulative: Any = None
    value: Any = None
    cumulative_header: str = ""
    value_header: str = ""


class _ValuesImporter(Importer):
    """What the two imports share: indicator columns, the period, the set-wide check and the
    one `record_values` call."""

    audit_object_type = "indicators.value"
    object_name = gettext_lazy("指标数据")
    checks_at_write = True  # record_values checks every row under its locks
    source = Source.IMPORT
    fixed_columns: tuple[Column, ...] = ()
    columns = _TemplateColumns()  # type: ignore[assignment]

    @classmethod
    def indicators(cls):
        raise NotImplementedError

    @classmethod
    def allowed(cls, user) -> bool:
        return permissions.allowed(user, "indicators.import")

    def __init__(self, actor):
        super().__init__(actor)
        self.columns = [*self.fixed_columns, *_indicator_columns(self.indicators())]
        self.value_columns = [c for c in self.columns if isinstance(c, IndicatorColumn)]
        self.today = timezone.localdate()

    def expected_headers(self) -> list[str]:
        return [c.header for c in type(self).columns]

    def check_headers(self, names: list[str]) -> list[RowError]:
        """The flow's strict header check, and at least one indicator column."""
        errors = super().check_headers(names)
        if not errors and not any(c.accepts(n) for n in names for c in self.value_columns):
            message = _("没有指标列：请至少填写一列指标（表头为指标名称或代码）；模板的表头是：%(expected)s")
            errors.append(RowError(1, "", message % {"expected": _("、").join(self.expected_headers())}))
        return errors

    # --- rows ---------------------------------------------------------------------------------
    def _period(self, row) -> Period:
        period = row["period"]
        if period.start > self.today:
            raise RowInvalid(_("%(p)s尚未开始，不能填报") % {"p": period.label()}, column=_("期间"))
        return period

    def _file_value_columns(self) -> list[IndicatorColumn]:
        """The indicator columns of this file (all of them before a file was read): a row
        looks at these only, not at every indicator the importer offers."""
        present = getattr(self, "_present_keys", None)
        cached = getattr(self, "_file_columns_cache", None)
        if cached is None or cached[0] is not present:
            cols = [c for c in self.value_columns if present is None or c.key in present]
            cached = self._file_columns_cache = (present, cols)
        return cached[1]

    def _figure_columns(self) -> list[tuple[str, int, Any, bool, str]]:
        """(key, indicator id, indicator, period value?, header) of this file's indicator
        columns: computed once a file, not looked up per row."""
        cols = self._file_value_columns()
        cached = getattr(self, "_figure_columns_cache", None)
        if cached is None or cached[0] is not cols:
            specs = [(c.key, c.indicator.pk, c.indicator, c.period_value, c.header) for c in cols]
            cached = self._figure_columns_cache = (cols, specs)
        return cached[1]

    def _figures(self, row) -> list[Figure]:
        figures: dict[int, Figure] = {}
        for key, pk, indicator, period_value, header in self._figure_columns():
            amount = row.get(key)
            if amount is None:
                continue
            f = figures.get(pk)
            if f is None:
                f = figures[pk] = Figure(indicator)
            if period_value:
                f.value, f.value_header = amount, header
            else:
                f.cumulative, f.cumulative_header = amount, header
        if not figures:
            raise RowInvalid(_("没有填写任何指标数值"))
        return list(figures.values())

    def entity(self, row) -> dict:
        """{"enterprise": …} or {"region": …} of a clean row."""
        raise NotImplementedError

    def entries(self, rows: list[dict]) -> tuple[list[services.Entry], dict[str, tuple[int, Figure]]]:
        """The values of `rows` as Entries, and each entry's label → (row number, figure)."""
        out, where = [], {}
        entry = services.Entry
        for row in rows:
            entity = self.entity(row)
            enterprise, region = entity.get("enterprise"), entity.get("region")
            period, rownum, explanation = row["period"], row["_row"], row.get("explanation") or ""
            for f in row["_figures"]:
                label = f"{rownum}:{f.indicator.code}"
                # positional: (indicator, period, enterprise, region, cumulative, value,
                # explanation, row), as the keywords named them
                out.append(
                    entry(f.indicator, period, enterprise, region, f.cumulative, f.value, explanation, label)
                )
                where[label] = (rownum, f)
        return out, where

    @staticmethod
    def _row_errors(problems, where) -> list[RowError]:
        """`record_values`' (row, column, message) as the flow's errors, naming the sheet's own
        row and column."""
        own = {_("情况说明"), _("期间")}
        out = []
        for label, column, message in problems:
            rownum, f = where.get(label, (0, None))
            if f is None or column in own:
                header = column
            elif column == _("当期值") and f.value_header:
                header = f.value_header
            else:
                header = f.cumulative_header or f.value_header
            out.append(RowError(rownum, header, message))
        return out

    def check_rows(self, rows: list[dict]) -> list[RowError]:
        entries, where = self.entries(rows)
        problems = services.check_entries(entries, actor=self.actor)
        if problems:
            return self._row_errors(problems, where)
        flagged = {where[e.row][0] for e in entries if e.flags}
        for row in rows:
            if row["_row"] in flagged:
                note = _("有校验提示（同比变动超过±50%或累计与当期不符），导入后保留")
                row["_note"] = _("；").join(filter(None, [row.get("_note", ""), note]))
        return []

    def apply_rows(self, rows: list[dict]) -> tuple[int, int]:
        entries, where = self.entries(rows)
        job = uuid.uuid4().hex
        self.report("save", 0, len(rows))
        try:
            counts = services.record_values(entries, actor=self.actor, source=self.source, import_job=job)
        except services.ValueErrors as exc:  # the data changed since the check: refused as a whole
            self.late_errors = self._row_errors(exc.rows, where)
            raise
        return counts["created"], counts["updated"]

    def run(self, file, *, dry_run=True, progress=None) -> ImportResult:
        """The flow's run; a refusal of `record_values` at the write (the data changed since the
        check) is the result's errors, and nothing was written."""
        self.late_errors: list[RowError] = []
        try:
            return super().run(file, dry_run=dry_run, progress=progress)
        except (ValidationError, PermissionDenied, Http404) as exc:
            result = ImportResult(dry_run=dry_run)
            message = (
                "；".join(exc.messages) if isinstance(exc, ValidationError) else _("您已无权导入这些数据")
            )
            result.errors = self.late_errors or [RowError(0, "", message)]
            return result

    def preview_headers(self) -> list[str]:
        return [*(c.header for c in self.fixed_columns), _("指标数值")]

    def preview_cells(self, row: dict) -> list[str]:
        cells = [
            row["period"].label() if c.key == "period" else _text(row.get(c.key)) for c in self.fixed_columns
        ]
        parts = []
        for f in row["_figures"]:
            if f.cumulative is not None:
                parts.append(f"{f.cumulative_header} {f.cumulative}")
            if f.value is not None:
                parts.append(f"{f.value_header} {f.value}")
        return [*cells, _("；").join(parts)]

    @staticmethod
    def _action(row, known: set) -> str:
        return UPDATE if (row["_entity_pk"], row["period"].code) in known else CREATE


# --- enterprises' values ------------------------------------------------------------------------------


@register
class EnterpriseValuesImporter(_ValuesImporter):
    kind = "indicator_values"
    title = gettext_lazy("导入部门指标表")
    help_lines = (
        gettext_lazy(
            "每行一家企业一个期间：按「统一社会信用代码」匹配您数据范围内的企业，「企业名称」仅供核对。"
        ),
        gettext_lazy(
            "「期间」填 202610、2026年10月 或 2026-10（旬：202610X2 或 2026年10月中旬；季度：2026Q3）。"
        ),
        gettext_lazy(
            "每个指标一列，表头为指标名称或代码；数值按「1—N月累计」填写，表头写成「指标名称（当期）」则按当期填写。数值单位为指标的单位。"
        ),
        gettext_lazy(
            "同比变动超过±50%的须在「情况说明」中说明；已审核锁定的期间不能导入。整个文件全部通过才会导入。"
        ),
    )
    fixed_columns = (
        Column(gettext_noop("统一社会信用代码"), "credit_code", parse=parse_credit_code, max_length=18),
        Column(gettext_noop("企业名称"), "name", required=False, max_length=100),
        Column(gettext_noop("期间"), "period", parse=parse_period),
        Column(gettext_noop("情况说明"), "explanation", required=False, max_length=300),
    )

    @classmethod
    def indicators(cls):
        return (
            Indicator.objects.filter(is_active=True)
            .exclude(kind__in=[IndicatorKind.DERIVED, IndicatorKind.OFFICIAL])
            .order_by("sort", "code")
        )

    @classmethod
    def template_rows(cls, user):
        period = Period.last_ended("M", timezone.localdate())
        ents = list(Enterprise.objects.visible_to(user).filter(above_scale=True).order_by("name")[:3])
        n = len(cls.columns) - len(cls.fixed_columns)
        if not ents:
            return [["91410223MA0000000X", _("（企业名称）"), period.code, "", *[""] * n]]
        return [[e.credit_code, e.name, period.code, "", *[""] * n] for e in ents]

    def prepare(self, rows):
        codes = {r["credit_code"] for _n, r in rows if r.get("credit_code")}
        self.ents: dict[str, Enterprise] = {}
        visible = Enterprise.objects.visible_to(self.actor).only(
            "pk", "credit_code", "name", "region_id", "region_path"
        )
        for q in in_qs("credit_code", codes):
            self.ents.update({e.credit_code: e for e in visible.filter(q)})
        periods = {r["period"].code for _n, r in rows if r.get("period")}
        # (enterprise, period) pairs holding a value of the file's indicators: the preview's 更新
        inds = {c.indicator.pk for c in self._file_value_columns()}
        ent_ids = {e.pk for e in self.ents.values()}
        self.known = {
            (ent, period) for _i, period, ent in services.enterprise_value_rows(ent_ids, inds, periods, [])
        }

    def clean_row(self, rownum, row, seen):
        ent = self.ents.get(row["credit_code"])
        if ent is None:
            message = _("找不到统一社会信用代码为「%(code)s」的企业（或不在您的数据范围内）")
            raise RowInvalid(message % {"code": row["credit_code"]}, column=_("统一社会信用代码"))
        period = self._period(row)
        key = (ent.pk, period.code)
        if key in seen:
            message = _("与第 %(row)s 行重复（同一企业同一期间）") % {"row": seen[key]}
            raise RowInvalid(message, column=_("统一社会信用代码"))
        seen[key] = rownum
        row["_figures"] = self._figures(row)
        row["enterprise"], row["_entity_pk"] = ent, ent.pk
        row["_action"] = self._action(row, self.known)
        if row.get("name") and row["name"].strip() != ent.name:
            row["_note"] = _("名称与系统中的「%(name)s」不一致，按信用代码导入") % {"name": ent.name}
        return row

    def entity(self, row) -> dict:
        return {"enterprise": row["enterprise"]}


# --- regions' published figures --------------------------------------------------------------------


@register
class OfficialValuesImporter(_ValuesImporter):
    kind = "indicator_official"
    title = gettext_lazy("导入区域指标（统计部门发布）")
    object_name = gettext_lazy("区域指标")
    source = Source.OFFICIAL
    help_lines = (
        gettext_lazy(
            "统计部门发布的区域指标（规上工业增加值增速等）：每行一个区划一个期间，按「区划代码」匹配您辖区内的区划。"
        ),
        gettext_lazy(
            "「期间」填 202610、2026年10月 或 2026-10；增速按百分数填写（8.5 表示 8.5%），不重新计算。"
        ),
    )
    fixed_columns = (
        Column(gettext_noop("区划代码"), "region_code", max_length=32),
        Column(gettext_noop("期间"), "period", parse=parse_period),
        Column(gettext_noop("情况说明"), "explanation", required=False, max_length=300),
    )

    @classmethod
    def indicators(cls):
        return Indicator.objects.filter(is_active=True, kind=IndicatorKind.OFFICIAL).order_by("sort", "code")

    @classmethod
    def template_rows(cls, user):
        period = Period.last_ended("M", timezone.localdate())
        region = getattr(user, "region", None)
        n = len(cls.columns) - len(cls.fixed_columns)
        return [[region.code if region else "410223", period.code, "", *[""] * n]]

    def prepare(self, rows):
        codes = {r["region_code"] for _n, r in rows if r.get("region_code")}
        self.regions: dict[str, Region] = {}
        visible = Region.objects.visible_to(self.actor)
        for q in in_qs("code", codes):
            self.regions.update({r.code: r for r in visible.filter(q)})
        periods = {r["period"].code for _n, r in rows if r.get("period")}
        self.known = set(
            Value.objects.filter(
                enterprise__isnull=True,
                department__isnull=True,
                region__in=[r.pk for r in self.regions.values()],
                period__in=periods,
            )
            .values_list("region_id", "period")
            .distinct()
        )

    def clean_row(self, rownum, row, seen):
        region = self.regions.get(row["region_code"])
        if region is None:
            message = _("区划「%(code)s」不存在或不在您的管辖范围内") % {"code": row["region_code"]}
            raise RowInvalid(message, column=_("区划代码"))
        period = self._period(row)
        key = (region.pk, period.code)
        if key in seen:
            message = _("与第 %(row)s 行重复（同一区划同一期间）") % {"row": seen[key]}
            raise RowInvalid(message, column=_("区划代码"))
        seen[key] = rownum
        row["_figures"] = self._figures(row)
        row["region"], row["_entity_pk"] = region, region.pk
        row["_action"] = self._action(row, self.known)
        row["_note"] = region.name
        return row

    def entity(self, row) -> dict:
        return {"region": row["region"]}

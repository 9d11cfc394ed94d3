"""Periods: one code scheme for years, half-years, quarters, months and 旬 (ten-day periods).

| type | code | example | label |
|---|---|---|---|
| year | `YYYY` | `2026` | 2026年 |
| half-year | `YYYYH1`/`H2` | `2026H1` | 2026年上半年 |
| quarter | `YYYYQn` | `2026Q3` | 2026年第三季度 |
| month | `YYYYMM` | `202610` | 2026年10月 (1—2月 where a data set merges January) |
| 旬 | `YYYYMMXk` | `202610X2` | 2026年10月中旬 (上旬 1–10, 中旬 11–20, 下旬 21–month end) |

The code is what the API, URLs and imports use; `parse` refuses anything else with a Chinese
message. Every period lies in one calendar year, so "cumulative" (1—N月累计) always means from
1 January to the period's last day. src/zhuqi/docs/indicators-figures.md §1.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.core.units import MAX_YEAR, MIN_YEAR


class PeriodType(models.TextChoices):
    YEAR = "Y", _("年")
    HALF = "H", _("半年")
    QUARTER = "Q", _("季")
    MONTH = "M", _("月")
    XUN = "X", _("旬")


#: how many periods of each type a year has
PER_YEAR = {"Y": 1, "H": 2, "Q": 4, "M": 12, "X": 36}
#: how many months each period of a type spans (旬: a third)
MONTHS = {"Y": Fraction(12), "H": Fraction(6), "Q": Fraction(3), "M": Fraction(1), "X": Fraction(1, 3)}

#: parsed codes (valid ones only; bounded: an import names a few, a hostile file many)
_PARSED_MAX = 4096
_PARSED: dict[str, Period] = {}
_CODE = re.compile(r"^(\d{4})(?:(H)([12])|(Q)([1-4])|(\d{2})(?:X([123]))?)?$")
_XUN_NAMES = {1: _("上旬"), 2: _("中旬"), 3: _("下旬")}
_QUARTER_NAMES = {1: _("第一季度"), 2: _("第二季度"), 3: _("第三季度"), 4: _("第四季度")}
_HALF_NAMES = {1: _("上半年"), 2: _("下半年")}


@dataclass(frozen=True, order=True)
class Period:
    """One period: `year`, `type` (a PeriodType code) and `index` within the year (1-based: a
    旬's index runs 1–36, month m's 旬 k is 3(m−1)+k)."""

    year: int
    type: str
    index: int

    # --- codes --------------------------------------------------------------------------------
    @classmethod
    def parse(cls, code: str, field: str = "period") -> Period:
        """The period of `code`, or ValidationError({field: …}) in Chinese."""
        if isinstance(code, str) and (known := _PARSED.get(code)) is not None:
            return known  # an import names the same few periods on 50,000 rows
        period = cls._parse(code, field)
        if len(_PARSED) < _PARSED_MAX:
            _PARSED[code] = period
        return period

    @classmethod
    def _parse(cls, code: str, field: str) -> Period:
        m = _CODE.match((code or "").strip()) if isinstance(code, str) else None
        if m is None:
            raise ValidationError(
                {
                    field: gettext("期间“%(code)s”无法识别：应为 2026、2026H1、2026Q3、202610 或 202610X2")
                    % {"code": str(code)[:40]}
                }
            )
        year = int(m.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(
                {field: gettext("期间的年份应在 %(min)s—%(max)s 之间") % {"min": MIN_YEAR, "max": MAX_YEAR}}
            )
        if m.group(2):
            return cls(year, "H", int(m.group(3)))
        if m.group(4):
            return cls(year, "Q", int(m.group(5)))
        if m.group(6):
            month = int(m.group(6))
            if not 1 <= month <= 12:
                raise ValidationError({field: gettext("期间“%(code)s”的月份应为 01—12") % {"code": code}})
            if m.group(7):
                return cls(year, "X", (month - 1) * 3 + int(m.group(7)))
            return cls(year, "M", month)
        return cls(year, "Y", 1)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, "M", month)

    @classmethod
    def xun(cls, year: int, month: int, k: int) -> Period:
        return cls(year, "X", (month - 1) * 3 + k)

    @classmethod
    def containing(cls, type_: str, day: dt.date) -> Period:
        """The period of `type_` that contains `day`."""
        m = day.month
        index = {
            "Y": 1,
            "H": 1 if m <= 6 else 2,
            "Q": (m - 1) // 3 + 1,
            "M": m,
            "X": (m - 1) * 3 + (1 if day.day <= 10 else 2 if day.day <= 20 else 3),
        }[type_]
        return cls(day.year, type_, index)

    @classmethod
    def last_ended(cls, type_: str, today: dt.date) -> Period:
        """The latest period of `type_` that has ended before `today` (the one being reported)."""
        return cls.containing(type_, today).previous()

    def __post_init__(self) -> None:
        # the code is read for every value of an import (keys, messages): computed once
        object.__setattr__(self, "_code", self._make_code())

    @property
    def code(self) -> str:
        return self._code  # type: ignore[attr-defined]

    def _make_code(self) -> str:
        t, i, y = self.type, self.index, self.year
        if t == "Y":
            return f"{y}"
        if t in ("H", "Q"):
            return f"{y}{t}{i}"
        if t == "M":
            return f"{y}{i:02d}"
        return f"{y}{(i - 1) // 3 + 1:02d}X{(i - 1) % 3 + 1}"

    def __str__(self) -> str:
        return self.code

    # --- calendar -----------------------------------------------------------------------------
    @property
    def first_month(self) -> int:
        return {
            "Y": 1,
            "H": 6 * (self.index - 1) + 1,
            "Q": 3 * (self.index - 1) + 1,
            "M": self.index,
            "X": (self.index - 1) // 3 + 1,
        }[self.type]

    @property
    def last_month(self) -> int:
        return {
            "Y": 12,
            "H": 6 * self.index,
            "Q": 3 * self.index,
            "M": self.index,
            "X": (self.index - 1) // 3 + 1,
        }[self.type]

    @functools.cached_property
    def start(self) -> dt.date:
        day = 1
        if self.type == "X":
            day = {1: 1, 2: 11, 3: 21}[(self.index - 1) % 3 + 1]
        return dt.date(self.year, self.first_month, day)

    @functools.cached_property
    def end(self) -> dt.date:
        m = self.last_month
        last = calendar.monthrange(self.year, m)[1]
        if self.type == "X":
            last = {1: 10, 2: 20, 3: last}[(self.index - 1) % 3 + 1]
        return dt.date(self.year, m, last)

    @property
    def months_elapsed(self) -> Fraction:
        """How much of the year lies up to this period's end, in months (时序进度 × 12)."""
        return MONTHS[self.type] * self.index

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - small immutable values, read per row
    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.year, self.type, self.index - 1)
        return Period(self.year - 1, self.type, PER_YEAR[self.type])

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - small immutable values, read per row
    def next(self) -> Period:
        if self.index < PER_YEAR[self.type]:
            return Period(self.year, self.type, self.index + 1)
        return Period(self.year + 1, self.type, 1)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - small immutable values, read per row
    def last_year(self) -> Period:
        """The same period a year earlier (同期)."""
        return Period(self.year - 1, self.type, self.index)

    def year_to_date(self, type_: str) -> list[Period]:
        """The periods of `type_` from 1 January up to this period's end (for cumulative sums)."""
        n = int(self.months_elapsed / MONTHS[type_])
        return [Period(self.year, type_, i) for i in range(1, n + 1)]

    def parts(self, type_: str) -> list[Period]:
        """The periods of the finer `type_` that make up this one (a quarter's three months)."""
        per = MONTHS[self.type] / MONTHS[type_]
        if per.denominator != 1 or per < 1:
            raise ValueError(f"{self.type} does not split into {type_}")
        first = (self.index - 1) * int(per) + 1
        return [Period(self.year, type_, first + k) for k in range(int(per))]

    def label(self, merge_jan_feb: bool = False) -> str:
        """Chinese label: 2026年10月中旬; a February with `merge_jan_feb` reads 2026年1—2月."""
        y = self.year
        if self.type == "Y":
            return gettext("%(y)s年") % {"y": y}
        if self.type == "H":
            return gettext("%(y)s年%(h)s") % {"y": y, "h": _HALF_NAMES[self.index]}
        if self.type == "Q":
            return gettext("%(y)s年%(q)s") % {"y": y, "q": _QUARTER_NAMES[self.index]}
        if self.type == "M":
            if merge_jan_feb and self.index == 2:
                return gettext("%(y)s年1—2月") % {"y": y}
            return gettext("%(y)s年%(m)s月") % {"y": y, "m": self.index}
        m, k = (self.index - 1) // 3 + 1, (self.index - 1) % 3 + 1
        return gettext("%(y)s年%(m)s月%(x)s") % {"y": y, "m": m, "x": _XUN_NAMES[k]}

    def cumulative_label(self) -> str:
        """1—N月累计 style label of the year to date."""
        if self.type == "X":
            return gettext("1月1日—%(m)s月%(d)s日累计") % {"m": self.end.month, "d": self.end.day}
        return gettext("1—%(m)s月累计") % {"m": self.last_month}

"""Query and form parameters read by hand, parsed one way (issue 21).

A list filter reads `?region=`, `?year=`, `?q=`… straight from the request. Whatever a client
sends there (Unicode digits such as "²" that pass `str.isdigit()` but fail `int()`, a NUL byte,
10,000 characters, a negative or 30-digit number, a repeated key) is treated as *absent*: the
page shows the unfiltered list rather than a 500.

* `int_param(request.GET, "region")` → a positive int within PostgreSQL's integer range, or None.
  ASCII digits only.
* `year_param(request.GET, "year")` → a year within core.units MIN_YEAR..MAX_YEAR, or None.
* `date_param(request.GET, "start")` → a `datetime.date` from YYYY-MM-DD, or None.
* `text_param(request.GET, "q")` → the text with NUL bytes removed (PostgreSQL refuses NUL in
  text), stripped and cut to `max_length`.
* `int_list(values)` → the valid ids of a list of strings (e.g. `request.POST.getlist("id")`).

`StripNulMiddleware` removes NUL bytes from every GET and form POST value before a view sees
them, so a parameter read without these helpers cannot carry one to the database either.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.http import QueryDict

from .units import MAX_YEAR, MIN_YEAR

DB_INT_MAX = 2_147_483_647  # PostgreSQL integer / serial
_DIGITS = re.compile(r"[0-9]{1,10}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_int(value, *, minimum: int = 1, maximum: int = DB_INT_MAX) -> int | None:
    """`value` as an int in minimum..maximum if it is ASCII digits (or already an int), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if minimum <= number <= maximum else None


def int_param(params, name: str, *, minimum: int = 1, maximum: int = DB_INT_MAX) -> int | None:
    return parse_int(params.get(name), minimum=minimum, maximum=maximum)


def year_param(params, name: str = "year") -> int | None:
    return int_param(params, name, minimum=MIN_YEAR, maximum=MAX_YEAR)


def parse_date(value) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def date_param(params, name: str) -> dt.date | None:
    return parse_date(params.get(name))


def text_param(params, name: str, *, max_length: int = 200) -> str:
    value = params.get(name)
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:max_length]


def int_list(values: Iterable) -> list[int]:
    return [n for n in (parse_int(v) for v in values) if n is not None]


def without_nul(qd: QueryDict) -> QueryDict:
    clean = QueryDict(mutable=True, encoding=qd.encoding)
    for key, values in qd.lists():
        clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    clean._mutable = False
    return clean


class StripNulMiddleware:
    """NUL bytes never reach a view through GET or a form POST (PostgreSQL rejects them in text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            request.GET = without_nul(request.GET)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            post = request.POST
            if any("\x00" in v for values in post.lists() for v in values[1]) or any(
                "\x00" in k for k in post
            ):
                request.POST = without_nul(post)
        return self.get_response(request)

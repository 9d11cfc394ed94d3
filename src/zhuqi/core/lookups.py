"""Filtering by a long list of values.

`field__in=[…50,000 ids…]` spells one placeholder per value: the statement is huge, the driver
splits it client-side on every call (it is too long to cache), and SQLite refuses more than a
few thousand parameters. `in_q(field, values)` is the one way to filter by such a list:

* PostgreSQL: one `field = ANY(%s)` with the whole list as one array parameter;
* elsewhere: `field IN (…)` in chunks of `CHUNK`, OR-ed (a few Q objects, each small).

`in_qs(field, values)` yields the same as separate Q objects, for callers that run one query per
chunk (an UPDATE each, or rows merged into a dict).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, models
from django.db.models import Lookup, Q

#: values per `IN (…)` off PostgreSQL: SQLite bounds the parameters of one statement
CHUNK = 500


@models.Field.register_lookup
class AnyOf(Lookup):
    """`field__any=[…]`: `field = ANY(%s)` on PostgreSQL (one array parameter), `IN (…)` elsewhere."""

    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]
        if not self.rhs:
            return "1 = 0", list(lhs_params)
        marks = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({marks})", [*lhs_params, *self.rhs]


models.ForeignObject.register_lookup(AnyOf)


def _chunks(values: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def in_qs(field: str, values: Iterable[Any]) -> Iterator[Q]:
    """Q objects that together select `field` in `values` (one on PostgreSQL, chunks elsewhere);
    none for no values."""
    values = sorted(set(values), key=lambda v: (v is None, v))
    if not values:
        return
    if connection.vendor == "postgresql":
        yield Q(**{f"{field}__any": values})
        return
    for chunk in _chunks(values):
        yield Q(**{f"{field}__any": chunk})


def in_q(field: str, values: Iterable[Any]) -> Q:
    """One Q selecting `field` in `values` (nothing for no values)."""
    q = Q(pk__in=[])
    for part in in_qs(field, values):
        q |= part
    return q

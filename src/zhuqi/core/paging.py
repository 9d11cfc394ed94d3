"""Pagers that stay fast on province-sized lists.

* `CappedPaginator` (pages): counts at most COUNT_CAP rows (`SELECT COUNT(*) FROM (… LIMIT cap)`),
  so a province-wide list never counts a million rows to draw its pager; the pager says
  "10,000+" and deeper rows are reached by filters (or, in the API, by the cursor).
* `Pagination` (API): page numbers over the same capped count by default; `?cursor=` switches
  to keyset paging (DRF's CursorPagination on the list's own order), whose cost does not grow
  with depth, for clients that walk a whole result set.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000
LATE_LOOKUP_FROM = 1_000  # rows skipped before a page looks its rows up by id


class CappedPaginator(Paginator):
    """A Paginator whose count stops at COUNT_CAP (`is_capped` tells the pager)."""

    cap = COUNT_CAP

    @property
    def count(self) -> int:  # type: ignore[override]
        if not hasattr(self, "_capped_count"):
            # which rows are counted does not matter, so no ORDER BY: any cap+1 rows of the
            # scope index will do (an ordered LIMIT would have to find the top rows first)
            rows = self.object_list
            if hasattr(rows, "order_by"):
                rows = rows.order_by().values("pk")
            self._capped_count = rows[: self.cap + 1].count()
        return min(self._capped_count, self.cap)

    def page(self, number):
        """Deep pages fetch their ids first (`ORDER BY … LIMIT/OFFSET` over the id and the sort
        key only, which an index can answer without reading rows), then just those rows: the
        database no longer reads every skipped row in full."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list
        if bottom < LATE_LOOKUP_FROM or not hasattr(rows, "values_list"):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        found = {o.pk: o for o in rows.filter(pk__in=ids)}
        return self._get_page([found[i] for i in ids if i in found], number, self)

    @property
    def is_capped(self) -> bool:
        self.count  # noqa: B018 - computes the capped count once
        return self._capped_count > self.cap


class _Cursor(CursorPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def __init__(self, ordering):
        self.ordering = ordering

    def get_ordering(self, request, queryset, view):
        # the list's own order (after any ?ordering=), taken from the queryset by Pagination
        return self.ordering


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedPaginator

    def paginate_queryset(self, queryset, request, view=None):
        self._cursor = None
        if "cursor" in request.query_params:
            ordering = tuple(queryset.query.order_by or queryset.model._meta.ordering or ("-pk",))
            if "pk" not in {o.lstrip("-") for o in ordering} and "id" not in {
                o.lstrip("-") for o in ordering
            }:
                ordering = (*ordering, "-pk")
            self._cursor = _Cursor(ordering)
            return self._cursor.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self._cursor is not None:
            return self._cursor.get_paginated_response(data)
        return Response(
            {
                "count": self.page.paginator.count,
                "count_capped": self.page.paginator.is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"true: more than {COUNT_CAP} rows; narrow by filters or page with ?cursor=",
        }
        return out

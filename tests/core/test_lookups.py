"""`in_q` / `in_qs`: filtering by a list of tens of thousands of values, one array parameter on
PostgreSQL, small IN chunks elsewhere; the same rows either way."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhuqi.core.lookups import CHUNK, in_q, in_qs
from zhuqi.core.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    root = Region.objects.create(code="410000", name="省", kind="province")
    return [root] + [
        Region.objects.create(code=f"4101{i:02d}", name=f"区{i}", kind="county", parent=root)
        for i in range(12)
    ]


def test_the_rows_named_and_no_others(regions):
    wanted = [r.pk for r in regions[3:8]]
    ids = wanted + list(range(10**6, 10**6 + 3 * CHUNK))  # ids that match nothing, beyond a chunk
    got = set(Region.objects.filter(in_q("pk", ids)).values_list("pk", flat=True))
    assert got == set(wanted)
    codes = {r.code for r in regions[:2]}
    assert set(Region.objects.filter(in_q("code", codes)).values_list("code", flat=True)) == codes


def test_a_related_field_and_an_empty_list(regions):
    children = Region.objects.filter(in_q("parent", [regions[0].pk]))
    assert children.count() == 12
    assert not Region.objects.filter(in_q("pk", [])).exists()
    assert list(in_qs("pk", [])) == []


def test_one_statement_on_postgresql_chunks_elsewhere(regions):
    ids = list(range(1, 3 * CHUNK + 1))
    parts = list(in_qs("pk", ids))
    with CaptureQueriesContext(connection) as ctx:
        Region.objects.filter(in_q("pk", ids)).count()
    sql = ctx.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert len(parts) == 1 and "= ANY(" in sql and len(sql) < 20 * len(ids)
    else:
        assert len(parts) == 3 and sql.count(" IN (") == 3

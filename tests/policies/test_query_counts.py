"""Query counts stay flat: the item's matched and near-miss lists, the claims list and the
figures render with the same number of queries for few and for many rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.enterprises.helpers import make_enterprise
from tests.policies.conftest import put_value
from zhuqi.policies.models import Application

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more(pw, n):
    for i in range(n):
        e = make_enterprise(f"新增{i}机械有限公司", pw.world.grid, above_scale=True, above_scale_since=2025)
        put_value(e, "gross_output", 2025, "3000")
        put_value(e, "revenue", 2025, str(1000 + i), "1000")  # growth < 10 %: a near miss
        Application.objects.create(
            item=pw.items[0],
            enterprise=e,
            year=2026,
            amount=Decimal("1"),
            due_on="2026-12-31",
            applied_by=pw.world.alice,
        )


def test_lists_keep_their_query_counts(pw, client):
    pw.items = [pw.item()]
    Application.objects.create(
        item=pw.items[0],
        enterprise=pw.ents["甲"],
        year=2026,
        amount=Decimal("1"),
        due_on="2026-12-31",
        applied_by=pw.world.alice,
    )
    client.force_login(pw.world.alice)
    item = pw.items[0]
    urls = [
        reverse("policies:item_detail", args=[item.pk]),
        reverse("policies:item_detail", args=[item.pk]) + "?tab=near",
        reverse("policies:application_list"),
        reverse("policies:figures"),
    ]
    few = [_count(client, u) for u in urls]
    _more(pw, 6)
    many = [_count(client, u) for u in urls]
    assert few == many

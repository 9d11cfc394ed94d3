"""Case intake through the API runs a fixed number of queries: it does not grow with the
officials notified, the cases already in the pool or the audit log's length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from zhuqi.core.models import Role, User

pytestmark = pytest.mark.django_db


def _intake(client, cw) -> int:
    body = {
        "enterprise": cw.ent.pk,
        "title": "用电报装周期长",
        "description": "新建车间需要增容变压器，申请两个月仍未接电。",
        "channel": "h12345",
        "category": cw.land_quota.pk,
    }
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.content
    return len(ctx.captured_queries)


def test_intake_query_count_is_constant(cw):
    client = APIClient()
    client.force_authenticate(cw.w.alice)
    _intake(client, cw)  # warm-up: per-process lookups (the audit id sequence, the calendar)
    first = _intake(client, cw)
    for i in range(5):  # more officials to notify, more cases, a longer audit log
        User.objects.create(
            username=f"dispatch{i}", role=Role.DISPATCH, region=cw.w.county, department=cw.w.dispatch_office
        )
        cw.new()
    assert _intake(client, cw) == first

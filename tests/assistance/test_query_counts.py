"""List pages answer in a bounded number of queries, whatever the number of rows (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import services
from zhuqi.assistance.models import Assignment, Visit
from zhuqi.enterprises.models import Tag

pytestmark = pytest.mark.django_db

PAGES = [
    "enterprises:enterprise_list",
    "assistance:visit_list",
    "assistance:assignment_list",
    "assistance:plan_list",
    "assistance:compliance",
    "assistance:my_enterprises",
]


def populate(world, n, offset):
    tag = Tag.objects.get(name="专精特新")
    for i in range(offset, offset + n):
        ent = make_enterprise(f"测试企业{i:03d}有限公司", world.grid)
        ent.tags.add(tag)
        Assignment.objects.create(enterprise=ent, year=2026, role="commissioner", user=world.commissioner)
        Visit.objects.create(enterprise=ent, visitor=world.commissioner, findings="走访")
        services.save_plan(ent, year=2026, goals="增长", actor=world.alice)


def counts(client):
    out = {}
    for name in PAGES:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        out[name] = len(ctx)
    return out


@pytest.mark.parametrize("who", ["alice", "commissioner"])
def test_query_counts_do_not_grow_with_rows(world, login, who):
    client = login(getattr(world, who))
    populate(world, 3, 0)
    few = counts(client)
    populate(world, 20, 3)
    many = counts(client)
    assert many == few

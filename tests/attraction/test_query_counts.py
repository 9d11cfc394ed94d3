"""Query counts stay flat: the lead list, a lead's page, the funnel, the 台账, the rates, the chain
map and the 名录表 render with the same number of queries for few and for many rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.attraction.conftest import make_lead, stage
from zhuqi.attraction import services
from zhuqi.attraction.models import Chain, ChainNode
from zhuqi.core import workcalendar

pytestmark = pytest.mark.django_db

PAGES = [
    "attraction:lead_list",
    "attraction:funnel",
    "attraction:funds_ledger",
    "attraction:rates",
    "attraction:chains",
    "attraction:target_list",
]


def _count(client, url) -> int:
    workcalendar.is_working_day(timezone.localdate())  # the calendar's cached overrides, fresh
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add(world, node, start, n):
    for i in range(start, start + n):
        lead = make_lead(world, investor=f"投资方{i}有限公司", title=f"项目{i}", chain_node=node)
        services.move_lead(lead, stage("contact"), actor=world.alice)
        services.save_target(
            None, actor=world.alice, name=f"目标{i}", status="planned", region=world.county, chain_node=node
        )


def test_pages_do_not_grow_with_rows(world, login):
    chain = Chain.objects.create(name="装备制造", region=world.county)
    node = ChainNode.objects.create(chain=chain, name="农机装备", position="mid", industry_codes="3571")
    client = login(world.alice)
    _add(world, node, 0, 2)
    lead = make_lead(world, investor="固定投资方", title="固定项目")
    urls = [reverse(name) for name in PAGES] + [reverse("attraction:lead_detail", args=[lead.pk])]
    few = {url: _count(client, url) for url in urls}
    _add(world, node, 2, 12)
    services.move_lead(lead, stage("contact"), actor=world.alice)
    services.move_lead(lead, stage("visit"), actor=world.alice)
    many = {url: _count(client, url) for url in urls}
    assert many == few

"""Attraction test data: 尉氏县's 工信局 (bob, head) is the 招商 team; the standing reviewers are
工信局 and 自然资源局, with 供电公司 added for chemicals (GB/T 4754 prefix 26)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhuqi.attraction import services
from zhuqi.attraction.models import Pipeline, ReviewRule, Stage
from zhuqi.core.units import WAN


def pipeline(code: str = "new") -> Pipeline:
    return Pipeline.objects.get(code=code)


def stage(code: str, pipeline_code: str = "new") -> Stage:
    return Stage.objects.get(pipeline__code=pipeline_code, code=code)


def make_lead(world, *, actor=None, investor="安徽丰原集团有限公司", amount_wan="50000", **extra):
    fields = {
        "pipeline": pipeline(extra.pop("pipeline_code", "new")),
        "title": extra.pop("title", "年产5万吨聚乳酸项目"),
        "investor_name": investor,
        "source": extra.pop("source", "referral"),
        "amount": Decimal(amount_wan) * WAN,
        "region": extra.pop("region", world.park),
        "team": extra.pop("team", world.jxj),
    }
    fields.update(extra)
    return services.register_lead(actor=actor or world.alice, **fields)


def walk(lead, codes, actor):
    for code in codes:
        services.move_lead(lead, stage(code, lead.pipeline.code), actor=actor)
        lead.refresh_from_db()
    return lead


@pytest.fixture
def rules(world):
    ReviewRule.objects.create(region=world.county, department=world.jxj)
    ReviewRule.objects.create(region=world.county, department=world.zrzy)
    ReviewRule.objects.create(region=world.county, department=world.power, industry_prefix="26")

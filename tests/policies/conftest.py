"""Policy test data: the worked example of src/zhuqi/docs/policies.md §5 — five enterprises of
尉氏县 (甲 … 丁) and one of 通许县 (戊), their 2025 figures, and the item 升规入统奖励 with four
conditions and a tiered amount (丁's user is the world's enterprise user)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.enterprises.helpers import make_enterprise
from zhuqi.enterprises.models import EnterpriseUser, Tag
from zhuqi.indicators.models import Indicator, Value
from zhuqi.policies import services
from zhuqi.policies.models import PolicyItem

YEAR = 2025

#: name → (region key, 规上, 入规年份, 2025 工业总产值 万元, 2025 营业收入 万元, 2024 营业收入 万元, 2025 技改投资 万元)
ENTERPRISES = {
    "甲": ("grid", True, 2025, "6200", "5500", "4800", "800"),
    "乙": ("grid2", True, 2025, "2400", "3000", "2800", None),
    "丙": ("town", True, 2023, "12000", "6000", "5000", "1500"),
    "丁": ("grid", False, None, None, None, None, None),
    "戊": ("other_grid", True, 2025, "6200", "5500", "4800", None),
}

#: the example item's conditions, as the form stores them
CONDITIONS = {
    "all": [
        {"attr": "above_scale", "op": "eq", "value": True},
        {"attr": "above_scale_since", "op": "eq", "value": YEAR},
        {"attr": "indicator", "indicator": "gross_output", "measure": "value", "op": "gte", "value": "2000"},
        {"attr": "indicator", "indicator": "revenue", "measure": "growth", "op": "gte", "value": "10"},
    ]
}
#: 2–20 万 by 工业总产值 (万元)
TIERS = {
    "type": "tiers",
    "base": {"indicator": "gross_output"},
    "tiers": [
        {"min": "2000", "amount": "20000"},
        {"min": "5000", "amount": "50000"},
        {"min": "10000", "amount": "100000"},
        {"min": "50000", "amount": "200000"},
    ],
}


def put_value(ent, code: str, year: int, cumulative, last_year=None) -> Value:
    return Value.objects.create(
        indicator=Indicator.objects.get(code=code),
        period=f"{year}12",
        year=year,
        period_type="M",
        enterprise=ent,
        region=ent.region,
        cumulative=Decimal(cumulative),
        last_year_cumulative=Decimal(last_year) if last_year is not None else None,
        source="import",
    )


class PolicyWorld:
    def __init__(self, world):
        self.world = world
        regions = {
            "grid": world.grid,
            "grid2": world.grid2,
            "town": world.town,
            "other_grid": world.other_grid,
        }
        self.ents = {}
        for name, (region, above, since, output, rev, rev_ly, tech) in ENTERPRISES.items():
            e = make_enterprise(
                f"{name}机械有限公司", regions[region], above_scale=above, above_scale_since=since
            )
            self.ents[name] = e
            if output:
                put_value(e, "gross_output", YEAR, output)
            if rev:
                put_value(e, "revenue", YEAR, rev, rev_ly)
            if tech:
                put_value(e, "tech_investment", YEAR, tech)
        EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=self.ents["乙"], is_primary=True)
        self.tag = Tag.objects.get_or_create(name="专精特新")[0]
        self.ents["甲"].tags.add(self.tag)
        self.document = services.save_document(
            None,
            actor=world.alice,
            title="尉氏县促进工业经济高质量发展若干政策",
            level="county",
            issuer="尉氏县人民政府",
            number="尉政〔2026〕3号",
            issued_on="2026-02-01",
            region=world.county,
        )

    def item(self, **kw) -> PolicyItem:
        data = {
            "title": "升规入统奖励",
            "kind": "reward",
            "status": "published",
            "mode": "automatic",
            "department": self.world.jxj,
            "data_year": YEAR,
            "conditions": CONDITIONS,
            "amount_rule": TIERS,
            "exclusivity_group": "升规奖励",
        }
        data.update(kw)
        return services.save_item(None, actor=self.world.alice, document=self.document, **data)


@pytest.fixture
def pw(world):
    return PolicyWorld(world)

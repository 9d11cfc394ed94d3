"""The hand-worked examples of src/zhuqi/docs/mu-evaluation.md, as data: the shipped schemes'
items and each example enterprise's facts (money in 万元 here, as the import takes it). The
tests (tests/mu/test_examples.py) score them and compare with every number of the document."""

from __future__ import annotations

from decimal import Decimal as D

from zhuqi.core.units import WAN
from zhuqi.mu.models import Adjustment, FactKind

T, L, VA, REV, EMP, RND, EN, PW, EM, TECH = (
    FactKind.TAX,
    FactKind.LAND_MU,
    FactKind.VALUE_ADDED,
    FactKind.REVENUE,
    FactKind.EMPLOYEES,
    FactKind.RND,
    FactKind.ENERGY,
    FactKind.POWER,
    FactKind.EMISSIONS,
    FactKind.TECH_INVESTMENT,
)
MONEY = {T, VA, REV, RND, TECH}


def facts(**values) -> dict[str, D]:
    """Facts from 万元 and natural units to stored units (money in yuan)."""
    return {k: D(str(v)) * (WAN if k in MONEY else 1) for k, v in values.items()}


# 例一 黄岩 2022 规上 (ratio to benchmark)
HUANGYAN_ABOVE = {
    "甲": facts(
        tax=600,
        land_mu=20,
        value_added=3000,
        energy=1000,
        emissions="0.5",
        employees=150,
        rnd=300,
        revenue=10000,
    ),
    "乙": facts(tax=1200, land_mu=20, value_added=4000, energy=2000, employees=200, rnd=200, revenue=12000),
    "丙": facts(
        tax=150,
        land_mu=30,
        value_added=1500,
        energy=1500,
        emissions="0.6",
        employees=120,
        rnd=50,
        revenue=5000,
    ),
    "丁": facts(
        tax=240,
        land_mu=10,
        value_added=1200,
        energy=400,
        emissions="0.2",
        employees=60,
        rnd=100,
        revenue=4000,
    ),
}

# 例二 黄岩 2022 规下 (land ≥ 3 亩): 辛 has 2.5 亩 and is not in the pool
HUANGYAN_BELOW = {
    "戊": facts(tax=30, land_mu=5, power=100),
    "己": facts(tax=12, land_mu=4, power=80),
    "庚": facts(tax=50, land_mu=3, power=150),
    "辛": facts(tax=20, land_mu="2.5", power=50),
}

# 例三 安徽式极差法 规上, with a bonus and a veto
ANHUI_ABOVE = {
    "子": facts(
        tax=400,
        land_mu=20,
        revenue=8000,
        tech_investment=200,
        value_added=2000,
        employees=100,
        rnd=240,
        energy=1000,
    ),
    "丑": facts(
        tax=100,
        land_mu=25,
        revenue=3000,
        tech_investment=0,
        value_added=900,
        employees=80,
        rnd=30,
        energy=800,
    ),
    "寅": facts(
        tax=250,
        land_mu=10,
        revenue=5000,
        tech_investment=100,
        value_added=1500,
        employees=50,
        rnd=200,
        energy=400,
    ),
    "卯": facts(
        tax=50,
        land_mu=10,
        revenue=1500,
        tech_investment=20,
        value_added=400,
        employees=40,
        rnd=15,
        energy=500,
    ),
}
ANHUI_ADJUSTMENTS = {
    "丑": [(Adjustment.Kind.BONUS, D(3), "高新技术企业")],
    "寅": [(Adjustment.Kind.VETO_AB, D(0), "发生较大安全生产事故")],
}

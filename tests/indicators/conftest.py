"""Indicator test data: a 规上 enterprise in each county, a monthly form of the county."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.enterprises.helpers import make_enterprise
from tests.indicators.helpers import val
from zhuqi.enterprises.models import EnterpriseUser
from zhuqi.indicators import services_targets
from zhuqi.indicators.models import DataSet, DataSetIndicator, Indicator


class IndicatorWorld:
    def __init__(self, world):
        self.world = world
        self.ent = make_enterprise("恒顺集团有限公司", world.grid, above_scale=True)
        self.ent2 = make_enterprise("丰原生物化学股份有限公司", world.grid2, above_scale=True)
        self.small = make_enterprise("城关小微企业", world.town)
        self.other = make_enterprise("通许装备制造有限公司", world.other_grid, above_scale=True)
        EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=self.ent, is_primary=True)
        self.output = Indicator.objects.get(code="gross_output")
        self.tax = Indicator.objects.get(code="tax")
        self.profit = Indicator.objects.get(code="profit")
        self.employees = Indicator.objects.get(code="employees")
        self.growth = Indicator.objects.get(code="value_added_growth")
        self.monthly = DataSet.objects.create(
            code="wsx_monthly", name="规上工业企业月报", region=world.county
        )
        for i, ind in enumerate([self.output, self.tax, self.profit, self.employees]):
            DataSetIndicator.objects.create(dataset=self.monthly, indicator=ind, sort=i)


@pytest.fixture
def iw(world):
    return IndicatorWorld(world)


@pytest.fixture
def example(iw):
    """§2 and §4 of indicators-figures.md: 尉氏县's 工业总产值, 1—10月 2026."""
    w = iw.world
    gone = make_enterprise("退规企业", w.grid, above_scale=False)
    for ent, cum in ((iw.ent, 400), (iw.ent2, 360), (gone, 200)):
        val(iw.output, "202510", cum, ent=ent)
    val(iw.output, "202610", 500, 400, ent=iw.ent)
    val(iw.output, "202610", 300, 360, ent=iw.ent2)
    val(iw.output, "202610", 100, ent=iw.small)
    val(iw.output, "202610", 999, 1, ent=iw.other)  # the other county: never in 尉氏县's figures
    services_targets.set_target(iw.output, 2026, region=w.county, amount=D(1500), growth=D(8), actor=w.alice)
    return iw

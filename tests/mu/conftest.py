"""亩均 test data: the four 规上 enterprises of the document's 例一 in 尉氏县 (丁's user is the
world's enterprise user), one in 通许县, their 2025 facts imported by the dispatch office."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.enterprises.helpers import make_enterprise
from tests.mu import examples as ex
from zhuqi.enterprises.models import EnterpriseUser
from zhuqi.mu import services
from zhuqi.mu.models import Run, Scheme

YEAR = 2025


class MuWorld:
    def __init__(self, world):
        self.world = world
        regions = {"甲": world.grid, "乙": world.grid2, "丙": world.town, "丁": world.grid}
        self.ents = {
            name: make_enterprise(f"{name}公司", regions[name], above_scale=True)
            for name in ex.HUANGYAN_ABOVE
        }
        self.other = make_enterprise("通许装备制造有限公司", world.other_grid, above_scale=True)
        EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=self.ents["丁"], is_primary=True)
        self.scheme = Scheme.objects.get(code="huangyan-2022-above")
        self.anhui = Scheme.objects.get(code="anhui-minmax-above")
        services.import_facts(
            [{"enterprise": self.ents[n], "year": YEAR, "facts": f} for n, f in ex.HUANGYAN_ABOVE.items()],
            actor=world.alice,
        )
        services.import_facts(
            [{"enterprise": self.other, "year": YEAR, "facts": ex.HUANGYAN_ABOVE["甲"]}], actor=world.charlie
        )

    def compute(self, **kw):
        return services.compute(self.scheme, YEAR, actor=self.world.alice, **kw)


def publish(run, actor):
    """Announce a trial run and publish it as if its 公示 were over (for tests about what comes
    after; tests/mu/test_publicity.py walks the period itself)."""
    run.refresh_from_db()
    if run.status == Run.Status.TRIAL:
        run = services.announce(run, actor=actor)
    Run.objects.filter(pk=run.pk).update(publicity_end=run.publicity_end - dt.timedelta(days=60))
    return services.publish(run, actor=actor)


@pytest.fixture
def mw(world):
    return MuWorld(world)

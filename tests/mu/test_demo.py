"""The 亩均 demo: 固镇's 规上 enterprises under the Anhui-style scheme, 2024 published, 2025 in 公示
with two objections (one upheld and recomputed, one not), the newcomers 暂不评价."""

import pytest

from tests.demo_loading import demo_loaded
from zhuqi.assistance import demo as assistance_demo
from zhuqi.indicators import demo as indicators_demo
from zhuqi.mu import demo as mu_demo
from zhuqi.mu.models import Fact, FactCorrection, Objection, Result, Run

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, assistance_demo.load, indicators_demo.load, mu_demo.load) as context:
        yield context


def test_runs_and_objections(demo):
    published = Run.objects.get(status=Run.Status.PUBLISHED)
    current = Run.objects.get(status=Run.Status.PUBLICITY)
    assert (published.year, current.year) == (2024, 2025)
    assert current.replaces is not None and current.replaces.status == Run.Status.SUPERSEDED
    assert 250 <= current.evaluated <= 320 and current.excluded >= 30
    assert {o.status for o in Objection.objects.all()} == {"upheld", "rejected"}
    assert FactCorrection.objects.count() == 1
    counts = {k: Result.objects.filter(run=current, klass=k).count() for k in "ABCDT"}
    assert counts["A"] >= 50 and counts["D"] >= 10 and counts["T"] == current.excluded
    assert Fact.objects.filter(year=2025).values("batch__department").distinct().count() == 4
    from zhuqi.mu.models import UtilityAccount

    # every evaluated enterprise has its 电力用户编号, some two
    metered = UtilityAccount.objects.filter(kind="power").values("enterprise").distinct().count()
    assert metered >= current.evaluated and UtilityAccount.objects.count() > metered

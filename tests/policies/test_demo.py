"""The policies demo: 固镇's documents and items from the seeds, matched against the registry and
indicator demo; the demo enterprise user sees what it qualifies for and what it nearly does."""

import datetime as dt

import pytest
import time_machine

from tests.demo_loading import demo_loaded
from zhuqi.assistance import demo as assistance_demo
from zhuqi.core.models import User
from zhuqi.indicators import demo as indicators_demo
from zhuqi.policies import demo as policies_demo
from zhuqi.policies import selectors
from zhuqi.policies.models import PolicyDocument, PolicyItem, live_items_q

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(
        django_db_blocker, assistance_demo.load, indicators_demo.load, policies_demo.load_demo
    ) as context:
        yield context


def test_demo_items_match_demo_enterprises(demo):
    assert PolicyDocument.objects.count() == 6
    items = {i.title: i for i in PolicyItem.objects.all()}
    assert len(items) == 19
    live = PolicyItem.objects.filter(live_items_q())
    assert not live.filter(
        title__in=["中小企业贷款贴息", "品牌建设奖励（已停止）", "小升规培育奖励"]
    ).exists()
    counts = {t: selectors.matched(i).count() for t, i in items.items()}
    for title, n in counts.items():
        # every live item finds somebody, except the one reading 亩均 classes (the 亩均 demo is
        # not loaded here)
        assert n > 0 or title == "亩均效益A类企业用能用地优先保障", title
    assert selectors.near_misses(items["升规入统奖励"]).exists()
    from zhuqi.policies.models import Application, Match

    assert Match.objects.filter(item=items["满负荷生产奖励"]).count() == counts["满负荷生产奖励"]
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses.count("paid") == 2 and statuses.count("clawed_back") == 1
    assert {"approved", "applied", "returned", "publicised"} <= set(statuses)
    # 免申即享: 升规入统奖励's matched list granted without applications and on 公示
    granted = Application.objects.filter(item=items["升规入统奖励"])
    assert granted.count() == counts["升规入统奖励"]
    assert set(granted.values_list("status", flat=True)) == {"publicised"}
    assert granted.exclude(bank_account="").count() == 1


@time_machine.travel(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC), tick=False)
def test_the_demo_enterprise_qualifies_for_some_and_nearly_for_one(demo):
    user = User.objects.get(role="enterprise", enterprise_membership__isnull=False, is_demo=True)
    qualifies, nearly = selectors.for_enterprise(user.enterprise_membership.enterprise)
    assert qualifies and nearly
    assert "升规入统奖励" in [e.item.title for e in nearly]

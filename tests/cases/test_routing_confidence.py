"""The routing suggestion's confidence and the pre-selection threshold (issue #12 item 21):
the hand-worked example of docs/cases-routing.md, keyword matching, and the two texts the demo
used to pre-select to 审批 → 住建局."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from zhuqi.cases import demo as cases_demo
from zhuqi.cases import routing
from zhuqi.cases.models import Category
from zhuqi.core import demo as core_demo
from zhuqi.core.models import Region, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    """The two branches of the docs' example: 审批 › 工程建设审批 and 水电气 › 用电."""
    approval = Category.objects.create(code="approval", name="审批", keywords="审批")
    build = Category.objects.create(
        code="approval_build", name="工程建设审批", parent=approval, keywords="施工许可 竣工验收"
    )
    utility = Category.objects.create(code="utility", name="水电气", keywords="水电气")
    power = Category.objects.create(
        code="utility_power", name="用电", parent=utility, keywords="用电 停电 变压器"
    )
    return approval, build, utility, power


def _history(build, power) -> routing.NaiveBayes:
    # 20 routed cases "施工 许可" / "施工 验收" under 工程建设审批, 10 "用电 增容" under 用电
    docs = [(["施工", "许可"], build.pk)] * 10 + [(["施工", "验收"], build.pk)] * 10
    docs += [(["用电", "增容"], power.pk)] * 10
    return routing.NaiveBayes().fit(docs)


def test_hand_worked_example_of_the_docs(tree):
    approval, build, utility, power = tree
    nb = _history(build, power)
    # naive Bayes, tokens 施工 用电 in the vocabulary (线路, 接入 are not):
    #   审批·工程建设审批: 2/3 · (20+1)/(40+5) · (0+1)/(40+5) = 14/2025 = 0.0069136
    #   水电气·用电:       1/3 · (0+1)/(20+5)  · (10+1)/(20+5) = 11/1875 = 0.0058667
    #   posteriors 350/647 = 0.540958 and 297/647 = 0.459042
    post = nb.posteriors(routing.tokens("施工用电线路未接入"))
    assert post[build.pk] == pytest.approx(350 / 647)
    assert post[power.pk] == pytest.approx(297 / 647)
    # keywords: 用电 (of 用电) is the one hit, share 1 / (1 + 1) = 0.5
    # scores: 审批 = 0.540958/2 = 0.270479; 水电气 = 0.459042/2 + 0.5/2 = 0.479521
    s = routing.suggest("施工用电线路未接入", nb=nb)
    assert s.scores[approval.pk] == pytest.approx(0.270479, abs=1e-6)
    assert s.scores[utility.pk] == pytest.approx(0.479521, abs=1e-6)
    assert s.category == power and s.method == "bayes+keywords"
    assert s.confidence == pytest.approx(0.2090, abs=1e-4) and s.percent == 21  # 0.479521 - 0.270479
    assert not s.preselect  # 0.21 < PRESELECT_AT: shown as a hint, nothing selected
    assert routing.PRESELECT_AT == 0.45


def test_history_alone_names_the_wrong_branch_and_keywords_turn_it(tree):
    approval, build, utility, power = tree
    nb = _history(build, power)
    # without the 用电 keyword the history alone picks 审批: scores 0.270479 and 0.229521
    power.keywords = ""
    power.save()
    s = routing.suggest("施工用电线路未接入", nb=nb)
    assert s.category == build and s.method == "bayes"
    assert s.confidence == pytest.approx(0.0410, abs=1e-4) and not s.preselect


def test_keywords_only_without_history(tree):
    approval, build, utility, power = tree
    empty = routing.NaiveBayes()
    # two hits of 用电 (变压器, 停电) out of two: share 2/3, margin 2/3 - 0 ≥ 0.45: pre-selected
    s = routing.suggest("变压器容量不足，经常停电", nb=empty)
    assert s.method == "keywords" and s.category == power
    assert s.confidence == pytest.approx(2 / 3, abs=1e-4) and s.preselect
    # one hit only: 1/2 ≥ 0.45, still pre-selected; a hit on each branch: margin 0, a hint
    assert routing.suggest("施工用电线路未接入", nb=empty).confidence == pytest.approx(0.5)
    both = routing.suggest("施工许可证办好了，工地还没有用电", nb=empty)
    assert both.confidence == 0 and not both.preselect and both.category is not None
    # nothing matches: no suggestion at all
    none = routing.suggest("员工食堂饭菜不好吃", nb=empty)
    assert none.category is None and none.method == "none" and not none.preselect


def test_a_keyword_inside_a_longer_matching_keyword_does_not_count(tree):
    approval, build, utility, power = tree
    env = Category.objects.create(code="env_permit", name="排污许可", keywords="排污许可")
    lic = Category.objects.create(code="approval_license", name="证照", parent=approval, keywords="许可证")
    cats = [env, lic, build, power]
    assert routing.keyword_hits("排污许可证要变更", cats) == {env.pk: 1}
    assert routing.keyword_hits("食品生产许可证到期", cats) == {lic.pk: 1}
    # each keyword once, however often it occurs
    assert routing.keyword_hits("停电，又停电，变压器", cats) == {power.pk: 2}


@pytest.fixture
def demo_county(db, monkeypatch):
    """The demo county with its categories, keyword and routing rules and 90 routed cases."""
    monkeypatch.setattr(cases_demo, "N_CASES", 90)
    ctx = core_demo.load_core(None)
    cases_demo.load(ctx, None)
    routing.reset_model()
    yield Region.objects.get(code="340323")
    routing.reset_model()


def test_demo_no_longer_preselects_approval_to_housing_bureau(demo_county, login):
    county = demo_county
    assert routing.model().size >= routing.MIN_HISTORY  # the history-trained path is the one measured
    for text in ["施工用电线路未接入", "生产许可证延续"]:
        s = routing.suggest(text)
        route = routing.route_for(s.category, county)
        preselected_to_housing = (
            s.preselect and s.category.root.code == "approval" and route.lead.short_name == "住建局"
        )
        assert not preselected_to_housing, (text, str(s.category), s.percent, route.lead)
    # 施工用电: power is what the text is about, and the history (施工 → 审批) makes it unsure
    s = routing.suggest("施工用电线路未接入")
    assert s.category.code == "utility_power" or not s.preselect
    # 生产许可证: a licence, which the sub-category rule sends to 市场监管局
    s = routing.suggest("生产许可证延续")
    assert s.category.code == "approval_license"
    assert routing.route_for(s.category, county).lead.short_name == "市场监管局"

    # the page's script and the API expose the confidence and whether it is pre-selected
    c = login(User.objects.get(username="dispatch"))
    data = c.get(reverse("cases:suggest"), {"text": "生产许可证延续"}).json()
    assert data["lead_label"] == "市场监管局" and data["threshold"] == 45
    assert data["preselect"] == (data["confidence"] >= 45)
    assert "生产许可证" not in data["hint"] and "证照办理" in data["hint"]


def test_api_and_page_expose_confidence_and_preselection(tree, world, login):
    approval, build, utility, power = tree
    c = login(world.alice)
    # no routed history: keywords only. Two hits of 用电 → 2/3: pre-selected
    sure = c.get("/api/v1/cases/suggest/", {"text": "变压器容量不足，经常停电"}).json()
    assert sure["category"] == power.pk and sure["confidence"] == 67 and sure["threshold"] == 45
    assert sure["preselect"] is True and sure["method"] == "keywords"
    assert sure["lead_department"] == world.dispatch_office.pk  # no rule: the dispatch office
    assert "已预选" in sure["hint"]
    # one hit on each branch: margin 0, a hint that is not pre-selected
    page = c.get(reverse("cases:suggest"), {"text": "施工许可证办好了，工地还没有用电"}).json()
    assert page["confidence"] == 0 and page["preselect"] is False
    assert "把握不大" in page["hint"] and "未预选" in page["hint"]
    # in English the hint is translated
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = c.get(reverse("cases:suggest"), {"text": "施工许可证办好了，工地还没有用电"}).json()
    assert "not sure" in en["hint"] and "not pre-selected" in en["hint"]

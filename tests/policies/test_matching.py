"""Matching: the worked example of docs/policies.md §5 — one SQL query finds the qualifying
enterprises, the near misses name the missing condition, each enterprise's explanation agrees
with the query, and the tiered amount comes out as worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.policies.conftest import YEAR
from zhuqi.enterprises.models import Enterprise
from zhuqi.policies import amounts, conditions, selectors

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(e.name[0] for e in qs)


def test_the_worked_example_matches_in_one_query(pw, django_assert_num_queries):
    item = pw.item()
    with django_assert_num_queries(1):
        found = names(selectors.matched(item))
    assert found == ["甲"]  # 戊 would qualify but lies in 通许县, outside the document's county


def test_near_misses_name_the_missing_condition(pw):
    item = pw.item()
    rows = list(selectors.near_misses(item).order_by("name"))
    assert names(rows) == ["丙", "乙"] or names(rows) == sorted(["乙", "丙"])
    missing = {e.name[0]: selectors.missing_part(item, e) for e in rows}
    assert missing["乙"] == ["2025年营业收入同比增速（%） ≥ 10%"]
    assert missing["丙"] == ["入规年份 = 2025"]


def test_explanation_shows_the_enterprises_own_values(pw):
    item = pw.item()
    entry = selectors.explain(item, pw.ents["乙"])
    assert not entry.explanation.met
    lines = {ln.label: (ln.met, ln.wants, ln.has) for ln in entry.explanation.lines}
    assert lines["2025年营业收入同比增速（%）"] == (False, "≥ 10%", "7.1%")
    assert lines["2025年工业总产值"] == (True, "≥ 2000 万元", "2400 万元")
    ok = selectors.explain(item, pw.ents["甲"])
    assert ok.explanation.met and ok.amount == Decimal("50000.00")
    assert "6200 万元 ≥ 5000 万元 档" in ok.amount_text


def test_explanation_agrees_with_the_query_for_every_enterprise(pw):
    """The same rules in SQL and for one enterprise, negation and missing data included."""
    trees = [
        pw.item().conditions,
        {
            "any": [
                {"attr": "tag", "op": "has", "value": ["专精特新"]},
                {"not": {"attr": "above_scale", "op": "eq", "value": True}},
            ]
        },
        {
            "not": {
                "attr": "indicator",
                "indicator": "tech_investment",
                "measure": "value",
                "op": "gte",
                "value": "1000",
            }
        },
        {
            "all": [
                {
                    "attr": "indicator",
                    "indicator": "revenue",
                    "measure": "growth",
                    "op": "between",
                    "value": ["5", "15"],
                }
            ]
        },
        {"all": [{"attr": "region", "op": "in", "value": [pw.world.park.pk]}]},
    ]
    for raw in trees:
        tree = conditions.normalise(raw, default_year=YEAR)
        in_sql = set(Enterprise.objects.filter(conditions.compile_q(tree)).values_list("pk", flat=True))
        one_by_one = {
            e.pk for e in Enterprise.objects.all() if conditions.evaluate(tree, conditions.Facts(e)).met
        }
        assert in_sql == one_by_one, raw


def test_the_enterprise_sees_what_it_qualifies_for_and_nearly(pw):
    pw.item()
    technical = pw.item(
        title="技术改造补助",
        conditions={
            "all": [
                {
                    "attr": "indicator",
                    "indicator": "tech_investment",
                    "measure": "value",
                    "op": "gte",
                    "value": "500",
                }
            ]
        },
        amount_rule={
            "type": "percent",
            "base": {"indicator": "tech_investment"},
            "rate": "10",
            "cap": "1000000",
        },
        exclusivity_group="",
    )
    qualifies, nearly = selectors.for_enterprise(pw.ents["丙"])
    assert [e.item.title for e in qualifies] == [technical.title]
    assert qualifies[0].amount == Decimal("1000000.00")  # 1500 万 × 10 % = 150 万, capped at 100 万
    assert [e.item.title for e in nearly] == ["升规入统奖励"]
    assert [ln.label for ln in nearly[0].explanation.missing] == ["入规年份"]
    qualifies, _nearly = selectors.for_enterprise(pw.ents["甲"])
    assert {e.item.title: e.amount for e in qualifies} == {
        "升规入统奖励": Decimal("50000.00"),
        "技术改造补助": Decimal("800000.00"),
    }


def test_expired_and_draft_items_leave_matching(pw):
    pw.item(title="已截止", window_start="2025-01-01", window_end="2025-03-01")
    pw.item(title="草稿", status="draft")
    qualifies, nearly = selectors.for_enterprise(pw.ents["甲"])
    assert qualifies == [] and nearly == []


@pytest.mark.parametrize(
    "tree, message",
    [
        ({"all": [{"attr": "R&D占比", "op": "gte", "value": "3"}]}, "未知的条件：“R&D占比”"),
        ({"all": [{"attr": "above_scale", "op": "gte", "value": True}]}, "条件“规上企业”不能用运算“gte”"),
        ({"all": [{"attr": "employees", "op": "gte", "value": "很多"}]}, "从业人数：“很多”不是数字"),
        (
            {"all": [{"attr": "indicator", "indicator": "nope", "op": "gte", "value": "1"}]},
            "未知的经济指标：“nope”",
        ),
        ({"all": [{"attr": "tag", "op": "has", "value": "不存在的标签"}]}, "无效的值 不存在的标签"),
        ({"all": []}, "至少要有一个条件"),
    ],
)
def test_bad_conditions_are_refused_in_chinese(tree, message):
    with pytest.raises(ValidationError) as exc:
        conditions.normalise(tree, default_year=YEAR)
    assert message in " ".join(exc.value.messages)


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"type": "fixed", "amount": "-5"}, "不能为负数"),
        ({"type": "percent", "base": {"indicator": "tech_investment"}, "rate": "-10"}, "比例不能为负数"),
        ({"type": "percent", "base": {"indicator": "employees"}, "rate": "10"}, "金额类指标"),
        (
            {
                "type": "tiers",
                "base": {"indicator": "gross_output"},
                "tiers": [{"min": "5", "amount": "1"}, {"min": "2", "amount": "1"}],
            },
            "从小到大",
        ),
        ({"type": "lottery"}, "金额规则须是"),
    ],
)
def test_bad_amount_rules_are_refused_in_chinese(rule, message):
    with pytest.raises(ValidationError) as exc:
        amounts.normalise(rule, default_year=YEAR)
    assert message in " ".join(exc.value.messages)


def test_a_bad_item_saves_nothing(pw):
    from zhuqi.policies.models import PolicyItem

    with pytest.raises(ValidationError):
        pw.item(amount_rule={"type": "fixed", "amount": "-1"})
    assert not PolicyItem.objects.exists()


def test_documents_not_listed_within_seven_working_days_are_flagged(pw):
    import datetime as dt

    import time_machine

    from zhuqi.policies.selectors import overdue_documents

    # issued Sunday 1 February 2026; 7 working days later is Tuesday 10 February
    with time_machine.travel(dt.datetime(2026, 2, 10, 2, tzinfo=dt.UTC), tick=False):
        assert list(overdue_documents(pw.world.alice)) == []
    with time_machine.travel(dt.datetime(2026, 2, 11, 2, tzinfo=dt.UTC), tick=False):
        assert list(overdue_documents(pw.world.alice)) == [pw.document]
        pw.item(window_start=None, window_end=None)
        assert list(overdue_documents(pw.world.alice)) == []

"""Assessments (考核) and 红黑榜 (docs/oversight.md §5–6): the scoring rules, the hand-worked
example of 尉氏县's first quarter computed from live cases and supervision items, the red and
black lists with an exemption, publication once, scope and bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.cases.conftest import CaseWorld
from tests.oversight.conftest import at, make_item
from zhuqi.cases import services as case_services
from zhuqi.core.models import AuditEntry, Department, Notification
from zhuqi.oversight import assessment as A
from zhuqi.oversight import metrics as M
from zhuqi.oversight import services_assessment as sa
from zhuqi.oversight.models import Assessment, RedBlackList, SchemeItem

pytestmark = pytest.mark.django_db

D = Decimal

ITEMS = [
    {
        "name": "诉求办结率",
        "kind": "base",
        "metric": "cases.close_rate",
        "weight": "40",
        "rule": "ratio",
        "target": "95",
    },
    {
        "name": "超期未办结诉求",
        "kind": "base",
        "metric": "cases.overdue",
        "weight": "30",
        "rule": "rank",
        "step": "10",
    },
    {
        "name": "督办按期办结率",
        "kind": "base",
        "metric": "oversight.ontime",
        "weight": "30",
        "rule": "threshold",
        "target": "90",
    },
    {
        "name": "红色督办",
        "kind": "penalty",
        "metric": "oversight.red",
        "weight": "5",
        "rule": "per_unit",
        "per_unit": "2",
    },
]


# --- the rules on their own ---------------------------------------------------------------------
def _item(**kw):
    base = {
        "pk": 1,
        "weight": D(20),
        "rule": "ratio",
        "target": None,
        "cap_ratio": D(1),
        "step": None,
        "per_unit": None,
        "kind": "base",
    }
    base.update(kw)
    return SchemeItem(**{k: v for k, v in base.items()})


UNITS = [M.Unit("department", i, name) for i, name in ((1, "甲"), (2, "乙"), (3, "丙"), (4, "丁"))]


def _metric(**kw):
    return M.Metric("x", "x", "", frozenset({"department"}), lambda c, u: {}, **kw)


def test_ratio_rule_caps_and_lower_is_better():
    measures = {1: M.Measure(D("92.0")), 2: M.Measure(D("99.0")), 3: M.Measure(None), 4: M.Measure(D("0"))}
    s = A.score_item(_item(target=D(95)), _metric(percent=True), measures, UNITS)
    assert s[1].points == D("19.37")  # 20 × 92.0 ÷ 95 = 19.368…
    assert s[2].points == D("20.00")  # over the target: capped at 1
    assert "超过上限" in s[2].explanation
    assert s[3].points == 0 and "无数据" in s[3].explanation
    s = A.score_item(_item(target=D(95), cap_ratio=D("1.2")), _metric(percent=True), measures, UNITS)
    assert s[2].points == D("20.84")  # 20 × 99 ÷ 95 = 20.842…
    # fewer is better: target ÷ value, 0 earns the cap
    s = A.score_item(
        _item(target=D(2)), _metric(higher_is_better=False), {1: M.Measure(D(4)), 4: M.Measure(D(0))}, UNITS
    )
    assert s[1].points == D("10.00") and s[4].points == D("20.00")


def test_rank_rule_shares_ties():
    measures = {1: M.Measure(D(90)), 2: M.Measure(D(90)), 3: M.Measure(D(80)), 4: M.Measure(D(70))}
    s = A.score_item(_item(rule="rank", step=D(8)), _metric(), measures, UNITS)
    assert [(s[i].rank, s[i].points) for i in (1, 2, 3, 4)] == [(1, D(20)), (1, D(20)), (3, D(4)), (4, D(0))]


def test_threshold_and_per_unit_rules():
    measures = {1: M.Measure(D(90)), 2: M.Measure(D("89.9")), 3: M.Measure(D(3)), 4: M.Measure(D(0))}
    s = A.score_item(_item(rule="threshold", target=D(90)), _metric(), measures, UNITS)
    assert (s[1].points, s[2].points) == (D(20), D(0))
    s = A.score_item(_item(rule="per_unit", per_unit=D(2), weight=D(5)), _metric(), measures, UNITS)
    assert s[3].points == D(5) and "超过上限" in s[3].explanation  # 3 × 2 = 6, capped at 5
    assert s[4].points == D(0)


# --- the worked example -------------------------------------------------------------------------
@pytest.fixture
def q1(world):
    """The example of docs/oversight.md §5: 工信局 3 cases (2 closed, 1 overdue), 自然资源局 1
    closed, 发改委 none; 工信局's supervision item overdue and red."""
    world.fgw = Department.objects.create(
        name="尉氏县发展和改革委员会", short_name="发改委", region=world.county
    )
    cw = world.cases = CaseWorld(world)
    with time_machine.travel(at(2026, 3, 10), tick=False):
        cw.to("closed")
        cw.to("closed", title="用工招聘")
        cw.to("signed", title="土地指标")
        w = world
        case = cw.new(title="用地报批")
        case = case_services.accept_case(case, actor=w.alice)
        case = case_services.dispatch_case(case, actor=w.alice, lead=w.zrzy)
        case = case_services.sign_case(case, actor=w.zr_handler)
        case = case_services.reply_case(case, actor=w.zr_handler, reply="已办理")
        case = case_services.follow_up_case(case, actor=w.alice, result="satisfied")
        case_services.close_case(case, actor=w.alice)
    make_item(world, at(2026, 3, 2), title="标准化厂房主体完工", working_days=5)
    from zhuqi.oversight.sweep import sweep

    with time_machine.travel(at(2026, 3, 20), tick=False):
        sweep()
    with time_machine.travel(at(2026, 4, 2), tick=False):
        scheme = sa.save_scheme(
            None,
            actor=world.supervisor,
            region=world.county,
            name="2026年部门季度考核",
            year=2026,
            period_kind="Q",
            sequence="departments",
            items=ITEMS,
        )
    return scheme


def _by_label(a):
    return {r.label: r for r in a.results.all()}


def test_the_worked_example(world, q1):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        a = sa.compute_assessment(q1, "2026Q1", actor=world.supervisor)
    r = _by_label(a)
    assert set(r) == {"工信局", "自然资源局", "发改委"}
    assert (r["自然资源局"].total, r["自然资源局"].rank) == (D("100.00"), 1)
    assert (r["发改委"].total, r["发改委"].rank) == (D("100.00"), 1)
    assert (r["工信局"].total, r["工信局"].rank) == (D("36.08"), 3)
    parts = {p["name"]: p for p in r["工信局"].items}
    assert parts["诉求办结率"]["value"] == "66.7" and parts["诉求办结率"]["points"] == "28.08"
    assert (
        parts["超期未办结诉求"]["points"] == "10.00" and "第 3 名" in parts["超期未办结诉求"]["explanation"]
    )
    assert parts["督办按期办结率"]["points"] == "0.00"
    assert parts["红色督办"]["points"] == "-2.00"
    assert (
        "metric=close_rate" in parts["诉求办结率"]["url"]
        and f"key={world.jxj.pk}" in parts["诉求办结率"]["url"]
    )
    fgw = {p["name"]: p for p in r["发改委"].items}
    assert "得满分" in fgw["诉求办结率"]["explanation"]
    assert a.status == Assessment.Status.DRAFT
    assert AuditEntry.objects.filter(event="assessment_computed").exists()


def test_drill_link_opens_exactly_the_cases_counted(world, q1, client):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        a = sa.compute_assessment(q1, "2026Q1", actor=world.supervisor)
        url = {p["name"]: p for p in _by_label(a)["工信局"].items}["诉求办结率"]["url"]
        client.force_login(world.alice)
        page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    # the denominator of 工信局's 办结率: its three accepted cases of the quarter, not 自然资源局's
    assert "土地指标" in text and "用工招聘" in text and "用地报批" not in text


def test_overdue_drill_lists_the_cases_open_past_their_deadline_at_the_quarters_end(world, q1, client):
    """超期未办结 counts at the period's end; its link opens that list, not today's overdue cases
    (a case of April, overdue by the time someone clicks, is not among the quarter's)."""
    with time_machine.travel(at(2026, 4, 2), tick=False):
        a = sa.compute_assessment(q1, "2026Q1", actor=world.supervisor)
        world.cases.to("dispatched", title="四月新诉求")
    part = {p["name"]: p for p in _by_label(a)["工信局"].items}["超期未办结诉求"]
    assert part["value"] == "1" and "overdue_at=2026-03-31" in part["url"]
    client.force_login(world.alice)
    with time_machine.travel(at(2026, 4, 20), tick=False):
        text = client.get(part["url"]).content.decode()
        today = client.get(reverse("cases:list") + f"?overdue=1&dept={world.jxj.pk}").content.decode()
    assert "土地指标" in text and "四月新诉求" not in text and "用工招聘" not in text
    assert "截至 2026-03-31 24:00 仍未办结且已超过办结期限" in text
    assert "四月新诉求" in today  # the list's own 已超时 filter: running deadlines now


def test_publish_once_with_confirmation_and_send(world, q1):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        a = sa.compute_assessment(q1, "2026Q1", actor=world.supervisor)
        with pytest.raises(ValidationError) as exc:
            sa.publish_assessment(a, actor=world.supervisor, confirm=False)
        assert "确认" in str(exc.value)
        with pytest.raises(PermissionDenied):
            sa.publish_assessment(
                a, actor=world.alice, confirm=True
            )  # the dispatch office computes, not publishes
        sa.publish_assessment(a, actor=world.supervisor, confirm=True)
        with pytest.raises(ValidationError) as exc:
            sa.publish_assessment(a, actor=world.supervisor, confirm=True)
        assert "已经公布" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            sa.compute_assessment(q1, "2026Q1", actor=world.supervisor)
        assert "不能重新计算" in str(exc.value)
        with pytest.raises(ValidationError) as exc:  # a published scheme keeps its items
            sa.save_scheme(
                q1,
                actor=world.supervisor,
                region=world.county,
                name=q1.name,
                year=2026,
                period_kind="Q",
                sequence="departments",
                items=ITEMS,
            )
    assert Notification.objects.filter(recipient=world.bob, title__startswith="考核结果公布").exists()
    assert not Notification.objects.filter(
        recipient=world.other_handler, title__startswith="考核结果公布"
    ).exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({0: {"weight": "30"}}, "合计应为 100 分，现为 90 分"),
        ({0: {"metric": ""}}, "第 1 个考核项：请选择考核指标"),
        ({0: {"metric": "no.such"}}, "没有这个考核指标"),
        ({0: {"target": ""}}, "须填写目标值"),
        ({0: {"weight": "四十"}}, "分值应为数字"),
        ({0: {"weight": "40.123"}}, "最多保留 2 位小数"),
        ({1: {"step": ""}}, "须填写每降一名扣分"),
        ({3: {"per_unit": ""}}, "须填写每件分值"),
        ({0: {"metric": "indicators.completion"}}, "须选择一个经济指标"),
    ],
)
def test_bad_schemes_are_refused_with_the_item_named(world, change, message):
    items = [dict(i) for i in ITEMS]
    for idx, fields in change.items():
        items[idx].update(fields)
    with pytest.raises(ValidationError) as exc:
        sa.save_scheme(
            None,
            actor=world.supervisor,
            region=world.county,
            name="方案",
            year=2026,
            period_kind="Q",
            sequence="departments",
            items=items,
        )
    assert message in str(exc.value)
    assert not SchemeItem.objects.exists()


def test_a_metric_not_for_the_sequence_and_the_period_list(world, q1):
    items = [dict(i) for i in ITEMS]
    with pytest.raises(ValidationError) as exc:  # 督办按期办结率 scores departments only
        sa.save_scheme(
            None,
            actor=world.supervisor,
            region=world.county,
            name="乡镇",
            year=2026,
            period_kind="Q",
            sequence="regions",
            items=items,
        )
    assert "不能用于这个考核序列" in str(exc.value)
    with time_machine.travel(at(2026, 4, 2), tick=False):
        with pytest.raises(ValidationError) as exc:  # Q3 has not begun
            sa.compute_assessment(q1, "2026Q3", actor=world.supervisor)
        assert "请从列表中选择期间" in str(exc.value)


def test_scope_of_schemes(world, q1, client):
    with pytest.raises(PermissionDenied):
        sa.save_scheme(
            None,
            actor=world.charlie,
            region=world.county,
            name="越权",
            year=2026,
            period_kind="Q",
            sequence="departments",
            items=ITEMS,
        )
    with pytest.raises(PermissionDenied):
        sa.compute_assessment(q1, "2026Q1", actor=world.charlie)
    with time_machine.travel(at(2026, 4, 2), tick=False):
        a = sa.compute_assessment(q1, "2026Q1", actor=world.supervisor)
    client.force_login(world.charlie)
    assert client.get(reverse("oversight:scheme_detail", args=[q1.pk])).status_code == 404
    assert client.get(reverse("oversight:assessment_detail", args=[a.pk])).status_code == 404
    # a department sees its region's assessment once published, never the trial
    client.force_login(world.bob)
    assert client.get(reverse("oversight:assessment_detail", args=[a.pk])).status_code == 404
    with time_machine.travel(at(2026, 4, 2), tick=False):
        sa.publish_assessment(a, actor=world.supervisor, confirm=True)
    page = client.get(reverse("oversight:assessment_detail", args=[a.pk]))
    assert page.status_code == 200 and "36.08" in page.content.decode()
    client.force_login(world.enterprise_user)
    assert client.get(reverse("oversight:scheme_list")).status_code == 404


def test_pages_and_export(world, q1, client):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        client.force_login(world.supervisor)
        page = client.post(
            reverse("oversight:scheme_detail", args=[q1.pk]), {"period": "2026Q1"}, follow=True
        )
        text = page.content.decode()
        assert "36.08" in text and "试算" in text
        a = Assessment.objects.get()
        export = client.get(reverse("oversight:assessment_detail", args=[a.pk]) + "?format=xlsx")
    assert export.status_code == 200
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(export.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "考核对象", "总分")
    assert [r[1] for r in rows[1:]][-1] == "工信局" and float(rows[-1][2]) == 36.08


# --- 红黑榜 --------------------------------------------------------------------------------------
def test_red_and_black_by_a_metric_with_an_exemption(world, q1):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        rule = sa.save_rule(
            None,
            actor=world.supervisor,
            region=world.county,
            name="部门诉求办结率红黑榜",
            sequence="departments",
            metric="cases.close_rate",
            target="90",
            size=1,
            period_kind="Q",
        )
        pv = sa.preview(rule, sa.rule_periods(rule)[0], world.supervisor)
        assert [r.unit.label for r in pv.rows] == ["自然资源局", "工信局"]  # 发改委 has no case: not ranked
        assert [r.unit.label for r in pv.red] == ["自然资源局"]
        assert [r.unit.label for r in pv.black] == ["工信局"]
        with pytest.raises(ValidationError):
            sa.add_exemption(
                rule, actor=world.supervisor, period_code="2026Q1", unit_id=world.jxj.pk, reason="雨"
            )
        sa.add_exemption(
            rule,
            actor=world.supervisor,
            period_code="2026Q1",
            unit_id=world.jxj.pk,
            reason="3月遭遇强降雨停工",
        )
        with pytest.raises(PermissionDenied):
            sa.publish_list(rule, actor=world.bob, period_code="2026Q1", confirm=True)
        with pytest.raises(ValidationError):
            sa.publish_list(rule, actor=world.supervisor, period_code="2026Q1", confirm=False)
        lst = sa.publish_list(rule, actor=world.supervisor, period_code="2026Q1", confirm=True)
        assert [r["name"] for r in lst.red] == ["自然资源局"]
        assert lst.black == []
        assert lst.exempted[0]["name"] == "工信局" and lst.exempted[0]["reason"] == "3月遭遇强降雨停工"
        with pytest.raises(ValidationError) as exc:
            sa.publish_list(rule, actor=world.supervisor, period_code="2026Q1", confirm=True)
        assert "已经公布" in str(exc.value)
        with pytest.raises(ValidationError):  # no exemption once published
            sa.add_exemption(
                rule,
                actor=world.supervisor,
                period_code="2026Q1",
                unit_id=world.zrzy.pk,
                reason="不可抗力情形",
            )
    assert RedBlackList.objects.count() == 1


def test_red_and_black_by_an_assessment_total(world, q1):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        a = sa.compute_assessment(q1, "2026Q1", actor=world.supervisor)
        rule = sa.save_rule(
            None,
            actor=world.supervisor,
            region=world.county,
            name="部门考核红黑榜",
            sequence="departments",
            scheme=q1,
            target="60",
            size=1,
            period_kind="Q",
        )
        assert sa.rule_periods(rule) == []  # nothing published yet
        sa.publish_assessment(a, actor=world.supervisor, confirm=True)
        lst = sa.publish_list(rule, actor=world.supervisor, period_code="2026Q1", confirm=True)
    assert sorted(r["name"] for r in lst.red) == ["发改委", "自然资源局"]  # tied first: both listed
    assert [r["name"] for r in lst.black] == ["工信局"]


def test_split_without_a_target_never_lists_a_unit_twice():
    rows = [A.Ranked(u, D(v), None, None) for u, v in zip(UNITS[:3], (9, 8, 7), strict=True)]
    red, black, _ = A.split(rows, 2, set())
    assert [r.unit.label for r in red] == ["甲"] and [r.unit.label for r in black] == ["丙"]


def test_rule_pages_scope(world, q1, client):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        rule = sa.save_rule(
            None,
            actor=world.supervisor,
            region=world.county,
            name="部门诉求办结率红黑榜",
            sequence="departments",
            metric="cases.close_rate",
            target="90",
            size=1,
            period_kind="Q",
        )
        client.force_login(world.supervisor)
        page = client.get(reverse("oversight:redblack_detail", args=[rule.pk]))
        assert page.status_code == 200 and "自然资源局" in page.content.decode()
        client.force_login(world.charlie)
        assert client.get(reverse("oversight:redblack_detail", args=[rule.pk])).status_code == 404
        with pytest.raises(PermissionDenied):
            sa.save_rule(
                rule,
                actor=world.charlie,
                region=world.county,
                name="x",
                sequence="departments",
                metric="cases.close_rate",
                size=1,
            )


def test_api_reads_follow_scope(world, q1):
    from rest_framework.test import APIClient

    with time_machine.travel(at(2026, 4, 2), tick=False):
        a = sa.compute_assessment(q1, "2026Q1", actor=world.supervisor)
    api = APIClient()
    api.force_authenticate(world.supervisor)
    r = api.get("/api/v1/assessments/")
    assert r.status_code == 200
    row = r.json()["results"][0] if "results" in r.json() else r.json()[0]
    assert row["period"] == "2026Q1" and {x["label"] for x in row["results"]} == {
        "工信局",
        "自然资源局",
        "发改委",
    }
    api.force_authenticate(world.charlie)
    assert api.get(f"/api/v1/assessments/{a.pk}/").status_code == 404
    api.force_authenticate(world.bob)  # a trial is not for the departments
    assert api.get(f"/api/v1/assessments/{a.pk}/").status_code == 404
    api.force_authenticate(world.commissioner)  # not a role that reads assessments: no rows
    assert api.get("/api/v1/assessments/").json()["results"] == []
    assert api.get(f"/api/v1/assessments/{a.pk}/").status_code == 404


def test_a_city_ranks_all_its_counties(world, q1):
    """全市县域考核: the counties of the city's subtree, each with the cases of its own subtree."""
    with time_machine.travel(at(2026, 4, 2), tick=False):
        scheme = sa.save_scheme(
            None,
            actor=world.admin,
            region=world.city,
            name="县域季度考核",
            year=2026,
            period_kind="Q",
            sequence="counties",
            items=[
                {
                    "name": "诉求办结率",
                    "metric": "cases.close_rate",
                    "weight": "100",
                    "rule": "ratio",
                    "target": "100",
                }
            ],
        )
        r = _by_label(sa.compute_assessment(scheme, "2026Q1", actor=world.admin))
    # 尉氏县: 3 of its 4 accepted cases closed = 75.0% → 100 × 0.75; 通许县 had none: full marks
    assert r["尉氏县"].total == D("75.00") and r["通许县"].total == D("100.00")
    assert [r["通许县"].rank, r["尉氏县"].rank] == [1, 2]

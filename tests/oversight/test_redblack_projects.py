"""The key projects' 红黑榜, once the projects app's own list and now oversight's rules
(docs/oversight.md §6): 超时序进度 by project and by department (the sign decides who may be
listed), the 观摩得分 metric with the hand-worked example of docs/oversight.md §观摩, and the old
address of the projects' page landing on oversight's list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.oversight.test_tours import make_round
from tests.projects.conftest import make_project
from zhuqi.core.models import Department
from zhuqi.indicators.periods import Period
from zhuqi.oversight import metrics as M
from zhuqi.oversight import services_assessment as sa
from zhuqi.oversight import services_tours
from zhuqi.oversight.models import RedBlackList, RedBlackRule
from zhuqi.projects import services as project_services

pytestmark = pytest.mark.django_db

D = Decimal
#: 10 June 2026: the last ended month is May (time elapsed 5/12 = 41.7 %)
JUNE_10 = dt.datetime(2026, 6, 10, 10, tzinfo=dt.UTC)


def _rule(world, **fields):
    fields.setdefault("region", world.county)
    fields.setdefault("period_kind", "M")
    return sa.save_rule(None, actor=world.supervisor, **fields)


def _plan(world, project, percent):
    """An annual plan of 1,200,000 yuan, `percent` of it done by the end of May."""
    project_services.plan_year(project, year=2026, amount=D("1200000"), actor=world.alice)
    project_services.record_actual(
        project, year=2026, month=5, amount=D(12000) * D(percent), actor=world.alice
    )


def test_projects_by_their_lead_red_and_black(world):
    with time_machine.travel(JUNE_10, tick=False):
        for i, percent in enumerate([50, D("41.67"), 40, 10, 0]):
            _plan(world, make_project(world, code=f"R{i}", name=f"项目{i}"), percent)
        rule = _rule(world, name="项目投资进度红黑榜", sequence="projects", metric="projects.lead", size=2)
        assert [p.code for p in sa.rule_periods(rule)][:1] == ["202605"]
        with pytest.raises(PermissionDenied):  # another county's 督查
            sa.publish_list(rule, actor=world.charlie, period_code="202605", confirm=True)
        lst = sa.publish_list(rule, actor=world.supervisor, period_code="202605", confirm=True)
    # 50 % − 41.7 % = +8.3 points; 41.67 % is on schedule (0.0: on the red list, never the black)
    assert [(r["name"], r["value"]) for r in lst.red] == [("项目0", "8.3"), ("项目1", "0.0")]
    assert [r["name"] for r in lst.black] == ["项目4", "项目3"]
    assert all(r["kind"] == "project" for r in lst.red + lst.black)


def _department_leads(world, percents):
    """One project per county government department, `percents` of its plan done by May."""
    depts = [world.jxj, world.zrzy]
    depts += [Department.objects.create(name=f"尉氏县{n}", region=world.county) for n in ("发改委", "住建局")]
    for i, (dept, pct) in enumerate(zip(depts, percents, strict=True)):
        _plan(world, make_project(world, code=f"RK{i}", name=f"排名项目{i}", department=dept), pct)
    return _rule(world, name="责任单位投资进度红黑榜", sequence="departments", metric="projects.lead", size=2)


@pytest.mark.parametrize(
    ("percents", "red", "black"),
    [
        # 工信局 +2.3 ahead of schedule: never on the black list, even as one of the bottom two of four
        ([44, 54, 49, 30], ["自然资源局", "尉氏县发改委"], ["尉氏县住建局"]),
        # only 工信局 is ahead: the units behind (−1.7 …) are never on the red list
        ([44, 40, 30, 20], ["工信局"], ["尉氏县住建局", "尉氏县发改委"]),
    ],
)
def test_departments_by_their_lead_follow_the_sign(world, login, percents, red, black):
    with time_machine.travel(JUNE_10, tick=False):
        rule = _department_leads(world, percents)
        page = login(world.supervisor).get(f"/oversight/redblack/{rule.pk}/?period=202605")
        pv = page.context["pv"]
        assert [r.unit.label for r in pv.red] == red and [r.unit.label for r in pv.black] == black
        # the metric's own target, 0 points (on schedule), is shown as 0, not as "no target"
        assert page.content.decode().count('<td class="text-end">0</td>') == 4
        lst = sa.publish_list(rule, actor=world.supervisor, period_code="202605", confirm=True)
    assert [r["name"] for r in lst.red] == red and [r["name"] for r in lst.black] == black
    assert all(D(r["value"]) >= 0 for r in lst.red) and all(D(r["value"]) < 0 for r in lst.black)


def test_the_tour_score_metric_reproduces_the_worked_example(world):
    """docs/oversight.md §6 (观摩得分): 甲 84.00, 乙 70.00, 丙 60.00; 工信局 (84 + 70) ÷ 2 = 77.00."""
    x = make_project(world, code="X1", name="甲项目")
    y = make_project(world, code="Y1", name="乙项目")
    z = make_project(world, code="Z1", name="丙项目", department=world.zrzy)
    criteria = [("建设进度", D(40), 100), ("投资强度", D(30), 100), ("现场管理", D(30), 50)]
    rnd = make_round(world, [x, y, z], [world.alice], criteria=criteria)
    c1, c2, c3 = rnd.criteria.all()
    for project, (a, b, c) in ((x, (90, 80, 40)), (y, (70, 70, 35)), (z, (60, 60, 30))):
        site = rnd.sites.get(project=project)
        services_tours.score_site(rnd, site, {c1.pk: a, c2.pk: b, c3.pk: c}, actor=world.alice)
    metric = M.REGISTRY["projects.tour_score"]
    projects = M.units_of("projects", world.county)
    depts = M.units_of("departments", world.county)

    def values(period, units):
        ctx = M.Context(world.county, Period.parse(period), world.supervisor)
        return {u.label: metric.compute(ctx, units)[u.pk].value for u in units}

    assert set(values("2026H1", projects).values()) == {None}  # scored, not published yet
    services_tours.publish_round(rnd, actor=world.supervisor)
    # 甲 = 40 % × 90 + 30 % × 80 + 30 % × (40 ÷ 50 × 100) = 36 + 24 + 24 = 84
    assert values("2026H1", projects) == {"甲项目": D("84.00"), "乙项目": D("70.00"), "丙项目": D("60.00")}
    assert values("2026Q2", depts) == {"工信局": D("77.00"), "自然资源局": D("60.00")}
    assert set(values("2026Q1", projects).values()) == {None}  # the round was held on 20 June
    with time_machine.travel(dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC), tick=False):
        rule = _rule(
            world,
            name="重点项目观摩得分红黑榜",
            sequence="projects",
            metric="projects.tour_score",
            size=1,
            period_kind="H",
        )
        lst = sa.publish_list(rule, actor=world.supervisor, period_code="2026H1", confirm=True)
    # no target: the best and the worst one
    assert [(r["name"], r["value"]) for r in lst.red] == [("甲项目", "84.00")]
    assert [(r["name"], r["value"]) for r in lst.black] == [("丙项目", "60.00")]


def test_the_old_projects_address_lands_on_the_oversight_list(world, login):
    rule = _rule(world, name="项目投资进度红黑榜", sequence="projects", metric="projects.lead", size=2)
    client = login(world.alice)
    resp = client.get("/projects/rankings/")
    assert resp.status_code == 302 and resp["Location"] == "/oversight/redblack/"
    assert rule.name in client.get(resp["Location"]).content.decode()
    menu = client.get("/").content.decode()  # one 红黑榜 in the menu: oversight's
    assert menu.count('href="/oversight/redblack/"') == 1 and 'href="/projects/rankings/"' not in menu
    assert login(world.enterprise_user).get("/projects/rankings/").status_code == 404


def test_a_list_of_another_period_kind_is_shown_as_published(world, login):
    """Lists migrated from the projects app may have been published for a quarter by a monthly
    rule, or long ago: the history links to each and it shows as published."""
    rule = _rule(world, name="项目投资进度红黑榜", sequence="projects", metric="projects.lead", size=2)
    RedBlackList.objects.create(
        rule=rule, period="2025Q2", red=[{"name": "甲项目", "value": "3.0"}], black=[], exempted=[]
    )
    page = login(world.alice).get(f"/oversight/redblack/{rule.pk}/?period=2025Q2").content.decode()
    assert 'data-testid="redblack-published"' in page and "甲项目" in page and "2025年第二季度" in page
    assert RedBlackRule.objects.count() == 1


def test_a_projects_rule_is_edited_on_the_oversight_page(world, login):
    rule = _rule(world, name="项目超时序进度榜", sequence="projects", metric="projects.lead", size=3)
    with pytest.raises(ValidationError) as exc:
        sa.save_rule(
            rule,
            actor=world.supervisor,
            region=world.county,
            name="x",
            sequence="projects",
            metric="projects.lead",
            size=0,
        )
    assert exc.value.message_dict == {"size": ["上榜数量应为 1—50 的整数"]}
    with pytest.raises(ValidationError) as exc:  # no 观摩得分 of a town
        sa.save_rule(
            None,
            actor=world.supervisor,
            region=world.county,
            name="x",
            sequence="regions",
            metric="projects.tour_score",
            size=3,
        )
    assert "项目观摩得分" in exc.value.message_dict["metric"][0]
    client = login(world.alice)
    resp = client.post(
        f"/oversight/redblack/{rule.pk}/edit/",
        {
            "name": "项目超时序进度榜",
            "sequence": "departments",
            "metric": "projects.approval_overdue",
            "size": 5,
            "period_kind": "M",
        },
    )
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert (rule.sequence, rule.metric, rule.size) == ("departments", "projects.approval_overdue", 5)
    assert login(world.charlie).get(f"/oversight/redblack/{rule.pk}/edit/").status_code == 404

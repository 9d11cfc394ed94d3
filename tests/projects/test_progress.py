"""Year-to-date rows (ProjectProgress) follow every change of the months, and the lights counted
in SQL agree exactly with `figures.light`, at the rounding boundaries too."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from tests.projects.conftest import make_project
from zhuqi.projects import figures, services
from zhuqi.projects.models import InvestmentMonth, Project, ProjectProgress

pytestmark = pytest.mark.django_db

DEC = "2026-12-10 10:00:00+08:00"


def _sum_months(project, year, month):
    rows = InvestmentMonth.objects.filter(project=project, year=year)
    return (
        sum((r.planned for r in rows), Decimal(0)),
        sum((r.actual or 0 for r in rows if r.month <= month), Decimal(0)),
    )


@time_machine.travel(DEC, tick=False)
def test_progress_rows_follow_plan_and_actuals(world, project):
    services.plan_year(project, year=2026, amount=Decimal(1_200_000), actor=world.admin)
    assert ProjectProgress.objects.filter(project=project, year=2026).count() == 12
    services.record_actual(project, year=2026, month=3, amount=Decimal(250_000), actor=world.admin)
    services.record_actual(project, year=2026, month=5, amount=Decimal(50_000), actor=world.admin)
    for month in range(1, 13):
        row = ProjectProgress.objects.get(project=project, year=2026, month=month)
        planned, actual = _sum_months(project, 2026, month)
        assert (row.planned_year, row.actual_ytd) == (planned, actual)
        assert row.planned_ytd == Decimal(100_000) * month
        assert row.reported == (month in (3, 5))
    p = figures.progress_by_project([project.pk], 2026, 11)[project.pk]
    assert p.actual_to_date == Decimal(300_000) and p.completion == Decimal("25.0")
    # a month removed by hand (admin) is followed too
    InvestmentMonth.objects.filter(project=project, year=2026, month=3).first().delete()
    assert ProjectProgress.objects.get(project=project, year=2026, month=11).actual_ytd == Decimal(50_000)


@time_machine.travel(DEC, tick=False)
@pytest.mark.parametrize(
    "actual",
    # plan 10,000 a year, month 11: elapsed 91.7 %; red at lead ≤ −30 (completion ≤ 61.7),
    # yellow at lead ≤ −10 (completion ≤ 81.7); each pair straddles a rounding boundary
    ["6174.99", "6175.00", "8174.99", "8175.00", "0", "10000", "9170", "20000"],
)
def test_lights_counted_in_sql_match_the_python_rule(world, actual):
    p = make_project(world, code="P777")
    months = [Decimal(0)] * 11 + [Decimal(10_000)]  # all planned in December: a year plan
    services.plan_year(p, year=2026, method="manual", months=months, actor=world.admin)
    services.record_actual(p, year=2026, month=2, amount=Decimal(actual), actor=world.admin)
    expected = figures.progress_by_project([p.pk], 2026, 11)[p.pk].light
    qs = Project.objects.filter(pk=p.pk)
    counts = figures.light_counts(qs, 2026, 11)
    assert counts[expected] == 1 and sum(counts.values()) == 1
    assert list(figures.projects_with_light(qs, 2026, 11, expected)) == [p]


@time_machine.travel(DEC, tick=False)
def test_projects_without_a_plan_are_grey(world, project):
    qs = Project.objects.filter(pk=project.pk)
    assert figures.light_counts(qs, 2026, 11) == {"green": 0, "yellow": 0, "red": 0, "grey": 1}
    assert list(figures.projects_with_light(qs, 2026, 11, "grey")) == [project]
    assert not figures.projects_with_light(qs, 2026, 11, "green").exists()


def test_rebuild_recreates_what_the_signals_wrote(world, project):
    with time_machine.travel(DEC, tick=False):
        services.plan_year(project, year=2026, amount=Decimal(600_000), actor=world.admin)
        services.record_actual(project, year=2026, month=4, amount=Decimal(70_000), actor=world.admin)
    before = list(ProjectProgress.objects.order_by("month").values_list("month", "planned_ytd", "actual_ytd"))
    ProjectProgress.objects.all().delete()
    ProjectProgress.objects.rebuild()
    after = list(ProjectProgress.objects.order_by("month").values_list("month", "planned_ytd", "actual_ytd"))
    assert after == before


@time_machine.travel(DEC, tick=False)
def test_board_summary_in_one_pass_equals_the_separate_figures(world, project, other_project):
    third = make_project(world, code="P003", name="食品加工项目", department=world.zrzy)
    for p, amount, actual in (
        (project, 1_200_000, 900_000),
        (other_project, 600_000, 100_000),
        (third, 0, 0),
    ):
        if amount:
            services.plan_year(p, year=2026, amount=Decimal(amount), actor=world.admin)
            services.record_actual(p, year=2026, month=6, amount=Decimal(actual), actor=world.admin)
    qs = Project.objects.all()
    s = figures.board_summary(qs, 2026, 11)
    assert s["counts"] == figures.light_counts(qs, 2026, 11)
    assert s["total"] == figures.progress_total(qs, 2026, 11)

    def plain(groups):
        return [(g["name"], g["n"], g["progress"].planned_year, g["progress"].actual_to_date) for g in groups]

    def by_id(groups):
        return [(g["id"], g["n"], g["progress"].planned_year, g["progress"].actual_to_date) for g in groups]

    assert plain(s["by_region"]) == plain(figures.progress_grouped(qs, 2026, 11, "project__region__name"))
    for g in figures.progress_grouped(qs.exclude(department=None), 2026, 11, "project__department_id"):
        g["id"] = g["name"]
        assert by_id([g])[0] in by_id(s["by_dept"])
    assert len(s["by_dept"]) == 2 and {g["name"] for g in s["by_dept"]} == {"工信局", "通许县工信局"}
    # a scoped viewer's summary counts only their projects
    county = figures.board_summary(Project.objects.visible_to(world.alice), 2026, 11)
    assert sum(county["counts"].values()) == Project.objects.visible_to(world.alice).count()


def test_a_service_refreshes_progress_once_and_direct_changes_through_the_signal(world, project, monkeypatch):
    calls = []
    real = services.refresh_progress

    def spy(*args):
        calls.append(args)
        real(*args)

    monkeypatch.setattr(services, "refresh_progress", spy)
    with time_machine.travel(DEC, tick=False):
        services.plan_year(project, year=2026, amount=Decimal(1_200_000), actor=world.admin)
        services.record_actual(project, year=2026, month=4, amount=Decimal(70_000), actor=world.admin)
    assert calls == [([project.pk], [2026])] * 2  # not once per month row
    InvestmentMonth.objects.filter(project=project, year=2026, month=4).update(actual=None)  # no signal
    InvestmentMonth.objects.get(project=project, year=2026, month=5).save()  # a signal
    assert len(calls) == 3
    assert ProjectProgress.objects.get(project=project, year=2026, month=12).actual_ytd == 0


@time_machine.travel(DEC, tick=False)
def test_board_keeps_two_units_of_the_same_name_apart(world, project, other_project, login):
    """工信局 of 尉氏县 and 工信局 of 通许县 (and a 城关镇 in each county) are two bars and two
    rows, each with its own projects, labelled so they can be told apart."""
    from zhuqi.core.models import Region

    world.other_jxj.short_name = "工信局"
    world.other_jxj.save()
    other_town = Region.objects.create(
        code="410222100", name="城关镇", kind="town", parent=world.other_county
    )
    Project.objects.filter(pk=project.pk).update(region=world.town)
    Project.objects.filter(pk=other_project.pk).update(region=other_town)
    services.plan_year(project, year=2026, amount=Decimal(1_200_000), actor=world.admin)
    services.record_actual(project, year=2026, month=6, amount=Decimal(1_100_000), actor=world.admin)
    services.plan_year(other_project, year=2026, amount=Decimal(600_000), actor=world.admin)
    services.record_actual(other_project, year=2026, month=6, amount=Decimal(60_000), actor=world.admin)

    s = figures.board_summary(Project.objects.all(), 2026, 11)
    depts = {g["name"]: (g["id"], g["n"], g["progress"].actual_to_date) for g in s["by_dept"]}
    assert depts == {
        "尉氏县工信局": (world.jxj.pk, 1, Decimal(1_100_000)),
        "通许县工信局": (world.other_jxj.pk, 1, Decimal(60_000)),
    }
    regions = {g["name"]: (g["n"], g["progress"].actual_to_date) for g in s["by_region"]}
    assert regions == {"城关镇（尉氏县）": (1, Decimal(1_100_000)), "城关镇（通许县）": (1, Decimal(60_000))}
    # the board's chart draws one bar per unit
    chart = login(world.admin).get("/projects/board/?year=2026&month=11").context["chart"]
    assert sorted(d["name"] for d in chart["departments"]) == ["尉氏县工信局", "通许县工信局"]
    # a unit whose short name is its own keeps the short name
    assert [
        g["name"] for g in figures.board_summary(Project.objects.filter(pk=project.pk), 2026, 11)["by_dept"]
    ] == ["工信局"]


@pytest.mark.parametrize("query", [{"year": "abc"}, {"month": "13"}, {"year": "²"}, {"month": "-1"}])
def test_progress_api_refuses_a_bad_period_with_a_400_naming_it(project, world, client, query):
    client.force_login(world.alice)
    response = client.get(f"/api/v1/projects/{project.pk}/progress/", query)
    assert response.status_code == 400 and set(response.json()) == set(query)

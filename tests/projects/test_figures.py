import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.projects.conftest import make_project
from zhuqi.projects import figures, services
from zhuqi.projects.models import Project, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 10, 2, tzinfo=dt.UTC), tick=False):
        yield


def test_split_even_profile_manual(world, project):
    rows = services.plan_year(project, year=2026, amount=Decimal("1000000"), actor=world.alice)
    assert [r.planned for r in rows[:11]] == [Decimal("83333.33")] * 11
    assert rows[11].planned == Decimal("83333.37")  # the remainder, so the year adds up
    project.refresh_from_db()
    assert project.year_planned_investment == Decimal("1000000")
    profile = [0, 0, 1, 1, 1, 1, 2, 2, 2, 1, 1, 0]
    rows = services.plan_year(
        project, year=2026, amount=Decimal("1200000"), method="profile", profile=profile, actor=world.alice
    )
    assert rows[0].planned == 0 and rows[6].planned == Decimal("200000.00")
    assert sum(r.planned for r in rows) == Decimal("1200000")
    rows = services.plan_year(project, year=2027, method="manual", months=[10] * 12, actor=world.alice)
    assert sum(r.planned for r in rows) == 120
    with pytest.raises(ValidationError, match="12"):
        services.plan_year(project, year=2026, method="manual", months=[1, 2], actor=world.alice)


def test_lead_lag_hand_checked_example(world, project):
    """Plan 1,200,000 yuan evenly; by the end of May 537,600 done: 44.8% against 5/12 = 41.7%
    of the year elapsed → +3.1 points (the Zigong figure)."""
    services.plan_year(project, year=2026, amount=Decimal("1200000"), actor=world.alice)
    for month, amount in [(1, 100000), (2, 80000), (3, 120000), (4, 117600), (5, 120000)]:
        services.record_actual(project, year=2026, month=month, amount=Decimal(amount), actor=world.alice)
    assert figures.report_period(dt.date(2026, 6, 10)) == (2026, 5)
    p = figures.progress_by_project(Project.objects.all(), 2026, 5)[project.pk]
    assert p.actual_to_date == Decimal("537600")
    assert p.completion == Decimal("44.8")
    assert p.elapsed == Decimal("41.7")
    assert p.lead == Decimal("3.1")
    assert p.light == "green"


def test_lights_by_thresholds(world, project, settings):
    services.plan_year(project, year=2026, amount=Decimal("1200000"), actor=world.alice)

    def light_after(amount):
        services.record_actual(
            project, year=2026, month=5, amount=Decimal(amount), actor=world.alice, reason="复核更正"
        )
        return figures.progress_by_project(Project.objects.all(), 2026, 5)[project.pk]

    assert light_after(0).light == "red"  # −41.7
    assert light_after(300000).light == "yellow"  # 25.0 − 41.7 = −16.7
    assert light_after(400000).light == "green"  # 33.3 − 41.7 = −8.4
    settings.ZHUQI_LIGHTS = (5, 20)
    assert light_after(400000).light == "yellow"
    assert figures.light(None) == "grey"


def test_department_and_region_rollups(world, project):
    other = make_project(world, code="P002", name="污水处理厂", region=world.town, department=world.zrzy)
    services.plan_year(project, year=2026, amount=Decimal("1200000"), actor=world.alice)
    services.plan_year(other, year=2026, amount=Decimal("2400000"), actor=world.alice)
    services.record_actual(project, year=2026, month=5, amount=Decimal("600000"), actor=world.alice)
    services.record_actual(other, year=2026, month=5, amount=Decimal("600000"), actor=world.alice)
    total = figures.progress_total(Project.objects.all(), 2026, 5)
    assert total.completion == Decimal("33.3") and total.lead == Decimal("-8.4")
    by_dept = {
        g["name"]: g["progress"]
        for g in figures.progress_grouped(Project.objects.all(), 2026, 5, "project__department__name")
    }
    assert by_dept["尉氏县工信局"].completion == Decimal("50.0")
    assert by_dept["尉氏县自然资源局"].lead == Decimal("-16.7")
    by_region = figures.progress_grouped(Project.objects.all(), 2026, 5, "project__region__name")
    assert [g["name"] for g in by_region] == ["尉氏经开区", "城关镇"]  # ranked by lead


def test_future_month_and_negative_refused(world, project):
    with pytest.raises(ValidationError, match="未来"):
        services.record_actual(project, year=2026, month=7, amount=Decimal(1), actor=world.alice)
    with pytest.raises(ValidationError, match="负数"):
        services.record_actual(project, year=2026, month=5, amount=Decimal(-1), actor=world.alice)


def test_start_rate_of_year_plan(world):
    """67 projects planned to start in 2026, 30 started by the end of May: 44.8% against
    41.7% elapsed → +3.1 points."""
    for i in range(67):
        p = make_project(world, code=f"S{i:03d}", planned_start=dt.date(2026, 4, 1))
        if i < 30:
            Project.objects.filter(pk=p.pk).update(stage=Stage.STARTED, started_on=dt.date(2026, 5, 20))
    make_project(world, code="S999", planned_start=dt.date(2027, 1, 1))
    r = figures.start_rate(Project.objects.all(), 2026, 5)
    assert (r["total"], r["started"]) == (67, 30)
    assert r["rate"] == Decimal("44.8") and r["elapsed"] == Decimal("41.7") and r["lead"] == Decimal("3.1")


def _started(world, n, total, on):
    for i in range(total):
        p = make_project(world, code=f"T{on:%m%d}{i:03d}", planned_start=dt.date(2026, 4, 1))
        if i < n:
            Project.objects.filter(pk=p.pk).update(stage=Stage.STARTED, started_on=on)


def test_start_rate_counts_starts_over_the_same_period_as_time_elapsed(world, login):
    """On 30 June the board's report month is May (41.7 % elapsed). 30 of 67 projects started
    by 31 May and 5 more in June: the board used to count the June starts too, 35/67 = 52.2 %
    → +10.5 points against May's 41.7; over the same period it is 30/67 = 44.8 % → +3.1."""
    _started(world, 30, 30, dt.date(2026, 5, 20))
    _started(world, 5, 37, dt.date(2026, 6, 15))
    with time_machine.travel(dt.datetime(2026, 6, 30, 2, tzinfo=dt.UTC), tick=False):
        page = login(world.alice).get(reverse("projects:board"))
    r = page.context["start_rate"]
    assert (r["rate"], r["elapsed"], r["lead"]) == (Decimal("44.8"), Decimal("41.7"), Decimal("3.1"))
    assert (r["month"], r["started"], r["total"]) == (5, 30, 67)
    assert "截至5月底，时序 41.7%" in page.content.decode()


def test_start_rate_in_january_does_not_credit_new_starts_to_last_year(world, login):
    """On 15 January 2027 the report is December 2026: the 2026 plan's rate counts starts up
    to 31 December 2026 against 100 % elapsed; a 2026-planned project started on 5 January 2027
    is not counted (it was not started in the plan year's period)."""
    _started(world, 3, 4, dt.date(2026, 11, 2))
    late = Project.objects.filter(started_on__isnull=True).get()
    Project.objects.filter(pk=late.pk).update(stage=Stage.STARTED, started_on=dt.date(2027, 1, 5))
    with time_machine.travel(dt.datetime(2027, 1, 15, 2, tzinfo=dt.UTC), tick=False):
        page = login(world.alice).get(reverse("projects:board"))
    r = page.context["start_rate"]
    assert (r["started"], r["total"], r["rate"]) == (3, 4, Decimal("75.0"))
    assert (r["elapsed"], r["lead"]) == (Decimal("100.0"), Decimal("-25.0"))
    assert figures.start_rate_month(2026, dt.date(2027, 1, 15)) == 12
    assert figures.start_rate_month(2027, dt.date(2027, 1, 15)) == 0

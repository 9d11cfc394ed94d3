import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db.models import F, Sum

from zhuqi.core import demo
from zhuqi.projects import figures
from zhuqi.projects.demo import load_demo
from zhuqi.projects.models import ApprovalStep, Campaign, Project

pytestmark = pytest.mark.django_db


def test_demo_loads_zigong_sized_plan_idempotently():
    with time_machine.travel(dt.datetime(2026, 6, 10, 2, tzinfo=dt.UTC), tick=False):
        context = demo.load_core()
        load_demo(context)
        load_demo(context)  # idempotent
        projects = Project.objects.filter(region__path__startswith="34/3403/340323/")
        assert projects.count() == 181
        assert projects.aggregate(s=Sum("total_investment"))["s"] == Decimal("114800000000")
        assert projects.filter(region__code__in=["340323P01", "340323P02"]).exists()
        # every demo project passes the ledger rules: 五个一 (unit and leader), completion after start
        assert not projects.filter(department=None).exists() and not projects.filter(leader=None).exists()
        assert not projects.filter(planned_completion__lt=F("planned_start")).exists()
        prog = figures.progress_by_project(projects, 2026, 5)
        lights = {p.light for p in prog.values()}
        assert {"green", "yellow", "red"} <= lights
        assert (
            ApprovalStep.objects.filter(status="in_progress", due_date__lt=dt.date(2026, 6, 10)).count() >= 3
        )
        campaign = Campaign.objects.get()
        rates = figures.campaign_rates(campaign, Project.objects.all())
        assert all(r["rate"] is not None for r in rates.values())
        # the leader's and the other county's views
        from zhuqi.core.models import User

        assert Project.objects.visible_to(User.objects.get(username="leader")).count() == 181
        assert Project.objects.visible_to(User.objects.get(username="hy_dispatch")).count() == 0

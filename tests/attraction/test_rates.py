"""签约率, 落地率, 开工率, 转化率 over a cohort: the worked example of
src/zhuqi/docs/attraction-figures.md §Rates, and the drill-down to the same rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.attraction.conftest import make_lead, stage
from tests.projects.conftest import make_project
from zhuqi.attraction import figures
from zhuqi.attraction.models import Lead, StageChange

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


def _lead(world, name, registered, path):
    lead = make_lead(world, investor=f"{name}投资有限公司", title=f"项目{name}", registered_on=registered)
    for code in path:
        StageChange.objects.create(lead=lead, from_stage=lead.stage, to_stage=stage(code), actor=world.alice)
    if path:
        Lead.objects.filter(pk=lead.pk).update(stage=stage(path[-1]))
    return lead


def test_rates_worked_example(world, login):
    a = _lead(
        world,
        "A",
        dt.date(2026, 1, 8),
        ["negotiating", "prereview", "signed", "registered", "land", "started"],
    )
    _lead(world, "B", dt.date(2026, 1, 20), ["negotiating", "prereview", "signed", "registered"])
    _lead(world, "C", dt.date(2026, 2, 3), ["negotiating", "prereview", "signed", "lost"])
    _lead(world, "D", dt.date(2026, 2, 14), ["negotiating"])
    _lead(world, "E", dt.date(2026, 2, 20), ["contact", "shelved"])
    for name, day in (("F", 2), ("G", 9), ("H", 16), ("I", 23), ("J", 30)):
        _lead(world, name, dt.date(2026, 3, day), [])
    _lead(world, "K", dt.date(2026, 4, 2), ["negotiating", "prereview", "signed"])  # outside the cohort
    project = make_project(world, code="ZS-A", total_investment=Decimal(5) * 10**8)
    Lead.objects.filter(pk=a.pk).update(project=project)

    f = figures.rates(world.alice, START, END)
    got = {r["metric"].key: (r["n"], r["d"], r["rate"]) for r in f["rows"]}
    assert f["cohort"] == 10
    assert got == {
        "sign": (3, 10, Decimal("30.0")),
        "land": (2, 3, Decimal("66.7")),
        "start": (1, 3, Decimal("33.3")),
        "convert": (1, 10, Decimal("10.0")),
    }
    assert figures.rates(world.charlie, START, END)["cohort"] == 0
    client = login(world.alice)
    r = client.get(reverse("attraction:rates"), {"from": "2026-01-01", "to": "2026-03-31"})
    assert r.status_code == 200
    r = client.get(
        reverse("attraction:lead_list"),
        {"metric": "land", "part": "n", "from": "2026-01-01", "to": "2026-03-31"},
    )
    assert sorted(x.title for x in r.context["page"]) == ["项目A", "项目B"]
    r = client.get(
        reverse("attraction:lead_list"),
        {"metric": "sign", "part": "d", "from": "2026-01-01", "to": "2026-03-31"},
    )
    assert len(r.context["page"]) == 10

"""The worked examples of src/zhuqi/docs/attraction-figures.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tests.attraction.conftest import make_lead, stage
from zhuqi.attraction import selectors
from zhuqi.attraction.models import Contract, Lead, Obligation
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = pytest.mark.django_db


def _at(day: dt.date):
    return dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)


def test_funnel_worked_example(world, login):
    negotiating = stage("negotiating")
    for name, entered in (
        ("甲", dt.date(2026, 9, 21)),
        ("乙", dt.date(2026, 9, 30)),
        ("丙", dt.date(2026, 10, 9)),
    ):
        lead = make_lead(world, investor=f"投资方{name}有限公司", title=f"项目{name}")
        Lead.objects.filter(pk=lead.pk).update(stage=negotiating, stage_entered_at=_at(entered))
    with time_machine.travel(_at(dt.date(2026, 10, 12)), tick=False):
        rows = selectors.funnel(world.alice)
        new = next(p for p in rows if p["pipeline"].code == "new")
        row = next(s for s in new["stages"] if s["stage"].code == "negotiating")
        assert (row["n"], row["stale"], row["longest"]) == (3, 1, 10)
        assert [selectors.aging(lead) for lead in Lead.objects.order_by("registered_on", "pk")] == [10, 4, 2]
        # the drill-down lists the same rows
        r = login(world.alice).get(reverse("attraction:lead_list"), {"stage": negotiating.pk, "stale": 10})
        assert [lead.title for lead in r.context["page"]] == ["项目甲"]
        assert selectors.funnel(world.charlie)[0]["total"] == 0


def test_fulfilment_worked_example(world):
    lead = make_lead(world)
    contract = Contract.objects.create(
        lead=lead, kind="formal", signed_on=dt.date(2026, 3, 20), amount=lead.amount, created_by=world.alice
    )
    for kind, due, status in (
        ("start", dt.date(2026, 6, 30), "met"),
        ("investment", dt.date(2026, 12, 31), "met"),
        ("intensity", dt.date(2026, 12, 31), "missed"),
        ("completion", dt.date(2026, 11, 30), "due"),
        ("tax_per_mu", dt.date(2027, 12, 31), "due"),
    ):
        Obligation.objects.create(contract=contract, kind=kind, due_on=due, status=status)
    f = selectors.fulfilment(world.alice, as_of=dt.date(2026, 12, 31))
    assert (f["met"], f["denominator"], f["unchecked"], f["rate"]) == (2, 3, 1, Decimal("66.7"))
    assert selectors.fulfilment(world.charlie, as_of=dt.date(2026, 12, 31))["rate"] is None

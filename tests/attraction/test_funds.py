"""到位资金: recognition rules, refusal for an unregistered lead, and the 台账's worked example
(src/zhuqi/docs/attraction-figures.md §到位资金)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.attraction.conftest import make_lead, walk
from tests.attraction.test_prereview_contracts import _reviewed
from zhuqi.attraction import selectors, services
from zhuqi.attraction.models import FundMonth
from zhuqi.core.models import AuditEntry
from zhuqi.core.units import WAN

pytestmark = pytest.mark.django_db

MARCH = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)


def _signed(world, investor, *, amount_wan="50000", to="started"):
    lead = make_lead(world, investor=investor, title=f"{investor}项目", amount_wan=amount_wan)
    walk(lead, ["negotiating", "prereview"], world.alice)
    _reviewed(world, lead)
    walk(lead, ["signed", "registered"] + (["land", "started"] if to == "started" else []), world.alice)
    services.record_contract(
        lead,
        kind="formal",
        signed_on=dt.date(2024, 12, 1),
        amount=Decimal(amount_wan) * WAN,
        actor=world.alice,
    )
    return lead


def _funds(lead, world, year, month, wan, source="out_province"):
    return services.record_funds(
        lead, year=year, month=month, source=source, amount=Decimal(wan) * WAN, actor=world.alice
    )


def test_an_unregistered_lead_is_refused(world, rules):
    lead = make_lead(world)
    with pytest.raises(ValidationError) as exc:
        _funds(lead, world, 2026, 1, "1000")
    assert "尚未在本地注册" in exc.value.messages[0]
    assert not FundMonth.objects.exists()


@time_machine.travel(MARCH, tick=False)
def test_ledger_worked_example(world, rules, login):
    a = _signed(world, "甲投资")
    b = _signed(world, "乙投资", to="registered")
    small = _signed(world, "丙投资", amount_wan="8000")
    _funds(a, world, 2025, 1, "2000")
    _funds(a, world, 2025, 2, "2500")
    _funds(a, world, 2026, 1, "3000")
    _funds(a, world, 2026, 2, "2000")
    loan = _funds(a, world, 2026, 2, "500", source="loan")
    not_started = _funds(b, world, 2026, 2, "1000")
    too_small = _funds(small, world, 2026, 2, "800")
    assert not loan.recognised and "资金来源" in loan.reason
    assert not not_started.recognised and "未开工" in not_started.reason
    assert not too_small.recognised and "1 亿元" in too_small.reason
    assert AuditEntry.objects.filter(event="funds_recorded").count() == 7
    jan, feb = selectors.ledger(world.alice, 2026)[:2]
    assert (jan["amount"], jan["cumulative"], jan["last_year"], jan["growth"]) == (
        3000 * WAN,
        3000 * WAN,
        2000 * WAN,
        Decimal("50.0"),
    )
    assert (feb["amount"], feb["cumulative"], feb["last_year"], feb["growth"]) == (
        2000 * WAN,
        5000 * WAN,
        4500 * WAN,
        Decimal("11.1"),
    )
    assert selectors.ledger(world.charlie, 2026)[1]["cumulative"] == 0
    with pytest.raises(ValidationError):  # the same month and source twice
        _funds(a, world, 2026, 2, "1")
    with pytest.raises(ValidationError):  # a future month
        _funds(a, world, 2026, 4, "1")
    # the drill-down: February's recognised rows are exactly the 2,000 万元
    r = login(world.alice).get(
        reverse("attraction:funds_ledger"), {"year": 2026, "month": 2, "recognised": 1}
    )
    assert [f.amount for f in r.context["page"]] == [2000 * WAN]


@time_machine.travel(MARCH, tick=False)
def test_ledger_rows_by_month_then_lead_newest_first(world, rules, login):
    """The rows under the 台账: the latest month first, a lead's rows together (the lead entered
    last first), then by source (attraction-figures.md §到位资金)."""
    a = _signed(world, "甲投资")
    b = _signed(world, "乙投资")
    _funds(a, world, 2026, 1, "100")
    _funds(a, world, 2026, 2, "200", source="loan")
    _funds(a, world, 2026, 2, "300")
    _funds(b, world, 2026, 1, "400")
    r = login(world.alice).get(reverse("attraction:funds_ledger"), {"year": 2026})
    rows = [(f.month, f.lead_id, f.source) for f in r.context["page"]]
    assert rows == [
        (2, a.pk, "loan"),
        (2, a.pk, "out_province"),
        (1, b.pk, "out_province"),
        (1, a.pk, "out_province"),
    ]

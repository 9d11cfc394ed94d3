"""关账 of the funds-in-place 台账 (attraction-figures.md §关账): a closed month refuses fund months
of its leads (also those of a region below), the 台账 counts only what was recorded before the
close, reopening needs a reason; permission, scope, the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.attraction.test_funds import _funds, _signed
from zhuqi.attraction import figures, selectors, services
from zhuqi.attraction.models import FundMonth, LedgerClose
from zhuqi.core.models import AuditEntry
from zhuqi.core.units import WAN

pytestmark = pytest.mark.django_db


def _at(day: int, hour: int = 9):
    """A moment of March 2026, Beijing time."""
    return dt.datetime(2026, 3, day, hour - 8, tzinfo=dt.UTC)


@pytest.fixture
def example(world, rules):
    """The 台账's worked example (甲) and 丁 (5 亿元, started), before any close."""
    with time_machine.travel(_at(2), tick=False):
        a = _signed(world, "甲投资")
        d = _signed(world, "丁投资")
        _funds(a, world, 2025, 1, "2000")
        _funds(a, world, 2025, 2, "2500")
        _funds(a, world, 2026, 1, "3000")
        _funds(a, world, 2026, 2, "2000")
    return a, d


def test_worked_example(world, example):
    a, d = example
    with time_machine.travel(_at(5), tick=False):
        close = services.close_ledger(actor=world.alice, region=world.county, year=2026, month=2)
    assert close.is_closed and AuditEntry.objects.filter(event="ledger_closed").count() == 1
    with time_machine.travel(_at(10), tick=False):
        with pytest.raises(ValidationError) as e:
            _funds(d, world, 2026, 2, "300")
        message = e.value.message_dict["month"][0]
        assert "2026年2月" in message and "尉氏县" in message and "2026-03-05 09:00" in message
        # 丁 lands in 经开区 below 尉氏县: the county's close locks it; March stays open
        assert d.region_path.startswith(world.county.path) and d.region_id != world.county.pk
        _funds(d, world, 2026, 3, "100")
    assert not FundMonth.objects.filter(lead=d, month=2).exists()
    with time_machine.travel(_at(12), tick=False):
        with pytest.raises(ValidationError) as e:  # a reason is required
            services.reopen_ledger(actor=world.alice, region=world.county, year=2026, month=2, reason=" ")
        assert "reason" in e.value.message_dict
        services.reopen_ledger(
            actor=world.alice, region=world.county, year=2026, month=2, reason="补录丁项目2月到位资金分割证明"
        )
        _funds(d, world, 2026, 2, "300")
    with time_machine.travel(_at(13), tick=False):
        services.close_ledger(actor=world.alice, region=world.county, year=2026, month=2)
    feb = selectors.ledger(world.alice, 2026)[1]
    assert (feb["amount"], feb["cumulative"], feb["last_year"], feb["growth"]) == (
        2300 * WAN,
        5300 * WAN,
        4500 * WAN,
        Decimal("17.8"),
    )
    assert AuditEntry.objects.filter(event="ledger_reopened", message__contains="补录").count() == 1
    assert AuditEntry.objects.filter(event="ledger_closed").count() == 2


def test_a_row_recorded_after_the_close_is_not_counted(world, example, login):
    """A February row written around the service after the close (straight into the table) is
    listed as 关账后登记 and counted nowhere: the 台账, the annual target's actual, funds_q."""
    a, d = example
    with time_machine.travel(_at(5), tick=False):
        services.close_ledger(actor=world.alice, region=world.county, year=2026, month=2)
    late = FundMonth.objects.create(
        lead=d,
        year=2026,
        month=2,
        source="out_province",
        amount=Decimal(700) * WAN,
        recognised=True,
        recorded_by=world.alice,
        recorded_at=_at(6),
    )
    assert selectors.ledger(world.alice, 2026)[1]["amount"] == 2000 * WAN
    counted = FundMonth.objects.filter(figures.funds_q(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    assert late not in counted and counted.count() == 2
    client = login(world.alice)
    r = client.get(reverse("attraction:funds_ledger"), {"year": 2026, "month": 2, "recognised": 1})
    assert [f.amount for f in r.context["page"]] == [2000 * WAN]  # the drill-down equals the figure
    r = client.get(reverse("attraction:funds_ledger"), {"year": 2026, "month": 2})
    assert "关账后登记，不计入台账" in r.content.decode()
    # a close of 通许县 does not touch 尉氏县's leads
    LedgerClose.objects.all().delete()
    with time_machine.travel(_at(7), tick=False):
        services.close_ledger(actor=world.charlie, region=world.other_county, year=2026, month=2)
    assert selectors.ledger(world.alice, 2026)[1]["amount"] == 2700 * WAN


def test_refusals_permission_and_scope(world, example):
    with time_machine.travel(_at(10), tick=False):
        with pytest.raises(ValidationError) as e:  # a month not yet ended
            services.close_ledger(actor=world.alice, region=world.county, year=2026, month=3)
        assert "2026年3月尚未结束" in e.value.message_dict["month"][0]
        with pytest.raises(PermissionDenied):  # a team's handler may not close
            services.close_ledger(actor=world.bob, region=world.county, year=2026, month=2)
        with pytest.raises(ValidationError) as e:  # another county's office: not its area
            services.close_ledger(actor=world.charlie, region=world.county, year=2026, month=2)
        assert "region" in e.value.message_dict
        with pytest.raises(ValidationError):
            services.close_ledger(actor=world.alice, region=world.county, year=2026, month=13)
        with pytest.raises(ValidationError):  # nothing to reopen
            services.reopen_ledger(actor=world.alice, region=world.county, year=2026, month=2, reason="x")
        services.close_ledger(actor=world.alice, region=world.county, year=2026, month=2)
        with pytest.raises(ValidationError) as e:  # twice
            services.close_ledger(actor=world.alice, region=world.county, year=2026, month=2)
        assert "已经关账" in e.value.message_dict["month"][0]
        with pytest.raises(PermissionDenied):
            services.reopen_ledger(actor=world.bob, region=world.county, year=2026, month=2, reason="x")
    assert LedgerClose.objects.count() == 1


def test_page_shows_who_closed_and_closes(world, example, login):
    with time_machine.travel(_at(10), tick=False):
        client = login(world.alice)
        r = client.get(reverse("attraction:funds_ledger"), {"year": 2026})
        assert r.context["can_close"] and r.context["closable"] == [1, 2]
        r = client.post(
            reverse("attraction:ledger_close"),
            {"op": "close", "region": world.county.pk, "year": 2026, "month": 2},
        )
        assert r.status_code == 302
        html = client.get(reverse("attraction:funds_ledger"), {"year": 2026}).content.decode()
        assert "已关账" in html and str(world.alice) in html and "2026-03-10 09:00" in html
        r = client.post(
            reverse("attraction:ledger_close"),
            {"op": "reopen", "region": world.county.pk, "year": 2026, "month": 2, "reason": ""},
        )
        assert LedgerClose.objects.get().is_closed  # refused without a reason, nothing changed
        # a handler sees the state but no form, and the close URL answers 404
        bob = login(world.bob)
        r = bob.get(reverse("attraction:funds_ledger"), {"year": 2026})
        assert not r.context["can_close"] and "已关账" in r.content.decode()
        r = bob.post(
            reverse("attraction:ledger_close"),
            {"op": "reopen", "region": world.county.pk, "year": 2026, "month": 2, "reason": "x"},
        )
        assert r.status_code == 404 and LedgerClose.objects.get().is_closed
        # Charlie's page lists his county's months, none closed, and cannot close ours
        charlie = login(world.charlie)
        r = charlie.get(reverse("attraction:funds_ledger"), {"year": 2026})
        assert all(m["close"] is None for m in r.context["months"])
        charlie.post(
            reverse("attraction:ledger_close"),
            {"op": "reopen", "region": world.county.pk, "year": 2026, "month": 2, "reason": "x"},
        )
        assert LedgerClose.objects.get().is_closed

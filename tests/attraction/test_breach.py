"""履约 checked by the sweep (attraction-figures.md §违约预警): a 开工 obligation is met from the
lead's stage history, one past its date and not met raises a warning once, shown on the lead and
offered to oversight by `selectors.breached_obligations`."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.attraction.conftest import make_lead, stage
from zhuqi.attraction import selectors, services
from zhuqi.attraction.models import Contract, Lead, Obligation, StageChange
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = pytest.mark.django_db


def _contract(lead, world):
    contract = Contract.objects.create(
        lead=lead, kind="formal", signed_on=dt.date(2026, 1, 5), amount=lead.amount, created_by=world.alice
    )
    for kind, due in (
        ("start", dt.date(2026, 6, 30)),
        ("investment", dt.date(2026, 6, 30)),
        ("tax_per_mu", dt.date(2027, 12, 31)),
    ):
        Obligation.objects.create(contract=contract, kind=kind, target=100, due_on=due)
    return contract


def _started(lead, day, world):
    Lead.objects.filter(pk=lead.pk).update(stage=stage("started"))
    StageChange.objects.create(
        lead=lead,
        from_stage=stage("land"),
        to_stage=stage("started"),
        actor=world.alice,
        at=dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI),
    )


def test_worked_example(world, login):
    """甲 started on 2026-06-20, 乙 on 2026-07-15; both promised 开工 and 投资 by 2026-06-30."""
    a = make_lead(world, investor="投资方甲", title="项目甲")
    b = make_lead(world, investor="投资方乙", title="项目乙")
    _contract(a, world), _contract(b, world)
    _started(a, dt.date(2026, 6, 20), world)
    assert services.sweep_obligations(dt.date(2026, 6, 30)) == (1, 0)  # 甲's 开工: met; nothing late yet
    assert Obligation.objects.get(contract__lead=a, kind="start").checked_on == dt.date(2026, 6, 20)
    _started(b, dt.date(2026, 7, 15), world)
    met, breached = services.sweep_obligations(dt.date(2026, 7, 1))
    assert (met, breached) == (0, 3)  # 甲's 投资, 乙's 开工 and 投资
    assert services.sweep_obligations(dt.date(2026, 7, 2)) == (0, 0)  # once
    assert Obligation.objects.get(contract__lead=b, kind="start").status == "due"  # started late: not met
    rows = selectors.breached_obligations(world.county)
    assert sorted((o.contract.lead.title, o.kind) for o in rows) == [
        ("项目乙", "investment"),
        ("项目乙", "start"),
        ("项目甲", "investment"),
    ]
    assert not selectors.breached_obligations(world.other_county).exists()
    assert not selectors.breached_obligations(world.county, world.charlie).exists()
    assert Notification.objects.filter(title__startswith="违约预警", recipient=world.bob).count() == 3
    assert AuditEntry.objects.filter(event="obligation_breached").count() == 3
    # a later check that the investment was met lifts the warning
    services.check_obligation(
        Obligation.objects.get(contract__lead=a, kind="investment"),
        status="met",
        actual=120,
        actor=world.alice,
    )
    assert selectors.breached_obligations(world.county).count() == 2
    page = login(world.alice).get(reverse("attraction:lead_detail", args=[b.pk])).content.decode()
    assert "违约预警" in page and "有 2 项履约事项已过约定期限未履约" in page


def test_command_runs_both_sweeps(world):
    from django.core.management import call_command

    with time_machine.travel(dt.datetime(2026, 1, 5, 10, tzinfo=SHANGHAI), tick=False):
        _contract(make_lead(world), world)
    call_command("attraction_sweep", "--today", "2026-07-01")
    labels = set(AuditEntry.objects.filter(event="obligation_breached").values_list("actor_label", flat=True))
    assert labels == {"命令: zhuqi attraction_sweep"}

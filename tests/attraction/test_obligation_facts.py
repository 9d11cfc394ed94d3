"""年亩均税收 obligations checked by the sweep against the published 亩均 evaluation of the
project's enterprise (attraction-figures.md §违约预警, 亩均 facts): met at or above the target,
未履约 and warned of below it, left 待核定 (and warned of) without a published evaluation; the fact,
its period and source kept on the obligation and shown on the lead page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.attraction.conftest import make_lead
from zhuqi.attraction import selectors, services
from zhuqi.attraction.models import Contract, Lead, Obligation
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.enterprises.models import Enterprise
from zhuqi.mu.models import Result, Run, Scheme
from zhuqi.projects.models import Project

pytestmark = pytest.mark.django_db


def _lead_with_enterprise(world, name, code, tax_per_mu=None, status=Run.Status.PUBLISHED):
    ent = Enterprise.objects.create(name=f"{name}科技有限公司", credit_code=code, region=world.park)
    lead = make_lead(world, investor=f"投资方{name}", title=f"项目{name}")
    project = Project.objects.create(
        code=f"ZS-{code}", name=f"项目{name}", region=world.park, department=world.jxj, owner=ent
    )
    Lead.objects.filter(pk=lead.pk).update(project=project)
    contract = Contract.objects.create(
        lead=lead, kind="formal", signed_on=dt.date(2025, 1, 5), amount=lead.amount, created_by=world.alice
    )
    Obligation.objects.create(contract=contract, kind="tax_per_mu", target=20, due_on=dt.date(2026, 12, 31))
    if tax_per_mu is not None:
        run, _new = Run.objects.get_or_create(  # one run of a scheme, region and year
            scheme=Scheme.objects.get(code="huangyan-2022-above"),
            region=world.county if status == Run.Status.PUBLISHED else world.park,
            year=2026,
            defaults={"status": status, "created_by": world.alice},
        )
        Result.objects.create(run=run, enterprise=ent, tax_per_mu=Decimal(tax_per_mu), klass="A")
    return lead


def test_worked_example(world, login):
    """甲's enterprise: 2026 evaluation published, 亩均税收 25.00 ≥ 20 → met; 乙's: 15.00 < 20 →
    未履约 and warned; 丙's: only a trial run (试算) → still 待核定 and warned (past its date)."""
    a = _lead_with_enterprise(world, "甲", "91410223MA0000001A", "25.00")
    b = _lead_with_enterprise(world, "乙", "91410223MA0000002B", "15.00")
    c = _lead_with_enterprise(world, "丙", "91410223MA0000003C", "30.00", status=Run.Status.TRIAL)
    assert services.sweep_obligations(dt.date(2026, 12, 31)) == (0, 0)  # not yet past its date
    met, breached = services.sweep_obligations(dt.date(2027, 4, 1))
    assert (met, breached) == (1, 2)
    oa, ob, oc = (Obligation.objects.get(contract__lead=x) for x in (a, b, c))
    assert (oa.status, oa.actual, oa.fact_period) == ("met", Decimal("25.00"), "2026年度")
    assert oa.fact_source == "亩均评价（尉氏县，已发布）" and oa.checked_on == dt.date(2027, 4, 1)
    assert oa.breached_at is None
    assert (ob.status, ob.actual) == ("missed", Decimal("15.00")) and ob.breached_at
    assert (oc.status, oc.actual, oc.fact_source) == ("due", None, "") and oc.breached_at
    assert AuditEntry.objects.filter(event="obligation_checked").count() == 2
    assert Notification.objects.filter(title__startswith="违约预警", recipient=world.bob).count() == 2
    assert sorted(o.contract.lead.title for o in selectors.breached_obligations(world.county)) == [
        "项目丙",
        "项目乙",
    ]
    assert services.sweep_obligations(dt.date(2027, 4, 2)) == (0, 0)  # once
    html = login(world.alice).get(reverse("attraction:lead_detail", args=[a.pk])).content.decode()
    assert "依据：亩均评价（尉氏县，已发布） 2026年度" in html
    # Charlie's county sees none of it
    assert not selectors.breached_obligations(world.county, world.charlie).exists()

"""The demo loader: runs on the core demo county, idempotent, figures like the seeds'."""

from __future__ import annotations

from zhuqi.cases import demo as cases_demo
from zhuqi.cases import figures as F
from zhuqi.cases.models import Case, Category, PartnerSystem, RoutingRule
from zhuqi.core import demo as core_demo
from zhuqi.core.models import User


def test_demo_loader(db, monkeypatch):
    monkeypatch.setattr(cases_demo, "N_CASES", 90)
    ctx = core_demo.load_core(None)
    cases_demo.load(ctx, None)
    assert Category.objects.filter(parent__isnull=True).count() == 13
    assert RoutingRule.objects.count() == 15 and PartnerSystem.objects.count() == 2
    # sub-categories with a department of their own have their own rule (licences, water, roads)
    licence = RoutingRule.objects.get(category__code="approval_license")
    assert licence.lead_department.short_name == "市场监管局"
    assert Category.objects.get(code="utility_power").keywords  # sub-categories carry keyword rules
    n = Case.objects.count()
    assert n >= 90  # plus hotline duplicates merged into them
    cases_demo.load(ctx, None)  # idempotent
    assert Case.objects.count() == n
    t = F.totals(F.base(User.objects.get(username="dispatch")))
    assert t["close_rate"]["rate"] >= 90
    assert t["satisfaction"]["rate"] >= 90
    assert Case.objects.filter(channel="h12345").exclude(external_no="").exists()

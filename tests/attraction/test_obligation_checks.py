"""履约 the sweep checks from the indicators and the projects (attraction-figures.md §违约预警,
自动核定): 达产产值 and 单位产出能耗 against the project owner's approved full-year indicator values,
固定资产投资 and 投资强度 against the project's monthly completed investment, 竣工 and 投产 against
the project's stage dates. Each kind: met, missed, and no fact (stays 待核定, then warned)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.attraction.conftest import make_lead
from zhuqi.attraction import services
from zhuqi.attraction.models import Contract, Lead, Obligation
from zhuqi.core.models import AuditEntry
from zhuqi.core.units import WAN
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.enterprises.models import Enterprise
from zhuqi.indicators.models import Approval, DataSet, DataSetIndicator, Indicator, Value
from zhuqi.projects.models import InvestmentMonth, Project

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 12, 31)
SWEEP = dt.date(2027, 3, 1)


def _lead(world, name, code, obligations, *, land_mu=None):
    """A lead that became project ZS-<code> of 「<name>科技有限公司」, with one contract holding
    `obligations` ((kind, target, due_on), …)."""
    ent = Enterprise.objects.create(
        name=f"{name}科技有限公司", credit_code=f"91410223MA000000{code}", region=world.park
    )
    lead = make_lead(world, investor=f"投资方{name}", title=f"项目{name}", land_mu=land_mu)
    project = Project.objects.create(
        code=f"ZS-{code}", name=f"项目{name}", region=world.park, department=world.jxj, owner=ent
    )
    Lead.objects.filter(pk=lead.pk).update(project=project)
    contract = Contract.objects.create(
        lead=lead, kind="formal", signed_on=dt.date(2025, 1, 5), amount=lead.amount, created_by=world.alice
    )
    for kind, target, due in obligations:
        Obligation.objects.create(contract=contract, kind=kind, target=target, due_on=due)
    return lead, project, ent


def _ob(lead, kind) -> Obligation:
    return Obligation.objects.get(contract__lead=lead, kind=kind)


def _values(world, ent, period, approved=True, **by_code):
    """The enterprise's full-year values of a period (1—12月累计), approved by 尉氏县 or not."""
    dataset, _new = DataSet.objects.get_or_create(
        code="wsx_monthly", defaults={"name": "规上工业企业月报", "region": world.county}
    )
    for code, value in by_code.items():
        ind = Indicator.objects.get(code=code)
        DataSetIndicator.objects.get_or_create(dataset=dataset, indicator=ind)
        Value.objects.create(
            indicator=ind,
            period=period,
            year=int(period[:4]),
            period_type="M",
            enterprise=ent,
            region=ent.region,
            cumulative=Decimal(value),
            source="portal",
        )
    if approved:
        Approval.objects.get_or_create(
            dataset=dataset, period=period, region=world.county, defaults={"approved_by": world.alice}
        )


def test_output_and_energy_from_approved_indicators(world):
    """甲: 工业总产值 52,345.67 万元 (2026年12月累计, approved) ≥ 50,000 → met; 综合能耗 15,000 吨标煤 ÷
    52,345.67 = 0.2866 → 0.29 ≤ 0.30 → met. 乙: no 工业总产值, 营业收入 48,000 < 50,000 → 未履约;
    its 能耗 has no 工业总产值 → 待核定. 丙: 工业总产值 60,000 not approved → 待核定; 能耗 0.50 > 0.30
    of 丁 → 未履约."""
    obligations = [("output", 50000, DUE), ("energy", Decimal("0.30"), DUE)]
    a, _p, ent_a = _lead(world, "甲", "01", obligations)
    b, _p, ent_b = _lead(world, "乙", "02", obligations)
    c, _p, ent_c = _lead(world, "丙", "03", obligations)
    d, _p, ent_d = _lead(world, "丁", "04", [("energy", Decimal("0.30"), DUE)])
    _values(world, ent_a, "202612", gross_output="52345.67", energy="15000")
    _values(world, ent_b, "202612", revenue="48000", energy="9000")
    _values(world, ent_d, "202612", gross_output="20000", energy="10000")
    _values(world, ent_c, "2026", approved=False, gross_output="60000")

    assert services.sweep_obligations(DUE) == (0, 0)  # not yet past the date
    met, breached = services.sweep_obligations(SWEEP)
    assert (met, breached) == (2, 5)  # 乙's 产值 and 能耗, 丙's two, 丁's 能耗
    oa, ea = _ob(a, "output"), _ob(a, "energy")
    assert (oa.status, oa.actual, oa.checked_on) == ("met", Decimal("52345.67"), SWEEP)
    assert (oa.fact_source, oa.fact_period) == ("企业指标（工业总产值，已审核）", "2026年12月")
    assert (ea.status, ea.actual) == ("met", Decimal("0.29"))
    assert ea.fact_source == "企业指标（综合能耗÷工业总产值，已审核）"
    assert "15000" in ea.note and "0.29 吨标煤/万元" in ea.note
    ob = _ob(b, "output")
    assert (ob.status, ob.actual, ob.fact_source) == (
        "missed",
        Decimal("48000.00"),
        "企业指标（营业收入，已审核）",
    )
    assert ob.breached_at is not None
    assert (_ob(b, "energy").status, _ob(b, "energy").actual) == ("due", None)
    assert [(_ob(c, k).status, _ob(c, k).actual) for k in ("output", "energy")] == [("due", None)] * 2
    assert (_ob(d, "energy").status, _ob(d, "energy").actual) == ("missed", Decimal("0.50"))
    assert AuditEntry.objects.filter(event="obligation_checked").count() == 4
    assert services.sweep_obligations(SWEEP + dt.timedelta(days=1)) == (0, 0)  # checked and warned once


def _months(project, *rows):
    InvestmentMonth.objects.bulk_create(
        InvestmentMonth(project=project, year=y, month=m, actual=Decimal(wan) * WAN) for y, m, wan in rows
    )


def test_investment_and_intensity_from_completed_investment(world):
    """甲 (80 亩): 10,000 + 14,000 + 8,000 万元 to December = 32,000 ≥ 30,000 → met; 32,000 ÷ 80 =
    400 ≥ 300 万元/亩 → met. 乙 (no land): 20,000 to December, January 2027 reported (December
    closed) → 未履约; its 投资强度 stays 待核定 saying why. 丙: 25,000 to November, December not
    reported and nothing later → 待核定, met once December's 6,000 comes in (31,000)."""
    obligations = [("investment", 30000, DUE), ("intensity", 300, DUE)]
    a, pa, _e = _lead(world, "甲", "11", obligations, land_mu=Decimal(80))
    b, pb, _e = _lead(world, "乙", "12", obligations)
    c, pc, _e = _lead(world, "丙", "13", [("investment", 30000, DUE)])
    _months(pa, (2026, 3, "10000"), (2026, 9, "14000"), (2026, 12, "8000"), (2027, 2, "5000"))
    _months(pb, (2026, 6, "20000"), (2027, 1, "5000"))
    _months(pc, (2026, 11, "25000"))

    met, breached = services.sweep_obligations(SWEEP)
    assert (met, breached) == (2, 3)  # 乙's two, 丙's
    ia, sa = _ob(a, "investment"), _ob(a, "intensity")
    assert (ia.status, ia.actual, ia.fact_source, ia.fact_period) == (
        "met",
        Decimal("32000.00"),
        "项目月度完成投资（ZS-11）",
        "截至2026年12月",
    )
    assert (sa.status, sa.actual) == ("met", Decimal("400.00"))
    assert "32000.00 万元 ÷ 用地 80.00 亩" in sa.note or "32000.00 万元 ÷ 用地 80 亩" in sa.note
    assert (_ob(b, "investment").status, _ob(b, "investment").actual) == ("missed", Decimal("20000.00"))
    sb = _ob(b, "intensity")
    assert (sb.status, sb.actual) == ("due", None) and "未登记用地需求" in sb.note
    assert _ob(c, "investment").status == "due"
    _months(pc, (2026, 12, "6000"))
    assert services.sweep_obligations(SWEEP + dt.timedelta(days=1)) == (1, 0)
    assert (_ob(c, "investment").status, _ob(c, "investment").actual) == ("met", Decimal("31000.00"))


def test_completion_and_production_from_project_dates(world):
    """甲 竣工 2026-09-20 (promised by 09-30) → met on that day; 乙 竣工 2026-10-15 → 未履约; 丙 has
    no 投产 date → 待核定, warned once past 2026-12-31."""
    a, pa, _e = _lead(world, "甲", "21", [("completion", None, dt.date(2026, 9, 30))])
    b, pb, _e = _lead(world, "乙", "22", [("completion", None, dt.date(2026, 9, 30))])
    c, _pc, _e = _lead(world, "丙", "23", [("production", None, DUE)])
    Project.objects.filter(pk=pa.pk).update(completed_on=dt.date(2026, 9, 20), stage="completed")
    with time_machine.travel(dt.datetime(2026, 9, 25, 9, tzinfo=SHANGHAI), tick=False):
        assert services.sweep_obligations() == (1, 0)  # met before its date
    oa = _ob(a, "completion")
    assert (oa.status, oa.checked_on, oa.fact_source) == ("met", dt.date(2026, 9, 20), "项目阶段（ZS-21）")
    assert oa.note == "自动核定：项目竣工日期为 2026-09-20"
    Project.objects.filter(pk=pb.pk).update(completed_on=dt.date(2026, 10, 15), stage="completed")
    with time_machine.travel(dt.datetime(2026, 10, 16, 9, tzinfo=SHANGHAI), tick=False):
        assert services.sweep_obligations() == (0, 1)  # 乙's: 未履约, and warned
    assert (_ob(b, "completion").status, _ob(b, "completion").checked_on) == ("missed", dt.date(2026, 10, 15))
    with time_machine.travel(dt.datetime(2027, 1, 1, 9, tzinfo=SHANGHAI), tick=False):
        assert services.sweep_obligations() == (0, 1)  # 丙's 投产: no date yet
    oc = _ob(c, "production")
    assert oc.status == "due" and oc.breached_at is not None


def test_plot_ratio_and_unconverted_leads_stay_manual(world):
    """容积率 has no fact anywhere: it stays 待核定 (warned) until an official checks it; a lead
    that became no project is never checked automatically."""
    a, _p, _e = _lead(world, "甲", "31", [("plot_ratio", Decimal("1.2"), DUE)])
    lead = make_lead(world, investor="投资方乙", title="项目乙")
    contract = Contract.objects.create(
        lead=lead, kind="formal", signed_on=dt.date(2025, 1, 5), amount=lead.amount, created_by=world.alice
    )
    Obligation.objects.create(contract=contract, kind="investment", target=1, due_on=DUE)
    assert services.sweep_obligations(SWEEP) == (0, 2)
    assert set(Obligation.objects.values_list("status", flat=True)) == {"due"}


def test_the_sweep_reads_facts_set_based(world):
    """The checks' queries do not grow with the obligations: one 2-lead sweep and one 6-lead
    sweep (every kind, facts for each) run the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    kinds = [
        ("output", 1, DUE),
        ("energy", 1, DUE),
        ("investment", 1, DUE),
        ("intensity", 1, DUE),
        ("completion", None, DUE),
    ]

    def sweep(n, first):
        for i in range(first, first + n):
            lead, project, ent = _lead(world, f"批{i}", f"{40 + i}", kinds, land_mu=Decimal(10))
            _values(world, ent, "202612", gross_output="100", energy="10")
            _months(project, (2026, 12, "50"))
            Project.objects.filter(pk=project.pk).update(completed_on=dt.date(2026, 6, 1))
        with CaptureQueriesContext(connection) as ctx:
            services.sweep_obligations(SWEEP)
        Obligation.objects.update(status="met")  # out of the next sweep's way
        return len(ctx.captured_queries)

    assert sweep(2, 0) == sweep(6, 2)


def test_start_from_the_projects_date_else_the_leads_stage(world):
    """开工 by 2026-06-30: 甲's project records 开工 on 2026-06-20 (met, from the project, though the
    lead never entered 开工); 乙's on 2026-07-15 (未履约, though its lead entered 开工 on 06-01); 丙's
    project records none, its lead entered 开工 on 06-25 (met from the stage)."""
    from tests.attraction.test_breach import _started

    due = dt.date(2026, 6, 30)
    a, pa, _e = _lead(world, "甲", "01", [("start", None, due)])
    b, pb, _e = _lead(world, "乙", "02", [("start", None, due)])
    c, _pc, _e = _lead(world, "丙", "03", [("start", None, due)])
    Project.objects.filter(pk=pa.pk).update(started_on=dt.date(2026, 6, 20))
    Project.objects.filter(pk=pb.pk).update(started_on=dt.date(2026, 7, 15))
    _started(b, dt.date(2026, 6, 1), world)
    _started(c, dt.date(2026, 6, 25), world)
    met, _warned = services.sweep_obligations(dt.date(2026, 7, 20))
    assert met == 2
    assert (_ob(a, "start").status, _ob(a, "start").checked_on) == ("met", dt.date(2026, 6, 20))
    assert "项目开工日期" in _ob(a, "start").note
    assert (_ob(b, "start").status, _ob(b, "start").checked_on) == ("missed", dt.date(2026, 7, 15))
    assert (_ob(c, "start").status, _ob(c, "start").checked_on) == ("met", dt.date(2026, 6, 25))
    assert "进入开工阶段" in _ob(c, "start").note

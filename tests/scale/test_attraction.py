"""The generator's `attraction` part at a tiny county: exact counts, every lead's stage history a
path the workflow allows ending in its stage, pre-reviews before signing, clocks and obligations
as the sweeps leave them, funds recognised by the service's rules, deterministic with the seed."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.utils import timezone

from zhuqi.attraction import services
from zhuqi.attraction.models import (
    Chain,
    Contract,
    FundMonth,
    Lead,
    LeadClock,
    Obligation,
    PreReview,
    ReviewRule,
    StageChange,
    Target,
)
from zhuqi.core.models import Region
from zhuqi.core.units import YI
from zhuqi.core.workcalendar import add_working_days
from zhuqi.scale.generate import SCALES, generate

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)  # the generator's "now" of a pinned today
TINY = SCALES["tiny"]


@pytest.fixture
def generated():
    result = generate("tiny", seed=3, today=TODAY, verbosity=0, only=["core", "enterprises", "attraction"])
    assert "attraction" not in result.skipped
    return result


def test_counts(generated):
    assert Lead.objects.count() == TINY.leads == generated.counts["attraction.lead"]
    assert Contract.objects.count() == TINY.lead_contracts
    assert FundMonth.objects.count() == TINY.fund_months
    county = Region.objects.get(kind="county")
    assert Chain.objects.filter(region=county).count() == 4
    assert ReviewRule.objects.filter(region=county, industry_prefix="").count() >= 10
    assert Target.objects.filter(region=county).count() == TINY.leads // 10
    stages = Counter(Lead.objects.values_list("stage__code", flat=True))
    # every stage of the funnel has leads, the side stages too
    assert set(stages) == {
        "lead",
        "contact",
        "visit",
        "negotiating",
        "prereview",
        "signed",
        "registered",
        "land",
        "started",
        "shelved",
        "lost",
    }
    leads = Lead.objects.all()
    assert all(lead.region_path.startswith(county.path) and lead.team_id and lead.owner_id for lead in leads)


def test_stage_history_is_a_path_the_workflow_allows(generated):
    changes: dict[int, list[StageChange]] = {}
    for c in StageChange.objects.select_related("from_stage", "to_stage").order_by("lead", "at", "pk"):
        changes.setdefault(c.lead_id, []).append(c)
    for lead in Lead.objects.select_related("stage"):
        history = changes[lead.pk]
        first = history[0]
        assert first.from_stage is None and first.to_stage.code == "lead"
        assert timezone.localtime(first.at).date() == lead.registered_on
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_stage_id == before.to_stage_id and after.at > before.at
            frm, to = after.from_stage, after.to_stage
            assert to.pipeline_id == lead.pipeline_id
            if to.is_side:
                assert after.reason and not frm.is_final and not frm.is_lost
            elif to.order < frm.order:  # back one main stage, with a reason
                assert after.reason and not frm.is_side
            else:
                assert to.order > frm.order and not frm.is_side
        last = history[-1]
        assert last.to_stage_id == lead.stage_id and last.at == lead.stage_entered_at
        assert lead.stage_entered_at <= NOW
        signed = next((c for c in history if c.to_stage.code == "signed"), None)
        reached_signed = services.reached(lead, "signed")
        assert (signed is not None) == reached_signed
        if signed:
            # 未经联审论证的项目，不得组织会签: a concluded, passed pre-review before the move
            review = services.concluded_prereview(lead)
            assert review is not None and review.passed and review.concluded_at < signed.at
            reviewers = {d.pk for d in services.reviewers_for(lead)}
            opinions = list(review.opinions.all())
            assert {o.department_id for o in opinions} == reviewers
            assert all(
                o.verdict in ("pass", "conditional") and o.answered_at <= review.concluded_at
                for o in opinions
            )
            contracts = list(lead.contracts.all())
            assert contracts and all(
                c.signed_on >= timezone.localtime(review.concluded_at).date() for c in contracts
            )
            for c in contracts:
                assert c.obligations.exists()
        else:
            assert not lead.contracts.exists()
        if lead.stage.code == "prereview":
            assert lead.prereviews.exists()
    rejected = PreReview.objects.filter(conclusion="reject")
    assert all(r.opinions.filter(verdict="reject").exists() for r in rejected)
    assert all(r.lead.stage.code == "lost" for r in rejected)
    assert PreReview.objects.filter(status="open").exists()


def test_clocks_and_obligations_as_the_sweeps_leave_them(generated):
    big = set(Lead.objects.filter(amount__gte=services.CLOCK_THRESHOLD).values_list("pk", flat=True))
    assert big and set(LeadClock.objects.values_list("lead", flat=True)) == big
    kinds = Counter()
    for clock in LeadClock.objects.select_related("lead"):
        kinds[clock.kind] += 1
        assert clock.due_on == add_working_days(clock.started_on, services.CLOCK_DAYS[clock.kind])
        if clock.kind != "progress":
            assert clock.started_on == clock.lead.registered_on
        if clock.done_at:
            assert clock.note and clock.done_at <= NOW
        if clock.overdue_at:  # marked the morning after its day, while it still ran
            assert timezone.localtime(clock.overdue_at).date() == clock.due_on + dt.timedelta(days=1)
            if clock.done_at:
                assert timezone.localtime(clock.done_at).date() > clock.due_on
    assert kinds["respond"] == kinds["judge"] == kinds["feedback"] == len(big) <= kinds["progress"]
    for lead_id in big:  # one running clock of a kind at most
        running = Counter(
            LeadClock.objects.filter(lead=lead_id, done_at__isnull=True).values_list("kind", flat=True)
        )
        assert max(running.values(), default=0) <= 1
    assert LeadClock.objects.filter(overdue_at__isnull=False).exists()
    assert Obligation.objects.filter(breached_at__isnull=False).exists()
    # the daily sweeps of that day find nothing left to mark or check: the data is as they left it
    with time_machine.travel(NOW, tick=False):
        assert services.sweep_clocks(TODAY) == 0
        assert services.sweep_obligations(TODAY) == (0, 0)


def test_funds_recognised_by_the_rules(generated):
    funds = list(FundMonth.objects.select_related("lead"))
    assert {f.recognised for f in funds} == {True, False}
    for f in funds:
        lead = f.lead
        registered = lead.changes.filter(to_stage__code="registered").order_by("at").first()
        assert registered is not None and (f.year, f.month) >= (
            timezone.localtime(registered.at).year,
            timezone.localtime(registered.at).month,
        )
        assert (f.year, f.month) < (TODAY.year, TODAY.month) and f.recorded_at <= NOW
        started = lead.changes.filter(to_stage__code="started").order_by("at").first()
        if started is None or started.at <= f.recorded_at:
            # recorded after 开工 (or never started): exactly what the service decides today
            assert services.recognise(lead, f.source, f.year, f.month) == (f.recognised, f.reason), f
        else:
            # recorded before 开工: not recognised then, for that reason among others
            assert not f.recognised and "主体工程尚未开工" in f.reason
        if f.recognised:
            assert f.source == "out_province" and not f.reason
    # the big formal contracts of started leads bring recognised funds
    assert FundMonth.objects.filter(recognised=True, lead__contracts__amount__gte=YI).exists()


def snapshot() -> list[tuple]:
    leads = list(
        Lead.objects.order_by("pk").values_list(
            "title", "stage__code", "stage_entered_at", "amount", "registered_on", "region__code"
        )
    )
    funds = list(
        FundMonth.objects.order_by("pk").values_list("year", "month", "source", "amount", "recognised")
    )
    clocks = list(LeadClock.objects.order_by("pk").values_list("kind", "due_on", "done_at", "overdue_at"))
    return [leads, funds, clocks, StageChange.objects.count(), Contract.objects.count()]


def test_deterministic_with_the_seed():
    generate("tiny", seed=7, today=TODAY, verbosity=0, only=["core", "attraction"])
    first = snapshot()
    Lead.objects.all().delete()
    Target.objects.all().delete()
    ReviewRule.objects.all().delete()
    Chain.objects.all().delete()
    generate("tiny", seed=7, today=TODAY, verbosity=0, only=["attraction"])
    assert snapshot() == first and len(first[0]) == TINY.leads
    Lead.objects.all().delete()
    Target.objects.all().delete()
    ReviewRule.objects.all().delete()
    Chain.objects.all().delete()
    generate("tiny", seed=8, today=TODAY, verbosity=0, only=["attraction"])
    assert snapshot()[0] != first[0]

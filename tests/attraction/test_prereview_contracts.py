"""The "14+n" pre-review, the gate before signing, contracts with obligations, and a signed lead
becoming a project through projects' service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.attraction.conftest import make_lead, stage, walk
from zhuqi.attraction import services
from zhuqi.attraction.models import Contract, Opinion, PreReview
from zhuqi.core.models import AuditEntry
from zhuqi.core.units import WAN
from zhuqi.projects.models import Project

pytestmark = pytest.mark.django_db


def _reviewed(world, lead, conclusion="pass", zr="pass"):
    review = services.start_prereview(lead, actor=world.alice, today=dt.date(2026, 3, 2))
    for opinion in review.opinions.all():
        who = world.bob if opinion.department_id == world.jxj.pk else world.zr_handler
        if opinion.department_id == world.power.pk:
            continue
        verdict = zr if who == world.zr_handler else "pass"
        services.give_opinion(
            opinion, verdict=verdict, conditions="用地指标不足" if verdict == "reject" else "", actor=who
        )
    return services.conclude_prereview(review, conclusion=conclusion, summary="综合意见", actor=world.alice)


def test_reviewers_are_the_standing_ones_plus_the_industry_rule(world, rules):
    plain = make_lead(world, industry_code="2922")
    chemical = make_lead(world, investor="某化工有限公司", industry_code="2614")
    assert {d.pk for d in services.reviewers_for(plain)} == {world.jxj.pk, world.zrzy.pk}
    assert {d.pk for d in services.reviewers_for(chemical)} == {world.jxj.pk, world.zrzy.pk, world.power.pk}


def test_opinions_are_due_in_working_days_and_answered_by_their_department(world, rules):
    lead = make_lead(world)
    review = services.start_prereview(lead, actor=world.alice, days=5, today=dt.date(2026, 9, 30))
    # 30 Sep 2026 + 5 working days: 8, 9, 10 (调休), 12, 13 October
    assert review.due_on == dt.date(2026, 10, 13)
    opinion = review.opinions.get(department=world.zrzy)
    with pytest.raises(PermissionDenied):
        services.give_opinion(opinion, verdict="pass", actor=world.bob)
    with pytest.raises(ValidationError):  # conditional needs its conditions
        services.give_opinion(opinion, verdict="conditional", actor=world.zr_handler)
    services.give_opinion(
        opinion, verdict="conditional", conditions="须先完成用地报批", actor=world.zr_handler
    )
    with pytest.raises(ValidationError) as exc:  # 工信局 has not answered
        services.conclude_prereview(review, conclusion="pass", summary="同意", actor=world.alice)
    assert "工信局" in exc.value.messages[0]
    # the reviewer department now reads the lead it was asked about
    from zhuqi.attraction.models import Lead

    assert Lead.objects.visible_to(world.zr_handler).filter(pk=lead.pk).exists()


def test_a_rejected_review_blocks_signing_and_contracts(world, rules):
    lead = make_lead(world)
    walk(lead, ["negotiating", "prereview"], world.alice)
    with pytest.raises(ValidationError):  # a department rejected: the office cannot pass it
        _reviewed(world, lead, conclusion="pass", zr="reject")
    PreReview.objects.all().delete()
    review = _reviewed(world, lead, conclusion="reject", zr="reject")
    assert not review.passed
    with pytest.raises(ValidationError) as exc:
        services.move_lead(lead, stage("signed"), actor=world.alice)
    assert "不同意" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.record_contract(
            lead, kind="formal", signed_on=dt.date(2026, 3, 20), amount=Decimal(5) * WAN, actor=world.alice
        )
    assert not Contract.objects.exists()


def test_sign_record_contract_and_convert_to_a_project(world, rules):
    lead = make_lead(world)
    walk(lead, ["negotiating", "prereview"], world.alice)
    _reviewed(world, lead)
    walk(lead, ["signed"], world.alice)
    contract = services.record_contract(
        lead,
        kind="formal",
        number="GZ-2026-01",
        signed_on=dt.date(2026, 3, 20),
        amount=Decimal("50000") * WAN,
        planned_start=dt.date(2026, 6, 30),
        planned_completion=dt.date(2027, 12, 31),
        obligations=[
            {"kind": "start", "due_on": dt.date(2026, 6, 30)},
            {"kind": "intensity", "target": Decimal("300"), "due_on": dt.date(2027, 12, 31)},
        ],
        actor=world.alice,
    )
    assert contract.obligations.count() == 2
    with pytest.raises(PermissionDenied):
        services.convert_to_project(
            lead, code="ZS-1", leader=world.leader, department=world.jxj, actor=world.bob
        )
    project = services.convert_to_project(
        lead, code="ZS-1", leader=world.leader, department=world.jxj, actor=world.alice
    )
    lead.refresh_from_db()
    assert lead.project == project
    assert project.total_investment == Decimal("50000") * WAN
    assert project.planned_start == dt.date(2026, 6, 30)
    assert project.stage == "signed" and project.signed_on == dt.date(2026, 3, 20)
    assert "招商引资" in project.tags and "安徽丰原集团有限公司" in project.description
    assert AuditEntry.objects.filter(event="project_created", object_id=str(project.pk)).exists()
    assert AuditEntry.objects.filter(event="lead_converted", object_id=str(lead.pk)).exists()
    with pytest.raises(ValidationError):
        services.convert_to_project(
            lead, code="ZS-2", leader=world.leader, department=world.jxj, actor=world.alice
        )
    assert Project.objects.count() == 1


def test_an_unsigned_lead_cannot_become_a_project(world):
    lead = make_lead(world)
    with pytest.raises(ValidationError):
        services.convert_to_project(
            lead, code="ZS-1", leader=world.leader, department=world.jxj, actor=world.alice
        )
    assert not Project.objects.exists()


def test_no_reviewers_configured_is_a_clear_message(world):
    lead = make_lead(world)
    with pytest.raises(ValidationError) as exc:
        services.start_prereview(lead, actor=world.alice)
    assert "预审部门" in exc.value.messages[0]
    assert not Opinion.objects.exists()


def test_reviewers_are_configured_on_their_page(world, login):
    from django.urls import reverse

    from zhuqi.attraction.models import ReviewRule

    client = login(world.alice)
    r = client.post(reverse("attraction:reviewers"), {"region": world.county.pk, "department": world.jxj.pk})
    assert r.status_code == 302
    r = client.post(
        reverse("attraction:reviewers"),
        {"region": world.county.pk, "department": world.power.pk, "industry_prefix": "2x"},
    )
    assert "只能是数字" in r.content.decode()
    rule = ReviewRule.objects.get()
    client.post(reverse("attraction:reviewers"), {"toggle": rule.pk})
    rule.refresh_from_db()
    assert not rule.is_active
    assert AuditEntry.objects.filter(event="reviewer_set").count() == 2
    assert login(world.bob).get(reverse("attraction:reviewers")).status_code == 404
    with pytest.raises(ValidationError):
        services.save_review_rule(None, actor=world.charlie, region=world.county, department=world.jxj)

"""Leads: registration (duplicates, amounts in the wrong unit), the stage table, history, audit,
notification, scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.attraction.conftest import make_lead, stage, walk
from tests.enterprises.helpers import credit_code
from zhuqi.attraction import services, workflow
from zhuqi.attraction.models import Lead, normalise_name
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.core.units import WAN

pytestmark = pytest.mark.django_db


def test_register_puts_the_lead_in_the_first_stage_with_history_audit_and_notice(world):
    lead = make_lead(world)
    assert lead.stage.code == "lead"
    assert lead.amount == Decimal("50000") * WAN
    assert list(lead.changes.values_list("from_stage", "to_stage__code")) == [(None, "lead")]
    assert AuditEntry.objects.filter(event="lead_registered", object_id=str(lead.pk)).exists()
    assert Notification.objects.filter(recipient=world.bob).exists()  # 工信局 is the team


def test_names_compare_without_legal_forms_and_brackets():
    assert normalise_name("安徽 丰原（集团）有限公司") == normalise_name("安徽丰原集团")


def test_a_duplicate_investor_is_refused_naming_the_existing_lead(world):
    code = credit_code()
    first = make_lead(world, credit_code=code)
    with pytest.raises(ValidationError) as exc:
        make_lead(world, investor="安徽丰原（集团）", title="另一个项目")
    message = exc.value.message_dict["investor_name"][0]
    assert "年产5万吨聚乳酸项目" in message and str(first.pk) in message
    with pytest.raises(ValidationError):
        make_lead(world, investor="完全不同的名字有限公司", credit_code=code)
    assert Lead.objects.count() == 1


def test_a_lost_lead_does_not_block_a_new_one(world):
    lead = make_lead(world)
    services.move_lead(lead, stage("lost"), actor=world.alice, reason="投资方转投外省")
    assert make_lead(world, title="重新接洽").pk


def test_an_amount_in_yuan_is_refused_with_a_clear_message(world):
    with pytest.raises(ValidationError) as exc:
        make_lead(world, amount_wan="500000000")  # 5 亿元 typed in 元 into the 万元 field
    assert "万元" in exc.value.message_dict["amount"][0]
    assert not Lead.objects.exists()


def test_a_bad_credit_code_is_refused(world):
    with pytest.raises(ValidationError):
        make_lead(world, credit_code="91341234567890123X")


def test_moves_follow_the_table_and_side_stages_need_a_reason(world):
    lead = make_lead(world)
    walk(lead, ["contact", "negotiating"], world.alice)  # skipping 考察 is allowed
    with pytest.raises(ValidationError) as exc:
        services.move_lead(lead, stage("shelved"), actor=world.alice)
    assert "reason" in exc.value.message_dict
    services.move_lead(lead, stage("shelved"), actor=world.alice, reason="企业暂缓投资计划")
    lead.refresh_from_db()
    assert [s.code for _m, s in workflow.targets(lead)] == ["negotiating", "lost"]
    services.move_lead(lead, stage("negotiating"), actor=world.alice)
    lead.refresh_from_db()
    with pytest.raises(ValidationError):  # back more than one stage
        services.move_lead(lead, stage("lead"), actor=world.alice, reason="x")
    history = list(lead.changes.order_by("at", "pk").values_list("to_stage__code", "actor__username"))
    assert [h[0] for h in history] == ["lead", "contact", "negotiating", "shelved", "negotiating"]
    assert AuditEntry.objects.filter(event="lead_moved", object_id=str(lead.pk)).count() == 4


def test_signing_needs_a_concluded_non_rejected_prereview(world):
    lead = make_lead(world)
    walk(lead, ["negotiating", "prereview"], world.alice)
    with pytest.raises(ValidationError) as exc:
        services.move_lead(lead, stage("signed"), actor=world.alice)
    assert "联审预审" in exc.value.messages[0]
    lead.refresh_from_db()
    assert lead.stage.code == "prereview"


def test_team_scope_and_other_county(world):
    lead = make_lead(world, actor=world.bob)  # a team member registers for their own team
    assert lead.team_id == world.jxj.pk
    assert Lead.objects.visible_to(world.bob).filter(pk=lead.pk).exists()
    assert Lead.objects.visible_to(world.alice).filter(pk=lead.pk).exists()
    assert not Lead.objects.visible_to(world.zr_handler).filter(pk=lead.pk).exists()
    assert not Lead.objects.visible_to(world.charlie).filter(pk=lead.pk).exists()
    with pytest.raises(PermissionDenied):
        services.move_lead(lead, stage("contact"), actor=world.zr_handler)
    with pytest.raises(PermissionDenied):
        services.move_lead(lead, stage("contact"), actor=world.charlie)
    with pytest.raises(ValidationError):  # a team registers only its own leads
        make_lead(world, actor=world.bob, team=world.zrzy, investor="别的投资方")


def test_the_office_cannot_register_outside_its_region(world):
    with pytest.raises(ValidationError):
        make_lead(world, actor=world.charlie, team=None)


def test_grid_member_may_not_register(world):
    with pytest.raises(PermissionDenied):
        make_lead(world, actor=world.grid_member, team=None)
    assert not Lead.objects.exists()
    with pytest.raises(Http404):
        Lead.objects.get_visible_or_404(world.charlie, pk=0)


def test_the_list_offers_the_teams_that_follow_visible_leads(world, login):
    """The 招商小组 filter lists the departments following a lead the viewer sees, not every
    department of the scope (a province has thousands)."""
    make_lead(world)  # 工信局's
    make_lead(world, investor="浙江海正生物材料", team=world.zrzy)
    make_lead(world, investor="金丹科技", team=None)
    r = login(world.alice).get("/attraction/")
    assert [t.name for t in r.context["teams"]] == sorted([world.jxj.name, world.zrzy.name])
    assert world.power not in r.context["teams"] and world.dispatch_office not in r.context["teams"]
    r = login(world.admin).get("/attraction/")
    assert {t.pk for t in r.context["teams"]} == {world.jxj.pk, world.zrzy.pk}

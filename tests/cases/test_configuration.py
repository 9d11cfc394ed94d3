"""系统设置 in cases: the SLA schemes a fresh install ships, switching schemes from a date,
editing a rule's limits; problem categories; editing a routing rule. Services, scope, bad
input, pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from zhuqi.cases import services
from zhuqi.cases.models import Category, RoutingRule, SlaActivation, SlaPolicy
from zhuqi.core.models import AuditEntry
from zhuqi.core.workcalendar import SHANGHAI, add_working_days

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


# --- SLA schemes -------------------------------------------------------------------------------------


def test_a_freshly_migrated_install_gives_a_major_case_22_working_days(world):
    """No `zhuqi demo`, no policy created by hand: the migrations ship the complete 13710."""
    from zhuqi.enterprises.models import Enterprise

    assert SlaPolicy.objects.filter(scheme="henan13710").count() == 2
    ent = Enterprise.objects.create(
        name="尉氏县测试有限公司", credit_code="91410223MA0000000X", region=world.grid
    )
    with time_machine.travel(at(2026, 9, 28), tick=False):
        case = services.create_case(
            ent, title="用地报批", description="扩建用地报批进度慢", actor=world.alice, channel="visit"
        )
        case = services.accept_case(case, actor=world.alice, urgency="major")
        case = services.dispatch_case(case, actor=world.alice, lead=world.jxj)
    assert case.sla.resolve_days == 22
    assert case.reply_due_at.astimezone(SHANGHAI).date() == add_working_days(dt.date(2026, 9, 28), 22)
    with time_machine.travel(at(2026, 9, 28), tick=False):
        normal = services.accept_case(
            services.create_case(ent, title="用工", description="招工难", actor=world.alice, channel="visit"),
            actor=world.alice,
        )
    assert normal.sla.resolve_days == 7


def test_the_demo_adds_no_second_13710(world):
    from zhuqi.cases import demo

    demo._policies()
    demo._policies()
    assert SlaPolicy.objects.filter(scheme="henan13710", category=None, urgency="major").count() == 1


def test_switching_to_shandong_from_a_date(world):
    with time_machine.travel(at(2026, 9, 1), tick=False):
        services.activate_sla_scheme(
            actor=world.admin, scheme="shandong5", effective_from=dt.date(2026, 10, 1)
        )
        assert services.policy_for(None, "normal").scheme == "henan13710"  # not yet
    with time_machine.travel(at(2026, 10, 1), tick=False):
        assert services.policy_for(None, "normal").scheme == "shandong5"
        assert services.policy_for(None, "normal").resolve_days == 5
    assert AuditEntry.objects.filter(event="sla_scheme_activated").count() == 1


def test_activation_refuses_the_past_an_unknown_scheme_and_a_scheme_without_a_general_rule(world):
    with time_machine.travel(at(2026, 9, 1), tick=False):
        with pytest.raises(ValidationError) as exc:
            services.activate_sla_scheme(
                actor=world.admin, scheme="shandong5", effective_from=dt.date(2026, 8, 1)
            )
        assert "effective_from" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.activate_sla_scheme(actor=world.admin, scheme="moon", effective_from=dt.date(2026, 9, 1))
        assert "scheme" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:  # the county's own scheme has no rules yet
            services.activate_sla_scheme(
                actor=world.admin, scheme="custom", effective_from=dt.date(2026, 9, 1)
            )
        assert "通用规则" in exc.value.message_dict["scheme"][0]
        with pytest.raises(PermissionDenied):
            services.activate_sla_scheme(
                actor=world.alice, scheme="shandong5", effective_from=dt.date(2026, 9, 1)
            )
    assert not SlaActivation.objects.exists()


DAYS = dict(
    accept_days=1,
    dispatch_days=1,
    sign_days=1,
    sendback_days=1,
    progress_days=3,
    resolve_days=10,
    followup_days=3,
    extension_max_days=5,
)


def test_editing_a_rule_changes_new_cases_only(world):
    general = SlaPolicy.objects.get(scheme="henan13710", category=None, urgency="")
    services.save_sla_policy(general, actor=world.admin, scheme="henan13710", name=general.name, **DAYS)
    assert SlaPolicy.objects.get(pk=general.pk).resolve_days == 10
    entry = AuditEntry.objects.filter(
        object_type="cases.slapolicy", object_id=str(general.pk), action="update"
    ).get()
    assert entry.changes["resolve_days"] == [7, 10]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"resolve_days": 0}, "resolve_days"),
        ({"sign_days": "x"}, "sign_days"),
        ({"resolve_days": 999}, "resolve_days"),
    ],
)
def test_bad_limits_name_the_field(world, change, field):
    general = SlaPolicy.objects.get(scheme="henan13710", category=None, urgency="")
    with pytest.raises(ValidationError) as exc:
        services.save_sla_policy(general, actor=world.admin, scheme="henan13710", name="x", **(DAYS | change))
    assert field in exc.value.message_dict
    assert SlaPolicy.objects.get(pk=general.pk).resolve_days == 7


def test_one_rule_per_scheme_category_and_urgency(world):
    with pytest.raises(ValidationError) as exc:
        services.save_sla_policy(
            None, actor=world.admin, scheme="henan13710", name="又一条", urgency="major", **DAYS
        )
    assert "category" in exc.value.message_dict


def test_the_general_rule_of_the_scheme_in_force_stays_on(world):
    general = SlaPolicy.objects.get(scheme="henan13710", category=None, urgency="")
    with pytest.raises(ValidationError):
        services.set_sla_policy_active(general, False, actor=world.admin)
    major = SlaPolicy.objects.get(scheme="henan13710", urgency="major")
    services.set_sla_policy_active(major, False, actor=world.admin)
    assert services.policy_for(None, "major") == general


def test_dispatch_may_not_change_limits(world):
    general = SlaPolicy.objects.get(scheme="henan13710", category=None, urgency="")
    with pytest.raises(PermissionDenied):
        services.save_sla_policy(general, actor=world.alice, scheme="henan13710", name="x", **DAYS)


# --- categories ---------------------------------------------------------------------------------------


def test_create_and_edit_a_category(world):
    land = services.save_category(None, actor=world.admin, code="land", name="用地")
    quota = services.save_category(None, actor=world.admin, code="land_quota", name="土地指标", parent=land)
    services.save_category(
        quota, actor=world.admin, code="land_quota", name="用地指标", parent=land, keywords=" 指标  用地 "
    )
    quota.refresh_from_db()
    assert (quota.name, quota.keywords) == ("用地指标", "指标 用地")
    assert AuditEntry.objects.filter(event="category_saved", object_id=str(quota.pk)).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"code": ""}, "code"), ({"code": "土地"}, "code"), ({"name": ""}, "name"), ({"code": "land"}, "code")],
)
def test_bad_category_input_names_the_field(world, kwargs, field):
    services.save_category(None, actor=world.admin, code="land", name="用地")
    with pytest.raises(ValidationError) as exc:
        services.save_category(None, actor=world.admin, **({"code": "x1", "name": "x"} | kwargs))
    assert field in exc.value.message_dict
    assert Category.objects.count() == 1


def test_the_tree_has_two_levels(world):
    land = services.save_category(None, actor=world.admin, code="land", name="用地")
    quota = services.save_category(None, actor=world.admin, code="quota", name="指标", parent=land)
    with pytest.raises(ValidationError) as exc:
        services.save_category(None, actor=world.admin, code="deep", name="三级", parent=quota)
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a parent with children cannot become a child
        services.save_category(
            land,
            actor=world.admin,
            code="land",
            name="用地",
            parent=services.save_category(None, actor=world.admin, code="b", name="b"),
        )
    assert "parent" in exc.value.message_dict


def test_a_category_in_use_is_refused_or_needs_confirmation(cw):
    w = cw.w
    with pytest.raises(ValidationError) as exc:  # active routing rule
        services.set_category_active(cw.land, False, actor=w.admin)
    assert "启用的分拨规则" in exc.value.message_dict["is_active"][0]
    case = services.accept_case(cw.new(), actor=w.alice, category=cw.labor)
    with pytest.raises(ValidationError) as exc:  # an open case: warned
        services.set_category_active(cw.labor, False, actor=w.admin)
    assert exc.value.error_dict["is_active"][0].code == "confirm"
    services.set_category_active(cw.labor, False, actor=w.admin, confirm=True)
    case.refresh_from_db()
    assert case.category_id == cw.labor.pk and not Category.objects.get(pk=cw.labor.pk).is_active


def test_categories_are_changed_by_administrators_only(world):
    with pytest.raises(PermissionDenied):
        services.save_category(None, actor=world.alice, code="x", name="x")


# --- routing rules: edit -------------------------------------------------------------------------------


def test_edit_a_routing_rule_in_place(cw):
    w = cw.w
    rule = services.save_routing_rule(
        cw.rule_land,
        actor=w.alice,
        category=cw.land,
        region=w.county,
        lead_department=w.jxj,
        assisting_departments=[w.zrzy],
    )
    rule.refresh_from_db()
    assert rule.pk == cw.rule_land.pk and rule.lead_department == w.jxj
    assert list(rule.assisting_departments.all()) == [w.zrzy]
    entry = AuditEntry.objects.filter(event="routing_rule_saved", object_id=str(rule.pk)).get()
    assert entry.changes["新建"] is False


def test_another_county_cannot_edit_the_rule(cw):
    w = cw.w
    with pytest.raises((Http404, ValidationError)):
        services.save_routing_rule(
            cw.rule_land,
            actor=w.charlie,
            category=cw.land,
            region=w.other_county,
            lead_department=w.other_jxj,
        )
    assert RoutingRule.objects.get(pk=cw.rule_land.pk).region_id == w.county.pk


# --- pages -----------------------------------------------------------------------------------------------


def test_rule_edit_page(cw, login):
    w = cw.w
    client = login(w.alice)
    assert client.get(f"/cases/rules/{cw.rule_land.pk}/").status_code == 200
    response = client.post(
        f"/cases/rules/{cw.rule_land.pk}/",
        {"category": cw.land.pk, "region": w.county.pk, "lead_department": w.jxj.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    assert RoutingRule.objects.get(pk=cw.rule_land.pk).lead_department == w.jxj
    assert login(w.charlie).get(f"/cases/rules/{cw.rule_land.pk}/").status_code == 404
    assert login(w.bob).get(f"/cases/rules/{cw.rule_land.pk}/").status_code == 404


def test_category_page_shows_the_error_under_the_field(world, login):
    response = login(world.admin).post(
        "/cases/settings/categories/", {"code": "土地", "name": "用地", "order": 0}
    )
    assert 'data-testid="error-code"' in response.content.decode()
    assert not Category.objects.exists()


def test_dispatch_reads_categories_and_schemes_but_cannot_post(world, login):
    client = login(world.alice)
    assert client.get("/cases/settings/categories/").status_code == 200
    assert client.get("/cases/settings/sla/").status_code == 200
    assert (
        client.post("/cases/settings/categories/", {"code": "x", "name": "x", "order": 0}).status_code == 404
    )
    assert login(world.observer).get("/cases/settings/sla/").status_code == 404


def test_sla_page_shows_the_scheme_in_force(world, login):
    page = login(world.admin).get("/cases/settings/sla/").content.decode()
    assert "河南“13710”" in page and 'data-testid="scheme-henan13710"' in page

"""The admin is for what only a system administrator touches: domain rows are read-only there
(they change through their services), and a role changed in the admin goes through
`services.change_role`, which writes one permission event."""

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.timezone import localtime

from zhuqi.core import services
from zhuqi.core.admin import ReadOnlyAdmin
from zhuqi.core.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

READ_ONLY = [
    "attraction.pipeline",
    "attraction.stage",
    "attraction.lead",
    "attraction.stagechange",
    "attraction.reviewrule",
    "attraction.prereview",
    "attraction.opinion",
    "attraction.contract",
    "attraction.obligation",
    "attraction.chain",
    "attraction.chainnode",
    "attraction.fundmonth",
    "attraction.target",
    "attraction.clocksetting",
    "policies.match",
    "policies.application",
    "policies.policydocument",
    "policies.policyitem",
    "enterprises.enterprise",
    "enterprises.keydesignation",
    "assistance.assignment",
    "assistance.visit",
    "assistance.assistanceplan",
    "assistance.meeting",
    "assistance.visitrule",
    "assistance.loadlimit",
    "cases.case",
    "cases.routingrule",
    "projects.project",
    "core.auditentry",
    "core.notification",
    "core.attachment",
    "core.comment",
    # configuration with services (系统设置 pages): the admin only shows it
    "core.region",
    "core.department",
    "core.workdayoverride",
    "cases.category",
    "cases.slapolicy",
    "enterprises.enterpriseuser",
    "enterprises.enterpriselist",
    # indicators: values, returns, approvals and targets through services; forms and the
    # catalogue on the 系统设置 pages
    "indicators.indicator",
    "indicators.dataset",
    "indicators.report",
    "indicators.value",
    "indicators.approval",
    "indicators.unlockrequest",
    "indicators.target",
    # mu: schemes ship as data, facts through the import, runs and results through the computation,
    # objections and fact corrections through the 公示 workflow and the adjustments page
    "mu.scheme",
    "mu.schemeitem",
    "mu.factbatch",
    "mu.fact",
    "mu.adjustment",
    "mu.run",
    "mu.result",
    "mu.objection",
    "mu.factcorrection",
    "mu.classmeasure",
    "mu.utilityaccount",
    # oversight: items, reports, extensions and slips through the services and the sweep
    "oversight.item",
    "oversight.report",
    "oversight.extension",
    "oversight.sliprecord",
    "oversight.bulletin",
    # published 红黑榜 (also those moved from the projects app): history
    "oversight.redblacklist",
    # 观摩: rounds, sites, judges and scores through the tour services and the scoring page
    "oversight.tourround",
    "oversight.tourscore",
    # the calendar: events through 管理日历事项 (services_calendar), reminders by the sweep only
    "oversight.calendarevent",
    "oversight.calendarreminder",
]
# configuration with services that the admin does not show at all
NOT_IN_ADMIN = ["cases.slaactivation", "core.holidayarrangement"]


@pytest.mark.parametrize("label", READ_ONLY)
def test_domain_models_are_read_only_in_the_admin(world, label):
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label_lower == label)
    assert isinstance(model_admin, ReadOnlyAdmin)


@pytest.mark.parametrize("label", NOT_IN_ADMIN)
def test_configuration_with_services_is_not_edited_in_the_admin(world, label):
    from django.apps import apps

    model = apps.get_model(label)  # the model exists (the label is not a typo)...
    model_admin = admin.site._registry.get(model)  # ...and the admin edits none of its rows
    assert model_admin is None or isinstance(model_admin, ReadOnlyAdmin)


def test_a_region_cannot_be_changed_in_the_admin(world, login):
    client = login(world.admin)
    url = reverse("admin:core_region_change", args=[world.town.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    data = {"code": world.town.code, "name": "改名镇", "kind": world.town.kind, "parent": world.county.pk}
    assert client.post(url, data).status_code == 403
    world.town.refresh_from_db()
    assert world.town.name == "城关镇"


def test_every_admin_page_opens_and_domain_rows_cannot_be_added(world, login):
    client = login(world.admin)
    for model in admin.site._registry:
        app, name = model._meta.app_label, model._meta.model_name
        assert client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200, name
        if model.__module__.startswith("zhuqi."):
            add = client.get(reverse(f"admin:{app}_{name}_add")).status_code
            assert add == (403 if model._meta.label_lower in READ_ONLY else 200), name
    page = client.get(reverse("admin:core_department_change", args=[world.jxj.pk]))
    assert page.status_code == 200
    entry = AuditEntry.objects.latest("id")
    url = reverse("admin:core_auditentry_change", args=[entry.pk])
    shown = client.get(url)
    assert shown.status_code == 200 and 'name="_save"' not in shown.content.decode()
    assert client.post(url, {"message": "x"}).status_code == 403
    assert (
        client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )


def _user_form(user, **changes):
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "mobile": user.mobile,
        "email": user.email,
        "role": user.role,
        "region": user.region_id or "",
        "department": user.department_id or "",
        "is_active": "on",
        "date_joined_0": localtime(user.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": localtime(user.date_joined).strftime("%H:%M:%S"),
    }
    data.update(changes)
    return data


def test_a_role_changed_in_the_admin_goes_through_the_service(world, login):
    client = login(world.admin)
    url = reverse("admin:core_user_change", args=[world.bob.pk])
    response = client.post(url, _user_form(world.bob, role=Role.DEPT_HEAD, title="副局长"))
    assert response.status_code == 302, response.content.decode()[:2000]
    world.bob.refresh_from_db()
    assert world.bob.role == Role.DEPT_HEAD and world.bob.title == "副局长"
    entries = AuditEntry.objects.filter(object_type="core.user", object_id=str(world.bob.pk))
    event = entries.get(event="role_changed")
    assert event.action == "permission" and event.actor_id == world.admin.pk
    assert event.changes == {"role": ["handler", "dept_head"]}
    # the title is an ordinary update; the role is recorded once, by the service
    updates = [e.changes for e in entries.filter(action="update")]
    assert len(updates) == 1 and updates[0]["title"] == ["", "副局长"] and "role" not in updates[0]
    assert not entries.filter(action="permission").exclude(event="role_changed").exists()


def test_only_a_system_administrator_changes_roles(world):
    with pytest.raises(PermissionDenied):
        services.change_role(world.bob, actor=world.alice, role=Role.ADMIN, region=world.province)
    world.bob.refresh_from_db()
    assert world.bob.role == Role.HANDLER
    changed = services.change_role(
        world.bob, actor=world.admin, role=Role.HANDLER, region=None, department=world.zrzy
    )
    assert changed.department == world.zrzy
    assert AuditEntry.objects.get(event="role_changed").changes == {
        "region_id": [world.county.pk, None],
        "department_id": [world.jxj.pk, world.zrzy.pk],
    }


def test_a_user_added_in_the_admin_gets_their_role_through_the_service(world, login):
    from tests.conftest import PASSWORD
    from zhuqi.core.models import User

    data = {
        "username": "dave",
        "full_name": "戴维",
        "role": Role.HANDLER,
        "region": "",
        "department": world.zrzy.pk,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "usable_password": "true",
    }
    response = login(world.admin).post(reverse("admin:core_user_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    dave = User.objects.get(username="dave")
    assert dave.role == Role.HANDLER and dave.department == world.zrzy
    event = AuditEntry.objects.get(event="role_changed", object_id=str(dave.pk))
    assert event.changes == {"role": ["observer", "handler"], "department_id": [None, world.zrzy.pk]}

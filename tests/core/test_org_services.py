"""The services the organisation importers write through: scope and permission checks of their
own (not only the importer's), blanks keep current values, and row-diff audit entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from zhuqi.core import services, workcalendar
from zhuqi.core.models import AuditEntry, Department, Region, Role, WorkdayOverride

pytestmark = pytest.mark.django_db


def test_save_region_in_and_out_of_scope(world):
    town = services.save_region(
        actor=world.alice, code="410223200", name="洧川镇", kind="town", parent=world.county
    )
    assert town.path == world.county.path + "410223200/"
    with pytest.raises(PermissionDenied):
        services.save_region(
            actor=world.alice, code="410222200", name="外县镇", kind="town", parent=world.other_county
        )
    with pytest.raises(PermissionDenied):  # top level: admins only
        services.save_region(actor=world.alice, code="42", name="湖北省", kind="province")
    with pytest.raises(PermissionDenied):  # a handler manages no organisation
        services.save_region(actor=world.bob, code="410223201", name="某镇", kind="town", parent=world.county)
    renamed = services.save_region(
        actor=world.alice, code=town.code, name="洧川镇（新）", kind="town", parent=world.county, region=town
    )
    assert Region.objects.get(pk=town.pk).name == renamed.name == "洧川镇（新）"
    assert AuditEntry.objects.filter(
        object_type="core.region", object_id=str(town.pk), action="update"
    ).exists()


def test_save_department_keeps_what_is_left_blank(world):
    dept = services.save_department(
        actor=world.alice, region=world.county, name="尉氏县工信局", phone="110", department=world.jxj
    )
    assert (dept.short_name, dept.phone) == ("工信局", "110")
    new = services.save_department(actor=world.alice, region=world.county, name="尉氏县商务局")
    assert new.kind == Department.Kind.GOVERNMENT and new.short_name == ""
    with pytest.raises(PermissionDenied):
        services.save_department(
            actor=world.alice, region=world.other_county, name="通许县工信局", department=world.other_jxj
        )


def test_save_user_guards_admin_role_own_account_and_scope(world):
    common = {"full_name": "周七", "region": world.county, "department": world.jxj}
    user = services.save_user(actor=world.alice, username="zhouqi", role=Role.HANDLER, **common)
    assert not user.has_usable_password()
    with pytest.raises(PermissionDenied):
        services.save_user(actor=world.alice, username="zhouqi", role=Role.ADMIN, user=user, **common)
    with pytest.raises(PermissionDenied):
        services.save_user(
            actor=world.alice, username="alice", role=Role.DISPATCH, user=world.alice, **common
        )
    with pytest.raises(PermissionDenied):  # a user outside alice's county
        services.save_user(
            actor=world.alice,
            username="other_handler",
            role=Role.HANDLER,
            user=world.other_handler,
            **common,
        )
    promoted = services.save_user(
        actor=world.admin, username="zhouqi", role=Role.DEPT_HEAD, user=user, **common
    )
    assert promoted.role == Role.DEPT_HEAD
    assert AuditEntry.objects.filter(
        object_type="core.user", object_id=str(user.pk), action="permission"
    ).exists()


def test_workday_overrides_are_for_admins_only(world):
    day = dt.date(2027, 10, 9)
    with pytest.raises(PermissionDenied):
        services.set_workday_override(actor=world.alice, date=day, is_workday=True)
    services.set_workday_override(actor=world.admin, date=day, is_workday=True, note="国庆调休")
    services.set_workday_override(actor=world.admin, date=day, is_workday=True)  # blank note: kept
    assert WorkdayOverride.objects.get(date=day).note == "国庆调休"
    workcalendar.invalidate()
    assert workcalendar.is_working_day(day)
    workcalendar.invalidate()

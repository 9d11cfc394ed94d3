"""Enterprise portal accounts: opened from the enterprise page with a one-time activation
link, several per enterprise with one primary contact, bulk import through the one import flow,
an enterprise user updating its own contacts (never registry data). Another county's enterprise
is 404."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from tests.enterprises.helpers import make_enterprise
from zhuqi.core.excel import write_workbook
from zhuqi.core.models import AuditEntry, Notification, Role, User
from zhuqi.enterprises import services_accounts as accounts
from zhuqi.enterprises.importers import EnterpriseAccountImporter
from zhuqi.enterprises.models import EnterpriseUser

pytestmark = pytest.mark.django_db

NEW = {"new_password1": "Qiye#Passw0rd1", "new_password2": "Qiye#Passw0rd1"}


@pytest.fixture
def ents(world):
    return make_enterprise("尉氏恒顺有限公司", world.grid), make_enterprise(
        "通许装备有限公司", world.other_grid
    )


def test_invite_activation_and_primary_contact(world, ents, client):
    ent, _other = ents
    first, link, via = accounts.invite_enterprise_user(
        ent, actor=world.alice, username="hs01", full_name="王五"
    )
    second, _link2, _via = accounts.invite_enterprise_user(
        ent, actor=world.alice, username="hs02", full_name="赵六", mobile="13800000002"
    )
    assert via == ""  # no SMS or e-mail channel: the official hands the link over
    assert first.role == Role.ENTERPRISE and not first.has_usable_password()
    assert EnterpriseUser.objects.get(user=first).is_primary  # the first account is the primary contact
    assert not EnterpriseUser.objects.get(user=second).is_primary
    assert AuditEntry.objects.filter(event="enterprise_account_invited", object_id=str(ent.pk)).count() == 2

    assert client.post(link, NEW).status_code == 302
    first.refresh_from_db()
    assert first.has_usable_password() and not first.must_change_password
    assert ModelBackend().authenticate(None, username="hs01", password=NEW["new_password1"]) is not None
    assert client.get(link).status_code == 404  # used: the link no longer works
    with pytest.raises(ValidationError):  # an activated account gets no activation link
        accounts.issue_activation_link(EnterpriseUser.objects.get(user=first), actor=world.alice)

    accounts.set_primary_contact(EnterpriseUser.objects.get(user=second), actor=world.alice)
    assert list(
        EnterpriseUser.objects.filter(enterprise=ent, is_primary=True).values_list(
            "user__username", flat=True
        )
    ) == ["hs02"]


def test_invite_refuses_taken_names_and_other_counties(world, ents):
    ent, other = ents
    with pytest.raises(ValidationError) as exc:
        accounts.invite_enterprise_user(ent, actor=world.alice, username="Bob", full_name="x")
    assert "已被使用" in exc.value.message_dict["username"][0]
    with pytest.raises(Http404):
        accounts.invite_enterprise_user(other, actor=world.alice, username="tx01", full_name="x")
    with pytest.raises(PermissionDenied):
        accounts.invite_enterprise_user(ent, actor=world.bob, username="hs09", full_name="x")
    assert not User.objects.filter(username__in=["tx01", "hs09"]).exists()


def test_account_pages_are_scoped(world, ents, login):
    ent, other = ents
    user, _link, _via = accounts.invite_enterprise_user(
        other, actor=world.charlie, username="tx01", full_name="x"
    )
    membership = EnterpriseUser.objects.get(user=user)
    client = login(world.alice)
    assert client.get(reverse("enterprises:account_invite", args=[other.pk])).status_code == 404
    assert client.post(reverse("enterprises:account_link", args=[membership.pk])).status_code == 404
    assert (
        client.post(reverse("enterprises:account_active", args=[membership.pk]), {"active": "0"}).status_code
        == 404
    )
    assert User.objects.get(pk=user.pk).is_active
    page = client.get(reverse("enterprises:enterprise_detail", args=[ent.pk]))
    assert "enterprise-accounts" in page.text
    assert login(world.bob).get(reverse("enterprises:account_invite", args=[ent.pk])).status_code == 404


def test_enterprise_user_updates_its_contacts_never_its_registry(world, ents, login):
    ent, _other = ents
    member, _link, _via = accounts.invite_enterprise_user(
        ent, actor=world.alice, username="hs01", full_name="王五"
    )
    colleague, _l, _v = accounts.invite_enterprise_user(
        ent, actor=world.alice, username="hs02", full_name="赵六"
    )
    client = login(member)
    response = client.post(
        reverse("enterprises:my_contacts"),
        {
            "full_name": "王五",
            "mobile": "13900000009",
            "email": "ww@example.com",
            "contact_name": "王五",
            "contact_phone": "0371-1234567",
            "name": "改名公司",
            "credit_code": "X",
        },
    )
    assert response.status_code == 302
    ent.refresh_from_db()
    member.refresh_from_db()
    assert (ent.contact_name, ent.contact_phone, ent.name) == ("王五", "0371-1234567", "尉氏恒顺有限公司")
    assert member.mobile == "13900000009"
    entry = AuditEntry.objects.get(event="contacts_updated", object_id=str(ent.pk))
    assert entry.actor == member and "企业联系电话" in entry.changes
    assert Notification.objects.filter(recipient=colleague, title__contains="联系方式").exists()
    bad = client.post(reverse("enterprises:my_contacts"), {"full_name": "王五", "mobile": "123"})
    assert "手机号码" in bad.context["form"].errors["mobile"][0]
    assert client.get(reverse("enterprises:enterprise_edit", args=[ent.pk])).status_code == 404
    assert login(world.bob).get(reverse("enterprises:my_contacts")).status_code == 404


def test_deactivated_member_cannot_sign_in_and_loses_the_primary_mark(world, ents):
    ent, _other = ents
    member, link, _via = accounts.invite_enterprise_user(
        ent, actor=world.alice, username="hs01", full_name="王五"
    )
    membership = EnterpriseUser.objects.get(user=member)
    accounts.set_enterprise_user_active(membership, actor=world.alice, active=False)
    membership.refresh_from_db()
    assert not membership.is_primary and not User.objects.get(pk=member.pk).is_active
    assert AuditEntry.objects.filter(event="enterprise_account_deactivated").exists()


def _rows(*rows):
    headers = ["统一社会信用代码", "用户名", "姓名", "手机", "电子邮箱", "主要联系人"]
    return write_workbook(headers, rows)


def test_bulk_import_opens_accounts_for_many_enterprises(world, ents):
    ent, other = ents
    ent2 = make_enterprise("尉氏丰原有限公司", world.grid2)
    data = _rows(
        (ent.credit_code, "hs01", "王五", "", "", "否"),
        (ent.credit_code, "hs02", "赵六", "13800000002", "", "是"),
        (ent2.credit_code, "fy01", "孙七", "", "", ""),
    )
    result = EnterpriseAccountImporter(world.alice).run(data, dry_run=False)
    assert not result.errors and result.created == 3
    primaries = dict(
        EnterpriseUser.objects.filter(is_primary=True).values_list("enterprise_id", "user__username")
    )
    assert primaries == {ent.pk: "hs02", ent2.pk: "fy01"}
    assert not User.objects.get(username="hs01").has_usable_password()
    assert AuditEntry.objects.filter(event="enterprise_account_invited").count() == 2


def test_bulk_import_names_every_bad_row_and_writes_nothing(world, ents):
    ent, other = ents
    data = _rows(
        (other.credit_code, "tx01", "x", "", "", ""),  # another county
        (ent.credit_code, "bob", "x", "", "", ""),  # taken
        (ent.credit_code, "hs01", "x", "", "a@", ""),
        (ent.credit_code, "HS01", "x", "", "", ""),
    )
    result = EnterpriseAccountImporter(world.alice).run(data, dry_run=False)
    text = [f"{e.row} {e.column} {e.message}" for e in result.errors]
    assert text[0].startswith("2 统一社会信用代码 找不到该企业")
    assert text[1].startswith("3 用户名 用户名「bob」已被使用")
    assert text[2].startswith("4 电子邮箱")
    assert text[3].startswith("5 用户名 「HS01」与第 4 行重复")
    assert not EnterpriseUser.objects.exists()


def test_the_user_import_points_to_the_enterprise_account_import(world, login):
    page = login(world.alice).get(reverse("core:import", args=["enterprise_accounts"]))
    assert page.status_code == 200
    assert login(world.bob).get(reverse("core:import", args=["enterprise_accounts"])).status_code == 404

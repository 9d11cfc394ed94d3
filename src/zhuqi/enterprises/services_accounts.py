"""Enterprise portal accounts (企业账号): opened from the enterprise's page or by the Excel
import, several staff per enterprise and one primary contact, each activated through a one-time
link whose page sets the password; an enterprise user keeps its own contact details current.

Who may: the dispatch office and system administrators (`can_manage_accounts`: the matrix's `enterprises.accounts.manage`), for
enterprises in their scope (another county's enterprise answers 404). An enterprise user edits
only its own name, phone and e-mail and its enterprise's contact fields, never registry data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.channels import reachable
from zhuqi.core.models import Role, User
from zhuqi.core.notify import notify
from zhuqi.core.services_accounts import one_time_link

from .models import Enterprise, EnterpriseUser


def can_manage_accounts(user) -> bool:
    """Who opens and manages enterprises' portal accounts: the matrix's
    `enterprises.accounts.manage` (the enterprise must be in their scope)."""
    return permissions.allowed(user, "enterprises.accounts.manage")


def _require_editor(actor) -> None:
    permissions.require(actor, "enterprises.accounts.manage", _("只有专班办公室或管理员可以开通企业账号"))


def _lock_enterprise(actor, enterprise: Enterprise) -> Enterprise:
    """The enterprise under a row lock, or 404 outside `actor`'s scope."""
    return Enterprise.objects.select_for_update().get_visible_or_404(actor, pk=enterprise.pk)


def _member(actor, membership: EnterpriseUser) -> EnterpriseUser:
    try:
        return (
            EnterpriseUser.objects.select_related("user", "enterprise")
            .filter(enterprise__in=Enterprise.objects.visible_to(actor))
            .get(pk=membership.pk)
        )
    except EnterpriseUser.DoesNotExist:
        raise Http404 from None


def _clean_contact(full_name: str, mobile: str, email: str) -> dict[str, str]:
    full_name, mobile, email = (full_name or "").strip(), (mobile or "").strip(), (email or "").strip()
    errors = {}
    if not full_name:
        errors["full_name"] = _("请填写姓名")
    if mobile and not (mobile.isdigit() and len(mobile) == 11 and mobile.startswith("1")):
        errors["mobile"] = _("手机号码应为以 1 开头的 11 位数字")
    if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
        errors["email"] = _("电子邮箱格式不正确")
    if errors:
        raise ValidationError(errors)
    return {"full_name": full_name, "mobile": mobile, "email": email}


def _send_link(user: User, enterprise: Enterprise, link: str) -> str:
    """Tell the person their activation link; returns the channel that reaches them ("" when
    none: the inviter hands the link over)."""
    from django.conf import settings

    notify(
        [user],
        _("开通助企平台企业账号"),
        body=_(
            "%(enterprise)s的企业账号 %(username)s 已开通，请打开以下链接设置密码（只能使用一次）：%(link)s"
        )
        % {"enterprise": enterprise.name, "username": user.username, "link": settings.SITE_URL + link},
        url=link,
    )
    return reachable(user)


@transaction.atomic
def invite_enterprise_user(
    enterprise: Enterprise,
    *,
    actor,
    username: str,
    full_name: str,
    mobile: str = "",
    email: str = "",
    primary: bool = False,
) -> tuple[User, str, str]:
    """Open an account for a member of `enterprise` staff, without a password: the one-time
    activation link (returned, with the channel it was sent through) sets it. The first account
    of an enterprise is its primary contact. Returns (user, link path, channel)."""
    _require_editor(actor)
    enterprise = _lock_enterprise(actor, enterprise)
    data = _clean_contact(full_name, mobile, email)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名「%(name)s」已被使用") % {"name": username}})
    user = User(username=username, role=Role.ENTERPRISE, **data)
    user.set_unusable_password()
    with audit.row_diffs_disabled():
        user.save()
    members = EnterpriseUser.objects.filter(enterprise=enterprise)
    primary = primary or not members.filter(is_primary=True).exists()
    if primary:
        members.filter(is_primary=True).update(is_primary=False)
    EnterpriseUser.objects.create(user=user, enterprise=enterprise, is_primary=primary)
    audit.record(
        "permission",
        enterprise,
        event="enterprise_account_invited",
        changes={
            gettext_noop("用户名"): username,
            gettext_noop("姓名"): data["full_name"],
            gettext_noop("主要联系人"): primary,
        },
        actor=actor,
    )
    link = one_time_link(user)
    return user, link, _send_link(user, enterprise, link)


@transaction.atomic
def import_enterprise_accounts(rows: list[dict[str, Any]], *, actor) -> int:
    """The Excel import's write (rows checked by `EnterpriseAccountImporter`): one account per
    row, set-based, each without a password until activated; a row marked primary (or the first
    account of an enterprise) becomes its primary contact. One audit event per enterprise."""
    _require_editor(actor)
    ents = {r["enterprise"].pk for r in rows}
    visible = set(Enterprise.objects.visible_to(actor).filter(pk__in=ents).values_list("pk", flat=True))
    if visible != ents:
        raise PermissionDenied(_("不在您的管辖范围内"))
    users = []
    for r in rows:
        u = User(
            username=r["username"],
            full_name=r["full_name"],
            mobile=r.get("mobile") or "",
            email=r.get("email") or "",
            role=Role.ENTERPRISE,
        )
        u.set_unusable_password()
        users.append(u)
    with audit.row_diffs_disabled():
        User.objects.bulk_create(users)
    created = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    has_primary = set(
        EnterpriseUser.objects.filter(enterprise_id__in=ents, is_primary=True).values_list(
            "enterprise_id", flat=True
        )
    )
    wants_primary = {r["enterprise"].pk for r in rows if r.get("primary")}
    EnterpriseUser.objects.filter(enterprise_id__in=wants_primary, is_primary=True).update(is_primary=False)
    memberships, given = [], set()
    for r in rows:
        ent = r["enterprise"].pk
        primary = ent not in given and (
            r.get("primary") or (ent not in has_primary and ent not in wants_primary)
        )
        if primary:
            given.add(ent)
        memberships.append(
            EnterpriseUser(user=created[r["username"]], enterprise_id=ent, is_primary=bool(primary))
        )
    with audit.row_diffs_disabled():
        EnterpriseUser.objects.bulk_create(memberships)
    by_ent: dict[int, list[str]] = {}
    for r in rows:
        by_ent.setdefault(r["enterprise"].pk, []).append(r["username"])
    audit.record_many(
        [
            {
                "action": "permission",
                "obj": next(r["enterprise"] for r in rows if r["enterprise"].pk == ent),
                "event": "enterprise_account_invited",
                "changes": {gettext_noop("用户名"): _("、").join(names)},
                "actor": actor,
            }
            for ent, names in by_ent.items()
        ]
    )
    notify(
        [actor],
        _("已导入 %(count)s 个企业账号") % {"count": len(rows)},
        body=_("账号须激活后才能登录：请在各企业页面的「企业账号」中生成激活链接交给企业。"),
    )
    return len(rows)


@transaction.atomic
def issue_activation_link(membership: EnterpriseUser, *, actor) -> tuple[str, str]:
    """A one-time link for an account that has no password yet (not activated, or its first
    link was lost). Returns (link path, channel it was sent through or "")."""
    _require_editor(actor)
    membership = _member(actor, membership)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    if not user.is_active:
        raise ValidationError(_("该账号已停用"))
    if user.has_usable_password():
        raise ValidationError(_("该账号已激活；忘记密码请在登录页点击「忘记密码」"))
    link = one_time_link(user)
    audit.record(
        "permission",
        membership.enterprise,
        event="activation_link_issued",
        changes={gettext_noop("用户名"): user.username},
        actor=actor,
    )
    return link, _send_link(user, membership.enterprise, link)


@transaction.atomic
def set_primary_contact(membership: EnterpriseUser, *, actor) -> EnterpriseUser:
    """Mark `membership` the enterprise's primary contact (the mark moves from whoever had it)."""
    _require_editor(actor)
    membership = _member(actor, membership)
    enterprise = _lock_enterprise(actor, membership.enterprise)
    if membership.is_primary:
        return membership
    if not membership.user.is_active:
        raise ValidationError(_("已停用的账号不能设为主要联系人"))
    EnterpriseUser.objects.filter(enterprise=enterprise, is_primary=True).update(is_primary=False)
    EnterpriseUser.objects.filter(pk=membership.pk).update(is_primary=True)
    membership.is_primary = True
    audit.record(
        "event",
        enterprise,
        event="primary_contact_set",
        changes={gettext_noop("主要联系人"): membership.user.display_name},
        actor=actor,
    )
    notify([membership.user], _("您已被设为%(enterprise)s的主要联系人") % {"enterprise": enterprise.name})
    return membership


@transaction.atomic
def set_enterprise_user_active(membership: EnterpriseUser, *, actor, active: bool) -> User:
    """Deactivate (a member of staff who left) or reactivate an enterprise account; a
    deactivated primary contact loses the mark."""
    _require_editor(actor)
    membership = _member(actor, membership)
    enterprise = _lock_enterprise(actor, membership.enterprise)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    if user.is_active == active:
        raise ValidationError(_("该账号已是此状态"))
    user.is_active = active
    with audit.row_diffs_disabled():
        user.save(update_fields=["is_active"])
    if not active and membership.is_primary:
        EnterpriseUser.objects.filter(pk=membership.pk).update(is_primary=False)
    audit.record(
        "permission",
        enterprise,
        event="enterprise_account_reactivated" if active else "enterprise_account_deactivated",
        changes={gettext_noop("用户名"): user.username},
        actor=actor,
    )
    others = User.objects.filter(enterprise_membership__enterprise=enterprise, is_active=True).exclude(
        pk=user.pk
    )
    notify(
        [user] if active else others,
        (_("企业账号 %(username)s 已恢复启用") if active else _("企业账号 %(username)s 已停用"))
        % {"username": user.username},
    )
    return user


CONTACT_FIELDS = ("contact_name", "contact_phone")


@transaction.atomic
def update_own_contacts(
    *,
    actor,
    full_name: str,
    mobile: str = "",
    email: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Enterprise:
    """An enterprise user's own name, mobile and e-mail, and its enterprise's contact person and
    phone (the only registry fields it may change). Audited on the enterprise; the enterprise's
    other accounts are told."""
    membership = (
        getattr(actor, "enterprise_membership", None)
        if permissions.allowed(actor, "enterprises.contacts.edit_own")
        else None
    )
    if membership is None:
        raise PermissionDenied(_("只有企业用户可以修改本企业的联系方式"))
    enterprise = Enterprise.objects.select_for_update().get(pk=membership.enterprise_id)
    user = User.objects.select_for_update().get(pk=actor.pk)
    data = _clean_contact(full_name, mobile, email)
    contact_name, contact_phone = (contact_name or "").strip(), (contact_phone or "").strip()
    if len(contact_name) > 50:
        raise ValidationError({"contact_name": _("联系人最多 50 个字")})
    if len(contact_phone) > 40:
        raise ValidationError({"contact_phone": _("联系电话最多 40 个字")})
    changes: dict[str, list[str]] = {}
    labels = {
        "full_name": gettext_noop("姓名"),
        "mobile": gettext_noop("手机"),
        "email": gettext_noop("电子邮箱"),
        "contact_name": gettext_noop("企业联系人"),
        "contact_phone": gettext_noop("企业联系电话"),
    }
    for field, value in data.items():
        if getattr(user, field) != value:
            changes[labels[field]] = [getattr(user, field), value]
            setattr(user, field, value)
    for field, value in (("contact_name", contact_name), ("contact_phone", contact_phone)):
        if getattr(enterprise, field) != value:
            changes[labels[field]] = [getattr(enterprise, field), value]
            setattr(enterprise, field, value)
    if not changes:
        return enterprise
    with audit.row_diffs_disabled():
        user.save(update_fields=["full_name", "mobile", "email"])
        enterprise.save(update_fields=list(CONTACT_FIELDS))
    audit.record("event", enterprise, event="contacts_updated", changes=changes, actor=actor)
    others = User.objects.filter(enterprise_membership__enterprise=enterprise, is_active=True).exclude(
        pk=user.pk
    )
    notify(
        others,
        _("%(name)s更新了本企业的联系方式") % {"name": user.display_name},
        url=reverse("enterprises:my_contacts"),
    )
    return enterprise

"""Accounts (用户管理): officials created, edited, deactivated with their hand-over and
reactivated; passwords reset by an administrator, by a one-time link or on request ("忘记密码");
locked accounts unlocked. Every function checks permission and scope, locks the account row,
writes its audit event and notifies on commit.

Who may do what:
* a system administrator: every account, every role, password resets and unlocking;
* the dispatch office (专班办公室): officials of its own region subtree only, never a system
  administrator's account nor the system-administrator role; no password resets or unlocking
  (credentials stay with the administrator); an account outside its subtree does not exist for
  it (404).
Enterprise accounts are opened from the enterprise's page (`enterprises.services_accounts`).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import audit, handover, permissions
from .channels import reachable
from .models import Department, Region, User
from .notify import notify
from .roles import DEPARTMENT_ROLES, Role
from .scope import scope_for

#: a forgotten-password request for one account reaches the administrators once in this window
RESET_REQUEST_WINDOW_SECONDS = 15 * 60


# --- who may ------------------------------------------------------------------------------------


def can_manage_accounts(user) -> bool:
    """Who manages officials' accounts: the matrix's `core.accounts.manage` (system
    administrators and the dispatch office)."""
    return permissions.allowed(user, "core.accounts.manage")


def managed_users(actor):
    """The accounts `actor` manages: officials in their scope (an administrator: everyone but
    enterprise staff; the dispatch office: its region subtree, administrators excluded)."""
    if not can_manage_accounts(actor):
        return User.objects.none()
    qs = User.objects.visible_to(actor).exclude(role=Role.ENTERPRISE)
    if not permissions.allowed(actor, "core.accounts.admins"):
        qs = qs.exclude(Q(is_superuser=True) | Q(role=Role.ADMIN))
    return qs


def _require_manager(actor) -> None:
    permissions.require(actor, "core.accounts.manage", _("只有系统管理员或专班办公室可以管理账号"))


def _require_admin(actor, action: str) -> None:
    permissions.require(actor, action, _("只有系统管理员可以重置密码或解锁账号"))


def _lock_managed(actor, user: User) -> User:
    """`user` re-read under a row lock, or 404 when `actor` does not manage it."""
    try:
        return managed_users(actor).select_for_update(of=("self",)).get(pk=user.pk)
    except User.DoesNotExist:
        raise Http404 from None


def _admins():
    return User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)


def _manage_url(user: User) -> str:
    return reverse("core:account_detail", args=[user.pk])


# --- passwords ---------------------------------------------------------------------------------


def temporary_password(length: int = 12) -> str:
    """A random password that passes the password rules: upper and lower case letters, digits
    and a symbol, without the look-alikes (0/O, 1/l/I)."""
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    lower = "abcdefghijkmnopqrstuvwxyz"
    digits = "23456789"
    symbols = "#%+=@"
    chars = [secrets.choice(upper), secrets.choice(lower), secrets.choice(digits), secrets.choice(symbols)]
    pool = upper + lower + digits
    chars += [secrets.choice(pool) for _i in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def one_time_link(user: User) -> str:
    """The path of the one-time link that sets `user`'s password (an activation or a reset).
    It stops working once the password is set (the token hashes the password) and after
    PASSWORD_RESET_TIMEOUT seconds."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_link", args=[uid, default_token_generator.make_token(user)])


# --- officials ----------------------------------------------------------------------------------


def _clean_person(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: (v or "").strip() if isinstance(v, str) or v is None else v for k, v in data.items()}
    errors = {}
    if not out.get("full_name"):
        errors["full_name"] = _("请填写姓名")
    mobile = out.get("mobile", "")
    if mobile and not (mobile.isdigit() and len(mobile) == 11 and mobile.startswith("1")):
        errors["mobile"] = _("手机号码应为以 1 开头的 11 位数字")
    if errors:
        raise ValidationError(errors)
    return out


def _check_all(*checks) -> list[Any]:
    """Run each check (a callable); every field's message at once, not only the first."""
    errors: dict[str, list[str]] = {}
    results = []
    for check in checks:
        try:
            results.append(check())
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return results


def _check_placement(actor, role: str, region: Region | None, department: Department | None) -> None:
    """The role is one `actor` may grant, in a region and department inside their scope."""
    if role not in Role.values:
        raise ValidationError({"role": _("未知的角色「%(role)s」") % {"role": role}})
    if role == Role.ENTERPRISE:
        raise ValidationError({"role": _("企业用户请在企业页面的「企业账号」中开通")})
    if role == Role.ADMIN and not permissions.allowed(actor, "core.accounts.admins"):
        raise PermissionDenied(_("只有系统管理员可以授予「系统管理员」角色"))
    if region is None:
        raise ValidationError({"region": _("请选择所属区划")})
    if not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": _("区划不存在或不在您的管辖范围内")})
    if department is not None:
        dept = Department.objects.visible_to(actor).select_related("region").filter(pk=department.pk).first()
        if dept is None:
            raise ValidationError({"department": _("部门不存在或不在您的管辖范围内")})
        if not dept.is_active:
            raise ValidationError({"department": _("部门「%(name)s」已停用") % {"name": dept.name}})
        if not region.path.startswith(dept.region.path):
            raise ValidationError({"department": _("部门「%(name)s」不在所选区划内") % {"name": dept.name}})
    elif role in DEPARTMENT_ROLES:
        raise ValidationError(
            {"department": _("角色为「%(role)s」的人员必须选择所属部门") % {"role": Role(role).label}}
        )


@transaction.atomic
def create_official(
    *,
    actor,
    username: str,
    full_name: str,
    role: str,
    region: Region | None,
    department: Department | None = None,
    title: str = "",
    mobile: str = "",
    email: str = "",
) -> tuple[User, str]:
    """Open an official's account with a temporary password that must be changed at the first
    login. Returns the account and the password (shown once to the person who opened it)."""
    _require_manager(actor)
    username = (username or "").strip()

    def check_username() -> None:
        if not username:
            raise ValidationError({"username": _("请填写用户名")})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("用户名「%(name)s」已被使用") % {"name": username}})

    data, _placed, _named = _check_all(
        lambda: _clean_person({"full_name": full_name, "title": title, "mobile": mobile, "email": email}),
        lambda: _check_placement(actor, role, region, department),
        check_username,
    )
    password = temporary_password()
    user = User(
        username=username,
        full_name=data["full_name"],
        role=role,
        region=region,
        department=department,
        title=data["title"],
        mobile=data["mobile"],
        email=data["email"],
        must_change_password=True,
    )
    user.set_password(password)
    with audit.row_diffs_disabled():
        user.save()
    audit.record(
        "permission",
        user,
        event="account_created",
        changes={
            gettext_noop("角色"): str(Role(role).label),
            gettext_noop("所属区划"): str(region),
            gettext_noop("所属部门"): str(department or ""),
        },
        actor=actor,
    )
    notify(
        [user],
        _("欢迎使用助企平台"),
        body=_("您的账号由%(name)s开通；首次登录请修改初始密码。") % {"name": actor.display_name},
    )
    return user, password


ROLE_FIELDS = ("role", "region", "department")


@transaction.atomic
def update_official(
    user: User,
    *,
    actor,
    full_name: str,
    role: str,
    region: Region | None,
    department: Department | None = None,
    title: str = "",
    mobile: str = "",
    email: str = "",
) -> User:
    """Change an official's name, contacts, role, region and department. A change of role,
    region or department is a permission change in the audit log and is told to the person."""
    _require_manager(actor)
    user = _lock_managed(actor, user)
    if user.pk == actor.pk and role != user.role:
        raise PermissionDenied(_("不能修改自己的角色"))
    data, _placed = _check_all(
        lambda: _clean_person({"full_name": full_name, "title": title, "mobile": mobile, "email": email}),
        lambda: _check_placement(actor, role, region, department),
    )
    before = {
        gettext_noop("姓名"): user.full_name,
        gettext_noop("职务"): user.title,
        gettext_noop("手机"): user.mobile,
        gettext_noop("电子邮箱"): user.email,
        gettext_noop("角色"): str(user.get_role_display()),
        gettext_noop("所属区划"): str(user.region or ""),
        gettext_noop("所属部门"): str(user.department or ""),
    }
    user.full_name, user.title, user.mobile, user.email = (
        data["full_name"],
        data["title"],
        data["mobile"],
        data["email"],
    )
    user.role, user.region, user.department = role, region, department
    after = {
        gettext_noop("姓名"): user.full_name,
        gettext_noop("职务"): user.title,
        gettext_noop("手机"): user.mobile,
        gettext_noop("电子邮箱"): user.email,
        gettext_noop("角色"): str(Role(role).label),
        gettext_noop("所属区划"): str(region or ""),
        gettext_noop("所属部门"): str(department or ""),
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return user
    with audit.row_diffs_disabled():
        user.save()
    permission_keys = {gettext_noop("角色"), gettext_noop("所属区划"), gettext_noop("所属部门")}
    is_permission = bool(permission_keys & changes.keys())
    audit.record(
        "permission" if is_permission else "update",
        user,
        event="role_changed" if is_permission else "account_updated",
        changes=changes,
        actor=actor,
    )
    if is_permission:
        notify(
            [user],
            _("您的角色或所属单位已调整"),
            body=_("现为：%(role)s，%(place)s") % {"role": Role(role).label, "place": department or region},
        )
    # the writer must still see what they wrote (a dispatch office moving someone out of its county)
    if not managed_users(actor).filter(pk=user.pk).exists():
        raise ValidationError({"region": _("区划不存在或不在您的管辖范围内")})
    return user


def hand_over_items(person: User, *, viewer) -> list[dict[str, Any]]:
    """What `person` holds, grouped by duty, for the deactivation page: every item (the
    deactivation must not orphan any), each marked whether it lies inside the viewer's scope."""
    limit = None if viewer.is_system_admin else scope_for(viewer).region_path or "\0"
    out = []
    for duty, items in handover.held_by(person):
        rows = [
            {"item": item, "visible": limit is None or (item.region_path or "").startswith(limit)}
            for item in items
        ]
        out.append({"duty": duty, "rows": rows})
    return out


@transaction.atomic
def deactivate_user(user: User, *, actor, reason: str, to_user: User | None = None) -> User:
    """Deactivate a leaver's account. Everything they hold (registered duties: assignments,
    plan measures, projects, cases…) moves to `to_user` in the same transaction, through each
    app's services; without a successor the deactivation is refused while anything remains."""
    _require_manager(actor)
    user = _lock_managed(actor, user)
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能停用自己的账号"))
    if not user.is_active:
        raise ValidationError(_("该账号已停用"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写停用原因（如调离、退休）")})
    groups = hand_over_items(user, viewer=actor)
    count = sum(len(g["rows"]) for g in groups)
    if count:
        if any(not row["visible"] for g in groups for row in g["rows"]):
            raise PermissionDenied(_("此人还有不在您管辖范围内的工作，请由系统管理员办理停用和交接"))
        if to_user is None:
            raise ValidationError(
                {"to_user": _("此人还有 %(count)s 项工作未交接，请选择接手人") % {"count": count}}
            )
        successor = managed_users(actor).filter(pk=to_user.pk, is_active=True).first()
        if successor is None or successor.pk == user.pk:
            raise ValidationError({"to_user": _("接手人必须是您管辖范围内在岗的其他工作人员")})
        for g in groups:
            g["duty"].reassign(user, successor, actor=actor, reason=reason)
        left = handover.held_by(user)
        if left:
            raise ValidationError(
                {
                    "to_user": _("仍有工作未能交接：%(what)s")
                    % {"what": "、".join(str(d.label) for d, _i in left)}
                }
            )
    user.is_active = False
    with audit.row_diffs_disabled():
        user.save(update_fields=["is_active"])
    audit.record(
        "permission",
        user,
        event="account_deactivated",
        changes={
            gettext_noop("交接工作"): count,
            gettext_noop("接手人"): to_user.display_name if count and to_user else "",
        },
        message=reason,
        actor=actor,
    )
    notify(
        _admins().exclude(pk=actor.pk),
        _("账号已停用：%(name)s") % {"name": user.display_name},
        body=_("%(actor)s停用了该账号；原因：%(reason)s") % {"actor": actor.display_name, "reason": reason},
        url=_manage_url(user),
    )
    return user


@transaction.atomic
def reactivate_user(user: User, *, actor) -> User:
    """Let a deactivated official sign in again (their earlier work stays with its successor)."""
    _require_manager(actor)
    user = _lock_managed(actor, user)
    if user.is_active:
        raise ValidationError(_("该账号未停用"))
    user.is_active = True
    with audit.row_diffs_disabled():
        user.save(update_fields=["is_active"])
    audit.record("permission", user, event="account_reactivated", actor=actor)
    notify([user], _("您的账号已恢复启用"), body=_("由%(name)s恢复") % {"name": actor.display_name})
    return user


@transaction.atomic
def reset_password(user: User, *, actor) -> str:
    """An administrator's reset: a temporary password, returned to be shown once, that must be
    changed at the next login. The account's login lockout is lifted too."""
    _require_admin(actor, "core.accounts.reset_password")
    try:
        user = User.objects.select_for_update().get(pk=user.pk)
    except User.DoesNotExist:
        raise Http404 from None
    if user.pk == actor.pk:
        raise PermissionDenied(_("请通过「修改密码」修改自己的密码"))
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    _reset_lockout(user.username)
    audit.record("permission", user, event="password_reset", actor=actor)
    notify([user], _("您的密码已由系统管理员重置"), body=_("请使用管理员告知的临时密码登录，并立即修改。"))
    return password


@transaction.atomic
def set_own_password(user: User, password: str) -> User:
    """The person's own new password (the change page or a one-time link): the temporary-password
    flag is cleared. The caller has validated the password (Django's form does)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    first = not user.has_usable_password()
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record("permission", user, event="account_activated" if first else "password_changed", actor=user)
    notify([user], _("您的密码已修改"), body=_("如非本人操作，请立即联系系统管理员。"))
    return user


def check_link(uidb64: str, token: str) -> User | None:
    """The active account a one-time link is for, or None (unknown, used or expired)."""
    from django.utils.http import urlsafe_base64_decode

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def set_password_by_link(uidb64: str, token: str, password: str) -> User:
    """Set the password through a one-time link (activation or reset); the link then stops
    working. Raises ValidationError for an unknown, used or expired link or a weak password."""
    user = check_link(uidb64, token)
    if user is None:
        raise ValidationError(_("链接无效或已过期，请联系管理员重新发送"))
    validate_password(password, user)
    return set_own_password(user, password)


def request_password_reset(username: str) -> None:
    """「忘记密码」: answer the same whatever the account. For an active account: with an outbound
    channel that reaches the person (SMS or e-mail, core.channels), send a one-time link;
    otherwise the administrators get a request in their inbox and reset it from the account's
    page. One request per account per window."""
    username = (username or "").strip()
    user = User.objects.filter(username__iexact=username, is_active=True).first() if username else None
    if user is None:
        return
    key = f"zhuqi:reset-request:{user.pk}"
    if not cache.add(key, 1, RESET_REQUEST_WINDOW_SECONDS):
        return
    with transaction.atomic():
        via = reachable(user)
        if via:
            link = one_time_link(user)
            audit.record("event", user, event="password_link_sent", changes={gettext_noop("渠道"): via})
            notify(
                [user],
                _("重置密码"),
                body=_("请在 %(hours)s 小时内打开以下链接设置新密码（只能使用一次）：%(link)s")
                % {"hours": settings.PASSWORD_RESET_TIMEOUT // 3600, "link": settings.SITE_URL + link},
                url=link,
            )
            return
        audit.record("event", user, event="password_reset_requested")
        notify(
            _admins(),
            _("%(name)s（%(username)s）申请重置密码")
            % {"name": user.display_name, "username": user.username},
            body=_("请核实身份后在用户管理中为其重置密码。"),
            url=_manage_url(user),
            level="warning",
        )


# --- login lockout (django-axes) ------------------------------------------------------------------


def _reset_lockout(username: str) -> int:
    from axes.utils import reset

    if not username:  # axes' reset without a username would lift every lockout
        return 0
    return reset(username=username) or 0


def locked_accounts():
    """Login attempts that are locked out now (django-axes' rows at the failure limit), newest first."""
    import datetime as dt

    from axes.models import AccessAttempt
    from django.utils import timezone

    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


@transaction.atomic
def unlock_account(username: str, *, actor) -> int:
    """Lift the lockout of `username` (every address), through django-axes' own reset."""
    _require_admin(actor, "core.accounts.unlock")
    removed = _reset_lockout(username)
    if not removed:
        raise ValidationError(_("账号「%(name)s」当前没有被锁定") % {"name": username})
    user = User.objects.filter(username=username).first()
    audit.record(
        "permission",
        user,
        event="account_unlocked",
        object_type="" if user else "core.user",
        object_repr="" if user else username,
        actor=actor,
    )
    if user is not None:
        notify([user], _("您的账号已解锁"), body=_("由系统管理员%(name)s解锁") % {"name": actor.display_name})
    return removed

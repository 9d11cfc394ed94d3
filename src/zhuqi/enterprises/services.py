"""State changes of the enterprise registry. Each checks permission, validates, writes audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from stdnum import exceptions as stdnum_exc
from stdnum.cn import uscc

from zhuqi.core import audit
from zhuqi.core.models import Region, Role

from .models import Enterprise, EnterpriseList, KeyDesignation, ListMembership

EDITOR_ROLES = {Role.ADMIN, Role.DISPATCH}

PROFILE_FIELDS = [
    "name",
    "region",
    "address",
    "legal_representative",
    "industry",
    "registered_capital",
    "founded_on",
    "above_scale",
    "above_scale_since",
    "land_area_mu",
    "employees",
    "contact_name",
    "contact_phone",
    "tier",
]


class CreditCodeInvalid(ValidationError):
    """A credit code failing GB 32100; `kind` is length, format, checksum or empty."""

    def __init__(self, message: str, kind: str):
        super().__init__(message, code=kind)
        self.kind = kind


def normalise_credit_code(code: str) -> str:
    return (code or "").strip().replace(" ", "").replace("-", "").upper()


def check_credit_code(code: str) -> str:
    """Return the normalised code, or raise CreditCodeInvalid with a Chinese message."""
    code = normalise_credit_code(code)
    if not code:
        raise CreditCodeInvalid("统一社会信用代码不能为空", "empty")
    try:
        return uscc.validate(code)
    except stdnum_exc.InvalidLength as exc:
        raise CreditCodeInvalid(f"统一社会信用代码应为 18 位，当前为 {len(code)} 位", "length") from exc
    except stdnum_exc.InvalidChecksum as exc:
        expected = uscc.calc_check_digit(code[:17])
        raise CreditCodeInvalid(
            f"统一社会信用代码校验位不正确（第 18 位应为 {expected}，实际为 {code[17]}），请核对", "checksum"
        ) from exc
    except stdnum_exc.ValidationError as exc:
        raise CreditCodeInvalid(
            "统一社会信用代码含有不允许的字符（只能是数字和除 I、O、Z、S、V 以外的大写字母）", "format"
        ) from exc


def can_edit_registry(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_system_admin or user.role in EDITOR_ROLES))


def _require_editor(actor, enterprise_region: Region | None = None) -> None:
    if not can_edit_registry(actor):
        raise PermissionDenied("只有专班办公室或管理员可以维护企业库")
    if (
        enterprise_region is not None
        and not Region.objects.visible_to(actor).filter(pk=enterprise_region.pk).exists()
    ):
        raise PermissionDenied("所在区划不在您的管辖范围内")


def _accept_credit_code(code: str, *, confirm_unchecked: bool, actor) -> tuple[str, bool]:
    """(normalised code, unchecked flag). A code failing only its check digit passes when an
    admin confirms it (early pilot codes); everything else is refused."""
    try:
        return check_credit_code(code), False
    except CreditCodeInvalid as exc:
        if exc.kind != "checksum" or not confirm_unchecked:
            raise
        if not actor.is_system_admin:
            raise CreditCodeInvalid("只有系统管理员可以确认未通过校验的信用代码", "checksum") from exc
        return normalise_credit_code(code), True


def _clean(data: dict) -> dict:
    out = {k: data[k] for k in PROFILE_FIELDS if k in data}
    for key in ("registered_capital", "land_area_mu"):
        if out.get(key) is not None and not isinstance(out[key], Decimal):
            out[key] = Decimal(str(out[key]))
    if out.get("above_scale") and not out.get("above_scale_since"):
        out.setdefault("above_scale_since", None)
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise ValidationError({"name": "企业名称不能为空"})
    return out


@transaction.atomic
def create_enterprise(
    *, actor, credit_code: str, confirm_unchecked: bool = False, tags=None, **data
) -> Enterprise:
    code, unchecked = _accept_credit_code(credit_code, confirm_unchecked=confirm_unchecked, actor=actor)
    fields = _clean(data)
    _require_editor(actor, fields.get("region"))
    if Enterprise.objects.filter(credit_code=code).exists():
        raise ValidationError({"credit_code": f"统一社会信用代码 {code} 已登记"})
    ent = Enterprise.objects.create(credit_code=code, credit_code_unchecked=unchecked, **fields)
    if tags is not None:
        ent.tags.set(tags)
    audit.record("event", ent, event="enterprise_registered", changes={"统一社会信用代码": code}, actor=actor)
    if unchecked:
        audit.record(
            "event",
            ent,
            event="credit_code_override",
            changes={"统一社会信用代码": code},
            message="管理员确认登记未通过校验位检查的信用代码",
            actor=actor,
        )
    return ent


@transaction.atomic
def update_enterprise(
    enterprise: Enterprise,
    *,
    actor,
    credit_code: str | None = None,
    confirm_unchecked: bool = False,
    tags=None,
    **data,
) -> Enterprise:
    _require_editor(actor, enterprise.region)
    ent = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    fields = _clean(data)
    if "region" in fields:
        _require_editor(actor, fields["region"])
    if credit_code is not None and normalise_credit_code(credit_code) != ent.credit_code:
        code, unchecked = _accept_credit_code(credit_code, confirm_unchecked=confirm_unchecked, actor=actor)
        if Enterprise.objects.filter(credit_code=code).exclude(pk=ent.pk).exists():
            raise ValidationError({"credit_code": f"统一社会信用代码 {code} 已登记"})
        ent.credit_code, ent.credit_code_unchecked = code, unchecked
        if unchecked:
            audit.record(
                "event",
                ent,
                event="credit_code_override",
                changes={"统一社会信用代码": code},
                message="管理员确认登记未通过校验位检查的信用代码",
                actor=actor,
            )
    for key, value in fields.items():
        setattr(ent, key, value)
    ent.save()
    if tags is not None:
        old = set(ent.tags.values_list("name", flat=True))
        ent.tags.set(tags)
        new = set(ent.tags.values_list("name", flat=True))
        if old != new:
            audit.record(
                "event",
                ent,
                event="tags_changed",
                changes={"标签": ["、".join(sorted(old)), "、".join(sorted(new))]},
                actor=actor,
            )
    return ent


@transaction.atomic
def set_key(enterprise: Enterprise, year: int, *, actor, key: bool = True, note: str = "") -> bool:
    _require_editor(actor, enterprise.region)
    if key:
        _, created = KeyDesignation.objects.get_or_create(
            enterprise=enterprise, year=year, defaults={"note": note}
        )
        if created:
            audit.record("event", enterprise, event="key_designated", changes={"年度": year}, actor=actor)
        return created
    deleted, _ = KeyDesignation.objects.filter(enterprise=enterprise, year=year).delete()
    if deleted:
        audit.record("event", enterprise, event="key_revoked", changes={"年度": year}, actor=actor)
    return bool(deleted)


@transaction.atomic
def enter_list(
    lst: EnterpriseList, enterprise: Enterprise, *, actor, on: dt.date | None = None, reason: str = ""
) -> ListMembership:
    _require_editor(actor, enterprise.region)
    if ListMembership.objects.filter(list=lst, enterprise=enterprise, exited_on__isnull=True).exists():
        raise ValidationError(f"「{enterprise}」已在「{lst}」中")
    m = ListMembership.objects.create(
        list=lst, enterprise=enterprise, entered_on=on or timezone.localdate(), entry_reason=reason
    )
    audit.record(
        "event", enterprise, event="list_entered", changes={"清单": lst.name, "入库原因": reason}, actor=actor
    )
    return m


@transaction.atomic
def exit_list(membership: ListMembership, *, actor, reason: str, on: dt.date | None = None) -> ListMembership:
    _require_editor(actor, membership.enterprise.region)
    if membership.exited_on:
        raise ValidationError("该企业已出库")
    if not (reason or "").strip():
        raise ValidationError({"exit_reason": "请填写出库原因"})
    membership.exited_on = on or timezone.localdate()
    membership.exit_reason = reason.strip()
    membership.save()
    audit.record(
        "event",
        membership.enterprise,
        event="list_exited",
        changes={"清单": membership.list.name, "出库原因": reason},
        actor=actor,
    )
    return membership


@transaction.atomic
def mark_achieved(membership: ListMembership, *, actor, on: dt.date | None = None) -> ListMembership:
    _require_editor(actor, membership.enterprise.region)
    membership.achieved_on = on or timezone.localdate()
    membership.save()
    audit.record(
        "event",
        membership.enterprise,
        event="pool_goal_achieved",
        changes={"清单": membership.list.name},
        actor=actor,
    )
    return membership

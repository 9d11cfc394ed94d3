"""State changes of the enterprise registry. Each checks permission, validates, writes audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from stdnum import exceptions as stdnum_exc
from stdnum.cn import uscc

from zhuqi.core import audit
from zhuqi.core.bulk import created_item, row_diffs_on, updated_item
from zhuqi.core.models import Region
from zhuqi.core.roles import MANAGER_ROLES

from .models import Enterprise, EnterpriseList, KeyDesignation, ListMembership, pinyin_initials

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
        raise CreditCodeInvalid(gettext("统一社会信用代码不能为空"), "empty")
    try:
        return uscc.validate(code)
    except stdnum_exc.InvalidLength as exc:
        raise CreditCodeInvalid(
            gettext("统一社会信用代码应为 18 位，当前为 %(count)s 位") % {"count": len(code)}, "length"
        ) from exc
    except stdnum_exc.InvalidChecksum as exc:
        expected = uscc.calc_check_digit(code[:17])
        raise CreditCodeInvalid(
            gettext("统一社会信用代码校验位不正确（第 18 位应为 %(expected)s，实际为 %(actual)s），请核对")
            % {"expected": expected, "actual": code[17]},
            "checksum",
        ) from exc
    except stdnum_exc.ValidationError as exc:
        raise CreditCodeInvalid(
            gettext("统一社会信用代码含有不允许的字符（只能是数字和除 I、O、Z、S、V 以外的大写字母）"),
            "format",
        ) from exc


def can_edit_registry(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_system_admin or user.role in MANAGER_ROLES))


def _require_editor(actor, enterprise_region: Region | None = None) -> None:
    if not can_edit_registry(actor):
        raise PermissionDenied(gettext("只有专班办公室或管理员可以维护企业库"))
    if (
        enterprise_region is not None
        and not Region.objects.visible_to(actor).filter(pk=enterprise_region.pk).exists()
    ):
        raise PermissionDenied(gettext("所在区划不在您的管辖范围内"))


def _accept_credit_code(code: str, *, confirm_unchecked: bool, actor) -> tuple[str, bool]:
    """(normalised code, unchecked flag). A code failing only its check digit passes when an
    admin confirms it (early pilot codes); everything else is refused."""
    try:
        return check_credit_code(code), False
    except CreditCodeInvalid as exc:
        if exc.kind != "checksum" or not confirm_unchecked:
            raise
        if not actor.is_system_admin:
            raise CreditCodeInvalid(
                gettext("只有系统管理员可以确认未通过校验的信用代码"), "checksum"
            ) from exc
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
            raise ValidationError({"name": gettext("企业名称不能为空")})
    return out


def _already_registered(code: str) -> ValidationError:
    return ValidationError({"credit_code": gettext("统一社会信用代码 %(code)s 已登记") % {"code": code}})


@transaction.atomic
def create_enterprise(
    *, actor, credit_code: str, confirm_unchecked: bool = False, tags=None, **data
) -> Enterprise:
    code, unchecked = _accept_credit_code(credit_code, confirm_unchecked=confirm_unchecked, actor=actor)
    fields = _clean(data)
    _require_editor(actor, fields.get("region"))
    if Enterprise.objects.filter(credit_code=code).exists():
        raise _already_registered(code)
    try:
        with transaction.atomic():  # two registrations of one code at once: the loser is told so
            ent = Enterprise.objects.create(credit_code=code, credit_code_unchecked=unchecked, **fields)
    except IntegrityError as exc:
        raise _already_registered(code) from exc
    if tags is not None:
        ent.tags.set(tags)
    audit.record(
        "event",
        ent,
        event="enterprise_registered",
        changes={gettext_noop("统一社会信用代码"): code},
        actor=actor,
    )
    if unchecked:
        audit.record(
            "event",
            ent,
            event="credit_code_override",
            changes={gettext_noop("统一社会信用代码"): code},
            message=gettext("管理员确认登记未通过校验位检查的信用代码"),
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
            raise _already_registered(code)
        ent.credit_code, ent.credit_code_unchecked = code, unchecked
        if unchecked:
            audit.record(
                "event",
                ent,
                event="credit_code_override",
                changes={gettext_noop("统一社会信用代码"): code},
                message=gettext("管理员确认登记未通过校验位检查的信用代码"),
                actor=actor,
            )
    for key, value in fields.items():
        setattr(ent, key, value)
    try:
        with transaction.atomic():
            ent.save()
    except IntegrityError as exc:
        raise _already_registered(ent.credit_code) from exc
    if tags is not None:
        old = set(ent.tags.values_list("name", flat=True))
        ent.tags.set(tags)
        new = set(ent.tags.values_list("name", flat=True))
        if old != new:
            audit.record(
                "event",
                ent,
                event="tags_changed",
                changes={gettext_noop("标签"): ["、".join(sorted(old)), "、".join(sorted(new))]},
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
            audit.record(
                "event", enterprise, event="key_designated", changes={gettext_noop("年度"): year}, actor=actor
            )
        return created
    deleted, _ = KeyDesignation.objects.filter(enterprise=enterprise, year=year).delete()
    if deleted:
        audit.record(
            "event", enterprise, event="key_revoked", changes={gettext_noop("年度"): year}, actor=actor
        )
    return bool(deleted)


@transaction.atomic
def enter_list(
    lst: EnterpriseList, enterprise: Enterprise, *, actor, on: dt.date | None = None, reason: str = ""
) -> ListMembership:
    _require_editor(actor, enterprise.region)
    if ListMembership.objects.filter(list=lst, enterprise=enterprise, exited_on__isnull=True).exists():
        raise ValidationError(
            gettext("「%(enterprise)s」已在「%(lst)s」中") % {"enterprise": enterprise, "lst": lst}
        )
    m = ListMembership.objects.create(
        list=lst, enterprise=enterprise, entered_on=on or timezone.localdate(), entry_reason=reason
    )
    audit.record(
        "event",
        enterprise,
        event="list_entered",
        changes={gettext_noop("清单"): lst.name, gettext_noop("入库原因"): reason},
        actor=actor,
    )
    return m


@transaction.atomic
def exit_list(membership: ListMembership, *, actor, reason: str, on: dt.date | None = None) -> ListMembership:
    _require_editor(actor, membership.enterprise.region)
    if membership.exited_on:
        raise ValidationError(gettext("该企业已出库"))
    if not (reason or "").strip():
        raise ValidationError({"exit_reason": gettext("请填写出库原因")})
    membership.exited_on = on or timezone.localdate()
    membership.exit_reason = reason.strip()
    membership.save()
    audit.record(
        "event",
        membership.enterprise,
        event="list_exited",
        changes={gettext_noop("清单"): membership.list.name, gettext_noop("出库原因"): reason},
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
        changes={gettext_noop("清单"): membership.list.name},
        actor=actor,
    )
    return membership


# --- bulk registration (the Excel import) ------------------------------------------------------------


def _import_fields(row: dict) -> dict:
    """The profile fields of an import row, as `create_enterprise` / `update_enterprise` store
    them (blank text is "", a blank 规上企业 is False)."""
    data = {k: v for k, v in row.items() if not k.startswith("_") and k not in {"credit_code", "tags"}}
    for key in ("legal_representative", "address", "contact_name", "contact_phone"):
        data[key] = data.get(key) or ""
    data["above_scale"] = bool(data.get("above_scale"))
    return _clean(data)


def _batches(values: list, size: int):
    for i in range(0, len(values), size):
        yield values[i : i + size]


@transaction.atomic
def import_enterprises(rows: list[dict], *, actor, known_codes: set[str], batch_size: int = 1000) -> int:
    """Register or update many enterprises at once; return how many were registered.

    Each row holds a checked `credit_code`, its `tags` (Tag objects, replacing the current ones)
    and the profile fields (`region` a Region). `known_codes` are the credit codes that were
    registered when the rows were checked: an enterprise registered or deleted by someone else
    since then stops the whole import (ValidationError), as does a region outside the actor's
    scope (PermissionDenied).

    It writes exactly what `create_enterprise` / `update_enterprise` called per row would: the
    same rows, tags and audit entries (the row-diff `create` / `update` entry, then
    `enterprise_registered` or `tags_changed`), in row order, but set-based, in batches of
    `batch_size`: lock the existing enterprises, one `bulk_create` of the new ones, one
    `bulk_update` of the changed ones, their tags, and the audit entries with
    `audit.record_many`, so the query count does not grow with the rows."""
    if not can_edit_registry(actor):
        raise PermissionDenied(gettext("只有专班办公室或管理员可以维护企业库"))
    visible_regions = set(Region.objects.visible_to(actor).values_list("pk", flat=True))
    created = 0
    for batch in _batches(list(rows), batch_size):
        created += _import_batch(batch, actor, known_codes, visible_regions)
    return created


def _import_batch(rows: list[dict], actor, known_codes: set[str], visible_regions: set[int]) -> int:
    through = Enterprise.tags.through
    codes = [row["credit_code"] for row in rows]
    # lock the enterprises being updated and read their current values (the row diff's old
    # side), as update_enterprise's select_for_update does
    locked = {e.credit_code: e for e in Enterprise.objects.select_for_update().filter(credit_code__in=codes)}
    for code, ent in locked.items():
        if code not in known_codes:  # registered by someone else since the check
            raise ValidationError(
                {"credit_code": gettext("统一社会信用代码 %(code)s 已登记") % {"code": code}}
            )
        if ent.region_id not in visible_regions:
            raise PermissionDenied(gettext("所在区划不在您的管辖范围内"))
    gone = [c for c in codes if c in known_codes and c not in locked]
    if gone:  # deleted by someone else since the check
        message = gettext("统一社会信用代码 %(code)s 对应的企业已被删除，请重新导入")
        raise ValidationError({"credit_code": message % {"code": gone[0]}})
    old_tags: dict[int, dict[int, str]] = {}  # enterprise id → {tag id: name}
    links: dict[tuple[int, int], Any] = {}  # (enterprise id, tag id) → through row
    if locked:
        pairs = through.objects.filter(enterprise_id__in=[e.pk for e in locked.values()])
        for link in pairs.select_related("tag").order_by("pk"):
            old_tags.setdefault(link.enterprise_id, {})[link.tag_id] = link.tag.name
            links[(link.enterprise_id, link.tag_id)] = link
    new: list[Enterprise] = []
    changed: list[Enterprise] = []
    plan: list[tuple[dict, Enterprise, dict[str, Any] | None]] = []  # row, enterprise, old values
    now = timezone.now()
    for row in rows:
        fields = _import_fields(row)
        if fields.get("region") is not None and fields["region"].pk not in visible_regions:
            raise PermissionDenied(gettext("所在区划不在您的管辖范围内"))
        ent = locked.get(row["credit_code"])
        if ent is None:
            ent = Enterprise(credit_code=row["credit_code"], credit_code_unchecked=False, **fields)
            ent.name_initials = pinyin_initials(ent.name)
            new.append(ent)
            plan.append((row, ent, None))
            continue
        values_before = audit.field_values(ent)
        for key, value in fields.items():
            setattr(ent, key, value)
        ent.name_initials = pinyin_initials(ent.name)  # Enterprise.save
        ent.updated_at = now  # auto_now
        changed.append(ent)
        plan.append((row, ent, values_before))
    if new:
        Enterprise.objects.bulk_create(new)
    if changed:
        Enterprise.objects.bulk_update(changed, [*PROFILE_FIELDS, "name_initials", "updated_at"])
    # tags: ent.tags.set(row's tags) for every row. Like the related manager, this writes
    # no row-diff entries for the through rows (tags_changed below says what changed).
    add, doomed = [], []
    for row, ent, old in plan:
        had = old_tags.get(ent.pk, {}) if old is not None else {}
        wanted = {t.pk for t in row["tags"]}
        add += [through(enterprise_id=ent.pk, tag_id=t) for t in wanted if t not in had]
        doomed += [links[(ent.pk, t)].pk for t in had if t not in wanted]
    if doomed:
        with audit.row_diffs_disabled():  # as `tags.set` does: no per-link entry
            through.objects.filter(pk__in=doomed).delete()
    if add:
        through.objects.bulk_create(add)
    items: list[dict[str, Any]] = []
    diffs = row_diffs_on(Enterprise)
    for row, ent, old in plan:
        if old is None:
            if diffs:
                items.append(created_item(ent))
            items.append(
                {
                    "action": "event",
                    "obj": ent,
                    "event": "enterprise_registered",
                    "changes": {gettext_noop("统一社会信用代码"): ent.credit_code},
                    "actor": actor,
                }
            )
            continue
        if diffs:
            item = updated_item(ent, old)
            if item is not None:
                items.append(item)
        before = set(old_tags.get(ent.pk, {}).values())
        after = {t.name for t in row["tags"]}
        if before != after:
            items.append(
                {
                    "action": "event",
                    "obj": ent,
                    "event": "tags_changed",
                    "changes": {gettext_noop("标签"): ["、".join(sorted(before)), "、".join(sorted(after))]},
                    "actor": actor,
                }
            )
    audit.record_many(items)
    return len(new)

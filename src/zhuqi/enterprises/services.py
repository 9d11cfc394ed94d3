"""State changes of the enterprise registry. Each checks permission, validates, writes audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from stdnum import exceptions as stdnum_exc
from stdnum.cn import uscc

from zhuqi.core import audit, permissions
from zhuqi.core.bulk import created_item, row_diffs_on, updated_item
from zhuqi.core.models import Region, User
from zhuqi.core.notify import notify
from zhuqi.core.roles import Role

from .models import Enterprise, EnterpriseList, KeyDesignation, ListMembership, search_fields

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
    """May `user` keep the registry (create, edit, key designation, lists)? The matrix's
    `enterprises.edit`; the region of each change is checked against the user's scope."""
    return permissions.allowed(user, "enterprises.edit")


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
        if not permissions.allowed(actor, "enterprises.credit_code.confirm"):
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


def _refuse_taken_code(code: str, exclude: int | None = None) -> None:
    """A credit code is registered once, archived enterprises included (their code comes back
    with them on restore): a clear message instead of the unique constraint's error."""
    taken = Enterprise.all_objects.filter(credit_code=code).exclude(pk=exclude).first()
    if taken is None:
        return
    if taken.archived_at is not None:
        message = gettext("统一社会信用代码 %(code)s 属于已归档的企业，请系统管理员在「已归档」页恢复")
    else:
        message = gettext("统一社会信用代码 %(code)s 已登记")
    raise ValidationError({"credit_code": message % {"code": code}})


def _already_registered(code: str) -> ValidationError:
    return ValidationError({"credit_code": gettext("统一社会信用代码 %(code)s 已登记") % {"code": code}})


@transaction.atomic
def create_enterprise(
    *, actor, credit_code: str, confirm_unchecked: bool = False, tags=None, **data
) -> Enterprise:
    code, unchecked = _accept_credit_code(credit_code, confirm_unchecked=confirm_unchecked, actor=actor)
    fields = _clean(data)
    _require_editor(actor, fields.get("region"))
    _refuse_taken_code(code)
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
        _refuse_taken_code(code, exclude=ent.pk)
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


def _membership_reason(name: str, reason: str) -> str:
    """The reason stripped, refused (naming the field) when longer than its column holds."""
    reason = (reason or "").strip()
    field: Any = ListMembership._meta.get_field(name)  # a CharField: entry_reason or exit_reason
    if len(reason) > field.max_length:
        raise ValidationError(
            {
                name: gettext("%(field)s不能超过 %(limit)s 字，现在是 %(count)s 字")
                % {"field": field.verbose_name, "limit": field.max_length, "count": len(reason)}
            }
        )
    return reason


@transaction.atomic
def enter_list(
    lst: EnterpriseList, enterprise: Enterprise, *, actor, on: dt.date | None = None, reason: str = ""
) -> ListMembership:
    _require_editor(actor, enterprise.region)
    if ListMembership.objects.filter(list=lst, enterprise=enterprise, exited_on__isnull=True).exists():
        raise ValidationError(
            gettext("「%(enterprise)s」已在「%(lst)s」中") % {"enterprise": enterprise, "lst": lst}
        )
    reason = _membership_reason("entry_reason", reason)
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
    reason = _membership_reason("exit_reason", reason)
    membership.exited_on = on or timezone.localdate()
    membership.exit_reason = reason
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


# --- lists and pools (configuration) -----------------------------------------------------------------
LIST_FIELDS = ("name", "kind", "pool", "region", "year", "goal", "description", "is_active")


def can_configure_list(user, lst: EnterpriseList) -> bool:
    """Editors of the registry whose own subtree holds the list's region (a county's list is seen
    in its parks, but edited by the county)."""
    return (
        permissions.allowed(user, "enterprises.lists.configure")
        and Region.objects.visible_to(user).filter(pk=lst.region_id).exists()
    )


@transaction.atomic
def save_enterprise_list(lst: EnterpriseList | None, *, actor, **fields) -> EnterpriseList:
    """Create (`lst` None) or change a list or cultivation pool. The dispatch office and
    administrators, for a region of their own subtree; the name is unique within the region."""
    from zhuqi.core.units import MAX_YEAR, MIN_YEAR

    unknown = set(fields) - set(LIST_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    permissions.require(
        actor, "enterprises.lists.configure", gettext("只有专班办公室或管理员可以维护企业清单")
    )
    if lst is not None:
        if not EnterpriseList.objects.visible_to(actor).filter(pk=lst.pk).exists():
            raise Http404
        # locked apart from the scope query: PostgreSQL locks no row of an outer join's nullable side
        lst = EnterpriseList.objects.select_for_update().get(pk=lst.pk)
        if not can_configure_list(actor, lst):
            raise PermissionDenied(gettext("该清单由上级区划维护"))
    region = fields.get("region", lst.region if lst else None)
    if region is None or not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": gettext("找不到该区划（或不在您的管辖范围内）")})
    name = (fields.get("name", lst.name if lst else "") or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写名称")})
    kind = fields.get("kind", lst.kind if lst else EnterpriseList.Kind.LIST)
    if kind not in EnterpriseList.Kind.values:
        raise ValidationError({"kind": gettext("类型无效")})
    pool = fields.get("pool", lst.pool if lst else "") or ""
    if kind == EnterpriseList.Kind.POOL and pool not in EnterpriseList.Pool.values:
        raise ValidationError({"pool": gettext("培育库请选择培育方向")})
    if kind == EnterpriseList.Kind.LIST:
        pool = ""
    year = fields.get("year", lst.year if lst else None)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": gettext("年度应在 %(min)s–%(max)s 之间") % {"min": MIN_YEAR, "max": MAX_YEAR}}
        )
    goal = fields.get("goal", lst.goal if lst else None)
    if goal is not None and goal < 0:
        raise ValidationError({"goal": gettext("年度目标不能为负数")})
    taken = EnterpriseList.objects.filter(region=region, name=name).exclude(pk=getattr(lst, "pk", None))
    if taken.exists():
        raise ValidationError(
            {"name": gettext("%(region)s已有名为「%(name)s」的清单") % {"region": region.name, "name": name}}
        )
    created = lst is None
    lst = lst or EnterpriseList()
    lst.name, lst.kind, lst.pool, lst.region, lst.year, lst.goal = name, kind, pool, region, year, goal
    lst.description = (fields.get("description", lst.description) or "").strip()
    lst.is_active = bool(fields.get("is_active", lst.is_active if not created else True))
    lst.save()
    audit.record(
        "event",
        lst,
        event="list_created" if created else "list_changed",
        changes={gettext_noop("名称"): name, gettext_noop("所属区划"): region.name},
        actor=actor,
    )
    others = User.objects.filter(role=Role.DISPATCH, region=region, is_active=True).exclude(pk=actor.pk)
    notify(
        list(others),
        (gettext("新建企业清单：%(name)s") if created else gettext("企业清单已修改：%(name)s"))
        % {"name": name},
        url=reverse("enterprises:list_detail", args=[lst.pk]),
    )
    return lst


# --- archive (soft delete of a mistaken registration) -----------------------------------------------
#: checks other apps register (`register_archive_check` from their `ready()`): each takes an
#: enterprise and returns a sentence naming what still points to it ("2 件未办结诉求"), or None.
#: Archiving is refused while any says something, so nothing is left pointing at a hidden row.
ARCHIVE_CHECKS: list[Callable[[Enterprise], str | None]] = []


def register_archive_check(check: Callable[[Enterprise], str | None]) -> None:
    if check not in ARCHIVE_CHECKS:
        ARCHIVE_CHECKS.append(check)


def _open_memberships(enterprise: Enterprise) -> str | None:
    n = ListMembership.objects.filter(enterprise=enterprise, exited_on__isnull=True).count()
    return gettext("仍在 %(n)s 个清单或培育库中（请先出库）") % {"n": n} if n else None


register_archive_check(_open_memberships)


def archive_blockers(enterprise: Enterprise) -> list[str]:
    """What still points to `enterprise` and must be dealt with before it is archived."""
    return [msg for check in ARCHIVE_CHECKS if (msg := check(enterprise))]


def _archive_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写归档原因")})
    if len(reason) > 200:
        raise ValidationError({"reason": gettext("归档原因不能超过 200 字")})
    return reason


def _admins() -> list:
    return list(User.objects.filter(role=Role.ADMIN, is_active=True))


@transaction.atomic
def archive_enterprise(enterprise: Enterprise, *, actor, reason: str) -> Enterprise:
    """Archive an enterprise registered by mistake (a duplicate, a wrong credit code): it leaves
    every list, search, figure, export and API listing, keeps its rows and history, and can be
    restored by a system administrator. The dispatch office (its area) or an administrator;
    refused while open cases, current assignments, projects or list stays still point to it."""
    reason = _archive_reason(reason)
    if not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise Http404
    permissions.require(actor, "enterprises.archive", gettext("只有专班办公室或管理员可以归档企业"))
    ent = Enterprise.objects.select_for_update().select_related("region").get(pk=enterprise.pk)
    _require_editor(actor, ent.region)
    blockers = archive_blockers(ent)
    if blockers:
        raise ValidationError(gettext("不能归档：该企业%(what)s") % {"what": "；".join(blockers)})
    ent.archived_at, ent.archived_by, ent.archive_reason = timezone.now(), actor, reason
    ent.save(update_fields=["archived_at", "archived_by", "archive_reason"])
    audit.record(
        "event",
        ent,
        event="enterprise_archived",
        changes={gettext_noop("统一社会信用代码"): ent.credit_code},
        message=reason,
        actor=actor,
    )
    notify(
        [u for u in _admins() if u.pk != actor.pk],
        gettext("企业已归档：%(name)s") % {"name": ent.name},
        body=reason,
        url=reverse("enterprises:archived"),
    )
    return ent


@transaction.atomic
def restore_enterprise(enterprise: Enterprise, *, actor, reason: str = "") -> Enterprise:
    """Bring an archived enterprise back into every list and figure (system administrators)."""
    permissions.require(actor, "core.archive.restore", gettext("只有系统管理员可以恢复已归档的企业"))
    ent = (
        Enterprise.all_objects.select_for_update().filter(pk=enterprise.pk, archived_at__isnull=False).first()
    )
    if ent is None:
        raise Http404
    archived_by = ent.archived_by
    ent.archived_at, ent.archived_by, ent.archive_reason = None, None, ""
    ent.save(update_fields=["archived_at", "archived_by", "archive_reason"])
    audit.record(
        "event",
        ent,
        event="enterprise_restored",
        changes={gettext_noop("统一社会信用代码"): ent.credit_code},
        message=(reason or "").strip()[:200],
        actor=actor,
    )
    if archived_by is not None and archived_by.pk != actor.pk:
        notify(
            [archived_by],
            gettext("已归档的企业已恢复：%(name)s") % {"name": ent.name},
            url=reverse("enterprises:enterprise_detail", args=[ent.pk]),
        )
    return ent


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
            for key, value in search_fields(ent.name).items():
                setattr(ent, key, value)
            new.append(ent)
            plan.append((row, ent, None))
            continue
        values_before = audit.field_values(ent)
        for key, value in fields.items():
            setattr(ent, key, value)
        for key, value in search_fields(ent.name).items():  # as Enterprise.save
            setattr(ent, key, value)
        ent.updated_at = now  # auto_now
        changed.append(ent)
        plan.append((row, ent, values_before))
    if new:
        Enterprise.objects.bulk_create(new)
    if changed:
        Enterprise.objects.bulk_update(
            changed, [*PROFILE_FIELDS, "name_initials", "name_grams", "updated_at"]
        )
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

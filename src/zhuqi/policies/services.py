"""Every change of the policy library: documents and items (with their conditions and amount
rules checked and stored in canonical form). Matching is a read (`selectors`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, Region
from zhuqi.core.scope import scope_for

from . import amounts, conditions
from .models import PolicyDocument, PolicyItem

DOCUMENT_FIELDS = (
    "title",
    "level",
    "issuer",
    "number",
    "issued_on",
    "effective_from",
    "effective_to",
    "region",
    "summary",
)
ITEM_FIELDS = (
    "title",
    "kind",
    "status",
    "data_year",
    "exclusivity_group",
    "budget",
    "window_start",
    "window_end",
    "evidence",
    "mode",
    "limit_days",
    "department",
    "beneficiaries",
    "conditions_text",
    "address",
    "phone",
)


def _in_area(actor, region: Region) -> bool:
    s = scope_for(actor)
    if s.is_admin:
        return True
    return s.region_path is not None and region.path.startswith(s.region_path)


def can_manage_document(actor, document: PolicyDocument | None, region: Region | None = None) -> bool:
    """The matrix first; then the area: a document of the actor's region subtree."""
    if not permissions.allowed(actor, "policies.manage"):
        return False
    region = region or (document.region if document else None)
    return region is None or _in_area(actor, region)


def can_manage(actor, item: PolicyItem) -> bool:
    """An item: administrators any; the dispatch office those of its area; a department's people
    only the items their department is responsible for."""
    if not permissions.allowed(actor, "policies.manage"):
        return False
    s = scope_for(actor)
    if s.is_admin:
        return True
    if actor.department_id and actor.department_id == item.department_id:
        return True
    return permissions.allowed(actor, "policies.manage_area") and _in_area(actor, item.document.region)


def _check_dates(data: dict, first: str, last: str, label: str) -> None:
    if data.get(first) and data.get(last) and data[first] > data[last]:
        raise ValidationError({last: _("%(label)s不能早于开始日期") % {"label": label}})


@transaction.atomic
def save_document(document: PolicyDocument | None, *, actor, **data) -> PolicyDocument:
    """Create (`document` None) or change a policy document."""
    permissions.require(actor, "policies.manage", _("您不能维护政策文件"))
    region = data.get("region")
    if not isinstance(region, Region):
        raise ValidationError({"region": _("请选择适用区域")})
    if document is not None:
        document = PolicyDocument.objects.select_for_update().get(pk=document.pk)
        if not can_manage_document(actor, document):
            raise PermissionDenied(_("该政策文件不在您的管理范围内"))
    if not can_manage_document(actor, None, region):
        raise ValidationError({"region": _("只能选择本辖区或其下的区域")})
    if not (data.get("title") or "").strip():
        raise ValidationError({"title": _("请填写文件标题")})
    _check_dates(data, "effective_from", "effective_to", _("有效期至"))
    created = document is None
    document = document or PolicyDocument(created_by=actor)
    for f in DOCUMENT_FIELDS:
        if f in data:
            setattr(document, f, data[f])
    document.full_clean(exclude=["created_by"])
    document.save()
    audit.record(
        "event",
        document,
        event="policy_document_created" if created else "policy_document_changed",
        changes={gettext_noop("文件标题"): document.title, gettext_noop("文号"): document.number},
        actor=actor,
    )
    return document


@transaction.atomic
def save_item(
    item: PolicyItem | None, *, actor, document: PolicyDocument | None = None, **data
) -> PolicyItem:
    """Create (with `document`) or change an item. Conditions and the amount rule are checked
    (`conditions.normalise`, `amounts.normalise`) and stored in canonical form; nothing is saved
    when any part is wrong."""
    permissions.require(actor, "policies.manage", _("您不能维护政策事项"))
    if item is not None:
        item = PolicyItem.objects.select_for_update().select_related("document__region").get(pk=item.pk)
        if not can_manage(actor, item):
            raise PermissionDenied(_("该政策事项不归您的部门负责"))
        document = item.document
    elif document is None or not can_manage_document(actor, document):
        raise PermissionDenied(_("该政策文件不在您的管理范围内"))
    department = data.get("department")
    if not isinstance(department, Department):
        raise ValidationError({"department": _("请选择责任部门")})
    s = scope_for(actor)
    if not s.is_admin and not permissions.allowed(actor, "policies.manage_area"):
        if department.pk != actor.department_id:
            raise ValidationError({"department": _("只能登记本部门负责的政策事项")})
    elif not Department.objects.visible_to(actor).filter(pk=department.pk).exists() and not s.is_admin:
        raise ValidationError({"department": _("责任部门不存在")})
    if not (data.get("title") or "").strip():
        raise ValidationError({"title": _("请填写事项名称")})
    _check_dates(data, "window_start", "window_end", _("申报截止"))
    year = data.get("data_year") or (item.data_year if item else None)
    if not year:
        raise ValidationError({"data_year": _("请填写数据年度")})
    tree = conditions.normalise(data.get("conditions", item.conditions if item else {}), default_year=year)
    rule = amounts.normalise(data.get("amount_rule", item.amount_rule if item else {}), default_year=year)
    created = item is None
    if item is None:
        item = PolicyItem(document=document, created_by=actor)
    before = {"status": item.status, "conditions": item.conditions, "amount_rule": item.amount_rule}
    for f in ITEM_FIELDS:
        if f in data:
            setattr(item, f, data[f])
    item.conditions, item.amount_rule = tree, rule
    if item.status == PolicyItem.Status.PUBLISHED and item.published_at is None:
        item.published_at = timezone.now()
    item.full_clean(exclude=["created_by", "document", "department"])
    item.save()
    changes: dict[str, object] = {gettext_noop("事项名称"): item.title, gettext_noop("状态"): item.get_status_display()}
    if before["conditions"] != tree:
        changes[gettext_noop("申享条件")] = conditions.describe(tree)
    if before["amount_rule"] != rule:
        changes[gettext_noop("金额规则")] = amounts.describe(rule)
    audit.record(
        "event",
        item,
        event="policy_item_created" if created else "policy_item_changed",
        changes=changes,
        actor=actor,
    )
    return item

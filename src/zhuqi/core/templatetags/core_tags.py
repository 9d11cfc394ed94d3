"""Template filters: money in 万元/亿元, percentages, event labels."""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhuqi.core.units import WAN, YI, half_up

register = template.Library()

# Domain events written by services, shown in timelines. Apps add theirs with EVENT_LABELS.update.
EVENT_LABELS: dict[str, str] = {
    "attachment_added": pgettext_lazy("timeline event", "上传附件"),
    "comment_added": pgettext_lazy("timeline event", "发表评论"),
    "totp_enrolled": pgettext_lazy("timeline event", "绑定动态口令"),
    "role_changed": pgettext_lazy("timeline event", "调整角色"),
    "account_created": pgettext_lazy("timeline event", "开通账号"),
    "account_updated": pgettext_lazy("timeline event", "修改账号信息"),
    "account_deactivated": pgettext_lazy("timeline event", "停用账号"),
    "account_reactivated": pgettext_lazy("timeline event", "恢复账号"),
    "account_activated": pgettext_lazy("timeline event", "激活账号"),
    "password_reset": pgettext_lazy("timeline event", "管理员重置密码"),
    "password_changed": pgettext_lazy("timeline event", "修改密码"),
    "password_link_sent": pgettext_lazy("timeline event", "发送重置密码链接"),
    "password_reset_requested": pgettext_lazy("timeline event", "申请重置密码"),
    "account_unlocked": pgettext_lazy("timeline event", "解锁账号"),
    "region_created": pgettext_lazy("timeline event", "新建区划"),
    "region_moved": pgettext_lazy("timeline event", "调整上级区划"),
    "region_enabled": pgettext_lazy("timeline event", "启用区划"),
    "region_disabled": pgettext_lazy("timeline event", "停用区划"),
    "department_created": pgettext_lazy("timeline event", "新建部门"),
    "department_moved": pgettext_lazy("timeline event", "调整所属区划"),
    "department_enabled": pgettext_lazy("timeline event", "启用部门"),
    "department_disabled": pgettext_lazy("timeline event", "停用部门"),
    "holidays_entered": pgettext_lazy("timeline event", "录入国家节假日安排"),
    "holidays_reentered": pgettext_lazy("timeline event", "重新录入国家节假日安排"),
}


@register.filter
def can(user, action: str) -> bool:
    """`{% if request.user|can:"projects.investment.import" %}`: the permission matrix
    (core/permissions.py) for templates, so a page shows only the links its viewer may use."""
    from zhuqi.core import permissions

    return permissions.allowed(user, action)


@register.filter
def event_label(code: str) -> str:
    return EVENT_LABELS.get(code, code)


# Change keys written by core itself (imports, exports, attachments, comments), for any model.
CORE_CHANGE_LABELS: dict[str, Any] = {
    "rows": gettext_lazy("行数"),
    "created": gettext_lazy("新增"),
    "updated": gettext_lazy("更新"),
    "attachment": gettext_lazy("附件"),
    "size": gettext_lazy("大小（字节）"),
    "comment": gettext_lazy("评论"),
    "visibility": gettext_lazy("可见范围"),
}


def _audit_model(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


@functools.cache
def _fields_of(model) -> dict[str, tuple[Any, Any]]:
    """Change key → (model, field): the model's own concrete fields first, then those of the
    models one relation away (an event on a project names its months' `actual`, its steps'
    `due_date`), each key taken by the first model that has it."""
    out: dict[str, tuple[Any, Any]] = {}
    related = [
        f.related_model
        for f in model._meta.get_fields()
        if f.is_relation and f.related_model is not None and f.related_model is not model
    ]
    for m in [model, *related]:
        for field in m._meta.concrete_fields:
            for key in (field.name, field.attname):
                out.setdefault(key, (m, field))
    return out


def _is_money(model, key: str) -> bool:
    """Amounts in yuan are the keys a model lists in its `MONEY_FIELDS` (shown in 万元)."""
    return key in getattr(model, "MONEY_FIELDS", ())


def _show(value, model, key: str, field):
    """One side of a change as people read it: a choice's label, an amount in 万元, 是/否."""
    if value is None or value == "" or isinstance(value, dict | list):
        return value
    if model is not None and _is_money(model, key):
        return wan(value)
    if field is None:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        at = parse_datetime(value)
        if at is not None:
            return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(at) else value
    return value


@register.filter
def object_type_label(object_type: str) -> str:
    """`core.user` → 用户: the model's verbose name (the code itself when the model is gone)."""
    model = _audit_model(object_type)
    return str(model._meta.verbose_name) if model is not None else (object_type or "")


@register.filter
def change_rows(entry) -> list[tuple[str, object, object]]:
    """An audit entry's changes as (label, old, new), as people read them: a field's verbose name,
    a choice's label instead of its code, amounts in yuan (`MONEY_FIELDS` of the model) in
    万元. Keys that are not fields of the entry's model are looked up in its `AUDIT_LABELS`, then
    among the fields of the models related to it, then core's own keys; the rest are Chinese
    msgids marked with gettext_noop, shown translated."""
    model = _audit_model(entry.object_type)
    fields = _fields_of(model) if model is not None else {}
    extra = getattr(model, "AUDIT_LABELS", {}) if model is not None else {}
    rows = []
    for key, value in (entry.changes or {}).items():
        if key == "id":
            continue
        old, new = (value + [None, None])[:2] if isinstance(value, list) else (None, value)
        owner, field = fields.get(key, (None, None))
        if owner is model and field is not None:
            label = _field_label(field, model, key)
        elif key in extra:
            owner, field, label = model, None, str(extra[key])
        elif field is not None:
            label = _field_label(field, owner, key)
        else:
            owner, label = model, str(CORE_CHANGE_LABELS.get(key) or _(key))
        rows.append((label, _show(old, owner, key, field), _show(new, owner, key, field)))
    return rows


def _field_label(field, model, key: str) -> str:
    label = str(field.verbose_name)
    if _is_money(model, field.name):  # the value says 万元 or 亿元; drop the label's （元）
        label = label.replace(_("（元）"), "").strip()
    return label


@register.filter
def wan(value) -> str:
    """Yuan → 万元 with two decimals (or 亿元 from 1 亿 up)."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if abs(amount) >= YI:
        return _("%(amount)s 亿元") % {"amount": (amount / YI).quantize(Decimal("0.01"))}
    return _("%(amount)s 万元") % {"amount": (amount / WAN).quantize(Decimal("0.01"))}


@register.filter
def pct(value, digits: int = 1) -> str:
    """A percentage rounded half up (`core.units.half_up`: 6.25 → 6.3%); "—" when missing."""
    if value is None or value == "":
        return "—"
    try:
        return f"{half_up(value, int(digits))}%"
    except (InvalidOperation, TypeError, ValueError):
        return "—"


@register.inclusion_tag("includes/object_actions.html", takes_context=True)
def object_actions(context, obj, **extra):
    """The actions later apps offer on this object's page (`core.views.register_object_action`),
    as small buttons; nothing when none applies."""
    from zhuqi.core.views import OBJECT_ACTIONS

    request = context.get("request")
    actions = []
    if request is not None and obj is not None:
        for provider in OBJECT_ACTIONS:
            action = provider(request, obj, **extra)
            if action:
                actions.append(action)
    return {"actions": actions}

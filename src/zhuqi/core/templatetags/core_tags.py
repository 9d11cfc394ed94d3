"""Template filters: money in 万元/亿元, percentages, event labels."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from zhuqi.core.units import WAN, YI, half_up

register = template.Library()

# Domain events written by services, shown in timelines. Apps add theirs with EVENT_LABELS.update.
EVENT_LABELS: dict[str, str] = {
    "attachment_added": pgettext_lazy("timeline event", "上传附件"),
    "comment_added": pgettext_lazy("timeline event", "发表评论"),
    "totp_enrolled": pgettext_lazy("timeline event", "绑定动态口令"),
}


@register.filter
def event_label(code: str) -> str:
    return EVENT_LABELS.get(code, code)


@register.filter
def change_rows(entry) -> list[tuple[str, object, object]]:
    """An audit entry's changes as (field label, old, new), labels from the model's verbose names."""
    from django.apps import apps

    labels: dict[str, str] = {}
    try:
        model = apps.get_model(entry.object_type) if entry.object_type else None
    except (LookupError, ValueError):
        model = None
    if model is not None:
        for field in model._meta.concrete_fields:
            labels[field.attname] = str(field.verbose_name)
            labels[field.name] = str(field.verbose_name)
    rows = []
    for key, value in (entry.changes or {}).items():
        if key == "id":
            continue
        old, new = (value + [None, None])[:2] if isinstance(value, list) else (None, value)
        # keys that are not model fields are Chinese msgids marked with gettext_noop: shown translated
        rows.append((labels.get(key) or _(key), old, new))
    return rows


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

"""Template helpers of the registry pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    if not hasattr(mapping, "get"):
        return None
    value = mapping.get(key)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value

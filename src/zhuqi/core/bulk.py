"""Audit items for rows written in bulk.

`bulk_create`, `bulk_update` and queryset `update` send no signals, so the row-diff layer of the audit log
(`zhuqi.core.audit`) does not see them. Set-based writers (the case sweep, the enterprise import)
build the same entries the signal handlers would have written with these helpers and append them
with `audit.record_many`, in the order the per-row code would have written them.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from . import audit


def row_diffs_on(model: type[models.Model]) -> bool:
    """True if saving a `model` row would write a row-diff entry right now."""
    return audit.current().enabled and audit._audited(model)


def created_item(instance: models.Model) -> dict[str, Any]:
    """The `create` entry `post_save` writes for a new row (its pk must be set)."""
    new = audit.field_values(instance)
    return {
        "action": "create",
        "obj": instance,
        "changes": {k: [None, v] for k, v in new.items() if v not in (None, "", [], {})},
    }


def updated_item(instance: models.Model, old: dict[str, Any]) -> dict[str, Any] | None:
    """The `update` (or `permission`) entry `post_save` writes for a changed row, given its
    `audit.field_values` before the change; None when nothing changed."""
    changes = audit.diff(old, audit.field_values(instance))
    if not changes:
        return None
    label = instance._meta.label_lower
    action = "permission" if audit.PERMISSION_FIELDS.get(label, set()) & changes.keys() else "update"
    return {"action": action, "obj": instance, "changes": changes}

"""Reads of the policy library and matching.

`matched(item, base)` is the item's whole matching as ONE SQL query over Enterprise (the item's
region subtree ∧ its compiled conditions); `near_misses(item, base)` the enterprises failing
exactly one top-level condition, also one query, each row annotated with which part failed.
`for_enterprise(enterprise)` explains every live item for one enterprise (qualifies / nearly)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import add

from django.db.models import BooleanField, Case, ExpressionWrapper, IntegerField, Q, When
from django.db.models import Value as V
from django.http import Http404

from zhuqi.core import permissions
from zhuqi.core.roles import DEPARTMENT_ROLES
from zhuqi.core.scope import scope_for
from zhuqi.enterprises.models import Enterprise

from . import amounts, conditions
from .models import PolicyDocument, PolicyItem, live_items_q


def documents_for(user):
    return PolicyDocument.objects.visible_to(user).select_related("region")


#: a new policy document is to be listed as items within this many working days of its issue
LISTING_DAYS = 7


def overdue_documents(user, today=None):
    """Documents issued more than `LISTING_DAYS` working days ago that still have no published
    item: the library's reminder (新政策 7 个工作日内上线)."""
    from django.utils import timezone

    from zhuqi.core.workcalendar import add_working_days

    today = today or timezone.localdate()
    cutoff = add_working_days(today, -LISTING_DAYS)
    published = PolicyItem.objects.filter(status=PolicyItem.Status.PUBLISHED).values("document_id")
    return documents_for(user).filter(issued_on__lt=cutoff).exclude(pk__in=published).order_by("issued_on")


def items_for(user):
    """Items the viewer may read: published ones for everyone, drafts for those who may manage
    policies."""
    qs = PolicyItem.objects.visible_to(user).select_related("document", "document__region", "department")
    if not permissions.allowed(user, "policies.manage"):
        qs = qs.filter(status=PolicyItem.Status.PUBLISHED)
    return qs


def item_for(user, pk) -> PolicyItem:
    return items_for(user).get_visible_or_404(user, pk=pk)


def item_q(item: PolicyItem) -> Q:
    """The whole matching condition of an item over Enterprise."""
    return Q(region_path__startswith=item.document.region.path) & conditions.compile_q(item.conditions)


def matched(item: PolicyItem, base=None):
    """Enterprises of `base` (default: every live enterprise) that qualify: one query."""
    base = Enterprise.objects.all() if base is None else base
    return base.filter(item_q(item))


def _parts(item: PolicyItem) -> list[dict]:
    tree = item.conditions
    if not tree:
        return []
    return tree.get("all", [tree])


def near_misses(item: PolicyItem, base=None):
    """Enterprises in the item's region failing exactly one top-level part of its conditions,
    each annotated `p0`, `p1`, … (part met) so the page names the missing one: one query."""
    base = Enterprise.objects.all() if base is None else base
    parts = _parts(item)
    if not parts:
        return base.none()
    flags = {
        f"p{i}": ExpressionWrapper(Q(conditions.compile_q(p)), output_field=BooleanField())
        for i, p in enumerate(parts)
    }
    met = reduce(
        add,
        [
            Case(When(conditions.compile_q(p), then=V(1)), default=V(0), output_field=IntegerField())
            for p in parts
        ],
    )
    qs = base.filter(region_path__startswith=item.document.region.path)
    cheap = [p for p in parts if _is_cheap(p)]
    if len(cheap) > 1:
        # an enterprise one part short meets all but at most one of the column-only parts: that
        # prefilter runs first and spares most enterprises the indicator and tag probes
        qs = qs.annotate(
            _cheap=reduce(
                add,
                [
                    Case(When(conditions.compile_q(p), then=V(1)), default=V(0), output_field=IntegerField())
                    for p in cheap
                ],
            )
        ).filter(_cheap__gte=len(cheap) - 1)
    return qs.annotate(_met=met).filter(_met=len(parts) - 1).annotate(**flags)


#: attributes read from the enterprise row itself (no subquery)
_COLUMN_ATTRS = {
    "above_scale",
    "above_scale_since",
    "tier",
    "founded_on",
    "employees",
    "land_area_mu",
    "registered_capital",
    "region",
}


def _is_cheap(node: dict) -> bool:
    if "not" in node:
        return _is_cheap(node["not"])
    if "all" in node or "any" in node:
        return all(_is_cheap(c) for c in node.get("all") or node.get("any"))
    return node.get("attr") in _COLUMN_ATTRS


def part_texts(item: PolicyItem) -> list[list[str]]:
    """Each top-level part of the item's conditions in words (worked out once per page)."""
    return [conditions.describe(p) for p in _parts(item)]


def missing_part(item: PolicyItem, row, texts: list[list[str]] | None = None) -> list[str]:
    """The failed part of a near-miss row, in words."""
    texts = part_texts(item) if texts is None else texts
    for i, text in enumerate(texts):
        if not getattr(row, f"p{i}", True):
            return text
    return []


@dataclass
class Entry:
    item: PolicyItem
    explanation: conditions.Explanation
    amount: Decimal | None
    amount_text: str


def for_enterprise(enterprise: Enterprise, *, today=None) -> tuple[list[Entry], list[Entry]]:
    """(the live items `enterprise` qualifies for, those it nearly qualifies for: one part
    missing), each explained with the enterprise's own values: for ONE enterprise."""
    facts = conditions.Facts(enterprise)
    qualifies, nearly = [], []
    items = (
        PolicyItem.objects.filter(live_items_q(today))
        .select_related("document", "document__region", "department")
        .order_by("-published_at", "-pk")
    )
    for item in items:
        if not enterprise.region_path.startswith(item.document.region.path):
            continue
        ex = conditions.evaluate(item.conditions, facts)
        if ex.met:
            amount, text = amounts.compute(item.amount_rule, facts)
            qualifies.append(Entry(item, ex, amount, text))
        elif ex.parts > 1 and len(ex.failed_parts) == 1:
            nearly.append(Entry(item, ex, None, ""))
    return qualifies, nearly


def not_yet_applied(enterprise: Enterprise, *, today=None) -> tuple[list[Entry], list[Entry]]:
    """`for_enterprise` without the items the enterprise has already applied for: what its
    可享政策 page and its home page offer."""
    from .models import Application

    qualifies, nearly = for_enterprise(enterprise, today=today)
    applied = set(Application.objects.filter(enterprise=enterprise).values_list("item_id", flat=True))
    return [e for e in qualifies if e.item.pk not in applied], nearly


def explain(item: PolicyItem, enterprise: Enterprise) -> Entry:
    facts = conditions.Facts(enterprise)
    ex = conditions.evaluate(item.conditions, facts)
    in_region = enterprise.region_path.startswith(item.document.region.path)
    if not in_region:
        ex.met = False
        ex.lines.insert(
            0,
            conditions.Line(
                str(conditions.ATTRS["region"].label),
                item.document.region.name,
                enterprise.region.name,
                False,
            ),
        )
    amount, text = amounts.compute(item.amount_rule, facts) if ex.met else (None, "")
    return Entry(item, ex, amount, text)


def own_enterprise(user) -> Enterprise:
    membership = getattr(user, "enterprise_membership", None)
    if membership is None:
        raise Http404
    return membership.enterprise


def publicity(item: PolicyItem):
    """The item's 公示 list: the claims on public show now, by enterprise name (public by
    design: names, amounts and the date objections close, nothing else)."""
    from .models import Application

    return (
        Application.objects.filter(item=item, status=Application.Status.PUBLICISED)
        .select_related("enterprise__region")
        .only("amount", "publicity_until", "enterprise__name", "enterprise__region__name")
        .order_by("enterprise__name", "pk")
    )


def applications_for(user):
    """The claims (兑现申请) a viewer may list: an enterprise its own; a department's people
    those of the items their department handles; the dispatch office, admins and the other
    officials who read policies (leaders, 督查, observers) every claim in their scope."""
    from .models import Application

    qs = Application.objects.visible_to(user).select_related("item", "item__department", "enterprise")
    if permissions.allowed(user, "policies.own"):
        return qs
    if not permissions.allowed(user, "policies.view"):
        return qs.none()
    if scope_for(user).is_admin or permissions.allowed(user, "policies.manage_area"):
        return qs
    if user.role in DEPARTMENT_ROLES:
        return qs.filter(item__department_id=getattr(user, "department_id", None))
    return qs

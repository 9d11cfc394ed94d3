"""Reads of the assistance app (scoped)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuqi.enterprises.models import Enterprise

from .models import Assignment, AssignmentRole, LoadLimit


def assigned_enterprises_q(user) -> Q | None:
    """Scope hook for core: the enterprises a user currently looks after."""
    if not getattr(user, "pk", None):
        return None
    return Q(assignments__user=user, assignments__ended_on__isnull=True)


def my_enterprises(user, year: int | None = None):
    """Enterprises the user currently holds an assignment for (any role), newest year first."""
    year = year or timezone.localdate().year
    ids = Assignment.objects.filter(user=user, ended_on__isnull=True, year=year).values("enterprise_id")
    return Enterprise.objects.visible_to(user).filter(pk__in=ids).select_related("region", "industry")


def current_team(enterprise, year: int | None = None) -> list[dict]:
    """The 五位一体 team of an enterprise for a year: one row per role, holder or None."""
    year = year or timezone.localdate().year
    current = {
        a.role: a
        for a in Assignment.objects.filter(
            enterprise=enterprise, year=year, ended_on__isnull=True
        ).select_related("user", "department")
    }
    return [
        {"role": value, "label": label, "assignment": current.get(value)}
        for value, label in AssignmentRole.choices
    ]


def load_of(user, role: str, year: int) -> int:
    return Assignment.objects.filter(user=user, role=role, year=year, ended_on__isnull=True).count()


def load_warnings(user, role: str, year: int) -> list[str]:
    """Chinese warnings when the official's load in the role is outside its configured range."""
    limit = LoadLimit.objects.filter(role=role).first()
    if limit is None:
        return []
    n = load_of(user, role, year)
    label = AssignmentRole(role).label
    if n > limit.max_count:
        return [
            _("%(display_name)s 已作为%(label)s包抓 %(n)s 户企业，超过上限 %(max_count)s 户")
            % {"display_name": user.display_name, "label": label, "n": n, "max_count": limit.max_count}
        ]
    if n < limit.min_count:
        return [
            _("%(display_name)s 作为%(label)s仅包抓 %(n)s 户企业，少于要求的 %(min_count)s 户")
            % {"display_name": user.display_name, "label": label, "n": n, "min_count": limit.min_count}
        ]
    return []


def load_table(viewer, year: int):
    """Every official's current load per role in the viewer's scope, with limit warnings."""
    from django.db.models import Count

    limits = {ll.role: ll for ll in LoadLimit.objects.all()}
    rows = (
        Assignment.objects.visible_to(viewer)
        .filter(year=year, ended_on__isnull=True)
        .values("user_id", "user__full_name", "user__username", "role")
        .annotate(n=Count("id"))
        .order_by("role", "-n", "user__full_name")
    )
    out = []
    for r in rows:
        limit = limits.get(r["role"])
        status = ""
        if limit and r["n"] > limit.max_count:
            status = "over"
        elif limit and r["n"] < limit.min_count:
            status = "under"
        out.append(
            {
                "user_id": r["user_id"],
                "name": r["user__full_name"] or r["user__username"],
                "role": r["role"],
                "role_label": AssignmentRole(r["role"]).label,
                "n": r["n"],
                "limit": limit,
                "status": status,
            }
        )
    return out

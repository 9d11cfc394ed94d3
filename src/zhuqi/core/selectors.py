"""Core reads for the pages: each starts from `visible_to(user)` or the user's own rows."""

from __future__ import annotations

from django.db.models import Count, Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEntry, Department, Notification, Region, Role, User
from .scope import scope_for


def totp_devices(user) -> tuple[TOTPDevice | None, TOTPDevice | None]:
    """The user's confirmed TOTP device and their unconfirmed (enrolling) one, either None."""
    confirmed = pending = None
    for device in TOTPDevice.objects.filter(user=user).order_by("id"):
        if device.confirmed and confirmed is None:
            confirmed = device
        elif not device.confirmed and pending is None:
            pending = device
    return confirmed, pending


def regions(user, *, q: str = "", kind: str | None = None):
    """Regions in scope, tree order, with their number of departments; `q` matches the name or
    the start of the code."""
    qs = Region.objects.visible_to(user).annotate(n_departments=Count("departments", distinct=True))
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    if kind in Region.Kind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def region_parts(user, region: Region) -> dict:
    """A region's visible children and departments, and the chain of regions above it (with
    the ids of those the viewer may open: a grid member sees the county's name, not its page)."""
    ancestors = list(Region.objects.filter(path__in=region.ancestor_paths()).order_by("depth"))
    return {
        "children": Region.objects.visible_to(user).filter(parent=region),
        "departments": Department.objects.visible_to(user).filter(region=region),
        "ancestors": ancestors,
        "linkable_regions": set(
            Region.objects.visible_to(user)
            .filter(pk__in=[a.pk for a in ancestors])
            .values_list("pk", flat=True)
        ),
    }


def linkable_people(viewer, ids) -> set[int]:
    """Of the people `ids`, those whose page (`core:user_detail`) the viewer may open: a name
    shown to a role links only to a page that works for that role, else it is plain text."""
    from . import permissions

    ids = {i for i in ids if i}
    if not ids or not permissions.allowed(viewer, "core.people.view"):
        return set()
    return set(User.objects.visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))


def departments(user, *, q: str = ""):
    qs = (
        Department.objects.visible_to(user)
        .select_related("region")
        .annotate(n_users=Count("users"))
        .order_by("region__path", "name")
    )
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(short_name__contains=q))
    return qs


def people(user, *, q: str = "", role: str | None = None, department: Department | None = None):
    """Active users in scope; `q` matches name, username or title."""
    qs = User.objects.visible_to(user).select_related("region", "department").filter(is_active=True)
    if department is not None:
        qs = qs.filter(department=department)
    if q:
        qs = qs.filter(Q(full_name__contains=q) | Q(username__icontains=q) | Q(title__contains=q))
    if role in Role.values:
        qs = qs.filter(role=role)
    return qs


def inbox(user, *, unread_only: bool = False):
    qs = Notification.objects.visible_to(user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def audit_entries(user, *, action: str | None = None, q: str = ""):
    """The audit log as a viewer may read it: all of it for a system administrator, else the
    entries of people in their scope (a supervisor)."""
    qs = AuditEntry.objects.select_related("actor")
    if not user.is_system_admin:
        qs = qs.filter(actor__in=User.objects.filter(scope_for(user).user_q()))
    if action in AuditEntry.Action.values:
        qs = qs.filter(action=action)
    if q:
        qs = qs.filter(Q(object_repr__contains=q) | Q(actor_label__contains=q) | Q(event__contains=q))
    return qs

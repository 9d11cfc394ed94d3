"""Reads of the oversight app, each starting from `Item.objects.visible_to(user)`."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext

from .models import Extension, Item, ListKind, Slip, Status

_RELATED = ("region", "lead_department")
QUEUE_STATUSES = (Status.ASSIGNED, Status.REPLIED)


def items_for(
    user,
    *,
    status: str = "",
    slip: int | None = None,
    list_kind: str = "",
    q: str = "",
    region=None,
    department: int | None = None,
    due_from=None,
    due_to=None,
):
    qs = Item.objects.visible_to(user).select_related(*_RELATED)
    if department is not None:  # an assessment's drill-down: the items a department leads
        qs = qs.filter(lead_department_id=department)
    if due_from is not None:
        qs = qs.filter(due_on__gte=due_from)
    if due_to is not None:
        qs = qs.filter(due_on__lte=due_to)
    if region is not None:  # a Region the viewer may see: the items of its subtree
        qs = qs.filter(region__path__startswith=region.path)
    if status == "open":
        qs = qs.open()
    elif status == "queue":  # the queue's items: 办理中 and 待审核 (`queue`, `queue_counts`)
        qs = qs.filter(status__in=QUEUE_STATUSES)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if slip is not None and slip in Slip.values:
        qs = qs.filter(slip=slip)
    if list_kind in ListKind.values:
        qs = qs.filter(list_kind=list_kind)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-slip", "due_on", "pk")


def queue(user):
    """督查's queue: items 办理中 and 待审核 in scope, red first, then orange, blue, the others;
    within a colour the nearest deadline first."""
    return (
        Item.objects.visible_to(user)
        .filter(status__in=QUEUE_STATUSES)
        .select_related(*_RELATED)
        .order_by("-slip", "due_on", "pk")
    )


def queue_counts(user) -> dict:
    """The queue's numbers in one query: items of each colour, replies to review, requests."""
    open_q = Q(status__in=QUEUE_STATUSES)
    row = Item.objects.visible_to(user).aggregate(
        red=Count("pk", filter=open_q & Q(slip=Slip.RED)),
        orange=Count("pk", filter=open_q & Q(slip=Slip.ORANGE)),
        blue=Count("pk", filter=open_q & Q(slip=Slip.BLUE)),
        review=Count("pk", filter=Q(status=Status.REPLIED)),
        accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
    )
    row["extensions"] = pending_extensions(user).count()
    return row


def department_queue(user):
    """A department's supervision items still to work on (办理中: not yet replied, or sent
    back), red first, then the nearest deadline; the same rows as `items_for(status="assigned")`."""
    return items_for(user, status=Status.ASSIGNED)


def to_review(user):
    return (
        Item.objects.visible_to(user).filter(status=Status.REPLIED).select_related(*_RELATED).order_by("pk")
    )


def pending_extensions(user):
    return (
        Extension.objects.filter(
            status=Extension.Status.PENDING, item__in=Item.objects.visible_to(user).values("pk")
        )
        .select_related("item", "item__lead_department", "requested_by")
        .order_by("requested_at")
    )


def latest_bulletin(user, region):
    """The latest published bulletin of `region` or a region above it that the viewer may see."""
    from .models import Bulletin

    return (
        Bulletin.objects.visible_to(user)
        .filter(status=Bulletin.Status.PUBLISHED, region__path__in=region.ancestor_paths())
        .order_by("-year", "-month", "-pk")
        .first()
    )


def department_uses(department) -> list[tuple[str, int]]:
    """What a department still holds before it may be deactivated (core.references)."""
    return [
        (gettext("未销号的督办事项（牵头）"), Item.objects.open().filter(lead_department=department).count())
    ]


def region_uses(region) -> list[tuple[str, int]]:
    return [(gettext("未销号的督办事项"), Item.objects.open().filter(region=region).count())]

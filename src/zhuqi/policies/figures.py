"""Fulfilment figures per item (src/zhuqi/docs/policies.md §7): each count is defined once as a
condition over the item's pushes or claims, so the number and its drill-down (the claims list
with the same `status` filter) agree. Scope: the pushes and claims of enterprises the viewer may
see; the items the viewer may read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from zhuqi.core.units import rate, ratio
from zhuqi.core.workcalendar import working_days_between

from .models import Application, Match

S = Application.Status
#: key → (label, the condition over claims); "pushed"/"read" are over pushes
CLAIMS = {
    "applied": Q(),
    "approved": Q(status__in=[S.APPROVED, S.PAID, S.CLAWED_BACK]),
    "paid": Q(status=S.PAID),
    "clawed_back": Q(status=S.CLAWED_BACK),
}


@dataclass
class Row:
    item: object
    pushed: int = 0
    read: int = 0
    counts: dict = field(default_factory=dict)
    amount_paid: Decimal = Decimal(0)
    on_time: int = 0
    days: list = field(default_factory=list)

    @property
    def read_rate(self):
        return rate(self.read, self.pushed)

    @property
    def on_time_rate(self):
        return rate(self.on_time, self.counts.get("paid", 0) + self.counts.get("clawed_back", 0))

    @property
    def average_days(self):
        return ratio(sum(self.days), len(self.days))


def item_figures(user, items) -> list[Row]:
    """One row per item of `items`: pushed, read, applied, approved, paid, clawed back, the
    amount paid (yuan), paid within the limit (of those paid, clawed-back ones included: they
    were paid) and the average working days from application to payment."""
    items = list(items)
    rows = {i.pk: Row(i) for i in items}
    ids = list(rows)
    for r in (
        Match.objects.visible_to(user)
        .filter(item_id__in=ids)
        .values("item_id")
        .annotate(n=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)))
        .order_by()
    ):
        rows[r["item_id"]].pushed, rows[r["item_id"]].read = r["n"], r["read"]
    claims = Application.objects.visible_to(user).filter(item_id__in=ids)
    agg = {k: Count("pk", filter=q) for k, q in CLAIMS.items()}
    for r in claims.values("item_id").annotate(**agg, amount=Sum("amount", filter=CLAIMS["paid"])).order_by():
        row = rows[r["item_id"]]
        row.counts = {k: r[k] for k in CLAIMS}
        row.amount_paid = r["amount"] or Decimal(0)
    days = defaultdict(list)
    for item_id, applied_at, paid_on, due_on in claims.filter(paid_on__isnull=False).values_list(
        "item_id", "applied_at", "paid_on", "due_on"
    ):
        days[item_id].append(working_days_between(applied_at, paid_on))
        if paid_on <= due_on:
            rows[item_id].on_time += 1
    for item_id, d in days.items():
        rows[item_id].days = d
    return [rows[i.pk] for i in items]


def money_by_enterprise(user, limit: int = 50) -> list[dict]:
    """The enterprises the viewer may see by money received (claims 已兑现, yuan), most first:
    one grouped query."""
    return list(
        Application.objects.visible_to(user)
        .filter(CLAIMS["paid"])
        .values("enterprise_id", "enterprise__name")
        .annotate(amount=Sum("amount"), claims=Count("pk"))
        .order_by("-amount", "enterprise__name")[:limit]
    )


def paid_in(user, region) -> dict:
    """Claims 已兑现 of `region`'s enterprises the viewer may list: how many and the amount
    (yuan), the rows of the claims list filtered by `status=paid` and `region`."""
    from .selectors import applications_for

    row = (
        applications_for(user)
        .filter(CLAIMS["paid"], enterprise__region_path__startswith=region.path)
        .aggregate(n=Count("pk"), amount=Sum("amount"))
    )
    return {"n": row["n"], "amount": row["amount"] or Decimal(0)}

"""Fulfilment figures per item (src/zhuqi/docs/policies.md §7): each count is defined once as a
condition over the item's pushes or claims, so the number and its drill-down (the claims list
with the same `status` filter) agree. Scope: the pushes and claims of enterprises the viewer may
see; the items the viewer may read."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate

from zhuqi.core.units import rate, ratio
from zhuqi.core.workcalendar import SHANGHAI, working_days_between

from .models import Application, Match

S = Application.Status
#: key → (label, the condition over claims); "pushed"/"read" are over pushes
CLAIMS = {
    "applied": Q(),
    "approved": Q(status__in=[S.APPROVED, S.PUBLICISED, S.PAID, S.CLAWED_BACK]),
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
    days_total: int = 0  # Σ working days from application to payment, over the claims paid
    days_count: int = 0

    @property
    def read_rate(self):
        return rate(self.read, self.pushed)

    @property
    def on_time_rate(self):
        return rate(self.on_time, self.counts.get("paid", 0) + self.counts.get("clawed_back", 0))

    @property
    def average_days(self):
        return ratio(self.days_total, self.days_count)


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
    # working days need the work calendar: one row per (item, day applied, day paid) with its
    # count, each distinct pair counted once in Python (a province's claims share few pairs)
    paid = (
        claims.filter(paid_on__isnull=False)
        .annotate(day=TruncDate("applied_at", tzinfo=SHANGHAI))
        .values("item_id", "day", "paid_on")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(paid_on__lte=F("due_on"))))
        .order_by()
    )
    for r in paid:
        row = rows[r["item_id"]]
        row.on_time += r["on_time"]
        row.days_total += working_days_between(r["day"], r["paid_on"]) * r["n"]
        row.days_count += r["n"]
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


def _region_under(user):
    """The region whose subdivisions a viewer's money table lists: the viewer's own region
    (None for a province-wide administrator: the top level)."""
    from zhuqi.core.models import Region
    from zhuqi.core.scope import scope_for

    path = scope_for(user).region_path
    return Region.objects.filter(path=path).first() if path else None


def money_by_region(user) -> list[dict]:
    """Money received (claims 已兑现, yuan) by each subdivision of the viewer's region — a county
    official sees its towns and parks — in one query with one conditional sum per subdivision,
    plus the enterprises registered at the viewer's region itself. Most money first."""
    from zhuqi.core.models import Region

    parent = _region_under(user)
    children = list(
        (parent.children.all() if parent else Region.objects.filter(parent__isnull=True))
        .filter(is_active=True)
        .order_by("code")
    )
    paid = Application.objects.visible_to(user).filter(CLAIMS["paid"])
    agg = {}
    for c in children:
        where = Q(enterprise__region__path__startswith=c.path)
        agg[f"a{c.pk}"], agg[f"n{c.pk}"] = Sum("amount", filter=where), Count("pk", filter=where)
    if parent is not None:
        agg["a_own"], agg["n_own"] = (
            Sum("amount", filter=Q(enterprise__region=parent)),
            Count("pk", filter=Q(enterprise__region=parent)),
        )
    got = paid.aggregate(**agg) if agg else {}
    rows = [
        {"region": c, "amount": got[f"a{c.pk}"] or Decimal(0), "claims": got[f"n{c.pk}"]}
        for c in children
        if got.get(f"n{c.pk}")
    ]
    if parent is not None and got.get("n_own"):
        rows.append({"region": parent, "amount": got["a_own"], "claims": got["n_own"], "own": True})
    rows.sort(key=lambda r: (-r["amount"], r["region"].code))
    return rows


def money_by_department(user) -> list[dict]:
    """Money paid (claims 已兑现, yuan) by the department responsible for the item: one grouped
    query over the claims the viewer may see."""
    return list(
        Application.objects.visible_to(user)
        .filter(CLAIMS["paid"])
        .values("item__department_id", "item__department__name")
        .annotate(amount=Sum("amount"), claims=Count("pk"))
        .order_by("-amount", "item__department__name")
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

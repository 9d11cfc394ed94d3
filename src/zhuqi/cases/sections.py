"""The enterprise page's 诉求 panel: the enterprise's open cases first (status and due date),
then the last closed ones; only the cases the viewer may see, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import F

from zhuqi.core.models import Role

from .models import OPEN_STATUSES, Case

OPEN_SHOWN = 20
CLOSED_SHOWN = 5


def cases_section(request, enterprise):
    user = request.user
    is_enterprise = user.role == Role.ENTERPRISE
    qs = Case.objects.visible_to(user).filter(enterprise=enterprise).select_related("lead_department")
    open_qs = qs.filter(status__in=OPEN_STATUSES)
    # officials see the nearest deadline of any clock; the enterprise only the reply it awaits
    due = "reply_due_at" if is_enterprise else "next_due_at"
    open_cases = list(open_qs.with_rag().order_by(F(due).asc(nulls_last=True), "-submitted_at")[:OPEN_SHOWN])
    closed = list(qs.exclude(status__in=OPEN_STATUSES).order_by("-submitted_at")[:CLOSED_SHOWN])
    n_open = len(open_cases) if len(open_cases) < OPEN_SHOWN else open_qs.count()
    for case in open_cases:
        case.shown_due = getattr(case, due)
    return {
        "template": "cases/sections/enterprise_cases.html",
        "open": open_cases,
        "closed": closed,
        "n_open": n_open,
        "is_enterprise": is_enterprise,
    }

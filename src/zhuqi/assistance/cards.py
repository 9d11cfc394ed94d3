"""Home-page cards of the assistance app."""

from __future__ import annotations

from django.utils import timezone

from zhuqi.core import permissions

from . import compliance
from .models import Assignment, Period
from .selectors import my_enterprises


def my_enterprises_card(request):
    """An official's own enterprises first, with this period's visit status."""
    user = request.user
    if not permissions.allowed(user, "assistance.my_enterprises"):
        return None
    today = timezone.localdate()
    ents = list(my_enterprises(user)[:8])
    if not ents:
        return None
    start, end = compliance.period_bounds(Period.QUARTER, today)
    rows = compliance.compute(
        Assignment.objects.filter(user=user, ended_on__isnull=True), start, end, today=today
    )
    summary = compliance.Summary(user, user.display_name)
    for row in rows:
        summary.add(row)
    return {
        "template": "assistance/cards/my_enterprises.html",
        "enterprises": ents,
        "summary": summary,
        "period_label": compliance.range_label(Period.QUARTER, start),
    }

"""The cockpit's card on a county leader's home page: the headline figures of their region,
each opening its rows, and the way into the cockpit."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.roles import Role

from . import figures
from .views import region_for

HEADLINES = ("close_rate", "overdue", "escalated", "red", "investment", "red_items")


def cockpit_card(request) -> dict | None:
    user = request.user
    if user.role not in {Role.LEADER, Role.OBSERVER} or not permissions.allowed(user, "cockpit.view"):
        return None
    try:
        region = region_for(request)
    except Http404:  # no region in scope: no card
        return None
    today = timezone.localdate()
    secs = [
        figures.cases(user, region, today),
        figures.projects(user, region, today, headline=True),
        figures.oversight(user, region, today, headline=True),
    ]
    flat = figures.flat(secs)
    return {
        "template": "cockpit/_home_card.html",
        "order": 20,
        "region": region,
        "figures": [flat[k] for k in HEADLINES if k in flat],
        "link": reverse("cockpit:cockpit"),
        "link_label": _("打开驾驶舱"),
    }

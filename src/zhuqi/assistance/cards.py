"""Home-page cards of the assistance app: an official's visits due, most urgent first."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.roles import Role

from . import compliance
from .models import Assignment, Period
from .selectors import my_enterprises

#: the roles whose home page opens on their visits (the commissioner and the grid member);
#: other officials with assignments see the card after their own queue
VISITING_ROLES = frozenset({Role.COMMISSIONER, Role.GRID})


def visits_due(user, today: dt.date) -> tuple[compliance.Summary, list[dict], str]:
    """This quarter's visit duties of `user` (the visit rules against their assignments): the
    summary the compliance page shows, and the periods not yet met — overdue first, then by
    deadline — each with its enterprise and last day."""
    start, end = compliance.period_bounds(Period.QUARTER, today)
    rows = compliance.compute(
        Assignment.objects.filter(user=user, ended_on__isnull=True), start, end, today=today
    )
    summary = compliance.Summary(user, user.display_name)
    for row in rows:
        summary.add(row)
    week_end = today + dt.timedelta(days=6 - today.weekday())
    open_units = []
    for row in rows:
        for unit in row.units:
            if unit.status == compliance.DONE:
                continue
            open_units.append(
                {
                    "title": row.assignment.enterprise.name,
                    "url": reverse("assistance:visit_create")
                    + "?"
                    + urlencode({"enterprise": row.assignment.enterprise_id}),
                    "meta": _("已走访 %(n)s 次，应 %(m)s 次") % {"n": unit.visits, "m": row.rule.min_visits},
                    "due": unit.end,
                    "due_label": _("逾期 ") if unit.status == compliance.OVERDUE else _("走访期限 "),
                    "tone": "danger"
                    if unit.status == compliance.OVERDUE
                    else ("warning" if unit.end <= week_end else ""),
                    "week": unit.status == compliance.DUE and unit.end <= week_end,
                    "overdue": unit.status == compliance.OVERDUE,
                }
            )
    open_units.sort(key=lambda u: (not u["overdue"], u["due"], u["title"]))
    return summary, open_units, compliance.range_label(Period.QUARTER, start)


def my_enterprises_card(request):
    """An official's visits due this week and overdue, then the other visits of the quarter,
    each opening the visit form for its enterprise."""
    user = request.user
    if not permissions.allowed(user, "assistance.my_enterprises"):
        return None
    if not my_enterprises(user)[:1].exists():
        return None
    today = timezone.localdate()
    summary, units, period_label = visits_due(user, today)
    report = (
        reverse("assistance:compliance_official", args=[user.pk])
        + "?"
        + urlencode({"period": Period.QUARTER, "date": today.isoformat()})
    )
    return {
        "template": "core/_queue_card.html",
        "testid": "card-my-enterprises",
        "order": 10 if user.role in VISITING_ROLES else 30,
        "title": _("待走访的包抓企业（%(period)s）") % {"period": period_label},
        "stats": [
            (_("本周到期"), sum(1 for u in units if u["week"]), report, "warning"),
            (_("逾期未走访"), summary.overdue, report, "danger"),
            (_("本期待走访"), summary.due, report, ""),
            (_("已完成"), summary.done, report, ""),
        ],
        "items": units[:8],
        "link": reverse("assistance:my_enterprises"),
        "link_label": _("我的包抓企业"),
        "empty": _("本期走访任务都已完成"),
    }

"""Home-page cards of the indicators app: the returns an enterprise must file, and the
indicators of a leader's region that are behind schedule (时序进度) or their growth target."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.roles import Role
from zhuqi.core.units import half_up

from . import selectors


def returns_card(request) -> dict | None:
    """An enterprise's returns still to file (this and recent periods), overdue first."""
    user = request.user
    if not permissions.allowed(user, "indicators.report"):
        return None
    membership = getattr(user, "enterprise_membership", None)
    if membership is None:
        return None
    due = selectors.returns_to_file(membership.enterprise, timezone.localdate())
    if not due:
        return None
    enterprise = membership.enterprise
    url = reverse("indicators:my_returns")
    return {
        "template": "core/_queue_card.html",
        "testid": "returns-card",
        "order": 12,
        "title": _("待填报的报表"),
        "stats": [
            (_("已逾期"), sum(1 for r in due if r["state"] == "overdue"), url, "danger"),
            (_("待填报"), sum(1 for r in due if r["state"] == "open"), url, "warning"),
        ],
        "items": [
            {
                "title": f"{r['dataset'].name} {r['label']}",
                "url": reverse(
                    "indicators:return_form", args=[r["dataset"].pk, r["period"].code, enterprise.pk]
                ),
                "due": r["due"],
                "due_label": _("已逾期 ") if r["state"] == "overdue" else _("报送期限 "),
                "tone": "danger" if r["state"] == "overdue" else "",
            }
            for r in due[:6]
        ],
        "link": url,
        "link_label": _("全部报表"),
    }


def laggards_card(request) -> dict | None:
    """The county leader's indicators behind: 超时序进度 below zero or growth below target, the
    furthest behind first, each opening the 经济指标调度 on that indicator."""
    user = request.user
    if user.role != Role.LEADER or not permissions.allowed(user, "indicators.view"):
        return None
    behind = selectors.behind_indicators(user, timezone.localdate())
    if behind is None:
        return None
    region, period, rows = behind
    base = reverse("indicators:dispatch")
    query = {"region": region.pk, "period": period.code}
    return {
        "template": "core/_queue_card.html",
        "testid": "laggards-card",
        "order": 15,
        "title": _("落后的经济指标（%(period)s）") % {"period": period.label()},
        "stats": [],
        "items": [
            {
                "title": f.indicator.name,
                "url": base + "?" + urlencode({**query, "indicator": f.indicator.code}),
                "meta": _("完成 %(done)s%% · 时序 %(elapsed)s%%")
                % {"done": f.completion, "elapsed": f.elapsed}
                if f.lead is not None
                else _("增速 %(g)s%% · 目标 %(t)s%%")
                % {"g": half_up(f.shown_growth, 1), "t": half_up(f.growth_target, 1)},
                "badge": _("落后 %(p)s 个百分点")
                % {"p": abs(f.lead if f.lead is not None else f.growth_gap)},
                "tone": "danger",
            }
            for f in rows[:6]
        ],
        "link": base + "?" + urlencode(query),
        "link_label": _("经济指标调度"),
        "empty": _("各项指标都不落后于时序进度和增速目标"),
    }

"""督查's queue on the home page: the first card a 督查 sees."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.roles import Role

from . import selectors


def queue_card(request) -> dict | None:
    """The 督查 home page's queue: the counts by colour, the replies and requests waiting, and
    the first red and orange items."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    if role != Role.SUPERVISOR or not permissions.allowed(user, "oversight.queue"):
        return None
    counts = selectors.queue_counts(user)
    queue_url = reverse("oversight:queue")
    items_url = reverse("oversight:item_list")
    return {
        "template": "oversight/_home_card.html",
        "title": _("督办队列"),
        "stats": [
            (_("红色督办"), counts["red"], f"{items_url}?slip=3", "danger"),
            (_("橙色督办"), counts["orange"], f"{items_url}?slip=2", "warning"),
            (_("待审核"), counts["review"], f"{items_url}?status=replied", ""),
            (_("延期申请"), counts["extensions"], queue_url, ""),
        ],
        "items": list(selectors.queue(user).filter(slip__gte=2)[:6]),
        "link": queue_url,
        "link_label": _("进入督办队列"),
    }


def raise_item_action(request, obj, **context) -> dict | None:
    """立为督办事项 on the page of an open case, a project, or a lagging indicator's row: the new
    item's form, its source and title filled in (the 督查 office and the dispatch office)."""
    from django.utils.http import urlencode
    from django.utils.translation import gettext

    if not permissions.allowed(request.user, "oversight.item.create"):
        return None
    label = obj._meta.label_lower
    if label == "cases.case":
        if not obj.is_open:
            return None
        params = {
            "source": "case",
            "ref": obj.no,
            "title": gettext("督办诉求%(no)s：%(title)s") % {"no": obj.no, "title": obj.title},
        }
    elif label == "projects.project":
        params = {
            "source": "project",
            "ref": obj.code,
            "title": gettext("督办项目：%(name)s") % {"name": obj.name},
        }
    elif label == "indicators.indicator":
        who = context.get("who") or ""
        params = {
            "source": "indicator",
            "ref": obj.code,
            "title": gettext("%(who)s%(indicator)s落后于时序进度") % {"who": who, "indicator": obj.name},
        }
    else:
        return None
    return {
        "label": _("立为督办事项"),
        "url": f"{reverse('oversight:item_new')}?{urlencode({k: v[:200] for k, v in params.items()})}",
        "icon": "flag",
        "testid": "raise-oversight-item",
    }

"""督查's queue on the home page (the first card a 督查 sees), and a department's supervision
items on its people's home pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.roles import DEPARTMENT_ROLES, Role

from . import selectors
from .models import Slip


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
        "order": 5,
        "title": _("督办队列"),
        "stats": [
            (_("红色督办"), counts["red"], f"{items_url}?status=queue&slip={Slip.RED}", "danger"),
            (_("橙色督办"), counts["orange"], f"{items_url}?status=queue&slip={Slip.ORANGE}", "warning"),
            (_("待审核"), counts["review"], f"{items_url}?status=replied", ""),
            (_("延期申请"), counts["extensions"], queue_url, ""),
        ],
        "items": list(selectors.queue(user).filter(slip__gte=Slip.ORANGE)[:6]),
        "link": queue_url,
        "link_label": _("进入督办队列"),
    }


def raise_item_action(request, obj, **context) -> dict | None:
    """立为督办事项 on the page of an open case, a project, a lagging indicator's row, or a 履约
    obligation under a 违约预警 (on its lead's page): the new item's form, its source and title
    filled in (the 督查 office and the dispatch office)."""
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
    elif label == "attraction.obligation":
        if not obj.breached_at or obj.status == obj.Status.MET:
            return None
        params = {
            "source": "obligation",
            "ref": str(obj.pk),
            "title": gettext("督办招商项目履约：%(title)s未履约“%(kind)s”（约定期限 %(due)s）")
            % {"title": obj.contract.lead.title, "kind": obj.get_kind_display(), "due": obj.due_on},
        }
    else:
        return None
    return {
        "label": _("立为督办事项"),
        "url": f"{reverse('oversight:item_new')}?{urlencode({k: v[:200] for k, v in params.items()})}",
        "icon": "flag",
        "testid": "raise-oversight-item",
    }


def department_card(request) -> dict | None:
    """A department's supervision items (督办) still to work on, red first."""
    user = request.user
    if user.role not in DEPARTMENT_ROLES or not user.department_id:
        return None
    if not permissions.allowed(user, "oversight.item.reply"):
        return None
    items = selectors.department_queue(user)
    n = items.count()
    url = reverse("oversight:item_list") + "?status=assigned"
    return {
        "template": "core/_queue_card.html",
        "testid": "oversight-department-card",
        "order": 12,
        "title": _("本部门督办事项"),
        "stats": [(_("办理中的督办事项"), n, url, "danger" if n else "")],
        "items": [
            {
                "title": item.title,
                "url": item.get_absolute_url(),
                "badge": item.get_slip_display() if item.slip else "",
                "tone": item.slip_css if item.slip else "",
                "due": item.due_on,
                "due_label": _("时限 "),
            }
            for item in items[:6]
        ],
        "link": url,
        "link_label": _("全部"),
        "empty": _("没有办理中的督办事项"),
    }

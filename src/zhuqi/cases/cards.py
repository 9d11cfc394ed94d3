"""The cases card on home pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.roles import DEPARTMENT_ROLES, MANAGER_ROLES, Role

from . import selectors
from .models import Case, EscalationLevel


def cases_card(request) -> dict | None:
    """The cases card on home pages: the enterprise's own cases, a department's inbox, the
    dispatch office's board, or the open and overdue cases of everyone else's scope."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    if role == Role.ENTERPRISE:
        n = selectors.home_counts(user, "enterprise", timezone.now())
        portal_url = reverse("cases:portal")
        return {
            "template": "cases/_home_card.html",
            "title": _("我的诉求"),
            "stats": [
                (_("办理中"), n["open"], portal_url, False),
                (_("待评价"), n["replied"], portal_url, False),
                (_("已办结"), n["closed"], portal_url, False),
            ],
            "link": reverse("cases:portal_new"),
            "link_label": _("提交诉求"),
        }
    if role in {Role.GRID, Role.COMMISSIONER, Role.OBSERVER} and not Case.objects.visible_to(user).exists():
        return None
    if role in DEPARTMENT_ROLES:
        n = selectors.home_counts(user, "department", timezone.now())
        inbox_url = reverse("cases:inbox")
        stats = [
            (_("待签收"), n["sign"], inbox_url + "?tab=sign", False),
            (_("办理中"), n["work"], inbox_url + "?tab=work", False),
            (_("即将到期"), n["soon"], inbox_url + "?tab=soon", False),
            (_("已超时"), n["overdue"], inbox_url + "?tab=overdue", True),
        ]
        link = inbox_url
    elif role in MANAGER_ROLES:
        n = selectors.home_counts(user, "dispatch", timezone.now())
        board_url = reverse("cases:board")
        stats = [
            (_("待受理"), n["new"], board_url + "?tab=new", False),
            (_("待交办"), n["unrouted"], board_url + "?tab=unrouted", False),
            (_("已超时"), n["overdue"], board_url + "?tab=overdue", True),
            (_("提级调度"), n["escalated"], board_url + "?tab=escalated", False),
        ]
        link = board_url
    else:
        n = selectors.home_counts(user, "other", timezone.now())
        list_url = reverse("cases:list")
        stats = [
            (_("办理中"), n["open"], list_url + "?open=1", False),
            (_("已超时"), n["overdue"], list_url + "?open=1&rag=red", True),
            (
                _("县级以上调度"),
                n["county"],
                list_url + f"?open=1&level={EscalationLevel.COUNTY.value}",
                False,
            ),
        ]
        link = reverse("cases:leader") if role in {Role.LEADER, Role.SUPERVISOR} else list_url
    return {
        "template": "cases/_home_card.html",
        "title": _("企业诉求"),
        "stats": stats,
        "link": link,
        "link_label": _("进入"),
    }

"""The enterprise's home page: the policies it qualifies for and has not applied for yet."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions

from . import selectors


def enterprise_card(request) -> dict | None:
    user = request.user
    if not permissions.allowed(user, "policies.own"):
        return None
    membership = getattr(user, "enterprise_membership", None)
    if membership is None:
        return None
    qualifies, nearly = selectors.not_yet_applied(membership.enterprise)
    mine = reverse("policies:mine")
    return {
        "template": "core/_queue_card.html",
        "testid": "policies-card",
        "order": 14,
        "title": _("本企业可享的政策"),
        "stats": [
            (_("可申请兑现"), len(qualifies), mine, "success"),
            (_("差一点可享"), len(nearly), mine, ""),
        ],
        "items": [
            {
                "title": e.item.title,
                "url": reverse("policies:item_guide", args=[e.item.pk]),
                "meta": e.amount_text or e.item.get_mode_display(),
            }
            for e in qualifies[:6]
        ],
        "link": mine,
        "link_label": _("全部可享政策"),
        "empty": _("暂时没有可申请的政策"),
    }

"""The enterprise page's 惠企政策 panel: the live items the enterprise qualifies for and those it
nearly qualifies for (one condition missing), each explained with its own values."""

from __future__ import annotations

from zhuqi.core import permissions

from . import selectors


def policies_section(request, enterprise):
    user = request.user
    if not (permissions.allowed(user, "policies.view") or permissions.allowed(user, "policies.own")):
        return None
    qualifies, nearly = selectors.for_enterprise(enterprise)
    if not qualifies and not nearly:
        return None
    return {
        "template": "policies/sections/enterprise_policies.html",
        "qualifies": qualifies,
        "nearly": nearly,
    }

"""The enterprise page's 亩均评价 panel: the class of the latest published evaluation the viewer
may see, with a link to its explanation."""

from __future__ import annotations

from zhuqi.core import permissions

from . import selectors


def mu_section(request, enterprise):
    user = request.user
    if not (permissions.allowed(user, "mu.view") or permissions.allowed(user, "mu.own")):
        return None
    result = selectors.latest_result(user, enterprise)
    if result is None:
        return None
    return {"template": "mu/sections/enterprise_mu.html", "result": result}

"""The project page's link back to the 招商 lead it came from (projects.panels)."""

from __future__ import annotations

from zhuqi.core import permissions

from .models import Lead


def lead_panel(request, project):
    if not permissions.allowed(request.user, "attraction.view"):
        return None
    lead = Lead.objects.visible_to(request.user).filter(project=project).select_related("stage").first()
    if lead is None:
        return None
    return {"template": "attraction/panels/project_lead.html", "lead": lead}

"""Template context for the UI shell: role menu, unread count, calendar warning."""

from __future__ import annotations

from .menu import menu_for
from .notify import unread_count


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    ctx = {"nav_menu": menu_for(user), "unread_count": unread_count(user)}
    if user.is_system_admin:
        from .workcalendar import missing_arrangement_warning

        ctx["calendar_warning"] = missing_arrangement_warning()
    return ctx

"""Template context for the UI shell: role menu, unread count, calendar warning."""

from __future__ import annotations

from . import permissions
from .menu import menu_for, settings_for
from .notify import unread_count


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = menu_for(user)
    # The active entry is the one whose URL is the longest prefix of the current path.
    path = request.path
    matches = [i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))]
    active = max(matches, key=lambda i: len(i["url"]))["url"] if matches else None
    # a configuration page of an app (/cases/settings/…) belongs to 系统设置, not to the app's list
    settings_item = next((i for i in items if i["name"] == "core:settings"), None)
    if settings_item is not None:
        longest = max((len(i["url"]) for i in matches), default=0)
        if any(path.startswith(p["url"]) and len(p["url"]) > longest for p in settings_for(user)):
            active = settings_item["url"]
    for item in items:
        item["active"] = item["url"] == active
    ctx = {"nav_menu": items, "unread_count": unread_count(user)}
    if permissions.allowed(user, "core.calendar.configure"):  # who can enter it is asked for it
        from .workcalendar import missing_arrangement_warning

        ctx["calendar_warning"] = missing_arrangement_warning()
    return ctx

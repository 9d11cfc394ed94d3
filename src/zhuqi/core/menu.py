"""Navigation by role. Later apps append entries with `register(...)`."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .roles import ALL_ROLES, MANAGER_ROLES, OFFICIAL_ROLES, Role


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset
    order: int = 50


_items: list[MenuItem] = [
    MenuItem(_("首页"), "home", "house", ALL_ROLES, 0),
    MenuItem(_("区划"), "core:region_list", "diagram-3", OFFICIAL_ROLES, 80),
    MenuItem(_("部门"), "core:department_list", "building", OFFICIAL_ROLES, 81),
    MenuItem(_("人员"), "core:user_list", "people", OFFICIAL_ROLES - {Role.GRID}, 82),
    MenuItem(_("用户管理"), "core:account_list", "person-gear", MANAGER_ROLES, 83),
    MenuItem(_("锁定账号"), "core:locked_list", "lock", frozenset({Role.ADMIN}), 84),
    MenuItem(_("审计日志"), "core:audit_list", "shield-check", frozenset({Role.ADMIN, Role.SUPERVISOR}), 90),
    MenuItem(_("系统管理"), "admin:index", "gear", frozenset({Role.ADMIN}), 99),
]


def register(item: MenuItem) -> None:
    if item not in _items:
        _items.append(item)


# Section headings of the sidebar, by order range (an item's order decides its section).
GROUPS = [
    (10, _("诉求办理")),
    (20, _("企业服务")),
    (30, _("项目推进")),
    (40, _("督查考核")),
    (80, _("基础管理")),
]


def group_of(order: int):
    label = None
    for start, name in GROUPS:
        if order >= start:
            label = name
    return label


def menu_for(user) -> list[dict]:
    role = Role.ADMIN if user.is_superuser else user.role
    out = []
    for item in sorted(_items, key=lambda i: i.order):
        if role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        out.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "name": item.url_name,
                "group": group_of(item.order),
            }
        )
    return out


register(MenuItem(_("数据导入"), "core:import_index", "upload", MANAGER_ROLES, 85))

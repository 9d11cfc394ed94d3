"""Navigation by role. Later apps append entries with `register(...)`."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import permissions
from .roles import MANAGER_ROLES, Role


@dataclass(frozen=True)
class MenuItem:
    """One sidebar entry. `roles` is the name of a permission-matrix action (the item shows to
    the roles allowed to do it: `"cases.board"`), or a set of roles narrower than the action of
    its page (an entry only some of the allowed roles need); never roles the page refuses
    (tests/core/test_permission_matrix.py checks)."""

    label: str
    url_name: str
    icon: str
    roles: frozenset | str
    order: int = 50

    def role_set(self) -> frozenset:
        return permissions.roles(self.roles) if isinstance(self.roles, str) else frozenset(self.roles)


_items: list[MenuItem] = [
    MenuItem(_("首页"), "home", "house", "core.home", 0),
    MenuItem(_("区划"), "core:region_list", "diagram-3", "core.regions.view", 80),
    MenuItem(_("部门"), "core:department_list", "building", "core.departments.view", 81),
    MenuItem(_("人员"), "core:user_list", "people", "core.people.list", 82),
    MenuItem(_("用户管理"), "core:account_list", "person-gear", "core.accounts.manage", 83),
    MenuItem(_("锁定账号"), "core:locked_list", "lock", "core.accounts.unlock", 84),
    MenuItem(_("审计日志"), "core:audit_list", "shield-check", "core.audit.view", 90),
    MenuItem(_("系统管理"), "admin:index", "gear", "core.admin", 99),
]


def register(item: MenuItem) -> None:
    if item not in _items:
        _items.append(item)


# Section headings of the sidebar, by order range (an item's order decides its section).
GROUPS = [
    (10, _("诉求办理")),
    (20, _("企业服务")),
    (30, _("项目推进")),
    (40, _("经济运行")),
    (60, _("督查考核")),
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
        if role not in item.role_set():
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


# 数据导入 lists the importers a user may use (each importer names its matrix action); the menu
# entry is for the dispatch office and admins, who always have some (others reach their one
# import from its page: a project editor's 导入完成投资 on the project list)
register(MenuItem(_("数据导入"), "core:import_index", "upload", MANAGER_ROLES, 85))


# --- 系统设置: the configuration pages, listed on one index page ----------------------------------
# Apps add their configuration pages from `ready()`:
#     menu.register_setting(menu.SettingPage(_("问题类别"), "cases:categories", _("…"),
#                                            "cases.categories.configure", 20))
# The index (core:settings) shows each page to the roles the matrix allows for the action named
# (the action the page itself asks for); tests/core/test_permission_matrix.py checks they agree.


@dataclass(frozen=True)
class SettingPage:
    """One configuration page on 系统设置. `roles` names its permission-matrix action, like a
    MenuItem's (a set of roles narrower than that action is accepted too)."""

    label: str
    url_name: str
    description: str
    roles: frozenset | str
    order: int = 50

    def role_set(self) -> frozenset:
        return permissions.roles(self.roles) if isinstance(self.roles, str) else frozenset(self.roles)


_settings: list[SettingPage] = []


def register_setting(page: SettingPage) -> None:
    if page not in _settings:
        _settings.append(page)


def settings_for(user) -> list[dict]:
    role = Role.ADMIN if user.is_superuser else user.role
    out = []
    for page in sorted(_settings, key=lambda p: p.order):
        if role not in page.role_set():
            continue
        try:
            url = reverse(page.url_name)
        except NoReverseMatch:
            continue
        out.append({"label": page.label, "url": url, "description": page.description, "name": page.url_name})
    return out


register(MenuItem(_("系统设置"), "core:settings", "sliders", "core.settings.view", 86))
register_setting(
    SettingPage(
        _("行政区划"), "core:settings_regions", _("新建、改名、调整上级、停用区划"), "core.org.manage", 10
    )
)
register_setting(
    SettingPage(
        _("部门"), "core:settings_departments", _("新建、改名、调整所属区划、停用部门"), "core.org.manage", 11
    )
)
register_setting(
    SettingPage(
        _("节假日安排"),
        "core:settings_holidays",
        _("录入国务院办公厅公布的下一年放假和调休上班安排"),
        "core.settings.view",
        30,
    )
)

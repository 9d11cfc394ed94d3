"""The one import flow's registry, and the Excel imports of the organisation (regions,
departments, users) and of work-calendar overrides.

Registry: every importer of every app (a `zhuqi.core.excel.Importer` subclass with a `kind`, a
`title`, `allowed(user)` and template rows) is registered with `register`, usually as a class
decorator in the app's `importers.py`; those modules are discovered on first use, so core never
imports the apps. `zhuqi.core.views_import` then serves upload → dry-run preview → confirm the
same file → all-or-nothing apply (large files in a background task) for every registered kind.

Each importer here builds on `zhuqi.core.excel.Importer`: all-or-nothing, with a dry-run preview,
strict header checks and row-level messages (in the user's language) naming the row and the column. It writes
through the services in `zhuqi.core.services` (save_region, save_department, save_user,
set_workday_override). On top of that, every importer here:

* is limited to the actor's region subtree (`scope_for(actor).region_path`); system admins are
  not limited. Rows outside get a row error;
* treats a blank optional cell as "keep the current value" when it updates an existing record
  (and as the default when it creates one) — except 「所属部门」 of a user, where blank means
  "no department", because region and department are one placement;
* loads its lookups in `prepare` with a few queries, never one per row.

Matching: regions by 代码, departments by (所属区划, 名称), users by 用户名, overrides by 日期.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation
from django.utils.dates import WEEKDAYS
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from . import permissions, services, workcalendar
from .excel import (  # noqa: F401
    CREATE,
    IGNORED_HEADER_PREFIX,
    SAME,
    UPDATE,
    Column,
    Importer,
    RowInvalid,
    _text,
    kept_dir,
    token_file,
)
from .models import Department, Region, Role, User, WorkdayOverride
from .roles import DEPARTMENT_ROLES
from .scope import scope_for
from .units import MAX_YEAR, MIN_YEAR

CHUNK = 500  # values per `IN (...)`: SQLite allows a limited number of query parameters
KEEP_SECONDS = 3600  # a previewed file waits this long for its confirmation
log = logging.getLogger("zhuqi.imports")


# --- the registry -----------------------------------------------------------------------------

_REGISTRY: dict[str, type[Importer]] = {}
_discovered = False


def register(cls: type[Importer]) -> type[Importer]:
    """Add an importer to the import flow (use as a class decorator); its `kind` is its URL slug."""
    if not cls.kind or not cls.title:
        raise ImproperlyConfigured(f"{cls.__qualname__} needs a kind and a title to be registered")
    known = _REGISTRY.get(cls.kind)
    if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
        raise ImproperlyConfigured(f"import kind {cls.kind!r} is taken by {known.__qualname__}")
    _REGISTRY[cls.kind] = cls
    return cls


def registry() -> dict[str, type[Importer]]:
    """Every registered importer by kind: core's, then each app's `importers.py` in app order."""
    global _discovered
    if not _discovered:
        autodiscover_modules("importers")
        _discovered = True
    return _REGISTRY


def importer_class(kind: str) -> type[Importer] | None:
    return registry().get(kind)


def importers_for(user) -> list[type[Importer]]:
    """The importers `user` may use, in registry order."""
    return [cls for cls in registry().values() if cls.allowed(user)]


# --- helpers -------------------------------------------------------------------------------------


def _chunks(values: Iterable[Any], size: int = CHUNK):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _normalise_label(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


KIND = gettext_lazy("类型")


def _choice_parser(choices_of, aliases: dict[str, str] | None = None, what: Any = KIND):
    """A parser accepting the Chinese label (half- or full-width brackets), the English label,
    the code value or an alias; the error lists the labels in the active language. `choices_of`
    is the TextChoices class; its labels are lazy, so the table is built on first use."""
    cache: dict[str, Any] = {}

    def table() -> dict[str, str]:
        if not cache:
            lookup: dict[str, str] = {}
            for language in ("en", "zh-hans"):  # Chinese last: it wins any clash
                with translation.override(language):
                    for value, label in choices_of.choices:
                        lookup[_normalise_label(str(label)).lower()] = value
            for value in choices_of.values:
                lookup[value.lower()] = value
            for alias, value in (aliases or {}).items():
                lookup[_normalise_label(alias)] = value
            cache["lookup"] = lookup
        return cache["lookup"]

    def parse(raw: Any) -> str:
        value = table().get(_normalise_label(_text(raw)).lower())
        if value is None:
            labels = _("、").join(str(label) for _value, label in choices_of.choices)
            message = _("「%(value)s」不是有效的%(what)s，可选：%(labels)s")
            raise RowInvalid(message % {"value": _text(raw), "what": what, "labels": labels})
        return value

    return parse


parse_region_kind = _choice_parser(
    Region.Kind,
    {
        "省份": "province",
        "自治区": "province",
        "直辖市": "province",
        "地级市": "city",
        "州": "city",
        "县": "county",
        "区": "county",
        "县区": "county",
        "县级市": "county",
        "旗": "county",
        "乡": "town",
        "镇": "town",
        "街道": "town",
        "乡镇": "town",
        "乡镇街道": "town",
        "开发区": "park",
        "产业园": "park",
        "经开区": "park",
        "高新区": "park",
    },
)
parse_department_kind = _choice_parser(
    Department.Kind,
    {"专班": "dispatch_office", "政府": "government", "乡镇": "town", "街道": "town", "园区": "park"},
)
parse_role = _choice_parser(
    Role,
    {
        "管理员": Role.ADMIN,
        "专班": Role.DISPATCH,
        "领导": Role.LEADER,
        "经办人": Role.HANDLER,
        "网格长": Role.GRID,
    },
    what=gettext_lazy("角色"),
)

CODE_RE = re.compile(r"[0-9A-Za-z_-]+")
PHONE_RE = re.compile(r"[0-9+\-()（）\s,，、/转]+")
DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
MOBILE_RE = re.compile(r"\+?[0-9][0-9\- ]{4,19}")
USERNAME_RE = re.compile(r"[\w.@+-]+")


def parse_code(raw: Any) -> str:
    text = _text(raw)
    if not CODE_RE.fullmatch(text):
        raise RowInvalid(_("只能包含数字、字母、- 和 _"))
    return text


def parse_phone(raw: Any) -> str:
    text = _text(raw)
    if not PHONE_RE.fullmatch(text):
        raise RowInvalid(_("只能包含数字、空格和 + - ( ) 、等符号"))
    return text


def parse_mobile(raw: Any) -> str:
    text = _text(raw)
    if not MOBILE_RE.fullmatch(text):
        raise RowInvalid(_("「%(value)s」不是有效的手机号码") % {"value": text})
    return text


def parse_username(raw: Any) -> str:
    text = _text(raw)
    if not USERNAME_RE.fullmatch(text):
        raise RowInvalid(_("只能包含字母、数字和 @ . + - _"))
    return text


EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_SERIALS = ((dt.date(MIN_YEAR, 1, 1) - EXCEL_EPOCH).days, (dt.date(MAX_YEAR, 12, 31) - EXCEL_EPOCH).days)


def parse_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if (
        isinstance(raw, int | float)
        and not isinstance(raw, bool)
        and EXCEL_SERIALS[0] <= raw <= EXCEL_SERIALS[1]
    ):
        # a date typed into a cell without a date format arrives as Excel's day number
        return EXCEL_EPOCH + dt.timedelta(days=int(raw))
    text = _text(raw)
    m = DATE_RE.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not m:
        raise RowInvalid(_("「%(value)s」不是有效的日期，请写成 2026-10-01 的形式") % {"value": text})
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise RowInvalid(_("「%(value)s」不是有效的日期") % {"value": text}) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        message = _("「%(value)s」的年份超出范围（%(min)s—%(max)s）")
        raise RowInvalid(message % {"value": text, "min": MIN_YEAR, "max": MAX_YEAR})
    return day


WORKDAY_WORDS = {"上班": True, "工作日": True, "是": True, "补班": True, "调休上班": True}
WORKDAY_MSGIDS = (gettext_noop("上班"), gettext_noop("是"))  # accepted in the user's language
DAYOFF_MSGIDS = (gettext_noop("放假"), gettext_noop("否"))
DAYOFF_WORDS = {"放假": False, "休息": False, "休息日": False, "节假日": False, "否": False, "休假": False}


def parse_is_workday(raw: Any) -> bool:
    text = _normalise_label(_text(raw))
    folded = text.casefold()
    # Chinese words always; the words of the user's language (the template's 上班/放假 and 是/否) too
    if text in WORKDAY_WORDS or folded in {_normalise_label(_(w)).casefold() for w in WORKDAY_MSGIDS}:
        return True
    if text in DAYOFF_WORDS or folded in {_normalise_label(_(w)).casefold() for w in DAYOFF_MSGIDS}:
        return False
    raise RowInvalid(_("「%(value)s」无法识别，请填写「上班」或「放假」") % {"value": _text(raw)})


# --- the shared base ------------------------------------------------------------------------------


class ScopedImporter(Importer):
    """An importer of the organisation, limited to its actor's region subtree."""

    def __init__(self, actor):
        super().__init__(actor)
        scope = scope_for(actor)
        self.is_admin = bool(getattr(actor, "is_system_admin", False))
        # None: no limit (system admins). Otherwise the path every row must lie under.
        self.limit_path: str | None = None if self.is_admin else (scope.region_path or "\x00")

    @classmethod
    def allowed(cls, user) -> bool:
        if not permissions.allowed(user, "core.org.manage"):
            return False
        return bool(user.is_system_admin or scope_for(user).region_path)

    def in_scope(self, path: str | None) -> bool:
        if self.limit_path is None:
            return True
        if not path:
            return False
        return path.startswith(self.limit_path)

    @staticmethod
    def action_of(existing, changed: bool) -> str:
        if existing is None:
            return CREATE
        return UPDATE if changed else SAME


def _load_regions(codes: Iterable[str]) -> dict[str, Region]:
    out: dict[str, Region] = {}
    for chunk in _chunks(set(codes)):
        out.update({r.code: r for r in Region.objects.filter(code__in=chunk)})
    return out


# --- regions -------------------------------------------------------------------------------------


class RegionImporter(ScopedImporter):
    kind = "regions"
    title = gettext_lazy("导入行政区划")
    object_name = gettext_lazy("行政区划")
    audit_object_type = "core.region"
    columns = (
        Column(gettext_noop("代码"), "code", parse=parse_code, max_length=32),
        Column(gettext_noop("名称"), "name", max_length=100),
        Column(gettext_noop("类型"), "kind", parse=parse_region_kind),
        Column(gettext_noop("上级代码"), "parent_code", required=False, parse=parse_code, max_length=32),
    )
    help_lines = (
        gettext_lazy("按「代码」匹配：已有的区划更新名称、类型，没有的新增。"),
        gettext_lazy("「类型」填 省、市、县（区）、乡镇（街道）、园区 或 网格。"),
        gettext_lazy("上级区划可以在同一文件中，但必须排在下级之前。"),
        gettext_lazy("只有系统管理员可以导入没有上级的顶级区划；已有下级的区划不能通过导入变更上级。"),
    )
    sample = (
        ("410223200", "洧川镇", "乡镇（街道）", "410223"),
        ("410223200G1", "洧川镇一网格", "网格", "410223200"),
    )

    def prepare(self, rows):
        codes = set()
        for _rownum, row in rows:
            codes.add(row["code"])
            if row.get("parent_code"):
                codes.add(row["parent_code"])
        self.regions = _load_regions(codes)
        # codes (among those) that have children in the database: they cannot move
        self.with_children: set[str] = set()
        for chunk in _chunks(codes):
            self.with_children.update(
                Region.objects.filter(parent__code__in=chunk).values_list("parent__code", flat=True)
            )

    def clean_row(self, rownum, row, seen):
        code, parent_code = row["code"], row.get("parent_code")
        rows_by_code = seen.setdefault("rows", {})
        paths = seen.setdefault("paths", {})
        used_as_parent = seen.setdefault("used_as_parent", set())
        if code in rows_by_code:
            message = _("「%(code)s」与第 %(row)s 行重复") % {"code": code, "row": rows_by_code[code]}
            raise RowInvalid(message, column=_("代码"))
        existing = self.regions.get(code)
        if existing is not None and not self.in_scope(existing.path):
            message = _("「%(code)s」已被其他区划使用，且不在您的管辖范围内") % {"code": code}
            raise RowInvalid(message, column=_("代码"))
        if parent_code:
            if parent_code == code:
                raise RowInvalid(_("不能填写本行自己的代码"), column=_("上级代码"))
            if parent_code in paths:
                parent_path = paths[parent_code]
            elif parent_code in self.regions:
                parent_path = self.regions[parent_code].path
            else:
                message = _("「%(code)s」不存在（若在本文件中，须排在本行之前）") % {"code": parent_code}
                raise RowInvalid(message, column=_("上级代码"))
            if not self.in_scope(parent_path):
                message = _("上级区划「%(code)s」不在您的管辖范围内") % {"code": parent_code}
                raise RowInvalid(message, column=_("上级代码"))
        else:
            if not self.is_admin:
                raise RowInvalid(_("不能为空：只有系统管理员可以导入顶级区划"), column=_("上级代码"))
            parent_path = ""
        path = f"{parent_path}{code}/"
        if len(path) > 255:
            raise RowInvalid(_("层级过深，区划路径超过 255 个字符"), column=_("上级代码"))
        moved = existing is not None and existing.path != path
        if moved and (code in self.with_children or code in used_as_parent):
            message = _("「%(code)s」已有下级区划，不能通过导入变更上级，请在系统管理中调整") % {"code": code}
            raise RowInvalid(message, column=_("上级代码"))
        rows_by_code[code] = rownum
        paths[code] = path
        if parent_code:
            used_as_parent.add(parent_code)
        changed = existing is None or moved or existing.name != row["name"] or existing.kind != row["kind"]
        row["_action"] = self.action_of(existing, changed)
        return row

    def preview_cells(self, row):
        return [row["code"], row["name"], Region.Kind(row["kind"]).label, row.get("parent_code") or ""]

    def apply_row(self, row):
        existing = self.regions.get(row["code"])
        parent = self.regions[row["parent_code"]] if row.get("parent_code") else None
        if existing is not None and row["_action"] == SAME:
            return False
        region = services.save_region(
            actor=self.actor,
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            parent=parent,
            region=existing,
        )
        self.regions[region.code] = region
        return existing is None


# --- departments -----------------------------------------------------------------------------------


class DepartmentImporter(ScopedImporter):
    kind = "departments"
    title = gettext_lazy("导入部门")
    object_name = gettext_lazy("部门")
    audit_object_type = "core.department"
    columns = (
        Column(gettext_noop("名称"), "name", max_length=100),
        Column(gettext_noop("简称"), "short_name", required=False, max_length=30),
        Column(gettext_noop("类型"), "kind", required=False, parse=parse_department_kind),
        Column(gettext_noop("所属区划代码"), "region_code", parse=parse_code, max_length=32),
        Column(gettext_noop("电话"), "phone", required=False, parse=parse_phone, max_length=40),
    )
    help_lines = (
        gettext_lazy("按「所属区划代码 + 名称」匹配：已有的部门更新简称、类型、电话，没有的新增。"),
        gettext_lazy(
            "「类型」填 领导小组、专班办公室、政府部门、乡镇（街道）、园区管委会 或 外部单位；新增时留空为政府部门。"
        ),
        gettext_lazy("更新已有部门时，留空的可选列保持原值不变。"),
    )
    sample = (
        ("尉氏县发展和改革委员会", "发改委", "政府部门", "410223", "0371-12345678"),
        ("国网尉氏县供电公司", "供电公司", "外部单位", "410223", ""),
    )

    def prepare(self, rows):
        codes = {row["region_code"] for _, row in rows}
        self.regions = _load_regions(codes)
        self.departments: dict[tuple[str, str], Department] = {}
        for chunk in _chunks(codes):
            for dept in Department.objects.filter(region__code__in=chunk).select_related("region"):
                self.departments[(dept.region.code, dept.name)] = dept

    def clean_row(self, rownum, row, seen):
        region = self.regions.get(row["region_code"])
        if region is None or not self.in_scope(region.path):
            message = _("区划「%(code)s」不存在或不在您的管辖范围内") % {"code": row["region_code"]}
            raise RowInvalid(message, column=_("所属区划代码"))
        key = (region.code, row["name"])
        if key in seen:
            message = _("与第 %(row)s 行重复（同一区划下部门名称不能重复）") % {"row": seen[key]}
            raise RowInvalid(message, column=_("名称"))
        seen[key] = rownum
        existing = self.departments.get(key)
        changed = existing is None or any(
            row.get(f) is not None and getattr(existing, f) != row[f] for f in ("short_name", "kind", "phone")
        )
        row["_action"] = self.action_of(existing, changed)
        return row

    def preview_cells(self, row):
        kind = Department.Kind(row["kind"]).label if row.get("kind") else ""
        return [row["name"], row.get("short_name") or "", kind, row["region_code"], row.get("phone") or ""]

    def apply_row(self, row):
        region = self.regions[row["region_code"]]
        existing = self.departments.get((region.code, row["name"]))
        dept = services.save_department(
            actor=self.actor,
            region=region,
            name=row["name"],
            short_name=row.get("short_name"),
            kind=row.get("kind"),
            phone=row.get("phone"),
            department=existing,
        )
        self.departments[(region.code, dept.name)] = dept
        return existing is None


# --- users -----------------------------------------------------------------------------------------


class UserImporter(ScopedImporter):
    kind = "users"
    title = gettext_lazy("导入人员")
    object_name = gettext_lazy("人员")
    audit_object_type = "core.user"
    columns = (
        Column(gettext_noop("用户名"), "username", parse=parse_username, max_length=150),
        Column(gettext_noop("姓名"), "full_name", max_length=50),
        Column(gettext_noop("角色"), "role", parse=parse_role),
        Column(gettext_noop("所属区划代码"), "region_code", parse=parse_code, max_length=32),
        Column(gettext_noop("所属部门"), "department_name", required=False, max_length=100),
        Column(gettext_noop("职务"), "title", required=False, max_length=60),
        Column(gettext_noop("手机"), "mobile", required=False, parse=parse_mobile, max_length=20),
        Column(gettext_noop("初始密码"), "password", required=False, max_length=128),
    )
    help_lines = (
        gettext_lazy("按「用户名」匹配：已有的账号更新姓名、角色、区划、部门等，没有的新增。"),
        gettext_lazy(
            "「角色」填 专班办公室、县级领导、部门负责人、部门经办人、首席服务专员、网格员、督查 或 观察员"
            "（系统管理员只能由系统管理员授予；企业用户请用「导入企业账号」导入，或在企业页面的「企业账号」中开通）。"
        ),
        gettext_lazy(
            "「所属部门」填该区划下的部门名称；部门负责人和部门经办人必须填写；留空表示不属于任何部门。"
        ),
        gettext_lazy(
            "「初始密码」可不填：不填的新账号不能登录，须由管理员设置密码；填写的须符合密码规则。"
            "已有账号的密码不会被修改。"
        ),
        gettext_lazy("角色、区划、部门的变更是权限变更，会记入审计日志。"),
    )
    sample = (
        ("zhangsan", "张三", "部门经办人", "410223", "尉氏县工信局", "科员", "13800000000", ""),
        ("lisi", "李四", "网格员", "410223P1G1", "", "网格员", "", ""),
    )

    def prepare(self, rows):
        usernames = {row["username"] for _, row in rows}
        codes = {row["region_code"] for _, row in rows}
        self.users: dict[str, User] = {}
        for chunk in _chunks(usernames):
            for user in User.objects.filter(username__in=chunk).select_related(
                "region", "department__region"
            ):
                self.users[user.username] = user
        self.regions = _load_regions(codes)
        self.departments: dict[tuple[str, str], Department] = {}
        short_names: dict[tuple[str, str], list[Department]] = {}
        for chunk in _chunks(codes):
            for dept in Department.objects.filter(region__code__in=chunk).select_related("region"):
                self.departments[(dept.region.code, dept.name)] = dept
                if dept.short_name:
                    short_names.setdefault((dept.region.code, dept.short_name), []).append(dept)
        # a short name finds a department only when it is unambiguous and not someone's full name
        for key, depts in short_names.items():
            if len(depts) == 1:
                self.departments.setdefault(key, depts[0])

    def _user_path(self, user: User) -> str | None:
        if user.region is not None:
            return user.region.path
        if user.department is not None:
            return user.department.region.path
        return None

    def clean_row(self, rownum, row, seen):
        username = row["username"]
        folded = username.casefold()
        if folded in seen:
            message = _("「%(name)s」与第 %(row)s 行重复") % {"name": username, "row": seen[folded]}
            raise RowInvalid(message, column=_("用户名"))
        seen[folded] = rownum
        existing = self.users.get(username)
        if existing is not None:
            if existing.pk == self.actor.pk:
                raise RowInvalid(_("不能通过导入修改自己的账号"), column=_("用户名"))
            if not self.is_admin and (
                existing.is_system_admin or not self.in_scope(self._user_path(existing))
            ):
                message = _("「%(name)s」已被使用，且不在您的管辖范围内") % {"name": username}
                raise RowInvalid(message, column=_("用户名"))
        role = row["role"]
        if role == Role.ADMIN and not self.is_admin:
            raise RowInvalid(_("只有系统管理员可以授予「系统管理员」角色"), column=_("角色"))
        if role == Role.ENTERPRISE:
            raise RowInvalid(
                _("企业用户不能在此导入：请用「数据导入 → 导入企业账号」，或在企业页面的「企业账号」中开通"),
                column=_("角色"),
            )
        region = self.regions.get(row["region_code"])
        if region is None or not self.in_scope(region.path):
            message = _("区划「%(code)s」不存在或不在您的管辖范围内") % {"code": row["region_code"]}
            raise RowInvalid(message, column=_("所属区划代码"))
        department = None
        if row.get("department_name"):
            department = self.departments.get((region.code, row["department_name"]))
            if department is None:
                message = _("区划「%(code)s」下没有名为「%(name)s」的部门")
                raise RowInvalid(
                    message % {"code": region.code, "name": row["department_name"]}, column=_("所属部门")
                )
            if not department.is_active:
                message = _("部门「%(name)s」已停用") % {"name": department.name}
                raise RowInvalid(message, column=_("所属部门"))
        elif role in DEPARTMENT_ROLES:
            message = _("角色为「%(role)s」的人员必须填写所属部门") % {"role": Role(role).label}
            raise RowInvalid(message, column=_("所属部门"))
        row["region"], row["department"] = region, department

        notes = []
        password = row.get("password")
        if password and existing is not None:
            notes.append(_("已有账号，初始密码不会被使用"))
        elif password:
            probe = User(username=username, full_name=row["full_name"], mobile=row.get("mobile") or "")
            try:
                validate_password(password, user=probe)
            except ValidationError as exc:
                raise RowInvalid("".join(exc.messages), column=_("初始密码")) from None
        elif existing is None:
            notes.append(_("未设置密码，须由管理员设置后才能登录"))
        if existing is None:
            changed = True
        else:
            permission = []
            none = _("无")
            if existing.role != role:
                change = {"old": existing.get_role_display(), "new": Role(role).label}
                permission.append(_("角色 %(old)s→%(new)s") % change)
            if existing.region_id != region.pk:
                permission.append(_("区划 %(old)s→%(new)s") % {"old": existing.region or none, "new": region})
            if existing.department_id != (department.pk if department else None):
                change = {"old": existing.department or none, "new": department or none}
                permission.append(_("部门 %(old)s→%(new)s") % change)
            if permission:
                notes.append(_("权限变更：%(changes)s") % {"changes": _("；").join(permission)})
            changed = bool(permission) or any(
                row.get(f) is not None and getattr(existing, f) != row[f]
                for f in ("full_name", "title", "mobile")
            )
        row["_action"] = self.action_of(existing, changed)
        row["_note"] = _("；").join(notes)
        return row

    def preview_cells(self, row):
        return [
            row["username"],
            row["full_name"],
            Role(row["role"]).label,
            row["region_code"],
            row.get("department_name") or "",
            row.get("title") or "",
            row.get("mobile") or "",
            _("（已填写）") if row.get("password") else "",
        ]

    def apply_row(self, row):
        existing = self.users.get(row["username"])
        if existing is not None and row["_action"] == SAME:
            return False
        user = services.save_user(
            actor=self.actor,
            username=row["username"],
            full_name=row["full_name"],
            role=row["role"],
            region=row["region"],
            department=row["department"],
            title=row.get("title"),
            mobile=row.get("mobile"),
            password=row.get("password") if existing is None else None,
            user=existing,
        )
        self.users[user.username] = user
        return existing is None


# --- work-calendar overrides ---------------------------------------------------------------------


class WorkdayOverrideImporter(ScopedImporter):
    kind = "calendar"
    title = gettext_lazy("导入工作日调整")
    object_name = gettext_lazy("工作日调整")
    audit_object_type = "core.workdayoverride"
    columns = (
        Column(gettext_noop("日期"), "date", parse=parse_date),
        Column(gettext_noop("是否上班"), "is_workday", parse=parse_is_workday),
        Column(gettext_noop("说明"), "note", required=False, max_length=100),
    )
    help_lines = (
        gettext_lazy(
            "逐日录入放假日和调休上班日（如本地停工日）；按「日期」匹配，已有的更新。国务院办公厅公布的全年安排请在“系统设置 › 节假日安排”中录入。"
        ),
        gettext_lazy("「是否上班」填 上班 或 放假。"),
        gettext_lazy("工作日调整对全平台生效，只有系统管理员可以导入。"),
    )
    sample = (
        ("2027-02-06", "放假", "春节"),
        ("2027-02-20", "上班", "春节调休"),
    )

    @classmethod
    def allowed(cls, user) -> bool:
        return permissions.allowed(user, "core.calendar.configure")

    def prepare(self, rows):
        dates = {row["date"] for _, row in rows}
        self.overrides: dict[dt.date, WorkdayOverride] = {}
        for chunk in _chunks(dates):
            self.overrides.update({o.date: o for o in WorkdayOverride.objects.filter(date__in=chunk)})

    def clean_row(self, rownum, row, seen):
        day = row["date"]
        if day in seen:
            message = _("%(date)s 与第 %(row)s 行重复") % {"date": f"{day:%Y-%m-%d}", "row": seen[day]}
            raise RowInvalid(message, column=_("日期"))
        seen[day] = rownum
        existing = self.overrides.get(day)
        changed = (
            existing is None
            or existing.is_workday != row["is_workday"]
            or (row.get("note") is not None and existing.note != row["note"])
        )
        row["_action"] = self.action_of(existing, changed)
        now = _("上班") if workcalendar.is_working_day(day) else _("放假")
        row["_note"] = _("%(weekday)s，目前按%(now)s计算") % {"weekday": WEEKDAYS[day.weekday()], "now": now}
        return row

    def preview_cells(self, row):
        return [row["date"].isoformat(), _("上班") if row["is_workday"] else _("放假"), row.get("note") or ""]

    def apply_row(self, row):
        existing = self.overrides.get(row["date"])
        if existing is not None and row["_action"] == SAME:
            return False
        override = services.set_workday_override(
            actor=self.actor, date=row["date"], is_workday=row["is_workday"], note=row.get("note")
        )
        self.overrides[override.date] = override
        return existing is None


for _cls in (RegionImporter, DepartmentImporter, UserImporter, WorkdayOverrideImporter):
    register(_cls)


# --- kept files ------------------------------------------------------------------------------------
# A previewed file waits on the server, under a random token, for its confirmation; confirm
# imports exactly those bytes (their SHA-256 is checked). The folder is
# `settings.ZHUQI_IMPORT_DIR`, by default `<project>/var/imports`; files older than KEEP_SECONDS
# are swept whenever a new one is kept.


def store_dir() -> Path:
    return kept_dir("ZHUQI_IMPORT_DIR", "imports")


def kept_path(token: str) -> Path | None:
    return token_file(store_dir(), token)


def sweep_kept(folder: Path | None = None) -> None:
    folder = folder or store_dir()
    cutoff = time.time() - KEEP_SECONDS
    for item in folder.glob("*.xlsx"):
        try:
            if item.stat().st_mtime < cutoff:
                item.unlink()
        except OSError:
            continue


def keep_file(data: bytes) -> tuple[str, str]:
    """Keep `data` for a later confirmation; return (token, sha256)."""
    folder = store_dir()
    sweep_kept(folder)
    token = secrets.token_urlsafe(24)
    fd = os.open(folder / f"{token}.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return token, hashlib.sha256(data).hexdigest()


def read_kept(token: str, sha256: str) -> bytes | None:
    """The kept bytes, or None if they are gone or are not the bytes that were previewed."""
    path = kept_path(token)
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if secrets.compare_digest(hashlib.sha256(data).hexdigest(), sha256 or "") else None


def discard_kept(token: str) -> None:
    path = kept_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


# --- background imports ----------------------------------------------------------------------------


def background_rows() -> int:
    from django.conf import settings

    return settings.ZHUQI_IMPORT_BACKGROUND_ROWS


JOBS_KEPT_DAYS = 90  # finished jobs are deleted after this (the import's audit entry stays)


def start_job(*, kind: str, actor, token: str, sha256: str, filename: str, rows: int):
    """Hand a confirmed, previewed file to the background task; the job now owns the file.
    Called outside any transaction (the job row must be committed before a worker reads it)."""
    from django.utils import timezone

    from . import audit
    from .models import ImportJob
    from .tasks import run_import

    ImportJob.objects.filter(finished_at__lt=timezone.now() - dt.timedelta(days=JOBS_KEPT_DAYS)).delete()

    job = ImportJob.objects.create(
        kind=kind,
        user=actor,
        token=token,
        sha256=sha256,
        filename=filename[:200],
        rows_total=rows,
        ip=audit.current().ip,
    )
    run_import.delay(job.pk)  # eager (in-process) unless a worker is configured
    return job


#: `run_job`'s answer when another worker holds the job (the task retries later)
BUSY = "busy"


@contextmanager
def job_lock(space: str, job_id: int) -> Iterator[bool]:
    """Whether this process may run job `job_id` of `space` ("zhuqi.core.imports",
    "zhuqi.core.exports", "zhuqi.oversight.bulletins") now: on PostgreSQL a session-level advisory lock on the job (two-key
    form, the space's own keys), held until the run ends or its connection closes; elsewhere
    (SQLite: in-process, one run at a time) always."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)", [space, job_id])
        held = bool(cur.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", [space, job_id])


def _run_lock(job_id: int):
    return job_lock("zhuqi.core.imports", job_id)


def run_job(job_id: int) -> str:
    """Apply a queued job's file, all or nothing, storing progress and the outcome on the job.
    Returns the final status, "" when there was nothing to do (the job has ended), or BUSY when
    another worker is running it now (the task asks again later).

    Run once, even when the broker delivers the task twice (a worker killed in the middle leaves
    the message to be delivered again, settings.CELERY_TASK_ACKS_LATE): the run holds a lock on
    the job for as long as it lasts (on PostgreSQL a session advisory lock, which the database
    drops with the connection of a worker that died). A job still marked running whose lock
    nobody holds was left by a dead worker; its file was applied in one transaction that never
    committed, so it is run again from the start."""
    from django.core.exceptions import PermissionDenied
    from django.db import DatabaseError, connection
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from . import audit, notify
    from .models import ImportJob

    with _run_lock(job_id) as held:
        if not held:
            return BUSY
        claimable = [ImportJob.Status.QUEUED]
        if connection.vendor == "postgresql":  # the lock tells a dead run from a live one
            claimable.append(ImportJob.Status.RUNNING)
        claimed = ImportJob.objects.filter(pk=job_id, status__in=claimable).update(
            status=ImportJob.Status.RUNNING, phase="check"
        )
        if not claimed:
            return ""
        job = ImportJob.objects.select_related("user").get(pk=job_id)

        def finish(status, message="", errors=(), result=None):
            ImportJob.objects.filter(pk=job.pk).update(
                status=status,
                message=message[:200],
                errors=[[e.row, e.column, e.message] for e in list(errors)[:500]],
                created=result.created if result else 0,
                updated=result.updated if result else 0,
                rows_done=len(result.rows) if result and result.ok else job.rows_done,
                finished_at=timezone.now(),
            )
            # the user may have left the progress page: tell them how it ended
            what = cls.title if cls is not None else job.kind
            if status == ImportJob.Status.DONE:
                title = _("导入完成：%(what)s，新增 %(created)d 条，更新 %(updated)d 条") % {
                    "what": what,
                    "created": result.created,
                    "updated": result.updated,
                }
            else:
                title = _("导入未完成：%(what)s，未导入任何数据") % {"what": what}
            notify.notify(
                [job.user],
                title,
                body=message,
                url=reverse("core:import_job", args=[job.kind, job.pk]),
                level="info" if status == ImportJob.Status.DONE else "warning",
            )
            return status

        cls = importer_class(job.kind)

        try:
            data = read_kept(job.token, job.sha256)
            if cls is None or not cls.allowed(job.user):
                return finish(ImportJob.Status.FAILED, _("您已无权进行此导入，未导入任何数据。"))
            if data is None:
                return finish(ImportJob.Status.FAILED, _("文件已失效或被改动，未导入任何数据，请重新上传。"))

            def progress(phase: str, done: int, total: int) -> None:
                ImportJob.objects.filter(pk=job.pk).update(phase=phase, rows_done=done, rows_total=total)

            try:
                with audit.acting_as(job.user, ip=job.ip):
                    result = cls(job.user).run(data, dry_run=False, progress=progress)
            except DatabaseError:
                return finish(ImportJob.Status.FAILED, _("保存时数据库出错，未导入任何数据，请稍后重试。"))
            except (RowInvalid, ValidationError, PermissionDenied) as exc:
                text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                return finish(ImportJob.Status.FAILED, _("数据在预览后发生了变化，未导入任何数据：") + text)
            except Exception:  # a bug must not leave the job "running" for ever; the log has it
                log.exception("import job %s failed", job.pk)
                return finish(ImportJob.Status.FAILED, _("导入出错，未导入任何数据，请联系管理员。"))
            if not result.ok:
                message = _("数据在预览后发生了变化，未导入任何数据。请修改后重新上传。")
                return finish(ImportJob.Status.FAILED, message, result.errors)
            return finish(ImportJob.Status.DONE, result=result)
        finally:
            discard_kept(job.token)

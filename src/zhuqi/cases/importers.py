"""Hotline work orders (12345, 96388) from Excel: all-or-nothing, row-level messages, the
external number kept (a number already imported is refused, so re-importing a file is safe).
A kind of the one import flow (`zhuqi.core.imports`): the dispatch office previews, then confirms."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhuqi.core import permissions
from zhuqi.core.excel import CREATE, Column, Importer, RowInvalid
from zhuqi.core.imports import register
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.enterprises.models import Enterprise

from .models import Case, Category, Channel

SOURCES = {"12345": Channel.HOTLINE_12345, "96388": Channel.HOTLINE_96388}


def _source(value) -> str:
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    for key, channel in SOURCES.items():
        if key in text:
            return channel
    raise RowInvalid(_("应为 12345 或 96388"))


def _when(value):
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise RowInvalid(_("日期格式应为 2026-03-01 09:30"))


@register
class HotlineImporter(Importer):
    kind = "hotline"
    title = gettext_lazy("导入热线工单")
    object_name = gettext_lazy("热线工单")
    audit_object_type = "cases.case"
    done_url = "cases:board"
    help_lines = (
        gettext_lazy(
            "每行一件 12345 或 96388 热线工单，按「统一社会信用代码」找到企业，须在您的管辖范围内。"
        ),
        gettext_lazy("已导入过的工单编号会被拒绝，同一文件可以放心重复导入。"),
    )
    sample = (
        (
            "GZ2026030100001",
            "12345",
            "91340323MA2N000001",
            "示例企业",
            "厂区道路积水",
            "雨后厂区门口道路积水严重",
            "其他",
            "张三",
            "13800000000",
            "2026-03-01 09:30",
        ),
    )
    columns = [
        Column(gettext_noop("工单编号"), "external_no", max_length=60),
        Column(gettext_noop("来源"), "channel", parse=_source),
        Column(gettext_noop("统一社会信用代码"), "credit_code", max_length=18),
        Column(gettext_noop("企业名称"), "enterprise_name", required=False),
        Column(gettext_noop("标题"), "title", max_length=120),
        Column(gettext_noop("诉求内容"), "description", max_length=5000),
        Column(gettext_noop("问题类别"), "category", required=False),
        Column(gettext_noop("联系人"), "contact_name", required=False, max_length=50),
        Column(gettext_noop("联系电话"), "contact_phone", required=False, max_length=30),
        Column(gettext_noop("登记时间"), "submitted_at", required=False, parse=_when),
    ]

    @classmethod
    def allowed(cls, user) -> bool:
        """The dispatch office and admins (who route what comes in)."""
        return permissions.allowed(user, "cases.import")

    def prepare(self, rows):
        codes = {r["credit_code"] for _, r in rows}
        self.enterprises = {
            e.credit_code: e for e in Enterprise.objects.visible_to(self.actor).filter(credit_code__in=codes)
        }
        numbers = {r["external_no"] for _, r in rows}
        self.existing = set(
            Case.objects.filter(external_no__in=numbers, channel__in=SOURCES.values()).values_list(
                "channel", "external_no"
            )
        )
        self.categories = {c.name: c for c in Category.objects.filter(is_active=True)}

    def clean_row(self, rownum, row, seen):
        ent = self.enterprises.get(row["credit_code"])
        if ent is None:
            raise RowInvalid(_("未找到该企业，或不在您的管辖范围内"), column=_("统一社会信用代码"))
        key = (row["channel"], row["external_no"])
        if key in self.existing:
            message = _("工单「%(number)s」已导入过") % {"number": row["external_no"]}
            raise RowInvalid(message, column=_("工单编号"))
        if key in seen:
            raise RowInvalid(_("与第 %(row)s 行重复") % {"row": seen[key]}, column=_("工单编号"))
        seen[key] = rownum
        category = None
        if row.get("category"):
            category = self.categories.get(row["category"])
            if category is None:
                message = _("类别「%(name)s」不存在") % {"name": row["category"]}
                raise RowInvalid(message, column=_("问题类别"))
        return {**row, "enterprise": ent, "category_obj": category, "_action": CREATE}

    def preview_cells(self, row):
        cells = super().preview_cells(row)
        cells[1] = {v: k for k, v in SOURCES.items()}.get(row["channel"], row["channel"])
        return cells

    def apply_row(self, row) -> bool:
        from .services import create_case

        create_case(
            row["enterprise"],
            channel=row["channel"],
            title=row["title"],
            description=row["description"],
            category=row["category_obj"],
            external_no=row["external_no"],
            contact_name=row.get("contact_name") or "",
            contact_phone=row.get("contact_phone") or "",
            actor=self.actor,
            submitted_at=row.get("submitted_at"),
        )
        return True

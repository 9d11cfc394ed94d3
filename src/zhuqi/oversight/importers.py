"""Excel import of the annual task lists (任务清单、责任清单、时限清单): one row an item, the
departments named as in the registry, the deadline a date. A kind of the one import flow
(`zhuqi.core.imports`): all-or-nothing after the preview; the rows become items of the importing
person's region (`services.import_items`), then the slip rules run over them."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhuqi.core import permissions
from zhuqi.core.excel import CREATE, Column, Importer, RowInvalid, choice_by_label
from zhuqi.core.imports import register
from zhuqi.core.models import Department
from zhuqi.core.units import MAX_YEAR, MIN_YEAR
from zhuqi.enterprises.importers import parse_date

from . import services
from .models import Frequency, ListKind, Priority


def _year(value):
    try:
        year = int(float(str(value).strip()))
    except ValueError as exc:
        raise RowInvalid(_("应为整数")) from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise RowInvalid(_("应在 %(lo)s–%(hi)s 之间") % {"lo": MIN_YEAR, "hi": MAX_YEAR})
    return year


def _choice(cls):
    def parse(value):
        found = choice_by_label(cls).get(str(value).strip().casefold())
        if found is None:
            labels = "、".join(str(label) for _v, label in cls.choices)
            raise RowInvalid(_("应为：%(labels)s") % {"labels": labels})
        return found

    return parse


def _names(value) -> list[str]:
    text = str(value or "").replace("，", "、").replace(",", "、").replace("；", "、").replace(";", "、")
    return [n.strip() for n in text.split("、") if n.strip()]


@register
class TaskListImporter(Importer):
    kind = "oversight-lists"
    title = gettext_lazy("导入年度督办清单")
    object_name = gettext_lazy("督办事项")
    audit_object_type = "oversight.item"
    done_url = "oversight:item_list"
    help_lines = (
        gettext_lazy("每行一个事项；清单类型为任务清单、责任清单或时限清单。"),
        gettext_lazy("牵头单位、配合单位填写部门全称或简称，多个配合单位用顿号分隔。"),
        gettext_lazy("完成时限为日期，如 2026-06-30；重要程度、报送频次可留空（一般、办结时报告）。"),
    )
    columns = [
        Column(gettext_noop("清单类型"), "list_kind", parse=_choice(ListKind)),
        Column(gettext_noop("年度"), "year", parse=_year),
        Column(gettext_noop("事项名称"), "title", max_length=200),
        Column(gettext_noop("具体要求"), "requirement", required=False),
        Column(gettext_noop("牵头单位"), "lead", max_length=100),
        Column(gettext_noop("配合单位"), "assisting_names", required=False),
        Column(gettext_noop("完成时限"), "due_on", parse=parse_date),
        Column(gettext_noop("重要程度"), "priority", required=False, parse=_choice(Priority)),
        Column(gettext_noop("报送频次"), "report_frequency", required=False, parse=_choice(Frequency)),
    ]
    sample = [
        [
            "任务清单",
            2026,
            "规上工业增加值增长 8.5%",
            "按月调度，确保全年目标完成",
            "经信局",
            "统计局、发改委",
            "2026-12-31",
            "重大",
            "每月",
        ],
        [
            "时限清单",
            2026,
            "新建标准化厂房 10 万平方米",
            "6 月底前主体完工",
            "经开区管委会",
            "",
            "2026-06-30",
            "",
            "",
        ],
    ]

    @classmethod
    def allowed(cls, user) -> bool:
        return permissions.allowed(user, "oversight.import")

    def prepare(self, rows):
        self.region = services._actor_region(self.actor)
        names = {n for _n, r in rows for n in [r.get("lead") or "", *_names(r.get("assisting_names"))] if n}
        self.depts: dict[str, list] = {}
        for d in (
            Department.objects.visible_to(self.actor)
            .filter(is_active=True)
            .filter(Q(name__in=names) | Q(short_name__in=names))
        ):
            for key in {d.name, d.short_name} - {""}:
                self.depts.setdefault(key, []).append(d)

    def _dept(self, name: str, column: str):
        found = self.depts.get(name, [])
        if not found:
            raise RowInvalid(_("找不到部门「%(name)s」（或不在您的范围内）") % {"name": name}, column=column)
        if len({d.pk for d in found}) > 1:
            raise RowInvalid(_("「%(name)s」对应多个部门，请填写全称") % {"name": name}, column=column)
        return found[0]

    def clean_row(self, rownum, row, seen):
        if self.region is None:
            raise RowInvalid(_("您的账号没有所属区划，不能导入清单"), column=_("牵头单位"))
        row["lead_department"] = self._dept(row["lead"], _("牵头单位"))
        row["assisting"] = [self._dept(n, _("配合单位")) for n in _names(row.get("assisting_names"))]
        if any(d.pk == row["lead_department"].pk for d in row["assisting"]):
            raise RowInvalid(_("配合单位不能与牵头单位相同"), column=_("配合单位"))
        row["priority"] = row.get("priority") or Priority.NORMAL
        row["report_frequency"] = row.get("report_frequency") or Frequency.NONE
        row["requirement"] = row.get("requirement") or ""
        row["region"] = self.region
        key = (row["list_kind"], row["year"], row["title"])
        if key in seen:
            raise RowInvalid(
                _("与第 %(row)s 行重复（同一清单同一事项）") % {"row": seen[key]}, column=_("事项名称")
            )
        seen[key] = rownum
        today = timezone.localdate()
        if row["due_on"] < today:
            raise RowInvalid(
                _("完成时限已过（今天是 %(today)s）") % {"today": today.isoformat()}, column=_("完成时限")
            )
        row["_action"] = CREATE
        row["_note"] = row["lead_department"].name
        return row

    def apply_rows(self, rows):
        return services.import_items(rows, actor=self.actor)

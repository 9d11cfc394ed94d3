"""Excel import of monthly actual investment (月度完成投资): all-or-nothing, with a dry run.

Columns: 项目编号 · 年度 · 月份 · 本月完成投资（万元） · 修改原因 (optional). Every row must name a
project the importing user may edit; a month in the future is refused; a month that already has a
different value needs a 修改原因 (the old value stays in the project's history). A kind of the one import flow
(`zhuqi.core.imports`); its template lists the projects the user may fill in."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhuqi.core import permissions
from zhuqi.core.excel import CREATE, UPDATE, Column, Importer, RowInvalid
from zhuqi.core.imports import register
from zhuqi.core.units import MAX_YEAR, MIN_YEAR, WAN

from . import figures, services
from .models import InvestmentMonth, Project


def _int(lo: int, hi: int):
    def parse(value):
        try:
            number = int(float(str(value).strip()))
        except ValueError as exc:
            raise RowInvalid(_("应为整数")) from exc
        if not lo <= number <= hi:
            raise RowInvalid(_("应在 %(lo)s–%(hi)s 之间") % {"lo": lo, "hi": hi})
        return number

    return parse


def _wan(value):
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise RowInvalid(_("应为数字（万元）")) from exc
    if amount < 0:
        raise RowInvalid(_("不能为负数"))
    return amount


@register
class ActualImporter(Importer):
    kind = "investment"
    title = gettext_lazy("导入月度完成投资")
    object_name = gettext_lazy("月度完成投资")
    audit_object_type = "projects.investmentmonth"
    done_url = "projects:project_list"
    help_lines = (
        gettext_lazy("每行一个项目一个月的完成投资；同一项目同一月份已填报的会被更新。"),
        gettext_lazy("只能填报您可以编辑的项目，不能填报未来月份；模板中已列出您可填报的项目。"),
    )
    columns = [
        Column(gettext_noop("项目编号"), "code", max_length=40),
        Column(gettext_noop("年度"), "year", parse=_int(MIN_YEAR, MAX_YEAR)),
        Column(gettext_noop("月份"), "month", parse=_int(1, 12)),
        Column(gettext_noop("本月完成投资（万元）"), "amount_wan", parse=_wan),
        # needed only to change a month that already has a different value (kept in history)
        Column(gettext_noop("修改原因"), "reason", required=False, max_length=200),
    ]

    @classmethod
    def allowed(cls, user) -> bool:
        """Whoever may fill in at least one project (`projects.investment.import`, then see
        `services.can_edit`)."""
        if not permissions.allowed(user, "projects.investment.import"):
            return False
        if user.is_system_admin or permissions.allowed(user, "projects.create"):  # the area managers
            return True
        mine = Q(leader=user) | (Q(department_id=user.department_id) if user.department_id else Q(pk__in=[]))
        return Project.objects.visible_to(user).filter(mine).exists()

    @classmethod
    def template_rows(cls, user):
        year, month = figures.report_period(timezone.localdate())
        return [
            [p.code, year, month, "", ""]
            for p in Project.objects.visible_to(user).select_related("region").order_by("code")[:500]
            if services.can_edit(user, p)
        ]

    def prepare(self, rows):
        codes = {r["code"] for _, r in rows}
        self.projects = {
            p.code: p
            for p in Project.objects.visible_to(self.actor).filter(code__in=codes).select_related("region")
        }
        self.reported = {
            (code, year, month): actual
            for code, year, month, actual in InvestmentMonth.objects.filter(
                project__code__in=codes, actual__isnull=False
            ).values_list("project__code", "year", "month", "actual")
        }

    def clean_row(self, rownum, row, seen):
        project = self.projects.get(row["code"])
        if project is None:
            message = _("找不到项目「%(code)s」（或不在您的范围内）") % {"code": row["code"]}
            raise RowInvalid(message, column=_("项目编号"))
        if not services.can_edit(self.actor, project):
            message = _("您不能填报项目「%(name)s」") % {"name": project.name}
            raise RowInvalid(message, column=_("项目编号"))
        today = timezone.localdate()
        if (row["year"], row["month"]) > (today.year, today.month):
            raise RowInvalid(_("不能填报未来月份"), column=_("月份"))
        key = (row["code"], row["year"], row["month"])
        if key in seen:
            raise RowInvalid(_("与第 %(row)s 行重复") % {"row": seen[key]}, column=_("项目编号"))
        seen[key] = rownum
        row["project"] = project
        row["reason"] = (row.get("reason") or "").strip()
        old = self.reported.get(key)
        if old is not None and old != row["amount_wan"] * WAN and not row["reason"]:
            message = _(
                "该月已填报 %(old)s 万元；改为 %(new)s 万元须在「修改原因」列填写原因（原值保留在历史记录中）"
            )
            values = {"old": (old / WAN).quantize(Decimal("0.01")), "new": row["amount_wan"]}
            raise RowInvalid(message % values, column=_("修改原因"))
        row["_action"] = UPDATE if key in self.reported else CREATE
        row["_note"] = (
            project.name
            if old is None
            else _("%(name)s：原 %(old)s 万元")
            % {
                "name": project.name,
                "old": (old / WAN).quantize(Decimal("0.01")),
            }
        )
        return row

    def apply_row(self, row) -> bool:
        existed = InvestmentMonth.objects.filter(
            project=row["project"], year=row["year"], month=row["month"], actual__isnull=False
        ).exists()
        services.record_actual(
            row["project"],
            year=row["year"],
            month=row["month"],
            amount=row["amount_wan"] * WAN,
            actor=self.actor,
            reason=row["reason"],
        )
        return not existed

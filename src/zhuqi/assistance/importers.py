"""Bulk assignment from Excel: one row per (enterprise, year, role, official). A row for a role
already held by someone else hands it over (history kept); the same holder is left alone.
A kind of the one import flow (`zhuqi.core.imports`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhuqi.core import permissions
from zhuqi.core.excel import CREATE, SAME, Column, Importer, RowInvalid, choice_by_label
from zhuqi.core.imports import register
from zhuqi.core.models import Department, User
from zhuqi.core.roles import Role
from zhuqi.core.units import MAX_YEAR, MIN_YEAR
from zhuqi.enterprises.models import Enterprise
from zhuqi.enterprises.services import normalise_credit_code

from . import services
from .models import Assignment, AssignmentRole


def parse_year(value) -> int:
    try:
        year = int(float(str(value).strip()))
    except ValueError as exc:
        raise RowInvalid(_("应为四位年份，如 2026")) from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise RowInvalid(_("应为四位年份，如 2026"))
    return year


def parse_role(value) -> str:
    text = str(value).strip()
    role = choice_by_label(AssignmentRole).get(text.casefold()) or (
        text if text in AssignmentRole.values else None
    )
    if role is None:
        labels = _("、").join(str(label) for _value, label in AssignmentRole.choices)
        raise RowInvalid(_("「%(value)s」不是帮扶角色，可选：%(labels)s") % {"value": text, "labels": labels})
    return role


@register
class AssignmentImporter(Importer):
    kind = "assignments"
    title = gettext_lazy("从 Excel 批量分配包抓责任")
    object_name = gettext_lazy("包抓分工")
    audit_object_type = "assistance.assignment"
    done_url = "assistance:assignment_list"
    help_lines = (
        gettext_lazy(
            "每行一家企业一个年度的一个帮扶角色；该角色已由他人担任的，将交接给新责任人（保留历史）。"
        ),
        gettext_lazy(
            "「帮扶角色」填角色名称，如 首席服务专员；部门联系责任人须有包抓部门（留空取责任人所在部门）。"
        ),
    )
    columns = [
        Column(gettext_noop("统一社会信用代码"), "credit_code", max_length=30),
        Column(gettext_noop("年度"), "year", parse=parse_year),
        Column(gettext_noop("帮扶角色"), "role", parse=parse_role),
        Column(gettext_noop("责任人账号"), "username", max_length=150),
        Column(gettext_noop("包抓部门"), "department", required=False, max_length=100),
    ]

    @classmethod
    def allowed(cls, user) -> bool:
        return permissions.allowed(user, "assistance.assignments.import")

    @classmethod
    def template_rows(cls, user):
        role = str(AssignmentRole.COMMISSIONER.label)  # in the user's language: both are accepted
        return [["91340323MA2N0XXXXX", timezone.localdate().year, role, "zy01", ""]]

    def preview_cells(self, row):
        cells = super().preview_cells(row)
        cells[2] = str(AssignmentRole(row["role"]).label)
        if row.get("user"):
            cells[3] = _("%(name)s（%(username)s）") % {
                "name": row["user"].display_name,
                "username": row["username"],
            }
        return cells

    def prepare(self, rows):
        codes = {normalise_credit_code(str(r.get("credit_code") or "")) for _, r in rows}
        self.enterprises = {
            e.credit_code: e for e in Enterprise.objects.visible_to(self.actor).filter(credit_code__in=codes)
        }
        names = {str(r.get("username") or "").strip() for _, r in rows}
        self.users = {
            u.username: u
            for u in User.objects.visible_to(self.actor)
            .filter(username__in=names, is_active=True)
            .exclude(role=Role.ENTERPRISE)
        }
        self.departments = {}
        for d in Department.objects.visible_to(self.actor):
            self.departments.setdefault(d.name, d)
            if d.short_name:
                self.departments.setdefault(d.short_name, d)
        self.current = {
            (a.enterprise_id, a.year, a.role): a
            for a in Assignment.objects.filter(
                enterprise__in=list(self.enterprises.values()), ended_on__isnull=True
            ).select_related("user")
        }

    def clean_row(self, rownum, row, seen):
        code = normalise_credit_code(row["credit_code"])
        ent = self.enterprises.get(code)
        if ent is None:
            message = _("企业库中没有 %(code)s，或不在您的管辖范围内") % {"code": code}
            raise RowInvalid(message, column=_("统一社会信用代码"))
        user = self.users.get(str(row["username"]).strip())
        if user is None:
            message = _("找不到在岗人员「%(username)s」") % {"username": row["username"]}
            raise RowInvalid(message, column=_("责任人账号"))
        key = (ent.pk, row["year"], row["role"])
        if key in seen:
            message = _("与第 %(row)s 行重复：同一企业同一年度的%(role)s只能一人")
            role = AssignmentRole(row["role"]).label
            raise RowInvalid(message % {"row": seen[key], "role": role}, column=_("帮扶角色"))
        seen[key] = rownum
        dept = None
        if row.get("department"):
            dept = self.departments.get(str(row["department"]).strip())
            if dept is None:
                message = _("找不到部门「%(name)s」") % {"name": row["department"]}
                raise RowInvalid(message, column=_("包抓部门"))
        elif row["role"] == AssignmentRole.DEPT_CONTACT:
            dept = user.department
            if dept is None:
                raise RowInvalid(_("部门联系责任人须填写包抓部门"), column=_("包抓部门"))
        current = self.current.get(key)
        row.update(enterprise=ent, user=user, department=dept, credit_code=code)
        if current is None:
            row["_action"] = CREATE
        elif current.user_id == user.pk:
            row["_action"] = SAME
        else:
            row["_action"] = _("交接（原：%(name)s）") % {"name": current.user.display_name}
        row["_current"] = current
        return row

    def apply_row(self, row) -> bool:
        current = row["_current"]
        if current is None:
            services.assign(
                row["enterprise"],
                year=row["year"],
                role=row["role"],
                user=row["user"],
                department=row["department"],
                actor=self.actor,
            )
            return True
        if current.user_id != row["user"].pk:
            services.hand_over(
                current,
                to_user=row["user"],
                actor=self.actor,
                reason=_("Excel 批量调整"),
                department=row["department"],
            )
        return False

"""Excel import of the evaluation's yearly facts (亩均评价数据), one file per department:
统一社会信用代码 · 年度 · then any of the fact columns (an empty cell is no fact). A kind of the
one import flow (`zhuqi.core.imports`): all-or-nothing after the preview; the rows become one
batch of the importing person's department (`services.import_facts`)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhuqi.core import permissions
from zhuqi.core.excel import CREATE, Column, Importer, RowInvalid
from zhuqi.core.imports import register
from zhuqi.core.units import MAX_YEAR, MIN_YEAR, WAN
from zhuqi.enterprises.models import Enterprise

from . import services
from .models import FactKind, UtilityAccount


def _year(value):
    try:
        year = int(float(str(value).strip()))
    except ValueError as exc:
        raise RowInvalid(_("应为整数")) from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise RowInvalid(_("应在 %(lo)s–%(hi)s 之间") % {"lo": MIN_YEAR, "hi": MAX_YEAR})
    return year


def _number(scale: Decimal):
    def parse(value):
        text = str(value).strip().replace(",", "")
        if text == "":
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise RowInvalid(_("应为数字")) from exc
        if not number.is_finite():
            raise RowInvalid(_("应为数字"))
        if number < 0:
            raise RowInvalid(_("不能为负数"))
        return number * scale

    return parse


_ACCOUNT = re.compile(r"[A-Za-z0-9-]{4,30}")


def _accounts(value):
    """One or more utility account numbers in a cell, separated by 、 , ; or spaces."""
    text = str(value).strip()
    if not text:
        return None
    numbers = [n for n in re.split(r"[、,;，；\s]+", text) if n]
    bad = [n for n in numbers if not _ACCOUNT.fullmatch(n)]
    if bad:
        raise RowInvalid(_("用户编号「%(n)s」应为 4–30 位字母或数字") % {"n": bad[0][:40]})
    return list(dict.fromkeys(numbers))


ONE = Decimal(1)
#: the utility account columns: header → UtilityAccount kind
ACCOUNT_COLUMNS = [
    (gettext_noop("电力用户编号"), UtilityAccount.Kind.POWER),
    (gettext_noop("供水用户编号"), UtilityAccount.Kind.WATER),
]
#: the fact columns: header, fact kind, factor to the stored unit (万元 → yuan)
FACT_COLUMNS = [
    (gettext_noop("评价税收（万元）"), FactKind.TAX, WAN),
    (gettext_noop("用地面积（亩）"), FactKind.LAND_MU, ONE),
    (gettext_noop("租赁厂房面积（折亩）"), FactKind.LEASED_MU, ONE),
    (gettext_noop("工业增加值（万元）"), FactKind.VALUE_ADDED, WAN),
    (gettext_noop("营业收入（万元）"), FactKind.REVENUE, WAN),
    (gettext_noop("年平均职工人数（人）"), FactKind.EMPLOYEES, ONE),
    (gettext_noop("研发经费（万元）"), FactKind.RND, WAN),
    (gettext_noop("综合能耗（吨标煤）"), FactKind.ENERGY, ONE),
    (gettext_noop("用电量（万千瓦时）"), FactKind.POWER, ONE),
    (gettext_noop("主要污染物排放量（吨）"), FactKind.EMISSIONS, ONE),
    (gettext_noop("技改投资（万元）"), FactKind.TECH_INVESTMENT, WAN),
]


@register
class FactImporter(Importer):
    kind = "mu-facts"
    title = gettext_lazy("导入亩均评价数据")
    object_name = gettext_lazy("亩均评价数据")
    audit_object_type = "mu.fact"
    done_url = "mu:run_list"
    help_lines = (
        gettext_lazy("每行一家企业一个年度；只填本部门提供的数据列，其他列可删去或留空。"),
        gettext_lazy("本部门以前导入的同一数据会被更正；两个部门提供同一数据时，试算会提示重复。"),
        gettext_lazy("金额以万元计；数值不能为负数。"),
        gettext_lazy(
            "供电、供水单位可同时填写用户编号（一家企业多个编号用顿号分隔），评价结果发布后按编号导出分类名单。"
        ),
    )
    columns = [
        Column(gettext_noop("统一社会信用代码"), "credit_code", max_length=18),
        Column(gettext_noop("年度"), "year", parse=_year),
        *[Column(header, kind, required=False, parse=_number(scale)) for header, kind, scale in FACT_COLUMNS],
        *[
            Column(header, f"account_{kind}", required=False, parse=_accounts)
            for header, kind in ACCOUNT_COLUMNS
        ],
    ]
    sample = [
        [
            "91340300MA2N0XXXXX",
            2025,
            240.97,
            10,
            "",
            1361.6,
            8000,
            80,
            120,
            505.4,
            800,
            0.28,
            50,
            "3400123456",
            "",
        ]
    ]

    @classmethod
    def allowed(cls, user) -> bool:
        return permissions.allowed(user, "mu.import")

    def prepare(self, rows):
        codes = {r["credit_code"] for _n, r in rows}
        self.ents = {
            e.credit_code: e for e in Enterprise.objects.visible_to(self.actor).filter(credit_code__in=codes)
        }
        numbers = {n for _n, r in rows for _h, k in ACCOUNT_COLUMNS for n in (r.get(f"account_{k}") or [])}
        self.owners = {
            (a.kind, a.number): a.enterprise
            for a in UtilityAccount.objects.filter(number__in=numbers).select_related("enterprise")
        }

    def clean_row(self, rownum, row, seen):
        ent = self.ents.get(row["credit_code"])
        if ent is None:
            message = _("找不到统一社会信用代码为「%(code)s」的企业（或不在您的范围内）") % {
                "code": row["credit_code"]
            }
            raise RowInvalid(message, column=_("统一社会信用代码"))
        key = (ent.pk, row["year"])
        if key in seen:
            message = _("与第 %(row)s 行重复（同一企业同一年度）") % {"row": seen[key]}
            raise RowInvalid(message, column=_("统一社会信用代码"))
        seen[key] = rownum
        row["facts"] = {kind: row[kind] for _h, kind, _s in FACT_COLUMNS if row.get(kind) is not None}
        row["accounts"] = {}
        for header, kind in ACCOUNT_COLUMNS:
            for number in row.get(f"account_{kind}") or []:
                owner = self.owners.get((kind, number))
                if owner is not None and owner.pk != ent.pk:
                    message = _("用户编号「%(n)s」已登记在「%(name)s」名下") % {
                        "n": number,
                        "name": owner.name,
                    }
                    raise RowInvalid(message, column=_(header))
                taken = seen.get((kind, number))
                if taken is not None:
                    message = _("用户编号「%(n)s」与第 %(row)s 行重复") % {"n": number, "row": taken}
                    raise RowInvalid(message, column=_(header))
                seen[(kind, number)] = rownum
            if row.get(f"account_{kind}"):
                row["accounts"][kind] = row[f"account_{kind}"]
        if not row["facts"] and not row["accounts"]:
            raise RowInvalid(_("没有填写任何数据"), column=_("年度"))
        land = row["facts"].get(FactKind.LAND_MU)
        if land is not None and land == 0:
            raise RowInvalid(_("用地面积不能为 0（没有自有用地请留空）"), column=_("用地面积（亩）"))
        row["enterprise"] = ent
        row["_action"] = CREATE
        row["_note"] = ent.name
        return row

    def apply_rows(self, rows):
        return services.import_facts(rows, actor=self.actor)

"""The 月报表 Excel export (core.exports): the month and year-to-date investment of the projects
the list shows with the same query string (filters, light, report month)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_lazy

from zhuqi.core import exports, permissions
from zhuqi.core.units import WAN

from . import figures, selectors

REPORT_HEADERS = [
    gettext_lazy("项目编号"),
    gettext_lazy("项目名称"),
    gettext_lazy("项目类型"),
    gettext_lazy("所在区划"),
    gettext_lazy("责任单位"),
    gettext_lazy("包抓领导"),
    gettext_lazy("当前阶段"),
    gettext_lazy("总投资（万元）"),
    gettext_lazy("年度计划（万元）"),
    gettext_lazy("本月完成（万元）"),
    gettext_lazy("累计完成（万元）"),
    gettext_lazy("累计完成率%"),
    gettext_lazy("时序进度%"),
    gettext_lazy("超时序进度（百分点）"),
    gettext_lazy("亮灯"),
]
REPORT_RATE_COLUMNS = (11, 12)  # 累计完成率%, 时序进度%: percentages, exported with a % format


@exports.register("projects.monthly_report")
def monthly_report(user, params) -> exports.Export:
    if not permissions.allowed(user, "projects.export"):
        raise PermissionDenied
    year, month = selectors.report_period(params)
    qs = selectors.listed_projects(user, params, year=year, month=month)  # what the list shows

    def rows():
        prog = figures.progress_by_project(qs, year, month)
        for p in qs:
            pr = prog.get(p.pk) or figures.Progress(year, month)
            yield [
                p.code,
                p.name,
                str(p.get_kind_display()),
                p.region.name,
                p.department.name if p.department else "",
                p.leader.display_name if p.leader else "",
                str(p.get_stage_display()),
                float(p.total_investment / WAN),
                float(pr.planned_year / WAN),
                float(pr.actual_month / WAN),
                float(pr.actual_to_date / WAN),
                pr.completion if pr.completion is not None else "",
                pr.elapsed,
                float(pr.lead) if pr.lead is not None else "",
                str(figures.LIGHT_LABELS[pr.light]),
            ]

    return exports.Export(
        filename=gettext("重点项目月报表-%(year)s年%(month)s月.xlsx") % {"year": year, "month": month},
        headers=[str(h) for h in REPORT_HEADERS],
        rows=rows(),
        total=qs.count(),
        what=gettext("重点项目月报表（%(year)s年%(month)s月）") % {"year": year, "month": month},
        object_type="projects.project",
        rates=REPORT_RATE_COLUMNS,
    )

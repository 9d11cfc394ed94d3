"""The case list's Excel export (core.exports): what the list shows with the same query string."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from zhuqi.core import exports, permissions

from . import selectors


@exports.register("cases.cases")
def cases(user, params) -> exports.Export:
    if not permissions.allowed(user, "cases.export"):
        raise PermissionDenied
    qs = selectors.case_list(user, params)
    headers = [
        gettext("编号"),
        gettext("企业"),
        gettext("标题"),
        gettext("类别"),
        gettext("渠道"),
        gettext("状态"),
        gettext("主办部门"),
        gettext("提交时间"),
        gettext("最近期限"),
        gettext("调度层级"),
        gettext("满意度"),
        gettext("外部工单号"),
        gettext("问题描述"),
        gettext("答复内容"),
        gettext("办结时间"),
    ]

    def rows():
        for c in qs.iterator(chunk_size=2000):
            yield [
                c.no,
                c.enterprise.name,
                c.title,
                str(c.category or ""),
                c.get_channel_display(),
                c.get_status_display(),
                str(c.lead_department or ""),
                c.submitted_at,
                c.next_due_at,
                c.escalation_level,
                c.get_satisfaction_display(),
                c.external_no,
                c.description,
                c.reply,
                c.replied_at,
            ]

    return exports.Export(
        filename=gettext("企业诉求.xlsx"),
        headers=headers,
        rows=rows(),
        total=qs.count(),
        what=gettext("企业诉求清单"),
        object_type="cases.case",
    )

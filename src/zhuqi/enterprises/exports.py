"""The enterprise registry's Excel export (core.exports): the list with the same query string."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from zhuqi.core import exports, permissions

from . import selectors


@exports.register("enterprises.enterprises")
def enterprises(user, params) -> exports.Export:
    if not (
        permissions.allowed(user, "enterprises.view") and permissions.allowed(user, "enterprises.export")
    ):
        raise PermissionDenied
    qs, active = selectors.filtered(user, params)
    filters = selectors.describe_filters(active) or gettext("全部")
    return exports.Export(
        filename=gettext("企业名录.xlsx"),
        headers=[str(h) for h in selectors.EXPORT_HEADERS],
        rows=selectors.export_rows(qs),
        total=qs.count(),
        what=gettext("企业名录（%(filters)s）") % {"filters": filters},
        object_type="enterprises.enterprise",
    )

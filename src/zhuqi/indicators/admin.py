"""Admin, for system administrators: every indicator row changes through services and the
indicators' own pages (系统设置 › 报表、指标目录), so the admin shows them read-only."""

from django.contrib import admin

from zhuqi.core.admin import ReadOnlyAdmin

from .models import Approval, DataSet, Indicator, Report, Target, UnlockRequest, Value


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["sort", "code", "name", "unit", "aggregation", "cumulative", "kind", "is_active"]
    list_filter = ["kind", "unit", "is_active"]


@admin.register(DataSet)
class DataSetAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region", "period_type", "audience", "due_working_days", "is_active"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "period", "enterprise", "submitted_at", "source", "late"]
    list_filter = ["late", "source"]
    search_fields = ["enterprise__name", "period"]


@admin.register(Value)
class ValueAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "period", "enterprise", "region", "cumulative", "value", "flags", "source"]
    list_filter = ["source", "period_type"]
    search_fields = ["enterprise__name", "period"]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "period", "region", "status", "approved_by", "approved_at"]


@admin.register(UnlockRequest)
class UnlockRequestAdmin(ReadOnlyAdmin):
    list_display = ["approval", "status", "requested_by", "requested_at", "decided_by"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["year", "indicator", "region", "department", "leader", "amount", "growth", "method"]

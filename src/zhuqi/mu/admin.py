"""Admin, for system administrators: schemes ship as data, facts come through the import and
results through the computation, so the admin shows them read-only."""

from django.contrib import admin

from zhuqi.core.admin import ReadOnlyAdmin

from .models import (
    Adjustment,
    ClassMeasure,
    Fact,
    FactBatch,
    FactCorrection,
    Objection,
    Result,
    Run,
    Scheme,
    SchemeItem,
    UtilityAccount,
)


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region", "year", "pool", "version", "status"]


@admin.register(SchemeItem)
class SchemeItemAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "measure", "weight", "family", "benchmark", "cap", "lower_is_better"]


@admin.register(FactBatch)
class FactBatchAdmin(ReadOnlyAdmin):
    list_display = ["pk", "department", "created_by", "created_at", "rows"]


@admin.register(Fact)
class FactAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "kind", "value", "department", "batch"]
    list_filter = ["kind", "year"]
    search_fields = ["enterprise__name"]


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "kind", "points", "reason"]


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "region", "year", "status", "evaluated", "created_at"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["run", "enterprise", "total", "rank", "klass"]
    search_fields = ["enterprise__name"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "run", "fact_kind", "status", "deadline", "raised_at"]
    list_filter = ["status"]


@admin.register(FactCorrection)
class FactCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "kind", "old_value", "new_value", "reason", "created_at"]


@admin.register(ClassMeasure)
class ClassMeasureAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "klass", "category", "description", "amount", "unit", "valid_from", "valid_to"]


@admin.register(UtilityAccount)
class UtilityAccountAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "kind", "number", "department", "updated_at"]
    search_fields = ["number", "enterprise__name"]

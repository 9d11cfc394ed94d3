"""Admin: assistance rows change through services (assign, hand over, record a visit, rules
page), so the admin only shows them."""

from django.contrib import admin

from zhuqi.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Assignment, AssistancePlan, LoadLimit, Meeting, PlanMeasure, Visit, VisitRule


@admin.register(VisitRule)
class VisitRuleAdmin(ReadOnlyAdmin):
    list_display = ["role", "period", "min_visits", "remind_days"]


@admin.register(LoadLimit)
class LoadLimitAdmin(ReadOnlyAdmin):
    list_display = ["role", "min_count", "max_count"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "role", "user", "department", "started_on", "ended_on"]
    list_filter = ["year", "role"]
    raw_id_fields = ["enterprise", "user", "department", "predecessor"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["visited_on", "enterprise", "visitor", "kind"]
    list_filter = ["kind"]
    raw_id_fields = ["enterprise", "visitor"]
    date_hierarchy = "visited_on"


class MeasureInline(ReadOnlyInline):
    model = PlanMeasure
    raw_id_fields = ["owner", "department"]


@admin.register(AssistancePlan)
class AssistancePlanAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year"]
    raw_id_fields = ["enterprise"]
    inlines = [MeasureInline]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "kind", "title", "host"]
    raw_id_fields = ["host", "enterprises"]

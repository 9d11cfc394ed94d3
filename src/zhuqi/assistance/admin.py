from django.contrib import admin

from .models import Assignment, AssistancePlan, LoadLimit, Meeting, PlanMeasure, Visit, VisitRule


@admin.register(VisitRule)
class VisitRuleAdmin(admin.ModelAdmin):
    list_display = ["role", "period", "min_visits", "remind_days"]


@admin.register(LoadLimit)
class LoadLimitAdmin(admin.ModelAdmin):
    list_display = ["role", "min_count", "max_count"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "year", "role", "user", "department", "started_on", "ended_on"]
    list_filter = ["year", "role"]
    raw_id_fields = ["enterprise", "user", "department", "predecessor"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["visited_on", "enterprise", "visitor", "kind"]
    list_filter = ["kind"]
    raw_id_fields = ["enterprise", "visitor"]
    date_hierarchy = "visited_on"


class MeasureInline(admin.TabularInline):
    model = PlanMeasure
    raw_id_fields = ["owner", "department"]
    extra = 0


@admin.register(AssistancePlan)
class AssistancePlanAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "year"]
    raw_id_fields = ["enterprise"]
    inlines = [MeasureInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "kind", "title", "host"]
    raw_id_fields = ["host", "enterprises"]

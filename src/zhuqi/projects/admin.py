"""Admin: the configurable parts (approval steps, campaigns).
Projects change through services and are shown read-only."""

from django.contrib import admin

from zhuqi.core.admin import ReadOnlyAdmin

from .models import (
    ApprovalStepType,
    Campaign,
    Project,
)


@admin.register(ApprovalStepType)
class ApprovalStepTypeAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "code", "legal_days", "department_hint", "is_active"]
    list_editable = ["legal_days", "is_active"]
    ordering = ["order"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "level", "region", "department", "stage", "total_investment"]
    list_filter = ["kind", "level", "stage"]
    search_fields = ["code", "name"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "year", "round_no", "held_on"]  # projects are added on the page

"""Admin: the configurable parts (approval steps, campaigns, inspections, red/black rules)."""

from django.contrib import admin

from .models import (
    ApprovalStepType,
    Campaign,
    InspectionCriterion,
    InspectionRound,
    Project,
    RankingPublication,
    RankingRule,
)


@admin.register(ApprovalStepType)
class ApprovalStepTypeAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "code", "legal_days", "department_hint", "is_active"]
    list_editable = ["legal_days", "is_active"]
    ordering = ["order"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "region", "department", "stage", "total_investment"]
    list_filter = ["kind", "level", "stage"]
    search_fields = ["code", "name"]
    raw_id_fields = ["owner", "region", "leader", "department"]
    filter_horizontal = ["team"]
    readonly_fields = ["stage", *Project.STAGE_DATE_FIELDS.values()]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "year", "round_no", "held_on"]  # projects are added on the page


class CriterionInline(admin.TabularInline):
    model = InspectionCriterion
    extra = 1


@admin.register(InspectionRound)
class InspectionRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "held_on", "status"]
    filter_horizontal = ["projects", "scorers"]
    inlines = [CriterionInline]
    readonly_fields = ["status", "published_at"]


@admin.register(RankingRule)
class RankingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "subject", "metric", "size"]


@admin.register(RankingPublication)
class RankingPublicationAdmin(admin.ModelAdmin):
    list_display = ["rule", "period", "published_at", "published_by"]
    readonly_fields = ["rule", "period", "red", "black", "published_at", "published_by"]

    def has_add_permission(self, request):
        return False

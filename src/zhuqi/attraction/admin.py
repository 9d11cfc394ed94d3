"""Admin, for system administrators: leads, pre-reviews and contracts change through their
services (scope, the stage table, the pre-review gate), so the admin shows them read-only."""

from django.contrib import admin

from zhuqi.core.admin import ReadOnlyAdmin

from .models import (
    Chain,
    ChainNode,
    ClockSetting,
    Contract,
    FundMonth,
    Lead,
    Obligation,
    Opinion,
    Pipeline,
    PreReview,
    ReviewRule,
    Stage,
    StageChange,
    Target,
)


@admin.register(Pipeline)
class PipelineAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "order", "is_active"]


@admin.register(Stage)
class StageAdmin(ReadOnlyAdmin):
    list_display = ["pipeline", "order", "code", "name", "is_won", "is_lost", "is_shelved", "needs_prereview"]


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ["title", "investor_name", "source", "amount", "stage", "team", "region", "registered_on"]
    list_filter = ["source", "pipeline"]


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ["lead", "from_stage", "to_stage", "actor", "at"]


@admin.register(ReviewRule)
class ReviewRuleAdmin(ReadOnlyAdmin):
    list_display = ["region", "department", "industry_prefix", "is_active"]


@admin.register(PreReview)
class PreReviewAdmin(ReadOnlyAdmin):
    list_display = ["lead", "status", "due_on", "conclusion"]


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ["prereview", "department", "verdict", "due_on", "answered_at"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["lead", "kind", "number", "signed_on", "amount"]


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = ["contract", "kind", "target", "due_on", "status"]


@admin.register(Chain)
class ChainAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "leader", "department"]


@admin.register(ChainNode)
class ChainNodeAdmin(ReadOnlyAdmin):
    list_display = ["chain", "name", "position", "industry_codes", "gap"]


@admin.register(FundMonth)
class FundMonthAdmin(ReadOnlyAdmin):
    list_display = ["lead", "year", "month", "source", "amount", "recognised"]
    list_filter = ["recognised", "source", "year"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["name", "chain_node", "status", "team", "region"]
    list_filter = ["status"]


@admin.register(ClockSetting)
class ClockSettingAdmin(ReadOnlyAdmin):
    list_display = ["region", "threshold", "respond_days", "judge_days", "feedback_days", "progress_days"]

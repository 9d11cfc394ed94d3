from django.contrib import admin

from .models import Case, Category, PartnerSystem, RoutingRule, SlaPolicy


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "order", "is_active"]
    list_filter = ["is_active"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "scheme",
        "category",
        "urgency",
        "resolve_days",
        "extension_max_days",
        "is_active",
    ]
    list_filter = ["scheme", "is_active"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "region", "lead_department", "is_active"]
    filter_horizontal = ["assisting_departments"]


@admin.register(PartnerSystem)
class PartnerSystemAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "region", "key_prefix", "is_active"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["no", "title", "enterprise", "status", "channel", "lead_department", "next_due_at"]
    list_filter = ["status", "channel"]
    search_fields = ["no", "title", "external_no"]
    readonly_fields = [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

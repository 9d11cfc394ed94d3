"""Admin: partner systems. Cases, routing rules, categories and SLA policies change through
services (the 系统设置 pages) and are shown read-only."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuqi.core.admin import ReadOnlyAdmin

from .models import Case, Category, PartnerSystem, RoutingRule, SlaPolicy


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "parent", "order", "is_active"]
    list_filter = ["is_active"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyAdmin):
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
class RoutingRuleAdmin(ReadOnlyAdmin):
    list_display = ["category", "region", "lead_department", "is_active"]
    filter_horizontal = ["assisting_departments"]


@admin.register(PartnerSystem)
class PartnerSystemAdmin(admin.ModelAdmin):
    """Partner systems' api keys are generated here and shown once; only a hash is stored."""

    list_display = ["name", "channel", "region", "key_prefix", "is_active"]
    readonly_fields = ["key_prefix", "created_at"]
    actions = ["reset_key"]

    def save_model(self, request, obj, form, change):
        key = obj.new_key() if not obj.key_hash else None
        super().save_model(request, obj, form, change)
        if key:
            messages.warning(
                request,
                _("「%(name)s」的 api_key：%(key)s（只显示这一次，请妥善交给对接方）")
                % {"name": obj.name, "key": key},
            )

    @admin.action(description=gettext_lazy("重置 api_key"))
    def reset_key(self, request, queryset):
        for obj in queryset:
            key = obj.new_key()
            obj.save(update_fields=["key_hash", "key_prefix"])
            messages.warning(
                request,
                _("「%(name)s」的新 api_key：%(key)s（只显示这一次）") % {"name": obj.name, "key": key},
            )


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["no", "title", "enterprise", "status", "channel", "lead_department", "next_due_at"]
    list_filter = ["status", "channel"]
    search_fields = ["no", "title", "external_no"]

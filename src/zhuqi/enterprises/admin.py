"""Admin: reference data and accounts only a system administrator touches (industries, tags,
lists, enterprise accounts). Enterprises, key designations and list stays change through
services and are shown read-only."""

from django.contrib import admin

from zhuqi.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Enterprise, EnterpriseList, EnterpriseUser, Industry, KeyDesignation, ListMembership, Tag


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "region", "industry", "above_scale", "tier"]
    search_fields = ["name", "credit_code", "name_initials"]
    list_filter = ["above_scale", "tier", "tags"]
    autocomplete_fields = ["region"]
    raw_id_fields = ["industry"]


@admin.register(EnterpriseUser)
class EnterpriseUserAdmin(ReadOnlyAdmin):
    list_display = ["user", "enterprise"]
    raw_id_fields = ["user", "enterprise"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["level"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]


class MembershipInline(ReadOnlyInline):
    model = ListMembership
    raw_id_fields = ["enterprise"]


@admin.register(EnterpriseList)
class EnterpriseListAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "pool", "year", "goal", "region", "is_active"]
    list_filter = ["kind", "pool", "year", "is_active"]
    inlines = [MembershipInline]


@admin.register(KeyDesignation)
class KeyDesignationAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "note"]
    list_filter = ["year"]
    raw_id_fields = ["enterprise"]

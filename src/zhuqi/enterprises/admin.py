from django.contrib import admin

from .models import Enterprise, EnterpriseList, EnterpriseUser, Industry, KeyDesignation, ListMembership, Tag


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region", "industry", "above_scale", "tier"]
    search_fields = ["name", "credit_code", "name_initials"]
    list_filter = ["above_scale", "tier", "tags"]
    autocomplete_fields = ["region"]
    raw_id_fields = ["industry"]
    readonly_fields = ["credit_code_unchecked", "name_initials"]


@admin.register(EnterpriseUser)
class EnterpriseUserAdmin(admin.ModelAdmin):
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


class MembershipInline(admin.TabularInline):
    model = ListMembership
    raw_id_fields = ["enterprise"]
    extra = 0


@admin.register(EnterpriseList)
class EnterpriseListAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "pool", "year", "goal", "region", "is_active"]
    list_filter = ["kind", "pool", "year", "is_active"]
    inlines = [MembershipInline]


@admin.register(KeyDesignation)
class KeyDesignationAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "year", "note"]
    list_filter = ["year"]
    raw_id_fields = ["enterprise"]

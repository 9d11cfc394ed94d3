from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Attachment, AuditEntry, Comment, Department, Notification, Region, User, WorkdayOverride


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "region", "department", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "mobile"]
    autocomplete_fields = ["region", "department"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "title", "mobile", "email")}),
        (_("角色与范围"), {"fields": ("role", "region", "department")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "role", "region", "department", "password1", "password2"),
            },
        ),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "at", "actor_label", "ip", "action", "event", "object_type", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor_label", "event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]


admin.site.register(Notification)
admin.site.register(Attachment)
admin.site.register(Comment)

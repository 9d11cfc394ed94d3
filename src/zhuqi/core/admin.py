"""Admin: what only a system administrator touches (accounts). Domain and configuration rows
(the region tree, departments, calendar overrides, ...) change through their services, on the
pages (系统设置) and the API, so their admins (`ReadOnlyAdmin`) only show them."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Attachment, AuditEntry, Comment, Department, Notification, Region, User, WorkdayOverride


class ReadOnly:
    """A domain model: it changes only through its service (permission check, audit event,
    notifications). The admin lists and shows its rows; it never adds, changes or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """A domain model's admin page: list and detail, read-only."""


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    """Rows of a domain model shown under their parent, read-only like `ReadOnlyAdmin`."""

    extra = 0
    can_delete = False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
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

    def save_model(self, request, obj, form, change):
        """Account fields save as usual; the role and where it applies go through
        `services.change_role`, which checks the actor and writes the permission event."""
        wanted = {f: getattr(obj, f) for f in services.ROLE_FIELDS}
        saved = User.objects.filter(pk=obj.pk).first() if change else None
        for f in services.ROLE_FIELDS:  # keep what is stored until the service changes it
            setattr(obj, f, getattr(saved, f) if saved else User._meta.get_field(f).get_default())
        super().save_model(request, obj, form, change)
        if any(getattr(obj, f) != wanted[f] for f in services.ROLE_FIELDS):
            changed = services.change_role(obj, actor=request.user, **wanted)
            for f in services.ROLE_FIELDS:
                setattr(obj, f, getattr(changed, f))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "actor_label", "ip", "action", "event", "object_type", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor_label", "event"]


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(ReadOnlyAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]


admin.site.register([Notification, Attachment, Comment], ReadOnlyAdmin)

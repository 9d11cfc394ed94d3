"""Admin, for system administrators: documents and items change through their services (the
conditions and amount rules are checked there), so the admin shows them read-only."""

from django.contrib import admin

from zhuqi.core.admin import ReadOnlyAdmin

from .models import Application, Match, PolicyDocument, PolicyItem


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "level", "issuer", "number", "issued_on", "region"]


@admin.register(PolicyItem)
class PolicyItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "document", "kind", "status", "mode", "department", "data_year"]
    list_filter = ["kind", "status", "mode"]


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["item", "enterprise", "pushed_at", "read_at"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["item", "enterprise", "year", "status", "amount", "due_on", "paid_on"]
    list_filter = ["status", "year"]

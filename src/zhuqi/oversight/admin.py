"""Admin, for system administrators: items change only through the services (the pages, the
import and the sweep), so the admin shows them read-only."""

from django.contrib import admin

from zhuqi.core.admin import ReadOnlyAdmin

from .models import (
    Bulletin,
    CalendarEvent,
    CalendarReminder,
    Extension,
    Item,
    RedBlackList,
    Report,
    SlipRecord,
    TourRound,
    TourScore,
)


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "region", "lead_department", "status", "slip", "due_on"]
    list_filter = ["status", "slip", "list_kind"]
    search_fields = ["title"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["item", "kind", "by", "at"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["item", "old_due_on", "new_due_on", "status", "requested_at"]


@admin.register(SlipRecord)
class SlipRecordAdmin(ReadOnlyAdmin):
    list_display = ["item", "slip", "reason", "issued_at"]


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ["title", "region", "year", "kind", "month", "status", "number", "published_at"]


@admin.register(TourRound)
class TourRoundAdmin(ReadOnlyAdmin):
    list_display = ["name", "period", "region", "held_on", "status", "published_at"]
    list_filter = ["status"]


@admin.register(RedBlackList)
class RedBlackListAdmin(ReadOnlyAdmin):
    """Published 红黑榜 (among them those migrated from the projects app): history, read-only."""

    list_display = ["rule", "period", "published_at", "published_by"]


@admin.register(TourScore)
class TourScoreAdmin(ReadOnlyAdmin):
    list_display = ["round", "site", "criterion", "judge", "score", "scored_at"]


@admin.register(CalendarEvent)
class CalendarEventAdmin(ReadOnlyAdmin):
    """Events are added, changed and switched off on 督查日历 → 管理日历事项
    (services_calendar: permission, area, audit event)."""

    list_display = [
        "title",
        "region",
        "kind",
        "recurrence",
        "day",
        "department",
        "preparer",
        "lead_days",
        "is_active",
    ]
    list_filter = ["kind", "recurrence", "is_active"]


@admin.register(CalendarReminder)
class CalendarReminderAdmin(ReadOnlyAdmin):
    list_display = ["event", "occurs_on", "sent_at"]

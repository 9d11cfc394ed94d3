from django.contrib import admin

from .models import Enterprise, EnterpriseUser


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region", "above_scale"]
    search_fields = ["name", "credit_code"]
    list_filter = ["above_scale"]
    autocomplete_fields = ["region"]


@admin.register(EnterpriseUser)
class EnterpriseUserAdmin(admin.ModelAdmin):
    list_display = ["user", "enterprise"]
    raw_id_fields = ["user", "enterprise"]

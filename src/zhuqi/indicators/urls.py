from django.urls import path

from . import views, views_entry

app_name = "indicators"

urlpatterns: list = [
    # --- entry (批量录入) ---
    path("grid/", views_entry.grid, name="grid"),
    # --- end entry ---
]
assert views

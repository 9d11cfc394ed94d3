from django.urls import path

from . import views, views_dispatch, views_targets

app_name = "indicators"

urlpatterns: list = []

# --- 经济指标调度 and 目标管理 (views_dispatch.py, views_targets.py) ---------------------------------
urlpatterns += [
    path("dispatch/", views_dispatch.dispatch, name="dispatch"),
    path("dispatch/rows/", views_dispatch.dispatch_rows, name="dispatch_rows"),
    path("dispatch/remind/", views_dispatch.dispatch_remind, name="dispatch_remind"),
    path("dispatch/export/", views_dispatch.dispatch_export, name="dispatch_export"),
    path("targets/", views_targets.target_list, name="target_list"),
    path("targets/new/", views_targets.target_set, name="target_set"),
    path("targets/<int:pk>/", views_targets.target_detail, name="target_detail"),
]
# --- end 经济指标调度 and 目标管理 ---
assert views

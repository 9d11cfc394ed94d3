from django.urls import path

from . import views, views_dispatch, views_entry, views_settings, views_targets

app_name = "indicators"

urlpatterns = [
    # returns, forms and their completeness, approvals (views.py)
    path("returns/", views.my_returns, name="my_returns"),
    path("returns/<int:dataset_pk>/<str:period>/<int:enterprise_pk>/", views.return_form, name="return_form"),
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<int:pk>/remind/", views.remind, name="remind"),
    path("datasets/<int:pk>/approve/", views.approve, name="approve"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/unlock/", views.unlock_request, name="unlock_request"),
    path("unlocks/<int:pk>/decide/", views.unlock_decide, name="unlock_decide"),
    # 批量录入 (views_entry.py)
    path("grid/", views_entry.grid, name="grid"),
    # 经济指标调度 and 目标管理 (views_dispatch.py, views_targets.py)
    path("dispatch/", views_dispatch.dispatch, name="dispatch"),
    path("dispatch/rows/", views_dispatch.dispatch_rows, name="dispatch_rows"),
    path("dispatch/remind/", views_dispatch.dispatch_remind, name="dispatch_remind"),
    path("dispatch/export/", views_dispatch.dispatch_export, name="dispatch_export"),
    path("targets/", views_targets.target_list, name="target_list"),
    path("targets/new/", views_targets.target_set, name="target_set"),
    path("targets/<int:pk>/", views_targets.target_detail, name="target_detail"),
    # 系统设置 (views_settings.py)
    path("settings/datasets/", views_settings.datasets, name="settings_datasets"),
    path("settings/datasets/<int:pk>/", views_settings.dataset, name="settings_dataset"),
    path("settings/indicators/", views_settings.indicators, name="settings_indicators"),
    path("settings/indicators/<int:pk>/", views_settings.indicator, name="settings_indicator"),
]

from django.urls import path

from . import views, views_settings

app_name = "indicators"

urlpatterns = [
    # the lead: returns, forms and completeness, approvals
    path("returns/", views.my_returns, name="my_returns"),
    path("returns/<int:dataset_pk>/<str:period>/<int:enterprise_pk>/", views.return_form, name="return_form"),
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<int:pk>/remind/", views.remind, name="remind"),
    path("datasets/<int:pk>/approve/", views.approve, name="approve"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/unlock/", views.unlock_request, name="unlock_request"),
    path("unlocks/<int:pk>/decide/", views.unlock_decide, name="unlock_decide"),
    path("settings/datasets/", views_settings.datasets, name="settings_datasets"),
    path("settings/datasets/<int:pk>/", views_settings.dataset, name="settings_dataset"),
    path("settings/indicators/", views_settings.indicators, name="settings_indicators"),
    path("settings/indicators/<int:pk>/", views_settings.indicator, name="settings_indicator"),
]

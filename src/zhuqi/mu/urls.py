from django.urls import path

from . import views

app_name = "mu"

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/regions/", views.run_regions, name="run_regions"),
    path("runs/<int:pk>/key-list/", views.run_keylist, name="run_keylist"),
    path("runs/<int:pk>/announce/", views.run_announce, name="run_announce"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("runs/<int:pk>/recompute/", views.run_recompute, name="run_recompute"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("results/<int:pk>/object/", views.result_object, name="result_object"),
    path("objections/", views.objection_list, name="objection_list"),
    path("objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
    path("adjustments/", views.adjustments, name="adjustments"),
    path("measures/", views.measures, name="measures"),
]

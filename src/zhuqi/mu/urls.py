from django.urls import path

from . import views

app_name = "mu"

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/regions/", views.run_regions, name="run_regions"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
]

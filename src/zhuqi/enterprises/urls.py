from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="enterprise_list"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
]

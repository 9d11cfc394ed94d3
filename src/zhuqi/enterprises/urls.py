from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="enterprise_list"),
    path("mine/", views.my_enterprise, name="my_enterprise"),
    path("new/", views.enterprise_create, name="enterprise_create"),
    path("import/", views.enterprise_import, name="enterprise_import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("industries/", views.industry_list, name="industry_list"),
    path("lists/", views.list_index, name="list_index"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("lists/<int:pk>/enter/", views.list_enter, name="list_enter"),
    path("memberships/<int:pk>/exit/", views.membership_exit, name="membership_exit"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("<int:pk>/key/", views.enterprise_key, name="enterprise_key"),
]

from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from . import views, views_accounts

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="enterprise_list"),
    path("mine/", views.my_enterprise, name="my_enterprise"),
    path("mine/contacts/", views_accounts.my_contacts, name="my_contacts"),
    path("<int:pk>/accounts/new/", views_accounts.account_invite, name="account_invite"),
    path("accounts/<int:pk>/link/", views_accounts.account_link, name="account_link"),
    path("accounts/<int:pk>/primary/", views_accounts.account_primary, name="account_primary"),
    path("accounts/<int:pk>/active/", views_accounts.account_active, name="account_active"),
    path("new/", views.enterprise_create, name="enterprise_create"),
    # the import is a kind of the one import flow (zhuqi.core.views_import); old links redirect
    path(
        "import/",
        RedirectView.as_view(url=reverse_lazy("core:import", args=["enterprises"])),
        name="enterprise_import",
    ),
    path(
        "import/template.xlsx",
        RedirectView.as_view(url=reverse_lazy("core:import_template", args=["enterprises"])),
        name="import_template",
    ),
    path("industries/", views.industry_list, name="industry_list"),
    path("lists/", views.list_index, name="list_index"),
    path("lists/new/", views.list_create, name="list_create"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("lists/<int:pk>/edit/", views.list_edit, name="list_edit"),
    path("lists/<int:pk>/enter/", views.list_enter, name="list_enter"),
    path("memberships/<int:pk>/exit/", views.membership_exit, name="membership_exit"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("<int:pk>/key/", views.enterprise_key, name="enterprise_key"),
    path("<int:pk>/archive/", views.enterprise_archive, name="enterprise_archive"),
    path("archived/", views.archived_list, name="archived"),
    path("archived/<int:pk>/restore/", views.enterprise_restore, name="enterprise_restore"),
]

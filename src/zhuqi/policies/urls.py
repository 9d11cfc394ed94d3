from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("mine/", views.mine, name="mine"),
    path("documents/new/", views.document_form, name="document_new"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", views.document_form, name="document_edit"),
    path("documents/<int:document_pk>/items/new/", views.item_form, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_form, name="item_edit"),
    path("items/<int:pk>/guide/", views.item_guide, name="item_guide"),
    path("items/<int:pk>/enterprises/<int:enterprise_pk>/", views.item_explain, name="item_explain"),
]

urlpatterns += [
    path("items/<int:pk>/push/", views.item_push, name="item_push"),
    path("items/<int:pk>/apply/", views.item_apply, name="item_apply"),
    path("items/<int:pk>/grant/", views.item_grant, name="item_grant"),
    path("items/<int:pk>/publicise/", views.item_publicise, name="item_publicise"),
    path("items/<int:pk>/publicity/", views.item_publicity, name="item_publicity"),
    path("applications/", views.application_list, name="application_list"),
    path("figures/", views.figures, name="figures"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/complain/", views.application_complain, name="application_complain"),
    path("applications/<int:pk>/account/", views.application_account, name="application_account"),
    path("applications/<int:pk>/<str:action>/", views.application_fire, name="application_fire"),
]

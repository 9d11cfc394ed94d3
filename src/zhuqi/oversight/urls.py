from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/fire/", views.item_fire, name="item_fire"),
    path("items/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("items/<int:pk>/extension/", views.item_extension, name="item_extension"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
]

from django.urls import path

from . import views, views_bulletin, views_calendar

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
    path("bulletins/", views_bulletin.bulletin_list, name="bulletin_list"),
    path("bulletins/<int:pk>/", views_bulletin.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", views_bulletin.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/approve/", views_bulletin.bulletin_approve, name="bulletin_approve"),
    path("bulletins/<int:pk>/publish/", views_bulletin.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/word/", views_bulletin.bulletin_docx, name="bulletin_docx"),
    path("bulletins/<int:pk>/pdf/", views_bulletin.bulletin_pdf, name="bulletin_pdf"),
    path("calendar/", views_calendar.calendar, name="calendar"),
]

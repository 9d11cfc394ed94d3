from django.urls import path

from . import views, views_assessment, views_bulletin, views_calendar, views_tours

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
    path("assessments/", views_assessment.scheme_list, name="scheme_list"),
    path("assessments/schemes/new/", views_assessment.scheme_new, name="scheme_new"),
    path("assessments/schemes/<int:pk>/", views_assessment.scheme_detail, name="scheme_detail"),
    path("assessments/schemes/<int:pk>/edit/", views_assessment.scheme_edit, name="scheme_edit"),
    path("assessments/<int:pk>/", views_assessment.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/publish/", views_assessment.assessment_publish, name="assessment_publish"),
    path("redblack/", views_assessment.redblack_list, name="redblack_list"),
    path("redblack/new/", views_assessment.redblack_new, name="redblack_new"),
    path("redblack/<int:pk>/", views_assessment.redblack_detail, name="redblack_detail"),
    path("redblack/<int:pk>/edit/", views_assessment.redblack_edit, name="redblack_edit"),
    path("redblack/<int:pk>/exempt/", views_assessment.redblack_exempt, name="redblack_exempt"),
    path("redblack/<int:pk>/publish/", views_assessment.redblack_publish, name="redblack_publish"),
    path("tours/", views_tours.tour_list, name="tour_list"),
    path("tours/new/", views_tours.tour_new, name="tour_new"),
    path("tours/mine/", views_tours.tour_mine, name="tour_mine"),
    path("tours/<int:pk>/", views_tours.tour_detail, name="tour_detail"),
    path("tours/<int:pk>/edit/", views_tours.tour_edit, name="tour_edit"),
    path("tours/<int:pk>/publish/", views_tours.tour_publish, name="tour_publish"),
    path("tours/<int:pk>/word/", views_tours.tour_docx, name="tour_docx"),
    path("tours/<int:pk>/sites/<int:site_pk>/", views_tours.tour_score, name="tour_score"),
    path("bulletins/<int:pk>/pdf/", views_bulletin.bulletin_pdf, name="bulletin_pdf"),
    path("calendar/", views_calendar.calendar, name="calendar"),
]

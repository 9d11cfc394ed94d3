from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from . import views

app_name = "assistance"

urlpatterns = [
    path("mine/", views.my_enterprises, name="my_enterprises"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/correct/", views.visit_correct, name="visit_correct"),
    path("visits/<int:pk>/withdraw/", views.visit_withdraw, name="visit_withdraw"),
    path("compliance/", views.compliance_report, name="compliance"),
    path("compliance/people/<int:user_id>/", views.compliance_official, name="compliance_official"),
    path("compliance/enterprises/<int:pk>/", views.compliance_enterprise, name="compliance_enterprise"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    # a kind of the one import flow (zhuqi.core.views_import); the old addresses redirect
    path(
        "assignments/import/",
        RedirectView.as_view(url=reverse_lazy("core:import", args=["assignments"])),
        name="assignment_import",
    ),
    path(
        "assignments/import/template.xlsx",
        RedirectView.as_view(url=reverse_lazy("core:import_template", args=["assignments"])),
        name="assignment_template",
    ),
    path("assignments/<int:pk>/hand-over/", views.hand_over, name="hand_over"),
    path("people/<int:user_id>/hand-over/", views.hand_over_person, name="hand_over_person"),
    path("enterprises/<int:pk>/assign/", views.assign, name="assign"),
    path("enterprises/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/measures/", views.measure_add, name="measure_add"),
    path("measures/<int:pk>/progress/", views.measure_progress, name="measure_progress"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("rules/", views.rules, name="rules"),
]

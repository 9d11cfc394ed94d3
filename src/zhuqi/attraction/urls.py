from django.urls import path

from . import views

app_name = "attraction"

urlpatterns = [
    path("", views.lead_list, name="lead_list"),
    path("funnel/", views.funnel, name="funnel"),
    path("funds/", views.funds_ledger, name="funds_ledger"),
    path("rates/", views.rates, name="rates"),
    path("chains/", views.chains, name="chains"),
    path("reviewers/", views.reviewers, name="reviewers"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_form, name="target_new"),
    path("targets/<int:pk>/edit/", views.target_form, name="target_edit"),
    path("leads/<int:pk>/funds/", views.funds_new, name="funds_new"),
    path("leads/new/", views.lead_form, name="lead_new"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_form, name="lead_edit"),
    path("leads/<int:pk>/move/", views.lead_move, name="lead_move"),
    path("leads/<int:pk>/clocks/stop/", views.clock_stop, name="clock_stop"),
    path("annual/", views.annual_targets, name="annual_targets"),
    path("judging/", views.meeting_list, name="meeting_list"),
    path("judging/new/", views.meeting_new, name="meeting_new"),
    path("judging/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("judging/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("weekly/", views.report_board, name="report_board"),
    path("weekly/new/", views.report_new, name="report_new"),
    path("weekly/<int:pk>/", views.report_detail, name="report_detail"),
    path("weekly/teams/", views.abroad_teams, name="abroad_teams"),
    path("leads/<int:pk>/prereview/", views.prereview_start, name="prereview_start"),
    path("leads/<int:pk>/contracts/new/", views.contract_new, name="contract_new"),
    path("leads/<int:pk>/convert/", views.lead_convert, name="lead_convert"),
    path("opinions/<int:pk>/", views.opinion_answer, name="opinion_answer"),
    path("prereviews/<int:pk>/conclude/", views.prereview_conclude, name="prereview_conclude"),
    path("obligations/<int:pk>/check/", views.obligation_check, name="obligation_check"),
]

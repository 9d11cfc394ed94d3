from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from . import views, views_coordination, views_settings

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("board/", views.board, name="board"),
    path("inbox/", views.inbox, name="inbox"),
    path("leader/", views.leader_view, name="leader"),
    path("coordination/", views_coordination.queue, name="coordination"),
    path("coordination/<int:pk>/", views_coordination.detail, name="coordination_detail"),
    path("coordination/<int:pk>/cancel/", views_coordination.cancel, name="coordination_cancel"),
    path("coordination/<int:pk>/minutes/", views_coordination.minutes, name="coordination_minutes"),
    path("new/", views.case_new, name="new"),
    path("portal/", views.portal, name="portal"),
    path("portal/new/", views.portal_new, name="portal_new"),
    path("figures/", views.figures, name="figures"),
    path("figures/export/", views.figures_export, name="figures_export"),
    path("export/", views.case_export, name="export"),
    # a kind of the one import flow (zhuqi.core.views_import); the old address redirects
    path("import/", RedirectView.as_view(url=reverse_lazy("core:import", args=["hotline"])), name="import"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views_settings.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("settings/categories/", views_settings.categories, name="categories"),
    path("settings/categories/<int:pk>/", views_settings.category, name="category"),
    path("settings/sla/", views_settings.sla_schemes, name="sla"),
    path("settings/sla/new/", views_settings.sla_policy, name="sla_policy_new"),
    path("settings/sla/<int:pk>/", views_settings.sla_policy, name="sla_policy"),
    path("suggest/", views.suggest_view, name="suggest"),
    path("rate/<int:pk>/<str:token>/", views.rate, name="rate"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.case_act, name="act"),
    path("<int:pk>/correct/", views.case_correct, name="correct"),
    path("supervision/<int:pk>/respond/", views.supervision_respond, name="supervision_respond"),
]

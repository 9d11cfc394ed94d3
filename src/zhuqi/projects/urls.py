from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("board/", views.board, name="board"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("report/monthly.xlsx", views.monthly_report, name="monthly_report"),
    # a kind of the one import flow (zhuqi.core.views_import); the old address redirects
    path(
        "investment/import/",
        RedirectView.as_view(url=reverse_lazy("core:import", args=["investment"])),
        name="actual_import",
    ),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/problems/", views.problem_raise, name="problem_raise"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/archive/", views.project_archive, name="project_archive"),
    path("archived/", views.archived_list, name="archived"),
    path("archived/<int:pk>/restore/", views.project_restore, name="project_restore"),
    path("<int:pk>/stage/", views.stage_move, name="stage_move"),
    path("<int:pk>/approvals/<int:step_pk>/start/", views.approval_start, name="approval_start"),
    path("<int:pk>/approvals/<int:step_pk>/done/", views.approval_done, name="approval_done"),
    path("<int:pk>/tasks/", views.task_add, name="task_add"),
    path("<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/dependencies/", views.dependency_add, name="dependency_add"),
    path("<int:pk>/backward/", views.schedule_backward, name="schedule_backward"),
    path("<int:pk>/baseline/", views.plan_approve, name="plan_approve"),
    path("<int:pk>/investment/actual/", views.actual_record, name="actual_record"),
    path("<int:pk>/investment/plan/", views.plan_set, name="plan_set"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/entries/", views.campaign_entry_add, name="campaign_entry_add"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    # the 红黑榜 moved to oversight (its rules and lists were migrated there): old links land on its list
    path("rankings/", views.ranking_list, name="ranking_list"),
]

"""Sections the assistance app adds to the enterprise page: team, plan, visits."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from zhuqi.core import permissions
from zhuqi.core.selectors import linkable_people

from . import services
from .forms import AssignForm, MeasureForm
from .models import Assignment, AssistancePlan, PlanMeasure, Visit
from .selectors import current_team


def team_section(request, enterprise):
    year = timezone.localdate().year
    team = current_team(enterprise, year)
    history = (
        Assignment.objects.filter(enterprise=enterprise, ended_on__isnull=False)
        .select_related("user")
        .order_by("-ended_on")[:20]
    )
    held = {row["role"] for row in team if row["assignment"]}
    plan_exists = AssistancePlan.objects.filter(enterprise=enterprise, year=year).exists()
    five = [
        (_("一名领导"), "county_leader" in held),
        (_("一个部门"), "dept_contact" in held),
        (_("一套班子"), len(held) == len(team)),
        (_("一个方案"), plan_exists),
    ]
    can_manage = services.can_manage(request.user)
    return {
        "template": "assistance/sections/team.html",
        "year": year,
        "team": team,
        "history": history,
        "five": five,
        "can_manage": can_manage,
        "linkable": linkable_people(
            request.user, [row["assignment"].user_id for row in team if row["assignment"]]
        ),
        "assign_form": AssignForm(viewer=request.user) if can_manage else None,
    }


def plan_section(request, enterprise):
    year = timezone.localdate().year
    plan = AssistancePlan.objects.filter(enterprise=enterprise, year=year).first()
    measures = (
        PlanMeasure.objects.filter(plan=plan).select_related("owner").prefetch_related("updates")
        if plan
        else PlanMeasure.objects.none()
    )
    is_official = permissions.allowed(request.user, "assistance.plan.view")
    can_edit = is_official and services.can_edit_plan(request.user, enterprise)
    return {
        "template": "assistance/sections/plan.html",
        "year": year,
        "plan": plan,
        "measures": measures,
        "can_edit": can_edit,
        "user_id": request.user.pk,
        "measure_form": MeasureForm(viewer=request.user) if can_edit and plan else None,
        "today": timezone.localdate(),
    }


def visits_section(request, enterprise):
    if not permissions.allowed(request.user, "assistance.visit.view"):
        return None
    visits = (
        Visit.objects.filter(enterprise=enterprise)
        .select_related("visitor")
        .prefetch_related("problems")
        .order_by("-visited_on", "-id")[:10]
    )
    return {
        "template": "assistance/sections/visits.html",
        "visits": visits,
        "n": Visit.objects.filter(enterprise=enterprise).count(),
    }

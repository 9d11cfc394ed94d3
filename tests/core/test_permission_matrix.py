"""The permission matrix (core/permissions.py), walked exhaustively.

Every URL pattern and every API operation is classified here by the matrix action that governs
it; a new URL or operation fails `test_every_url_is_classified` /
`test_every_api_operation_is_classified` until its module adds itself to `PAGES` / `API`.
Each is then requested as each of the ten roles, on objects every one of them could see by
scope: allowed by the matrix (and the object rule the code names) → it works; not allowed →
404 (or 403), and nothing is written (no audit entry, no new row)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.cases.conftest import CaseWorld
from tests.enterprises.helpers import credit_code
from tests.projects.conftest import make_project
from zhuqi.assistance import services as assistance_services
from zhuqi.assistance.models import Assignment, AssistancePlan, Meeting, PlanMeasure, Visit, VisitRule
from zhuqi.cases import services as case_services
from zhuqi.cases import workflow
from zhuqi.cases.models import Case, Extension, RoutingRule, SlaPolicy
from zhuqi.core import permissions, services_accounts
from zhuqi.core.menu import menu_for, settings_for
from zhuqi.core.models import AuditEntry, Department, Notification, Region, Role, User
from zhuqi.core.roles import DEPARTMENT_ROLES
from zhuqi.enterprises import services as enterprise_services
from zhuqi.enterprises.models import Enterprise, EnterpriseList, EnterpriseUser, ListMembership
from zhuqi.indicators import services as ind_services
from zhuqi.indicators.models import Approval, DataSet, UnlockRequest
from zhuqi.mu.models import Objection, Result, Run
from zhuqi.oversight import services_tours as tour_services
from zhuqi.oversight.models import TourCriterion, TourJudge, TourRound, TourSite
from zhuqi.policies import services as policy_services
from zhuqi.policies import workflow as policy_workflow
from zhuqi.projects import services as project_services
from zhuqi.projects.models import (
    Campaign,
    Project,
)

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)
DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


# --- the scene: one object of every kind, inside every role's scope ---------------------------------
class Scene:
    def __init__(self, world):
        self.w = world
        year = timezone.localdate().year
        self.year = year
        self.cw = CaseWorld(world)  # its enterprise lies in world.grid; world.enterprise_user is its staff
        self.ent = self.cw.ent
        for role, user in (
            ("county_leader", world.leader),
            ("commissioner", world.commissioner),
            ("grid_member", world.grid_member),
        ):
            Assignment.objects.create(enterprise=self.ent, year=year, role=role, user=user)
        self.case = self.cw.to("dispatched")  # lead department: 工信局 (head, bob)
        self.other_case = self.cw.new(title="另一件诉求")
        self.supervision = case_services.supervise_case(self.case, actor=world.alice, body="请加快办理")
        self.extension = Extension.objects.create(
            case=self.case, days=3, reason="需协调", requested_by=world.bob
        )
        self.visit = Visit.objects.create(enterprise=self.ent, visitor=world.grid_member, findings="生产正常")
        self.plan = AssistancePlan.objects.create(enterprise=self.ent, year=year, goals="产值增长")
        self.measure = PlanMeasure.objects.create(
            plan=self.plan, title="协调用地", deadline=dt.date(year, 12, 31), owner=world.bob
        )
        self.meeting = Meeting.objects.create(
            kind="breakfast",
            title="尉氏早餐会",
            held_on=dt.date(year, 3, 1),
            host=world.leader,
            region=world.county,
        )
        self.list = EnterpriseList.objects.create(
            name="小升规培育库", kind="pool", region=world.county, goal=3
        )
        self.membership = ListMembership.objects.create(
            list=self.list, enterprise=self.ent, entered_on=dt.date(year, 1, 1)
        )
        self.project = make_project(world, region=world.grid, owner=self.ent)  # 工信局's, led by world.leader
        self.step = self.project.approvals.first()
        self.task = project_services.add_task(
            self.project, name="土建", start=dt.date(year, 3, 2), duration=10, actor=world.admin
        )
        self.campaign = Campaign.objects.create(name="三个一批", region=world.county, year=year, round_no=1)
        self.round = TourRound.objects.create(name="观摩", region=world.county, held_on=dt.date(year, 6, 20))
        self.site = TourSite.objects.create(round=self.round, project=self.project, order=1)
        TourJudge.objects.create(round=self.round, user=world.leader)
        self.criterion = TourCriterion.objects.create(round=self.round, name="建设进度", weight=100, order=1)
        self.rule = self.cw.rule_land
        self.visit_rule = VisitRule.objects.first()
        self.ent_account = EnterpriseUser.objects.get(user=world.enterprise_user)
        self.category = self.cw.land
        self.sla_policy = SlaPolicy.objects.order_by("pk").first()
        # a mistaken registration and a mistaken project, archived (for the restore pages)
        self.archived_ent = Enterprise.objects.create(
            name="误登记的重复企业", credit_code=credit_code(), region=world.grid
        )
        Enterprise.objects.filter(pk=self.archived_ent.pk).update(
            archived_at=timezone.now(), archive_reason="重复登记"
        )
        self.archived_project = make_project(world, code="PARC", region=world.grid)
        Project.objects.filter(pk=self.archived_project.pk).update(
            archived_at=timezone.now(), archive_reason="重复录入"
        )
        # indicators: a monthly form the scene's enterprise reports, one approved period with
        # nothing pending, one with an unlock request to decide
        from zhuqi.indicators import selectors as ind_selectors
        from zhuqi.indicators import services as ind_services
        from zhuqi.indicators.models import DataSet, DataSetIndicator, Indicator

        self.dataset = DataSet.objects.create(
            code="scene_monthly", name="月报", region=world.county, audience="list"
        )
        self.dataset.enterprises.add(self.ent)
        DataSetIndicator.objects.create(
            dataset=self.dataset, indicator=Indicator.objects.get(code="gross_output")
        )
        self.ind_period = ind_selectors.current_period(self.dataset)
        self.approval = ind_services.approve_period(
            self.dataset, self.ind_period.previous(), world.county, actor=world.alice
        )
        locked = ind_services.approve_period(
            self.dataset, self.ind_period.previous().previous(), world.county, actor=world.alice
        )
        self.unlock = ind_services.request_unlock(locked, reason="更正", actor=world.alice)


@pytest.fixture
def scene(world):
    return Scene(world)


def visible(model, user, obj) -> bool:
    return model.objects.visible_to(user).filter(pk=obj.pk).exists()


@contextmanager
def rolled_back():
    """Each role's requests run in a savepoint that is rolled back: the next role starts from
    the same scene."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def written() -> tuple[int, ...]:
    """What a refused request must not change: the audit log (every row change writes one) and
    the rows of the models a write could add."""
    return (
        AuditEntry.objects.count(),
        Case.objects.count(),
        Visit.objects.count(),
        Assignment.objects.count(),
        Project.objects.count(),
        Enterprise.objects.count(),
        Meeting.objects.count(),
        RoutingRule.objects.count(),
        PlanMeasure.objects.count(),
    )


# --- pages -------------------------------------------------------------------------------------------
@dataclass
class Page:
    """How one URL is governed: the matrix `action` (None: any signed-in user), its URL
    arguments, the object rule the code adds (`ok`), and how it is used: "get" (a page), "post"
    (a form's target), "both" (a page with its form), with the POST `data`."""

    action: str | None
    args: Callable[[Scene], list] = lambda s: []
    ok: Callable[[Scene, Any], bool] | None = None
    method: str = "get"
    data: Callable[[Scene], dict] = lambda s: {}
    query: str = ""
    post_ok: Callable[[Scene, Any], bool] | None = None  # when the page's POST is another action


def _dataset_ok(s, u):
    return visible(DataSet, u, s.dataset)


def _case_ok(s, u):
    return visible(Case, u, s.case)


def _ent_ok(s, u):
    return visible(Enterprise, u, s.ent)


def _project_edit(s, u):
    return visible(Project, u, s.project) and project_services.can_edit(u, s.project)


def _plan_edit(s, u):
    return visible(Enterprise, u, s.ent) and assistance_services.can_edit_plan(u, s.ent)


def _managed(s, u, person) -> bool:
    return services_accounts.managed_users(u).filter(pk=person.pk).exists()


def _visit_amend(s, u) -> bool:
    """Any visit in scope (the dispatch office), or one's own (its author, within the limit)."""
    return visible(Visit, u, s.visit) and (
        permissions.allowed(u, "assistance.visit.amend") or u.pk == s.visit.visitor_id
    )


def _area(action, attr):
    return lambda s, u: project_services.can_manage_area(u, getattr(s, attr).region, action)


PAGES: dict[str, Page] = {
    "home": Page("core.home"),
    "core:region_list": Page("core.regions.view"),
    "core:region_detail": Page(
        "core.regions.view", lambda s: [s.w.grid.pk], lambda s, u: visible(Region, u, s.w.grid)
    ),
    "core:department_list": Page("core.departments.view"),
    "core:department_detail": Page(
        "core.departments.view", lambda s: [s.w.jxj.pk], lambda s, u: visible(Department, u, s.w.jxj)
    ),
    "core:user_list": Page("core.people.list"),
    "core:user_detail": Page(
        "core.people.view", lambda s: [s.w.grid_member.pk], lambda s, u: visible(User, u, s.w.grid_member)
    ),
    "core:inbox": Page("core.home"),
    "core:export_list": Page("core.home"),
    "core:inbox_read": Page("core.home", method="post"),
    "core:audit_list": Page("core.audit.view"),
    "core:doc": Page(None, lambda s: ["cases-figures"]),
    "core:import_index": Page(None, ok=lambda s, u: bool(_importers(u))),
    "core:attachment_add": Page(
        "core.attach", lambda s: ["cases.case", s.case.pk], lambda s, u: _case_ok(s, u), method="post"
    ),
    "core:comment_add": Page(
        "core.attach",
        lambda s: ["cases.case", s.case.pk],
        lambda s, u: _case_ok(s, u),
        method="post",
        data=lambda s: {"body": "请尽快处理"},
    ),
    # enterprises
    "enterprises:enterprise_list": Page("enterprises.view"),
    "enterprises:my_enterprise": Page("enterprises.view_own"),
    "enterprises:enterprise_create": Page(
        "enterprises.edit",
        method="both",
        data=lambda s: {"name": "新登记企业有限公司", "region": s.w.grid.pk},
    ),
    "enterprises:enterprise_detail": Page(
        None,
        lambda s: [s.ent.pk],
        lambda s, u: (
            _ent_ok(s, u)
            and (permissions.allowed(u, "enterprises.view") or permissions.allowed(u, "enterprises.view_own"))
        ),
    ),
    "enterprises:enterprise_edit": Page(
        "enterprises.edit",
        lambda s: [s.ent.pk],
        lambda s, u: _ent_ok(s, u),
        method="both",
        data=lambda s: {"name": s.ent.name, "region": s.w.grid.pk},
    ),
    "enterprises:enterprise_key": Page(
        "enterprises.edit",
        lambda s: [s.ent.pk],
        lambda s, u: _ent_ok(s, u),
        method="post",
        data=lambda s: {"year": s.year, "key": "1"},
    ),
    "enterprises:industry_list": Page("enterprises.view"),
    "enterprises:list_index": Page("enterprises.view"),
    "enterprises:list_detail": Page(
        "enterprises.view", lambda s: [s.list.pk], lambda s, u: visible(EnterpriseList, u, s.list)
    ),
    "enterprises:list_enter": Page(
        "enterprises.edit",
        lambda s: [s.list.pk],
        lambda s, u: visible(EnterpriseList, u, s.list),
        method="post",
        data=lambda s: {"enterprise": s.cw.ent_b.pk, "reason": "纳入培育"},
    ),
    "enterprises:membership_exit": Page(
        "enterprises.edit",
        lambda s: [s.membership.pk],
        lambda s, u: visible(ListMembership, u, s.membership),
        method="post",
        data=lambda s: {"reason": "已升规"},
    ),
    # cases
    "cases:list": Page("cases.list"),
    "cases:board": Page("cases.board"),
    "cases:inbox": Page("cases.inbox"),
    "cases:leader": Page("cases.leader_view"),
    "cases:coordination": Page(
        "cases.coordination.view",
        lambda s: [] if _coord_case(s, "待协调") else [],  # the case exists before the POST counts rows
        method="both",
        data=lambda s: {
            "case": [_coord_case(s, "待协调").pk],
            "scheduled_at": f"{s.year}-03-02T09:00",
            "place": "县政府会议室",
        },
        post_ok=lambda s, u: permissions.allowed(u, "cases.coordination.manage"),
    ),
    "cases:coordination_detail": Page(
        "cases.coordination.view",
        lambda s: [_coord_session(s).pk],
        lambda s, u: visible(_CoordinationSession(), u, _coord_session(s)),
        method="both",
        data=lambda s: {
            "held_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "attendees": "县长、工信局",
            f"decision_{_coord_case(s, '已安排').pk}": "限期解决",
            f"department_{_coord_case(s, '已安排').pk}": s.w.jxj.pk,
        },
        post_ok=lambda s, u: _coord_ok(s, u),
    ),
    "cases:coordination_cancel": Page(
        "cases.coordination.manage",
        lambda s: [_coord_session(s).pk],
        lambda s, u: visible(_CoordinationSession(), u, _coord_session(s)),
        method="post",
        data=lambda s: {"reason": "改期"},
    ),
    "cases:coordination_minutes": Page(
        "cases.coordination.view",
        lambda s: [_coord_session(s).pk],
        lambda s, u: visible(_CoordinationSession(), u, _coord_session(s)),
    ),
    "cases:new": Page(
        "cases.register",
        method="both",
        data=lambda s: {
            "enterprise": s.ent.pk,
            "channel": "visit",
            "title": "用电增容",
            "description": "变压器容量不足",
            "urgency": "normal",
        },
    ),
    "cases:portal": Page("cases.portal"),
    "cases:portal_new": Page(
        "cases.portal", method="both", data=lambda s: {"title": "用电增容", "description": "变压器容量不足"}
    ),
    "cases:figures": Page("cases.figures"),
    "cases:figures_export": Page("cases.figures"),
    "cases:export": Page("cases.export"),
    # old import addresses: redirects to the one import flow, open to whom its importer is
    "cases:import": Page("cases.import", ok=lambda s, u: _importer("hotline", u)),
    "enterprises:enterprise_import": Page("enterprises.import", ok=lambda s, u: _importer("enterprises", u)),
    "enterprises:import_template": Page("enterprises.import", ok=lambda s, u: _importer("enterprises", u)),
    "assistance:assignment_import": Page(
        "assistance.assignments.import", ok=lambda s, u: _importer("assignments", u)
    ),
    "assistance:assignment_template": Page(
        "assistance.assignments.import", ok=lambda s, u: _importer("assignments", u)
    ),
    "projects:actual_import": Page("projects.investment.import", ok=lambda s, u: _importer("investment", u)),
    "cases:rules": Page(
        "cases.configure",
        method="both",
        data=lambda s: {"category": s.cw.labor.pk, "region": s.w.county.pk, "lead_department": s.w.jxj.pk},
    ),
    "cases:rule_delete": Page(
        "cases.configure", lambda s: [s.rule.pk], lambda s, u: visible(RoutingRule, u, s.rule), method="post"
    ),
    "cases:suggest": Page("cases.suggest", query="?text=变压器"),
    "cases:rate": Page(
        None, lambda s: [s.case.pk, "wrong-token"]
    ),  # the one-time link: anyone, token decides
    "cases:detail": Page("cases.view", lambda s: [s.case.pk], _case_ok),
    "cases:act": Page(
        None,
        lambda s: [s.case.pk, "sign"],
        lambda s, u: _case_ok(s, u) and workflow.allowed("sign", s.case, u),
        method="post",
    ),
    "cases:supervision_respond": Page(
        "cases.supervision.respond",
        lambda s: [s.supervision.pk],
        lambda s, u: _case_ok(s, u) and u.department_id == s.supervision.department_id,
        method="post",
        data=lambda s: {"response": "已加快办理"},
    ),
    # assistance
    "assistance:my_enterprises": Page("assistance.my_enterprises"),
    "assistance:visit_list": Page("assistance.visit.view"),
    "assistance:visit_create": Page(
        "assistance.visit.record",
        method="both",
        data=lambda s: {
            "enterprise": s.ent.pk,
            "kind": "onsite",
            "visited_on": timezone.localdate().isoformat(),
            "findings": "生产经营正常",
        },
    ),
    "assistance:visit_detail": Page(
        "assistance.visit.view", lambda s: [s.visit.pk], lambda s, u: visible(Visit, u, s.visit)
    ),
    "assistance:compliance": Page("assistance.compliance.view"),
    "assistance:compliance_official": Page(
        "assistance.compliance.view",
        lambda s: [s.w.grid_member.pk],
        lambda s, u: visible(User, u, s.w.grid_member),
    ),
    "assistance:compliance_enterprise": Page("assistance.compliance.view", lambda s: [s.ent.pk], _ent_ok),
    "assistance:assignment_list": Page("assistance.assignments.view"),
    "assistance:hand_over": Page(
        "assistance.assignments.manage",
        lambda s: [Assignment.objects.get(role="grid_member").pk],
        _ent_ok,
        method="both",
        data=lambda s: {"to_user": s.w.leader.pk, "reason": "调岗"},
    ),
    "assistance:hand_over_person": Page(
        "assistance.assignments.manage",
        lambda s: [s.w.grid_member.pk],
        lambda s, u: visible(User, u, s.w.grid_member),
        method="both",
        data=lambda s: {"to_user": s.w.leader.pk, "reason": "调岗"},
    ),
    "assistance:assign": Page(
        "assistance.assignments.manage",
        lambda s: [s.ent.pk],
        _ent_ok,
        method="post",
        data=lambda s: {"year": s.year, "role": "chief", "user": s.w.leader.pk},
    ),
    "assistance:plan_edit": Page(
        None, lambda s: [s.ent.pk], _plan_edit, method="both", data=lambda s: {"goals": "产值增长两成"}
    ),
    "assistance:plan_list": Page("assistance.plan.view"),
    "assistance:measure_add": Page(
        None,
        lambda s: [s.plan.pk],
        _plan_edit,
        method="post",
        data=lambda s: {"title": "协调融资", "deadline": dt.date(s.year, 12, 31).isoformat()},
    ),
    "assistance:measure_progress": Page(
        None,
        lambda s: [s.measure.pk],
        lambda s, u: (
            _ent_ok(s, u)
            and (
                (u.pk == s.measure.owner_id and permissions.allowed(u, "assistance.plan.edit_assigned"))
                or assistance_services.can_edit_plan(u, s.ent)
            )
        ),
        method="post",
        data=lambda s: {"progress": 50, "note": "已对接银行"},
    ),
    "assistance:meeting_list": Page("assistance.meetings.view"),
    "assistance:meeting_create": Page(
        "assistance.meetings.record",
        method="both",
        data=lambda s: {
            "kind": "breakfast",
            "title": "政企早餐会",
            "held_on": timezone.localdate().isoformat(),
        },
    ),
    "assistance:meeting_detail": Page(
        "assistance.meetings.view", lambda s: [s.meeting.pk], lambda s, u: visible(Meeting, u, s.meeting)
    ),
    "assistance:rules": Page("assistance.rules.view"),
    # projects
    "projects:project_list": Page("projects.view"),
    "projects:project_create": Page(
        "projects.create",
        method="both",
        data=lambda s: {"code": "PNEW", "name": "新项目", "region": s.w.grid.pk},
    ),
    "projects:board": Page("projects.board"),
    "projects:dispatch": Page("projects.board"),
    "projects:monthly_report": Page("projects.export"),
    "projects:project_detail": Page(
        "projects.view", lambda s: [s.project.pk], lambda s, u: visible(Project, u, s.project)
    ),
    "projects:problem_raise": Page(
        "projects.problem.raise",
        lambda s: [s.project.pk],
        lambda s, u: visible(Project, u, s.project) and case_services.can_create_for(u, s.ent),
        method="post",
        data=lambda s: {"title": "用地指标", "description": "项目用地指标未落实"},
    ),
    "projects:project_edit": Page(
        "projects.edit",
        lambda s: [s.project.pk],
        _project_edit,
        method="both",
        data=lambda s: {"name": "改名项目"},
    ),
    "projects:stage_move": Page(
        "projects.edit",
        lambda s: [s.project.pk],
        _project_edit,
        method="post",
        data=lambda s: {
            "to_stage": "landed",
            "date": timezone.localdate().isoformat(),
            "evidence": "土地合同",
        },
    ),
    "projects:approval_start": Page(
        "projects.edit",
        lambda s: [s.project.pk, s.step.pk],
        _project_edit,
        method="post",
        data=lambda s: {"started_on": timezone.localdate().isoformat()},
    ),
    "projects:approval_done": Page(
        "projects.edit",
        lambda s: [s.project.pk, s.step.pk],
        _project_edit,
        method="post",
        data=lambda s: {"done_on": timezone.localdate().isoformat()},
    ),
    "projects:task_add": Page(
        "projects.edit",
        lambda s: [s.project.pk],
        _project_edit,
        method="post",
        data=lambda s: {"name": "安装", "start": dt.date(s.year, 4, 1).isoformat(), "duration": 5},
    ),
    "projects:task_done": Page(
        "projects.edit", lambda s: [s.project.pk, s.task.pk], _project_edit, method="post"
    ),
    "projects:dependency_add": Page(
        "projects.edit",
        lambda s: [s.project.pk],
        _project_edit,
        method="post",
        data=lambda s: {"predecessor": s.task.pk, "successor": s.task.pk},
    ),
    "projects:schedule_backward": Page(
        "projects.edit",
        lambda s: [s.project.pk],
        _project_edit,
        method="post",
        data=lambda s: {"target": dt.date(s.year + 1, 6, 30).isoformat()},
    ),
    "projects:plan_approve": Page("projects.edit", lambda s: [s.project.pk], _project_edit, method="post"),
    "projects:actual_record": Page(
        "projects.edit",
        lambda s: [s.project.pk],
        _project_edit,
        method="post",
        data=lambda s: {"year": s.year, "month": 1, "amount": "100"},
    ),
    "projects:plan_set": Page(
        "projects.edit",
        lambda s: [s.project.pk],
        _project_edit,
        method="post",
        data=lambda s: {"year": s.year, "annual": "1000"},
    ),
    "projects:campaign_list": Page("projects.oversight.view"),
    "projects:campaign_detail": Page(
        "projects.oversight.view", lambda s: [s.campaign.pk], lambda s, u: visible(Campaign, u, s.campaign)
    ),
    "projects:campaign_entry_add": Page(
        "projects.campaign.manage",
        lambda s: [s.campaign.pk],
        _area("projects.campaign.manage", "campaign"),
        method="post",
        data=lambda s: {"code": s.project.code, "batch": "signed"},
    ),
    "projects:inspection_list": Page("oversight.tour.view"),  # a redirect to oversight:tour_list
    # --- indicators (the lead's pages) ---
    "indicators:my_returns": Page("indicators.report"),
    "indicators:return_form": Page(
        None,
        lambda s: [s.dataset.pk, s.ind_period.code, s.ent.pk],
        lambda s, u: (
            (permissions.allowed(u, "indicators.report") or permissions.allowed(u, "indicators.enter"))
            and _ent_ok(s, u)
        ),
    ),
    "indicators:dataset_list": Page("indicators.view"),
    "indicators:dataset_detail": Page(
        "indicators.view", lambda s: [s.dataset.pk], lambda s, u: _dataset_ok(s, u)
    ),
    "indicators:remind": Page(
        "indicators.remind",
        lambda s: [s.dataset.pk],
        lambda s, u: _dataset_ok(s, u),
        method="post",
        data=lambda s: {"period": s.ind_period.code},
    ),
    "indicators:approve": Page(
        "indicators.approve",
        lambda s: [s.dataset.pk],
        lambda s, u: _dataset_ok(s, u) and visible(Region, u, s.w.county),
        method="post",
        data=lambda s: {"period": s.ind_period.code, "region": s.w.county.pk},
    ),
    "indicators:approvals": Page("indicators.view"),
    "indicators:settings_datasets": Page(
        "indicators.configure",
        method="both",
        data=lambda s: {
            "code": "matrix_set",
            "name": "月报二",
            "region": s.w.county.pk,
            "period_type": "M",
            "audience": "above_scale",
            "due_working_days": 5,
            "indicators": [s.dataset.items.first().indicator_id],
            "is_active": "on",
        },
    ),
    "indicators:settings_dataset": Page(
        "indicators.configure", lambda s: [s.dataset.pk], lambda s, u: _dataset_ok(s, u)
    ),
    "indicators:settings_indicators": Page("indicators.configure"),
    "indicators:settings_indicator": Page(
        "indicators.catalogue.manage", lambda s: [s.dataset.items.first().indicator_id]
    ),
    "indicators:unlock_request": Page(
        "indicators.unlock.request",
        lambda s: [s.approval.pk],
        lambda s, u: visible(Approval, u, s.approval),
        method="post",
        data=lambda s: {"reason": "企业更正"},
    ),
    "indicators:unlock_decide": Page(
        "indicators.unlock.decide",
        lambda s: [s.unlock.pk],
        lambda s, u: (
            visible(UnlockRequest, u, s.unlock) and ind_services.can_decide_unlock(u, s.unlock.approval)
        ),
        method="post",
        data=lambda s: {"decision": "grant"},
    ),
    # the 红黑榜 moved to oversight: a redirect to oversight:redblack_list
    "projects:ranking_list": Page("oversight.assessment.view"),
    # accounts (docs/accounts.md): officials' accounts by the dispatch office (its area, no
    # administrators) and administrators; password resets and unlocking by administrators
    "core:account_list": Page("core.accounts.manage"),
    "core:account_create": Page(
        "core.accounts.manage",
        method="both",
        data=lambda s: {
            "username": "newhand",
            "full_name": "新同事",
            "role": "handler",
            "region": s.w.county.pk,
            "department": s.w.jxj.pk,
        },
    ),
    "core:account_detail": Page(
        "core.accounts.manage",
        lambda s: [s.w.grid_member.pk],
        lambda s, u: _managed(s, u, s.w.grid_member),
        method="both",
        data=lambda s: {
            "full_name": s.w.grid_member.full_name,
            "role": s.w.grid_member.role,
            "region": s.w.grid_member.region_id,
            "title": "网格长",
        },
    ),
    "core:account_deactivate": Page(
        "core.accounts.manage",
        lambda s: [s.w.grid_member.pk],
        lambda s, u: _managed(s, u, s.w.grid_member),
        method="both",
        data=lambda s: {"reason": "调离", "to_user": s.w.leader.pk},
    ),
    "core:account_reactivate": Page(
        "core.accounts.manage",
        lambda s: [s.w.grid_member.pk],
        lambda s, u: _managed(s, u, s.w.grid_member),
        method="post",
    ),
    "core:account_reset_password": Page(
        "core.accounts.reset_password",
        lambda s: [s.w.grid_member.pk],
        lambda s, u: _managed(s, u, s.w.grid_member),
        method="post",
    ),
    "core:locked_list": Page("core.accounts.unlock", method="both", data=lambda s: {"username": "nobody"}),
    # 系统设置 (docs/configuration.md): the dispatch office reads the platform-wide pages, the
    # administrators change them; regions and departments within the dispatch office's subtree
    "core:settings": Page("core.settings.view"),
    "core:settings_regions": Page(
        "core.org.manage",
        method="both",
        data=lambda s: {"code": "NEWP", "name": "新园区", "kind": "park", "parent": s.w.county.pk},
    ),
    "core:settings_region": Page(
        "core.org.manage",
        lambda s: [s.w.grid.pk],
        lambda s, u: visible(Region, u, s.w.grid),
        method="both",
        data=lambda s: {
            "save": "1",
            "code": s.w.grid.code,
            "name": "改名网格",
            "kind": s.w.grid.kind,
            "parent": s.w.grid.parent_id,
        },
    ),
    "core:settings_departments": Page(
        "core.org.manage",
        method="both",
        data=lambda s: {"region": s.w.county.pk, "name": "县新设局"},
    ),
    "core:settings_department": Page(
        "core.org.manage",
        lambda s: [s.w.jxj.pk],
        lambda s, u: visible(Department, u, s.w.jxj),
        method="both",
        data=lambda s: {"save": "1", "region": s.w.jxj.region_id, "name": s.w.jxj.name},
    ),
    "core:settings_holidays": Page(  # read by the dispatch office, entered by administrators
        "core.settings.view",
        method="both",
        data=lambda s: {"year": s.year + 1, "holidays": f"{s.year + 1}-01-01", "workdays": ""},
        post_ok=lambda s, u: permissions.allowed(u, "core.calendar.configure"),
    ),
    "cases:categories": Page(
        "core.settings.view",
        method="both",
        data=lambda s: {"code": "newcat", "name": "新类别", "order": 90},
        post_ok=lambda s, u: permissions.allowed(u, "cases.categories.configure"),
    ),
    "cases:category": Page(
        "core.settings.view",
        lambda s: [s.category.pk],
        method="both",
        data=lambda s: {"save": "1", "code": s.category.code, "name": "土地问题", "order": 1},
        post_ok=lambda s, u: permissions.allowed(u, "cases.categories.configure"),
    ),
    "cases:sla": Page(
        "core.settings.view",
        method="both",
        data=lambda s: {"scheme": "henan_13710", "effective_from": timezone.localdate().isoformat()},
        post_ok=lambda s, u: permissions.allowed(u, "cases.sla.configure"),
    ),
    "cases:sla_policy_new": Page(
        "core.settings.view",
        method="both",
        data=lambda s: {"save": "1", "name": "本县加急", "scheme": "custom", "urgency": "urgent"},
        post_ok=lambda s, u: permissions.allowed(u, "cases.sla.configure"),
    ),
    "cases:sla_policy": Page(
        "core.settings.view",
        lambda s: [s.sla_policy.pk],
        method="both",
        data=lambda s: {"active": "0"},
        post_ok=lambda s, u: permissions.allowed(u, "cases.sla.configure"),
    ),
    "cases:rule_edit": Page(
        "cases.configure",
        lambda s: [s.rule.pk],
        lambda s, u: visible(RoutingRule, u, s.rule),
        method="both",
        data=lambda s: {
            "category": s.rule.category_id,
            "region": s.w.county.pk,
            "lead_department": s.w.jxj.pk,
        },
    ),
    # corrections (docs/corrections.md)
    "cases:correct": Page(
        "cases.correct",
        lambda s: [s.case.pk],
        _case_ok,
        method="both",
        data=lambda s: {
            "enterprise": s.ent.pk,
            "title": "用电增容（更正）",
            "description": s.case.description,
            "reason": "标题登记有误",
        },
    ),
    "assistance:visit_correct": Page(  # any visit (the dispatch office), or one's own within the limit
        "assistance.visit.amend_own",
        lambda s: [s.visit.pk],
        _visit_amend,
        method="both",
        data=lambda s: {
            "kind": "onsite",
            "visited_on": timezone.localdate().isoformat(),
            "findings": "生产正常，订单充足",
            "reason": "补充情况",
        },
    ),
    "assistance:visit_withdraw": Page(
        "assistance.visit.amend_own",
        lambda s: [s.visit.pk],
        _visit_amend,
        method="post",
        data=lambda s: {"reason": "重复填报"},
    ),
    # archiving: the dispatch office (its area) archives, administrators restore
    "enterprises:enterprise_archive": Page(
        "enterprises.archive",
        lambda s: [s.ent.pk],
        _ent_ok,
        method="both",
        data=lambda s: {"reason": "重复登记"},
    ),
    "enterprises:archived": Page("core.archive.restore"),
    "enterprises:enterprise_restore": Page(
        "core.archive.restore",
        lambda s: [s.archived_ent.pk],
        method="post",
        data=lambda s: {"reason": "误归档"},
    ),
    "projects:project_archive": Page(
        "projects.archive",
        lambda s: [s.project.pk],
        lambda s, u: visible(Project, u, s.project) and _area("projects.archive", "project")(s, u),
        method="both",
        data=lambda s: {"reason": "重复录入"},
    ),
    "projects:archived": Page("core.archive.restore"),
    "projects:project_restore": Page(
        "core.archive.restore",
        lambda s: [s.archived_project.pk],
        method="post",
        data=lambda s: {"reason": "误归档"},
    ),
    # enterprise portal accounts (docs/accounts.md)
    "enterprises:account_invite": Page(
        "enterprises.accounts.manage",
        lambda s: [s.ent.pk],
        _ent_ok,
        method="both",
        data=lambda s: {"full_name": "王会计", "mobile": "13800000000"},
    ),
    "enterprises:account_link": Page(
        "enterprises.accounts.manage", lambda s: [s.ent_account.pk], _ent_ok, method="post"
    ),
    "enterprises:account_primary": Page(
        "enterprises.accounts.manage", lambda s: [s.ent_account.pk], _ent_ok, method="post"
    ),
    "enterprises:account_active": Page(
        "enterprises.accounts.manage",
        lambda s: [s.ent_account.pk],
        _ent_ok,
        method="post",
        data=lambda s: {"active": "0"},
    ),
    "enterprises:my_contacts": Page(
        "enterprises.contacts.edit_own",
        method="both",
        data=lambda s: {"full_name": "企业联系人", "mobile": "13900000000", "contact_phone": "0371-1234567"},
    ),
    # configuration part 2 (src/zhuqi/docs/configuration-pages.md)
    "enterprises:list_create": Page(
        "enterprises.lists.configure",
        method="both",
        data=lambda s: {
            "name": "专精特新培育库",
            "kind": "pool",
            "region": s.w.county.pk,
            "goal": 5,
            "is_active": "on",
        },
    ),
    "enterprises:list_edit": Page(
        "enterprises.lists.configure",
        lambda s: [s.list.pk],
        lambda s, u: visible(EnterpriseList, u, s.list) and enterprise_services.can_configure_list(u, s.list),
        method="both",
        data=lambda s: {
            "name": s.list.name,
            "kind": "pool",
            "region": s.w.county.pk,
            "goal": 4,
            "is_active": "on",
        },
    ),
    "projects:campaign_create": Page(
        "projects.configure",
        method="both",
        data=lambda s: {"name": "三个一批（二）", "region": s.w.county.pk, "year": s.year, "round_no": 2},
    ),
    "projects:campaign_edit": Page(
        "projects.configure",
        lambda s: [s.campaign.pk],
        lambda s, u: visible(Campaign, u, s.campaign) and _area("projects.configure", "campaign")(s, u),
        method="both",
        data=lambda s: {"name": "三个一批", "region": s.w.county.pk, "year": s.year, "round_no": 1},
    ),
    # --- indicators: 经济指标调度 and 目标管理 (views_dispatch.py, views_targets.py) ---
    "indicators:dispatch": Page("indicators.view"),
    "indicators:dispatch_rows": Page("indicators.view", query="?indicator=gross_output&period=202610"),
    "indicators:dispatch_export": Page("indicators.view"),
    "indicators:dispatch_remind": Page(
        "indicators.remind",
        method="post",
        data=lambda s: {
            "indicator": "gross_output",
            "period": "202610",
            "kind": "region",
            "id": s.w.county.pk,
        },
    ),
    "indicators:target_list": Page("indicators.view"),
    "indicators:target_set": Page("indicators.targets.manage"),
    "indicators:target_detail": Page(
        "indicators.view",
        lambda s: [_target(s).pk],
        lambda s, u: visible(_target(s).__class__, u, _target(s)),
    ),
    # --- end indicators: 经济指标调度 and 目标管理 ---
    # --- indicators (entry helper) ---
    "indicators:grid": Page("indicators.enter", method="both", data=lambda s: {}),
    # --- end indicators (entry helper) ---
    # --- mu (亩均效益评价) ---
    "mu:run_list": Page(
        "mu.view",
        method="both",
        data=lambda s: {"scheme": _mu_scheme().pk, "year": s.year - 1},
        post_ok=lambda s, u: permissions.allowed(u, "mu.compute"),
    ),
    "mu:run_detail": Page("mu.view", lambda s: [_mu_run(s).pk], lambda s, u: visible(Run, u, _mu_run(s))),
    "mu:run_regions": Page("mu.view", lambda s: [_mu_run(s).pk], lambda s, u: visible(Run, u, _mu_run(s))),
    "mu:run_keylist": Page(
        "mu.view",
        lambda s: [_mu_run(s).pk],
        lambda s, u: visible(Run, u, _mu_run(s)),
        method="both",
        data=lambda s: {"id": [s.ent.pk]},
        post_ok=lambda s, u: permissions.allowed(u, "mu.keylist.confirm") and visible(Run, u, _mu_run(s)),
    ),
    "mu:run_announce": Page(
        "mu.publish",
        lambda s: [_mu_run(s, published=False).pk],
        lambda s, u: visible(Run, u, _mu_run(s, published=False)),
        method="post",
    ),
    "mu:run_publish": Page(
        "mu.publish",
        lambda s: [_mu_run(s, status="publicity").pk],
        lambda s, u: visible(Run, u, _mu_run(s, status="publicity")),
        method="post",
    ),
    "mu:run_recompute": Page(
        "mu.compute",
        lambda s: [_mu_run(s, status="publicity").pk],
        lambda s, u: visible(Run, u, _mu_run(s, status="publicity")),
        method="post",
    ),
    "mu:result_detail": Page(
        None,
        lambda s: [_mu_result(s).pk],
        lambda s, u: (
            (permissions.allowed(u, "mu.view") or permissions.allowed(u, "mu.own"))
            and visible(Result, u, _mu_result(s))
        ),
    ),
    "mu:result_object": Page(
        "mu.object",
        lambda s: [_mu_result(s, status="publicity").pk],
        lambda s, u: visible(Result, u, _mu_result(s, status="publicity")),
        method="post",
        data=lambda s: {"reason": "数据有误"},
    ),
    "mu:objection_list": Page("mu.view"),
    "mu:objection_detail": Page(
        None,
        lambda s: [_mu_objection(s).pk],
        lambda s, u: (
            (permissions.allowed(u, "mu.view") or permissions.allowed(u, "mu.own"))
            and visible(Objection, u, _mu_objection(s))
        ),
    ),
    "mu:objection_decide": Page(
        "mu.objection.decide",
        lambda s: [_mu_objection(s).pk],
        lambda s, u: visible(Objection, u, _mu_objection(s)) and visible(Run, u, _mu_objection(s).run),
        method="post",
        data=lambda s: {"decision_kind": "reject", "decision": "以证载面积为准"},
    ),
    "mu:measures": Page(
        "mu.measures.configure",
        method="both",
        data=lambda s: {
            "op": "add",
            "klass": "D",
            "category": "electricity",
            "description": "差别电价",
            "amount": "0.1",
            "unit": "元/千瓦时",
        },
    ),
    "mu:adjustments": Page(
        "mu.view",
        method="both",
        data=lambda s: {
            "form": "adjustment",
            "credit_code": s.ent.credit_code,
            "kind": "bonus",
            "points": "1",
            "reason": "高新",
        },
        post_ok=lambda s, u: permissions.allowed(u, "mu.adjust"),
    ),
    # --- oversight (督查考核) ---
    "oversight:queue": Page("oversight.queue"),
    # --- cockpit (领导驾驶舱) ---
    "cockpit:cockpit": Page("cockpit.view"),
    "cockpit:boundaries": Page(
        "cockpit.boundaries",
        method="both",
        data=lambda s: {},  # no file: the form answers with its message, nothing saved
    ),
    "oversight:item_list": Page("oversight.view"),
    "oversight:item_new": Page(
        "oversight.item.create",
        method="both",
        data=lambda s: {
            "title": "场景督办事项",
            "source": "meeting",
            "lead_department": s.w.jxj.pk,
            "working_days": 10,
            "priority": "normal",
            "report_frequency": "none",
        },
    ),
    "oversight:item_detail": Page(
        "oversight.view", lambda s: [_ov_item(s).pk], lambda s, u: _ov_visible(s, u)
    ),
    "oversight:item_fire": Page(
        "oversight.view",
        lambda s: [_ov_item(s).pk],
        lambda s, u: _ov_visible(s, u),
        method="post",
        data=lambda s: {"action": "reply", "body": "已办结"},
    ),
    "oversight:item_progress": Page(
        "oversight.item.reply",
        lambda s: [_ov_item(s).pk],
        lambda s, u: _ov_visible(s, u),
        method="post",
        data=lambda s: {"body": "进展顺利", "progress_pct": "30"},
    ),
    "oversight:item_extension": Page(
        "oversight.item.reply",
        lambda s: [_ov_item(s).pk],
        lambda s, u: _ov_visible(s, u),
        method="post",
        data=lambda s: {"reason": "需协调", "new_due_on": "2100-01-01"},
    ),
    "oversight:extension_decide": Page(
        "oversight.item.review",
        lambda s: [_ov_extension(s).pk],
        lambda s, u: _ov_visible(s, u),
        method="post",
        data=lambda s: {"approve": "1"},
    ),
    "oversight:bulletin_list": Page(
        "oversight.bulletin.view",
        method="both",
        data=lambda s: {"year": s.year, "month": 1},
        post_ok=lambda s, u: permissions.allowed(u, "oversight.bulletin.draft"),
    ),
    "oversight:bulletin_detail": Page(
        "oversight.bulletin.view", lambda s: [_ov_bulletin(s).pk], lambda s, u: _ov_bulletin_visible(s, u)
    ),
    "oversight:bulletin_docx": Page(
        "oversight.bulletin.view", lambda s: [_ov_bulletin(s).pk], lambda s, u: _ov_bulletin_visible(s, u)
    ),
    "oversight:bulletin_pdf": Page(
        "oversight.bulletin.view", lambda s: [_ov_bulletin(s).pk], lambda s, u: _ov_bulletin_visible(s, u)
    ),
    "oversight:calendar": Page("oversight.view"),
    "oversight:calendar_events": Page("oversight.calendar.configure"),
    "oversight:calendar_event_new": Page(
        "oversight.calendar.configure", method="both", data=lambda s: _ov_event_data(s, "月度通报")
    ),
    "oversight:calendar_event_edit": Page(
        "oversight.calendar.configure",
        lambda s: [_ov_event(s).pk],
        lambda s, u: _ov_event_editable(s, u),
        method="both",
        data=lambda s: _ov_event_data(s, "周调度会（改）"),
    ),
    "oversight:calendar_event_toggle": Page(
        "oversight.calendar.configure",
        lambda s: [_ov_event(s).pk],
        lambda s, u: _ov_event_editable(s, u),
        method="post",
        data=lambda s: {"active": "0"},
    ),
    "oversight:bulletin_edit": Page(
        "oversight.bulletin.draft",
        lambda s: [_ov_bulletin(s).pk],
        lambda s, u: _ov_bulletin_visible(s, u),
        method="post",
        data=lambda s: {"title": "通报", "intro": "总体平稳", "problems": "", "requirements": "整改"},
    ),
    "oversight:bulletin_approve": Page(
        "oversight.bulletin.approve",
        lambda s: [_ov_bulletin(s).pk],
        lambda s, u: _ov_bulletin_visible(s, u),
        method="post",
    ),
    "oversight:bulletin_publish": Page(
        "oversight.bulletin.publish",
        lambda s: [_ov_bulletin(s).pk],
        lambda s, u: _ov_bulletin_visible(s, u),
        method="post",
        data=lambda s: {"confirm": "1"},
    ),
    "oversight:tour_list": Page("oversight.tour.view"),
    "oversight:tour_new": Page(
        "oversight.tour.manage",
        method="both",
        data=lambda s: {
            "name": "秋季观摩",
            "region": s.w.county.pk,
            "held_on": dt.date(s.year, 10, 20).isoformat(),
            "sites": [f"p-{s.project.pk}"],
            "judges": [s.w.leader.pk],
            "criteria": "建设进度 100",
        },
    ),
    "oversight:tour_detail": Page(
        "oversight.tour.view", lambda s: [s.round.pk], lambda s, u: visible(TourRound, u, s.round)
    ),
    "oversight:tour_edit": Page(
        "oversight.tour.manage",
        lambda s: [s.round.pk],
        lambda s, u: visible(TourRound, u, s.round) and tour_services.can_organise(u, s.round.region),
        method="both",
        data=lambda s: {
            "name": "观摩",
            "region": s.w.county.pk,
            "held_on": dt.date(s.year, 6, 20).isoformat(),
            "sites": [f"p-{s.project.pk}"],
            "judges": [s.w.leader.pk],
            "criteria": "建设进度 100",
        },
    ),
    "oversight:tour_publish": Page(
        "oversight.tour.publish",
        lambda s: [s.round.pk],
        lambda s, u: visible(TourRound, u, s.round),
        method="post",
        data=lambda s: {"confirm": "1", "note": "评委未到齐"},
    ),
    "oversight:tour_docx": Page(
        "oversight.tour.view", lambda s: [s.round.pk], lambda s, u: visible(TourRound, u, s.round)
    ),
    "oversight:tour_mine": Page("oversight.tour.score"),
    "oversight:tour_score": Page(
        "oversight.tour.score",
        lambda s: [s.round.pk, s.site.pk],
        lambda s, u: s.round.judges.filter(user=u).exists(),
        method="both",
        data=lambda s: {f"c{s.criterion.pk}": "80"},
    ),
    "oversight:scheme_list": Page("oversight.assessment.view"),
    "oversight:scheme_new": Page("oversight.assessment.configure"),
    "oversight:scheme_detail": Page(
        "oversight.assessment.view",
        lambda s: [_ov_scheme(s).pk],
        lambda s, u: _ov_visible_obj(u, _ov_scheme(s)),
        method="both",
        data=lambda s: {"period": f"{s.year}Q1"},
        post_ok=lambda s, u: (
            _ov_visible_obj(u, _ov_scheme(s)) and _ov_area(u, "oversight.assessment.compute")
        ),
    ),
    "oversight:scheme_edit": Page(
        "oversight.assessment.configure",
        lambda s: [_ov_scheme(s).pk],
        lambda s, u: _ov_visible_obj(u, _ov_scheme(s)) and _ov_area(u, "oversight.assessment.configure"),
    ),
    "oversight:assessment_detail": Page(
        "oversight.assessment.view",
        lambda s: [_ov_assessment(s).pk],
        lambda s, u: _ov_visible_obj(u, _ov_assessment(s)),
    ),
    "oversight:assessment_publish": Page(
        "oversight.assessment.publish",
        lambda s: [_ov_assessment(s).pk],
        lambda s, u: _ov_visible_obj(u, _ov_assessment(s)),
        method="post",
        data=lambda s: {"confirm": "1"},
    ),
    "oversight:redblack_list": Page("oversight.assessment.view"),
    "oversight:redblack_new": Page("oversight.assessment.configure"),
    "oversight:redblack_detail": Page(
        "oversight.assessment.view", lambda s: [_ov_rule(s).pk], lambda s, u: _ov_visible_obj(u, _ov_rule(s))
    ),
    "oversight:redblack_edit": Page(
        "oversight.assessment.configure",
        lambda s: [_ov_rule(s).pk],
        lambda s, u: _ov_visible_obj(u, _ov_rule(s)) and _ov_area(u, "oversight.assessment.configure"),
    ),
    "oversight:redblack_exempt": Page(
        "oversight.redblack.exempt",
        lambda s: [_ov_rule(s).pk],
        lambda s, u: _ov_visible_obj(u, _ov_rule(s)),
        method="post",
        data=lambda s: {"period": "", "unit": "", "reason": "不可抗力"},
    ),
    "oversight:redblack_publish": Page(
        "oversight.redblack.publish",
        lambda s: [_ov_rule(s).pk],
        lambda s, u: _ov_visible_obj(u, _ov_rule(s)),
        method="post",
        data=lambda s: {"period": "", "confirm": "1"},
    ),
    # --- attraction (招商引资) ---
    "attraction:lead_list": Page("attraction.view"),
    "attraction:funnel": Page("attraction.view"),
    "attraction:funds_ledger": Page("attraction.view"),
    "attraction:ledger_close": Page(
        "attraction.ledger.close",
        lambda s: [],
        lambda s, u: visible(Region, u, s.w.county),
        method="post",
        data=lambda s: {"op": "close", "region": s.w.county.pk, "year": s.year - 1, "month": 1},
    ),
    "attraction:rates": Page("attraction.view"),
    "attraction:chains": Page("attraction.view"),
    "attraction:chain_new": Page(
        "attraction.chains.configure",
        method="both",
        data=lambda s: {"name": "场景新产业链", "region": s.w.county.pk},
    ),
    "attraction:target_paths": Page("attraction.view"),
    "attraction:chain_map": Page(
        "attraction.view", lambda s: [_att_chain(s).pk], lambda s, u: visible(_Chain(), u, _att_chain(s))
    ),
    "attraction:chain_edit": Page(
        "attraction.chains.configure",
        lambda s: [_att_chain(s).pk],
        lambda s, u: _att_chain_ok(s, u),
        method="both",
        data=lambda s: {"name": "场景产业链（改）", "region": s.w.county.pk},
    ),
    "attraction:node_new": Page(
        "attraction.chains.configure",
        lambda s: [_att_chain(s).pk],
        lambda s, u: _att_chain_ok(s, u),
        method="both",
        data=lambda s: {"name": "场景新环节", "position": "down", "industry_codes": "2927"},
    ),
    "attraction:node_edit": Page(
        "attraction.chains.configure",
        lambda s: [_att_chain(s).nodes.get().pk],
        lambda s, u: _att_chain_ok(s, u),
        method="both",
        data=lambda s: {"op": "save", "name": "场景环节（改）", "position": "mid", "industry_codes": "26"},
    ),
    "attraction:reviewers": Page(
        "attraction.configure",
        method="both",
        data=lambda s: {"region": s.w.county.pk, "department": s.w.jxj.pk},
    ),
    "attraction:clock_settings": Page(
        "attraction.clocks.configure",
        method="both",
        data=lambda s: {
            "region": s.w.county.pk,
            "threshold": "5000",
            "respond_days": 2,
            "judge_days": 4,
            "feedback_days": 8,
            "progress_days": 15,
        },
    ),
    "attraction:target_list": Page("attraction.view"),
    "attraction:target_new": Page("attraction.target.manage"),
    "attraction:target_edit": Page(
        "attraction.target.manage",
        lambda s: [_att_target(s).pk],
        lambda s, u: _att_target_ok(s, u),
    ),
    "attraction:funds_new": Page(
        "attraction.lead.work",
        lambda s: [_att_lead(s).pk],
        lambda s, u: _att_can_work(s, u),
        method="post",
        data=lambda s: {"year": s.year, "month": 1, "source": "out_province", "amount": "100"},
    ),
    "attraction:lead_new": Page("attraction.lead.work"),
    "attraction:lead_detail": Page(
        "attraction.view", lambda s: [_att_lead(s).pk], lambda s, u: visible(_Lead(), u, _att_lead(s))
    ),
    "attraction:lead_edit": Page(
        "attraction.lead.work", lambda s: [_att_lead(s).pk], lambda s, u: _att_can_work(s, u)
    ),
    "attraction:contract_new": Page(
        "attraction.lead.work", lambda s: [_att_lead(s).pk], lambda s, u: _att_can_work(s, u)
    ),
    "attraction:lead_move": Page(
        "attraction.lead.work",
        lambda s: [_att_lead(s).pk],
        lambda s, u: _att_can_work(s, u),
        method="post",
        data=lambda s: {"to_stage": _att_stage("contact").pk},
    ),
    "attraction:prereview_start": Page(
        "attraction.prereview.manage",
        lambda s: [_att_lead(s).pk],
        lambda s, u: _att_can_manage(s, u, "attraction.prereview.manage"),
        method="post",
        data=lambda s: {"days": 5},
    ),
    "attraction:lead_convert": Page(
        "attraction.convert",
        lambda s: [_att_lead(s).pk],
        lambda s, u: _att_can_manage(s, u, "attraction.convert"),
        method="post",
        data=lambda s: {"code": "ZS-001", "leader": s.w.leader.pk, "department": s.w.jxj.pk},
    ),
    "attraction:opinion_answer": Page(
        "attraction.prereview.opinion",
        lambda s: [_att_opinion(s).pk],
        lambda s, u: visible(_Lead(), u, _att_lead(s)) and u.department_id == _att_opinion(s).department_id,
        method="post",
        data=lambda s: {"verdict": "pass"},
    ),
    "attraction:prereview_conclude": Page(
        "attraction.prereview.manage",
        lambda s: [_att_opinion(s).prereview_id],
        lambda s, u: _att_can_manage(s, u, "attraction.prereview.manage"),
        method="post",
        data=lambda s: {"conclusion": "pass", "summary": "同意"},
    ),
    "attraction:obligation_check": Page(
        "attraction.lead.work",
        lambda s: [_att_obligation(s).pk],
        lambda s, u: _att_can_work(s, u),
        method="post",
        data=lambda s: {"status": "met"},
    ),
    "attraction:clock_stop": Page(
        "attraction.lead.work",
        lambda s: [_att_lead(s).pk],
        lambda s, u: _att_can_work(s, u),
        method="post",
        data=lambda s: {"kind": "respond", "note": "已电话联系投资方"},
    ),
    "attraction:annual_targets": Page(
        "attraction.view",
        method="both",
        data=lambda s: {
            "year": s.year,
            "region": s.w.county.pk,
            "signed_count": 5,
            "signed_amount": "100000",
            "funds": "50000",
        },
        post_ok=lambda s, u: (
            permissions.allowed(u, "attraction.configure") and visible(Region, u, s.w.county)
        ),
    ),
    "attraction:annual_split": Page(
        "attraction.configure",
        lambda s: [_att_annual(s).pk],
        lambda s, u: visible(Region, u, s.w.county),
        method="both",
        data=lambda s: {"method": "equal", "split_to": "Q", "save": "1"},
    ),
    "attraction:meeting_list": Page("attraction.view"),
    "attraction:meeting_new": Page(
        "attraction.judging.manage",
        lambda s: [] if _att_lead(s) else [],  # the lead exists before the POST counts rows
        method="both",
        data=lambda s: {
            "region": s.w.county.pk,
            "title": "研判会",
            "held_on": f"{s.year}-03-01",
            "lead": _att_lead(s).pk,
        },
    ),
    "attraction:meeting_detail": Page(
        "attraction.view",
        lambda s: [_att_meeting(s).pk],
        lambda s, u: visible(_JudgingMeeting(), u, _att_meeting(s)),
        method="both",
        data=lambda s: {"action": "save"},
        post_ok=lambda s, u: _att_judging_ok(s, u),
    ),
    "attraction:meeting_minutes": Page(
        "attraction.view",
        lambda s: [_att_meeting(s).pk],
        lambda s, u: visible(_JudgingMeeting(), u, _att_meeting(s)),
    ),
    "attraction:report_board": Page("attraction.view"),
    "attraction:report_new": Page(
        "attraction.weekly.submit",
        lambda s: [] if _att_team(s) else [],
        lambda s, u: u.department_id == _att_team(s).department_id,
        method="both",
        data=lambda s: {"year": s.year, "week": 1, "met": "拜访企业", "next_week": "继续对接"},
    ),
    "attraction:report_detail": Page(
        "attraction.view",
        lambda s: [_att_report(s).pk],
        lambda s, u: visible(_WeeklyReport(), u, _att_report(s)),
    ),
    "attraction:abroad_teams": Page(
        "attraction.configure",
        method="both",
        data=lambda s: {"department": s.w.zrzy.pk, "station": "上海", "due_weekday": 4},
    ),
    # --- policies (惠企政策) ---
    "policies:item_list": Page("policies.view"),
    "policies:mine": Page("policies.own"),
    "policies:document_new": Page("policies.manage"),
    "policies:document_detail": Page("policies.view", lambda s: [_policy_item(s).document_id]),
    "policies:document_edit": Page(
        "policies.manage",
        lambda s: [_policy_item(s).document_id],
        lambda s, u: policy_services.can_manage_document(u, _policy_item(s).document),
    ),
    "policies:item_new": Page(
        "policies.manage",
        lambda s: [_policy_item(s).document_id],
        lambda s, u: policy_services.can_manage_document(u, _policy_item(s).document),
    ),
    "policies:item_detail": Page("policies.view", lambda s: [_policy_item(s).pk]),
    "policies:item_edit": Page(
        "policies.manage",
        lambda s: [_policy_item(s).pk],
        lambda s, u: policy_services.can_manage(u, _policy_item(s)),
    ),
    "policies:item_guide": Page("policies.guide", lambda s: [_policy_item(s).pk]),
    "policies:item_explain": Page(
        None,
        lambda s: [_policy_item(s).pk, s.ent.pk],
        lambda s, u: (
            (permissions.allowed(u, "policies.view") or permissions.allowed(u, "policies.own"))
            and _ent_ok(s, u)
        ),
    ),
    "policies:figures": Page("policies.view"),
    "policies:item_push": Page(
        "policies.push",
        lambda s: [_policy_item(s).pk],
        lambda s, u: policy_services.can_manage(u, _policy_item(s)),
        method="post",
    ),
    "policies:item_apply": Page("policies.apply", lambda s: [_policy_item(s).pk], method="post"),
    "policies:item_grant": Page(
        "policies.review",
        lambda s: [_policy_item(s).pk],
        lambda s, u: policy_services.can_manage(u, _policy_item(s)),
        method="post",
    ),
    "policies:item_publicise": Page(
        "policies.review",
        lambda s: [_policy_item(s).pk],
        lambda s, u: policy_services.can_manage(u, _policy_item(s)),
        method="post",
    ),
    # the 公示 list is public by design: every signed-in role reads a published item's list
    "policies:item_publicity": Page("policies.guide", lambda s: [_policy_item(s).pk]),
    "policies:application_account": Page(
        "policies.apply",
        lambda s: [_policy_application(s).pk],
        lambda s, u: _ent_ok(s, u),
        method="post",
        data=lambda s: {"bank_name": "工商银行", "bank_account": "6222021700001234"},
    ),
    "policies:application_list": Page(
        None,
        ok=lambda s, u: permissions.allowed(u, "policies.view") or permissions.allowed(u, "policies.own"),
    ),
    "policies:application_detail": Page(
        None,
        lambda s: [_policy_application(s).pk],
        lambda s, u: (
            _ent_ok(s, u)
            and (
                permissions.allowed(u, "policies.own")
                or (
                    permissions.allowed(u, "policies.view") and policy_services.can_manage(u, _policy_item(s))
                )
                or permissions.allowed(u, "policies.manage_area")
                # officials outside departments (leaders, 督查, observers…) read every claim in
                # their scope: the figures they see drill down to these rows
                or (permissions.allowed(u, "policies.view") and u.role not in DEPARTMENT_ROLES)
            )
        ),
    ),
    "policies:application_complain": Page(
        "policies.apply",
        lambda s: [_policy_application(s).pk],
        lambda s, u: _ent_ok(s, u),
        method="post",
        data=lambda s: {"text": "兑现超期，尚未到账"},
    ),
    "policies:application_fire": Page(
        None,
        lambda s: [_policy_application(s).pk, "approve"],
        lambda s, u: (
            visible(Enterprise, u, s.ent) and policy_workflow.allowed("approve", _policy_application(s), u)
        ),
        method="post",
    ),
}


def _Lead():
    from zhuqi.attraction.models import Lead

    return Lead


def _att_stage(code):
    from zhuqi.attraction.models import Stage

    return Stage.objects.get(pipeline__code="new", code=code)


def _att_lead(s):
    """A 招商 lead of 工信局's team in the county's park (made on first use, inside the role's
    savepoint), in 在谈."""
    from zhuqi.attraction.models import Lead, Pipeline

    lead = Lead.objects.first()
    if lead is None:
        lead = Lead.objects.create(
            pipeline=Pipeline.objects.get(code="new"),
            stage=_att_stage("lead"),
            title="年产5万吨聚乳酸项目",
            investor_name="场景投资方有限公司",
            source="referral",
            amount=500_000_000,
            region=s.w.park,
            team=s.w.jxj,
            created_by=s.w.alice,
        )
    return lead


def _att_opinion(s):
    """工信局's open opinion on the scene lead's pre-review."""
    from zhuqi.attraction.models import Opinion, PreReview

    opinion = Opinion.objects.first()
    if opinion is None:
        review = PreReview.objects.create(
            lead=_att_lead(s), due_on=dt.date(s.year, 12, 31), started_by=s.w.alice
        )
        opinion = Opinion.objects.create(prereview=review, department=s.w.jxj, due_on=review.due_on)
    return opinion


def _att_obligation(s):
    from zhuqi.attraction.models import Contract, Obligation

    ob = Obligation.objects.first()
    if ob is None:
        contract = Contract.objects.create(
            lead=_att_lead(s),
            kind="formal",
            signed_on=dt.date(s.year, 1, 5),
            amount=500_000_000,
            created_by=s.w.alice,
        )
        ob = Obligation.objects.create(contract=contract, kind="start", due_on=dt.date(s.year, 6, 30))
    return ob


def _att_meeting(s):
    """An open 研判会 of the county with the scene lead on it."""
    from zhuqi.attraction.models import JudgingItem, JudgingMeeting

    m = JudgingMeeting.objects.first()
    if m is None:
        m = JudgingMeeting.objects.create(
            region=s.w.county, title="研判会", held_on=dt.date(s.year, 3, 1), created_by=s.w.alice
        )
        JudgingItem.objects.create(meeting=m, lead=_att_lead(s))
    return m


def _att_clock(s):
    """A running 响应 clock of the scene lead."""
    from zhuqi.attraction.models import LeadClock

    return LeadClock.objects.filter(done_at__isnull=True).first() or LeadClock.objects.create(
        lead=_att_lead(s), kind="respond", started_on=dt.date(s.year, 1, 5), due_on=dt.date(s.year, 1, 6)
    )


def _coord_case(s, title):
    """An open case of the county at level 3 (made on first use), waiting for a 协调会."""
    from zhuqi.cases.models import EscalationLevel

    case = Case.objects.filter(title=title).first()
    if case is None:
        case = s.cw.to("in_progress", title=title)
        Case.objects.filter(pk=case.pk).update(
            escalation_level=EscalationLevel.COUNTY, escalated_at=timezone.now() - dt.timedelta(days=1)
        )
    return case


def _coord_session(s):
    """A scheduled 协调会 of the county with one case on it (made on first use)."""
    CoordinationSession = _CoordinationSession()
    session = CoordinationSession.objects.first()
    if session is None:
        session = CoordinationSession.objects.create(
            region=s.w.county,
            title="协调会",
            scheduled_at=timezone.now() - dt.timedelta(days=1),
            place="县政府会议室",
            created_by=s.w.alice,
        )
        session.cases.add(_coord_case(s, "已安排"))
    return session


def _CoordinationSession():
    from zhuqi.cases.models import CoordinationSession

    return CoordinationSession


def _coord_ok(s, u):
    from zhuqi.cases import services_coordination

    return visible(_CoordinationSession(), u, _coord_session(s)) and services_coordination.can_manage(u)


def _JudgingMeeting():
    from zhuqi.attraction.models import JudgingMeeting

    return JudgingMeeting


def _att_judging_ok(s, u):
    from zhuqi.attraction import services_judging

    return visible(_JudgingMeeting(), u, _att_meeting(s)) and services_judging.can_manage(u, _att_meeting(s))


def _att_annual(s):
    """尉氏县's annual target of the scene's year (made on first use)."""
    from zhuqi.attraction.models import AnnualTarget

    return AnnualTarget.objects.filter(region=s.w.county, team=None).first() or AnnualTarget.objects.create(
        year=s.year, region=s.w.county, signed_count=10, created_by=s.w.alice
    )


def _att_team(s):
    """工信局 as a 驻外招商组 (made on first use)."""
    from zhuqi.attraction.models import AbroadTeam

    return AbroadTeam.objects.filter(department=s.w.jxj).first() or AbroadTeam.objects.create(
        department=s.w.jxj, station="上海", created_on=dt.date(s.year, 1, 1)
    )


def _att_report(s):
    from zhuqi.attraction.models import WeeklyReport

    r = WeeklyReport.objects.first()
    return r or WeeklyReport.objects.create(
        team=_att_team(s), year=s.year, week=1, met="拜访企业", next_week="继续对接", submitted_by=s.w.bob
    )


def _WeeklyReport():
    from zhuqi.attraction.models import WeeklyReport

    return WeeklyReport


def _att_target(s):
    from zhuqi.attraction.models import Target

    t = Target.objects.first()
    return t or Target.objects.create(
        name="场景目标企业", region=s.w.county, team=s.w.jxj, created_by=s.w.alice
    )


def _Chain():
    from zhuqi.attraction.models import Chain

    return Chain


def _att_chain(s):
    """A chain of the county with one link (made on first use)."""
    from zhuqi.attraction.models import Chain, ChainNode

    chain = Chain.objects.filter(name="场景产业链").first()
    if chain is None:
        chain = Chain.objects.create(name="场景产业链", region=s.w.county, department=s.w.jxj)
        ChainNode.objects.create(chain=chain, name="场景环节", position="mid", industry_codes="2614")
    return chain


def _att_chain_ok(s, u):
    from zhuqi.attraction import services_chains

    return visible(_Chain(), u, _att_chain(s)) and services_chains.can_configure(u, _att_chain(s))


def _att_close(s):
    """January of last year closed for the county (made on first use)."""
    from zhuqi.attraction.models import LedgerClose

    return LedgerClose.objects.first() or LedgerClose.objects.create(
        region=s.w.county, year=s.year - 1, month=1, closed_by=s.w.alice, closed_at=timezone.now()
    )


def _att_close_ok(s, u):
    from zhuqi.attraction import services as att_services
    from zhuqi.attraction.models import LedgerClose

    return visible(LedgerClose, u, _att_close(s)) and att_services.can_close_ledger(u, s.w.county)


def _att_target_ok(s, u):
    from zhuqi.attraction import services as att_services
    from zhuqi.attraction.models import Target

    return visible(Target, u, _att_target(s)) and att_services.can_edit_target(u, _att_target(s))


def _att_can_work(s, u):
    from zhuqi.attraction import services as att_services

    return visible(_Lead(), u, _att_lead(s)) and att_services.can_work(u, _att_lead(s))


def _att_can_manage(s, u, action):
    from zhuqi.attraction import services as att_services

    return visible(_Lead(), u, _att_lead(s)) and att_services.can_manage(u, _att_lead(s), action)


def _ov_item(s):
    """A supervision item of the county led by 工信局 (made on first use, inside the role's
    savepoint)."""
    from zhuqi.oversight import services as ov_services
    from zhuqi.oversight.models import Item

    item = Item.objects.filter(title="场景督办事项（甲）").first()
    if item is None:
        item = ov_services.create_item(
            actor=s.w.supervisor, title="场景督办事项（甲）", lead_department=s.w.jxj, working_days=20
        )
    return item


def _policy_application(s):
    from zhuqi.policies.models import Application

    a = Application.objects.first()
    if a is None:
        a = Application.objects.create(
            item=_policy_item(s),
            enterprise=s.ent,
            year=s.year,
            due_on=dt.date(s.year, 12, 31),
            applied_by=s.w.alice,
        )
    return a


def _policy_item(s):
    """A published item of 工信局 in a county document (made on first use, inside the role's
    savepoint)."""
    from zhuqi.policies.models import PolicyDocument, PolicyItem

    item = PolicyItem.objects.first()
    if item is None:
        doc = PolicyDocument.objects.create(
            title="促进工业经济发展若干政策",
            level="county",
            issuer="县人民政府",
            issued_on=dt.date(s.year, 1, 5),
            region=s.w.county,
            created_by=s.w.alice,
        )
        item = PolicyItem.objects.create(
            document=doc,
            title="升规入统奖励",
            kind="reward",
            status="published",
            conditions={"all": [{"attr": "above_scale", "op": "eq", "value": False}]},
            data_year=s.year - 1,
            department=s.w.jxj,
            created_by=s.w.alice,
        )
    return item


def _ov_bulletin(s):
    """A draft bulletin of the county (made on first use, inside the role's savepoint)."""
    from zhuqi.oversight.models import Bulletin

    b = Bulletin.objects.filter(region=s.w.county).first()
    return b or Bulletin.objects.create(
        region=s.w.county,
        year=s.year,
        month=1,
        title="关于1月助企工作情况的通报",
        issuer="尉氏县助企专班",
        figures={
            "cases": {"accepted": 0, "closed": 0, "close_rate": None, "rows": [], "top": [], "bottom": []},
            "items": [],
            "projects": {},
            "visits": 1,
        },
        created_by=s.w.supervisor,
    )


def _ov_scheme(s):
    """A 考核方案 of the county scoring its departments (made on first use)."""
    from zhuqi.oversight.models import Scheme, SchemeItem

    scheme = Scheme.objects.filter(region=s.w.county).first()
    if scheme is None:
        scheme = Scheme.objects.create(
            region=s.w.county, name="部门季度考核", year=s.year, period_kind="Q", sequence="departments"
        )
        SchemeItem.objects.create(
            scheme=scheme, name="诉求办结率", metric="cases.close_rate", weight=100, rule="ratio", target=95
        )
    return scheme


def _ov_assessment(s):
    """A trial assessment of that scheme (only officials of the region see a trial)."""
    from zhuqi.oversight.models import Assessment, Result

    scheme = _ov_scheme(s)
    a = Assessment.objects.filter(scheme=scheme).first()
    if a is None:
        a = Assessment.objects.create(scheme=scheme, period=f"{s.year}Q1")
        Result.objects.create(
            assessment=a, unit_kind="department", unit_id=s.w.jxj.pk, label="工信局", total=90, rank=1
        )
    return a


def _ov_rule(s):
    from zhuqi.oversight.models import RedBlackRule

    rule = RedBlackRule.objects.filter(region=s.w.county).first()
    return rule or RedBlackRule.objects.create(
        region=s.w.county,
        name="部门诉求办结率红黑榜",
        sequence="departments",
        metric="cases.close_rate",
        size=1,
    )


def _ov_event(s):
    """A weekly meeting of the county's oversight calendar, prepared by its 工信局."""
    from zhuqi.oversight.models import CalendarEvent

    event = CalendarEvent.objects.filter(region=s.w.county).first()
    return event or CalendarEvent.objects.create(
        region=s.w.county,
        kind="weekly_meeting",
        title="周调度会",
        recurrence="weekly",
        weekday=0,
        department=s.w.jxj,
    )


def _ov_event_data(s, title):
    return {
        "title": title,
        "kind": "monthly_bulletin",
        "region": s.w.county.pk,
        "recurrence": "monthly",
        "day": "5",
        "day_rule": "working",
        "department": s.w.jxj.pk,
        "lead_days": "3",
    }


def _ov_event_editable(s, u) -> bool:
    from zhuqi.oversight import services_calendar
    from zhuqi.oversight.models import CalendarEvent

    event = _ov_event(s)
    return visible(CalendarEvent, u, event) and services_calendar.can_configure(u, event.region)


def _ov_visible_obj(u, obj) -> bool:
    return visible(type(obj), u, obj)


def _ov_area(u, action) -> bool:
    from zhuqi.core.models import Region
    from zhuqi.oversight.services_assessment import in_area

    return in_area(u, Region.objects.get(code="410223"), action)


def _ov_bulletin_visible(s, u):
    from zhuqi.oversight.models import Bulletin

    return visible(Bulletin, u, _ov_bulletin(s))


def _ov_visible(s, u):
    from zhuqi.oversight.models import Item

    return visible(Item, u, _ov_item(s))


def _ov_extension(s):
    import datetime as dt

    from zhuqi.oversight import services as ov_services

    item = _ov_item(s)
    ext = item.extensions.filter(status="pending").first()
    return ext or ov_services.request_extension(
        item, actor=s.w.bob, reason="需协调", new_due_on=item.due_on + dt.timedelta(days=10)
    )


def _mu_scheme():
    from zhuqi.mu.models import Scheme

    return Scheme.objects.get(code="huangyan-2022-above")


def _mu_run(s, published=True, status=None):
    """A run of the county over the scene's enterprise: a published one, a trial one and one in
    公示 (made on first use, inside the role's savepoint)."""
    from zhuqi.mu.models import Run, Scheme

    status = status or (Run.Status.PUBLISHED if published else Run.Status.TRIAL)
    run = Run.objects.filter(region=s.w.county, status=status).first()
    if run is None:
        run = Run.objects.create(
            scheme=Scheme.objects.get(code="huangyan-2022-above"),
            region=s.w.county,
            year=s.year - 1,
            status=status,
            evaluated=1,
            created_by=s.w.alice,
            publicity_start=dt.date(s.year, 1, 1) if status == "publicity" else None,
            publicity_end=dt.date(s.year + 1, 12, 31) if status == "publicity" else None,
        )
        Result.objects.create(
            run=run, enterprise=s.ent, base=50, total=50, rank=1, percentile=100, rank_class="A", klass="A"
        )
    return run


def _mu_result(s, status=None):
    return _mu_run(s, status=status).results.get()


def _mu_objection(s):
    """An open objection of the scene's enterprise to its result in 公示."""
    from zhuqi.mu.models import Objection

    result = _mu_result(s, status="publicity")
    objection = Objection.objects.filter(result=result).first()
    if objection is None:
        objection = Objection.objects.create(
            run=result.run,
            result=result,
            enterprise=s.ent,
            reason="用地面积有误",
            deadline=dt.date(s.year + 1, 12, 31),
            raised_by=s.w.alice,
        )
    return objection


def _target(s):
    """The county's target of 工业总产值 for the year (made on first use, inside the role's
    savepoint)."""
    from zhuqi.indicators.models import Indicator, Target

    target, _ = Target.objects.get_or_create(
        indicator=Indicator.objects.get(code="gross_output"),
        year=s.year,
        region=s.w.county,
        department=None,
        leader=None,
        defaults={"amount": 1200, "created_by": s.w.alice},
    )
    return target


# URLs not walked here, each with the test that covers it
ELSEWHERE = {
    "login": "public: tests/core/test_security.py",
    "logout": "public: tests/core/test_security.py",
    "second_factor": "tests/core/test_security.py (admins' TOTP)",
    "password_change": "any signed-in user: tests/e2e/test_shell.py",
    "set_language": "public: tests/core/test_i18n.py",
    "forgot_password": "public, reveals nothing: tests/core/test_accounts.py "
    "(test_forgot_password_reaches_the_administrators_and_reveals_nothing, "
    "test_forgot_password_sends_a_one_time_link_through_a_configured_channel)",
    "password_link": "public, its one-time token decides: tests/core/test_accounts.py "
    "(test_a_broken_or_foreign_link_sets_nothing)",
    "core:notification_open": "own notifications only: tests/core/test_notifications.py",
    "core:attachment_download": "scope of the object: tests/core/test_attachments.py",
    "core:import": "walked per importer kind in test_import_pages_follow_the_matrix",
    "core:import_template": "walked per importer kind in test_import_pages_follow_the_matrix",
    "core:import_job": "own jobs only: tests/core/test_import_flow.py",
    "core:export_job": "own jobs only: tests/core/test_exports.py (test_a_job_is_its_users_alone)",
    "core:export_download": "own finished jobs only: tests/core/test_exports.py (test_a_job_is_its_users_alone)",
    "api-schema": "any signed-in user: tests/core/test_scope.py",
    "api-docs": "any signed-in user: tests/core/test_scope.py",
    "healthz": "public, names checks only: tests/core/test_health.py",
    "healthz_web": "public, names checks only: tests/core/test_health.py",
    "metrics": "bearer token or allowed direct address, else 404: tests/core/test_metrics.py",
}


def _importer(kind, user) -> bool:
    from zhuqi.core.imports import registry

    return registry()[kind].allowed(user)


def _importers(user):
    from zhuqi.core.imports import importers_for

    return importers_for(user)


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            if p.namespace == "admin" or str(p.pattern).startswith(("api/v1/", "open311/")):
                continue
            out |= _names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            out.add(prefix + p.name)
    return out


def test_every_url_is_classified():
    """A new page fails here until it says which matrix action governs it (PAGES) or which
    test covers it (ELSEWHERE)."""
    names = _names(get_resolver())
    unclassified = names - set(PAGES) - set(ELSEWHERE)
    assert not unclassified, f"add these URLs to PAGES in {__file__}: {sorted(unclassified)}"
    assert not (set(PAGES) - names), "PAGES names URLs that no longer exist"
    for page in PAGES.values():
        if page.action:
            assert page.action in permissions.MATRIX


def _expected(page: Page, s: Scene, user) -> bool:
    ok = page.action is None or permissions.allowed(user, page.action)
    return bool(ok and (page.ok is None or page.ok(s, user)))


def _get_works(client, url) -> bool:
    """Does the page open (following a redirect to where it sends the viewer)?"""
    r = client.get(url)
    if r.status_code == 302:
        target = r["Location"]
        assert "/account/login/" not in target, f"{url} sent a signed-in user to the login page"
        r = client.get(target)
    assert r.status_code != 500
    return r.status_code == 200


def _get_refused(client, url) -> bool:
    """Is the page refused: 404 or 403, or a redirect to the viewer's own counterpart (an
    enterprise user asking for the case list is sent to its portal)?"""
    r = client.get(url)
    if r.status_code == 302:
        return "/account/login/" not in r["Location"] and r["Location"] != url
    return r.status_code in (403, 404)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_follows_the_matrix_for_every_role(name, scene, client):
    page = PAGES[name]
    s = scene
    for role in ROLES:
        user = s.w.roles()[role]
        with rolled_back():
            client.force_login(user)
            url = reverse(name, args=page.args(s)) + page.query
            may = _expected(page, s, user)
            if page.method in ("get", "both"):
                if may:
                    assert _get_works(client, url), f"GET {url} as {role}: refused"
                else:
                    assert _get_refused(client, url), f"GET {url} as {role}: answered"
            if page.method in ("post", "both"):
                may_post = page.post_ok(s, user) if page.post_ok else may
                before = written()
                r = client.post(url, page.data(s))
                if may_post:
                    assert r.status_code in (200, 302), f"POST {url} as {role}: {r.status_code}"
                else:
                    assert r.status_code in (302, 403, 404), f"POST {url} as {role}: {r.status_code}"
                    if r.status_code == 302:  # sent to its own page (an enterprise to the portal)
                        assert "/account/login/" not in r["Location"]
                    assert written() == before, f"POST {url} as {role} wrote something"
            elif not may:  # a page is not a form: a POST to it changes nothing
                before = written()
                assert client.post(url, page.data(s)).status_code != 500
                assert written() == before, f"POST {url} as {role} wrote something"


IMPORT_ACTIONS = {
    "regions": "core.org.manage",
    "departments": "core.org.manage",
    "users": "core.org.manage",
    "calendar": "core.calendar.configure",
    "enterprises": "enterprises.import",
    "enterprise_accounts": "enterprises.accounts.manage",
    "hotline": "cases.import",
    "assignments": "assistance.assignments.import",
    "investment": "projects.investment.import",
    # --- indicators (entry helper) ---
    "indicator_values": "indicators.import",
    "indicator_official": "indicators.import",
    # --- end indicators (entry helper) ---
    "mu-facts": "mu.import",
    "oversight-lists": "oversight.import",
}


def test_every_importer_names_its_action():
    from zhuqi.core.imports import registry

    assert set(registry()) == set(IMPORT_ACTIONS)


@pytest.mark.parametrize("kind", sorted(IMPORT_ACTIONS))
def test_import_pages_follow_the_matrix(kind, scene, client):
    from zhuqi.core.imports import registry

    cls = registry()[kind]
    for role in ROLES:
        user = scene.w.roles()[role]
        with rolled_back():
            client.force_login(user)
            allowed = permissions.allowed(user, IMPORT_ACTIONS[kind])
            # the importer's own rule starts from the matrix: never wider than it
            assert cls.allowed(user) <= allowed, f"{kind} importer open to {role}"
            for url in (reverse("core:import", args=[kind]), reverse("core:import_template", args=[kind])):
                status = client.get(url).status_code
                assert (status == 200) == cls.allowed(user), f"GET {url} as {role}: {status}"
            index = client.get(reverse("core:import_index"))
            listed = index.status_code == 200 and f'data-testid="import-{kind}"' in index.content.decode()
            assert listed == cls.allowed(user)


def test_menu_shows_only_links_that_work(scene, client):
    """Every sidebar entry shown to a role opens for that role, and an entry is never shown to a
    role its page refuses."""
    for role in ROLES:
        user = scene.w.roles()[role]
        client.force_login(user)
        for item in menu_for(user):
            if item["name"] == "admin:index":
                assert permissions.allowed(user, "core.admin")
                continue
            assert _get_works(client, item["url"]), f"menu entry {item['url']} as {role}"


def test_settings_index_lists_only_pages_that_open(scene, client):
    """系统设置 lists a configuration page to a role only if it opens for that role, and every
    page of the index names a matrix action (`SettingPage.roles`, like a menu entry)."""
    from zhuqi.core import menu

    for page in menu._settings:
        if isinstance(page.roles, str):
            assert page.roles in permissions.MATRIX, page.url_name
    for role in ROLES:
        user = scene.w.roles()[role]
        client.force_login(user)
        for item in settings_for(user):
            assert _get_works(client, item["url"]), f"settings entry {item['url']} as {role}"


# --- links on the pages a role opens -----------------------------------------------------------------
HREF = re.compile(r'href="(/[^"#]*)"')
NOT_FOLLOWED = ("/account/logout/", "/admin/", "/static/", "/media/", "/api/", "/i18n/")


@pytest.mark.parametrize("role", ROLES)
def test_links_shown_to_a_role_work_for_it(role, scene, client):
    """Every link on every page the role may open (one level deep) opens for that role: no
    name that leads to a 404 (the grid member's 走访考核 names, the team on an enterprise page)."""
    s = scene
    user = s.w.roles()[role]
    client.force_login(user)
    pages = [
        reverse(name, args=p.args(s)) + p.query
        for name, p in PAGES.items()
        if p.method in ("get", "both")
        and _expected(p, s, user)
        and name not in {"cases:rate", "cases:suggest"}
    ]
    seen: set[str] = set()
    broken = []
    for page in pages:
        r = client.get(page, follow=True)
        if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
            continue
        for href in set(HREF.findall(r.content.decode())):
            href = href.replace("&amp;", "&")
            if href in seen or href.startswith(NOT_FOLLOWED) or "export" in href or href.endswith(".xlsx"):
                continue
            seen.add(href)
            status = client.get(href, follow=True).status_code
            if status != 200:
                broken.append(f"{page} → {href}: {status}")
    assert not broken, f"links shown to {role} that do not work:\n" + "\n".join(broken)


# --- the API -----------------------------------------------------------------------------------------
@dataclass
class Op:
    """One write operation of the API: the object its {id} names, the payload, and who may."""

    obj: Callable[[Scene], Any] | None
    data: Callable[[Scene], dict]
    may: Callable[[Scene, Any], bool]
    extra: dict = field(default_factory=dict)


def _transition(action):
    def may(s, u):
        return visible(Case, u, s.case) and workflow.allowed(action, s.case, u)

    return may


CASE_DATA = {
    "reason": "需要说明的理由",
    "note": "说明",
    "reply": "已协调解决",
    "resolved": True,
    "result": "satisfied",
    "days": 3,
    "body": "请加快办理",
    "attendees": "县领导、工信局",
    "decisions": "限期解决",
    "owners": "工信局",
    "approve": True,
}


def _case_data(s):
    return {**CASE_DATA, "lead": s.w.jxj.pk, "into": s.other_case.pk, "extension": s.extension.pk}


def _matrix(action, rule=None):
    return lambda s, u: permissions.allowed(u, action) and (rule is None or rule(s, u))


API: dict[tuple[str, str], Op] = {
    ("POST", "/api/v1/attraction-leads/{id}/move/"): Op(
        _att_lead,
        lambda s: {"to_stage": _att_stage("contact").pk},
        lambda s, u: _att_can_work(s, u),
    ),
    ("POST", "/api/v1/attraction-clocks/{id}/stop/"): Op(
        lambda s: _att_clock(s),
        lambda s: {"note": "已电话联系投资方"},
        lambda s, u: _att_can_work(s, u),
    ),
    ("POST", "/api/v1/attraction-fund-months/"): Op(
        _att_lead,  # made before the request (the path has no id)
        lambda s: {
            "lead": _att_lead(s).pk,
            "year": s.year,
            "month": 1,
            "source": "out_province",
            "amount": "1000000",
        },
        # the lead is refused (400) to a role that cannot see it, like any reference
        _matrix("attraction.lead.work"),
    ),
    ("POST", "/api/v1/attraction-weekly-reports/"): Op(
        _att_team,  # made before the request (the path has no id)
        lambda s: {
            "team": _att_team(s).pk,
            "year": timezone.localdate().isocalendar()[0],
            "week": timezone.localdate().isocalendar()[1],
            "met": "拜访企业",
            "next_week": "继续对接",
        },
        # another team's people: the team is refused (400) as not visible
        _matrix("attraction.weekly.submit"),
    ),
    ("POST", "/api/v1/attraction-chains/"): Op(
        None,
        lambda s: {"name": "接口新产业链", "region": s.w.county.pk},
        # the matrix first (403); the region outside the caller's area is refused (400) by the service
        _matrix("attraction.chains.configure"),
    ),
    ("PUT", "/api/v1/attraction-chains/{id}/"): Op(
        _att_chain,
        lambda s: {"name": "场景产业链（改）", "region": s.w.county.pk},
        lambda s, u: _att_chain_ok(s, u),
    ),
    ("POST", "/api/v1/attraction-chain-links/"): Op(
        _att_chain,  # made before the request (the path has no id)
        lambda s: {
            "chain": _att_chain(s).pk,
            "name": "接口新环节",
            "position": "down",
            "industry_codes": "2927",
        },
        _matrix("attraction.chains.configure"),
    ),
    ("PUT", "/api/v1/attraction-chain-links/{id}/"): Op(
        lambda s: _att_chain(s).nodes.get(),
        lambda s: {"name": "场景环节（改）", "position": "mid", "industry_codes": "26"},
        lambda s, u: _att_chain_ok(s, u),
    ),
    ("POST", "/api/v1/attraction-chain-links/{id}/deactivate/"): Op(
        lambda s: _att_chain(s).nodes.get(), lambda s: {}, lambda s, u: _att_chain_ok(s, u)
    ),
    ("POST", "/api/v1/attraction-chain-links/{id}/activate/"): Op(
        lambda s: _att_chain(s).nodes.get(), lambda s: {}, lambda s, u: _att_chain_ok(s, u)
    ),
    ("POST", "/api/v1/attraction-chain-links/{id}/confirm/"): Op(
        lambda s: _att_chain(s).nodes.get(),
        lambda s: {"enterprise": s.ent.pk},
        lambda s, u: _att_chain_ok(s, u),
    ),
    ("POST", "/api/v1/attraction-chain-links/{id}/remove/"): Op(
        lambda s: _att_chain(s).nodes.get(),
        lambda s: {"enterprise": s.ent.pk},
        lambda s, u: _att_chain_ok(s, u),
    ),
    ("POST", "/api/v1/attraction-ledger-closes/"): Op(
        None,
        lambda s: {"region": s.w.county.pk, "year": s.year - 1, "month": 1},
        _matrix("attraction.ledger.close"),
    ),
    ("POST", "/api/v1/attraction-ledger-closes/{id}/reopen/"): Op(
        lambda s: _att_close(s),
        lambda s: {"reason": "补录到位资金"},
        lambda s, u: _att_close_ok(s, u),
    ),
    ("POST", "/api/v1/assignments/"): Op(
        None,
        lambda s: {
            "enterprise": s.ent.pk,
            "year": s.year,
            "role": "dept_contact",
            "user": s.w.bob.pk,
            "department": s.w.jxj.pk,
        },
        _matrix("assistance.assignments.manage", _ent_ok),
    ),
    ("POST", "/api/v1/assignments/{id}/hand_over/"): Op(
        lambda s: Assignment.objects.get(role="grid_member"),
        lambda s: {"to_user": s.w.leader.pk, "reason": "调岗"},
        _matrix("assistance.assignments.manage", _ent_ok),
    ),
    ("POST", "/api/v1/case-routing-rules/"): Op(
        None,
        lambda s: {"category": s.cw.labor.pk, "region": s.w.county.pk, "lead_department": s.w.jxj.pk},
        _matrix("cases.configure"),
    ),
    ("PUT", "/api/v1/case-routing-rules/{id}/"): Op(
        lambda s: s.rule,
        lambda s: {"category": s.cw.land.pk, "region": s.w.county.pk, "lead_department": s.w.jxj.pk},
        _matrix("cases.configure"),
    ),
    ("PATCH", "/api/v1/case-routing-rules/{id}/"): Op(
        lambda s: s.rule, lambda s: {"lead_department": s.w.jxj.pk}, _matrix("cases.configure")
    ),
    ("DELETE", "/api/v1/case-routing-rules/{id}/"): Op(
        lambda s: s.rule, lambda s: {}, _matrix("cases.configure")
    ),
    ("POST", "/api/v1/case-supervisions/{id}/respond/"): Op(
        lambda s: s.supervision,
        lambda s: {"response": "已加快"},
        _matrix("cases.supervision.respond", lambda s, u: u.department_id == s.supervision.department_id),
    ),
    ("POST", "/api/v1/cases/"): Op(
        None,
        lambda s: {
            "enterprise": s.ent.pk,
            "title": "用电增容",
            "description": "变压器容量不足",
            "channel": "visit",
        },
        lambda s, u: case_services.can_create_for(u, s.ent),
    ),
    ("POST", "/api/v1/enterprise-lists/{id}/enter/"): Op(
        lambda s: s.list,
        lambda s: {"enterprise": s.cw.ent_b.pk, "reason": "纳入"},
        _matrix("enterprises.edit"),
    ),
    ("POST", "/api/v1/enterprises/"): Op(
        None,
        lambda s: {"name": "新登记企业有限公司", "region": s.w.grid.pk, "credit_code": credit_code("410223")},
        _matrix("enterprises.edit"),
    ),
    ("PATCH", "/api/v1/enterprises/{id}/"): Op(
        lambda s: s.ent, lambda s: {"phone": "0371-1234567"}, _matrix("enterprises.edit", _ent_ok)
    ),
    ("POST", "/api/v1/enterprises/{id}/key/"): Op(
        lambda s: s.ent, lambda s: {"year": s.year, "key": True}, _matrix("enterprises.edit", _ent_ok)
    ),
    ("POST", "/api/v1/list-memberships/{id}/exit/"): Op(
        lambda s: s.membership, lambda s: {"reason": "已升规"}, _matrix("enterprises.edit")
    ),
    ("POST", "/api/v1/meetings/"): Op(
        None,
        lambda s: {"kind": "breakfast", "title": "政企早餐会", "held_on": timezone.localdate().isoformat()},
        _matrix("assistance.meetings.record"),
    ),
    ("POST", "/api/v1/notifications/{id}/read/"): Op(
        lambda s: Notification.objects.first(),
        lambda s: {},
        lambda s, u: Notification.objects.first().recipient_id == u.pk,
    ),
    ("POST", "/api/v1/notifications/read_all/"): Op(None, lambda s: {}, _matrix("core.home")),
    ("POST", "/api/v1/plan-measures/"): Op(
        None,
        lambda s: {"plan": s.plan.pk, "title": "协调融资", "deadline": dt.date(s.year, 12, 31).isoformat()},
        _plan_edit,
    ),
    ("POST", "/api/v1/plan-measures/{id}/progress/"): Op(
        lambda s: s.measure,
        lambda s: {"progress": 50, "note": "已对接银行"},
        PAGES["assistance:measure_progress"].ok,
    ),
    ("POST", "/api/v1/plans/"): Op(
        None, lambda s: {"enterprise": s.ent.pk, "year": s.year + 1, "goals": "产值增长"}, _plan_edit
    ),
    ("POST", "/api/v1/projects/"): Op(
        None,
        lambda s: {
            "code": "PAPI",
            "name": "接口项目",
            "region": s.w.grid.pk,
            "total_investment": "100000000",
        },
        lambda s, u: project_services.can_manage_area(u, s.w.grid),
    ),
    ("PUT", "/api/v1/projects/{id}/"): Op(
        lambda s: s.project,
        lambda s: {
            "code": s.project.code,
            "name": "改名项目",
            "region": s.w.grid.pk,
            "total_investment": "500000000",
        },
        _project_edit,
    ),
    ("PATCH", "/api/v1/projects/{id}/"): Op(
        lambda s: s.project, lambda s: {"name": "改名项目"}, _project_edit
    ),
    ("POST", "/api/v1/projects/{id}/actual/"): Op(
        lambda s: s.project, lambda s: {"year": s.year, "month": 1, "amount": "1000000"}, _project_edit
    ),
    ("POST", "/api/v1/projects/{id}/stage/"): Op(
        lambda s: s.project,
        lambda s: {"to_stage": "landed", "date": timezone.localdate().isoformat(), "evidence": "土地合同"},
        _project_edit,
    ),
    ("PATCH", "/api/v1/visit-rules/{id}/"): Op(
        lambda s: s.visit_rule, lambda s: {"min_visits": 2}, _matrix("assistance.configure")
    ),
    ("POST", "/api/v1/visits/"): Op(
        None,
        lambda s: {"enterprise": s.ent.pk, "kind": "onsite", "findings": "生产正常"},
        _matrix("assistance.visit.record", _ent_ok),
    ),
    # --- indicators (entry helper) ---
    ("POST", "/api/v1/indicator-values/record/"): Op(
        None,
        lambda s: {
            "values": [
                {
                    "enterprise": s.ent.pk,
                    "indicator": "gross_output",
                    "period": f"{s.year}01",
                    "cumulative": "100",
                }
            ]
        },
        lambda s, u: (
            (permissions.allowed(u, "indicators.report") or permissions.allowed(u, "indicators.enter"))
            and _ent_ok(s, u)
        ),
    ),
    # --- end indicators (entry helper) ---
    ("POST", "/api/v1/oversight-items/{id}/fire/"): Op(
        lambda s: _ov_item(s),
        lambda s: {"action": "reply", "body": "已办结"},
        lambda s, u: _ov_fire_ok(s, u),
    ),
}
for _name, _t in workflow.TRANSITIONS.items():
    _path = "dispatch_to" if _name == "dispatch" else _name
    API[("POST", f"/api/v1/cases/{{id}}/{_path}/")] = Op(
        lambda s: s.case, _case_data, _transition(_name), {"sources": sorted(_t.sources)}
    )


def _schema_operations() -> list[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(m.upper(), path) for path, ops in schema["paths"].items() for m in ops]


def test_every_api_operation_is_classified():
    """A new write operation of the API fails here until API says who may call it; reads are
    scoped by the one base (tests/core/test_api_base.py)."""
    writes = {op for op in _schema_operations() if op[0] != "GET"}
    assert writes == set(API), (
        f"classify in API: {sorted(writes - set(API))}; stale: {sorted(set(API) - writes)}"
    )


@pytest.mark.parametrize("op", sorted(API), ids=lambda op: f"{op[0]} {op[1]}")
def test_api_write_follows_the_matrix_for_every_role(op, scene):
    method, path = op
    spec = API[op]
    s = scene
    client = APIClient()
    for role in ROLES:
        user = s.w.roles()[role]
        with rolled_back():
            if "sources" in spec.extra:  # a transition: the case stands where it may be fired
                Case.objects.filter(pk=s.case.pk).update(status=spec.extra["sources"][0])
                s.case.refresh_from_db()
            obj = spec.obj(s) if spec.obj else None
            url = path.replace("{id}", str(obj.pk)) if obj is not None else path
            client.force_authenticate(user)
            may = spec.may(s, user)
            before = written()
            r = client.generic(method, url, data=_json(spec.data(s)), content_type="application/json")
            if may:
                assert r.status_code not in (403, 404, 405, 500), (
                    f"{method} {url} as {role}: {r.status_code} {r.data}"
                )
            else:
                assert r.status_code in (403, 404), (
                    f"{method} {url} as {role}: {r.status_code} {getattr(r, 'data', '')}"
                )
                assert written() == before, f"{method} {url} as {role} wrote something"
            client.force_authenticate(None)


def _ov_fire_ok(s, u):
    from zhuqi.oversight import workflow as ov_workflow

    return ov_workflow.allowed("reply", _ov_item(s), u)


def _json(data: dict) -> str:
    import json

    return json.dumps(data, default=str)


def test_api_reads_answer_every_role(scene):
    """Every read operation answers each role 200 (its scoped rows) or 404 (outside scope or
    not for its role), never a server error; the figures follow the matrix."""
    client = APIClient()
    ids = {
        "regions": scene.w.grid,
        "departments": scene.w.jxj,
        "users": scene.w.grid_member,
        "cases": scene.case,
        "enterprises": scene.ent,
        "visits": scene.visit,
        "projects": scene.project,
        "plans": scene.plan,
        "plan-measures": scene.measure,
        "assignments": Assignment.objects.first(),
        "meetings": scene.meeting,
        "enterprise-lists": scene.list,
        "list-memberships": scene.membership,
        "case-routing-rules": scene.rule,
        "case-supervisions": scene.supervision,
        "project-campaigns": scene.campaign,
        "tours": scene.round,
        "redblack-rules": _ov_rule(scene),
        "visit-rules": scene.visit_rule,
        "project-approvals": scene.step,
        "project-tasks": scene.task,
        "oversight-items": _ov_item(scene),
    }
    for role in ROLES:
        user = scene.w.roles()[role]
        client.force_authenticate(user)
        for method, path in _schema_operations():
            if method != "GET" or "{" in path.replace("{id}", ""):
                continue
            prefix = path.split("/")[3]
            if "{id}" in path:
                obj = ids.get(prefix)
                if obj is None:
                    continue
                path = path.replace("{id}", str(obj.pk))
            r = client.get(path)
            assert r.status_code in (200, 404), f"GET {path} as {role}: {r.status_code}"
            if path == "/api/v1/case-figures/":
                assert (r.status_code == 200) == permissions.allowed(user, "cases.figures")


# --- the documented table ----------------------------------------------------------------------------
def test_doc_table_is_the_code_matrix():
    """docs/permissions.md shows exactly the matrix in core/permissions.py (regenerate the table
    with `zhuqi permissions`)."""
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- matrix:start -->\n", "<!-- matrix:end -->"
    assert start in text and end in text
    table = text.split(start, 1)[1].split(end, 1)[0]
    assert table == permissions.markdown_table()


def test_every_role_and_action_is_named():
    for action in permissions.MATRIX.values():
        assert action.roles <= set(Role.values) and action.roles, action.name
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", action.name)

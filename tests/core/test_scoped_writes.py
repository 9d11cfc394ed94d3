"""Every reference in every write is checked against the writer's scope: a person, department,
region, enterprise, plan or case of another county is refused exactly as if it did not exist.

* The API: every writable reference field of every serializer is a `core.api.VisibleRef` (or
  reference data everyone reads); each is POSTed by 尉氏县's dispatch office (Alice) naming the
  other county's row, and must answer the same 400 as an id that does not exist, with nothing
  written and nobody in the other county notified. A new serializer field with a reference
  fails `test_every_api_reference_is_scoped_and_probed` until it is scoped and listed in API.
* Pages: every model choice of every form offers the writer's scope only (`FORMS`, checked by
  `test_every_form_reference_is_probed`); services check again (`core.scope.require_visible`).
* Imports look every reference up among the importer's visible rows (the assignment import:
  an enterprise, a person, a department of the other county is an unknown one).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
from types import SimpleNamespace

import pytest
from django import forms as djforms
from rest_framework import relations, serializers
from rest_framework.test import APIClient

from tests.cases.conftest import CaseWorld
from tests.projects.conftest import make_project
from zhuqi.assistance import services as assistance_services
from zhuqi.assistance.models import Assignment, AssistancePlan, Meeting, PlanMeasure, Visit
from zhuqi.cases.models import Case, Category, RoutingRule
from zhuqi.core.api import VisibleRef
from zhuqi.core.models import Notification
from zhuqi.enterprises.models import Enterprise, EnterpriseList, Industry, ListMembership, Tag
from zhuqi.indicators.models import Indicator, Value
from zhuqi.projects.models import Project, Task

pytestmark = pytest.mark.django_db

APPS = ["core", "enterprises", "assistance", "cases", "projects", "indicators"]
# rows every signed-in user reads: naming them is not reaching into another county
REFERENCE_DATA = {Category, Industry, Tag, Indicator}
# integer parameters that name a row and are scoped by the service that reads them
SCOPED_BY_SERVICE = {
    ("ActionSerializer", "extension"): "cases.services.fire looks it up among the case's own"
}
REFERENCE_NAMES = {
    "enterprise", "enterprises", "user", "owner", "department", "region", "plan", "project", "case",
    "lead", "assisting", "into", "extension", "category", "list", "leader", "host", "to_user", "parent",
}  # fmt: skip


@pytest.fixture
def o(world):
    """Rows of both counties for the probes."""
    cw = CaseWorld(world)
    ns = SimpleNamespace(w=world, cw=cw, ent=cw.ent, ent_other=cw.ent_other)
    ns.case = cw.new()
    ns.accepted = cw.to("accepted")  # dispatch is checked for its state before its input
    ns.case_other = cw.new(ent=cw.ent_other, actor=world.charlie)
    ns.assignment = assistance_services.assign(
        cw.ent, year=2026, role="commissioner", user=world.commissioner, actor=world.alice
    ).assignment
    ns.plan = assistance_services.save_plan(cw.ent, year=2026, goals="扩产", actor=world.alice)
    ns.plan_other = assistance_services.save_plan(cw.ent_other, year=2026, goals="扩产", actor=world.charlie)
    ns.pool = EnterpriseList.objects.create(name="小升规培育库", kind="pool", region=world.county)
    return ns


# serializer, field -> (model whose rows must not change, method, url, body naming `ref`, the
# other county's row, where the error is reported)
API = {
    ("AssignmentSerializer", "enterprise"): (
        Assignment, "post", lambda o: "/api/v1/assignments/",
        lambda o, ref: {"enterprise": ref, "year": 2026, "role": "grid_member", "user": o.w.grid_member.pk},
        lambda o: o.ent_other, "enterprise",
    ),
    ("AssignmentSerializer", "user"): (
        Assignment, "post", lambda o: "/api/v1/assignments/",
        lambda o, ref: {"enterprise": o.ent.pk, "year": 2026, "role": "grid_member", "user": ref},
        lambda o: o.w.other_handler, "user",
    ),
    ("AssignmentSerializer", "department"): (
        Assignment, "post", lambda o: "/api/v1/assignments/",
        lambda o, ref: {"enterprise": o.ent.pk, "year": 2026, "role": "dept_contact", "user": o.w.bob.pk, "department": ref},
        lambda o: o.w.other_jxj, "department",
    ),
    ("HandOverSerializer", "to_user"): (
        Assignment, "post", lambda o: f"/api/v1/assignments/{o.assignment.pk}/hand_over/",
        lambda o, ref: {"to_user": ref, "reason": "岗位调整"},
        lambda o: o.w.other_handler, "to_user",
    ),
    ("VisitSerializer", "enterprise"): (
        Visit, "post", lambda o: "/api/v1/visits/",
        lambda o, ref: {"enterprise": ref, "findings": "生产正常"},
        lambda o: o.ent_other, "enterprise",
    ),
    ("PlanSerializer", "enterprise"): (
        AssistancePlan, "post", lambda o: "/api/v1/plans/",
        lambda o, ref: {"enterprise": ref, "year": 2027, "goals": "扩产"},
        lambda o: o.ent_other, "enterprise",
    ),
    ("PlanMeasureSerializer", "plan"): (
        PlanMeasure, "post", lambda o: "/api/v1/plan-measures/",
        lambda o, ref: {"plan": ref, "title": "协调用地", "deadline": "2026-06-30"},
        lambda o: o.plan_other, "plan",
    ),
    ("PlanMeasureSerializer", "owner"): (
        PlanMeasure, "post", lambda o: "/api/v1/plan-measures/",
        lambda o, ref: {"plan": o.plan.pk, "title": "协调用地", "deadline": "2026-06-30", "owner": ref},
        lambda o: o.w.other_handler, "owner",
    ),
    ("PlanMeasureSerializer", "department"): (
        PlanMeasure, "post", lambda o: "/api/v1/plan-measures/",
        lambda o, ref: {"plan": o.plan.pk, "title": "协调用地", "deadline": "2026-06-30", "department": ref},
        lambda o: o.w.other_jxj, "department",
    ),
    ("MeetingCreateSerializer", "enterprises"): (
        Meeting, "post", lambda o: "/api/v1/meetings/",
        lambda o, ref: {"kind": "bank", "title": "银企对接会", "held_on": "2026-04-08", "enterprises": [ref]},
        lambda o: o.ent_other, "enterprises",
    ),
    ("MeetingProblemInput", "enterprise"): (
        Meeting, "post", lambda o: "/api/v1/meetings/",
        lambda o, ref: {
            "kind": "bank", "title": "银企对接会", "held_on": "2026-04-08", "enterprises": [o.ent.pk],
            "problems": [{"enterprise": ref, "description": "续贷"}],
        },
        lambda o: o.ent_other, "problems",
    ),
    ("CaseCreateSerializer", "enterprise"): (
        Case, "post", lambda o: "/api/v1/cases/",
        lambda o, ref: {"enterprise": ref, "title": "用电", "description": "变压器容量不足"},
        lambda o: o.ent_other, "enterprise",
    ),
    ("ActionSerializer", "lead"): (
        Case, "post", lambda o: f"/api/v1/cases/{o.accepted.pk}/dispatch_to/",
        lambda o, ref: {"lead": ref}, lambda o: o.w.other_jxj, "lead",
    ),
    ("ActionSerializer", "assisting"): (
        Case, "post", lambda o: f"/api/v1/cases/{o.accepted.pk}/dispatch_to/",
        lambda o, ref: {"lead": o.w.jxj.pk, "assisting": [ref]}, lambda o: o.w.other_jxj, "assisting",
    ),
    ("ActionSerializer", "into"): (
        Case, "post", lambda o: f"/api/v1/cases/{o.case.pk}/merge/",
        lambda o, ref: {"into": ref}, lambda o: o.case_other, "into",
    ),
    ("RoutingRuleSerializer", "region"): (
        RoutingRule, "post", lambda o: "/api/v1/case-routing-rules/",
        lambda o, ref: {"category": o.cw.labor.pk, "region": ref, "lead_department": o.w.jxj.pk},
        lambda o: o.w.other_county, "region",
    ),
    ("RoutingRuleSerializer", "lead_department"): (
        RoutingRule, "post", lambda o: "/api/v1/case-routing-rules/",
        lambda o, ref: {"category": o.cw.labor.pk, "region": o.w.county.pk, "lead_department": ref},
        lambda o: o.w.other_jxj, "lead_department",
    ),
    ("RoutingRuleSerializer", "assisting_departments"): (
        RoutingRule, "post", lambda o: "/api/v1/case-routing-rules/",
        lambda o, ref: {
            "category": o.cw.labor.pk, "region": o.w.county.pk, "lead_department": o.w.jxj.pk,
            "assisting_departments": [ref],
        },
        lambda o: o.w.other_jxj, "assisting_departments",
    ),
    ("EnterpriseSerializer", "region"): (
        Enterprise, "post", lambda o: "/api/v1/enterprises/",
        lambda o, ref: {"name": "新建企业有限公司", "credit_code": "91410223MA9XXXXXX0", "region": ref},
        lambda o: o.w.other_grid, "region",
    ),
    ("EnterViewSerializer", "enterprise"): (
        ListMembership, "post", lambda o: f"/api/v1/enterprise-lists/{o.pool.pk}/enter/",
        lambda o, ref: {"enterprise": ref}, lambda o: o.ent_other, "enterprise",
    ),
    ("ProjectWriteSerializer", "region"): (
        Project, "post", lambda o: "/api/v1/projects/",
        lambda o, ref: {"code": "X1", "name": "新项目", "region": ref}, lambda o: o.w.other_county, "region",
    ),
    ("ProjectWriteSerializer", "owner"): (
        Project, "post", lambda o: "/api/v1/projects/",
        lambda o, ref: {"code": "X1", "name": "新项目", "region": o.w.park.pk, "owner": ref},
        lambda o: o.ent_other, "owner",
    ),
    ("ProjectWriteSerializer", "department"): (
        Project, "post", lambda o: "/api/v1/projects/",
        lambda o, ref: {"code": "X1", "name": "新项目", "region": o.w.park.pk, "department": ref},
        lambda o: o.w.other_jxj, "department",
    ),
    ("ProjectWriteSerializer", "leader"): (
        Project, "post", lambda o: "/api/v1/projects/",
        lambda o, ref: {"code": "X1", "name": "新项目", "region": o.w.park.pk, "leader": ref},
        lambda o: o.w.charlie, "leader",
    ),
    # --- indicators (entry helper) ---
    ("ValueInput", "enterprise"): (
        Value, "post", lambda o: "/api/v1/indicator-values/record/",
        lambda o, ref: {"values": [{"enterprise": ref, "indicator": "gross_output", "period": "202503", "cumulative": "1"}]},
        lambda o: o.ent_other, "values",
    ),
    # --- end indicators (entry helper) ---
}  # fmt: skip


def _writable_references():
    """(serializer, field, kind) for every writable field of every serializer in the apps' api
    modules that names a row: a relation, or an integer whose name says it is one."""
    found = []
    for app in APPS:
        module = importlib.import_module(f"zhuqi.{app}.api")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not (issubclass(cls, serializers.BaseSerializer) and cls.__module__ == module.__name__):
                continue
            for field_name, field in cls().fields.items():
                if field.read_only:
                    continue
                child = getattr(field, "child_relation", None) or getattr(field, "child", None)
                if (
                    isinstance(field, relations.RelatedField | relations.ManyRelatedField)
                    or field_name in REFERENCE_NAMES
                    and isinstance(child or field, serializers.IntegerField)
                ):
                    found.append((name, field_name, child or field))
    return found


def test_every_api_reference_is_scoped_and_probed():
    unscoped, unprobed = [], []
    for serializer, field, relation in _writable_references():
        key = (serializer, field)
        if isinstance(relation, VisibleRef):
            if key not in API:
                unprobed.append(key)
        elif isinstance(relation, relations.RelatedField):
            if relation.queryset is None or relation.queryset.model not in REFERENCE_DATA:
                unscoped.append(key)
        elif key not in SCOPED_BY_SERVICE:
            unscoped.append(key)
    assert not unscoped, f"references not limited to the writer's scope (use core.api.VisibleRef): {unscoped}"
    assert not unprobed, f"scoped references without a cross-county probe in API: {unprobed}"
    assert set(API) <= {(s, f) for s, f, _ in _writable_references()}, "API lists a field that is gone"


def _errors(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False, sort_keys=True)


@pytest.mark.parametrize("key", sorted(API), ids=[f"{s}.{f}" for s, f in sorted(API)])
def test_other_countys_row_is_refused_like_a_missing_one(o, key):
    model, method, url, body, other, error_key = API[key]
    client = APIClient()
    client.force_authenticate(o.w.alice)
    ref = other(o).pk
    rows, inbox = (
        model.objects.count(),
        Notification.objects.filter(recipient__region__path__startswith=o.w.other_county.path).count(),
    )
    response = getattr(client, method)(url(o), body(o, ref), format="json")
    missing = getattr(client, method)(url(o), body(o, 999999), format="json")
    assert response.status_code == 400, (response.status_code, response.content)
    assert error_key in response.json(), response.json()
    assert _errors(response).replace(f"“{ref}”", "“999999”") == _errors(missing)
    assert model.objects.count() == rows
    assert (
        Notification.objects.filter(recipient__region__path__startswith=o.w.other_county.path).count()
        == inbox
    )


def test_the_same_writes_succeed_within_scope(o):
    """The probes above fail for the reference, not for anything else: with this county's rows
    the two writes the report named work and notify this county's people."""
    client = APIClient()
    client.force_authenticate(o.w.alice)
    r = client.post(
        "/api/v1/assignments/",
        {
            "enterprise": o.ent.pk,
            "year": 2026,
            "role": "dept_contact",
            "user": o.w.bob.pk,
            "department": o.w.jxj.pk,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert Notification.objects.filter(recipient=o.w.bob).exists()
    r = client.post(
        "/api/v1/plan-measures/",
        {
            "plan": o.plan.pk,
            "title": "协调用地",
            "deadline": "2026-06-30",
            "owner": o.w.head.pk,
            "department": o.w.jxj.pk,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert Notification.objects.filter(recipient=o.w.head, title__contains="协调用地").exists()


# --- services: the same check for every caller that is not a page or the API -------------------
def test_services_refuse_another_countys_people_and_departments(o):
    from django.core.exceptions import ValidationError

    w = o.w
    with pytest.raises(ValidationError, match="不存在"):
        assistance_services.assign(o.ent, year=2026, role="grid_member", user=w.other_handler, actor=w.alice)
    with pytest.raises(ValidationError, match="不存在"):
        assistance_services.assign(
            o.ent, year=2026, role="dept_contact", user=w.bob, department=w.other_jxj, actor=w.alice
        )
    with pytest.raises(ValidationError, match="不存在"):
        assistance_services.hand_over(o.assignment, to_user=w.other_handler, reason="调整", actor=w.alice)
    with pytest.raises(ValidationError, match="不存在"):
        assistance_services.add_measure(
            o.plan, title="x", deadline="2026-06-30", owner=w.other_handler, actor=w.alice
        )
    with pytest.raises(ValidationError, match="不存在"):
        assistance_services.add_measure(
            o.plan, title="x", deadline="2026-06-30", department=w.other_jxj, actor=w.alice
        )
    assert not Notification.objects.filter(recipient=w.other_handler).exists()


# --- pages: every model choice of every form offers the writer's scope only ---------------------
def _other_leader(o):
    from zhuqi.core.models import User
    from zhuqi.core.roles import Role

    return User.objects.get_or_create(
        username="other_leader", defaults={"role": Role.LEADER, "region": o.w.other_county}
    )[0]


def _forms():
    from zhuqi.assistance import forms as a
    from zhuqi.cases import forms as c
    from zhuqi.cases import forms_coordination as cc
    from zhuqi.core import forms as co
    from zhuqi.enterprises import forms as e
    from zhuqi.indicators import forms as ind
    from zhuqi.projects import forms as p

    return {
        # form: (how a page builds it for Alice, {field: (this county's row, the other county's)})
        cc.ScheduleForm: (
            lambda o: {"user": o.w.alice},
            {
                "convener": (lambda o: o.w.leader, _other_leader),
                "departments": (lambda o: o.w.jxj, lambda o: o.w.other_jxj),
            },
        ),
        a.VisitForm: (
            lambda o: {"user": o.w.alice},
            {"enterprise": (lambda o: o.ent, lambda o: o.ent_other)},
        ),
        a.AssignForm: (
            lambda o: {"viewer": o.w.alice},
            {
                "user": (lambda o: o.w.bob, lambda o: o.w.other_handler),
                "department": (lambda o: o.w.jxj, lambda o: o.w.other_jxj),
            },
        ),
        a.HandOverForm: (
            lambda o: {"viewer": o.w.alice},
            {"to_user": (lambda o: o.w.bob, lambda o: o.w.other_handler)},
        ),
        a.MeasureForm: (
            lambda o: {"viewer": o.w.alice},
            {"owner": (lambda o: o.w.bob, lambda o: o.w.other_handler)},
        ),
        a.MeetingForm: (
            lambda o: {"viewer": o.w.alice},
            {"enterprises": (lambda o: o.ent, lambda o: o.ent_other)},
        ),
        c.CaseForm: (lambda o: {"user": o.w.alice}, {"enterprise": (lambda o: o.ent, lambda o: o.ent_other)}),
        c.CorrectionForm: (
            lambda o: {"user": o.w.alice},
            {"enterprise": (lambda o: o.ent, lambda o: o.ent_other)},
        ),
        # 系统设置: a region's parent and a department's region are the writer's own regions
        co.RegionForm: (
            lambda o: {"user": o.w.alice},
            {"parent": (lambda o: o.w.county, lambda o: o.w.other_county)},
        ),
        co.DepartmentForm: (
            lambda o: {"user": o.w.alice},
            {"region": (lambda o: o.w.county, lambda o: o.w.other_county)},
        ),
        e.EnterpriseListForm: (
            lambda o: {"user": o.w.alice},
            {"region": (lambda o: o.w.county, lambda o: o.w.other_county)},
        ),
        p.CampaignForm: (
            lambda o: {"user": o.w.alice},
            {"region": (lambda o: o.w.county, lambda o: o.w.other_county)},
        ),
        c.RuleForm: (
            lambda o: {"user": o.w.alice},
            {
                "region": (lambda o: o.w.county, lambda o: o.w.other_county),
                "lead_department": (lambda o: o.w.jxj, lambda o: o.w.other_jxj),
                "assisting_departments": (lambda o: o.w.jxj, lambda o: o.w.other_jxj),
            },
        ),
        e.EnterpriseForm: (
            lambda o: {"user": o.w.alice},
            {"region": (lambda o: o.w.grid, lambda o: o.w.other_grid)},
        ),
        p.ProjectForm: (
            lambda o: {"user": o.w.alice},
            {
                "region": (lambda o: o.w.park, lambda o: o.w.other_county),
                "owner": (lambda o: o.ent, lambda o: o.ent_other),
                "department": (lambda o: o.w.jxj, lambda o: o.w.other_jxj),
                "leader": (lambda o: o.w.leader, lambda o: o.w.charlie),
                "team": (lambda o: o.w.bob, lambda o: o.w.other_handler),
            },
        ),
        ind.DataSetForm: (
            lambda o: {"user": o.w.alice},
            {
                "region": (lambda o: o.w.county, lambda o: o.w.other_county),
                "enterprises": (lambda o: o.ent, lambda o: o.ent_other),
            },
        ),
        # a project's tasks: the form offers the tasks of the project being edited only
        p.TaskForm: (lambda o: {"project": o.project}, {"after": (lambda o: o.task, lambda o: o.task_other)}),
        p.DependencyForm: (
            lambda o: {"project": o.project},
            {
                "predecessor": (lambda o: o.task, lambda o: o.task_other),
                "successor": (lambda o: o.task, lambda o: o.task_other),
            },
        ),
    }


def _form_references():
    found = []
    for app in APPS:
        if importlib.util.find_spec(f"zhuqi.{app}.forms") is None:  # an app without forms
            continue
        module = importlib.import_module(f"zhuqi.{app}.forms")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not (issubclass(cls, djforms.BaseForm) and cls.__module__ == module.__name__):
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, djforms.ModelChoiceField) and (
                    field.queryset is None
                    or field.queryset.model not in REFERENCE_DATA  # None: set per viewer
                ):
                    found.append((cls, field_name))
    return found


def test_every_form_reference_is_probed():
    forms = _forms()
    missing = [(cls.__name__, f) for cls, f in _form_references() if f not in forms.get(cls, (None, {}))[1]]
    assert not missing, f"form references without a cross-county probe in _forms(): {missing}"


@pytest.fixture
def op(o):
    o.project = make_project(o.w)
    o.project_other = other = make_project(
        o.w,
        code="P900",
        name="通许县项目",
        region=o.w.other_county,
        department=o.w.other_jxj,
        leader=o.w.charlie,
    )
    o.task = Task.objects.create(
        project=o.project, name="土建", start="2026-03-02", finish="2026-03-13", duration=10
    )
    o.task_other = Task.objects.create(
        project=other, name="土建", start="2026-03-02", finish="2026-03-13", duration=10
    )
    return o


@pytest.mark.parametrize(
    "form, field",
    [(cls, f) for cls, (_, fields) in _forms().items() for f in fields],
    ids=[f"{cls.__name__}.{f}" for cls, (_, fields) in _forms().items() for f in fields],
)
def test_form_offers_this_county_and_refuses_the_other(op, form, field):
    kwargs, fields = _forms()[form]
    own, other = fields[field]
    instance = form(**kwargs(op))
    choices = instance.fields[field].queryset
    assert choices.filter(pk=own(op).pk).exists()
    assert not choices.filter(pk=other(op).pk).exists()
    value = (
        [other(op).pk]
        if isinstance(instance.fields[field], djforms.ModelMultipleChoiceField)
        else other(op).pk
    )
    bound = form(data={field: value}, **kwargs(op))
    assert not bound.is_valid() and field in bound.errors


# --- imports: a row naming another county's row is refused as unknown ----------------------------
@pytest.mark.parametrize(
    "column, value, message",
    [
        ("统一社会信用代码", lambda o: o.ent_other.credit_code, "不在您的管辖范围内"),
        ("责任人账号", lambda o: o.w.other_handler.username, "找不到在岗人员"),
        ("包抓部门", lambda o: o.w.other_jxj.name, "找不到部门"),
    ],
    ids=["enterprise", "user", "department"],
)
def test_assignment_import_refuses_another_countys_rows(o, login, column, value, message):
    from tests.core.import_flow import preview
    from zhuqi.core.excel import write_workbook

    headers = ["统一社会信用代码", "年度", "帮扶角色", "责任人账号", "包抓部门"]
    row = {
        "统一社会信用代码": o.ent.credit_code,
        "年度": 2026,
        "帮扶角色": "部门联系责任人",
        "责任人账号": o.w.bob.username,
        "包抓部门": o.w.jxj.name,
    }
    row[column] = value(o)
    before = Assignment.objects.count()
    page = preview(login(o.w.alice), "assignments", write_workbook(headers, [[row[h] for h in headers]]))
    html = page.content.decode()
    assert message in html and 'name="token"' not in html  # refused at the preview, nothing to confirm
    assert Assignment.objects.count() == before

"""Corrections of projects: archiving a mistaken project (gone from lists, figures and the API,
restored by the administrator) and overwriting a month's completed investment only with a
confirmation and a reason, the old value kept in history (service, page, API, import)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from zhuqi.core.excel import write_workbook
from zhuqi.core.models import AuditEntry
from zhuqi.projects import figures, services
from zhuqi.projects.importers import ActualImporter
from zhuqi.projects.models import InvestmentMonth, Project

from .conftest import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 10, 2, tzinfo=dt.UTC), tick=False):
        yield


def _history(project, event):
    return AuditEntry.objects.filter(object_type="projects.project", object_id=str(project.pk), event=event)


# --- archive -------------------------------------------------------------------------------------
def test_archived_project_leaves_lists_figures_and_api_and_comes_back(world, project, login):
    twin = make_project(world, code="P002", name="重复录入的生物基材料项目")
    for p in (project, twin):
        services.record_actual(p, year=2026, month=5, amount=Decimal("100000"), actor=world.alice)
    visible = Project.objects.visible_to(world.alice)
    assert figures.progress_total(visible, 2026, 5).actual_to_date == Decimal("200000")

    services.archive_project(twin, actor=world.alice, reason="与 P001 重复录入")

    visible = Project.objects.visible_to(world.alice)
    assert list(visible.values_list("code", flat=True)) == ["P001"]
    assert figures.progress_total(visible, 2026, 5).actual_to_date == Decimal("100000")
    # the province-wide viewer's shortcut excludes it as well
    assert figures.progress_total(Project.objects.all(), 2026, 5).actual_to_date == Decimal("100000")
    client = login(world.alice)
    assert "P002" not in client.get("/projects/").content.decode()
    assert client.get(f"/projects/{twin.pk}/").status_code == 404
    assert [r["code"] for r in client.get("/api/v1/projects/").json()["results"]] == ["P001"]
    entry = _history(twin, "project_archived").get()
    assert entry.message == "与 P001 重复录入" and entry.actor == world.alice
    # on the administrator's 已归档 page, and restored from there
    assert client.get("/projects/archived/").status_code == 404  # the dispatch office cannot restore
    admin = login(world.admin)
    page = admin.get("/projects/archived/").content.decode()
    assert "P002" in page and "与 P001 重复录入" in page
    resp = admin.post(f"/projects/archived/{twin.pk}/restore/", {"reason": "并非重复"})
    assert resp.status_code == 302
    assert figures.progress_total(Project.objects.all(), 2026, 5).actual_to_date == Decimal("200000")
    assert _history(twin, "project_restored").get().message == "并非重复"
    assert "P002" not in admin.get("/projects/archived/").content.decode()


def test_archive_needs_reason_scope_and_role(world, project, other_project):
    with pytest.raises(ValidationError) as exc:
        services.archive_project(project, actor=world.alice, reason="  ")
    assert exc.value.message_dict == {"reason": ["请填写归档原因"]}
    with pytest.raises(Http404):
        services.archive_project(project, actor=world.charlie, reason="误录")
    with pytest.raises(PermissionDenied):
        services.archive_project(project, actor=world.bob, reason="误录")  # can edit, cannot archive
    with pytest.raises(PermissionDenied):
        services.restore_project(project, actor=world.alice)
    assert not Project.all_objects.filter(archived_at__isnull=False).exists()


def test_archive_refused_while_a_case_raised_from_it_is_open(world):
    from tests.enterprises.helpers import make_enterprise

    project = make_project(world, code="P003", owner=make_enterprise("恒顺集团有限公司", world.grid))
    services.raise_problem(project, title="施工用电未接入", description="需协调供电公司", actor=world.alice)
    with pytest.raises(ValidationError) as exc:
        services.archive_project(project, actor=world.alice, reason="误录")
    assert "1 件未办结的诉求" in exc.value.messages[0]
    assert Project.objects.filter(pk=project.pk).exists()


def test_archive_page(world, project, login):
    client = login(world.alice)
    assert 'data-testid="project-archive"' in client.get(f"/projects/{project.pk}/").content.decode()
    resp = client.post(f"/projects/{project.pk}/archive/", {"reason": ""})
    assert resp.status_code == 200 and "请填写归档原因" in resp.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()
    resp = client.post(f"/projects/{project.pk}/archive/", {"reason": "误录"})
    assert resp.status_code == 302 and not Project.objects.filter(pk=project.pk).exists()
    assert login(world.bob).get(f"/projects/{project.pk}/archive/").status_code == 404


def test_code_of_an_archived_project_is_named_when_reused(world, project):
    services.archive_project(project, actor=world.alice, reason="误录")
    with pytest.raises(ValidationError) as exc:
        make_project(world, code="P001")
    assert "已归档" in exc.value.message_dict["code"][0]


# --- overwriting a month's completed investment ------------------------------------------------
def test_overwrite_needs_a_reason_and_keeps_the_old_value(world, project):
    services.record_actual(project, year=2026, month=5, amount=Decimal("100000"), actor=world.alice)
    with pytest.raises(services.OverwriteNeedsReason) as exc:
        services.record_actual(project, year=2026, month=5, amount=Decimal("150000"), actor=world.alice)
    assert "已填报完成投资 10.00 万元" in exc.value.message_dict["reason"][0]
    assert InvestmentMonth.objects.get(project=project, month=5).actual == Decimal("100000")
    # the same value again is no change and needs nothing
    services.record_actual(project, year=2026, month=5, amount=Decimal("100000"), actor=world.alice)
    assert not _history(project, "investment_corrected").exists()
    services.record_actual(
        project, year=2026, month=5, amount=Decimal("150000"), actor=world.alice, reason="统计局核定"
    )
    assert InvestmentMonth.objects.get(project=project, month=5).actual == Decimal("150000")
    entry = _history(project, "investment_corrected").get()
    assert entry.message == "统计局核定"
    assert entry.changes["actual"] == ["100000", "150000"] or [
        Decimal(v) for v in entry.changes["actual"]
    ] == [
        Decimal("100000"),
        Decimal("150000"),
    ]


def test_overwrite_through_the_page_asks_for_confirmation(world, project, login):
    services.record_actual(project, year=2026, month=5, amount=Decimal("100000"), actor=world.alice)
    client = login(world.alice)
    url = f"/projects/{project.pk}/investment/actual/"
    resp = client.post(url, {"year": 2026, "month": 5, "amount_wan": "15"})
    page = resp.content.decode()
    assert resp.status_code == 200 and 'data-testid="actual-confirm"' in page
    assert "10.00 万元" in page and "15.00 万元" in page
    # a reason without the box ticked, and the box without a reason, change nothing
    page = client.post(url, {"year": 2026, "month": 5, "amount_wan": "15", "reason": "核定"}).content.decode()
    assert "请勾选确认修改已填报的数值" in page
    page = client.post(url, {"year": 2026, "month": 5, "amount_wan": "15", "confirm": "1"}).content.decode()
    assert "请填写修改原因" in page
    assert InvestmentMonth.objects.get(project=project, month=5).actual == Decimal("100000")
    resp = client.post(url, {"year": 2026, "month": 5, "amount_wan": "15", "reason": "核定", "confirm": "1"})
    assert resp.status_code == 302
    assert InvestmentMonth.objects.get(project=project, month=5).actual == Decimal("150000")
    assert "核定" in client.get(f"/projects/{project.pk}/").content.decode()  # in the history


def test_overwrite_through_the_api_needs_a_reason(world, project, login):
    client = login(world.alice)
    url = f"/api/v1/projects/{project.pk}/actual/"
    assert client.post(url, {"year": 2026, "month": 5, "amount": "100000"}).status_code == 201
    resp = client.post(url, {"year": 2026, "month": 5, "amount": "120000"})
    assert resp.status_code == 400 and "修改原因" in resp.json()["reason"][0]
    assert InvestmentMonth.objects.get(project=project, month=5).actual == Decimal("100000")
    resp = client.post(url, {"year": 2026, "month": 5, "amount": "120000", "reason": "漏报"})
    assert resp.status_code == 201 and Decimal(resp.json()["actual"]) == Decimal("120000")
    assert _history(project, "investment_corrected").get().message == "漏报"


def test_overwrite_through_the_import_needs_the_reason_column(world, project):
    services.record_actual(project, year=2026, month=5, amount=Decimal("100000"), actor=world.alice)
    head = ["项目编号", "年度", "月份", "本月完成投资（万元）"]
    result = ActualImporter(world.alice).run(
        io.BytesIO(write_workbook(head, [["P001", 2026, 5, 12], ["P001", 2026, 4, 3]])), dry_run=False
    )
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "第 2 行「修改原因」：该月已填报 10.00 万元；改为 12 万元须在「修改原因」列填写原因（原值保留在历史记录中）"
    ]
    assert not InvestmentMonth.objects.filter(project=project, month=4, actual__isnull=False).exists()
    head.append("修改原因")
    result = ActualImporter(world.alice).run(
        io.BytesIO(write_workbook(head, [["P001", 2026, 5, 12, "核定更正"], ["P001", 2026, 4, 3, ""]])),
        dry_run=False,
    )
    assert result.applied, result.errors
    assert InvestmentMonth.objects.get(project=project, month=5).actual == Decimal("120000")
    assert _history(project, "investment_corrected").get().message == "核定更正"

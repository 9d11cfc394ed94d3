"""The one import flow, across every registered kind: the registry, strict header rows, template
downloads, 404 for users not allowed, confirm bound to the previewed file, previews before any
apply, and large files applied by the background task with progress, all or nothing."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.core import import_flow
from tests.enterprises.helpers import credit_code, make_enterprise
from zhuqi.core import excel, imports, workcalendar
from zhuqi.core.excel import write_workbook
from zhuqi.core.models import AuditEntry, Department, ImportJob

pytestmark = pytest.mark.django_db

KINDS = ["regions", "departments", "users", "calendar", "enterprises", "hotline", "investment", "assignments"]
DEPT_HEADERS = ["名称", "简称", "类型", "所属区划代码", "电话"]


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "imports")
    workcalendar.invalidate()
    yield
    workcalendar.invalidate()


def headers_of(kind):
    return [c.header for c in imports.importer_class(kind).columns]


def depts(n, prefix="导入局"):
    return write_workbook(DEPT_HEADERS, [(f"{prefix}{i}", "", "", "410223", "") for i in range(n)])


def test_every_app_registers_its_importers():
    registry = imports.registry()
    assert set(KINDS) <= set(registry)
    for kind, cls in registry.items():
        assert cls.kind == kind and str(cls.title) and cls.columns
        assert cls.__module__.endswith(".importers") or cls.__module__ == "zhuqi.core.imports"


def test_the_index_lists_every_kind_the_user_may_use(world, login):
    page = login(world.alice).get(reverse("core:import_index")).content.decode()
    for kind in ["regions", "departments", "users", "enterprises", "hotline", "assignments", "investment"]:
        assert f'data-testid="import-{kind}"' in page, kind


# --- strict header row, for every kind -----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_column_is_a_file_error(world, kind):
    cls = imports.importer_class(kind)
    headers = headers_of(kind)
    first_required = next(c.header for c in cls.columns if c.required)
    data = write_workbook([h for h in headers if h != first_required], [["x"] * (len(headers) - 1)])
    result = cls(world.admin).run(data, dry_run=False)
    assert len(result.errors) == 1 and result.errors[0].row == 1
    assert f"缺少表头「{first_required}" in result.errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_column_is_a_file_error(world, kind):
    cls = imports.importer_class(kind)
    headers = headers_of(kind)
    data = write_workbook([*headers, "手机号码"], [["x"] * (len(headers) + 1)])
    result = cls(world.admin).run(data, dry_run=False)
    assert [e.row for e in result.errors] == [1]
    assert "无法识别的表头「手机号码」" in result.errors[0].message
    assert "、".join(headers) in result.errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_a_column_named_twice_is_a_file_error_and_notes_are_ignored(world, kind):
    cls = imports.importer_class(kind)
    headers = headers_of(kind)
    twice = cls(world.admin).run(write_workbook([*headers, headers[0]], [["x"] * (len(headers) + 1)]))
    assert "出现了不止一次" in twice.errors[0].message
    noted = cls(world.admin).run(write_workbook([*headers, "备注", "备注2"], [["x"] * (len(headers) + 2)]))
    assert all(e.row != 1 for e in noted.errors)  # row errors perhaps, never a header error


# --- templates and permissions, for every kind ------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_template_download_for_every_kind(world, login, kind):
    response = login(world.admin).get(reverse("core:import_template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in ws[1]] == headers_of(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_users_not_allowed_get_404_on_every_page(world, login, kind):
    for user in (world.bob, world.enterprise_user):
        client = login(user)
        assert client.get(import_flow.url(kind)).status_code == 404
        assert client.get(reverse("core:import_template", args=[kind])).status_code == 404
        assert import_flow.preview(client, kind, b"x").status_code == 404


def test_old_import_addresses_redirect_to_the_flow(world, login):
    client = login(world.alice)
    old = {
        "enterprises:enterprise_import": "enterprises",
        "cases:import": "hotline",
        "projects:actual_import": "investment",
        "assistance:assignment_import": "assignments",
    }
    for name, kind in old.items():
        assert client.get(reverse(name))["Location"] == import_flow.url(kind)
    assert client.get(reverse("assistance:assignment_template"))["Location"] == reverse(
        "core:import_template", args=["assignments"]
    )


# --- confirm is bound to the previewed file ---------------------------------------------------


def test_a_tampered_file_or_a_made_up_token_is_refused(world, login, tmp_path):
    client = login(world.alice)
    code = credit_code()
    headers = headers_of("enterprises")
    data = write_workbook(headers, [["恒顺集团有限公司", code, "410223P1G1"] + [""] * (len(headers) - 3)])
    token = import_flow.token_of(import_flow.preview(client, "enterprises", data).content.decode())
    other = write_workbook(
        headers, [["另一家有限公司", credit_code(), "410223P1G1"] + [""] * (len(headers) - 3)]
    )
    (tmp_path / "imports" / f"{token}.xlsx").write_bytes(other)
    assert "预览已失效" in import_flow.confirm(client, "enterprises", token).content.decode()
    assert "预览已失效" in import_flow.confirm(client, "enterprises", "A" * 32).content.decode()
    from zhuqi.enterprises.models import Enterprise

    assert not Enterprise.objects.exists()


def test_hotline_and_investment_imports_preview_before_applying(world, login):
    """They used to apply straight from the upload (apply=1): now an upload only previews."""
    from zhuqi.cases.models import Case

    ent = make_enterprise("恒顺集团有限公司", world.grid)
    client = login(world.alice)
    row = ["GZ001", "12345", ent.credit_code, "", "道路积水", "厂区门口积水", "", "", "", ""]
    upload = io.BytesIO(write_workbook(headers_of("hotline"), [row]))
    upload.name = "工单.xlsx"
    page = client.post(import_flow.url("hotline"), {"file": upload, "apply": "1"}).content.decode()
    assert 'data-testid="import-preview"' in page and not Case.objects.exists()
    import_flow.confirm(client, "hotline", import_flow.token_of(page))
    assert Case.objects.get().external_no == "GZ001"


# --- large files: the background task -----------------------------------------------------------


def test_a_large_file_is_applied_by_the_task_with_progress(world, login, settings, monkeypatch, tmp_path):
    import datetime as dt

    from django.utils import timezone

    settings.ZHUQI_IMPORT_BACKGROUND_ROWS = 5
    ancient = ImportJob.objects.create(kind="departments", user=world.alice, token="x" * 32, sha256="0" * 64)
    ImportJob.objects.filter(pk=ancient.pk).update(
        status="done", finished_at=timezone.now() - dt.timedelta(days=91)
    )
    monkeypatch.setattr(excel, "PROGRESS_EVERY", 1)
    seen = []
    original = imports.DepartmentImporter.apply_row

    def watching(self, row):  # what a polling page would read while the rows are saved
        job = ImportJob.objects.get()
        seen.append((job.status, job.phase, job.rows_done, job.rows_total))
        return original(self, row)

    monkeypatch.setattr(imports.DepartmentImporter, "apply_row", watching)
    client = login(world.alice)
    # (a job finished long ago is deleted when a new one starts)
    page = import_flow.preview(client, "departments", depts(6)).content.decode()
    assert 'data-testid="import-background"' in page
    response = import_flow.confirm(client, "departments", import_flow.token_of(page))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "core:import_job", args=["departments", job.pk]
    )
    assert seen[0] == ("running", "save", 0, 6) and seen[-1] == ("running", "save", 5, 6)
    assert (job.status, job.created, job.updated, job.rows_done, job.percent) == ("done", 6, 0, 6, 100)
    assert Department.objects.filter(name__startswith="导入局").count() == 6
    entry = AuditEntry.objects.get(action="import")
    assert entry.actor == world.alice and entry.ip == "127.0.0.1"  # the address that confirmed it
    assert not list((tmp_path / "imports").iterdir())  # the job deleted the kept file
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-done"' in page and 'data-testid="import-created">6<' in page
    status = client.get(response["Location"], {"format": "json"}).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["created"] == 6
    # the job is its user's alone; it runs once
    note = world.alice.notifications.get()
    assert note.title == "导入完成：导入部门，新增 6 条，更新 0 条" and note.url == response["Location"]
    assert login(world.charlie).get(response["Location"]).status_code == 404
    assert login(world.admin).get(response["Location"]).status_code == 404
    assert imports.run_job(job.pk) == ""


def test_a_running_job_shows_its_progress(world, login):
    job = ImportJob.objects.create(
        kind="departments", user=world.alice, token="t" * 32, sha256="0" * 64, rows_total=4000
    )
    ImportJob.objects.filter(pk=job.pk).update(status="running", phase="check", rows_done=1000)
    page = login(world.alice).get(reverse("core:import_job", args=["departments", job.pk])).content.decode()
    assert 'data-status="running"' in page and "1000 / 4000" in page and 'http-equiv="refresh"' in page
    assert 'data-testid="import-job-percent">12%<' in page


def test_a_failing_background_import_saves_nothing(world, login, settings, monkeypatch, tmp_path):
    from django.db import IntegrityError

    settings.ZHUQI_IMPORT_BACKGROUND_ROWS = 2
    original = imports.DepartmentImporter.apply_row
    calls = []

    def flaky(self, row):
        calls.append(row["name"])
        if len(calls) == 3:
            raise IntegrityError("duplicate key")
        return original(self, row)

    monkeypatch.setattr(imports.DepartmentImporter, "apply_row", flaky)
    client = login(world.alice)
    token = import_flow.token_of(import_flow.preview(client, "departments", depts(4)).content.decode())
    page = import_flow.confirm(client, "departments", token, follow=True).content.decode()
    assert "保存时数据库出错，未导入任何数据" in page and 'data-status="failed"' in page
    assert ImportJob.objects.get().status == "failed"
    assert "未导入任何数据" in world.alice.notifications.get().title
    assert not Department.objects.filter(name__startswith="导入局").exists()  # rows 1–2 rolled back
    assert not AuditEntry.objects.filter(action="import").exists()
    assert not list((tmp_path / "imports").iterdir())
    # the token was handed to the job: it cannot be confirmed again
    assert "预览已失效" in import_flow.confirm(client, "departments", token).content.decode()


def test_a_background_import_rechecks_rows_changed_since_the_preview(world, login, settings):
    from zhuqi.core.models import User

    settings.ZHUQI_IMPORT_BACKGROUND_ROWS = 2
    client = login(world.alice)
    headers = ["用户名", "姓名", "角色", "所属区划代码", "所属部门", "职务", "手机", "初始密码"]
    data = write_workbook(
        headers,
        [
            ("zhouqi", "周七", "部门经办人", "410223", "尉氏县工信局", "", "", ""),
            ("wuba", "吴八", "网格员", "410223P1G1", "", "", "", ""),
        ],
    )
    token = import_flow.token_of(import_flow.preview(client, "users", data).content.decode())
    world.jxj.is_active = False
    world.jxj.save()
    page = import_flow.confirm(client, "users", token, follow=True).content.decode()
    assert "数据在预览后发生了变化" in page and 'data-testid="import-errors"' in page
    assert "第 2 行「所属部门」" in page and "已停用" in page
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.errors[0][:2] == [2, "所属部门"]
    assert not User.objects.filter(username__in=["zhouqi", "wuba"]).exists()


# --- headers in the user's language ----------------------------------------------------------------
# A header's Chinese msgid is canonical and always accepted; the header in the active language is
# accepted too, so a template downloaded in English can be uploaded back.


@pytest.fixture
def english():
    """Make a client's pages English; the language a request activated is reset afterwards
    (it would otherwise stay active on this thread for the tests that follow)."""
    from django.conf import settings

    def make(client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    yield make
    translation.deactivate()


@pytest.mark.parametrize("kind", KINDS)
def test_an_english_template_has_english_headers_and_is_accepted_back(world, login, english, kind):
    cls = imports.importer_class(kind)
    response = english(login(world.admin)).get(reverse("core:import_template", args=[kind]))
    assert response.status_code == 200
    headers = [c.value for c in load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    with translation.override("en"):
        assert headers == [str(c.header) for c in cls.columns]
        result = cls(world.admin).run(response.content)
    assert not any(re.search(r"[\u4e00-\u9fff]", h) for h in headers), headers
    assert all(e.row != 1 for e in result.errors), [str(e) for e in result.errors]  # no header error


def test_an_english_template_downloaded_and_uploaded_back_imports(world, login, english):
    client = english(login(world.admin))
    for kind in ("departments", "calendar"):
        template = client.get(reverse("core:import_template", args=[kind])).content
        with translation.override("en"):
            result = imports.importer_class(kind)(world.admin).run(template, dry_run=False)
        assert result.applied, [str(e) for e in result.errors]
    assert Department.objects.filter(name="尉氏县发展和改革委员会", region__code="410223").exists()
    assert not workcalendar.is_working_day(dt.date(2027, 2, 6))


def test_english_headers_and_values_import_with_the_ui_in_english(world):
    headers = ["Name", "Short name", "Type", "Region code", "Phone"]
    data = write_workbook(headers, [("Import bureau", "IB", "Government department", "410223", "")])
    with translation.override("en"):
        preview = imports.importer_class("departments")(world.admin).run(data)
        assert preview.ok, [str(e) for e in preview.errors]
        assert imports.importer_class("departments")(world.admin).run(data, dry_run=False).applied
    assert Department.objects.get(name="Import bureau").kind == Department.Kind.GOVERNMENT


def test_a_chinese_header_file_imports_with_the_ui_in_english(world, login, english):
    with translation.override("en"):
        result = imports.importer_class("departments")(world.admin).run(depts(2), dry_run=False)
        assert result.applied and result.created == 2
        # messages and the preview speak English; the Chinese header is still named in Chinese or English
        bad = imports.importer_class("departments")(world.admin).run(
            write_workbook([*DEPT_HEADERS, "手机号码"], [("x", "", "", "410223", "", "")])
        )
        assert "Unrecognised header “手机号码”" in bad.errors[0].message
        assert "Name, Short name, Type, Region code, Phone" in bad.errors[0].message
    # uploaded through the flow, with the page in English
    client = english(login(world.admin))
    response = import_flow.preview(client, "departments", depts(1, prefix="英文界面"))
    page = response.content.decode()
    assert response.status_code == 200 and "Region code" in page and "英文界面0" in page


def test_a_header_in_both_languages_is_named_twice(world):
    data = write_workbook([*DEPT_HEADERS, "Name"], [("a", "", "", "410223", "", "b")])
    with translation.override("en"):
        result = imports.importer_class("departments")(world.admin).run(data)
    assert [e.row for e in result.errors] == [1] and "more than once" in result.errors[0].message

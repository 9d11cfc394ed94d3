"""Large Excel exports are written in the background (core.exports): the user is taken to a
progress page, told in the inbox when the file is ready, and downloads exactly the rows the
immediate export gives; the job is theirs alone, is written once, is refused when they may no
longer export, and is deleted with its file after a week. Small exports stay immediate."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.enterprises.helpers import make_enterprise
from zhuqi.core import exports
from zhuqi.core.models import AuditEntry, ExportJob, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.ZHUQI_EXPORT_DIR = str(tmp_path / "exports")


def _rows(content: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content)).active
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def _download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def five(world):
    return [make_enterprise(f"导出测试企业{i}", world.grid) for i in range(5)]


def test_a_small_export_is_the_file_at_once(world, five, login, settings):
    settings.ZHUQI_EXPORT_BACKGROUND_ROWS = 5
    response = login(world.alice).get(reverse("enterprises:enterprise_list"), {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert len(_rows(response.content)) == 1 + 5
    assert not ExportJob.objects.exists()


def test_a_large_export_is_written_in_the_background_with_the_same_rows(
    world, five, login, settings, django_capture_on_commit_callbacks
):
    client = login(world.alice)
    at_once = _rows(
        client.get(reverse("enterprises:enterprise_list"), {"export": "xlsx", "q": "导出测试"}).content
    )
    settings.ZHUQI_EXPORT_BACKGROUND_ROWS = 4
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("enterprises:enterprise_list"), {"export": "xlsx", "q": "导出测试"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:export_job", args=[job.pk])
    assert job.params == {"q": ["导出测试"]}  # the page's filters, without `export`
    assert (job.status, job.rows_total, job.rows_done, job.percent) == ("done", 5, 5, 100)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="export-download"' in page and "共 5 行" in page
    file = client.get(reverse("core:export_download", args=[job.pk]))
    assert file.status_code == 200 and "attachment" in file["Content-Disposition"]
    assert _rows(_download(file)) == at_once and len(at_once) == 1 + 5
    # told in the inbox, with the way back to the file
    note = world.alice.notifications.get()
    assert note.title == "导出完成：企业名录（关键词=导出测试），5 行" and note.url == response["Location"]
    # one audit entry for the file, by the user who asked, naming the rows
    entry = AuditEntry.objects.filter(action="export").order_by("-id").first()
    assert entry.actor == world.alice and entry.changes == {"rows": 5}
    assert AuditEntry.objects.filter(action="export").count() == 2  # the immediate one and this one
    # listed under 我的导出
    listing = client.get(reverse("core:export_list")).content.decode()
    assert (
        "企业名录（关键词=导出测试）" in listing and reverse("core:export_download", args=[job.pk]) in listing
    )
    status = client.get(response["Location"], {"format": "json"}).json()
    assert status == {"status": "done", "rows_total": 5, "rows_done": 5, "percent": 100, "message": ""}
    # written once, even when the task is delivered again
    assert exports.run_job(job.pk) == ""
    assert AuditEntry.objects.filter(action="export").count() == 2


def test_a_job_is_its_users_alone(world, five, login, settings, django_capture_on_commit_callbacks):
    settings.ZHUQI_EXPORT_BACKGROUND_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        login(world.alice).get(reverse("enterprises:enterprise_list"), {"export": "xlsx"})
    job = ExportJob.objects.get()
    for other in (world.charlie, world.admin, world.leader):
        client = login(other)
        assert client.get(reverse("core:export_job", args=[job.pk])).status_code == 404
        assert client.get(reverse("core:export_download", args=[job.pk])).status_code == 404
        assert "导出测试企业" not in client.get(reverse("core:export_list")).content.decode()


def test_rows_beyond_the_limit_are_cut_and_the_page_says_so(
    world, five, login, settings, django_capture_on_commit_callbacks
):
    settings.ZHUQI_EXPORT_BACKGROUND_ROWS = 1
    settings.ZHUQI_EXPORT_MAX_ROWS = 3
    client = login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("enterprises:enterprise_list"), {"export": "xlsx", "q": "导出测试"})
    job = ExportJob.objects.get()
    assert (job.status, job.rows_done) == ("done", 3)
    assert job.message == "共 5 行，超过单个文件的上限 3 行，只导出了前 3 行；请缩小筛选范围后分批导出。"
    assert job.message in client.get(response["Location"]).content.decode()
    assert len(_rows(_download(client.get(reverse("core:export_download", args=[job.pk]))))) == 1 + 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"role": Role.ENTERPRISE, "region": None, "department": None}, "您已无权进行此导出。"),
        ({"is_active": False}, "账号已停用，未生成文件。"),
    ],
)
def test_a_user_who_may_no_longer_export_gets_no_file(world, five, login, settings, change, message):
    settings.ZHUQI_EXPORT_BACKGROUND_ROWS = 1
    response = login(world.alice).get(reverse("enterprises:enterprise_list"), {"export": "xlsx"})
    job = ExportJob.objects.get()  # queued: the on-commit hand-off was not run
    assert job.status == "queued" and response.status_code == 302
    for field, value in change.items():  # changed before a worker took the job
        setattr(world.alice, field, value)
    world.alice.save()
    assert exports.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert (job.status, job.message, job.token) == ("failed", message, "")
    assert not AuditEntry.objects.filter(action="export").exists()
    # told in the inbox, unless the account is closed (a closed account receives nothing)
    titles = list(world.alice.notifications.values_list("title", flat=True))
    assert titles == ([] if change.get("is_active") is False else ["导出未完成：企业名录（全部）"])


def test_a_running_job_shows_its_progress(world, login):
    job = ExportJob.objects.create(
        kind="enterprises.enterprises",
        user=world.alice,
        what="企业名录（全部）",
        status="running",
        rows_total=8000,
    )
    ExportJob.objects.filter(pk=job.pk).update(rows_done=2000)
    page = login(world.alice).get(reverse("core:export_job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "25%" in page and "2000 / 8000" in page
    assert 'data-testid="export-download"' not in page


def test_jobs_and_files_older_than_a_week_are_deleted(
    world, five, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ZHUQI_EXPORT_BACKGROUND_ROWS = 1
    client = login(world.alice)
    long_ago = timezone.now() - dt.timedelta(days=exports.KEPT_DAYS + 1)
    with time_machine.travel(long_ago), django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("enterprises:enterprise_list"), {"export": "xlsx"})
    old = ExportJob.objects.get()
    assert exports.file_path(old.token).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("enterprises:enterprise_list"), {"export": "xlsx"})
    assert list(ExportJob.objects.values_list("pk", flat=True)) != [old.pk]
    assert ExportJob.objects.count() == 1 and not ExportJob.objects.filter(pk=old.pk).exists()
    assert [p.name for p in (tmp_path / "exports").iterdir()] == [f"{ExportJob.objects.get().token}.xlsx"]


def test_the_case_list_and_the_monthly_report_export_in_the_background_too(
    world, login, settings, django_capture_on_commit_callbacks
):
    from tests.cases.conftest import CaseWorld
    from zhuqi.cases import services

    cw = CaseWorld(world)
    ent = make_enterprise("诉求导出企业", cw.w.grid)
    for i in range(3):
        services.create_case(ent, channel="h12345", title=f"诉求{i}", description="x", actor=cw.w.alice)
    client = login(world.alice)
    at_once = _rows(client.get(reverse("cases:export")).content)
    settings.ZHUQI_EXPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("cases:export"))
    job = ExportJob.objects.get(kind="cases.cases")
    assert response["Location"] == reverse("core:export_job", args=[job.pk]) and job.status == "done"
    assert _rows(_download(client.get(reverse("core:export_download", args=[job.pk])))) == at_once
    assert len(at_once) == 1 + 3
    # 月报表 with no projects: nothing to write in the background
    report = client.get(reverse("projects:monthly_report"))
    assert report.status_code == 200 and len(_rows(report.content)) == 1


def test_the_exports_refuse_a_role_without_the_export_action(world):
    from django.core.exceptions import PermissionDenied
    from django.http import QueryDict

    assert exports.builder("projects.monthly_report") is not None  # every role: scoped rows
    for kind in ["cases.cases", "enterprises.enterprises"]:  # officials only
        build = exports.builder(kind)
        assert build is not None, kind
        with pytest.raises(PermissionDenied):
            build(world.enterprise_user, QueryDict())

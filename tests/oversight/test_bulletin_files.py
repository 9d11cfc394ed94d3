"""The stored Word and PDF of a published bulletin (oversight.bulletin_files, docs/operations.md
§"When a worker dies"): rendered once when the publication commits, idempotent, published ones
only; the downloads serve the stored file and render (then store) one that is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import time_machine
from celery.exceptions import Retry
from django.db import connection, connections
from django.urls import reverse

from tests.oversight.conftest import at
from tests.oversight.test_bulletin import march  # noqa: F401  (fixture)
from zhuqi.core.models import AuditEntry
from zhuqi.oversight import bulletin as gen
from zhuqi.oversight import bulletin_files as files
from zhuqi.oversight import services_bulletin as sb
from zhuqi.oversight.models import Bulletin
from zhuqi.oversight.tasks import render_bulletin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("march")]


@pytest.fixture
def renders(monkeypatch):
    """Fast stand-ins for the two renderers, counting their calls (the real ones: the first test
    and tests/oversight/test_bulletin*.py)."""
    calls: list[str] = []

    def fake(fmt):
        def render(b):
            calls.append(fmt)
            return f"{fmt}:{b.issued_number or 'draft'}:{b.title}".encode()

        return render

    monkeypatch.setattr(gen, "docx_bytes", fake("docx"))
    monkeypatch.setattr(gen, "pdf_bytes", fake("pdf"))
    return calls


def _approved(world):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
    return sb.approve_bulletin(b, actor=world.leader)


def _publish(world, b, capture, execute=True) -> Bulletin:
    with capture(execute=execute), time_machine.travel(at(2026, 4, 3), tick=False):
        sb.publish_bulletin(b, actor=world.supervisor)
    return Bulletin.objects.get(pk=b.pk)


def _path(file) -> Path:
    return Path(file.storage.path(file.name))


def _downloads(world) -> int:
    return AuditEntry.objects.filter(action="export", object_type__endswith="bulletin").count()


def test_publication_stores_the_word_and_the_pdf(world, django_capture_on_commit_callbacks):
    from docx import Document
    from pypdf import PdfReader

    b = _publish(world, _approved(world), django_capture_on_commit_callbacks)
    assert (b.docx_file.name, b.pdf_file.name) == (files.stored_name(b, "docx"), files.stored_name(b, "pdf"))
    assert b.docx_file.name.endswith(".docx") and b.pdf_file.name.endswith(".pdf")
    doc = Document(_path(b.docx_file))
    assert "〔2026〕1号" in [p.text for p in doc.paragraphs]
    text = "".join(p.extract_text() for p in PdfReader(_path(b.pdf_file)).pages)
    assert "〔2026〕1号" in text.replace(" ", "")
    # nothing but the two files in the bulletin's folder (no temporary file left)
    assert sorted(p.name for p in _path(b.docx_file).parent.iterdir()) == sorted(
        [_path(b.docx_file).name, _path(b.pdf_file).name]
    )


def test_rendered_once_and_a_second_run_changes_nothing(world, renders, django_capture_on_commit_callbacks):
    b = _publish(world, _approved(world), django_capture_on_commit_callbacks)
    assert renders == ["docx", "pdf"]
    before = {
        f: (_path(getattr(b, f)).read_bytes(), _path(getattr(b, f)).stat().st_mtime_ns)
        for f in files.FIELDS.values()
    }
    assert before["docx_file"][0] == "docx:〔2026〕1号:关于2026年3月助企工作情况的通报".encode()
    # delivered again (a worker killed after finishing, acks late): same files, nothing rendered
    assert files.render_published(b.pk) == ""
    render_bulletin.delay(b.pk)
    assert renders == ["docx", "pdf"]
    b.refresh_from_db()
    after = {
        f: (_path(getattr(b, f)).read_bytes(), _path(getattr(b, f)).stat().st_mtime_ns)
        for f in files.FIELDS.values()
    }
    assert after == before


def test_a_run_killed_while_writing_leaves_no_file_and_the_next_one_writes_it(
    world,  # noqa: F811
    renders,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    b = _approved(world)
    real_replace = os.replace

    class Killed(BaseException):
        pass

    def killed(src, dst):
        if str(dst).endswith(".pdf"):
            raise Killed  # the worker dies between writing the PDF and renaming it
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(Killed):
        _publish(world, b, django_capture_on_commit_callbacks)
    b.refresh_from_db()
    assert b.status == Bulletin.Status.PUBLISHED and b.docx_file.name and not b.pdf_file.name
    folder = _path(b.docx_file).parent
    assert [p.name for p in folder.iterdir()] == [_path(b.docx_file).name]  # no half PDF, no .part
    monkeypatch.setattr(os, "replace", real_replace)
    assert files.render_published(b.pk) == files.DONE  # the next delivery
    b.refresh_from_db()
    assert renders == ["docx", "pdf", "pdf"]  # the Word file is not rendered again
    assert _path(b.pdf_file).read_bytes() == "pdf:〔2026〕1号:关于2026年3月助企工作情况的通报".encode()


def test_only_published_bulletins_are_stored(world, renders, login):
    b = _approved(world)
    assert files.render_published(b.pk) == ""  # approved, not published: nothing
    assert files.render_published(999_999) == ""
    client = login(world.supervisor)
    for _ in range(2):  # a draft or an approved bulletin renders on every download, stores nothing
        r = client.get(reverse("oversight:bulletin_docx", args=[b.pk]))
        assert r.status_code == 200 and r.content == "docx:draft:关于2026年3月助企工作情况的通报".encode()
    b.refresh_from_db()
    assert (b.docx_file.name, b.pdf_file.name, renders) == ("", "", ["docx", "docx"])
    assert _downloads(world) == 2


def test_downloads_serve_the_stored_file(world, renders, login, django_capture_on_commit_callbacks):
    b = _publish(world, _approved(world), django_capture_on_commit_callbacks)
    stored = {fmt: _path(getattr(b, files.FIELDS[fmt])).read_bytes() for fmt in files.FORMATS}
    client = login(world.bob)
    r = client.get(reverse("oversight:bulletin_docx", args=[b.pk]))
    assert r.status_code == 200 and r.getvalue() == stored["docx"]
    assert r["Content-Type"] == files.CONTENT_TYPES["docx"]
    assert r["Content-Disposition"] == 'attachment; filename="bulletin-2026-03.docx"'
    r = client.get(reverse("oversight:bulletin_pdf", args=[b.pk]))
    assert (r.status_code, r["Content-Type"], r.getvalue()) == (200, "application/pdf", stored["pdf"])
    assert r["Content-Disposition"] == 'attachment; filename="bulletin-2026-03.pdf"'
    assert renders == ["docx", "pdf"]  # rendered once, at publication
    entries = AuditEntry.objects.filter(action="export").order_by("pk")
    assert [(e.actor, e.message) for e in entries] == [
        (world.bob, "下载通报 Word 文档"),
        (world.bob, "下载通报 PDF"),
    ]
    # scope unchanged: the other county's people get 404, and no audit entry
    assert login(world.charlie).get(reverse("oversight:bulletin_docx", args=[b.pk])).status_code == 404
    assert login(world.charlie).get(reverse("oversight:bulletin_pdf", args=[b.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="export").count() == 2


def test_served_by_the_web_server_when_configured(
    world, renders, login, settings, django_capture_on_commit_callbacks
):
    b = _publish(world, _approved(world), django_capture_on_commit_callbacks)
    settings.ZHUQI_SENDFILE = "nginx"
    r = login(world.bob).get(reverse("oversight:bulletin_pdf", args=[b.pk]))
    assert r["X-Accel-Redirect"] == "/protected-media/" + b.pdf_file.name and r.content == b""
    assert r["Content-Type"] == "application/pdf"


def test_a_missing_file_is_rendered_by_the_download_and_stored(
    world, renders, login, django_capture_on_commit_callbacks
):
    # published, but no worker has run yet (its task is still queued)
    b = _publish(world, _approved(world), django_capture_on_commit_callbacks, execute=False)
    assert (b.docx_file.name, b.pdf_file.name) == ("", "")
    client = login(world.bob)
    r = client.get(reverse("oversight:bulletin_pdf", args=[b.pk]))
    assert r.status_code == 200 and r.content == "pdf:〔2026〕1号:关于2026年3月助企工作情况的通报".encode()
    b.refresh_from_db()
    assert b.pdf_file.name == files.stored_name(b, "pdf") and not b.docx_file.name
    assert client.get(reverse("oversight:bulletin_pdf", args=[b.pk])).getvalue() == r.content
    assert renders == ["pdf"]  # the second download read the stored file
    # the worker runs late: only the Word file is left to render
    assert files.render_published(b.pk) == files.DONE and renders == ["pdf", "docx"]
    # a file lost on disk: the next download renders it again, under the same name
    _path(b.pdf_file).unlink()
    r = client.get(reverse("oversight:bulletin_pdf", args=[b.pk]))
    assert r.status_code == 200 and renders == ["pdf", "docx", "pdf"]
    assert _path(b.pdf_file).exists()
    assert _downloads(world) == 3  # one audit entry a download, whichever way it was served


def test_a_failed_rendering_does_not_fail_the_publication(
    world, renders, monkeypatch, login, django_capture_on_commit_callbacks
):
    def broken(b):
        raise OSError("no fonts")

    monkeypatch.setattr(gen, "pdf_bytes", broken)
    b = _publish(world, _approved(world), django_capture_on_commit_callbacks)
    assert b.status == Bulletin.Status.PUBLISHED and b.number == 1
    assert b.docx_file.name and not b.pdf_file.name
    assert files.render_published(b.pk) == files.FAILED


def test_a_bulletin_held_by_another_worker_is_retried(world, renders, django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("the lock is a PostgreSQL advisory lock; SQLite runs one task at a time")
    b = _publish(world, _approved(world), django_capture_on_commit_callbacks, execute=False)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:  # another worker's session holds the bulletin
            cur.execute("SELECT pg_advisory_lock(hashtext(%s), %s)", [files.LOCK_SPACE, b.pk])
        assert files.render_published(b.pk) == files.BUSY
        with pytest.raises(Retry):  # a worker's delivery asks again a minute later
            render_bulletin(b.pk)
        # in-process (no worker configured) it gives up at once instead of retrying in a loop
        assert render_bulletin.delay(b.pk).get() == files.BUSY
        assert renders == []
    finally:  # released now (the server drops a closed session's locks a moment later)
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", [files.LOCK_SPACE, b.pk])
        other.close()
    assert files.render_published(b.pk) == files.DONE and renders == ["docx", "pdf"]


def test_the_stored_name_is_stable_and_not_guessable(world, renders):
    b = _approved(world)
    name = files.stored_name(b, "pdf")
    assert name == files.stored_name(Bulletin.objects.get(pk=b.pk), "pdf")
    assert name.startswith(f"bulletins/2026/{b.pk}-") and len(Path(name).stem.split("-")[1]) == 24
    assert files.filename(b, "pdf") == "bulletin-2026-03.pdf"

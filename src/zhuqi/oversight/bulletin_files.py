"""The stored Word and PDF of a published bulletin (通报).

A published bulletin never changes (its text, tables and 成文日期 are frozen at publication), so
its two documents are rendered once — by the worker, queued when the publication commits
(`services_bulletin.publish_bulletin` → `tasks.render_bulletin`) — and kept in MEDIA_ROOT beside
the uploaded files, so `zhuqi backup` keeps them and the downloads are served from disk (through
the web server when `ZHUQI_SENDFILE` is set). The rendering of a PDF by WeasyPrint takes a second
or more; it no longer runs in the request that downloads it.

A download that finds no stored file (the worker has not run yet, a bulletin published before
this existed, a file lost) renders it then and stores it (`ensure`): the user gets the document
at once, as before, and the next download is served from disk. Drafts and approved bulletins are
still being edited and render on every download, never stored.

Idempotent: the task holds the bulletin's lock (`core.imports.job_lock`, its own key space) and
renders only what is not stored yet, so a second delivery finds both files and does nothing. A
file is written under a temporary name and renamed into place, and named on the bulletin only
after that, so a worker killed in the middle leaves no half file under the stored name; the next
delivery renders it again to the same name.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.db.models.fields.files import FieldFile
from django.utils.crypto import salted_hmac

from .models import Bulletin

log = logging.getLogger(__name__)

DOCX, PDF = "docx", "pdf"
FORMATS = (DOCX, PDF)
CONTENT_TYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PDF: "application/pdf",
}
FIELDS = {DOCX: "docx_file", PDF: "pdf_file"}
#: the key space of the bulletins' locks (core.imports.job_lock)
LOCK_SPACE = "zhuqi.oversight.bulletins"
#: `render_published`'s answers
BUSY, DONE, FAILED = "busy", "done", "failed"


def filename(b: Bulletin, fmt: str) -> str:
    """The download's name: bulletin-2026-03.docx, bulletin-2026Q1.pdf."""
    period = f"{b.year}Q{b.quarter}" if b.quarter else f"{b.year}-{b.month:02d}"
    return f"bulletin-{period}.{fmt}"


def stored_name(b: Bulletin, fmt: str) -> str:
    """The file's name in the storage: the same for every run (a re-run overwrites it), and not
    guessable without SECRET_KEY (files are served only by the download view, which checks scope)."""
    key = salted_hmac(LOCK_SPACE, f"{b.pk}", algorithm="sha256").hexdigest()[:24]
    return f"bulletins/{b.year}/{b.pk}-{key}.{fmt}"


def render(b: Bulletin, fmt: str) -> bytes:
    from . import bulletin as gen

    make: Callable[[Bulletin], bytes] = gen.docx_bytes if fmt == DOCX else gen.pdf_bytes
    return make(b)


def stored(b: Bulletin, fmt: str) -> FieldFile | None:
    """The stored file of a published bulletin, if it is on disk."""
    file: FieldFile = getattr(b, FIELDS[fmt])
    if b.status != Bulletin.Status.PUBLISHED or not file.name or not file.storage.exists(file.name):
        return None
    return file


def store(b: Bulletin, fmt: str, data: bytes) -> None:
    """Write `data` as the bulletin's `fmt` file, whole or not at all, and name it on the row."""
    field = FIELDS[fmt]
    name = stored_name(b, fmt)
    storage = getattr(b, field).storage
    path = Path(storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(part, getattr(storage, "file_permissions_mode", None) or 0o644)  # as uploads
        os.replace(part, path)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    Bulletin.objects.filter(pk=b.pk).update(**{field: name})
    getattr(b, field).name = name


def ensure(b: Bulletin, fmt: str) -> tuple[FieldFile | None, bytes]:
    """For a download: the stored file, or else the document rendered now (stored too when the
    bulletin is published, so the next download reads it from disk)."""
    file = stored(b, fmt)
    if file is not None:
        return file, b""
    data = render(b, fmt)
    if b.status == Bulletin.Status.PUBLISHED:
        try:
            store(b, fmt, data)
        except OSError:  # the download still answers; the next one tries again
            log.exception("bulletin %s: could not store its %s", b.pk, fmt)
    return None, data


def render_published(bulletin_id: int) -> str:
    """Render and store the documents of a published bulletin that are not stored yet. Returns
    DONE, "" when there was nothing to do (not published, or both files stored), BUSY when
    another worker holds the bulletin now, FAILED when rendering failed (logged; the download
    renders it instead)."""
    from zhuqi.core.imports import job_lock

    with job_lock(LOCK_SPACE, bulletin_id) as held:
        if not held:
            return BUSY
        b = (
            Bulletin.objects.select_related("region")
            .filter(pk=bulletin_id, status=Bulletin.Status.PUBLISHED)
            .first()
        )
        if b is None:
            return ""
        missing = [fmt for fmt in FORMATS if stored(b, fmt) is None]
        if not missing:
            return ""
        try:
            for fmt in missing:
                store(b, fmt, render(b, fmt))
        except Exception:  # a bug or a missing library must not fail the publication (eager mode)
            log.exception("bulletin %s: rendering its documents failed", bulletin_id)
            return FAILED
        return DONE

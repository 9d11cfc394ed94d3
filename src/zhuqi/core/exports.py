"""Excel exports of list pages, small ones at once and large ones in the background.

An app registers an export in its `exports.py`:

    @exports.register("cases.cases")
    def cases(user, params) -> exports.Export: ...

The builder reads the page's query string (`params`, a QueryDict) exactly as the list page does,
scoped to `user`, and returns an `Export`: file name, headers, the rows (lazily), how many rows
there are, what the audit entry names. It raises `PermissionDenied` when the user may not export
(checked again when the background task runs: a user whose role changed in between gets nothing).

The view answers `exports.respond(request, kind)`: up to `settings.ZHUQI_EXPORT_BACKGROUND_ROWS`
rows the file is the response, as before; more, and an `ExportJob` is queued, the user is taken
to its progress page (`core:export_job`) and told in the inbox when the file is ready. The task
(`core.tasks.run_export`) runs the builder again as that user, writes the file under
`settings.ZHUQI_EXPORT_DIR` and records the audit entry. A file holds at most
`settings.ZHUQI_EXPORT_MAX_ROWS` rows; the page and the job say when the rows were cut there.
Jobs and their files are deleted after `KEPT_DAYS` days. docs/development.md §"Exports"."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.utils.module_loading import autodiscover_modules

log = logging.getLogger(__name__)

#: days a finished job and its file are kept
KEPT_DAYS = 7
#: rows written between two progress updates of a job
PROGRESS_EVERY = 2000


@dataclass
class Export:
    """One export as its builder describes it. `rows` is consumed once; `total` is the number of
    rows it yields (before the `ZHUQI_EXPORT_MAX_ROWS` cut)."""

    filename: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    total: int
    what: str
    object_type: str = ""
    rates: Collection[int] = field(default_factory=tuple)


Builder = Callable[[Any, QueryDict], Export]

_REGISTRY: dict[str, Builder] = {}
_discovered = False


def register(kind: str) -> Callable[[Builder], Builder]:
    """Add an export builder under `kind` (use as a decorator in an app's `exports.py`)."""

    def wrap(build: Builder) -> Builder:
        known = _REGISTRY.get(kind)
        if known is not None and (known.__module__, known.__qualname__) != (
            build.__module__,
            build.__qualname__,
        ):
            raise ImproperlyConfigured(f"export kind {kind!r} is taken by {known.__qualname__}")
        _REGISTRY[kind] = build
        return build

    return wrap


def builder(kind: str) -> Builder | None:
    global _discovered
    if not _discovered:
        autodiscover_modules("exports")
        _discovered = True
    return _REGISTRY.get(kind)


def background_rows() -> int:
    from django.conf import settings

    return settings.ZHUQI_EXPORT_BACKGROUND_ROWS


def max_rows() -> int:
    from django.conf import settings

    return settings.ZHUQI_EXPORT_MAX_ROWS


def _cut(export: Export) -> tuple[Iterator[Sequence[Any]], int]:
    """The rows a file holds: the first `max_rows()` of them."""
    limit = max_rows()
    rows = iter(export.rows)
    if export.total <= limit:
        return rows, export.total
    from itertools import islice

    return islice(rows, limit), limit


def cut_message(total: int) -> str:
    """Said when a file holds fewer rows than the list has, else ''."""
    from django.utils.translation import gettext as _

    if total <= max_rows():
        return ""
    return _(
        "共 %(total)s 行，超过单个文件的上限 %(limit)s 行，只导出了前 %(limit)s 行；请缩小筛选范围后分批导出。"
    ) % {
        "total": f"{total:,}",
        "limit": f"{max_rows():,}",
    }


def _params(request_get: QueryDict) -> dict[str, list[str]]:
    return {key: request_get.getlist(key) for key in request_get if key not in {"export", "page"}}


def _query(params: dict[str, list[str]]) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, values in (params or {}).items():
        if isinstance(values, list):
            q.setlist(str(key), [str(v) for v in values])
    q._mutable = False
    return q


def respond(request, kind: str):
    """The export of what the page shows: the file now, or a queued job's progress page."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.shortcuts import redirect

    from .excel import XLSX_TYPE, file_response, write_workbook

    build = builder(kind)
    if build is None:
        raise Http404
    try:
        export = build(request.user, request.GET)
    except PermissionDenied:
        raise Http404 from None
    if export.total > background_rows():
        job = start_job(kind=kind, actor=request.user, params=_params(request.GET), export=export)
        return redirect("core:export_job", pk=job.pk)
    rows, written = _cut(export)
    content = write_workbook(export.headers, rows, rates=export.rates)
    _audit(export, written, request.user)
    return file_response(content, export.filename, XLSX_TYPE)


def _audit(export: Export, written: int, actor) -> None:
    from django.utils.translation import gettext as _

    from . import audit

    audit.record(
        "export",
        object_type=export.object_type,
        object_repr=export.what,
        changes={"rows": written},
        message=_("导出%(what)s %(n)d 行") % {"what": export.what, "n": written},
        actor=actor,
    )


# --- files -------------------------------------------------------------------------------------------


def store_dir() -> Path:
    from .excel import kept_dir

    return kept_dir("ZHUQI_EXPORT_DIR", "exports")


def file_path(token: str) -> Path | None:
    from .excel import token_file

    return token_file(store_dir(), token)


def purge_old() -> int:
    """Delete finished jobs older than KEPT_DAYS and their files; returns how many."""
    import datetime as dt

    from django.utils import timezone

    from .models import ExportJob

    old = list(
        ExportJob.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=KEPT_DAYS)).values_list(
            "pk", "token"
        )
    )
    for _pk, token in old:
        path = file_path(token)
        if path is not None:
            path.unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[pk for pk, _token in old]).delete()
    return len(old)


# --- background exports ------------------------------------------------------------------------------


def start_job(*, kind: str, actor, params: dict[str, list[str]], export: Export):
    """Queue the export for the background task; the job row is committed before a worker can
    read it (the task is sent on commit)."""
    from django.db import transaction

    from . import audit
    from .models import ExportJob
    from .tasks import run_export

    purge_old()
    job = ExportJob.objects.create(
        kind=kind,
        user=actor,
        params=params,
        what=str(export.what)[:200],
        filename=str(export.filename)[:200],
        rows_total=min(export.total, max_rows()),
        ip=audit.current().ip,
    )
    transaction.on_commit(lambda: run_export.delay(job.pk))  # in-process unless a worker is configured
    return job


#: `run_job`'s answer when another worker holds the job (the task retries later)
BUSY = "busy"


def _run_lock(job_id: int):
    """The job's lock, in the exports' own key space (core.imports.job_lock)."""
    from .imports import job_lock

    return job_lock("zhuqi.core.exports", job_id)


def _counted(rows: Iterable[Sequence[Any]], progress: Callable[[int], None]) -> Iterator[Sequence[Any]]:
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0:
            progress(done)


def run_job(job_id: int) -> str:
    """Write a queued job's file as its user, storing progress and the outcome on the job.
    Returns the final status, "" when there was nothing to do, or BUSY when another worker runs
    it now. Delivered twice (a worker killed in the middle, `CELERY_TASK_ACKS_LATE`), a job still
    marked running whose lock nobody holds is written again from the start: writing a file
    changes nothing else, and the audit entry is recorded only once the file is complete."""
    from django.core.exceptions import PermissionDenied
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from . import audit, notify
    from .excel import write_workbook
    from .models import ExportJob

    with _run_lock(job_id) as held:
        if not held:
            return BUSY
        claimable = [ExportJob.Status.QUEUED]
        if connection.vendor == "postgresql":  # the lock tells a dead run from a live one
            claimable.append(ExportJob.Status.RUNNING)
        if not ExportJob.objects.filter(pk=job_id, status__in=claimable).update(
            status=ExportJob.Status.RUNNING
        ):
            return ""
        job = ExportJob.objects.select_related("user").get(pk=job_id)

        def finish(status: str, message: str = "", written: int | None = None) -> str:
            ExportJob.objects.filter(pk=job.pk).update(
                status=status,
                message=message[:300],
                rows_done=written if written is not None else job.rows_done,
                finished_at=timezone.now(),
            )
            if status == ExportJob.Status.DONE:
                title = _("导出完成：%(what)s，%(n)s 行") % {"what": job.what, "n": f"{written:,}"}
            else:
                title = _("导出未完成：%(what)s") % {"what": job.what}
            notify.notify(
                [job.user],
                title,
                body=message,
                url=reverse("core:export_job", args=[job.pk]),
                level="info" if status == ExportJob.Status.DONE else "warning",
            )
            return status

        build = builder(job.kind)
        if build is None:
            return finish(ExportJob.Status.FAILED, _("这类导出已不可用，请回到列表页重新导出。"))
        if not job.user.is_active:
            return finish(ExportJob.Status.FAILED, _("账号已停用，未生成文件。"))
        try:
            with audit.acting_as(job.user, ip=job.ip):
                export = build(job.user, _query(job.params))
                rows, written = _cut(export)
                ExportJob.objects.filter(pk=job.pk).update(rows_total=written, rows_done=0)

                def progress(done: int) -> None:
                    ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

                content = write_workbook(export.headers, _counted(rows, progress), rates=export.rates)
                token = secrets.token_urlsafe(24)
                path = file_path(token)
                assert path is not None
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(content)
                ExportJob.objects.filter(pk=job.pk).update(token=token)
                _audit(export, written, job.user)
        except PermissionDenied:
            return finish(ExportJob.Status.FAILED, _("您已无权进行此导出。"))
        except Exception:  # a bug must not leave the job "running" for ever; the log has it
            log.exception("export job %s failed", job.pk)
            return finish(ExportJob.Status.FAILED, _("导出出错，请稍后重试或联系管理员。"))
        return finish(ExportJob.Status.DONE, cut_message(export.total), written)

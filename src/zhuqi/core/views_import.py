"""The one import flow: upload → dry-run preview → confirm the same file → all-or-nothing apply.

One set of pages for every importer registered in `zhuqi.core.imports` (core's and every app's):

* GET shows the upload form and a link to the template workbook (`import_template`);
* POST `action=preview` with a file validates everything (`dry_run=True`, strict header row) and
  shows the rows and the row-level errors. When the file is valid it is kept in a private folder
  under a random token, which is remembered in the user's session together with the file's
  SHA-256 and its row count;
* POST `action=confirm` with that token imports the very same bytes (checksum verified; another
  session, kind or token gets "预览已失效"): small files at once (`dry_run=False`, one
  transaction) showing the counts; files of `imports.background_rows()` rows or more as an
  `ImportJob` applied by a background task, whose page (`import_job`) shows its progress;
  `action=cancel` discards them.

The kept file never leaves the server and is only reachable through the session that uploaded
it; it is deleted on confirm (by the job, once applied) or cancel, and files older than
`imports.KEEP_SECONDS` are swept. Users an importer does not allow get 404 on all its pages.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import imports
from .excel import CREATE, SAME, UPDATE, Importer, RowError, megabytes, template_workbook
from .models import ImportJob

PREVIEW_ROWS = 500
PREVIEW_ERRORS = 500
SESSION_KEY = "zhuqi_imports"
MAX_PENDING = 5
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importer_class(request, kind: str) -> type[Importer]:
    cls = imports.importer_class(kind)
    if cls is None or not cls.allowed(request.user):
        raise Http404
    return cls


def _keep(request, kind: str, name: str, data: bytes, rows: int) -> str:
    token, sha256 = imports.keep_file(data)
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = {"kind": kind, "name": name[:200], "sha256": sha256, "rows": rows}
    while len(pending) > MAX_PENDING:  # oldest first (dicts keep insertion order)
        old = next(iter(pending))
        _discard(request, old, pending)
    request.session[SESSION_KEY] = pending
    return token


def _forget(request, token: str) -> dict | None:
    """Drop `token` from this session (its file stays); return what the session knew of it."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    meta = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    return meta


def _discard(request, token: str, pending: dict | None = None) -> None:
    """Forget `token` and delete its file; updates `pending` if given, else the session."""
    target = dict(request.session.get(SESSION_KEY, {})) if pending is None else pending
    if target.pop(token, None) is not None:  # only files this session kept
        imports.discard_kept(token)
    if pending is None:
        request.session[SESSION_KEY] = target


def _take(request, kind: str, token: str) -> tuple[dict | None, bytes | None]:
    """The session's record of `token` and the kept bytes, if they are the previewed ones."""
    meta = request.session.get(SESSION_KEY, {}).get(token)
    if meta is None or meta.get("kind") != kind or imports.kept_path(token) is None:
        return None, None
    return meta, imports.read_kept(token, meta.get("sha256", ""))


def _context(request, cls, **extra):
    return {
        "importer": cls,
        "kind": cls.kind,
        "title": cls.title,
        "help_lines": cls.help_lines,
        "headers": [c.header for c in cls.columns],
        "required": [c.header for c in cls.columns if c.required],
        "max_mb": megabytes(settings.ZHUQI_IMPORT_MAX_BYTES),
        "done_url": cls.done_url,
        **extra,
    }


KNOWN_ACTIONS = {CREATE: "create", UPDATE: "update", SAME: "same"}


def _action_label(row: dict) -> str:
    """A row's action for the preview: CREATE/UPDATE/SAME are msgids, other texts are translated."""
    action = row.get("_action") or ""
    return _(action) if action else ""


def _preview_context(importer: Importer, result) -> dict:
    rows = [
        {
            "row": r["_row"],
            "action": _action_label(r),
            "action_kind": KNOWN_ACTIONS.get(r.get("_action", ""), "other"),
            "note": r.get("_note", ""),
            "cells": importer.preview_cells(r),
        }
        for r in result.rows[:PREVIEW_ROWS]
    ]
    kinds = [KNOWN_ACTIONS.get(r.get("_action", ""), "other") for r in result.rows]
    return {
        "result": result,
        "preview_headers": importer.preview_headers(),
        "preview_rows": rows,
        "rows_total": len(result.rows),
        "rows_truncated": len(result.rows) > PREVIEW_ROWS,
        "errors": result.errors[:PREVIEW_ERRORS],
        "errors_total": len(result.errors),
        "errors_truncated": len(result.errors) > PREVIEW_ERRORS,
        "n_create": kinds.count("create"),
        "n_update": kinds.count("update"),
        "n_same": kinds.count("same"),
        "n_other": kinds.count("other"),
    }


def _page(request, cls, stage: str, **extra):
    return render(request, "core/import.html", _context(request, cls, stage=stage, **extra))


@login_required
def import_index(request):
    classes = imports.importers_for(request.user)
    if not classes:
        raise Http404
    return render(request, "core/import_index.html", {"importers": classes})


@login_required
def import_template(request, kind):
    cls = _importer_class(request, kind)
    content = template_workbook(cls.columns, cls.template_rows(request.user))
    response = HttpResponse(content, content_type=XLSX_TYPE)
    filename = _("%(what)s导入模板.xlsx") % {"what": cls.object_name}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def import_view(request, kind):
    cls = _importer_class(request, kind)
    if request.method != "POST":
        return _page(request, cls, "upload")

    action = request.POST.get("action", "preview")
    if action == "cancel":
        _discard(request, request.POST.get("token", ""))
        return _page(request, cls, "upload", notice=_("已取消，未导入任何数据。"))
    if action == "confirm":
        return _confirm(request, cls)

    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, cls, "upload", problem=_("请选择要导入的 Excel 文件。"))
    if upload.size > settings.ZHUQI_IMPORT_MAX_BYTES:
        problem = _("文件大小超过上限 %(n)s MB，请分批导入") % {
            "n": megabytes(settings.ZHUQI_IMPORT_MAX_BYTES)
        }
        return _page(request, cls, "upload", problem=problem)
    data = upload.read()
    importer = cls(request.user)
    result = importer.run(data, dry_run=True)
    token = _keep(request, kind, upload.name or "", data, len(result.rows)) if result.ok else ""
    large = result.ok and len(result.rows) >= imports.background_rows()
    return _page(
        request,
        cls,
        "preview",
        filename=upload.name,
        token=token,
        background=large,
        **_preview_context(importer, result),
    )


def _confirm(request, cls):
    token = request.POST.get("token", "")
    meta, data = _take(request, cls.kind, token)
    if data is None:
        _discard(request, token)
        return _page(request, cls, "upload", problem=_("预览已失效（超过 1 小时或已导入），请重新上传文件。"))
    if meta.get("rows", 0) >= imports.background_rows():
        _forget(request, token)  # the job owns the file now; it cannot be confirmed twice
        job = imports.start_job(
            kind=cls.kind,
            actor=request.user,
            token=token,
            sha256=meta["sha256"],
            filename=meta["name"],
            rows=meta.get("rows", 0),
        )
        return redirect("core:import_job", kind=cls.kind, pk=job.pk)
    importer = cls(request.user)
    try:
        result = importer.run(data, dry_run=False)
    except DatabaseError:
        result = None
    _discard(request, token)
    if result is None:
        return _page(request, cls, "upload", problem=_("保存时数据库出错，未导入任何数据，请稍后重试。"))
    if not result.ok:  # the database changed since the preview
        return _page(
            request,
            cls,
            "preview",
            filename=meta["name"],
            problem=_("数据在预览后发生了变化，未导入任何数据。请修改后重新上传。"),
            **_preview_context(importer, result),
        )
    return _page(request, cls, "done", filename=meta["name"], created=result.created, updated=result.updated)


@login_required
def import_job(request, kind, pk):
    """A background import's progress (the page refreshes itself; `?format=json` for scripts)."""
    cls = _importer_class(request, kind)
    job = get_object_or_404(ImportJob, pk=pk, kind=kind, user=request.user)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "phase": job.phase,
                "rows_total": job.rows_total,
                "rows_done": job.rows_done,
                "percent": job.percent,
                "created": job.created,
                "updated": job.updated,
                "message": job.message,
                "errors": job.errors[:PREVIEW_ERRORS],
            }
        )
    if job.status == ImportJob.Status.DONE:
        return _page(
            request, cls, "done", job=job, filename=job.filename, created=job.created, updated=job.updated
        )
    errors = [RowError(row, column, message) for row, column, message in job.errors]
    return _page(
        request,
        cls,
        "job",
        job=job,
        filename=job.filename,
        problem=job.message if job.status == ImportJob.Status.FAILED else "",
        errors=errors,
        errors_total=len(errors),
    )

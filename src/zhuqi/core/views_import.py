"""Excel import pages: upload → dry-run preview → confirm → counts.

One generic flow for every importer in `zhuqi.core.imports`:

* GET shows the upload form and a link to the template workbook;
* POST `action=preview` with a file validates everything (`dry_run=True`) and shows the rows and
  the row-level errors. When the file is valid it is kept in a private folder under a random
  token, which is remembered in the user's session together with the file's SHA-256;
* POST `action=confirm` with that token imports the very same bytes (`dry_run=False`, one
  transaction) and shows the counts; `action=cancel` discards them.

The kept file never leaves the server and is only reachable through the session that uploaded
it; it is deleted on confirm or cancel, and files older than `KEEP_SECONDS` are swept.
The folder is `settings.ZHUQI_IMPORT_DIR`, by default `<project>/var/imports`.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .excel import template_workbook
from .imports import IMPORTERS, ScopedImporter, importers_for

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
KEEP_SECONDS = 3600
PREVIEW_ROWS = 500
PREVIEW_ERRORS = 500
SESSION_KEY = "zhuqi_imports"
MAX_PENDING = 5
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importer_class(request, kind: str) -> type[ScopedImporter]:
    cls = IMPORTERS.get(kind)
    if cls is None or not cls.allowed(request.user):
        raise Http404
    return cls


def _store_dir() -> Path:
    folder = getattr(settings, "ZHUQI_IMPORT_DIR", None) or Path(settings.PROJECT_DIR) / "var" / "imports"
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for item in folder.glob("*.xlsx"):
        try:
            if item.stat().st_mtime < cutoff:
                item.unlink()
        except OSError:
            continue


def _token_path(token: str) -> Path | None:
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    return _store_dir() / f"{token}.xlsx"


def _keep(request, kind: str, name: str, data: bytes) -> str:
    folder = _store_dir()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    path = folder / f"{token}.xlsx"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = {"kind": kind, "name": name[:200], "sha256": hashlib.sha256(data).hexdigest()}
    while len(pending) > MAX_PENDING:  # oldest first (dicts keep insertion order)
        old = next(iter(pending))
        _discard(request, old, pending)
    request.session[SESSION_KEY] = pending
    return token


def _discard(request, token: str, pending: dict | None = None) -> None:
    """Forget `token` and delete its file; updates `pending` if given, else the session."""
    target = dict(request.session.get(SESSION_KEY, {})) if pending is None else pending
    if target.pop(token, None) is not None:  # only files this session kept
        path = _token_path(token)
        if path is not None:
            path.unlink(missing_ok=True)
    if pending is None:
        request.session[SESSION_KEY] = target


def _take(request, kind: str, token: str) -> tuple[dict | None, bytes | None]:
    meta = request.session.get(SESSION_KEY, {}).get(token)
    path = _token_path(token)
    if meta is None or path is None or meta.get("kind") != kind:
        return None, None
    try:
        data = path.read_bytes()
    except OSError:
        return meta, None
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        return meta, None
    return meta, data


def _context(request, cls, **extra):
    return {
        "importer": cls,
        "kind": cls.kind,
        "title": cls.title,
        "help_lines": cls.help_lines,
        "headers": [c.header for c in cls.columns],
        "required": [c.header for c in cls.columns if c.required],
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        **extra,
    }


def _preview_context(importer: ScopedImporter, result) -> dict:
    rows = [
        {
            "row": r["_row"],
            "action": r.get("_action", ""),
            "note": r.get("_note", ""),
            "cells": importer.preview_cells(r),
        }
        for r in result.rows[:PREVIEW_ROWS]
    ]
    actions = [r.get("_action", "") for r in result.rows]
    return {
        "result": result,
        "preview_headers": importer.preview_headers(),
        "preview_rows": rows,
        "rows_total": len(result.rows),
        "rows_truncated": len(result.rows) > PREVIEW_ROWS,
        "errors": result.errors[:PREVIEW_ERRORS],
        "errors_total": len(result.errors),
        "errors_truncated": len(result.errors) > PREVIEW_ERRORS,
        "n_create": actions.count("新增"),
        "n_update": actions.count("更新"),
        "n_same": actions.count("无变化"),
    }


@login_required
def import_index(request):
    classes = importers_for(request.user)
    if not classes:
        raise Http404
    return render(request, "core/import_index.html", {"importers": classes})


@login_required
def import_template(request, kind):
    cls = _importer_class(request, kind)
    content = template_workbook(cls.columns, cls.sample)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    from urllib.parse import quote

    filename = f"{cls.object_name}导入模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def import_view(request, kind):
    cls = _importer_class(request, kind)
    if request.method != "POST":
        return render(request, "core/import.html", _context(request, cls, stage="upload"))

    action = request.POST.get("action", "preview")
    if action == "cancel":
        _discard(request, request.POST.get("token", ""))
        return render(
            request,
            "core/import.html",
            _context(request, cls, stage="upload", notice=_("已取消，未导入任何数据。")),
        )

    if action == "confirm":
        token = request.POST.get("token", "")
        meta, data = _take(request, kind, token)
        if data is None:
            _discard(request, token)
            return render(
                request,
                "core/import.html",
                _context(
                    request,
                    cls,
                    stage="upload",
                    problem=_("预览已失效（超过 1 小时或已导入），请重新上传文件。"),
                ),
            )
        importer = cls(request.user)
        try:
            result = importer.run(data, dry_run=False)
        except DatabaseError:
            result = None
        _discard(request, token)
        if result is None:
            return render(
                request,
                "core/import.html",
                _context(
                    request, cls, stage="upload", problem=_("保存时数据库出错，未导入任何数据，请稍后重试。")
                ),
            )
        if not result.ok:  # the database changed since the preview
            return render(
                request,
                "core/import.html",
                _context(
                    request,
                    cls,
                    stage="preview",
                    filename=meta["name"],
                    problem=_("数据在预览后发生了变化，未导入任何数据。请修改后重新上传。"),
                    **_preview_context(importer, result),
                ),
            )
        return render(
            request,
            "core/import.html",
            _context(request, cls, stage="done", filename=meta["name"], result=result),
        )

    upload = request.FILES.get("file")
    if upload is None:
        return render(
            request,
            "core/import.html",
            _context(request, cls, stage="upload", problem=_("请选择要导入的 Excel 文件。")),
        )
    if upload.size > MAX_UPLOAD_BYTES:
        return render(
            request,
            "core/import.html",
            _context(
                request,
                cls,
                stage="upload",
                problem=_("文件超过 %(n)d MB，请分批导入。") % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)},
            ),
        )
    data = upload.read()
    importer = cls(request.user)
    result = importer.run(data, dry_run=True)
    token = _keep(request, kind, upload.name or "", data) if result.ok else ""
    return render(
        request,
        "core/import.html",
        _context(
            request,
            cls,
            stage="preview",
            filename=upload.name,
            token=token,
            **_preview_context(importer, result),
        ),
    )

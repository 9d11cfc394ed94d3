"""Background Excel exports (core.exports): the user's list of exports, a job's progress page
(refreshes itself; `?format=json` for scripts) and the download of a finished file. A job is the
user's own: anyone else gets 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render

from . import exports
from .excel import XLSX_TYPE
from .models import ExportJob


@login_required
def export_list(request):
    jobs = ExportJob.objects.filter(user=request.user).order_by("-created_at", "-id")[:50]
    return render(request, "core/export_list.html", {"jobs": jobs, "kept_days": exports.KEPT_DAYS})


@login_required
def export_job(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "rows_total": job.rows_total,
                "rows_done": job.rows_done,
                "percent": job.percent,
                "message": job.message,
            }
        )
    return render(request, "core/export_job.html", {"job": job, "kept_days": exports.KEPT_DAYS})


@login_required
def export_download(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user, status=ExportJob.Status.DONE)
    path = exports.file_path(job.token)
    if path is None or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.filename, content_type=XLSX_TYPE)

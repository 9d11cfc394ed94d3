"""Pages of bulletins (通报): the list with the draft form, a bulletin (its generated tables and
editable text), approve, publish (with a confirmation), the Word and PDF downloads."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhuqi.core import audit, permissions, sendfile
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.params import int_param, text_param, year_param

from . import bulletin_files, services, services_bulletin
from .models import Bulletin
from .views import _errors


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def _get(request, pk) -> Bulletin:
    return get_object_or_404(Bulletin.objects.visible_to(request.user).select_related("region"), pk=pk)


@login_required
def bulletin_list(request):
    _require(request, "oversight.bulletin.view")
    user = request.user
    can_draft = permissions.allowed(user, "oversight.bulletin.draft")
    if request.method == "POST":
        _require(request, "oversight.bulletin.draft")
        year, month = year_param(request.POST), int_param(request.POST, "month")
        quarter = int_param(request.POST, "quarter")
        region = services._actor_region(user)
        try:
            if request.POST.get("kind") == Bulletin.Kind.QUARTER:
                if year is None or quarter is None or region is None:
                    raise ValidationError(gettext("请选择年份和季度"))
                b = services_bulletin.draft_bulletin(region, year, actor=user, quarter=quarter)
            else:
                if year is None or month is None or region is None:
                    raise ValidationError(gettext("请选择年份和月份"))
                b = services_bulletin.draft_bulletin(region, year, month, actor=user)
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, gettext("通报草稿已生成，请修改文字后提交审核"))
            return redirect(b)
    qs = Bulletin.objects.visible_to(user).select_related("region")
    q, year = text_param(request.GET, "q", max_length=50), year_param(request.GET)
    kind = request.GET.get("kind") if request.GET.get("kind") in Bulletin.Kind.values else ""
    if q:  # the archive, searched by title, text or the number of its issued number (〔2026〕3号: 3)
        digits = re.findall(r"\d{1,6}", q, flags=re.ASCII)
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(intro__icontains=q)
            | Q(problems__icontains=q)
            | Q(requirements__icontains=q)
            | Q(number=int(digits[-1]) if digits else 0)
        )
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    this_quarter = (today.month + 2) // 3
    last_quarter = (today.year, this_quarter - 1) if this_quarter > 1 else (today.year - 1, 4)
    return render(
        request,
        "oversight/bulletin_list.html",
        {
            "page": page,
            "can_draft": can_draft,
            "default_year": last[0],
            "default_month": last[1],
            "default_quarter_year": last_quarter[0],
            "default_quarter": last_quarter[1],
            "months": range(1, 13),
            "quarters": range(1, 5),
            "kinds": Bulletin.Kind.choices,
            "q": q or "",
            "year": year or "",
            "kind": kind,
        },
    )


@login_required
def bulletin_detail(request, pk):
    _require(request, "oversight.bulletin.view")
    b = _get(request, pk)
    user = request.user
    return render(
        request,
        "oversight/bulletin_detail.html",
        {
            "b": b,
            "f": b.figures,
            "can_edit": b.status == Bulletin.Status.DRAFT
            and permissions.allowed(user, "oversight.bulletin.draft"),
            "can_approve": b.status == Bulletin.Status.DRAFT
            and permissions.allowed(user, "oversight.bulletin.approve"),
            "can_publish": b.status == Bulletin.Status.APPROVED
            and permissions.allowed(user, "oversight.bulletin.publish"),
        },
    )


def _act(request, pk, fn, done: str, **kwargs):
    b = _get(request, pk)
    try:
        fn(b, actor=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect(b)


@login_required
@require_POST
def bulletin_edit(request, pk):
    _require(request, "oversight.bulletin.draft")
    p = request.POST
    return _act(
        request,
        pk,
        services_bulletin.edit_bulletin,
        gettext("已保存"),
        title=p.get("title", ""),
        intro=p.get("intro", ""),
        problems=p.get("problems", ""),
        requirements=p.get("requirements", ""),
        addressees=p.get("addressees"),
        cc=p.get("cc"),
    )


@login_required
@require_POST
def bulletin_approve(request, pk):
    _require(request, "oversight.bulletin.approve")
    return _act(request, pk, services_bulletin.approve_bulletin, gettext("通报已审核"))


@login_required
@require_POST
def bulletin_publish(request, pk):
    _require(request, "oversight.bulletin.publish")
    if request.POST.get("confirm") != "1":
        messages.error(request, gettext("请勾选确认后再发布：通报将编发文字号并发送给各单位。"))
        return redirect(_get(request, pk))
    return _act(request, pk, services_bulletin.publish_bulletin, gettext("通报已发布"))


def _download(request, pk, fmt: str, what: str):
    """A bulletin's document: a published one's stored file (rendered once by the worker), or
    rendered now — a draft every time, a published one whose file is not stored yet once, then
    stored (oversight.bulletin_files). One audit entry a download."""
    _require(request, "oversight.bulletin.view")
    b = _get(request, pk)
    file, data = bulletin_files.ensure(b, fmt)
    name, content_type = bulletin_files.filename(b, fmt), bulletin_files.CONTENT_TYPES[fmt]
    audit.record("export", b, message=what, actor=request.user)
    if file is not None:
        response = sendfile.file_response(file, filename=name, content_type=content_type, as_attachment=True)
        response["Content-Type"] = content_type
        return response
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def bulletin_docx(request, pk):
    return _download(request, pk, bulletin_files.DOCX, gettext("下载通报 Word 文档"))


@login_required
def bulletin_pdf(request, pk):
    return _download(request, pk, bulletin_files.PDF, gettext("下载通报 PDF"))

"""Registry pages: list with search/filters/sort/export, the enterprise page, edit, import,
industries, lists (清单) and pools."""

from __future__ import annotations

import base64
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhuqi.core import audit
from zhuqi.core.excel import template_workbook, xlsx_response
from zhuqi.core.models import Region, Role
from zhuqi.core.paging import CappedPaginator

from . import selectors, services
from .forms import EnterpriseForm, ImportForm
from .importers import EnterpriseImporter, template_rows
from .models import Enterprise, EnterpriseList, ListMembership, Tier
from .sections import render_sections

IMPORT_SESSION_KEY = "zhuqi_pending_import"
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _official(request):
    if request.user.role == Role.ENTERPRISE:
        raise Http404


@login_required
def enterprise_list(request):
    _official(request)
    qs, active = selectors.filtered(request.user, request.GET)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "企业名录.xlsx",
            selectors.EXPORT_HEADERS,
            selectors.export_rows(qs),
            actor=request.user,
            what="企业名录（"
            + ("、".join(f"{k}={v}" for k, v in active.items() if k != "sort") or "全部")
            + "）",
            object_type="enterprises.enterprise",
        )
    page = CappedPaginator(qs.prefetch_related("tags"), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    context = {
        "page": page,
        "active": active,
        "q": active.get("q", ""),
        "sort": active["sort"],
        "base_query": params.urlencode(),
        "export_query": (request.GET.copy().urlencode() + "&export=xlsx").lstrip("&"),
        "regions": Region.filter_choices(request.user),
        **selectors.filter_choices(request.user),
        "tiers": Tier.choices,
        "can_edit": services.can_edit_registry(request.user),
        "columns": [
            ("name", "企业名称"),
            ("code", "统一社会信用代码"),
            ("region", "所在区划"),
            ("industry", "行业"),
            ("capital", "注册资本"),
            ("employees", "从业人数"),
        ],
    }
    return render(request, "enterprises/enterprise_list.html", context)


@login_required
def my_enterprise(request):
    membership = getattr(request.user, "enterprise_membership", None)
    if membership is None:
        raise Http404
    return redirect("enterprises:enterprise_detail", membership.enterprise_id)


@login_required
def enterprise_detail(request, pk):
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=pk)
    is_official = request.user.role != Role.ENTERPRISE
    context = {
        **selectors.profile(request.user, enterprise),
        "enterprise": enterprise,
        "places": enterprise.places(),
        "sections": render_sections(request, enterprise),
        "can_edit": services.can_edit_registry(request.user) and is_official,
        "is_official": is_official,
        "timeline": audit.timeline(enterprise) if is_official else [],
    }
    if not is_official:
        context["memberships"] = []
    return render(request, "enterprises/enterprise_detail.html", context)


def _save_enterprise(request, enterprise=None):
    if not services.can_edit_registry(request.user):
        raise Http404
    initial = {}
    if enterprise is not None:
        initial = {f: getattr(enterprise, f) for f in services.PROFILE_FIELDS}
        initial["credit_code"] = enterprise.credit_code
        initial["tags"] = list(enterprise.tags.all())
        if enterprise.registered_capital is not None:
            initial["registered_capital_wan"] = enterprise.registered_capital / 10000
    form = EnterpriseForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            if enterprise is None:
                enterprise = services.create_enterprise(actor=request.user, **kwargs)
                messages.success(request, f"已登记企业「{enterprise}」")
            else:
                enterprise = services.update_enterprise(enterprise, actor=request.user, **kwargs)
                messages.success(request, "企业信息已保存")
            return redirect("enterprises:enterprise_detail", enterprise.pk)
        except services.CreditCodeInvalid as exc:
            form.add_error("credit_code", exc.messages[0])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "enterprises/enterprise_form.html", {"form": form, "enterprise": enterprise})


@login_required
def enterprise_create(request):
    return _save_enterprise(request)


@login_required
def enterprise_edit(request, pk):
    return _save_enterprise(request, Enterprise.objects.get_visible_or_404(request.user, pk=pk))


@login_required
@require_POST
def enterprise_key(request, pk):
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=pk)
    if not services.can_edit_registry(request.user):
        raise Http404
    year = timezone.localdate().year
    key = request.POST.get("key") == "1"
    services.set_key(enterprise, year, actor=request.user, key=key)
    messages.success(request, f"已{'认定' if key else '取消'}{year}年度重点企业")
    return redirect("enterprises:enterprise_detail", pk)


# --- import ----------------------------------------------------------------------------------------
def import_flow(request, importer_cls, *, title: str, template_url: str, done_url: str, session_key: str):
    """Upload → dry-run preview with row errors → confirm applies the same bytes, all or nothing."""
    form = ImportForm()
    result = None
    pending = request.session.get(session_key)
    action = request.POST.get("action")
    if request.method == "POST" and action == "preview":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", "文件超过 5 MB，请分批导入")
            else:
                data = upload.read()
                result = importer_cls(request.user).run(data, dry_run=True)
                if result.ok:
                    request.session[session_key] = {
                        "name": upload.name,
                        "data": base64.b64encode(data).decode(),
                        "sha": hashlib.sha256(data).hexdigest(),
                    }
                else:
                    request.session.pop(session_key, None)
    elif request.method == "POST" and action == "confirm":
        if not pending:
            messages.error(request, "没有待导入的文件，请重新上传")
            return redirect(request.path)
        data = base64.b64decode(pending["data"])
        result = importer_cls(request.user).run(data, dry_run=False)
        request.session.pop(session_key, None)
        if result.applied:
            messages.success(request, f"导入完成：新增 {result.created} 条，更新 {result.updated} 条")
            return redirect(done_url)
    elif request.method == "POST" and action == "cancel":
        request.session.pop(session_key, None)
        return redirect(request.path)
    columns = [c.header for c in importer_cls.columns]
    keys = [c.key for c in importer_cls.columns]
    return render(
        request,
        "enterprises/import.html",
        {
            "form": form,
            "result": result,
            "title": title,
            "template_url": template_url,
            "headers": columns,
            "keys": keys,
            "required": [c.header for c in importer_cls.columns if c.required],
        },
    )


@login_required
def enterprise_import(request):
    if not services.can_edit_registry(request.user):
        raise Http404
    from django.urls import reverse

    return import_flow(
        request,
        EnterpriseImporter,
        title="导入企业名录",
        template_url=reverse("enterprises:import_template"),
        done_url=reverse("enterprises:enterprise_list"),
        session_key=IMPORT_SESSION_KEY,
    )


@login_required
def import_template(request):
    if not services.can_edit_registry(request.user):
        raise Http404
    content = template_workbook(EnterpriseImporter.columns, template_rows())
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''enterprise-template.xlsx"
    return response


# --- industries and lists ------------------------------------------------------------------------------
@login_required
def industry_list(request):
    _official(request)
    q = request.GET.get("q", "").strip()
    industries = selectors.industries(request.user, q)
    return render(request, "enterprises/industry_list.html", {"industries": industries, "q": q})


@login_required
def list_index(request):
    _official(request)
    return render(request, "enterprises/list_index.html", {"lists": selectors.lists(request.user)})


@login_required
def list_detail(request, pk):
    _official(request)
    lst = EnterpriseList.objects.get_visible_or_404(request.user, pk=pk)
    members = selectors.list_members(request.user, lst)
    return render(
        request,
        "enterprises/list_detail.html",
        {
            "list": lst,
            "members": members,
            "progress": lst.progress(),
            "can_edit": services.can_edit_registry(request.user),
        },
    )


@login_required
@require_POST
def list_enter(request, pk):
    lst = EnterpriseList.objects.get_visible_or_404(request.user, pk=pk)
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=request.POST.get("enterprise"))
    try:
        services.enter_list(lst, enterprise, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, f"「{enterprise}」已加入「{lst}」")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    if request.POST.get("back") == "enterprise":
        return redirect("enterprises:enterprise_detail", enterprise.pk)
    return redirect("enterprises:list_detail", pk)


@login_required
@require_POST
def membership_exit(request, pk):
    membership = ListMembership.objects.get_visible_or_404(request.user, pk=pk)
    try:
        if request.POST.get("achieved"):
            services.mark_achieved(membership, actor=request.user)
            messages.success(request, "已标记达成培育目标")
        else:
            services.exit_list(membership, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "已出库")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    return redirect("enterprises:list_detail", membership.list_id)

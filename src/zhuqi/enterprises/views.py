"""Registry pages: list with search/filters/sort/export, the enterprise page, edit, import,
industries, lists (清单) and pools."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import audit, exports, permissions
from zhuqi.core.forms import add_service_error
from zhuqi.core.models import Region
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.units import WAN
from zhuqi.core.views import archive_page, archived_list_page

from . import selectors, services
from .forms import EnterpriseForm, EnterpriseListForm
from .models import Enterprise, EnterpriseList, ListMembership, Tier
from .sections import render_sections


def _official(request):
    if not permissions.allowed(request.user, "enterprises.view"):
        raise Http404


@login_required
def enterprise_list(request):
    _official(request)
    qs, active = selectors.filtered(request.user, request.GET)
    if request.GET.get("export") == "xlsx" and permissions.allowed(request.user, "enterprises.export"):
        return exports.respond(request, "enterprises.enterprises")  # enterprises/exports.py
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    choices = selectors.filter_choices(request.user)
    page.object_list = list(page.object_list)  # the rows rendered carry their tags
    selectors.attach_tags(page.object_list, choices["tags"])
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
        **choices,
        "extra_filters": selectors.extra_filters(request.user),
        "tiers": Tier.choices,
        "can_edit": services.can_edit_registry(request.user),
        "columns": [
            ("name", _("企业名称")),
            ("code", _("统一社会信用代码")),
            ("region", _("所在区划")),
            ("industry", _("行业")),
            ("capital", _("注册资本")),
            ("employees", _("从业人数")),
        ],
    }
    return render(request, "enterprises/enterprise_list.html", context)


@login_required
def my_enterprise(request):
    if not permissions.allowed(request.user, "enterprises.view_own"):
        raise Http404
    membership = getattr(request.user, "enterprise_membership", None)
    if membership is None:
        raise Http404
    return redirect("enterprises:enterprise_detail", membership.enterprise_id)


@login_required
def enterprise_detail(request, pk):
    is_official = permissions.allowed(request.user, "enterprises.view")
    if not (is_official or permissions.allowed(request.user, "enterprises.view_own")):
        raise Http404
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=pk)
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
            initial["registered_capital_wan"] = enterprise.registered_capital / WAN
    form = EnterpriseForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            if enterprise is None:
                enterprise = services.create_enterprise(actor=request.user, **kwargs)
                messages.success(request, _("已登记企业「%(enterprise)s」") % {"enterprise": enterprise})
            else:
                enterprise = services.update_enterprise(enterprise, actor=request.user, **kwargs)
                messages.success(request, _("企业信息已保存"))
            return redirect("enterprises:enterprise_detail", enterprise.pk)
        except services.CreditCodeInvalid as exc:
            form.add_error("credit_code", exc.messages[0])
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
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
    messages.success(
        request,
        (_("已认定%(year)s年度重点企业") if key else _("已取消%(year)s年度重点企业")) % {"year": year},
    )
    return redirect("enterprises:enterprise_detail", pk)


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
    return render(
        request,
        "enterprises/list_index.html",
        {
            "lists": selectors.lists(request.user),
            "can_edit": permissions.allowed(request.user, "enterprises.lists.configure"),
        },
    )


def _list_form(request, lst=None):
    if not permissions.allowed(request.user, "enterprises.lists.configure"):
        raise Http404
    if lst is not None and not services.can_configure_list(request.user, lst):
        raise Http404
    initial = {f: getattr(lst, f) for f in services.LIST_FIELDS} if lst else {"is_active": True}
    form = EnterpriseListForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            lst = services.save_enterprise_list(lst, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errs)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存「%(name)s」") % {"name": lst.name})
            return redirect("enterprises:list_detail", lst.pk)
    return render(
        request,
        "core/config_form.html",
        {
            "form": form,
            "heading": _("编辑企业清单") if lst else _("新建企业清单或培育库"),
            "wide_fields": ["name", "description"],
            "cancel_url": reverse("enterprises:list_detail", args=[lst.pk])
            if lst
            else reverse("enterprises:list_index"),
            "history": [e for e in audit.timeline(lst)][::-1] if lst else None,
        },
    )


@login_required
def list_create(request):
    return _list_form(request)


@login_required
def list_edit(request, pk):
    return _list_form(request, EnterpriseList.objects.get_visible_or_404(request.user, pk=pk))


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
            "progress": lst.progress(request.user),
            "can_edit": services.can_edit_registry(request.user),
            "can_configure": services.can_configure_list(request.user, lst),
        },
    )


@login_required
@require_POST
def list_enter(request, pk):
    if not services.can_edit_registry(request.user):
        raise Http404
    lst = EnterpriseList.objects.get_visible_or_404(request.user, pk=pk)
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=request.POST.get("enterprise"))
    try:
        services.enter_list(lst, enterprise, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(
            request, _("「%(enterprise)s」已加入「%(lst)s」") % {"enterprise": enterprise, "lst": lst}
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    if request.POST.get("back") == "enterprise":
        return redirect("enterprises:enterprise_detail", enterprise.pk)
    return redirect("enterprises:list_detail", pk)


@login_required
@require_POST
def membership_exit(request, pk):
    if not services.can_edit_registry(request.user):
        raise Http404
    membership = ListMembership.objects.get_visible_or_404(request.user, pk=pk)
    try:
        if request.POST.get("achieved"):
            services.mark_achieved(membership, actor=request.user)
            messages.success(request, _("已标记达成培育目标"))
        else:
            services.exit_list(membership, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("已出库"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    return redirect("enterprises:list_detail", membership.list_id)


# --- archive (soft delete of a mistaken registration) -----------------------------------------------
@login_required
def enterprise_archive(request, pk):
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=pk)
    if not permissions.allowed(request.user, "enterprises.archive"):
        raise Http404
    return archive_page(
        request,
        obj=enterprise,
        heading=_("归档企业"),
        object_label=f"{enterprise.name}（{enterprise.credit_code}）",
        archive=services.archive_enterprise,
        blockers=services.archive_blockers(enterprise),
        cancel_url=reverse("enterprises:enterprise_detail", args=[enterprise.pk]),
        done_url=reverse("enterprises:enterprise_list"),
    )


@login_required
def archived_list(request):
    return archived_list_page(
        request,
        Enterprise,
        heading=_("已归档企业"),
        code_label=_("统一社会信用代码"),
        code_field="credit_code",
        restore_url_name="enterprises:enterprise_restore",
    )


@login_required
@require_POST
def enterprise_restore(request, pk):
    if not permissions.allowed(request.user, "core.archive.restore"):
        raise Http404
    enterprise = services.restore_enterprise(
        Enterprise(pk=pk), actor=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("已恢复「%(name)s」") % {"name": enterprise.name})
    return redirect("enterprises:enterprise_detail", enterprise.pk)

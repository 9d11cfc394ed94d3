"""Registry pages: list with search/filters/sort/export, the enterprise page, edit, import,
industries, lists (清单) and pools."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import audit
from zhuqi.core.excel import xlsx_response
from zhuqi.core.models import Region, Role
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.units import WAN

from . import selectors, services
from .forms import EnterpriseForm
from .models import Enterprise, EnterpriseList, ListMembership, Tier
from .sections import render_sections


def _official(request):
    if request.user.role == Role.ENTERPRISE:
        raise Http404


@login_required
def enterprise_list(request):
    _official(request)
    qs, active = selectors.filtered(request.user, request.GET)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            _("企业名录.xlsx"),
            [str(h) for h in selectors.EXPORT_HEADERS],
            selectors.export_rows(qs),
            actor=request.user,
            what=_("企业名录（%(filters)s）")
            % {"filters": "、".join(f"{k}={v}" for k, v in active.items() if k != "sort") or _("全部")},
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
            "progress": lst.progress(request.user),
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

"""Pages of the policy library: the list, documents and items (create/edit), an item's matched
enterprises and near misses, its public guide, one enterprise's explanation, and an enterprise's
own 可享政策. Rules live in `services`; reads in `selectors`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhuqi.core import permissions
from zhuqi.core.models import Region
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.params import int_param, text_param
from zhuqi.core.services import attachments_of
from zhuqi.core.units import WAN
from zhuqi.enterprises.models import Enterprise

from . import amounts, conditions, selectors, services, workflow
from .forms import ConditionRows, DocumentForm, ItemForm, condition_choices, rows_initial
from .models import Application, Kind, PolicyItem


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def _errors(request, form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            target = field if field in form.fields else None
            for m in errs:
                form.add_error(target, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


@login_required
def item_list(request):
    _require(request, "policies.view")
    user = request.user
    qs = selectors.items_for(user).order_by("-document__issued_on", "-pk")
    kind = text_param(request.GET, "kind", max_length=20)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    q = text_param(request.GET, "q", max_length=50)
    if q:
        qs = qs.filter(title__icontains=q) | qs.filter(document__title__icontains=q)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/item_list.html",
        {
            "page": page,
            "kinds": Kind.choices,
            "kind": kind,
            "q": q,
            "documents": selectors.documents_for(user)[:20],
            "overdue": list(selectors.overdue_documents(user)[:20]),
            "listing_days": selectors.LISTING_DAYS,
            "can_manage": permissions.allowed(user, "policies.manage"),
        },
    )


@login_required
def document_form(request, pk=None):
    _require(request, "policies.manage")
    user = request.user
    document = selectors.documents_for(user).get_visible_or_404(user, pk=pk) if pk else None
    if document is not None and not services.can_manage_document(user, document):
        raise Http404
    initial = {}
    if document is not None:
        initial = {f: getattr(document, f) for f in services.DOCUMENT_FIELDS}
    form = DocumentForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.save_document(document, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, form, exc)
        else:
            messages.success(request, gettext("政策文件已保存"))
            return redirect("policies:document_detail", document.pk)
    return render(request, "policies/document_form.html", {"form": form, "document": document})


@login_required
def document_detail(request, pk):
    _require(request, "policies.view")
    user = request.user
    document = selectors.documents_for(user).get_visible_or_404(user, pk=pk)
    return render(
        request,
        "policies/document_detail.html",
        {
            "document": document,
            "items": selectors.items_for(user).filter(document=document),
            "can_manage": services.can_manage_document(user, document),
            "attachments": attachments_of(document, user),
            "target_label": "policies.policydocument",
            "target": document,
        },
    )


@login_required
def item_form(request, document_pk=None, pk=None):
    _require(request, "policies.manage")
    user = request.user
    item = document = None
    if pk:
        item = selectors.item_for(user, pk)
        if not services.can_manage(user, item):
            raise Http404
        document = item.document
    else:
        document = selectors.documents_for(user).get_visible_or_404(user, pk=document_pk)
        if not services.can_manage_document(user, document):
            raise Http404
    choices = condition_choices()
    if item is not None:
        initial = ItemForm.initial_of(item)
        joiner, rows, flat = rows_initial(item.conditions)
        initial["joiner"] = joiner
    else:
        initial = {
            "data_year": timezone.localdate().year - 1,
            "limit_days": 60,
            "department": getattr(user, "department_id", None),
        }
        rows, flat = [], True
    form = ItemForm(request.POST or None, user=user, initial=initial)
    rows_formset = ConditionRows(
        request.POST or None,
        prefix="c",
        initial=rows + [{} for _ in range(3 if item else 5)],
        form_kwargs={"choices": choices},
    )
    if request.method == "POST" and form.is_valid() and rows_formset.is_valid():
        try:
            data = dict(form.cleaned_data)
            leaves = []
            for n, row in enumerate(rows_formset.forms, start=1):
                try:
                    leaf = row.leaf()
                except ValidationError as exc:
                    raise ValidationError(
                        {"conditions": gettext("第 %(n)s 行：%(m)s") % {"n": n, "m": exc.messages[0]}}
                    ) from exc
                if leaf is not None:
                    leaves.append({"not": leaf} if row.cleaned_data.get("negate") else leaf)
            if flat:
                data["conditions"] = {data["joiner"]: leaves} if leaves else {}
            data["amount_rule"] = form.amount_rule()
            data["budget"] = data["budget_wan"] * WAN if data.get("budget_wan") is not None else None
            item = services.save_item(item, actor=user, document=document, **data)
        except ValidationError as exc:
            _errors(request, form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("政策事项已保存"))
            return redirect("policies:item_detail", item.pk)
    return render(
        request,
        "policies/item_form.html",
        {"form": form, "rows": rows_formset, "item": item, "document": document, "flat": flat},
    )


@login_required
def item_detail(request, pk):
    _require(request, "policies.view")
    user = request.user
    item = selectors.item_for(user, pk)
    base = Enterprise.objects.visible_to(user)
    tab = "near" if request.GET.get("tab") == "near" else "matched"
    if tab == "near":
        qs = selectors.near_misses(item, base).select_related("region").order_by("name", "pk")
    else:
        qs = selectors.matched(item, base).select_related("region").order_by("name", "pk")
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    texts = selectors.part_texts(item) if tab == "near" else []
    rows = [(e, selectors.missing_part(item, e, texts) if tab == "near" else []) for e in page]
    return render(
        request,
        "policies/item_detail.html",
        {
            "item": item,
            "page": page,
            "rows": rows,
            "tab": tab,
            "conditions": conditions.describe(item.conditions),
            "amount": amounts.describe(item.amount_rule),
            "can_manage": services.can_manage(user, item),
            "can_push": permissions.allowed(user, "policies.push") and services.can_manage(user, item),
            "can_review": permissions.allowed(user, "policies.review") and services.can_manage(user, item),
            "approved_waiting": Application.objects.filter(
                item=item, status=Application.Status.APPROVED
            ).count(),
        },
    )


@login_required
def item_guide(request, pk):
    _require(request, "policies.guide")
    item = selectors.item_for(request.user, pk)
    if item.status != PolicyItem.Status.PUBLISHED and not services.can_manage(request.user, item):
        raise Http404
    return render(
        request,
        "policies/item_guide.html",
        {
            "item": item,
            "conditions": conditions.describe(item.conditions),
            "amount": amounts.describe(item.amount_rule),
            "officials": permissions.allowed(request.user, "policies.view"),
        },
    )


@login_required
def item_explain(request, pk, enterprise_pk):
    user = request.user
    if permissions.allowed(user, "policies.view"):
        enterprise = Enterprise.objects.get_visible_or_404(user, pk=enterprise_pk)
    elif permissions.allowed(user, "policies.own"):
        enterprise = selectors.own_enterprise(user)
        if enterprise.pk != enterprise_pk:
            raise Http404
    else:
        raise Http404
    item = selectors.item_for(user, pk)
    return render(
        request,
        "policies/item_explain.html",
        {"item": item, "enterprise": enterprise, "entry": selectors.explain(item, enterprise)},
    )


@login_required
def mine(request):
    _require(request, "policies.own")
    enterprise = selectors.own_enterprise(request.user)
    qualifies, nearly = selectors.not_yet_applied(enterprise)
    services.mark_read(enterprise, [e.item.pk for e in qualifies])
    return render(
        request,
        "policies/mine.html",
        {
            "enterprise": enterprise,
            "qualifies": qualifies,
            "nearly": nearly,
            "can_apply": permissions.allowed(request.user, "policies.apply"),
        },
    )


@login_required
@require_POST
def item_push(request, pk):
    _require(request, "policies.push")
    item = selectors.item_for(request.user, pk)
    if not services.can_manage(request.user, item):
        raise Http404
    try:
        n = services.push_item(item, actor=request.user)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, gettext("已推送给 %(n)s 家新符合条件的企业") % {"n": n})
    return redirect("policies:item_detail", item.pk)


@login_required
@require_POST
def item_apply(request, pk):
    _require(request, "policies.apply")
    item = selectors.item_for(request.user, pk)
    try:
        application = services.apply_item(item, actor=request.user)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("policies:mine")
    messages.success(request, gettext("已提交申报"))
    return redirect("policies:application_detail", application.pk)


def _managed_item(request, pk) -> PolicyItem:
    _require(request, "policies.review")
    item = selectors.item_for(request.user, pk)
    if not services.can_manage(request.user, item):
        raise Http404
    return item


@login_required
@require_POST
def item_grant(request, pk):
    """免申即享: the department confirms the matched list; each enterprise gets an approved claim."""
    item = _managed_item(request, pk)
    try:
        n = services.grant_automatic(item, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        for m in getattr(exc, "messages", [str(exc)]):
            messages.error(request, m)
    else:
        messages.success(request, gettext("已核定 %(n)s 家企业，请公示") % {"n": n})
    return redirect("policies:item_detail", item.pk)


@login_required
@require_POST
def item_publicise(request, pk):
    """公示: every approved claim of the item goes on the public list."""
    item = _managed_item(request, pk)
    try:
        n = services.publicise_item(item, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        for m in getattr(exc, "messages", [str(exc)]):
            messages.error(request, m)
    else:
        messages.success(request, gettext("已公示 %(n)s 家企业") % {"n": n})
    return redirect("policies:item_publicity", item.pk)


@login_required
def item_publicity(request, pk):
    """The 公示 list of an item: who is to be paid how much, until when objections are heard.
    Public by design (everyone signed in, enterprises included): names and amounts only."""
    _require(request, "policies.guide")
    item = selectors.item_for(request.user, pk)
    if item.status == PolicyItem.Status.DRAFT and not services.can_manage(request.user, item):
        raise Http404
    rows = selectors.publicity(item)
    return render(request, "policies/item_publicity.html", {"item": item, "rows": rows})


@login_required
def application_list(request):
    if not (
        permissions.allowed(request.user, "policies.view")
        or permissions.allowed(request.user, "policies.own")
    ):
        raise Http404
    qs = selectors.applications_for(request.user)
    status = text_param(request.GET, "status", max_length=12)
    if status in Application.Status.values:
        qs = qs.filter(status=status)
    item_id = int_param(request.GET, "item")
    if item_id:
        qs = qs.filter(item_id=item_id)
    if region_id := int_param(request.GET, "region"):  # a region's enterprises (the cockpit's drill-down)
        region = Region.objects.visible_to(request.user).filter(pk=region_id).first()
        if region is None:
            raise Http404
        qs = qs.filter(enterprise__region_path__startswith=region.path)
    department_id = int_param(request.GET, "department")
    if department_id:  # the money-by-department table's drill-down
        qs = qs.filter(item__department_id=department_id)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/application_list.html",
        {"page": page, "statuses": Application.Status.choices, "status": status},
    )


@login_required
def application_detail(request, pk):
    application = selectors.applications_for(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    S = Application.Status
    is_enterprise = permissions.allowed(request.user, "policies.apply")
    return render(
        request,
        "policies/application_detail.html",
        {
            "application": application,
            "actions": workflow.allowed_actions(application, request.user),
            "labels": ACTION_LABELS,
            "can_complain": is_enterprise,
            "can_confirm_account": is_enterprise
            and application.status in (S.APPLIED, S.RETURNED, S.APPROVED, S.PUBLICISED),
            "attachments": attachments_of(application, request.user),
            "target_label": "policies.application",
            "target": application,
        },
    )


@login_required
@require_POST
def application_account(request, pk):
    """确认收款账户: the enterprise's account its money is paid to."""
    application = selectors.applications_for(request.user).filter(pk=pk).first()
    if application is None or not permissions.allowed(request.user, "policies.apply"):
        raise Http404
    try:
        services.confirm_account(
            application,
            bank_name=text_param(request.POST, "bank_name", max_length=200) or "",
            bank_account=text_param(request.POST, "bank_account", max_length=100) or "",
            actor=request.user,
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, gettext("收款账户已确认"))
    return redirect("policies:application_detail", application.pk)


@login_required
@require_POST
def application_complain(request, pk):
    """反映兑现问题: the enterprise's complaint about this claim becomes a 诉求 (channel 政策兑现)."""
    application = selectors.applications_for(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    try:
        case = services.complain(
            application, text=text_param(request.POST, "text", max_length=1000) or "", actor=request.user
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("policies:application_detail", application.pk)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("policies:application_detail", application.pk)
    messages.success(request, gettext("已转为诉求 %(no)s，将按诉求办理并答复") % {"no": case.no})
    return redirect("cases:detail", case.pk)


ACTION_LABELS = {
    "return": _("退回补正"),
    "resubmit": _("补正后重新提交"),
    "approve": _("核准"),
    "publicise": _("公示"),
    "pay": _("登记兑现"),
    "refuse": _("不予兑现"),
    "clawback": _("追回"),
}


@login_required
@require_POST
def application_fire(request, pk, action):
    application = selectors.applications_for(request.user).filter(pk=pk).first()
    if application is None or action not in workflow.TRANSITIONS:
        raise Http404
    if not workflow.allowed(action, application, request.user):
        raise Http404
    try:
        services.fire(
            application,
            action,
            actor=request.user,
            reason=text_param(request.POST, "reason", max_length=300) or "",
            voucher=text_param(request.POST, "voucher", max_length=60) or "",
            amount=text_param(request.POST, "amount", max_length=40) or None,
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("已办理"))
    return redirect("policies:application_detail", application.pk)


@login_required
def figures(request):
    """Fulfilment per item (docs/policies.md §7); `?export=1` downloads the same table."""
    _require(request, "policies.view")
    from zhuqi.core.excel import xlsx_response

    from .figures import item_figures

    rows = item_figures(request.user, selectors.items_for(request.user).order_by("-pk")[:200])
    if request.GET.get("export"):
        headers = [
            gettext("事项"),
            gettext("责任部门"),
            gettext("已推送"),
            gettext("已阅读"),
            gettext("已申报"),
            gettext("已核准"),
            gettext("已兑现"),
            gettext("已追回"),
            gettext("兑现金额（元）"),
            gettext("按期兑现率（%）"),
            gettext("平均兑现用时（工作日）"),
        ]
        data = [
            [
                r.item.title,
                r.item.department.name,
                r.pushed,
                r.read,
                r.counts.get("applied", 0),
                r.counts.get("approved", 0),
                r.counts.get("paid", 0),
                r.counts.get("clawed_back", 0),
                r.amount_paid,
                r.on_time_rate,
                r.average_days,
            ]
            for r in rows
        ]
        return xlsx_response(
            "policy-figures.xlsx", headers, data, actor=request.user, what=gettext("政策兑现统计")
        )
    from .figures import money_by_department, money_by_enterprise, money_by_region

    return render(
        request,
        "policies/figures.html",
        {
            "rows": rows,
            "by_enterprise": money_by_enterprise(request.user),
            "by_region": money_by_region(request.user),
            "by_department": money_by_department(request.user),
        },
    )

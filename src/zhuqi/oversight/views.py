"""Pages of the oversight app: 督查's queue, the item list (a department sees the items
addressed to it), a new item, an item's page with its actions. Rules live in `services` and
`workflow`; reads in `selectors`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhuqi.core import permissions
from zhuqi.core.models import Region
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.params import date_param, int_param, text_param

from . import selectors, services, sweep, workflow
from .forms import ExtensionForm, ItemForm, ReplyForm
from .models import Extension, Item, ListKind, Slip, Source, Status


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def _errors(request, exc: ValidationError | PermissionDenied) -> None:
    for m in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, m)


@login_required
def queue(request):
    """督查's queue: red and orange first, then the replies to review and the extension requests."""
    _require(request, "oversight.queue")
    user = request.user
    page = CappedPaginator(selectors.queue(user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/queue.html",
        {
            "page": page,
            "counts": selectors.queue_counts(user),
            "review": selectors.to_review(user)[:20],
            "extensions": selectors.pending_extensions(user)[:20],
            "can_create": permissions.allowed(user, "oversight.item.create"),
            "can_import": permissions.allowed(user, "oversight.import"),
        },
    )


@login_required
def item_list(request):
    _require(request, "oversight.view")
    user = request.user
    status = text_param(request.GET, "status", max_length=16) or "open"
    slip = int_param(request.GET, "slip")
    list_kind = text_param(request.GET, "list", max_length=20) or ""
    q = text_param(request.GET, "q", max_length=50) or ""
    region = None
    if region_id := int_param(request.GET, "region"):
        region = Region.objects.visible_to(user).filter(pk=region_id).first()
        if region is None:
            raise Http404
    qs = selectors.items_for(
        user,
        status=status,
        slip=slip,
        list_kind=list_kind,
        q=q,
        region=region,
        department=int_param(request.GET, "department"),
        due_from=date_param(request.GET, "due_from"),
        due_to=date_param(request.GET, "due_to"),
    )
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/item_list.html",
        {
            "page": page,
            "status": status,
            "slip": slip,
            "list_kind": list_kind,
            "q": q,
            "statuses": [("open", gettext("未办结")), ("queue", gettext("办理中和待审核")), *Status.choices],
            "slips": Slip.choices,
            "lists": ListKind.choices,
            "can_create": permissions.allowed(user, "oversight.item.create"),
            "can_import": permissions.allowed(user, "oversight.import"),
        },
    )


def _source_object(user, source: str, ref: str):
    """The case (by its number), project (by its code) or breached 履约 obligation (by its number)
    an item comes from, within scope, or the lagging indicator (by its code or name)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    if source == Source.CASE:
        from zhuqi.cases.models import Case

        obj = Case.objects.visible_to(user).filter(no=ref).first()
    elif source == Source.PROJECT:
        from zhuqi.projects.models import Project

        obj = Project.objects.visible_to(user).filter(code=ref).first()
    elif source == Source.INDICATOR:
        from django.db.models import Q

        from zhuqi.indicators.models import Indicator  # reference data every official reads

        obj = Indicator.objects.filter(Q(code=ref) | Q(name=ref)).first()
    elif source == Source.OBLIGATION:
        from zhuqi.attraction.models import Obligation
        from zhuqi.attraction.services import breached_q

        obj = (
            Obligation.objects.visible_to(user).select_related("contract__lead").filter(pk=ref).first()
            if ref.isdigit()
            else None
        )
        if (
            obj is not None
            and not Obligation.objects.filter(breached_q(timezone.localdate()), pk=obj.pk).exists()
        ):
            raise ValidationError(
                {"source_ref": gettext("该履约事项未过约定期限或已履约，不能立为违约督办事项")}
            )
    else:
        raise ValidationError(
            {"source_ref": gettext("只有超时诉求、滞后项目、滞后指标和违约项目可以填写关联编号")}
        )
    if obj is None:
        raise ValidationError({"source_ref": gettext("找不到编号为「%(ref)s」的记录") % {"ref": ref}})
    return obj


@login_required
def item_new(request):
    _require(request, "oversight.item.create")
    user = request.user
    initial = {}
    source = text_param(request.GET, "source", max_length=16)
    if source in Source.values:  # 立为督办事项 from another page: ?source=case&ref=<number>&title=…
        initial = {
            "source": source,
            "source_ref": text_param(request.GET, "ref", max_length=40),
            "title": text_param(request.GET, "title", max_length=200),
        }
    form = ItemForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.create_item(
                actor=user,
                title=d["title"],
                requirement=d["requirement"],
                source=d["source"],
                source_text=d["source_text"],
                source_object=_source_object(user, d["source"], d["source_ref"]),
                lead_department=d["lead_department"],
                assisting=list(d["assisting_departments"]),
                working_days=d["working_days"],
                priority=d["priority"],
                report_frequency=d["report_frequency"],
                list_kind=d["list_kind"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errs in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errs)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, gettext("督办事项已交办"))
            return redirect(item)
    return render(request, "oversight/item_form.html", {"form": form})


def _source_link(item: Item, user) -> tuple[str, str] | None:
    obj = item.source_object if item.source_type_id else None
    if obj is None:
        return None
    manager = getattr(type(obj), "objects", None)
    if manager is None or not hasattr(manager, "visible_to"):
        return str(obj), ""
    visible = manager.visible_to(user).filter(pk=obj.pk).exists()
    url = obj.get_absolute_url() if visible and hasattr(obj, "get_absolute_url") else ""
    return str(obj), url


@login_required
def item_detail(request, pk):
    _require(request, "oversight.view")
    user = request.user
    item = get_object_or_404(
        Item.objects.visible_to(user).select_related("region", "lead_department", "created_by"), pk=pk
    )
    today = timezone.localdate()
    is_lead = workflow.is_lead(user, item)
    return render(
        request,
        "oversight/item_detail.html",
        {
            "item": item,
            "assisting": list(item.assisting_departments.all()),
            "reports": item.reports.select_related("by"),
            "extensions": item.extensions.select_related("requested_by", "decided_by"),
            "slips": item.slips.all(),
            "source_link": _source_link(item, user),
            "elapsed": sweep.elapsed(item.assigned_on, item.due_on, today),
            "light": sweep.light(item, today),
            "actions": workflow.allowed_actions(item, user),
            "is_lead": is_lead and item.status == Status.ASSIGNED,
            "can_extend": is_lead and item.status == Status.ASSIGNED and today <= item.due_on,
            "is_overseer": workflow.is_overseer(user, item),
            "reply_form": ReplyForm(),
            "extension_form": ExtensionForm(),
        },
    )


def _visible_item(request, pk) -> Item:
    return get_object_or_404(Item.objects.visible_to(request.user), pk=pk)


@login_required
@require_POST
def item_fire(request, pk):
    _require(request, "oversight.view")
    item = _visible_item(request, pk)
    action = text_param(request.POST, "action", max_length=20) or ""
    try:
        services.fire(
            item,
            action,
            actor=request.user,
            body=request.POST.get("body", ""),
            progress_pct=request.POST.get("progress_pct"),
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        done = {
            "reply": gettext("已回复，等待督查审核"),
            "accept": gettext("已审核认定"),
            "return": gettext("已退回牵头单位重办"),
            "close": gettext("已销号"),
            "cancel": gettext("已撤销"),
        }
        messages.success(request, done.get(action, gettext("已办理")))
    return redirect(item)


@login_required
@require_POST
def item_progress(request, pk):
    _require(request, "oversight.item.reply")
    item = _visible_item(request, pk)
    try:
        services.report_progress(
            item,
            actor=request.user,
            body=request.POST.get("body", ""),
            progress_pct=request.POST.get("progress_pct"),
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("进展已报送"))
    return redirect(item)


@login_required
@require_POST
def item_extension(request, pk):
    _require(request, "oversight.item.reply")
    item = _visible_item(request, pk)
    form = ExtensionForm(request.POST)
    new_due = form.cleaned_data.get("new_due_on") if form.is_valid() else None
    try:
        services.request_extension(
            item, actor=request.user, reason=request.POST.get("reason", ""), new_due_on=new_due
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("延期申请已提交"))
    return redirect(item)


@login_required
@require_POST
def extension_decide(request, pk):
    _require(request, "oversight.item.review")
    ext = get_object_or_404(
        Extension.objects.filter(item__in=Item.objects.visible_to(request.user).values("pk")), pk=pk
    )
    try:
        services.decide_extension(
            ext,
            actor=request.user,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("已审批"))
    return redirect(ext.item)

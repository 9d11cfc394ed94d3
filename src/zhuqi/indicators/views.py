"""Pages of the indicators: an enterprise's returns (填报) and an official's entry on its behalf,
the forms with their completeness board (报送情况, 催报), approvals and unlock requests."""

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
from zhuqi.core.params import int_list, int_param, text_param
from zhuqi.core.scope import scope_for
from zhuqi.enterprises.models import Enterprise

from . import selectors, services
from .models import Approval, DataSet, Source, UnlockRequest
from .periods import Period


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def _period(dataset: DataSet, code: str | None) -> Period:
    if code:
        try:
            p = Period.parse(code)
        except ValidationError:
            raise Http404 from None
        if p.type != dataset.period_type:
            raise Http404
        return p
    return selectors.current_period(dataset)


def _dataset(request, pk) -> DataSet:
    return DataSet.objects.get_visible_or_404(request.user, pk=pk)


# --- the enterprise's returns --------------------------------------------------------------------------


@login_required
def my_returns(request):
    """An enterprise user's forms and their recent periods (to fill, submitted, late)."""
    _require(request, "indicators.report")
    membership = getattr(request.user, "enterprise_membership", None)
    if membership is None:
        raise Http404
    return render(
        request,
        "indicators/my_returns.html",
        {"enterprise": membership.enterprise, "forms": selectors.returns_of(membership.enterprise)},
    )


@login_required
def return_form(request, dataset_pk: int, period: str, enterprise_pk: int):
    """Fill one return: the enterprise itself (portal) or an official on its behalf."""
    if not (
        permissions.allowed(request.user, "indicators.report")
        or permissions.allowed(request.user, "indicators.enter")
    ):
        raise Http404
    dataset = _dataset(request, dataset_pk)
    p = _period(dataset, period)
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=enterprise_pk)
    if not services.expected_enterprises(dataset, p.year).filter(pk=enterprise.pk).exists() or dataset.skips(
        p
    ):
        raise Http404
    items = list(dataset.items.select_related("indicator"))
    known = selectors.return_values(enterprise, dataset, p)
    report = dataset.reports.filter(period=p.code, enterprise=enterprise).first()
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    locked = services.is_locked(dataset, p, enterprise)
    if request.method == "POST":
        figures: dict[int, dict] = {}
        for item in items:
            ind = item.indicator
            raw = text_param(request.POST, f"v_{ind.pk}", max_length=40)
            note = text_param(request.POST, f"note_{ind.pk}", max_length=300)
            posted[f"v_{ind.pk}"], posted[f"note_{ind.pk}"] = raw, note
            try:
                amount = services.parse_amount(raw, ind.name)
            except ValidationError as exc:
                errors[str(ind.pk)] = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
                continue
            if amount is None:
                continue
            key = "cumulative" if (ind.cumulative or ind.aggregation != "sum") else "value"
            figures[ind.pk] = {key: amount, "explanation": note}
        if not errors:
            source = (
                Source.PORTAL if permissions.allowed(request.user, "indicators.report") else Source.BEHALF
            )
            try:
                services.submit_return(dataset, enterprise, p, figures, actor=request.user, source=source)
            except services.ValueErrors as exc:
                by_name = {i.indicator.name: str(i.indicator_id) for i in items}
                for row, col, msg in exc.rows:
                    errors[by_name.get(row, "form")] = f"{col}：{msg}" if col else msg
            except ValidationError as exc:
                by_code = {i.indicator.code: str(i.indicator_id) for i in items}
                for key, msgs in exc.message_dict.items():
                    errors[by_code.get(key, "form")] = "；".join(msgs)
            except PermissionDenied as exc:
                errors["form"] = str(exc) or gettext("您不能填报该报表")
            else:
                messages.success(
                    request,
                    gettext("已报送 %(p)s %(d)s") % {"p": p.label(dataset.merge_jan_feb), "d": dataset.name},
                )
                if permissions.allowed(request.user, "indicators.report"):
                    return redirect("indicators:my_returns")
                return redirect(f"{_url('indicators:dataset_detail', dataset.pk)}?period={p.code}")
    rows = []
    for item in items:
        ind = item.indicator
        k = known.get(ind.pk, {})
        now, prev, ly = k.get("now"), k.get("prev"), k.get("last_year")
        shows_cum = ind.cumulative or ind.aggregation != "sum"
        current = getattr(now, "cumulative" if shows_cum else "value", None)
        rows.append(
            {
                "indicator": ind,
                "required": item.required,
                "cumulative": shows_cum,
                "value": posted.get(f"v_{ind.pk}", "" if current is None else _plain(current)),
                "note": posted.get(f"note_{ind.pk}", getattr(now, "explanation", "")),
                "prev": getattr(prev, "cumulative" if shows_cum else "value", None),
                "last_year": getattr(ly, "cumulative" if shows_cum else "value", None),
                "flags": now.flag_list if now else [],
                "error": errors.get(str(ind.pk)),
            }
        )
    return render(
        request,
        "indicators/return_form.html",
        {
            "dataset": dataset,
            "period": p,
            "period_label": p.label(dataset.merge_jan_feb),
            "enterprise": enterprise,
            "rows": rows,
            "report": report,
            "due": services.due_on(dataset, p),
            "late_now": timezone.localdate() > services.due_on(dataset, p),
            "locked": locked,
            "form_error": errors.get("form"),
            "prev_label": p.previous().label(dataset.merge_jan_feb),
            "last_year_label": p.last_year().label(dataset.merge_jan_feb),
        },
    )


def _plain(d) -> str:
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _url(name, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


# --- forms and the completeness board -------------------------------------------------------------------


@login_required
def dataset_list(request):
    _require(request, "indicators.view")
    rows = []
    for ds in selectors.datasets_for(request.user):
        p = selectors.current_period(ds)
        total, _children = selectors.completeness(ds, p, request.user)
        rows.append(
            {
                "dataset": ds,
                "period": p,
                "label": p.label(ds.merge_jan_feb),
                "total": total,
                "due": services.due_on(ds, p),
            }
        )
    return render(request, "indicators/dataset_list.html", {"rows": rows})


@login_required
def dataset_detail(request, pk: int):
    """报送情况: expected, submitted, on time, late and missing by region, with the rows behind
    each number (?show=missing|late|on_time|submitted) and 催报."""
    _require(request, "indicators.view")
    ds = _dataset(request, pk)
    p = _period(ds, request.GET.get("period"))
    total, children = selectors.completeness(ds, p, request.user)
    show = request.GET.get("show", "missing")
    region_id = int_param(request.GET, "region")
    region = Region.objects.visible_to(request.user).filter(pk=region_id).first() if region_id else None
    if show == "missing":
        listed = selectors.missing_enterprises(ds, p, request.user)
    else:
        late = {"late": True, "on_time": False}.get(show)
        listed = selectors.reports_for(ds, p, request.user, late=late)
    if region is not None:
        listed = listed.filter(region_path__startswith=region.path)
    due = services.due_on(ds, p)
    return render(
        request,
        "indicators/dataset_detail.html",
        {
            "dataset": ds,
            "period": p,
            "period_label": p.label(ds.merge_jan_feb),
            "periods": [(x, x.label(ds.merge_jan_feb)) for x in selectors.recent_periods(ds, 12)],
            "total": total,
            "children": children,
            "show": show,
            "region": region,
            "listed": listed[:500],
            "due": due,
            "past_due": timezone.localdate() > due,
            "can_remind": permissions.allowed(request.user, "indicators.remind"),
            "can_enter": permissions.allowed(request.user, "indicators.enter"),
        },
    )


@login_required
@require_POST
def remind(request, pk: int):
    _require(request, "indicators.remind")
    ds = _dataset(request, pk)
    p = _period(ds, request.POST.get("period"))
    ids = int_list(request.POST.getlist("enterprise")) or None
    n, unreachable = services.remind_missing(ds, p, actor=request.user, enterprise_ids=ids)
    if n:
        messages.success(request, gettext("已向 %(n)s 家未报企业及其包抓干部发出催报") % {"n": n})
    if unreachable:
        messages.warning(
            request,
            gettext("%(names)s 没有企业账号，也没有包抓干部，无法催报：请电话联系或代为填报")
            % {"names": "、".join(unreachable[:10]) + ("…" if len(unreachable) > 10 else "")},
        )
    if not n and not unreachable:
        messages.info(request, gettext("没有需要催报的企业"))
    return redirect(f"{_url('indicators:dataset_detail', ds.pk)}?period={p.code}")


# --- approvals --------------------------------------------------------------------------------------------


@login_required
def approvals(request):
    """审核: per form and recent period, the viewer's region's approval and its child regions'
    (bottom-up), the approve button, unlock requests to make and to decide."""
    _require(request, "indicators.view")
    s = scope_for(request.user)
    own = getattr(request.user, "region", None) or getattr(
        getattr(request.user, "department", None), "region", None
    )
    blocks = []
    for ds in selectors.datasets_for(request.user):
        region = own if own is not None and own.path.startswith(ds.region.path) else ds.region
        if not s.is_admin and (own is None or not region.path.startswith(s.region_path or "\0")):
            continue
        periods = selectors.recent_periods(ds, 6)
        children = list(Region.objects.filter(parent=region, is_active=True).order_by("code"))
        found = selectors.approvals_for(request.user, ds, periods)
        pending_ids = set(
            UnlockRequest.objects.filter(
                approval__in=[a.pk for a in found.values()], status=UnlockRequest.Status.PENDING
            ).values_list("approval_id", flat=True)
        )
        rows = []
        for p in periods:
            mine = found.get((p.code, region.pk))
            due, missing = (
                services.still_reporting(ds, p, region)
                if mine is None or mine.status != mine.Status.APPROVED
                else (None, 0)
            )
            rows.append(
                {
                    "period": p,
                    "label": p.label(ds.merge_jan_feb),
                    "approval": mine,
                    "children": [(c, found.get((p.code, c.pk))) for c in children],
                    "pending": mine is not None and mine.pk in pending_ids,
                    "due": due,
                    "still_missing": missing,
                }
            )
        blocks.append({"dataset": ds, "region": region, "rows": rows})
    pending = [
        (r, services.can_decide_unlock(request.user, r.approval))
        for r in selectors.pending_unlocks(request.user)
    ]
    return render(
        request,
        "indicators/approvals.html",
        {
            "blocks": blocks,
            "pending": pending,
            "can_approve": permissions.allowed(request.user, "indicators.approve"),
            "can_request": permissions.allowed(request.user, "indicators.unlock.request"),
        },
    )


def _back(request):
    return redirect("indicators:approvals")


def _flash_error(request, exc) -> None:
    if isinstance(exc, ValidationError):
        text = (
            "；".join(m for msgs in exc.message_dict.values() for m in msgs)
            if hasattr(exc, "error_dict")
            else "；".join(exc.messages)
        )
    else:
        text = str(exc)
    messages.error(request, text)


@login_required
@require_POST
def approve(request, pk: int):
    _require(request, "indicators.approve")
    ds = _dataset(request, pk)
    p = _period(ds, request.POST.get("period"))
    region = get_object_or_404(
        Region.objects.visible_to(request.user), pk=int_param(request.POST, "region") or 0
    )
    try:
        services.approve_period(ds, p, region, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _flash_error(request, exc)
    else:
        messages.success(
            request, gettext("已审核锁定 %(r)s %(p)s") % {"r": region.name, "p": p.label(ds.merge_jan_feb)}
        )
    return _back(request)


@login_required
@require_POST
def unlock_request(request, pk: int):
    _require(request, "indicators.unlock.request")
    approval = Approval.objects.get_visible_or_404(request.user, pk=pk)
    try:
        services.request_unlock(
            approval, reason=text_param(request.POST, "reason", max_length=300), actor=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, gettext("已提交解锁申请，待上一级审批"))
    return _back(request)


@login_required
@require_POST
def unlock_decide(request, pk: int):
    _require(request, "indicators.unlock.decide")
    req = UnlockRequest.objects.get_visible_or_404(request.user, pk=pk)
    grant = request.POST.get("decision") == "grant"
    try:
        services.decide_unlock(
            req, grant=grant, note=text_param(request.POST, "note", max_length=300), actor=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, gettext("已同意解锁") if grant else gettext("已驳回解锁申请"))
    return _back(request)

"""目标管理: the year's targets, a form to set one with a preview of its decomposition, and the
manual editing of a target's parts (the sum checked). Rules: `services_targets`."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhuqi.core import permissions
from zhuqi.core.params import year_param

from . import figures, services_targets
from .forms_targets import TargetForm
from .models import Indicator, Target
from .periods import PER_YEAR, Period
from .views_dispatch import root_region


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def _entity_label(t: Target) -> tuple[str, str]:
    if t.department_id:
        return str(figures.KIND_LABELS["department"]), t.department.name
    if t.leader_id:
        return str(figures.KIND_LABELS["leader"]), t.leader.display_name
    return str(figures.KIND_LABELS["region"]), t.region.name


@login_required
def target_list(request):
    """The targets of a year in the viewer's scope."""
    _require(request, "indicators.view")
    year = year_param(request.GET, "year") or timezone.localdate().year
    targets = (
        Target.objects.visible_to(request.user)
        .filter(year=year)
        .select_related("indicator", "region", "department", "leader")
        .order_by("indicator__sort", "region__path", "department__name", "leader__username")
    )
    rows = [{"t": t, "kind": k, "label": label} for t in targets for k, label in [_entity_label(t)]]
    return render(
        request,
        "indicators/target_list.html",
        {
            "year": year,
            "years": [year - 1, year, year + 1],
            "rows": rows,
            "can_manage": permissions.allowed(request.user, "indicators.targets.manage"),
        },
    )


def _manual_values(data) -> dict[str, str]:
    return {k[2:]: v for k, v in data.items() if k.startswith("p_")}


def _grid(decomposition: services_targets.Decomposition, posted: dict[str, str]) -> list[dict]:
    """The finest parts as editable rows (posted values kept), each with its quarter's total."""
    fine = decomposition.parts.get(decomposition.decomposed_to, [])
    return [{"period": p, "amount": posted.get(p.code, _plain(a)), "name": f"p_{p.code}"} for p, a in fine]


def _plain(d: Decimal | None) -> str:
    return "" if d is None else services_targets._plain(d)


@login_required
def target_set(request):
    """Set a target: the form, 预览 (the decomposition as it would be written: months or 旬 and the
    quarters; a manual decomposition is typed into the preview's cells), 保存."""
    _require(request, "indicators.targets.manage")
    user = request.user
    preview = None
    grid: list[dict] = []
    if request.method == "POST":
        form = TargetForm(request.POST, user=user)
        if form.is_valid():
            c = form.cleaned_data
            posted = _manual_values(request.POST)
            entity_kwargs = form.entity_kwargs()
            try:
                if "save" in request.POST:
                    target = services_targets.set_target(
                        c["indicator"],
                        c["year"],
                        **entity_kwargs,
                        amount=c["amount"],
                        growth=c["growth"],
                        method=c["method"],
                        decomposed_to=c["decomposed_to"],
                        parts=posted,
                        actor=user,
                    )
                    messages.success(request, gettext("目标已保存"))
                    return redirect("indicators:target_detail", pk=target.pk)
                entity = figures.Entity.of(**entity_kwargs)
                method = c["method"]
                manual_start = method == "manual" and not posted
                preview = services_targets.decompose(
                    c["indicator"],
                    c["year"],
                    entity,
                    amount=c["amount"],
                    growth=c["growth"],
                    method="equal" if manual_start else method,
                    decomposed_to=c["decomposed_to"],
                    manual=posted,
                    user=user,
                )
                grid = _grid(preview, posted)
            except ValidationError as exc:
                for m in exc.messages:
                    form.add_error(None, m)
                if c.get("method") == "manual" and posted:
                    grid = _posted_grid(c["year"], c["decomposed_to"], posted)
    else:
        root = root_region(request)
        form = TargetForm(
            initial={
                "year": year_param(request.GET, "year") or timezone.localdate().year,
                "region": root.pk,
                "indicator": Indicator.objects.filter(code=(request.GET.get("indicator") or "")[:40]).first(),
            },
            user=user,
        )
    return render(
        request,
        "indicators/target_form.html",
        {"form": form, "preview": preview, "grid": grid, "manual": form.data.get("method") == "manual"},
    )


def _posted_grid(year: int, type_: str, posted: dict[str, str]) -> list[dict]:
    periods = [Period(year, type_, i) for i in range(1, PER_YEAR[type_] + 1)]
    return [{"period": p, "amount": posted.get(p.code, ""), "name": f"p_{p.code}"} for p in periods]


@login_required
def target_detail(request, pk: int):
    """A target and its parts (quarters, months, 旬); the parts edited by hand, the sum checked."""
    _require(request, "indicators.view")
    target = (
        Target.objects.visible_to(request.user)
        .select_related("indicator", "region", "department", "leader")
        .filter(pk=pk)
        .first()
    )
    if target is None:
        raise Http404
    can_manage = permissions.allowed(request.user, "indicators.targets.manage")
    posted: dict[str, str] = {}
    if request.method == "POST":
        if not can_manage:
            raise Http404
        posted = _manual_values(request.POST)
        try:
            services_targets.edit_parts(target, posted, actor=request.user)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, gettext("分解值已保存"))
            return redirect("indicators:target_detail", pk=target.pk)
    rows = list(target.parts.all())
    parts = {p.period: p.amount for p in rows}
    kind, label = _entity_label(target)
    fine = target.decomposed_to

    def level(t):
        return [
            {
                "period": p,
                "amount": parts.get(p.code),
                "cumulative": services_targets.cumulative_target(target, p, rows),
            }
            for p in (Period(target.year, t, i) for i in range(1, PER_YEAR[t] + 1))
            if p.code in parts
        ]

    grid = [
        {
            "period": r["period"],
            "amount": posted.get(r["period"].code, _plain(r["amount"])),
            "name": f"p_{r['period'].code}",
        }
        for r in level(fine)
    ]
    return render(
        request,
        "indicators/target_detail.html",
        {
            "target": target,
            "kind": kind,
            "label": label,
            "quarters": level("Q"),
            "months": level("M"),
            "grid": grid,
            "can_manage": can_manage and target.amount is not None and bool(grid),
            "dispatch_url": reverse("indicators:dispatch") + f"?indicator={target.indicator.code}",
        },
    )

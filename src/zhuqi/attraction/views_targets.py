"""分解招商年度目标: the form (分解到, 分解方式), 预览 (the parts as they would be written; a manual
decomposition is typed into the preview's cells, money in 万元) and 保存. The rules live in
`services_targets`."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from zhuqi.core import permissions
from zhuqi.core.units import WAN
from zhuqi.indicators.periods import Period

from . import services, services_targets
from .forms import AnnualSplitForm
from .models import AnnualTarget, SplitMethod

_PREFIX = "p_"


def _posted(data) -> dict[str, dict[str, str]]:
    """The preview's cells `p_<metric>_<period>` as metric → period → text."""
    out: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        if not key.startswith(_PREFIX):
            continue
        metric, _sep, period = key[len(_PREFIX) :].rpartition("_")
        if metric in services_targets.METRICS:
            out.setdefault(metric, {})[period[:8]] = value
    return out


def _shown(metric: str, amount: Decimal) -> str:
    value = amount if metric in services_targets.COUNTS else amount / WAN
    return services_targets._plain(value)


def _grid(target, split_to: str, d: services_targets.Decomposition | None, posted) -> list[dict]:
    """One row per metric: its label, its annual target as typed (万元 for money), its cells
    (the posted text where given, else the decomposition's part) and, for months, the quarters."""
    rows = []
    for metric in services_targets.METRICS:
        parts = dict(d.parts[metric][split_to]) if d else {}
        cells = []
        for p in services_targets.year_periods(target.year, split_to):
            given = posted.get(metric, {}).get(p.code)
            value = given if given is not None else (_shown(metric, parts[p]) if p in parts else "")
            cells.append({"name": f"{_PREFIX}{metric}_{p.code}", "period": p, "value": value})
        quarters = [(q, _shown(metric, a)) for q, a in d.parts[metric].get("Q", [])] if d else []
        rows.append(
            {
                "metric": metric,
                "label": services_targets.metric_label(metric),
                "money": metric not in services_targets.COUNTS,
                "whole": _shown(metric, Decimal(getattr(target, metric))),
                "cells": cells,
                "quarters": quarters if split_to == "M" else [],
            }
        )
    return rows


@login_required
def annual_split(request, pk: int):
    """Decompose one annual target: the office of its area (and admins) only; 404 elsewhere."""
    if not permissions.allowed(request.user, "attraction.configure"):
        raise Http404
    user = request.user
    target = AnnualTarget.objects.visible_to(user).select_related("region", "team").filter(pk=pk).first()
    if target is None or not services._in_area(user, target.region):
        raise Http404
    existing = None
    if target.split_method:
        existing = services_targets.Decomposition(target.split_method, target.split_to)
        for part in target.parts.all():
            existing.parts.setdefault(part.metric, {}).setdefault(part.period_type, []).append(
                (Period.parse(part.period), part.amount)
            )
        for by_type in existing.parts.values():
            for rows in by_type.values():
                rows.sort()
    initial = {"method": target.split_method or SplitMethod.EQUAL, "split_to": target.split_to or "Q"}
    form = AnnualSplitForm(request.POST or None, initial=initial)
    preview, posted, split_to = existing, {}, initial["split_to"]
    if preview is None and request.method != "POST":  # not decomposed yet: what 平均分解 would give
        preview = services_targets.decompose(target, method=SplitMethod.EQUAL, split_to=split_to)
    if request.method == "POST" and form.is_valid():
        method, split_to = form.cleaned_data["method"], form.cleaned_data["split_to"]
        posted = _posted(request.POST) if method == SplitMethod.MANUAL else {}
        codes = {p.code for p in services_targets.year_periods(target.year, split_to)}
        posted = {m: {c: v for c, v in given.items() if c in codes} for m, given in posted.items()}
        posted = {m: given for m, given in posted.items() if given}
        try:
            if "save" in request.POST:
                services_targets.split_target(
                    target, actor=user, method=method, split_to=split_to, parts=posted, money_unit=WAN
                )
                messages.success(request, gettext("年度目标已分解"))
                return redirect(f"{reverse('attraction:annual_targets')}?year={target.year}")
            start = method == SplitMethod.MANUAL and not posted
            preview = services_targets.decompose(
                target,
                method=SplitMethod.EQUAL if start else method,
                split_to=split_to,
                manual=posted,
                money_unit=WAN,
                user=user,
            )
        except ValidationError as exc:
            for m in exc.messages:
                form.add_error(None, m)
            preview = None
    if preview is not None and preview.split_to != split_to:
        preview = None
    manual = (form.data.get("method") if form.is_bound else initial["method"]) == SplitMethod.MANUAL
    return render(
        request,
        "attraction/annual_split.html",
        {
            "target": target,
            "form": form,
            "grid": _grid(target, split_to, preview, posted),
            "manual": manual,
            "previewed": preview is not None,
        },
    )

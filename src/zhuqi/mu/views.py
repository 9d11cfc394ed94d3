"""Pages of the 亩均 evaluation: the runs (with the trial computation), a run's classes and ranked
table, one result's explanation, publishing a run. Rules live in `services`; reads in `selectors`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhuqi.core import permissions
from zhuqi.core.models import Region
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.params import int_param, text_param, year_param

from . import selectors, services
from .models import Klass, Run


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


@login_required
def run_list(request):
    _require(request, "mu.view")
    user = request.user
    can_compute = permissions.allowed(user, "mu.compute")
    schemes = list(selectors.schemes_for(user)) if can_compute else []
    if request.method == "POST":
        _require(request, "mu.compute")
        scheme_id, year = int_param(request.POST, "scheme"), year_param(request.POST)
        scheme = next((s for s in schemes if s.pk == scheme_id), None)
        if scheme is None or year is None:
            messages.error(request, gettext("请选择评价方案和数据年度"))
        else:
            try:
                run = services.compute(scheme, year, actor=user)
            except ValidationError as exc:
                for m in exc.messages:
                    messages.error(request, m)
            else:
                return redirect("mu:run_detail", run.pk)
    page = CappedPaginator(selectors.runs_for(user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mu/run_list.html",
        {
            "page": page,
            "schemes": schemes,
            "can_compute": can_compute,
            "can_import": permissions.allowed(user, "mu.import"),
            "default_year": timezone.localdate().year - 1,
        },
    )


@login_required
def run_detail(request, pk):
    _require(request, "mu.view")
    run = selectors.runs_for(request.user).get_visible_or_404(request.user, pk=pk)
    klass = text_param(request.GET, "klass", max_length=1)
    klass = klass if klass in Klass.values else ""
    region = selectors.drill_region(request.user, run, int_param(request.GET, "region"))
    rows = selectors.in_region(selectors.ranked(request.user, run, klass), region)
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mu/run_detail.html",
        {
            "run": run,
            "items": list(run.scheme.items.all()),
            "distribution": selectors.distribution(run, region),
            "page": page,
            "klass": klass,
            "region": region,
            "can_publish": run.status == Run.Status.TRIAL and permissions.allowed(request.user, "mu.publish"),
        },
    )


@login_required
def run_regions(request, pk):
    """The towns and parks of a run's region ranked by 亩均税收, drilling down a level at a time
    and to the enterprises' rows."""
    _require(request, "mu.view")
    run = selectors.runs_for(request.user).get_visible_or_404(request.user, pk=pk)
    region = selectors.drill_region(request.user, run, int_param(request.GET, "region"))
    trail = []
    if region is not None:
        trail = list(
            Region.objects.filter(
                path__in=region.ancestor_paths(), path__startswith=run.region.path
            ).order_by("depth")
        )
    return render(
        request,
        "mu/run_regions.html",
        {
            "run": run,
            "region": region or run.region,
            "trail": trail,
            "rows": selectors.region_ranking(request.user, run, region),
        },
    )


@login_required
@require_POST
def run_publish(request, pk):
    _require(request, "mu.publish")
    run = selectors.runs_for(request.user).get_visible_or_404(request.user, pk=pk)
    try:
        services.publish(run, actor=request.user)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, gettext("评价结果已发布"))
    return redirect("mu:run_detail", run.pk)


@login_required
def result_detail(request, pk):
    result = selectors.result_for(request.user, pk)
    return render(
        request,
        "mu/result_detail.html",
        {
            "result": result,
            "run": result.run,
            "ex": selectors.explanation(result),
            "run_link": selectors.runs_for(request.user).filter(pk=result.run_id).exists(),
        },
    )

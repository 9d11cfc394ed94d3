"""系统设置 pages of the indicators: report forms (报表: the dispatch office of a region) and the
indicator catalogue (system administrators; the dispatch office reads it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from zhuqi.core import permissions
from zhuqi.core.forms import add_service_error

from . import services
from .forms import DataSetForm, IndicatorForm
from .models import DataSet, Indicator


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


@login_required
def datasets(request):
    _require(request, "indicators.configure")
    form = DataSetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            ds = services.save_dataset(None, actor=request.user, **_dataset_args(form.cleaned_data))
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("报表「%(name)s」已新建") % {"name": ds.name})
            return redirect("indicators:settings_dataset", ds.pk)
    rows = (
        DataSet.objects.visible_to(request.user).select_related("region").prefetch_related("items__indicator")
    )
    return render(request, "indicators/settings_datasets.html", {"form": form, "rows": rows})


def _dataset_args(d: dict) -> dict:
    d = dict(d)
    d["indicators"] = list(d["indicators"])
    d["required"] = [i.pk for i in d.pop("required")]
    d["enterprises"] = list(d["enterprises"])
    return d


@login_required
def dataset(request, pk: int):
    _require(request, "indicators.configure")
    ds = DataSet.objects.get_visible_or_404(request.user, pk=pk)
    initial = {
        "code": ds.code,
        "name": ds.name,
        "region": ds.region_id,
        "period_type": ds.period_type,
        "audience": ds.audience,
        "enterprises": list(ds.enterprises.values_list("pk", flat=True)),
        "due_working_days": ds.due_working_days,
        "merge_jan_feb": ds.merge_jan_feb,
        "indicators": [i.indicator_id for i in ds.items.all()],
        "required": [i.indicator_id for i in ds.items.all() if i.required],
        "is_active": ds.is_active,
    }
    form = DataSetForm(request.POST or None, user=request.user, dataset=ds, initial=initial)
    if request.method == "POST" and form.is_valid():
        args = _dataset_args(form.cleaned_data)
        args["code"] = ds.code
        try:
            services.save_dataset(ds, actor=request.user, **args)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("indicators:settings_dataset", ds.pk)
    return render(request, "indicators/settings_dataset.html", {"form": form, "dataset": ds})


@login_required
def indicators(request):
    _require(request, "indicators.configure")
    can_edit = permissions.allowed(request.user, "indicators.catalogue.manage")
    form = IndicatorForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                ind = services.save_indicator(None, actor=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("指标「%(name)s」已新建") % {"name": ind.name})
                return redirect("indicators:settings_indicators")
    rows = Indicator.objects.select_related("numerator", "denominator")
    return render(
        request, "indicators/settings_indicators.html", {"form": form, "rows": rows, "can_edit": can_edit}
    )


@login_required
def indicator(request, pk: int):
    _require(request, "indicators.catalogue.manage")
    ind = get_object_or_404(Indicator, pk=pk)
    fields = [
        "code",
        "name",
        "unit",
        "aggregation",
        "cumulative",
        "kind",
        "can_decrease",
        "decimals",
        "numerator",
        "denominator",
        "description",
        "is_active",
    ]
    initial = {f: getattr(ind, f + "_id" if f in ("numerator", "denominator") else f) for f in fields}
    form = IndicatorForm(request.POST or None, indicator=ind, initial=initial)
    if request.method == "POST" and form.is_valid():
        args = dict(form.cleaned_data, code=ind.code)
        try:
            services.save_indicator(ind, actor=request.user, **args)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("indicators:settings_indicators")
    return render(request, "indicators/settings_indicator.html", {"form": form, "indicator": ind})

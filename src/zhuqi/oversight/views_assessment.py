"""Pages of assessments (考核) and 红黑榜: schemes with their items, an assessment's ranking with
each item's explanation and its rows, the export; the rules of the 红黑榜, a period's preview
with its exemptions, the publication and its history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhuqi.core import permissions
from zhuqi.core.excel import xlsx_response
from zhuqi.core.params import int_param, year_param
from zhuqi.indicators.periods import Period

from . import metrics as M
from . import services, services_assessment
from .models import (
    Assessment,
    ItemKind,
    PeriodKind,
    RedBlackRule,
    Scheme,
    ScoringRule,
    Sequence,
)
from .views import _errors

FORM_ROWS = 10


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def _indicators():
    from zhuqi.indicators.models import Indicator

    return Indicator.objects.filter(is_active=True).order_by("code")


def _metric_options():
    kinds = {"region": gettext("区划"), "department": gettext("部门"), "project": gettext("项目")}
    return [
        {
            "code": m.code,
            "label": m.label,
            "definition": m.definition,
            "for": "、".join(str(kinds[k]) for k in ("region", "department", "project") if k in m.units),
            "needs_indicator": m.needs_indicator,
        }
        for m in M.REGISTRY.values()
    ]


# --- schemes ----------------------------------------------------------------------------------
@login_required
def scheme_list(request):
    _require(request, "oversight.assessment.view")
    user = request.user
    # a department's people see the published assessments only: the trials are not linked
    schemes = (
        Scheme.objects.visible_to(user)
        .select_related("region")
        .prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.visible_to(user).order_by("period"))
        )
    )
    published = (
        Assessment.objects.visible_to(user)
        .filter(status=Assessment.Status.PUBLISHED)
        .select_related("scheme__region")
        .order_by("-published_at")[:20]
    )
    return render(
        request,
        "oversight/scheme_list.html",
        {
            "schemes": schemes,
            "published": published,
            "can_configure": permissions.allowed(user, "oversight.assessment.configure"),
        },
    )


def _scheme_rows(post) -> list[dict]:
    fields = (
        "name",
        "kind",
        "metric",
        "indicator",
        "weight",
        "rule",
        "target",
        "cap_ratio",
        "step",
        "per_unit",
    )
    rows = []
    for i in range(FORM_ROWS * 3):
        if f"items-{i}-metric" not in post:
            continue
        rows.append({f: (post.get(f"items-{i}-{f}") or "").strip()[:60] for f in fields})
    return rows


def _scheme_form(request, scheme: Scheme | None):
    user = request.user
    _require(request, "oversight.assessment.configure")
    if scheme is not None and not services_assessment.in_area(
        user, scheme.region, "oversight.assessment.configure"
    ):
        raise Http404
    values: dict = {}
    rows: list[dict] = []
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("name", "year", "period_kind", "sequence")}
        rows = _scheme_rows(request.POST)
        region = scheme.region if scheme else services._actor_region(user)
        try:
            if region is None:
                raise PermissionDenied(gettext("您没有所属区划，不能设定考核方案"))
            scheme = services_assessment.save_scheme(
                scheme,
                actor=user,
                region=region,
                name=values["name"],
                year=year_param(request.POST),
                period_kind=values["period_kind"],
                sequence=values["sequence"],
                items=rows,
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, gettext("考核方案已保存"))
            return redirect(scheme)
    elif scheme is not None:
        values = {
            "name": scheme.name,
            "year": scheme.year,
            "period_kind": scheme.period_kind,
            "sequence": scheme.sequence,
        }
        rows = [
            {
                "name": it.name,
                "kind": it.kind,
                "metric": it.metric,
                "indicator": it.indicator.code if it.indicator_id else "",
                "weight": it.weight,
                "rule": it.rule,
                "target": "" if it.target is None else it.target,
                "cap_ratio": it.cap_ratio,
                "step": "" if it.step is None else it.step,
                "per_unit": "" if it.per_unit is None else it.per_unit,
            }
            for it in scheme.items.select_related("indicator")
        ]
    else:
        values = {
            "year": timezone.localdate().year,
            "period_kind": PeriodKind.QUARTER,
            "sequence": Sequence.REGIONS,
        }
    rows = rows + [{} for _ in range(max(FORM_ROWS - len(rows), 2))]
    return render(
        request,
        "oversight/scheme_form.html",
        {
            "scheme": scheme,
            "values": values,
            "rows": rows,
            "metrics": _metric_options(),
            "indicators": _indicators(),
            "kinds": ItemKind.choices,
            "rules": ScoringRule.choices,
            "sequences": [
                (Sequence.REGIONS, Sequence.REGIONS.label),
                (Sequence.COUNTIES, Sequence.COUNTIES.label),
                (Sequence.DEPARTMENTS, Sequence.DEPARTMENTS.label),
            ],
            "period_kinds": [(PeriodKind.QUARTER, gettext("季度")), (PeriodKind.YEAR, gettext("年度"))],
        },
    )


@login_required
def scheme_new(request):
    return _scheme_form(request, None)


@login_required
def scheme_edit(request, pk):
    _require(request, "oversight.assessment.configure")
    return _scheme_form(request, get_object_or_404(Scheme.objects.visible_to(request.user), pk=pk))


@login_required
def scheme_detail(request, pk):
    _require(request, "oversight.assessment.view")
    user = request.user
    scheme = get_object_or_404(Scheme.objects.visible_to(user).select_related("region"), pk=pk)
    if request.method == "POST":
        _require(request, "oversight.assessment.compute")
        try:
            a = services_assessment.compute_assessment(scheme, request.POST.get("period", ""), actor=user)
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, gettext("已按实时数据计算，请核对后公布"))
            return redirect(a)
    items = list(scheme.items.select_related("indicator"))
    for it in items:
        it.metric_label = M.REGISTRY[it.metric].label if it.metric in M.REGISTRY else it.metric
    return render(
        request,
        "oversight/scheme_detail.html",
        {
            "scheme": scheme,
            "items": items,
            "assessments": scheme.assessments.visible_to(user).order_by("-period"),
            "periods": services_assessment.periods(scheme.period_kind, scheme.year),
            "can_compute": services_assessment.in_area(user, scheme.region, "oversight.assessment.compute"),
            "can_configure": services_assessment.in_area(
                user, scheme.region, "oversight.assessment.configure"
            ),
            "published": scheme.assessments.filter(status=Assessment.Status.PUBLISHED).exists(),
        },
    )


# --- an assessment ----------------------------------------------------------------------------
def _assessment(request, pk) -> Assessment:
    return get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related("scheme__region"), pk=pk
    )


@login_required
def assessment_detail(request, pk):
    _require(request, "oversight.assessment.view")
    user = request.user
    a = _assessment(request, pk)
    results = list(a.results.all())
    items = list(a.scheme.items.order_by("order", "pk"))
    previous = (
        Assessment.objects.filter(scheme=a.scheme, period__lt=a.period, status=Assessment.Status.PUBLISHED)
        .order_by("-period")
        .first()
    )
    before = {(r.unit_kind, r.unit_id): r for r in previous.results.all()} if previous else {}
    for r in results:
        r.previous = before.get((r.unit_kind, r.unit_id))
    if request.GET.get("format") == "xlsx":
        headers = [gettext("名次"), gettext("考核对象"), gettext("总分")]
        for it in items:
            headers += [
                f"{it.name}{gettext('（值）')}",
                f"{it.name}{gettext('（得分）')}",
                f"{it.name}{gettext('（说明）')}",
            ]
        rows = []
        for r in results:
            by_item = {p["item"]: p for p in r.items}
            row = [r.rank, r.label, r.total]
            for it in items:
                p = by_item.get(it.pk, {})
                row += [p.get("value") or "", p.get("points") or "", p.get("explanation") or ""]
            rows.append(row)
        return xlsx_response(
            f"{a}.xlsx",
            headers,
            rows,
            actor=user,
            what=gettext("考核结果：%(a)s") % {"a": a},
            object_type="oversight.assessment",
        )
    return render(
        request,
        "oversight/assessment_detail.html",
        {
            "a": a,
            "results": results,
            "items": items,
            "previous": previous,
            "can_publish": a.status == Assessment.Status.DRAFT
            and services_assessment.in_area(user, a.scheme.region, "oversight.assessment.publish"),
            "can_compute": a.status == Assessment.Status.DRAFT
            and services_assessment.in_area(user, a.scheme.region, "oversight.assessment.compute"),
        },
    )


@login_required
@require_POST
def assessment_publish(request, pk):
    _require(request, "oversight.assessment.publish")
    a = _assessment(request, pk)
    try:
        services_assessment.publish_assessment(
            a, actor=request.user, confirm=bool(request.POST.get("confirm"))
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("考核结果已公布"))
    return redirect(a)


# --- 红黑榜 -------------------------------------------------------------------------------------
@login_required
def redblack_list(request):
    _require(request, "oversight.assessment.view")
    user = request.user
    rules = RedBlackRule.objects.visible_to(user).select_related("region", "scheme", "indicator")
    for r in rules:
        r.source = services_assessment.source_label(r)
    return render(
        request,
        "oversight/redblack_list.html",
        {"rules": rules, "can_configure": permissions.allowed(user, "oversight.assessment.configure")},
    )


def _rule_form(request, rule: RedBlackRule | None):
    user = request.user
    _require(request, "oversight.assessment.configure")
    if rule is not None and not services_assessment.in_area(
        user, rule.region, "oversight.assessment.configure"
    ):
        raise Http404
    keys = ("name", "sequence", "metric", "indicator", "scheme", "target", "size", "period_kind")
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in keys}
        region = rule.region if rule else services._actor_region(user)
        scheme = None
        if scheme_id := int_param(request.POST, "scheme"):
            scheme = Scheme.objects.visible_to(user).filter(pk=scheme_id).first()
        try:
            if region is None:
                raise PermissionDenied(gettext("您没有所属区划，不能设定红黑榜规则"))
            if request.POST.get("scheme") and scheme is None:
                raise ValidationError({"scheme": gettext("没有这个考核方案")})
            rule = services_assessment.save_rule(
                rule,
                actor=user,
                region=region,
                name=values["name"],
                sequence=values["sequence"],
                metric=values["metric"],
                indicator_code=values["indicator"],
                scheme=scheme,
                target=values["target"],
                size=values["size"],
                period_kind=values["period_kind"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, gettext("红黑榜规则已保存"))
            return redirect(rule)
    elif rule is not None:
        values = {
            "name": rule.name,
            "sequence": rule.sequence,
            "metric": rule.metric,
            "indicator": rule.indicator.code if rule.indicator_id else "",
            "scheme": rule.scheme_id or "",
            "target": "" if rule.target is None else rule.target,
            "size": rule.size,
            "period_kind": rule.period_kind,
        }
    else:
        values = {"size": 3, "period_kind": PeriodKind.QUARTER, "sequence": Sequence.REGIONS}
    return render(
        request,
        "oversight/redblack_form.html",
        {
            "rule": rule,
            "values": values,
            "metrics": _metric_options(),
            "indicators": _indicators(),
            "schemes": Scheme.objects.visible_to(user).order_by("-year", "name"),
            "sequences": Sequence.choices,
            "period_kinds": PeriodKind.choices,
        },
    )


@login_required
def redblack_new(request):
    return _rule_form(request, None)


@login_required
def redblack_edit(request, pk):
    _require(request, "oversight.assessment.configure")
    return _rule_form(request, get_object_or_404(RedBlackRule.objects.visible_to(request.user), pk=pk))


def _rule(request, pk) -> RedBlackRule:
    return get_object_or_404(
        RedBlackRule.objects.visible_to(request.user).select_related("region", "scheme", "indicator"), pk=pk
    )


@login_required
def redblack_detail(request, pk):
    _require(request, "oversight.assessment.view")
    user = request.user
    rule = _rule(request, pk)
    periods = services_assessment.rule_periods(rule)
    code = request.GET.get("period") or (periods[0].code if periods else "")
    published = {lst.period: lst for lst in rule.lists.all()}
    if code in published and all(p.code != code for p in periods):
        # an older list of the history (or one published for another period kind, as the lists
        # migrated from the projects app may be): shown as published
        periods = [*periods, Period.parse(code)]
    period = next((p for p in periods if p.code == code), periods[0] if periods else None)
    pv = services_assessment.preview(rule, period, user) if period and period.code not in published else None
    units = M.units_of(rule.sequence, rule.region) if pv else []
    metric = M.REGISTRY.get(rule.metric)
    return render(
        request,
        "oversight/redblack_detail.html",
        {
            "rule": rule,
            "source": services_assessment.source_label(rule),
            "periods": periods,
            "period": period,
            "pv": pv,
            "red_ids": {(r.unit.kind, r.unit.pk) for r in pv.red} if pv else set(),
            "black_ids": {(r.unit.kind, r.unit.pk) for r in pv.black} if pv else set(),
            "current": published.get(period.code) if period else None,
            "history": rule.lists.all(),
            "units": units,
            "percent": bool(metric and metric.percent),
            "can_publish": services_assessment.in_area(user, rule.region, "oversight.redblack.publish"),
            "can_exempt": services_assessment.in_area(user, rule.region, "oversight.redblack.exempt"),
        },
    )


@login_required
@require_POST
def redblack_exempt(request, pk):
    _require(request, "oversight.redblack.exempt")
    rule = _rule(request, pk)
    period = request.POST.get("period", "")
    try:
        services_assessment.add_exemption(
            rule,
            actor=request.user,
            period_code=period,
            unit_id=request.POST.get("unit"),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("已登记豁免"))
    return redirect(f"{rule.get_absolute_url()}?period={period}")


@login_required
@require_POST
def redblack_publish(request, pk):
    _require(request, "oversight.redblack.publish")
    rule = _rule(request, pk)
    period = request.POST.get("period", "")
    try:
        services_assessment.publish_list(
            rule, actor=request.user, period_code=period, confirm=bool(request.POST.get("confirm"))
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("红黑榜已公布"))
    return redirect(f"{rule.get_absolute_url()}?period={period}")

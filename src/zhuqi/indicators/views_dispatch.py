"""经济指标调度 (the dispatch view): for one period, every indicator's actual against its target,
time elapsed, growth on the same panel and nominal, by child region, 包抓 department or 包抓
leader; who pulls each figure down; the rows each figure is made of; 督办提醒; the 月报 export.
Figures: `figures.py` (src/zhuqi/docs/indicators-figures.md)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from zhuqi.core import permissions
from zhuqi.core.excel import xlsx_response
from zhuqi.core.models import Department, Region, User
from zhuqi.core.params import int_param
from zhuqi.core.progress import LIGHT_LABELS
from zhuqi.enterprises.models import Enterprise

from . import figures, services_targets
from .figures import KIND_LABELS, Entity, Figure
from .models import Aggregation, Flag, Indicator
from .periods import Period
from .selectors import default_period, region_of

KINDS = ("region", "department", "leader")


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def root_region(request) -> Region:
    """The region the view is about: `?region=` within the viewer's scope (404 outside), else the
    viewer's own region (an administrator: the top of the tree)."""
    pk = int_param(request.GET, "region")
    visible = Region.objects.visible_to(request.user)
    if pk:
        return _get_or_404(visible, pk)
    region = region_of(request.user)
    if region is None:
        raise Http404
    return region


def _get_or_404(qs, pk):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def report_period(request) -> Period:
    """`?period=` (a month or a 旬 code), else `default_period`."""
    code = (request.GET.get("period") or "").strip()[:12]
    if code:
        try:
            p = Period.parse(code)
        except ValidationError:
            p = None
        if p is not None and p.type in ("M", "X"):
            return p
    return default_period(request.user, timezone.localdate())


def _kind(request) -> str:
    k = request.GET.get("by") or "region"
    return k if k in KINDS else "region"


def entity_from(request, kind: str, pk: int | None, year: int) -> Entity:
    """The entity named by a link (kind and id), 404 when the viewer may not see it."""
    user = request.user
    if not pk or kind not in KINDS:
        raise Http404
    if kind == "region":
        return Entity.of(region=_get_or_404(Region.objects.visible_to(user), pk))
    if kind == "department":
        return Entity.of(department=_get_or_404(Department.objects.visible_to(user), pk))
    return Entity.of(leader=_get_or_404(User.objects.visible_to(user), pk))


def _indicators():
    return list(Indicator.objects.filter(is_active=True).order_by("sort", "code"))


def fmt(value, decimals: int = 1) -> str:
    if value is None:
        return "—"
    q = Decimal(1).scaleb(-decimals)
    return f"{Decimal(value).quantize(q):,}"


def points(value) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else f"{value}"


def rows_url(f: Figure, which: str = "all") -> str:
    q = {"indicator": f.indicator.code, "period": f.period.code, "kind": f.entity.kind, "id": f.entity.pk}
    if which != "all":
        q["set"] = which
    return reverse("indicators:dispatch_rows") + "?" + urlencode(q)


def figure_row(f: Figure) -> dict:
    """What the page and the export show of a figure, formatted once."""
    d = f.indicator.decimals
    behind = (f.lead is not None and f.lead < 0) or (f.growth_gap is not None and f.growth_gap < 0)
    return {
        "f": f,
        "label": f.entity.label,
        "unit": f.indicator.get_unit_display(),
        "actual": fmt(f.actual, d),
        "official": fmt(f.official, 1) if f.official is not None else None,
        "target_year": fmt(f.target_year, d),
        "target_to_date": fmt(f.target_to_date, d),
        "gap": fmt(f.gap, d),
        "gap_neg": f.gap is not None and f.gap < 0,
        "completion": f.completion,
        "elapsed": f.elapsed,
        "lead": f.lead,
        "lead_text": points(f.lead),
        "light": f.light,
        "light_label": LIGHT_LABELS[f.light],
        "panel_growth": f.panel_growth,
        "nominal_growth": f.nominal_growth,
        "growth_target": f.growth_target,
        "growth_gap": f.growth_gap,
        "growth_gap_text": points(f.growth_gap),
        "reporters": f.reporters,
        "panel_size": f.panel_size,
        "behind": behind,
        "url": rows_url(f),
        "panel_url": rows_url(f, "panel"),
        "last_year_url": rows_url(f, "last_year"),
    }


def _sort_key(r: dict):
    f = r["f"]
    return (
        f.lead is None,
        f.lead if f.lead is not None else 0,
        f.growth_gap if f.growth_gap is not None else 0,
    )


def dispatch_context(request) -> dict:
    user = request.user
    root, period, kind = root_region(request), report_period(request), _kind(request)
    inds = _indicators()
    total = Entity.of(region=root)
    figs = figures.compute(user, inds, period, [total])
    summary = [figure_row(figs[(total.key, i.pk)]) for i in inds]
    code = request.GET.get("indicator") or ""
    selected = next((i for i in inds if i.code == code), None)
    if selected is None:
        with_target = [r["f"].indicator for r in summary if r["f"].target_year and r["f"].cumulative_kind]
        selected = (
            with_target[0]
            if with_target
            else next((i for i in inds if i.aggregation == Aggregation.SUM), inds[0])
        )
    groups = figures.group_entities(kind, user, root, period.year)
    gfigs = figures.compute(user, [selected], period, groups)
    group_rows = sorted((figure_row(f) for f in figures.by_group(gfigs, groups, selected)), key=_sort_key)
    group_pk = int_param(request.GET, "group")
    focus = next((g for g in groups if g.pk == group_pk), None) or total
    lag = figures.laggards(user, selected, period, focus)
    chart_type = "M"
    sel_total = figs[(total.key, selected.pk)]
    if sel_total.target is not None and sel_total.target.decomposed_to == "X":
        chart_type = "X"
    series = figures.series(user, selected, period, total, chart_type)
    chart = {
        "indicator": selected.name,
        "unit": selected.get_unit_display(),
        "series": series,
        "groups": [
            {
                "name": r["label"],
                "actual": figures.num(r["f"].actual),
                "last_year": figures.num(r["f"].last_year),
                "completion": figures.num(r["completion"]),
                "growth": figures.num(r["panel_growth"]),
                "url": r["url"],
            }
            for r in group_rows
        ],
        "labels": {
            "actual": gettext("累计实际"),
            "target": gettext("累计目标"),
            "last_year": gettext("上年同期"),
            "completion": gettext("完成率%"),
            "growth": gettext("同口径增速%"),
            "this_year": gettext("本年累计"),
        },
    }
    today = timezone.localdate()
    months = []
    p = Period.last_ended("M", today)
    for _i in range(24):
        months.append(p)
        p = p.previous()
    xuns = []  # 以旬保月: the 旬 of the last two months
    x = Period.last_ended("X", today)
    for _i in range(6):
        xuns.append(x)
        x = x.previous()
    if period not in months and period not in xuns:
        (xuns if period.type == "X" else months).insert(0, period)
    query = {"period": period.code, "by": kind, "region": root.pk, "indicator": selected.code}
    return {
        "root": root,
        "parent": root.parent
        if root.parent_id and Region.objects.visible_to(user).filter(pk=root.parent_id).exists()
        else None,
        "period": period,
        "periods": months,
        "xuns": xuns,
        "kind": kind,
        "kinds": [(k, KIND_LABELS[k]) for k in KINDS],
        "kind_label": KIND_LABELS[kind],
        "indicators": inds,
        "selected": selected,
        "summary": summary,
        "selected_total": figure_row(sel_total),
        # the ranking chart ranks by completion where the groups have targets, else by growth
        "rank_by_completion": any(r["completion"] is not None for r in group_rows),
        "group_rows": group_rows,
        "focus": focus,
        "laggards": lag,
        "chart": chart,
        "query": urlencode(query),
        "can_remind": permissions.allowed(user, "indicators.remind"),
        "can_manage_targets": permissions.allowed(user, "indicators.targets.manage"),
        "elapsed": sel_total.elapsed,
    }


@login_required
def dispatch(request):
    """经济指标调度."""
    _require(request, "indicators.view")
    return render(request, "indicators/dispatch.html", dispatch_context(request))


@login_required
def dispatch_rows(request):
    """The Value rows one figure is made of (drill-down), with each enterprise's contribution."""
    _require(request, "indicators.view")
    period = report_period(request)
    indicator = Indicator.objects.filter(code=(request.GET.get("indicator") or "")[:40]).first()
    if indicator is None:
        raise Http404
    kind, pk = request.GET.get("kind") or "region", int_param(request.GET, "id")
    if pk is None and kind == "region":  # the viewer's own region
        pk = root_region(request).pk
    entity = entity_from(request, kind, pk, period.year)
    which = request.GET.get("set") or "all"
    which = which if which in figures.ROW_SETS else "all"
    f = figures.figure(request.user, indicator, period, entity)
    qs = figures.rows(request.user, indicator, period, entity, which)
    values = list(qs[:500])
    d = indicator.decimals
    rows = [
        {
            "v": v,
            "cumulative": fmt(v.cumulative, d),
            "value": fmt(v.value, d),
            "last_year": fmt(v.last_year_cumulative, d),
            "contribution": fmt(v.contribution, d),
            "negative": v.contribution is not None and v.contribution < 0,
            "growth": figures.growth(v.cumulative, v.last_year_cumulative),
            "flags": [Flag(x).label for x in v.flag_list if x in Flag.values],
        }
        for v in values
    ]
    base = {"indicator": indicator.code, "period": period.code, "kind": entity.kind, "id": entity.pk}
    return render(
        request,
        "indicators/dispatch_rows.html",
        {
            "indicator": indicator,
            "period": period,
            "entity": entity,
            "kind_label": KIND_LABELS[entity.kind],
            "row": figure_row(f),
            "rows": rows,
            "total": qs.count(),
            "which": which,
            "sets": [
                ("all", gettext("本期全部"), urlencode(base)),
                ("panel", gettext("同口径（两年都有数）"), urlencode({**base, "set": "panel"})),
                ("last_year", gettext("上年同期全部"), urlencode({**base, "set": "last_year"})),
            ],
            "can_remind": permissions.allowed(request.user, "indicators.remind"),
            "back": reverse("indicators:dispatch")
            + "?"
            + urlencode({"period": period.code, "indicator": indicator.code}),
        },
    )


@login_required
@require_POST
def dispatch_remind(request):
    """督办提醒 from the dispatch view: a lagging group, or one enterprise that pulls it down."""
    _require(request, "indicators.remind")
    data = request.POST
    indicator = Indicator.objects.filter(code=(data.get("indicator") or "")[:40]).first()
    if indicator is None:
        raise Http404
    try:
        period = Period.parse(data.get("period") or "")
    except ValidationError:
        raise Http404 from None
    entity = entity_from(request, data.get("kind") or "", int_param(data, "id"), period.year)
    enterprise = None
    if int_param(data, "enterprise"):
        enterprise = _get_or_404(Enterprise.objects.visible_to(request.user), int_param(data, "enterprise"))
    url = (
        reverse("indicators:dispatch_rows")
        + "?"
        + urlencode(
            {"indicator": indicator.code, "period": period.code, "kind": entity.kind, "id": entity.pk}
        )
    )
    try:
        people = services_targets.remind_laggard(
            indicator, period, entity, enterprise=enterprise, url=url, actor=request.user
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request,
            gettext("已向 %(p)s 发送督办提醒") % {"p": "、".join(p.display_name for p in people)},
        )
    nxt = data.get("next") or ""
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = url
    return redirect(nxt)


EXPORT_HEADERS = [
    gettext_lazy("指标"),
    gettext_lazy("计量单位"),
    gettext_lazy("单位"),
    gettext_lazy("本期累计"),
    gettext_lazy("上年同期"),
    gettext_lazy("年度目标"),
    gettext_lazy("累计目标"),
    gettext_lazy("差距"),
    gettext_lazy("完成率%"),
    gettext_lazy("时序进度%"),
    gettext_lazy("超时序进度（百分点）"),
    gettext_lazy("亮灯"),
    gettext_lazy("同口径增速%"),
    gettext_lazy("名义增速%"),
    gettext_lazy("官方口径%"),
    gettext_lazy("增长目标%"),
    gettext_lazy("增速差（百分点）"),
    gettext_lazy("报送企业数"),
]
EXPORT_RATES = (8, 9, 12, 13, 14, 15)


def _cell(value):
    return "" if value is None else float(value)


@login_required
def dispatch_export(request):
    """The 月报 layout of the dispatch view: for every indicator the whole (the region) and then
    each group (child regions, 包抓 departments or leaders), as Excel; audited."""
    _require(request, "indicators.view")
    user = request.user
    root, period, kind = root_region(request), report_period(request), _kind(request)
    inds = _indicators()
    total = Entity.of(region=root)
    groups = figures.group_entities(kind, user, root, period.year)
    figs = figures.compute(user, inds, period, [total])
    gfigs = figures.compute(user, inds, period, groups) if groups else {}
    rows = []
    for ind in inds:
        for f in [figs[(total.key, ind.pk)], *figures.by_group(gfigs, groups, ind)]:
            rows.append(
                [
                    ind.name,
                    str(ind.get_unit_display()),
                    f.entity.label if f.entity != total else gettext("%(r)s（合计）") % {"r": root.name},
                    _cell(f.actual),
                    _cell(f.last_year),
                    _cell(f.target_year),
                    _cell(f.target_to_date),
                    _cell(f.gap),
                    _cell(f.completion),
                    _cell(f.elapsed),
                    _cell(f.lead),
                    str(LIGHT_LABELS[f.light]) if f.target_year else "",
                    _cell(f.panel_growth),
                    _cell(f.nominal_growth),
                    _cell(f.official),
                    _cell(f.growth_target),
                    _cell(f.growth_gap),
                    f.reporters,
                ]
            )
    what = gettext("经济指标月报（%(r)s，%(p)s，按%(k)s）") % {
        "r": root.name,
        "p": period.label(),
        "k": KIND_LABELS[kind],
    }
    return xlsx_response(
        gettext("经济指标月报-%(r)s-%(p)s.xlsx") % {"r": root.name, "p": period.code},
        [str(h) for h in EXPORT_HEADERS],
        rows,
        actor=user,
        what=what,
        object_type="indicators.value",
        rates=EXPORT_RATES,
    )

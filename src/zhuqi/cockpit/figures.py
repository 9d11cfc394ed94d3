"""The cockpit's figures (src/zhuqi/docs/cockpit-figures.md): for one region, the numbers a
county, city or province steers by, each computed by the app that owns it (its figures or
selectors function) and each linking to the list of its rows, filtered to the region. The
cockpit defines no figure of its own: it only picks and arranges them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuqi.attraction import figures as attraction_figures
from zhuqi.cases import figures as case_figures
from zhuqi.cases import selectors as case_selectors
from zhuqi.core.models import Region
from zhuqi.core.templatetags.core_tags import wan
from zhuqi.core.units import WAN, half_up
from zhuqi.indicators import selectors as indicator_selectors
from zhuqi.mu import selectors as mu_selectors
from zhuqi.mu.models import Klass
from zhuqi.oversight import selectors as oversight_selectors
from zhuqi.oversight.models import Slip
from zhuqi.policies import figures as policy_figures
from zhuqi.projects import figures as project_figures
from zhuqi.projects import selectors as project_selectors
from zhuqi.projects.models import Project


@dataclass
class Figure:
    """One number on the cockpit: `value` as shown, `n` the rows behind it (what `url` lists;
    None where the number is not a count of rows, e.g. a sum), `note` the parts of a rate."""

    key: str
    label: str
    value: object
    url: str
    n: int | None = None
    unit: str = ""
    note: str = ""
    tone: str = ""  # danger / warning / success: how the number reads


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # a table under the figures (indicators)
    link: str = ""
    link_label: str = ""
    note: str = ""


def _url(name: str, args=None, **query) -> str:
    return reverse(name, args=args) + ("?" + urlencode(query) if query else "")


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


# --- cases -------------------------------------------------------------------------------------
def cases(user, region: Region, today: dt.date) -> Section:
    """办结率 of the cases submitted this year; the open cases past a deadline; the open cases
    escalated to the county level or above (四级调度 level 3–4)."""
    start = dt.date(today.year, 1, 1)
    close = _close_rate(user, region, start)
    listed = {"region": region.pk}
    drill = {"metric": "close_rate", "start": start.isoformat(), **listed}
    overdue = case_selectors.case_list(user, {"overdue": "1", **listed}).count()
    escalated = case_selectors.case_list(user, {"open": "1", "level": "3", **listed}).count()
    s = Section("cases", _("企业诉求"), link=_url("cases:figures"), link_label=_("诉求统计"))
    s.figures = [
        Figure(
            "close_rate",
            _("办结率（今年受理）"),
            _pct(close["rate"]),
            _url("cases:list", part="n", **drill),
            n=close["n"],
            note=_("办结 %(n)s / 受理 %(d)s") % {"n": close["n"], "d": close["d"]},
        ),
        Figure("accepted", _("今年受理"), close["d"], _url("cases:list", part="d", **drill), n=close["d"]),
        Figure(
            "overdue",
            _("超时未办"),
            overdue,
            _url("cases:list", overdue=1, **listed),
            n=overdue,
            tone="danger" if overdue else "",
        ),
        Figure(
            "escalated",
            _("提级到县级以上调度"),
            escalated,
            _url("cases:list", open=1, level=3, **listed),
            n=escalated,
            tone="warning" if escalated else "",
        ),
    ]
    return s


def _close_rate(user, region: Region, start: dt.date) -> dict:
    """办结率 of the cases submitted from `start` on under `region`: {n, d, rate} — from the
    yearly counts (cases/rollups.py) where the viewer may read them and they are fresh, else
    counted over the cases (CLOSED ÷ ACCEPTED only, not every figure). The same numbers
    either way (tests/cases/test_rollups.py)."""
    from zhuqi.cases import rollups as case_rollups
    from zhuqi.core.units import rate

    kept = case_rollups.totals(user, region.path, start.year) if start.month == start.day == 1 else None
    if kept is not None:
        n, d = kept["closed"], kept["accepted"]
    else:
        base = case_figures.base(user, start).filter(region_path__startswith=region.path)
        counts = base.aggregate(
            n=Count("pk", filter=case_figures.CLOSED), d=Count("pk", filter=case_figures.ACCEPTED)
        )
        n, d = counts["n"], counts["d"]
    return {"n": n, "d": d, "rate": rate(n, d)}


# --- projects ----------------------------------------------------------------------------------
def projects(user, region: Region, today: dt.date, *, headline: bool = False) -> Section:
    """三个一批's four chained rates, the red lights at the report month and the year's
    investment completion against 时序进度 of the projects in the region. `headline`: the
    completion and the red lights only (the home card's)."""
    from zhuqi.projects import rollups as project_rollups

    listed = {"region": region.pk}
    year, month = project_figures.report_period(today)
    kept = project_rollups.summary(user, region.path, year, month)
    if kept is not None:  # 重点项目汇总, fresh (projects-figures.md §Rollup): the same figures
        sums = kept["sums"]
        prog = project_figures.Progress(
            year,
            month,
            *(Decimal(sums[f]) for f in ("planned_year", "planned_ytd", "actual_ytd", "actual_month")),
        )
        red = kept["red"]
        counts = project_figures.stage_counts_from(kept["by_stage"])
    else:
        qs = project_selectors.filter_projects(user, listed, Project.objects.visible_to(user))
        # the red lights as the list's `light=red` filter counts them, with the year's progress
        # in the same scan of the progress rows; the stage counts and the total in one more
        prog, red = project_figures.progress_and_red(qs, year, month)
        counts = project_figures.stage_counts(qs) if not headline else {"total": qs.count()}
    rates = {} if headline else project_figures.stage_rates(None, counts)
    total = counts["total"]
    s = Section(
        "projects",
        _("重点项目"),
        link=_url("projects:board"),
        link_label=_("挂图作战"),
        note=_("%(year)s年1—%(month)s月") % {"year": year, "month": month},
    )
    s.figures = [
        Figure(
            "investment",
            _("投资完成率"),
            _pct(prog.completion),
            _url("projects:project_list", **listed),
            n=total,
            note=_("时序进度 %(e)s%%，%(lead)s") % {"e": prog.elapsed, "lead": _lead_text(prog.lead)},
            tone="danger" if prog.light == "red" else ("warning" if prog.light == "yellow" else ""),
        ),
        Figure(
            "red",
            _("红灯项目"),
            red,
            _url("projects:project_list", light="red", **listed),
            n=red,
            tone="danger" if red else "",
        ),
    ]
    stage_of = {key: (num, den) for key, _label, num, den in project_figures.RATE_DEFS}
    for key, r in rates.items():
        num, den = stage_of[key]
        s.figures.append(
            Figure(
                f"rate_{key}",
                str(r["label"]),
                _pct(r["rate"]),
                _url("projects:project_list", reached=num, **listed),
                n=r["numerator"],
                note=_("%(n)s / %(d)s 个") % {"n": r["numerator"], "d": r["denominator"]},
            )
        )
    return s


def _lead_text(lead: Decimal | None) -> str:
    if lead is None:
        return _("无计划")
    if lead >= 0:
        return _("超时序 %(p)s 个百分点") % {"p": lead}
    return _("落后时序 %(p)s 个百分点") % {"p": -lead}


# --- indicators --------------------------------------------------------------------------------
def indicators(user, region: Region, today: dt.date) -> Section:
    """Each indicator against its target and 时序进度 (以旬保月), and its year-on-year growth:
    the official rate (官方口径) where one is published, else the same-panel growth (测算)."""
    period, figs = indicator_selectors.region_figures(user, today, region)
    s = Section(
        "indicators",
        _("经济指标"),
        link=_url("indicators:dispatch", region=region.pk, period=period.code),
        link_label=_("经济指标调度"),
        note=period.label(),
    )
    for f in figs:
        if f.actual is None and f.official is None and f.target_year is None:
            continue
        growth, basis = (f.official, _("官方口径")) if f.is_official else (f.panel_growth, _("测算"))
        s.rows.append(
            {
                "key": f.indicator.code,
                "label": f.indicator.name,
                "unit": f.indicator.get_unit_display(),
                "actual": f.actual,
                "completion": f.completion,
                "elapsed": f.elapsed,
                "lead": f.lead,
                "light": f.light,
                "growth": growth,
                "growth_basis": basis,
                "growth_target": f.growth_target,
                "behind": (f.lead is not None and f.lead < 0)
                or (f.growth_gap is not None and f.growth_gap < 0),
                "url": _url(
                    "indicators:dispatch", region=region.pk, period=period.code, indicator=f.indicator.code
                ),
            }
        )
    behind = sum(1 for r in s.rows if r["behind"])
    s.figures = [
        Figure(
            "indicators_behind",
            _("落后于时序或增速目标的指标"),
            behind,
            s.link,
            tone="danger" if behind else "success",
        )
    ]
    return s


# --- 亩均 --------------------------------------------------------------------------------------
def mu(user, region: Region, today: dt.date) -> Section | None:
    run = mu_selectors.latest_run(user, region)
    if run is None:
        return None
    counts = mu_selectors.class_counts(user, run, region)
    s = Section(
        "mu",
        _("亩均效益评价"),
        link=_url("mu:run_regions", args=[run.pk]),
        link_label=_("区域排名"),
        note=_("%(year)s年度 %(scheme)s") % {"year": run.year, "scheme": run.scheme.name},
    )
    tones = {Klass.A: "success", Klass.D: "danger"}
    s.figures = [
        Figure(
            f"mu_{k}",
            str(Klass(k).label),
            n,
            _url("mu:run_detail", args=[run.pk], klass=k, region=region.pk),
            n=n,
            tone=tones.get(k, "") if n else "",
        )
        for k, n in counts.items()
    ]
    return s


# --- policies ----------------------------------------------------------------------------------
def policies(user, region: Region, today: dt.date) -> Section:
    paid = policy_figures.paid_in(user, region)
    s = Section("policies", _("惠企政策兑现"), link=_url("policies:figures"), link_label=_("兑现统计"))
    s.figures = [
        Figure(
            "paid",
            _("已兑现"),
            paid["n"],
            _url("policies:application_list", status="paid", region=region.pk),
            n=paid["n"],
            unit=_("笔"),
            note=_("金额 %(amount)s") % {"amount": wan(paid["amount"])} if paid["amount"] else "",
        )
    ]
    return s


# --- attraction --------------------------------------------------------------------------------
def attraction(user, region: Region, today: dt.date) -> Section | None:
    from zhuqi.core import permissions

    if not permissions.allowed(user, "attraction.view"):
        return None
    start = dt.date(today.year, 1, 1)
    f = attraction_figures.region_figures(user, region, start, today)
    cohort = {"region": region.pk, "from": start.isoformat(), "to": today.isoformat()}
    s = Section(
        "attraction",
        _("招商引资"),
        link=_url("attraction:rates"),
        link_label=_("招商成效"),
        note=_("%(year)s年登记的线索") % {"year": today.year},
    )
    s.figures = [
        Figure(
            "leads_year",
            _("今年登记线索"),
            f["registered"],
            _url("attraction:lead_list", **cohort),
            n=f["registered"],
        ),
        Figure(
            "signed_year",
            _("已签约"),
            f["signed"],
            _url("attraction:lead_list", metric="sign", part="n", **cohort),
            n=f["signed"],
            note=_("签约率 %(r)s") % {"r": _pct(f["sign_rate"])},
        ),
        Figure(
            "converted_year",
            _("已转为重点项目"),
            f["converted"],
            _url("attraction:lead_list", metric="convert", part="n", **cohort),
            n=f["converted"],
        ),
        Figure(
            "funds_year",
            _("省外到位资金（今年认定）"),
            half_up(Decimal(f["funds"]) / WAN, 2),
            _url("attraction:funds_ledger"),
            unit=_("万元"),
        ),
    ]
    return s


# --- oversight ---------------------------------------------------------------------------------
def oversight(user, region: Region, today: dt.date, *, headline: bool = False) -> Section:
    """The red and orange items of the queue, the latest bulletin. `headline`: the red ones only
    (the home card's)."""
    red = oversight_selectors.items_for(user, status="queue", slip=Slip.RED, region=region).count()
    s = Section("oversight", _("督查督办"), link=_url("oversight:item_list"), link_label=_("督办事项"))
    s.figures = [
        Figure(
            "red_items",
            _("红色督办"),
            red,
            _url("oversight:item_list", status="queue", slip=Slip.RED, region=region.pk),
            n=red,
            tone="danger" if red else "",
        )
    ]
    if headline:
        return s
    orange = oversight_selectors.items_for(user, status="queue", slip=Slip.ORANGE, region=region).count()
    bulletin = oversight_selectors.latest_bulletin(user, region)
    s.figures += [
        Figure(
            "orange_items",
            _("橙色督办"),
            orange,
            _url("oversight:item_list", status="queue", slip=Slip.ORANGE, region=region.pk),
            n=orange,
            tone="warning" if orange else "",
        ),
    ]
    if bulletin is not None:
        s.figures.append(
            Figure("bulletin", _("最新通报"), bulletin.title, bulletin.get_absolute_url(), unit="")
        )
    return s


SECTIONS = (indicators, cases, projects, attraction, mu, policies, oversight)


def sections(user, region: Region, today: dt.date) -> list[Section]:
    return [s for s in (build(user, region, today) for build in SECTIONS) if s is not None]


def flat(secs: list[Section]) -> dict[str, Figure]:
    return {f.key: f for s in secs for f in s.figures}


# --- the subdivisions (the map and its bar-chart fallback) --------------------------------------
#: metric → (label, lower is better, is a rate); each is one of the figures above, per child region
MAP_METRICS = {
    "overdue": (gettext_lazy("超时未办诉求"), True, False),
    "escalated": (gettext_lazy("提级到县级以上调度"), True, False),
    "close_rate": (gettext_lazy("办结率"), False, True),
    "red": (gettext_lazy("红灯项目"), True, False),
}
DEFAULT_METRIC = "overdue"


def children_of(user, region: Region) -> list[Region]:
    """The subdivisions of `region` the viewer may see (towns and parks of a county, counties
    of a city), in code order."""
    return list(Region.objects.visible_to(user).filter(parent=region, is_active=True).order_by("code"))


def _bucket(children: list[Region], rows) -> dict[int, int]:
    """(region path, n) rows summed into the child whose subtree holds the path."""
    out = {c.pk: 0 for c in children}
    for path, n in rows:
        for c in children:
            if (path or "").startswith(c.path):
                out[c.pk] += n
                break
    return out


def by_child(user, region: Region, children: list[Region], metric: str, today: dt.date) -> dict[int, dict]:
    """child pk → {value, url}: `metric` for each child, computed as the cockpit computes it for
    the child itself (the same selectors, grouped by region path in one query)."""
    listed = {"region": region.pk}
    if metric in ("overdue", "escalated"):
        params = {"overdue": "1"} if metric == "overdue" else {"open": "1", "level": "3"}
        qs = case_selectors.case_list(user, {**params, **listed})
        counts = _bucket(
            children,
            qs.order_by().values("region_path").annotate(n=Count("pk")).values_list("region_path", "n"),
        )
        return {
            c.pk: {"value": counts[c.pk], "url": _url("cases:list", **params, region=c.pk)} for c in children
        }
    if metric == "close_rate":
        from zhuqi.cases import rollups as case_rollups
        from zhuqi.core.units import rate

        start = dt.date(today.year, 1, 1)
        kept = case_rollups.by_path(user, region.path, start.year)
        if kept is not None:  # the yearly counts, fresh (cases-figures.md §Rollup): the same rates
            accepted = _bucket(children, [(p, a) for p, a, _c in kept])
            closed = _bucket(children, [(p, c) for p, _a, c in kept])
            rates = {c.path: rate(closed[c.pk], accepted[c.pk]) for c in children}
        else:
            base = case_figures.base(user, start).filter(region_path__startswith=region.path)
            depth = region.path.count("/") + 1
            rows = {r["key"]: r["close_rate"] for r in case_figures.by_dimension(base, "region", depth)}
            rates = {c.path: (rows.get(c.path) or {}).get("rate") for c in children}
        return {
            c.pk: {
                "value": rates[c.path],
                "url": _url(
                    "cases:list", metric="close_rate", part="n", start=start.isoformat(), region=c.pk
                ),
            }
            for c in children
        }
    if metric == "red":
        from zhuqi.projects import rollups as project_rollups

        year, month = project_figures.report_period(today)
        kept = project_rollups.red_by_path(user, region.path, year, month)
        if kept is not None:  # 重点项目汇总, fresh: the same counts
            counts = _bucket(children, kept)
        else:
            qs = project_selectors.filter_projects(user, listed, Project.objects.visible_to(user))
            red = project_figures.projects_with_light(qs, year, month, "red")
            counts = _bucket(
                children,
                red.order_by()
                .values("region__path")
                .annotate(n=Count("pk"))
                .values_list("region__path", "n"),
            )
        return {
            c.pk: {"value": counts[c.pk], "url": _url("projects:project_list", light="red", region=c.pk)}
            for c in children
        }
    raise ValueError(metric)

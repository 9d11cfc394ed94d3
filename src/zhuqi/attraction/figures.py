"""The rates of 招商引资 over an explicit cohort: the leads registered in a period (and visible
to the viewer). Each rate is defined once as two conditions over leads, so the number and its
drill-down (the lead list with `?metric=…&part=n|d&from=…&to=…`) agree. Definitions and a
hand-worked example: src/zhuqi/docs/attraction-figures.md §Rates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils.translation import gettext_lazy as _

from zhuqi.core.units import rate

from .models import Lead, Stage, StageChange


def reached_q(code: str) -> Q:
    """Leads that have ever been in stage `code` or a later main stage of their pipeline (from
    the stage history, so a lead later shelved or lost still counts as having reached it)."""
    per_pipeline = Q(pk__in=[])
    for pipeline_id, order in Stage.objects.filter(code=code).values_list("pipeline_id", "order"):
        per_pipeline |= Q(
            lead__pipeline_id=pipeline_id,
            to_stage__order__gte=order,
            to_stage__is_lost=False,
            to_stage__is_shelved=False,
        )
    return Q(pk__in=StageChange.objects.filter(per_pipeline).values("lead_id"))


@dataclass(frozen=True)
class Metric:
    key: str
    label: object
    numerator: Q
    denominator: Q
    definition: object


def metrics() -> list[Metric]:
    signed = reached_q("signed")
    return [
        Metric("sign", _("签约率"), signed, Q(), _("签约（含以后阶段）的线索 ÷ 登记的线索")),
        Metric(
            "land",
            _("落地率"),
            signed & reached_q("registered"),
            signed,
            _("在本地注册的已签约线索 ÷ 已签约的线索"),
        ),
        Metric(
            "start",
            _("开工率"),
            signed & reached_q("started"),
            signed,
            _("已开工的已签约线索 ÷ 已签约的线索"),
        ),
        Metric(
            "convert",
            _("转化率"),
            Q(project__isnull=False),
            Q(),
            _("已转为重点项目的线索 ÷ 登记的线索"),
        ),
    ]


METRIC_KEYS = frozenset({"sign", "land", "start", "convert"})


def cohort(qs, start: dt.date, end: dt.date):
    """The cohort: leads registered in [start, end]."""
    return qs.filter(registered_on__gte=start, registered_on__lte=end)


def metric_q(key: str, part: str) -> Q | None:
    """The condition behind one part ("n" numerator, "d" denominator) of a metric."""
    for m in metrics():
        if m.key == key:
            return m.numerator if part == "n" else m.denominator
    return None


def rates(user, start: dt.date, end: dt.date) -> dict:
    """Every rate over the viewer's cohort, in one aggregate query."""
    qs = cohort(Lead.objects.visible_to(user), start, end)
    ms = metrics()
    agg = {}
    for m in ms:
        agg[f"{m.key}_n"] = Count("pk", filter=m.numerator)
        agg[f"{m.key}_d"] = Count("pk", filter=m.denominator)
    agg["cohort"] = Count("pk")
    counts = qs.aggregate(**agg)
    rows = [
        {
            "metric": m,
            "n": counts[f"{m.key}_n"],
            "d": counts[f"{m.key}_d"],
            "rate": rate(counts[f"{m.key}_n"], counts[f"{m.key}_d"]),
        }
        for m in ms
    ]
    return {"cohort": counts["cohort"], "rows": rows, "start": start, "end": end}


def region_figures(user, region, start: dt.date, end: dt.date) -> dict:
    """The cockpit's attraction figures of a region subtree for the viewer: the leads registered
    in [start, end], those of them signed (the 签约率's numerator) and turned into projects (the
    转化率's), and the recognised 省外到位资金 of the year of `end` (yuan). Each count is the lead
    list with `region`, `from`, `to` (and `metric`, `part`)."""
    from django.db.models import Sum

    from .models import FundMonth

    leads = cohort(Lead.objects.visible_to(user).filter(region_path__startswith=region.path), start, end)
    ms = {m.key: m for m in metrics()}
    counts = leads.aggregate(
        registered=Count("pk"),
        signed=Count("pk", filter=ms["sign"].numerator),
        converted=Count("pk", filter=ms["convert"].numerator),
    )
    funds = FundMonth.objects.filter(
        lead__in=Lead.objects.visible_to(user).filter(region_path__startswith=region.path).values("pk"),
        recognised=True,
        year=end.year,
        month__lte=end.month,
    ).aggregate(s=Sum("amount"))["s"]
    return {**counts, "funds": funds or 0, "sign_rate": rate(counts["signed"], counts["registered"])}


# --- annual targets (年度目标) -----------------------------------------------------------------------
#: the target metrics: key, label, the AnnualTarget field
TARGET_METRICS = [
    ("signed_count", _("签约亿元以上项目（个）")),
    ("signed_amount", _("签约额")),
    ("funds", _("省外到位资金")),
]


def signed_major_q(start: dt.date, end: dt.date) -> Q:
    """签约亿元以上项目 of [start, end]: leads of 1 亿元 or more whose first entry into a 签约
    (won) stage fell on a day in [start, end] (Beijing time). The annual target's actual and
    oversight's metric `attraction.signed_major`; the lead list's `signed_from`/`signed_to`."""
    from zhuqi.core.units import YI
    from zhuqi.core.workcalendar import SHANGHAI

    lo = dt.datetime.combine(start, dt.time(), tzinfo=SHANGHAI)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    first_signed = (
        StageChange.objects.filter(to_stage__is_won=True)
        .values("lead_id")
        .annotate(first=Min("at"))
        .filter(first__gte=lo, first__lt=hi)
        .values("lead_id")
    )
    return Q(amount__gte=YI, pk__in=first_signed)


def funds_q(start: dt.date, end: dt.date) -> Q:
    """省外到位资金 of [start, end]: the recognised fund months (FundMonth) whose month falls in
    the months from `start`'s to `end`'s. The annual target's actual, the 台账's rows with
    `recognised=1&from_month=…&to_month=…` and oversight's metric `attraction.funds`."""
    q = Q(pk__in=[])
    for year in range(start.year, end.year + 1):
        lo = start.month if year == start.year else 1
        hi = end.month if year == end.year else 12
        q |= Q(year=year, month__gte=lo, month__lte=hi)
    return Q(recognised=True) & q


def _actuals(leads, year: int, until: dt.date | None = None) -> dict[str, object]:
    """A unit's actuals in `year` (up to `until`, a day of the year, when given) over `leads` (a
    Lead queryset): leads of 1 亿元 or more that first entered a 签约 stage in the year
    (`signed_major_q`); the amount of the formal contracts signed in the year; the recognised
    省外到位资金 of the year (`funds_q`, whole months)."""
    from django.db.models import Sum

    from .models import Contract, FundMonth

    first, last = dt.date(year, 1, 1), until or dt.date(year, 12, 31)
    signed = leads.filter(signed_major_q(first, last)).count()
    amount = Contract.objects.filter(
        lead__in=leads.values("pk"), kind=Contract.Kind.FORMAL, signed_on__range=(first, last)
    ).aggregate(s=Sum("amount"))["s"]
    funds = FundMonth.objects.filter(funds_q(first, last), lead__in=leads.values("pk")).aggregate(
        s=Sum("amount")
    )["s"]
    return {"signed_count": signed, "signed_amount": amount or 0, "funds": funds or 0}


def target_progress(region, year: int, user=None, until: dt.date | None = None) -> list[dict]:
    """Progress of every target of `region`'s subtree in `year` (of the leads `user` sees, when
    given; up to the day `until` of the year, when given): one row per unit (a region, or a team)
    and metric — unit, its region and team ids, metric, label, target, actual, 完成率 (actual ÷
    target, %, half up to 0.1; None when the target is 0). A team's leads are those it follows; a
    region's those landing in its subtree. For oversight's assessments."""
    from .models import AnnualTarget

    rows = []
    base = Lead.objects.all() if user is None else Lead.objects.visible_to(user)
    targets = (
        AnnualTarget.objects.filter(year=year, region__path__startswith=region.path)
        .select_related("region", "team")
        .order_by("region__path", "team__name", "pk")
    )
    for t in targets:
        leads = base.filter(region_path__startswith=t.region.path)
        if t.team_id:
            leads = leads.filter(team_id=t.team_id)
        actual = _actuals(leads, year, until)
        for key, label in TARGET_METRICS:
            target = getattr(t, key)
            rows.append(
                {
                    "unit": t.team.name if t.team_id else t.region.name,
                    "target_id": t.pk,
                    "region_id": t.region_id,
                    "team_id": t.team_id,
                    "is_team": bool(t.team_id),
                    "metric": key,
                    "label": label,
                    "target": target,
                    "actual": actual[key],
                    "rate": rate(actual[key], target),
                }
            )
    return rows


def target_ranking(region, year: int, user=None) -> list[dict]:
    """The units of `target_progress` ranked by the 完成率 of 签约亿元以上项目, then 签约额, then
    到位资金 (a missing rate ranks last); each with its three rows."""
    units: dict[int, dict] = {}
    for row in target_progress(region, year, user):
        unit = units.setdefault(
            row["target_id"], {"unit": row["unit"], "is_team": row["is_team"], "rows": {}}
        )
        unit["rows"][row["metric"]] = row

    def key(u):
        return tuple(
            -(u["rows"][m]["rate"] if u["rows"][m]["rate"] is not None else -1) for m, _l in TARGET_METRICS
        )

    ranked = sorted(units.values(), key=key)
    for i, u in enumerate(ranked, start=1):
        u["rank"] = i
        u["cells"] = [u["rows"][m] for m, _l in TARGET_METRICS]
    return ranked

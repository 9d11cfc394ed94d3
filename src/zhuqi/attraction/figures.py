"""The rates of 招商引资 over an explicit cohort: the leads registered in a period (and visible
to the viewer). Each rate is defined once as two conditions over leads, so the number and its
drill-down (the lead list with `?metric=…&part=n|d&from=…&to=…`) agree. Definitions and a
hand-worked example: src/zhuqi/docs/attraction-figures.md §Rates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from zhuqi.core.units import rate

from .models import Lead, Stage, StageChange


def reached_q(code: str) -> Q:
    """Leads that have ever been in stage `code` or a later main stage of their pipeline (from
    the stage history, so a lead later shelved or lost still counts as having reached it).
    Per pipeline: the lead is in it and EXISTS a change of the lead into one of its stages from
    `code` on — a probe of the lead's own changes (index on `lead_id`), not a semi-join over
    every stage change of every lead (bench/RESULTS.md, the cockpit at province scale)."""
    rows = list(Stage.objects.values_list("pk", "pipeline_id", "order", "code", "is_lost", "is_shelved"))
    floor = {pipeline_id: order for _pk, pipeline_id, order, c, _l, _s in rows if c == code}
    stages: dict[int, list[int]] = {}
    for pk, pipeline_id, order, _c, lost, shelved in rows:
        if pipeline_id in floor and order >= floor[pipeline_id] and not lost and not shelved:
            stages.setdefault(pipeline_id, []).append(pk)
    q = Q(pk__in=[])
    for pipeline_id, ids in sorted(stages.items()):
        q |= Q(pipeline_id=pipeline_id) & Q(
            Exists(StageChange.objects.filter(lead_id=OuterRef("pk"), to_stage_id__in=sorted(ids)))
        )
    return q


#: leads turned into a key project (转化率's numerator)
CONVERTED = Q(project__isnull=False)


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
            CONVERTED,
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

    from . import rollups
    from .models import FundMonth

    kept = rollups.region_figures(user, region.path, start, end)  # §Rollup, where fresh and readable
    if kept is not None:
        return {**kept, "sign_rate": rate(kept["signed"], kept["registered"])}
    leads = cohort(Lead.objects.visible_to(user).filter(region_path__startswith=region.path), start, end)
    counts = leads.aggregate(
        registered=Count("pk"),
        signed=Count("pk", filter=reached_q("signed")),  # 签约率's numerator (metrics())
        converted=Count("pk", filter=CONVERTED),  # 转化率's
    )
    funds = FundMonth.objects.filter(
        counted_q(),
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

#: the size bands (规模档) of signed projects: the AnnualTarget field, the floor in 亿元 (plan amount
#: of the lead, floor included; each band counts every larger project too, as "其中" does in the
#: seeds' "签约亿元以上项目20个，其中5亿元以上、20亿元以上、50亿元以上…"), its label. The first is
#: 签约亿元以上项目 itself. The lead list's `size=<floor>` filter.
SIZE_BANDS = [
    ("signed_count", 1, _("1 亿元及以上")),
    ("signed_5", 5, _("5 亿元及以上")),
    ("signed_20", 20, _("20 亿元及以上")),
    ("signed_50", 50, _("50 亿元及以上")),
]
SIZE_FLOORS = frozenset(floor for _f, floor, _l in SIZE_BANDS)

#: the 延链补链 qualifier: of 签约亿元以上项目, those whose chain link (`Lead.chain_node`) is marked
#: 延链 or 补链 (the seeds' "其中，延链补链式亿元以上项目20个"). The lead list's `chain_gap=1`.
CHAIN_BAND = ("signed_chain", _("其中延链补链（1 亿元及以上）"))

#: the band metrics of `target_progress` beyond 签约亿元以上项目 (shown under it, not ranked)
BAND_METRICS = [(field, label) for field, _floor, label in SIZE_BANDS[1:]] + [CHAIN_BAND]


def chain_gap_q(prefix: str = "") -> Q:
    """Leads on a chain link marked 延链 or 补链 (the link's own mark, switched off or not)."""
    from .models import ChainNode

    return Q(**{f"{prefix}chain_node__gap__in": [ChainNode.Gap.EXTEND, ChainNode.Gap.FILL]})


def signed_major_q(start: dt.date, end: dt.date, floor_yi: int = 1) -> Q:
    """签约亿元以上项目 of [start, end]: leads of 1 亿元 (`floor_yi` 亿元, for a size band) or more
    whose first entry into a 签约 (won) stage fell on a day in [start, end] (Beijing time). The
    annual target's actual and oversight's metric `attraction.signed_major`; the lead list's
    `signed_from`/`signed_to` (and `size`)."""
    from zhuqi.core.units import YI
    from zhuqi.core.workcalendar import SHANGHAI

    lo = dt.datetime.combine(start, dt.time(), tzinfo=SHANGHAI)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    # the first won change falls in [lo, hi): one in it, none before it (two probes of the
    # lead's own changes, not a GROUP BY over every won change of every lead)
    won = StageChange.objects.filter(lead_id=OuterRef("pk"), to_stage__is_won=True)
    return (
        Q(amount__gte=floor_yi * YI)
        & Q(Exists(won.filter(at__gte=lo, at__lt=hi)))
        & ~Q(Exists(won.filter(at__lt=lo)))
    )


def late_exists():
    """EXISTS: the fund month (FundMonth, outer row) was recorded after its month of the 台账 was
    closed (关账, `LedgerClose` not reopened) for a region containing its lead."""
    from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef

    from .models import LedgerClose

    return Exists(
        LedgerClose.objects.filter(
            year=OuterRef("year"),
            month=OuterRef("month"),
            reopened_at__isnull=True,
            closed_at__lt=OuterRef("recorded_at"),
        )
        .annotate(lead_path=ExpressionWrapper(OuterRef("lead__region_path"), output_field=CharField()))
        .filter(lead_path__startswith=F("region__path"))
    )


def counted_q() -> Q:
    """Fund months the 台账 counts: all but those recorded after their month was closed
    ("nothing counted that was not in the 台账 before the period closed", §关账)."""
    return ~Q(late_exists())


def funds_q(start: dt.date, end: dt.date) -> Q:
    """省外到位资金 of [start, end]: the recognised fund months (FundMonth) whose month falls in
    the months from `start`'s to `end`'s. The annual target's actual, the 台账's rows with
    `recognised=1&from_month=…&to_month=…` and oversight's metric `attraction.funds`. A row
    recorded after its month was closed does not count (`counted_q`)."""
    q = Q(pk__in=[])
    for year in range(start.year, end.year + 1):
        lo = start.month if year == start.year else 1
        hi = end.month if year == end.year else 12
        q |= Q(year=year, month__gte=lo, month__lte=hi)
    return Q(recognised=True) & q & counted_q()


def actuals(leads, year: int, until: dt.date | None = None) -> dict[str, object]:
    """A unit's actuals in `year` (up to `until`, a day of the year, when given) over `leads` (a
    Lead queryset): leads of 1 亿元 or more that first entered a 签约 stage in the year
    (`signed_major_q`); the amount of the formal contracts signed in the year; the recognised
    省外到位资金 of the year (`funds_q`, whole months)."""
    from django.db.models import Sum

    from zhuqi.core.units import YI

    from .models import Contract, FundMonth

    first, last = dt.date(year, 1, 1), until or dt.date(year, 12, 31)
    bands = leads.filter(signed_major_q(first, last)).aggregate(
        **{field: Count("pk", filter=Q(amount__gte=floor * YI)) for field, floor, _l in SIZE_BANDS},
        signed_chain=Count("pk", filter=chain_gap_q()),
    )
    amount = Contract.objects.filter(
        lead__in=leads.values("pk"), kind=Contract.Kind.FORMAL, signed_on__range=(first, last)
    ).aggregate(s=Sum("amount"))["s"]
    funds = FundMonth.objects.filter(funds_q(first, last), lead__in=leads.values("pk")).aggregate(
        s=Sum("amount")
    )["s"]
    return {**bands, "signed_amount": amount or 0, "funds": funds or 0}


def target_leads(target, user=None, base=None):
    """The leads a target's actuals count (of those `user` sees, when given): a team's are the
    leads it follows in the region's subtree, a region's those landing in its subtree."""
    if base is None:
        base = Lead.objects.all() if user is None else Lead.objects.visible_to(user)
    leads = base.filter(region_path__startswith=target.region.path)
    return leads.filter(team_id=target.team_id) if target.team_id else leads


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
        actual = actuals(target_leads(t, user, base), year, until)
        for key, label in TARGET_METRICS + BAND_METRICS:
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
                    "floor": 1
                    if key == CHAIN_BAND[0]
                    else next((f for k, f, _l in SIZE_BANDS if k == key), None),
                    "chain_gap": key == CHAIN_BAND[0],
                }
            )
    return rows


def target_ranking(region, year: int, user=None) -> list[dict]:
    """The units of `target_progress` ranked by the 完成率 of 签约亿元以上项目, then 签约额, then
    到位资金 (a missing rate ranks last); each with its three rows."""
    units: dict[int, dict] = {}
    for row in target_progress(region, year, user):
        unit = units.setdefault(
            row["target_id"],
            {"unit": row["unit"], "target_id": row["target_id"], "is_team": row["is_team"], "rows": {}},
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
        u["bands"] = [u["rows"][m] for m, _l in BAND_METRICS]
    return ranked


# --- 时序进度 of the annual targets (decomposed over the year) -------------------------------------
def as_of_month(year: int, day: dt.date) -> int:
    """The months of `year` elapsed on `day`: its month (the month under way counts, as 1—m月
    does), 12 for a past year, 0 for a year not begun."""
    if year < day.year:
        return 12
    if year > day.year:
        return 0
    return day.month


def cumulative_target(whole, month: int, parts: dict[str, dict[int, Decimal]], places: int) -> Decimal:
    """The target to the end of `month` (0–12): Σ the month parts to it where the target is
    decomposed to months; with quarters, the quarters ended plus the quarter under way's part pro
    rata to its months elapsed; undecomposed, the whole × month ÷ 12 — either pro rata rounded
    half up to `places` (0: a whole project; 2: the fen)."""
    whole = Decimal(whole)
    q = Decimal(1).scaleb(-places)
    if month <= 0:
        return Decimal(0)
    if month >= 12:
        return whole
    if "M" in parts:
        return sum((a for i, a in parts["M"].items() if i <= month), Decimal(0))
    if "Q" in parts:
        done, k = divmod(month, 3)
        upto = sum((a for i, a in parts["Q"].items() if i <= done), Decimal(0))
        return upto + (parts["Q"].get(done + 1, Decimal(0)) * k / 3).quantize(q, ROUND_HALF_UP)
    return (whole * month / 12).quantize(q, ROUND_HALF_UP)


def target_schedule(target, day: dt.date, user=None, parts=None, actual: dict | None = None) -> dict:
    """A target's progress in time on `day` for 签约亿元以上项目, 签约额 and 省外到位资金: per metric
    the annual target, the target to date (`cumulative_target` at `as_of_month`), the actual
    from 1 January to `day` (the rules of `target_progress`), 完成率 (actual ÷ annual target),
    时序进度 (target to date ÷ annual target; undecomposed: months ÷ 12), 超时序进度 in points
    (完成率 − 时序进度) and `behind` (滞后: 超时序进度 below 0). `actual`: the year's actuals
    already counted (`target_progress` of a past year, whole), to save the queries.
    attraction-figures.md §时序进度."""
    from zhuqi.core.progress import elapsed_pct, lead

    month = as_of_month(target.year, day)
    until = min(day, dt.date(target.year, 12, 31))
    if not month:
        actual = {k: 0 for k, _l in TARGET_METRICS}
    elif actual is None or month < 12:
        actual = actuals(target_leads(target, user), target.year, until)
    by_metric: dict[str, dict[str, dict[int, Decimal]]] = {}
    rows = parts if parts is not None else target.parts.all()
    for part in rows:
        idx = int(part.period[-1]) if part.period_type == "Q" else int(part.period[-2:])
        by_metric.setdefault(part.metric, {}).setdefault(part.period_type, {})[idx] = part.amount
    out = []
    for key, label in TARGET_METRICS:
        whole = getattr(target, key)
        places = 0 if key == "signed_count" else 2
        own = by_metric.get(key, {})
        to_date = cumulative_target(whole, month, own, places)
        completion = rate(actual[key], whole)
        elapsed = rate(to_date, whole) if own else (elapsed_pct(month) if whole else None)
        ahead = None if elapsed is None else lead(completion, elapsed)
        out.append(
            {
                "metric": key,
                "label": label,
                "target": whole,
                "to_date": to_date,
                "actual": actual[key],
                "rate": completion,
                "elapsed": elapsed,
                "lead": ahead,
                "behind": ahead is not None and ahead < 0,
            }
        )
    return {"month": month, "until": until, "decomposed": bool(by_metric), "rows": out}

"""Case figures with exact definitions (src/zhuqi/docs/cases-figures.md,
shown in the product at /core/docs/cases-figures/). Every figure is a count of
cases matching a Q, or a ratio of two such counts, so each can be drilled down to its rows:
the same Q filters the case list.

The cohort is the cases *submitted* in the period (提交时间) within the viewer's scope; merged
and withdrawn cases are never counted as accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuqi.core.models import Department, Region
from zhuqi.core.units import rate, ratio

from .models import TERMINAL, Case, Category, Channel, Status

ACCEPTED = Q(accepted_at__isnull=False) & ~Q(status__in=[Status.MERGED, Status.WITHDRAWN])
CLOSED = Q(status=Status.CLOSED) & Q(accepted_at__isnull=False)
FOLLOWED = ~Q(satisfaction="")
SATISFIED = Q(satisfaction__in=["satisfied", "basic"])
# the only way a case is reopened is an unsatisfied follow-up answer (services.follow_up_case
# counts it in reopen_count), so reopen_count = 0 on a followed-up case means its first
# follow-up answer was satisfied or basic
NEVER_REOPENED = Q(reopen_count=0)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    numerator: Q
    denominator: Q | None = None  # None: a plain count
    definition: str = ""
    lower_is_better: bool = False

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def sign_overdue_q(now: dt.datetime) -> Q:
    """Cases waiting to be signed past their sign deadline: the sign clock is running (its
    deadline is set), has passed and is not paused (a paused deadline moves on resumption)."""
    return ~Q(status__in=TERMINAL) & Q(sign_due_at__lt=now, paused_at__isnull=True)


def reply_overdue_q(now: dt.datetime) -> Q:
    """Accepted open cases past their reply deadline (办结期限) and not paused."""
    return ACCEPTED & ~Q(status__in=TERMINAL) & Q(reply_due_at__lt=now, paused_at__isnull=True)


def metrics(now: dt.datetime | None = None) -> list[Metric]:
    # clock outcomes are copied onto the case when a clock stops (services._keep_outcome), so
    # every figure is column arithmetic over the cases in scope: no subquery per case. The
    # on-time figures also look at the running deadlines against `now` (the time of the request)
    now = now or timezone.now()
    sign_done = Q(sign_done=True)
    sign_missed = Q(sign_missed=True)
    reply_missed = Q(reply_missed=True)
    sign_overdue = sign_overdue_q(now)
    # 应办结: fell due — closed, or its reply deadline passed (missed before, or open past it)
    reply_due = CLOSED | (ACCEPTED & reply_missed) | reply_overdue_q(now)
    return [
        Metric("received", _("诉求总数"), Q(), None, _("期内提交的诉求件数（各渠道）")),
        Metric("accepted", _("受理数"), ACCEPTED, None, _("期内提交且已受理的件数（不含合并、撤回）")),
        Metric("closed", _("办结数"), CLOSED, None, _("已受理且已销号的件数")),
        Metric("close_rate", _("办结率"), CLOSED, ACCEPTED, _("办结数 ÷ 受理数")),
        Metric(
            "sign_ontime",
            _("按时签收率"),
            sign_done & ~sign_missed & ~sign_overdue,
            sign_done | sign_overdue,
            _(
                "每次交办都在签收时限内签收（或退单）且没有超时待签收的件数 ÷ "
                "有签收结果或已超过签收时限仍未签收的件数"
            ),
        ),
        Metric(
            "close_ontime",
            _("按时办结率"),
            CLOSED & ~reply_missed,
            reply_due,
            _(
                "按时办结件数 ÷ 应办结件数：应办结为已办结或已过办结期限的件数（超期未办结的计为未按时）；"
                "按时办结为已办结且没有任何一次办结答复超时（含延期、暂停后的期限）"
            ),
        ),
        Metric(
            "close_ontime_closed",
            _("办结件按时率"),
            CLOSED & ~reply_missed,
            CLOSED,
            _("仅看已办结件：没有任何一次办结答复超时的件数 ÷ 办结数（未办结的超期件不计入）"),
        ),
        Metric(
            "solve_rate",
            _("解决率"),
            CLOSED & Q(resolved=True),
            CLOSED,
            _("办结件中部门最终答复为“已解决”的件数 ÷ 办结数（部门自报）"),
        ),
        Metric(
            "solve_first_call",
            _("一次解决率"),
            CLOSED & Q(resolved=True) & NEVER_REOPENED,
            CLOSED,
            _("办结件中部门答复“已解决”且企业首次回访即满意或基本满意（从未重办）的件数 ÷ 办结数"),
        ),
        Metric(
            "solve_enterprise",
            _("企业认可解决率"),
            CLOSED & Q(enterprise_solved=True),
            CLOSED & Q(enterprise_solved__isnull=False),
            _(
                "办结件中企业在最近一次回访时回答“已解决”的件数 ÷ 办结件中企业回答了“是否已解决”的件数（企业自己的判断）"
            ),
        ),
        Metric(
            "first_satisfaction",
            _("首次满意率"),
            FOLLOWED & NEVER_REOPENED & SATISFIED,
            FOLLOWED,
            _("第一次回访即为满意或基本满意的件数 ÷ 已回访件数（不满意后重办再满意的不计）"),
        ),
        Metric(
            "satisfaction",
            _("最终满意率"),
            SATISFIED,
            FOLLOWED,
            _("最近一次回访为满意或基本满意的件数 ÷ 已回访件数（含重办后满意的）"),
        ),
        Metric(
            "reopen_rate",
            _("重办率"),
            FOLLOWED & Q(reopen_count__gt=0),
            FOLLOWED,
            _("曾因不满意重办的件数 ÷ 已回访件数"),
            lower_is_better=True,
        ),
    ]


class _Fresh(Mapping):
    """A mapping built again on each access, so its labels are in the request's language (a dict
    built at import would freeze them; lazy strings would break the Excel export)."""

    def __init__(self, build):
        self._build = build

    def __getitem__(self, key):
        return self._build()[key]

    def __iter__(self):
        return iter(self._build())

    def __len__(self):
        return len(self._build())


METRICS = _Fresh(lambda: {m.key: m for m in metrics()})

DIMENSIONS = _Fresh(
    lambda: {
        "department": _("主办部门"),
        "category": _("问题类别"),
        "region": _("所在区划"),
        "channel": _("来源渠道"),
        "period": _("月份"),
    }
)


def dim_expr(dim: str):
    return {
        "department": F("lead_department_id"),
        "category": Coalesce("category__parent_id", "category_id"),
        "region": F("region_id"),
        "channel": F("channel"),
        "period": TruncMonth("submitted_at"),
    }[dim]


def dim_q(dim: str, key: str) -> Q:
    """The cases of one row of a dimension (for drill-down)."""
    if key in ("", "None"):
        return {
            "department": Q(lead_department__isnull=True),
            "category": Q(category__isnull=True),
            "region": Q(region_path=""),
            "channel": Q(channel=""),
            "period": Q(pk__in=[]),
        }[dim]
    if dim == "department":
        return Q(lead_department_id=int(key))
    if dim == "category":
        return Q(category_id=int(key)) | Q(category__parent_id=int(key))
    if dim == "region":
        # a path (rolled-up level) or, from older links, a region id
        return Q(region_path__startswith=key) if "/" in key else Q(region_id=int(key))
    if dim == "channel":
        return Q(channel=key)
    if dim == "period":
        y, m = (int(x) for x in key.split("-")[:2])
        from zhuqi.core.workcalendar import SHANGHAI

        start = dt.datetime(y, m, 1, tzinfo=SHANGHAI)
        end = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=SHANGHAI)
        return Q(submitted_at__gte=start, submitted_at__lt=end)
    raise ValueError(dim)


def period_q(start: dt.date | None, end: dt.date | None) -> Q:
    from zhuqi.core.workcalendar import SHANGHAI

    q = Q()
    if start:
        q &= Q(submitted_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=SHANGHAI))
    if end:
        q &= Q(submitted_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI))
    return q


def _aggregates() -> dict:
    out = {}
    for m in METRICS.values():
        out[f"{m.key}__n"] = Count("pk", filter=m.numerator) if m.numerator else Count("pk")
        if m.denominator is not None:
            out[f"{m.key}__d"] = Count("pk", filter=m.denominator)
    # the average as a sum and a count, so groups add up to the totals exactly
    out["days__sum"] = Sum("close_working_days", filter=CLOSED)
    out["days__n"] = Count("close_working_days", filter=CLOSED)
    return out


def _add(into: dict, row: dict) -> dict:
    for k, v in row.items():
        if k.endswith(("__n", "__d", "__sum")):
            into[k] = (into.get(k) or 0) + (v or 0)
    return into


def _finish(row: dict) -> dict:
    days_n = row.get("days__n") or 0
    out = {"avg_days": ratio(row.get("days__sum") or 0, days_n)}
    for m in METRICS.values():
        n = row.get(f"{m.key}__n") or 0
        if m.is_rate:
            d = row.get(f"{m.key}__d") or 0
            out[m.key] = {"n": n, "d": d, "rate": rate(n, d)}
        else:
            out[m.key] = {"n": n}
    return out


def totals(qs) -> dict:
    return _finish(qs.aggregate(**_aggregates()))


def region_depth_for(user) -> int:
    """The level the region dimension groups by: one below the viewer's region (a province
    official sees cities, a county official towns and parks), counted in path segments."""
    from zhuqi.core.scope import scope_for

    path = scope_for(user).region_path
    return (path.count("/") + 1) if path else 2


def summary(qs, dim: str, region_depth: int = 0) -> tuple[dict, list[dict]]:
    """(totals, rows by `dim`) from one grouped query: the totals are the groups' sums.
    `region_depth` rolls the region dimension up to paths of that many segments."""
    if dim == "region":
        raw = list(qs.order_by().values("region_path").annotate(**_aggregates()).order_by("region_path"))
        merged: dict[str, dict] = {}
        for r in raw:
            parts = (r["region_path"] or "").strip("/").split("/")
            key = "/".join(parts[:region_depth]) + "/" if region_depth and parts != [""] else r["region_path"]
            _add(merged.setdefault(key, {"k": key}), r)
        raw = list(merged.values())
    else:
        raw = list(
            qs.order_by().annotate(k=dim_expr(dim)).values("k").annotate(**_aggregates()).order_by("k")
        )
    total: dict = {}
    for r in raw:
        _add(total, r)
    labels = _labels(dim, [r["k"] for r in raw])
    out = []
    for r in raw:
        key = r["k"]
        if dim == "period" and key is not None:
            from django.utils import timezone

            key = (
                timezone.localtime(key).strftime("%Y-%m") if timezone.is_aware(key) else key.strftime("%Y-%m")
            )
        out.append(
            {"key": "" if key is None else str(key), "label": labels.get(r["k"], _("未指定")), **_finish(r)}
        )
    if dim == "department":
        out.sort(key=lambda x: (x["close_rate"]["rate"] is None, -(x["close_rate"]["rate"] or 0)))
    if dim == "region":
        out.sort(key=lambda x: x["key"])
    return _finish(total), out


def by_dimension(qs, dim: str, region_depth: int = 0) -> list[dict]:
    return summary(qs, dim, region_depth)[1]


def _labels(dim: str, keys: list) -> dict:
    ids = [k for k in keys if k is not None]
    if dim == "department":
        return {d.pk: d.short_name or d.name for d in Department.objects.filter(pk__in=ids)}
    if dim == "category":
        return {c.pk: c.name for c in Category.objects.filter(pk__in=ids)}
    if dim == "region":
        return {r.path: r.name for r in Region.objects.filter(path__in=ids)}
    if dim == "channel":
        return dict(Channel.choices)
    if dim == "period":
        from django.utils import timezone

        return {
            k: (timezone.localtime(k) if timezone.is_aware(k) else k).strftime(_("%Y年%m月")) for k in ids
        }
    return {}


def drill(qs, metric: str, part: str = "n", dim: str = "", key: str | None = None):
    """The cases behind one number: metric numerator (`n`) or denominator (`d`)."""
    m = METRICS[metric]
    q = m.denominator if (part == "d" and m.denominator is not None) else m.numerator
    qs = qs.filter(q)
    if dim and key is not None:
        qs = qs.filter(dim_q(dim, key))
    return qs


def base(user, start=None, end=None):
    return Case.objects.visible_to(user).filter(period_q(start, end))

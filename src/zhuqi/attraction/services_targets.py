"""Decomposing a 招商 annual target over the year (以月保季、以季保年): its 签约亿元以上项目 count,
签约额 and 省外到位资金 spread over quarters, or over months (the quarters derived from them),
equally, by last year's actual progress of the same unit, or by hand. The parts of a metric add up
to its annual target exactly (`core.progress.split_cumulative`: the plan to the end of each part
is the pro-rata share rounded half up — to a whole project, to the fen — and each part the
difference, so a count splits into whole numbers and no part is negative). The size bands
(5/20/50 亿元, 延链补链) are not decomposed. src/zhuqi/docs/attraction-figures.md §分解.

Section 4 of docs/development.md: lock, check (matrix, scope), write, audit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.progress import split_cumulative
from zhuqi.indicators.periods import Period

from .models import AnnualTarget, AnnualTargetPart, SplitMethod, SplitTo

#: the decomposed metrics (AnnualTarget fields); counts split into whole numbers, money into fen
METRICS = ("signed_count", "signed_amount", "funds")
COUNTS = frozenset({"signed_count"})
PER_YEAR = {"Q": 4, "M": 12}
_FEN = Decimal("0.01")
_MAX = Decimal(10) ** 14


@dataclass
class Decomposition:
    """What `split_target` writes: per metric, the parts of the finest type (`split_to`) and,
    for months, the quarters they add up to."""

    method: str
    split_to: str
    parts: dict[str, dict[str, list[tuple[Period, Decimal]]]] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, Period, Decimal]]:
        return [
            (metric, p, a)
            for metric, by_type in self.parts.items()
            for t in ("Q", "M")
            for p, a in by_type.get(t, [])
        ]


def metric_label(metric: str) -> str:
    return str(AnnualTargetPart.Metric(metric).label)


def year_periods(year: int, type_: str) -> list[Period]:
    return [Period(year, type_, i) for i in range(1, PER_YEAR[type_] + 1)]


def _places(metric: str) -> int:
    return 0 if metric in COUNTS else 2


def profile(target: AnnualTarget, metric: str, type_: str, *, user=None) -> list[Decimal]:
    """Last year's (`target.year` − 1) actual of the target's unit per quarter or month, by the
    rules of `figures.target_progress` (cumulative to each period's end, differenced): the weights
    of a decomposition 按上年实际进度."""
    from . import figures

    leads = figures.target_leads(target, user)
    year = target.year - 1
    out, before = [], Decimal(0)
    for p in year_periods(year, type_):
        upto = Decimal(str(figures.actuals(leads, year, p.end)[metric]))
        out.append(upto - before)
        before = upto
    return out


def _parse(raw, metric: str, period: Period, unit: Decimal) -> Decimal:
    where = {"m": metric_label(metric), "p": period.label()}
    text = "" if raw is None else str(raw).strip().replace(",", "").replace("，", "")
    if not text:
        raise ValidationError({"parts": gettext("请填写“%(m)s”%(p)s的分解值") % where})
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"parts": gettext("“%(m)s”%(p)s：“%(v)s”不是数字") % {**where, "v": text[:20]}}
        ) from None
    if not value.is_finite() or abs(value) > _MAX:
        raise ValidationError({"parts": gettext("“%(m)s”%(p)s：数值超出范围") % where})
    if value < 0:
        raise ValidationError({"parts": gettext("“%(m)s”%(p)s：分解值不能为负数") % where})
    if metric in COUNTS:
        if value != value.to_integral_value():
            raise ValidationError({"parts": gettext("“%(m)s”%(p)s：项目个数须为整数") % where})
        return value.quantize(Decimal(1))
    value = value * unit
    if value != value.quantize(_FEN):
        raise ValidationError({"parts": gettext("“%(m)s”%(p)s：金额最多精确到分") % where})
    return value.quantize(_FEN)


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _manual(
    metric: str, whole: Decimal, periods: list[Period], given: Mapping[str, object], unit: Decimal
) -> list[Decimal]:
    known = {p.code for p in periods}
    extra = sorted(set(given) - known)
    if extra:
        raise ValidationError(
            {"parts": gettext("期间“%(p)s”不属于该目标的分解期间") % {"p": str(extra[0])[:20]}}
        )
    parts = [_parse(given.get(p.code), metric, p, unit) for p in periods]
    total = sum(parts, Decimal(0))
    if total != whole:
        money = metric not in COUNTS
        show = (lambda d: _plain(d / unit)) if money else _plain  # noqa: E731
        raise ValidationError(
            {
                "parts": gettext(
                    "“%(m)s”%(y)s年各%(t)s分解值合计 %(s)s，与年度目标 %(a)s 不符（相差 %(d)s），"
                    "请调整%(p)s等期间后再保存"
                )
                % {
                    "m": metric_label(metric),
                    "y": periods[0].year,
                    "t": gettext("季度") if periods[0].type == "Q" else gettext("月"),
                    "s": show(total),
                    "a": show(whole),
                    "d": show(total - whole),
                    "p": periods[-1].label(),
                }
            }
        )
    return parts


def _derive(year: int, split_to: str, parts: list[Decimal]) -> dict[str, list[tuple[Period, Decimal]]]:
    out = {split_to: list(zip(year_periods(year, split_to), parts, strict=True))}
    if split_to == "M":
        out["Q"] = [
            (q, sum(parts[3 * (q.index - 1) : 3 * q.index], Decimal(0))) for q in year_periods(year, "Q")
        ]
    return out


def decompose(
    target: AnnualTarget,
    *,
    method: str,
    split_to: str,
    manual: Mapping[str, Mapping[str, object]] | None = None,
    money_unit: Decimal = Decimal(1),
    user=None,
) -> Decomposition:
    """The decomposition `split_target` would write (the page's preview). `manual` is, per metric,
    period code → value (money in yuan × `money_unit`: the page passes 万元 with `WAN`). Raises
    ValidationError in Chinese naming the metric and the period."""
    if method not in SplitMethod.values:
        raise ValidationError({"method": gettext("请选择分解方式")})
    if split_to not in SplitTo.values:
        raise ValidationError({"split_to": gettext("年度目标只能分解到季度或月")})
    periods = year_periods(target.year, split_to)
    result = Decomposition(method, split_to)
    for metric in METRICS:
        whole = Decimal(getattr(target, metric))
        if method == SplitMethod.MANUAL:
            parts = _manual(metric, whole, periods, (manual or {}).get(metric) or {}, money_unit)
        elif whole == 0:
            parts = [Decimal(0)] * len(periods)
        elif method == SplitMethod.EQUAL:
            parts = split_cumulative(whole, [Decimal(1)] * len(periods), _places(metric))
        else:
            weights = profile(target, metric, split_to, user=user)
            if sum(weights, Decimal(0)) <= 0 or any(w < 0 for w in weights):
                raise ValidationError(
                    {
                        "method": gettext("%(y)s年该单位没有“%(m)s”的实际数，无法按上年实际进度分解")
                        % {"y": target.year - 1, "m": metric_label(metric)}
                    }
                )
            parts = split_cumulative(whole, weights, _places(metric))
        result.parts[metric] = _derive(target.year, split_to, parts)
    return result


def _locked(target: AnnualTarget, actor) -> AnnualTarget:
    from .services import _in_area

    permissions.require(actor, "attraction.configure", gettext("只有专班办公室可以分解招商年度目标"))
    locked = (
        AnnualTarget.objects.select_for_update(of=("self",))
        .select_related("region", "team")
        .filter(pk=target.pk)
        .first()
    )
    if locked is None or not _in_area(actor, locked.region):
        raise Http404
    return locked


def _write(target: AnnualTarget, d: Decomposition) -> None:
    AnnualTargetPart.objects.filter(target=target).delete()
    AnnualTargetPart.objects.bulk_create(
        [
            AnnualTargetPart(target=target, metric=m, period_type=p.type, period=p.code, amount=a)
            for m, p, a in d.rows()
        ]
    )
    target.split_method, target.split_to = d.method, d.split_to
    target.save(update_fields=["split_method", "split_to"])


def split_target(
    target: AnnualTarget,
    *,
    actor,
    method: str,
    split_to: str,
    parts: Mapping[str, Mapping[str, object]] | None = None,
    money_unit: Decimal = Decimal(1),
) -> AnnualTarget:
    """Decompose (or decompose again) an annual target; the office of the target's area and
    admins only (the matrix's `attraction.configure`, as for setting it). Replaces every part;
    nothing is written when any part is refused."""
    with transaction.atomic():
        target = _locked(target, actor)
        d = decompose(
            target, method=method, split_to=split_to, manual=parts, money_unit=money_unit, user=actor
        )
        _write(target, d)
        audit.record(
            "event",
            target,
            event="annual_target_split",
            actor=actor,
            changes={
                gettext_noop("年度"): target.year,
                gettext_noop("分解方式"): method,
                gettext_noop("分解到"): split_to,
                gettext_noop("分解值"): {
                    m: {p.code: str(a) for p, a in d.parts[m][split_to]} for m in METRICS
                },
            },
        )
    return target


def after_change(target: AnnualTarget, *, changed: bool, actor) -> None:
    """Called by `services.save_annual_target` in its transaction once a decomposed target's
    whole has changed: an equal or 按上年实际 decomposition is made again with the new whole; a
    manual one no longer adds up, so its parts are dropped (the page shows the target as not
    decomposed, with 时序进度 = months ÷ 12, until it is decomposed again)."""
    if not changed or not target.split_method:
        return
    if target.split_method == SplitMethod.MANUAL:
        AnnualTargetPart.objects.filter(target=target).delete()
        target.split_method, target.split_to = "", ""
        target.save(update_fields=["split_method", "split_to"])
        return
    try:
        d = decompose(target, method=target.split_method, split_to=target.split_to, user=actor)
    except ValidationError:
        d = decompose(target, method=SplitMethod.EQUAL, split_to=target.split_to)
    _write(target, d)

"""Targets (目标): an indicator's annual target for a region, a 包抓 department or a 包抓 leader's
group, decomposed to months or 旬 (以旬保月、以月保季、以季保年) equally, by last year's seasonal
profile of the same entity, or by hand; quarters (and months of a 旬 decomposition) are derived
from the finest parts. The parts always add up to the whole exactly (Decimal; the rounding
remainder goes to the last part). src/zhuqi/docs/indicators-figures.md §3.

Section 4 of docs/development.md: lock, check (matrix, scope), write, audit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import Http404
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, Region, User
from zhuqi.core.progress import split
from zhuqi.core.scope import require_visible

from . import figures
from .models import Aggregation, Indicator, Target, TargetMethod, TargetPart, Value
from .periods import MONTHS, PER_YEAR, Period
from .services import parse_amount

#: the types a target may be decomposed to (its finest parts)
DECOMPOSE_TYPES = ("M", "X")


@dataclass
class Decomposition:
    """A target's whole and its parts (period code → amount) at every level: the finest type
    given by `decomposed_to` and the coarser ones derived from it (months of 旬, quarters)."""

    amount: Decimal | None
    growth: Decimal | None
    decomposed_to: str
    parts: dict[str, list[tuple[Period, Decimal]]] = field(default_factory=dict)

    def rows(self) -> list[tuple[Period, Decimal]]:
        return [row for t in ("Q", "M", "X") for row in self.parts.get(t, [])]


def _places(indicator: Indicator, amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    own = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(4, max(indicator.decimals, own))


def _year_parts(year: int, type_: str) -> list[Period]:
    return [Period(year, type_, i) for i in range(1, PER_YEAR[type_] + 1)]


def seasonal_profile(indicator: Indicator, entity: figures.Entity, year: int, *, user=None) -> list[Decimal]:
    """Last year's (`year` − 1) month-by-month period values of the entity's enterprises (Σ over
    its enterprises, one query): the weights of a seasonal decomposition."""
    qs = Value.objects.filter(
        entity.values_q(year), indicator=indicator, year=year - 1, period_type="M", enterprise__isnull=False
    )
    if user is not None:
        qs = qs.filter(Value.scope_q(user))
    by_month = dict(qs.values_list("period").annotate(s=Sum("value")).values_list("period", "s"))
    return [by_month.get(p.code) or Decimal(0) for p in _year_parts(year - 1, "M")]


def _derive(year: int, finest: str, parts: list[Decimal]) -> dict[str, list[tuple[Period, Decimal]]]:
    out = {finest: list(zip(_year_parts(year, finest), parts, strict=True))}
    coarser = ["M", "Q"] if finest == "X" else ["Q"]
    for t in coarser:
        per = int(MONTHS[t] / MONTHS[finest])
        out[t] = [
            (p, sum(parts[(p.index - 1) * per : p.index * per], Decimal(0))) for p in _year_parts(year, t)
        ]
    return out


def decompose(
    indicator: Indicator,
    year: int,
    entity: figures.Entity,
    *,
    amount: Decimal | None,
    growth: Decimal | None = None,
    method: str = TargetMethod.EQUAL,
    decomposed_to: str = "M",
    manual: Mapping[str, object] | None = None,
    user=None,
) -> Decomposition:
    """The decomposition `set_target` would write (the page's preview): checks the input and
    raises ValidationError in Chinese naming the field or the period."""
    if decomposed_to not in DECOMPOSE_TYPES:
        raise ValidationError({"decomposed_to": gettext("目标只能分解到月或旬")})
    if method not in TargetMethod.values:
        raise ValidationError({"method": gettext("请选择分解方式")})
    if amount is None and growth is None:
        raise ValidationError({"amount": gettext("请填写目标值或增长目标")})
    if amount is not None and amount < 0 and not indicator.can_decrease:
        raise ValidationError({"amount": gettext("目标值不能为负数")})
    if amount is None and growth is not None and indicator.aggregation == Aggregation.SUM:
        base = figures.entity_total(indicator, entity, Period(year - 1, "Y", 1), user=user)
        if base:
            amount = (base * (1 + growth / 100)).quantize(
                Decimal(1).scaleb(-indicator.decimals), ROUND_HALF_UP
            )
    result = Decomposition(amount, growth, decomposed_to)
    if amount is None or indicator.aggregation != Aggregation.SUM:
        return result  # a growth target alone, or a level / rate: nothing to spread over the year
    places = _places(indicator, amount)
    periods = _year_parts(year, decomposed_to)
    if method == TargetMethod.EQUAL:
        parts = split(amount, [Decimal(1)] * len(periods), places)
    elif method == TargetMethod.SEASONAL:
        profile = seasonal_profile(indicator, entity, year, user=user)
        if sum(profile, Decimal(0)) <= 0 or any(w < 0 for w in profile):
            raise ValidationError(
                {
                    "method": gettext("%(y)s年没有%(e)s的“%(i)s”逐月数据，无法按上年季节结构分解")
                    % {"y": year - 1, "e": entity.label, "i": indicator.name}
                }
            )
        months = split(amount, profile, places)
        if decomposed_to == "M":
            parts = months
        else:  # each month's share spread over its three 旬
            parts = [x for m in months for x in split(m, [Decimal(1)] * 3, places)]
    else:
        parts = _manual_parts(periods, manual or {}, amount)
    result.parts = _derive(year, decomposed_to, parts)
    return result


def _manual_parts(periods: list[Period], manual: Mapping[str, object], amount: Decimal) -> list[Decimal]:
    known = {p.code for p in periods}
    extra = sorted(set(manual) - known)
    if extra:
        raise ValidationError({"parts": gettext("期间“%(p)s”不属于该目标的分解期间") % {"p": extra[0]}})
    parts = []
    for p in periods:
        try:
            value = parse_amount(manual.get(p.code), p.label())
        except ValidationError as exc:
            raise ValidationError({"parts": gettext("%(p)s：数值有误") % {"p": p.label()}}) from exc
        if value is None:
            raise ValidationError({"parts": gettext("请填写%(p)s的分解值") % {"p": p.label()}})
        parts.append(value)
    check_sum(periods[0].year, parts, amount, periods[0].type)
    return parts


def check_sum(year: int, parts: list[Decimal], amount: Decimal, type_: str) -> None:
    """The parts must add up to the whole exactly; else a message naming the year and the gap."""
    total = sum(parts, Decimal(0))
    if total != amount:
        raise ValidationError(
            {
                "parts": gettext(
                    "%(y)s年各%(t)s分解值合计 %(s)s，与年度目标 %(a)s 不符（相差 %(d)s），请调整后再保存"
                )
                % {
                    "y": year,
                    "t": gettext("月") if type_ == "M" else gettext("旬"),
                    "s": _plain(total),
                    "a": _plain(amount),
                    "d": _plain(total - amount),
                }
            }
        )


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _entity(actor, region, department, leader, year) -> tuple[figures.Entity, Region]:
    given = [x for x in (region, department, leader) if x is not None]
    if len(given) != 1:
        raise ValidationError({"entity": gettext("请选择一个区划、包抓部门或包抓领导")})
    if department is not None:
        require_visible(actor, "department", department)
        home = department.region
    elif leader is not None:
        require_visible(actor, "leader", leader)
        home = leader.region or getattr(actor, "region", None)
        if home is None and leader.department_id:
            home = leader.department.region
    else:
        home = region
    if home is None or not Region.objects.visible_to(actor).filter(pk=home.pk).exists():
        raise Http404
    return figures.Entity.of(region=region, department=department, leader=leader, year=year), home


def set_target(
    indicator: Indicator,
    year: int,
    *,
    region: Region | None = None,
    department: Department | None = None,
    leader: User | None = None,
    amount: Decimal | None = None,
    growth: Decimal | None = None,
    method: str = TargetMethod.EQUAL,
    decomposed_to: str = "M",
    parts: Mapping[str, object] | None = None,
    actor,
) -> Target:
    """Set (or replace) `indicator`'s target for `year` for one entity, and write its parts."""
    permissions.require(actor, "indicators.targets.manage", gettext("只有专班办公室可以设定目标"))
    entity, home = _entity(actor, region, department, leader, year)
    if indicator.kind == "derived":
        raise ValidationError({"indicator": gettext("计算指标不设目标")})
    with transaction.atomic():
        d = decompose(
            indicator,
            year,
            entity,
            amount=amount,
            growth=growth,
            method=method,
            decomposed_to=decomposed_to,
            manual=parts,
            user=actor,
        )
        key = {"indicator": indicator, "year": year}
        if department is not None:
            key["department"] = department
        elif leader is not None:
            key["leader"] = leader
        else:
            key.update(region=home, department=None, leader=None)
        target = Target.objects.select_for_update().filter(**key).first()
        created = target is None
        if target is None:
            target = Target(**key, created_by=actor)
        target.region = home
        target.amount, target.growth = d.amount, d.growth
        target.method, target.decomposed_to = method, decomposed_to
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            raise ValidationError({"entity": gettext("其他人刚刚设定了该目标，请刷新后重试")}) from None
        _write_parts(target, d)
        audit.record(
            "event",
            target,
            event="indicator_target_set",
            actor=actor,
            changes={
                gettext_noop("指标"): indicator.code,
                gettext_noop("年度"): year,
                gettext_noop("对象"): entity.label,
                gettext_noop("目标值"): None if d.amount is None else str(d.amount),
                gettext_noop("增长目标"): None if d.growth is None else str(d.growth),
                gettext_noop("分解方式"): method,
                gettext_noop("分解到"): decomposed_to,
                gettext_noop("新设"): created,
            },
        )
    return target


def _write_parts(target: Target, d: Decomposition) -> None:
    TargetPart.objects.filter(target=target).delete()
    TargetPart.objects.bulk_create(
        [TargetPart(target=target, period=p.code, period_type=p.type, amount=a) for p, a in d.rows()]
    )


def edit_parts(target: Target, parts: Mapping[str, object], *, actor) -> Target:
    """Correct a target's finest parts by hand (the whole stays): the new parts must add up to
    it exactly; the coarser parts are derived again and the method becomes 手工分解."""
    permissions.require(actor, "indicators.targets.manage", gettext("只有专班办公室可以设定目标"))
    with transaction.atomic():
        target = (
            Target.objects.select_for_update()
            .select_related("indicator")
            .get_visible_or_404(actor, pk=target.pk)
        )
        if target.amount is None or target.indicator.aggregation != Aggregation.SUM:
            raise ValidationError({"parts": gettext("该目标没有分解")})
        periods = _year_parts(target.year, target.decomposed_to)
        before = {
            p: str(a)
            for p, a in target.parts.filter(period_type=target.decomposed_to).values_list("period", "amount")
        }
        values = _manual_parts(periods, parts, target.amount)
        d = Decomposition(
            target.amount,
            target.growth,
            target.decomposed_to,
            _derive(target.year, target.decomposed_to, values),
        )
        target.method = TargetMethod.MANUAL
        target.save(update_fields=["method", "updated_at"])
        _write_parts(target, d)
        changed = {
            p.code: [before.get(p.code), str(v)]
            for p, v in zip(periods, values, strict=True)
            if before.get(p.code) != str(v)
        }
        audit.record(
            "event",
            target,
            event="indicator_target_parts",
            actor=actor,
            changes={gettext_noop("分解值"): changed},
        )
    return target


# --- reading a target --------------------------------------------------------------------------


def cumulative_target(
    target: Target, period: Period, parts: list[TargetPart] | None = None
) -> Decimal | None:
    """The target to date at `period` (1 January to its end) = Σ parts up to it: the parts of the
    period's own type where the target has them; a 旬 of a month-decomposed target takes its
    month's part pro rata (a third per 旬, rounded half up). Without parts: the annual amount
    pro rata to the time elapsed. None without an amount; the whole amount for a year."""
    if target.amount is None:
        return None
    if period.type == "Y" or period.year != target.year:
        return target.amount if period.year == target.year else None
    rows = parts if parts is not None else list(target.parts.all())
    by_type: dict[str, dict[int, Decimal]] = {}
    for part in rows:
        by_type.setdefault(part.period_type, {})[Period.parse(part.period).index] = part.amount
    if period.type == "H" and "Q" in by_type:
        return sum((a for i, a in by_type["Q"].items() if i <= 2 * period.index), Decimal(0))
    if period.type in by_type:
        return sum((a for i, a in by_type[period.type].items() if i <= period.index), Decimal(0))
    places = _places(target.indicator, target.amount)
    q = Decimal(1).scaleb(-places)
    if period.type == "X" and "M" in by_type:
        month = period.last_month
        whole = sum((a for i, a in by_type["M"].items() if i < month), Decimal(0))
        k = (period.index - 1) % 3 + 1
        return whole + (by_type["M"].get(month, Decimal(0)) * k / 3).quantize(q, ROUND_HALF_UP)
    share = Fraction(period.months_elapsed) / 12
    return (target.amount * share.numerator / share.denominator).quantize(q, ROUND_HALF_UP)


# --- 督办提醒: a laggard's responsible leader and department are told ------------------------------


def responsible_people(kind: str, pk: int, year: int, *, enterprise=None) -> list[User]:
    """Who answers for a lagging figure: an enterprise's 包抓 leader and 包抓 department (from
    `core.scope.assignment_groups`); a department's own people (head and handlers); a 包抓
    leader; a region's dispatch office."""
    from zhuqi.core.roles import DEPARTMENT_ROLES, MANAGER_ROLES
    from zhuqi.core.scope import assignment_groups

    active = User.objects.filter(is_active=True)
    if enterprise is not None:
        leaders: list[int] = []
        depts: list[int] = []
        for k, bucket in (("leader", leaders), ("department", depts)):
            groups = assignment_groups(k, year)
            if groups is not None:
                bucket += list(groups.filter(enterprise_id=enterprise.pk).values_list("group_id", flat=True))
        return list(
            active.filter(pk__in=leaders) | active.filter(department__in=depts, role__in=DEPARTMENT_ROLES)
        )
    if kind == "department":
        return list(active.filter(department=pk, role__in=DEPARTMENT_ROLES))
    if kind == "leader":
        return list(active.filter(pk=pk))
    return list(active.filter(region=pk, role__in=MANAGER_ROLES))


def remind_laggard(
    indicator: Indicator,
    period: Period,
    entity: figures.Entity,
    *,
    enterprise=None,
    url: str = "",
    actor,
) -> list[User]:
    """督办提醒: tell whoever answers for a lagging figure (an entity of the dispatch view, or one
    enterprise that pulls it down) that it is behind, with the figures; audited. Until the
    oversight module provides supervision items this is a notification."""
    from zhuqi.core.notify import notify
    from zhuqi.enterprises.models import Enterprise

    permissions.require(actor, "indicators.remind", gettext("您没有督办提醒的权限"))
    with transaction.atomic():
        if enterprise is not None:
            enterprise = Enterprise.objects.get_visible_or_404(actor, pk=enterprise.pk)
        f = figures.figure(actor, indicator, period, entity)
        people = responsible_people(entity.kind, entity.pk, period.year, enterprise=enterprise)
        if not people:
            raise ValidationError(
                {
                    "recipients": gettext("没有找到%(e)s的包抓领导或责任部门，无法提醒")
                    % {"e": enterprise or entity.label}
                }
            )
        who = enterprise.name if enterprise is not None else entity.label
        title = gettext("督办提醒：%(w)s %(p)s“%(i)s”落后") % {
            "w": who,
            "p": period.label(),
            "i": indicator.name,
        }
        body = gettext(
            "%(e)s：累计 %(a)s，完成年度目标 %(c)s，时序进度 %(t)s，同口径增速 %(g)s。请督促落实。"
        ) % {
            "e": entity.label,
            "a": "—" if f.actual is None else _plain(f.actual),
            "c": "—" if f.completion is None else f"{f.completion}%",
            "t": "—" if f.elapsed is None else f"{f.elapsed}%",
            "g": "—" if f.panel_growth is None else f"{f.panel_growth}%",
        }
        if enterprise is not None:
            row = Value.objects.filter(
                enterprise=enterprise, indicator=indicator, period=figures.value_period(period).code
            ).first()
            if row is not None and row.cumulative is not None and row.last_year_cumulative is not None:
                body += gettext("该企业累计 %(n)s，上年同期 %(l)s。") % {
                    "n": _plain(row.cumulative),
                    "l": _plain(row.last_year_cumulative),
                }
        notify(people, title, body=body, url=url, level="warning")
        audit.record(
            "event",
            enterprise,
            event="indicator_reminder",
            actor=actor,
            object_type="" if enterprise is not None else f"indicators.{entity.kind}",
            object_id="" if enterprise is not None else str(entity.pk),
            object_repr="" if enterprise is not None else entity.label,
            changes={
                gettext_noop("指标"): indicator.code,
                gettext_noop("期间"): period.code,
                gettext_noop("对象"): entity.label,
                gettext_noop("提醒"): [p.display_name for p in people],
            },
        )
    return people

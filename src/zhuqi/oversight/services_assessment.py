"""Services of assessments (考核) and 红黑榜: set a scheme, compute it for a period, publish it;
set a 红黑榜 rule, exempt a unit for force majeure, publish a period's list. Definitions:
docs/oversight.md §5–6; scoring in `assessment.py`, figures in `metrics.py`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Region
from zhuqi.core.notify import notify
from zhuqi.core.scope import scope_for
from zhuqi.indicators.periods import Period

from . import assessment as A
from . import metrics as M
from .models import (
    Assessment,
    Exemption,
    ItemKind,
    PeriodKind,
    RedBlackList,
    RedBlackRule,
    Result,
    Scheme,
    SchemeItem,
    ScoringRule,
    Sequence,
)

HUNDRED = Decimal(100)
MAX_ITEMS = 30


def in_area(actor, region: Region, action: str) -> bool:
    """May `actor` do `action` for `region`: the matrix, then the region inside the actor's own
    subtree (admins anywhere)."""
    if not permissions.allowed(actor, action):
        return False
    scope = scope_for(actor)
    return scope.is_admin or (bool(scope.region_path) and region.path.startswith(scope.region_path or ""))


def _require_area(actor, region: Region, action: str, message: str) -> None:
    if not in_area(actor, region, action):
        raise PermissionDenied(message)


# --- periods ----------------------------------------------------------------------------------
def periods(kind: str, year: int, today: dt.date | None = None) -> list[Period]:
    """The periods of `year` one may pick for a scheme of `kind` (季度 Q, 年度 Y), newest first:
    those that have begun by `today` (a period still running is computed as a trial)."""
    today = today or timezone.localdate()
    count = 4 if kind == PeriodKind.QUARTER else 1
    out = [Period(year, kind, i) for i in range(count, 0, -1)]
    return [p for p in out if p.start <= today]


def _pick_period(code: str, allowed: list[Period], field: str = "period") -> Period:
    for p in allowed:
        if p.code == (code or "").strip():
            return p
    raise ValidationError(
        {
            field: gettext("请从列表中选择期间：%(periods)s")
            % {"periods": " / ".join(p.label() for p in allowed) or "—"}
        }
    )


# --- schemes ----------------------------------------------------------------------------------
def _dec(raw, field: str, label: str, *, allow_none: bool = True, places: int = 2) -> Decimal | None:
    if raw in (None, ""):
        if allow_none:
            return None
        raise ValidationError({field: gettext("请填写%(label)s") % {"label": label}})
    try:
        d = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: gettext("%(label)s应为数字") % {"label": label}}) from None
    if not d.is_finite() or d < 0 or d >= Decimal(10) ** 12:
        raise ValidationError({field: gettext("%(label)s应为不小于 0 的数字") % {"label": label}})
    if d != d.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(
            {field: gettext("%(label)s最多保留 %(n)s 位小数") % {"label": label, "n": places}}
        )
    return d


def clean_items(rows: list[dict], sequence: str, period_kind: str | None = None) -> list[dict]:
    """The items of a scheme form, checked: each names a metric offered for the sequence, a
    weight and a rule with what the rule needs (a target, unless the metric sets its own for
    the scheme's `period_kind`); the base items' weights sum to exactly 100."""
    from zhuqi.indicators.models import Indicator

    kind = M.UNIT_KIND[Sequence(sequence)]
    # a row with nothing typed in (the form's spare rows keep their defaults: 基本项, ratio cap 1)
    typed = ("name", "metric", "indicator", "weight", "target", "step", "per_unit")
    rows = [r for r in rows if any(str(r.get(k) or "").strip() for k in typed)]
    if not rows:
        raise ValidationError({"items": gettext("方案至少要有一个考核项")})
    if len(rows) > MAX_ITEMS:
        raise ValidationError({"items": gettext("考核项最多 %(n)s 个") % {"n": MAX_ITEMS}})
    out = []
    base_weights: list[tuple[Decimal, str]] = []
    for i, r in enumerate(rows, start=1):
        where = gettext("第 %(n)s 个考核项") % {"n": i}

        def bad(msg, where=where):
            return ValidationError({"items": f"{where}：{msg}"})

        code = (r.get("metric") or "").strip()
        if not code:
            raise bad(gettext("请选择考核指标"))
        metric = M.REGISTRY.get(code)
        if metric is None:
            raise bad(gettext("没有这个考核指标"))
        if kind not in metric.units:
            raise bad(gettext("“%(m)s”不能用于这个考核序列") % {"m": metric.label})
        name = (r.get("name") or "").strip()[:60] or str(metric.label)
        item_kind = r.get("kind") or ItemKind.BASE
        if item_kind not in ItemKind.values:
            raise bad(gettext("类别应为基本项、加分项或扣分项"))
        rule = r.get("rule") or ""
        if rule not in ScoringRule.values:
            raise bad(gettext("请选择计分规则"))
        try:
            weight = _dec(r.get("weight"), "items", gettext("分值"), allow_none=False)
            target = _dec(r.get("target"), "items", gettext("目标值"))
            cap = _dec(r.get("cap_ratio") or "1", "items", gettext("完成比例上限"))
            step = _dec(r.get("step"), "items", gettext("每降一名扣分"))
            per_unit = _dec(r.get("per_unit"), "items", gettext("每件分值"))
        except ValidationError as exc:
            raise bad(exc.message_dict["items"][0]) from None
        assert weight is not None and cap is not None
        if weight <= 0 or weight > 100:
            raise bad(gettext("分值应大于 0、不超过 100"))
        if cap < 1 or cap > 2:
            raise bad(gettext("完成比例上限应在 1 到 2 之间（1 表示超额完成不加分）"))
        indicator = None
        if metric.needs_indicator:
            ind_code = (r.get("indicator") or "").strip()
            indicator = Indicator.objects.filter(code=ind_code).first() if ind_code else None
            if indicator is None:
                raise bad(gettext("“%(m)s”须选择一个经济指标") % {"m": metric.label})
        if (
            rule in (ScoringRule.RATIO, ScoringRule.THRESHOLD)
            and target is None
            and not metric.has_own_target(period_kind)
        ):
            raise bad(gettext("“%(rule)s”须填写目标值") % {"rule": ScoringRule(rule).label})
        if rule in (ScoringRule.RATIO, ScoringRule.THRESHOLD) and target == 0 and metric.higher_is_better:
            raise bad(gettext("目标值不能为 0"))
        if rule == ScoringRule.RANK and step is None:
            raise bad(gettext("按排名计分须填写每降一名扣分"))
        if rule == ScoringRule.PER_UNIT and not per_unit:
            raise bad(gettext("按件计分须填写每件分值"))
        base_weights.append((weight, item_kind))
        out.append(
            {
                "order": i,
                "name": name,
                "kind": item_kind,
                "metric": code,
                "indicator": indicator,
                "weight": weight,
                "rule": rule,
                "target": target,
                "cap_ratio": cap,
                "step": step if rule == ScoringRule.RANK else None,
                "per_unit": per_unit if rule == ScoringRule.PER_UNIT else None,
            }
        )
    base = sum((w for w, k in base_weights if k == ItemKind.BASE), Decimal(0))
    if base != HUNDRED:
        raise ValidationError(
            {"items": gettext("基本项分值合计应为 100 分，现为 %(sum)s 分") % {"sum": A.fmt(base)}}
        )
    return out


def save_scheme(
    scheme: Scheme | None,
    *,
    actor,
    region: Region,
    name: str,
    year: int | None,
    period_kind: str,
    sequence: str,
    items: list[dict],
) -> Scheme:
    """Create or change a scheme with its items (all replaced at once). A scheme with a published
    assessment keeps its items: they are what the published scores were computed on."""
    _require_area(actor, region, "oversight.assessment.configure", gettext("您不能设定该区划的考核方案"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写方案名称")})
    if len(name) > 100:
        raise ValidationError({"name": gettext("方案名称最多 100 个字")})
    if year is None:
        raise ValidationError({"year": gettext("请填写年度")})
    if period_kind not in (PeriodKind.QUARTER, PeriodKind.YEAR):
        raise ValidationError({"period_kind": gettext("考核周期应为季度或年度")})
    if sequence not in (Sequence.REGIONS, Sequence.COUNTIES, Sequence.DEPARTMENTS):
        raise ValidationError({"sequence": gettext("请选择考核序列")})
    cleaned = clean_items(items, sequence, period_kind)
    with transaction.atomic():
        created = scheme is None
        if scheme is not None:
            scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
            if Assessment.objects.filter(scheme=scheme, status=Assessment.Status.PUBLISHED).exists():
                raise ValidationError(gettext("该方案已有公布的考核结果，不能再修改；请另建方案"))
        if (
            Scheme.objects.filter(region=region, year=year, name=name)
            .exclude(pk=getattr(scheme, "pk", None))
            .exists()
        ):
            raise ValidationError({"name": gettext("本区划 %(year)s 年已有同名方案") % {"year": year}})
        scheme = scheme or Scheme(created_by=actor)
        scheme.region, scheme.name, scheme.year = region, name, year
        scheme.period_kind, scheme.sequence = period_kind, sequence
        scheme.save()
        scheme.items.all().delete()
        SchemeItem.objects.bulk_create([SchemeItem(scheme=scheme, **r) for r in cleaned])
        audit.record(
            "event",
            scheme,
            event="assessment_scheme_created" if created else "assessment_scheme_changed",
            changes={
                gettext_noop("考核项"): "；".join(
                    f"{r['name']} {A.fmt(Decimal(r['weight']))}" for r in cleaned
                ),
            },
            actor=actor,
        )
    return scheme


# --- computing and publishing ------------------------------------------------------------------
def compute_results(scheme: Scheme, period: Period, actor) -> list[A.UnitResult]:
    """The scheme's results for `period` (nothing written)."""
    units = M.units_of(scheme.sequence, scheme.region)
    items = list(scheme.items.select_related("indicator").order_by("order", "pk"))
    scored = {}
    for it in items:
        metric = M.REGISTRY[it.metric]
        ctx = M.Context(scheme.region, period, actor, it.indicator)
        scored[it.pk] = A.score_item(it, metric, metric.compute(ctx, units), units)
    return A.score(items, scored, units)


def compute_assessment(
    scheme: Scheme, period_code: str, *, actor, today: dt.date | None = None
) -> Assessment:
    """Compute (or recompute) the scheme's trial results for a period picked from the list."""
    _require_area(actor, scheme.region, "oversight.assessment.compute", gettext("您不能计算该考核方案"))
    if not scheme.items.exists():
        raise ValidationError(gettext("方案还没有考核项"))
    period = _pick_period(period_code, periods(scheme.period_kind, scheme.year, today))
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        a = Assessment.objects.filter(scheme=scheme, period=period.code).first()
        if a is not None and a.status == Assessment.Status.PUBLISHED:
            raise ValidationError(gettext("%(p)s的考核结果已经公布，不能重新计算") % {"p": period.label()})
        results = compute_results(scheme, period, actor)
        if not results:
            raise ValidationError(gettext("该方案没有可考核的对象"))
        a = a or Assessment(scheme=scheme, period=period.code)
        a.computed_at, a.computed_by = timezone.now(), actor
        a.save()
        a.results.all().delete()
        Result.objects.bulk_create(
            [
                Result(
                    assessment=a,
                    unit_kind=r.unit.kind,
                    unit_id=r.unit.pk,
                    label=r.unit.label,
                    total=r.total,
                    rank=r.rank,
                    items=r.items,
                )
                for r in results
            ]
        )
        audit.record(
            "event",
            a,
            event="assessment_computed",
            changes={gettext_noop("期间"): period.label(), gettext_noop("对象"): len(results)},
            actor=actor,
        )
    return a


def publish_assessment(a: Assessment, *, actor, confirm: bool) -> Assessment:
    """Publish a computed assessment (after a confirmation): its results are kept as they are
    and sent to the region's departments and leaders."""
    from .services_bulletin import recipients

    with transaction.atomic():
        a = Assessment.objects.select_for_update().select_related("scheme__region").get(pk=a.pk)
        _require_area(actor, a.scheme.region, "oversight.assessment.publish", gettext("您不能公布该考核结果"))
        if a.status == Assessment.Status.PUBLISHED:
            raise ValidationError(gettext("该考核结果已经公布"))
        if not confirm:
            raise ValidationError({"confirm": gettext("请勾选确认后再公布")})
        a.status, a.published_at, a.published_by = Assessment.Status.PUBLISHED, timezone.now(), actor
        a.save()
        audit.record("event", a, event="assessment_published", actor=actor)
        notify(
            recipients(a.scheme.region),
            gettext("考核结果公布：%(name)s") % {"name": str(a)},
            url=a.get_absolute_url(),
        )
    return a


# --- 红黑榜 -------------------------------------------------------------------------------------
def save_rule(
    rule: RedBlackRule | None,
    *,
    actor,
    region: Region,
    name: str,
    sequence: str,
    metric: str = "",
    indicator_code: str = "",
    scheme: Scheme | None = None,
    target=None,
    size=None,
    period_kind: str = PeriodKind.QUARTER,
) -> RedBlackRule:
    from zhuqi.indicators.models import Indicator

    _require_area(actor, region, "oversight.assessment.configure", gettext("您不能设定该区划的红黑榜规则"))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": gettext("请填写名称（最多 100 个字）")})
    if sequence not in Sequence.values:
        raise ValidationError({"sequence": gettext("请选择上榜对象")})
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": gettext("请选择公布周期")})
    try:
        size_n = int(size)
    except (TypeError, ValueError):
        raise ValidationError({"size": gettext("上榜数量应为 1—50 的整数")}) from None
    if not 1 <= size_n <= 50:
        raise ValidationError({"size": gettext("上榜数量应为 1—50 的整数")})
    target_d = _dec(target, "target", gettext("达标线"))
    indicator = None
    if scheme is not None:
        if not Scheme.objects.visible_to(actor).filter(pk=scheme.pk).exists():
            raise ValidationError({"scheme": gettext("没有这个考核方案")})
        if M.UNIT_KIND[Sequence(sequence)] != M.UNIT_KIND[Sequence(scheme.sequence)]:
            raise ValidationError({"scheme": gettext("考核方案的考核序列与上榜对象不一致")})
        metric = ""
    else:
        m = M.REGISTRY.get((metric or "").strip())
        if m is None:
            raise ValidationError({"metric": gettext("请选择排名指标或考核方案")})
        if M.UNIT_KIND[Sequence(sequence)] not in m.units:
            raise ValidationError({"metric": gettext("“%(m)s”不能用于这类上榜对象") % {"m": m.label}})
        if m.needs_indicator:
            indicator = Indicator.objects.filter(code=(indicator_code or "").strip()).first()
            if indicator is None:
                raise ValidationError({"indicator": gettext("请选择经济指标")})
    with transaction.atomic():
        created = rule is None
        if rule is not None:
            rule = RedBlackRule.objects.select_for_update().get(pk=rule.pk)
        rule = rule or RedBlackRule()
        rule.region, rule.name, rule.sequence = region, name, sequence
        rule.metric, rule.indicator, rule.scheme = metric, indicator, scheme
        rule.target, rule.size, rule.period_kind = target_d, size_n, period_kind
        rule.save()
        audit.record(
            "event",
            rule,
            event="redblack_rule_created" if created else "redblack_rule_changed",
            changes={gettext_noop("规则"): source_label(rule), gettext_noop("上榜数量"): size_n},
            actor=actor,
        )
    return rule


def source_label(rule: RedBlackRule) -> str:
    if rule.scheme_id:
        return gettext("考核总分：%(s)s") % {"s": rule.scheme}
    m = M.REGISTRY.get(rule.metric)
    label = str(m.label) if m else rule.metric
    return f"{label}（{rule.indicator.name}）" if rule.indicator is not None else label


def rule_periods(rule: RedBlackRule, today: dt.date | None = None) -> list[Period]:
    """The periods a list may be published for: ended periods of the rule's kind (for a list by
    an assessment, the periods of its published assessments)."""
    if rule.scheme_id:
        codes = Assessment.objects.filter(
            scheme_id=rule.scheme_id, status=Assessment.Status.PUBLISHED
        ).values_list("period", flat=True)
        return sorted((Period.parse(c) for c in codes), reverse=True)
    today = today or timezone.localdate()
    last = Period.last_ended(rule.period_kind, today)
    out = []
    for _ in range(6):
        out.append(last)
        last = last.previous()
    return out


@dataclass
class Preview:
    period: Period
    rows: list[A.Ranked]
    red: list[A.Ranked]
    black: list[A.Ranked]
    exempted: list[A.Ranked]
    reasons: dict


def preview(rule: RedBlackRule, period: Period, actor) -> Preview:
    exemptions = {(e.unit_kind, e.unit_id): e.reason for e in rule.exemptions.filter(period=period.code)}
    if rule.scheme_id:
        a = Assessment.objects.filter(
            scheme_id=rule.scheme_id, period=period.code, status=Assessment.Status.PUBLISHED
        ).first()
        units, measures = [], {}
        if a is not None:
            for r in a.results.all():
                u = M.Unit(r.unit_kind, r.unit_id, r.label)
                units.append(u)
                measures[u.pk] = M.Measure(r.total, url=a.get_absolute_url())
        rows = A.ranked(units, measures, target=rule.target, higher_is_better=True)
    else:
        metric = M.REGISTRY[rule.metric]
        units = M.units_of(rule.sequence, rule.region)
        measures = metric.compute(M.Context(rule.region, period, actor, rule.indicator), units)
        rows = A.ranked(units, measures, target=rule.target, higher_is_better=metric.higher_is_better)
    red, black, exempted = A.split(rows, rule.size, set(exemptions))
    return Preview(period, rows, red, black, exempted, exemptions)


def add_exemption(rule: RedBlackRule, *, actor, period_code: str, unit_id, reason: str) -> Exemption:
    """Keep a unit off the rule's black list for a period by force majeure, with the reason."""
    _require_area(actor, rule.region, "oversight.redblack.exempt", gettext("您不能登记黑榜豁免"))
    period = _pick_period(period_code, rule_periods(rule))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": gettext("请写明不可抗力的情况（至少 4 个字）")})
    kind = M.UNIT_KIND[Sequence(rule.sequence)]
    try:
        uid = int(unit_id)
    except (TypeError, ValueError):
        raise ValidationError({"unit": gettext("请选择豁免对象")}) from None
    unit = next((u for u in M.units_of(rule.sequence, rule.region) if u.pk == uid), None)
    if unit is None:
        raise ValidationError({"unit": gettext("请选择豁免对象")})
    with transaction.atomic():
        RedBlackRule.objects.select_for_update().get(pk=rule.pk)
        if RedBlackList.objects.filter(rule=rule, period=period.code).exists():
            raise ValidationError(gettext("%(p)s的红黑榜已经公布，不能再登记豁免") % {"p": period.label()})
        if Exemption.objects.filter(rule=rule, period=period.code, unit_kind=kind, unit_id=uid).exists():
            raise ValidationError({"unit": gettext("%(u)s 本期已登记豁免") % {"u": unit.label}})
        e = Exemption.objects.create(
            rule=rule,
            period=period.code,
            unit_kind=kind,
            unit_id=uid,
            label=unit.label,
            reason=reason,
            created_by=actor,
        )
        audit.record(
            "event",
            rule,
            event="redblack_exempted",
            changes={
                gettext_noop("期间"): period.label(),
                gettext_noop("对象"): unit.label,
                gettext_noop("理由"): reason,
            },
            actor=actor,
        )
    return e


def _row(r: A.Ranked, reason: str = "") -> dict:
    return {
        "name": r.unit.label,
        "kind": r.unit.kind,
        "id": r.unit.pk,
        "value": str(r.value),
        "target": None if r.target is None else str(r.target),
        **({"reason": reason} if reason else {}),
    }


def publish_list(rule: RedBlackRule, *, actor, period_code: str, confirm: bool) -> RedBlackList:
    """Publish the rule's red and black list for a period picked from the list, after the
    confirmation; once per period."""
    _require_area(actor, rule.region, "oversight.redblack.publish", gettext("您不能公布该红黑榜"))
    period = _pick_period(period_code, rule_periods(rule))
    if not confirm:
        raise ValidationError({"confirm": gettext("请勾选确认后再公布")})
    with transaction.atomic():
        rule = RedBlackRule.objects.select_for_update().get(pk=rule.pk)
        if RedBlackList.objects.filter(rule=rule, period=period.code).exists():
            raise ValidationError(gettext("%(p)s的红黑榜已经公布") % {"p": period.label()})
        pv = preview(rule, period, actor)
        if not pv.rows:
            raise ValidationError(gettext("%(p)s没有可排名的数据，不能公布") % {"p": period.label()})
        lst = RedBlackList.objects.create(
            rule=rule,
            period=period.code,
            red=[_row(r) for r in pv.red],
            black=[_row(r) for r in pv.black],
            exempted=[_row(r, pv.reasons.get((r.unit.kind, r.unit.pk), "")) for r in pv.exempted],
            published_by=actor,
        )
        audit.record(
            "event",
            rule,
            event="redblack_published",
            changes={
                gettext_noop("期间"): period.label(),
                gettext_noop("红榜"): "、".join(r.unit.label for r in pv.red) or "—",
                gettext_noop("黑榜"): "、".join(r.unit.label for r in pv.black) or "—",
            },
            actor=actor,
        )
        from .services_bulletin import recipients

        notify(
            recipients(rule.region),
            gettext("红黑榜公布：%(name)s（%(p)s）") % {"name": rule.name, "p": period.label()},
            url=rule.get_absolute_url(),
        )
    return lst

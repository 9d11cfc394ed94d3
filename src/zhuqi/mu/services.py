"""Every change of the 亩均 evaluation: facts (through the import), adjustments, the computation
of a run and its publication. The scoring itself is `scoring.score_pool` (pure Decimal)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Region
from zhuqi.core.notify import notify_many
from zhuqi.enterprises.models import Enterprise, EnterpriseUser

from . import ranking, scoring
from .measures import DEFINITIONS, LAND
from .models import (
    Adjustment,
    Fact,
    FactBatch,
    FactKind,
    Klass,
    Pool,
    Result,
    ResultItem,
    Run,
    Scheme,
)

#: how many enterprises an error message names before "等 N 家"
NAMED = 5


def _names(names: list[str]) -> str:
    shown = "、".join(names[:NAMED])
    if len(names) > NAMED:
        shown += _("等 %(n)d 家") % {"n": len(names)}
    return shown


def settings_of(scheme: Scheme) -> scoring.Settings:
    items = [
        scoring.ItemSpec(i.measure, i.weight, i.family, i.benchmark, i.cap, i.lower_is_better)
        for i in scheme.items.order_by("sort", "pk")
    ]
    return scoring.Settings(
        items=items,
        missing_rule=scheme.missing_rule,
        bonus_cap=scheme.bonus_cap,
        a_pct=scheme.a_pct,
        b_pct=scheme.b_pct,
        c_pct=scheme.c_pct,
        count_rounding=scheme.count_rounding,
        min_a=scheme.min_a,
        min_d=scheme.min_d,
    )


def _in_pool(scheme: Scheme, ent: Enterprise, facts: dict[str, Decimal]) -> bool:
    if scheme.pool == Pool.ABOVE:
        return ent.above_scale
    if ent.above_scale:
        return False
    own = facts.get(FactKind.LAND_MU)
    if scheme.pool == Pool.BELOW:
        return own is not None and own >= scheme.min_land_mu
    return own is None and facts.get(FactKind.LEASED_MU) is not None


def _needed_kinds(scheme: Scheme) -> tuple[set[str], set[str]]:
    """The fact kinds the scheme reads, and those it divides by (which must be positive)."""
    kinds: set[str] = {FactKind.TAX, FactKind.LAND_MU, FactKind.LEASED_MU}
    denominators: set[str] = set()
    for item in scheme.items.all():
        d = DEFINITIONS[item.measure]
        kinds.add(d.numerator)
        if d.denominator != LAND:
            kinds.add(d.denominator)
            denominators.add(d.denominator)
    return kinds, denominators


def compute(scheme: Scheme, year: int, *, actor, region: Region | None = None, trial: bool = True) -> Run:
    """Compute `scheme` over the pool of `region` (the actor's own by default) for `year`'s
    facts and store a new run with every intermediate. Nothing is stored when anything is
    wrong: a ValidationError names the enterprises and the problem. `trial=False` publishes
    the run at once (`mu.publish`)."""
    permissions.require(actor, "mu.compute", _("只有专班办公室可以进行亩均效益试算"))
    if not trial:
        permissions.require(actor, "mu.publish", _("只有专班办公室可以发布亩均效益评价结果"))
    scheme = Scheme.objects.get_visible_or_404(actor, pk=scheme.pk)
    region = region or actor.region
    if region is None or not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise Http404
    with transaction.atomic():
        run = _compute(scheme, year, actor=actor, region=region)
        if not trial:
            publish(run, actor=actor)
    return run


def _compute(scheme: Scheme, year: int, *, actor, region: Region) -> Run:
    kinds, denominators = _needed_kinds(scheme)
    ents = {e.pk: e for e in Enterprise.objects.visible_to(actor).filter(region_path__startswith=region.path)}
    facts_qs = Fact.objects.filter(year=year, kind__in=kinds, enterprise_id__in=ents.keys())
    # duplicates: the same fact of the same enterprise from two batches
    dupes = facts_qs.values("enterprise_id", "kind").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    dupes = list(dupes[: NAMED + 1])
    if dupes:
        labels = [
            _("%(name)s 的「%(kind)s」")
            % {"name": ents[d["enterprise_id"]].name, "kind": FactKind(d["kind"]).label}
            for d in dupes
        ]
        raise ValidationError(
            _("以下数据由两个批次重复提供，请先确认以哪个部门的为准：%(list)s") % {"list": _names(labels)}
        )
    facts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    batches: set[int] = set()
    for ent_id, kind, value, batch_id in facts_qs.values_list("enterprise_id", "kind", "value", "batch_id"):
        facts[ent_id][kind] = value
        batches.add(batch_id)
    adjustments: dict[int, list[tuple[str, Decimal, str]]] = defaultdict(list)
    for ent_id, kind, points, reason in Adjustment.objects.filter(
        year=year, enterprise_id__in=ents.keys()
    ).values_list("enterprise_id", "kind", "points", "reason"):
        adjustments[ent_id].append((kind, points, reason))

    pool = [e for e in ents.values() if _in_pool(scheme, e, facts.get(e.pk, {}))]
    excluded, entries = [], []
    for e in pool:
        reasons = [r for k, _p, r in adjustments.get(e.pk, []) if k == Adjustment.Kind.EXCLUDE]
        if reasons:
            excluded.append((e, "；".join(reasons)))
            continue
        entries.append(e)
    _check_facts(scheme, entries, facts, denominators)
    protect = _("当年新入规企业：不评为D类")
    pool_entries = [
        scoring.Entry(
            key=e.pk,
            name=e.name,
            facts=facts.get(e.pk, {}),
            adjustments=[a for a in adjustments.get(e.pk, []) if a[0] != Adjustment.Kind.EXCLUDE],
            protected_reason=protect if scheme.pool == Pool.ABOVE and e.above_scale_since == year else "",
            tiebreak=e.credit_code,
        )
        for e in entries
    ]
    if not pool_entries:
        raise ValidationError(
            _("%(region)s 没有可参评的企业（%(pool)s）")
            % {"region": region.name, "pool": scheme.get_pool_display()}
        )
    settings = settings_of(scheme)
    try:
        scored = scoring.score_pool(settings, pool_entries)
    except scoring.ScoringError as exc:
        raise ValidationError(str(exc)) from None

    run = Run.objects.create(
        scheme=scheme,
        region=region,
        year=year,
        batch_ids=sorted(batches),
        evaluated=len(scored),
        excluded=len(excluded),
        created_by=actor,
    )
    results = [
        Result(
            run=run,
            enterprise_id=s.entry.key,
            base=s.base,
            bonus=s.bonus,
            penalty=s.penalty,
            total=s.total,
            land_mu=scoring.land(s.entry.facts),
            tax=s.entry.facts.get(FactKind.TAX),
            tax_per_mu=s.tax_per_mu,
            veto=s.veto,
            protected=s.protected,
            notes=s.notes,
        )
        for s in scored
    ] + [Result(run=run, enterprise=e, excluded_reason=reason[:200], klass=Klass.T) for e, reason in excluded]
    Result.objects.bulk_create(results)
    ids = dict(Result.objects.filter(run=run).values_list("enterprise_id", "pk"))
    ResultItem.objects.bulk_create(
        ResultItem(
            result_id=ids[s.entry.key],
            measure=i.measure,
            family=i.family,
            weight=i.weight,
            value=i.value,
            benchmark=i.benchmark,
            benchmark_low=i.benchmark_low,
            ratio=i.ratio,
            points=i.points,
            missing=i.missing,
            capped=i.capped,
            sort=n,
        )
        for s in scored
        for n, i in enumerate(s.items)
    )
    ranking.rank_run(run.pk, len(scored), settings)
    audit.record(
        "event",
        run,
        event="mu_computed",
        changes={
            gettext_noop("评价方案"): str(scheme),
            gettext_noop("年度"): year,
            gettext_noop("参评企业"): len(scored),
            gettext_noop("数据批次"): sorted(batches),
        },
        actor=actor,
    )
    return run


def _check_facts(scheme, entries, facts, denominators) -> None:
    """Refuse a pool computed from half a data set: negative values, missing or zero land,
    zero denominators (each message names the enterprises)."""
    negative, no_land, zero = [], [], []
    for e in entries:
        f = facts.get(e.pk, {})
        if any(v < 0 for v in f.values()):
            negative.append(e.name)
        area = scoring.land(f)
        if area is None or area <= 0:
            no_land.append(e.name)
        if any(k in f and f[k] <= 0 for k in denominators):
            zero.append(e.name)
    if negative:
        raise ValidationError(
            _("以下企业有负数数据，请核对后重新导入：%(list)s") % {"list": _names(negative)}
        )
    if no_land:
        raise ValidationError(
            _("以下企业缺少用地面积（或为 0），无法计算亩均指标，请自然资源部门补充：%(list)s")
            % {"list": _names(no_land)}
        )
    if zero:
        raise ValidationError(
            _("以下企业的能耗、电耗、排放、职工人数或营业收入为 0，无法作分母：%(list)s")
            % {"list": _names(zero)}
        )


def publish(run: Run, *, actor) -> Run:
    """Publish a trial run: the previous published run of the same scheme, region and year is
    superseded (kept, never overwritten); each evaluated enterprise's users are told."""
    permissions.require(actor, "mu.publish", _("只有专班办公室可以发布亩均效益评价结果"))
    with transaction.atomic():
        run = Run.objects.select_for_update().get_visible_or_404(actor, pk=run.pk)
        if run.status != Run.Status.TRIAL:
            raise ValidationError(_("只能发布试算结果"))
        Run.objects.filter(
            scheme=run.scheme, region=run.region, year=run.year, status=Run.Status.PUBLISHED
        ).update(status=Run.Status.SUPERSEDED)
        run.status, run.published_by, run.published_at = Run.Status.PUBLISHED, actor, timezone.now()
        run.save(update_fields=["status", "published_by", "published_at"])
        audit.record(
            "event",
            run,
            event="mu_published",
            changes={gettext_noop("评价方案"): str(run.scheme)},
            actor=actor,
        )
        members = EnterpriseUser.objects.filter(
            enterprise_id__in=Result.objects.filter(run=run).values("enterprise_id"), user__is_active=True
        ).select_related("user")
        result_ids = dict(Result.objects.filter(run=run).values_list("enterprise_id", "pk"))
        notify_many(
            {
                "recipients": [m.user],
                "title": _("%(year)d 年度亩均效益评价结果已发布") % {"year": run.year},
                "url": reverse("mu:result_detail", args=[result_ids[m.enterprise_id]]),
            }
            for m in members
        )
    return run


def add_adjustment(
    enterprise: Enterprise, *, year: int, kind: str, reason: str, actor, points=Decimal(0)
) -> Adjustment:
    """Record a decision about `enterprise` in `year`'s evaluation, with its reason."""
    permissions.require(actor, "mu.adjust", _("只有专班办公室可以登记评价调整"))
    enterprise = Enterprise.objects.get_visible_or_404(actor, pk=enterprise.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因")})
    if kind not in Adjustment.Kind.values:
        raise ValidationError({"kind": _("未知的调整类型")})
    points = Decimal(points or 0)
    if points < 0:
        raise ValidationError({"points": _("分值不能为负数")})
    with transaction.atomic():
        adj = Adjustment.objects.create(
            enterprise=enterprise, year=year, kind=kind, points=points, reason=reason[:200], created_by=actor
        )
        audit.record(
            "event",
            enterprise,
            event="mu_adjusted",
            changes={gettext_noop("年度"): year, gettext_noop("类型"): kind, gettext_noop("原因"): reason},
            actor=actor,
        )
    return adj


def import_facts(rows: list[dict], *, actor) -> tuple[int, int]:
    """Write the checked rows of a facts import as one new batch of the actor's department.
    A fact the same department gave before is replaced (its correction); returns (created,
    updated). Called by `importers.FactImporter` inside the import's transaction."""
    permissions.require(actor, "mu.import", _("您不能导入亩均评价数据"))
    department = actor.department
    batch = FactBatch.objects.create(department=department, created_by=actor, rows=len(rows))
    new = [
        Fact(
            enterprise=row["enterprise"],
            year=row["year"],
            kind=kind,
            value=value,
            department=department,
            batch=batch,
        )
        for row in rows
        for kind, value in row["facts"].items()
    ]
    keys = {(f.enterprise.pk, f.year, f.kind) for f in new}
    candidates = Fact.objects.filter(
        department=department,
        enterprise_id__in={k[0] for k in keys},
        year__in={k[1] for k in keys},
        kind__in={k[2] for k in keys},
    ).exclude(batch=batch)
    replaced = [
        pk for pk, *key in candidates.values_list("pk", "enterprise_id", "year", "kind") if tuple(key) in keys
    ]
    updated = len(replaced)
    Fact.objects.filter(pk__in=replaced).delete()
    Fact.objects.bulk_create(new)
    return len(new) - updated, updated

"""Every change of the 亩均 evaluation: facts (through the import), adjustments, the computation
of a run and its publication. The scoring itself is `scoring.score_pool` (pure Decimal)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, JSONField, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhuqi.core import audit, permissions, workcalendar
from zhuqi.core import services as core_services
from zhuqi.core.models import Region, User
from zhuqi.core.notify import notify_many
from zhuqi.core.roles import DEPARTMENT_ROLES
from zhuqi.enterprises import services as enterprise_services
from zhuqi.enterprises.models import Enterprise, EnterpriseUser

from . import ranking, scoring, workflow
from .measures import DEFINITIONS, LAND
from .models import (
    Adjustment,
    Fact,
    FactBatch,
    FactCorrection,
    FactKind,
    Klass,
    Objection,
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


@dataclass(frozen=True)
class _Ent:
    """What the computation reads of an enterprise."""

    pk: int
    name: str
    credit_code: str
    above_scale: bool
    above_scale_since: int | None


def _in_pool(scheme: Scheme, ent, facts: dict[str, Decimal]) -> bool:
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


def compute(scheme: Scheme, year: int, *, actor, region: Region | None = None) -> Run:
    """Compute `scheme` over the pool of `region` (the actor's own by default) for `year`'s
    facts and store a new trial run with every intermediate. Nothing is stored when anything
    is wrong: a ValidationError names the enterprises and the problem."""
    permissions.require(actor, "mu.compute", _("只有专班办公室可以进行亩均效益试算"))
    scheme = Scheme.objects.get_visible_or_404(actor, pk=scheme.pk)
    region = region or actor.region
    if region is None or not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise Http404
    with transaction.atomic():
        run = _compute(scheme, year, actor=actor, region=region)
    return run


def _compute(scheme: Scheme, year: int, *, actor, region: Region) -> Run:
    kinds, denominators = _needed_kinds(scheme)
    # the pool's side of 规上 only, read as plain rows (a province's 规下 side is ~190,000)
    ent_qs = Enterprise.objects.visible_to(actor).filter(
        region_path__startswith=region.path, above_scale=scheme.pool == Pool.ABOVE
    )
    ents = {
        row[0]: _Ent(*row)
        for row in ent_qs.values_list("pk", "name", "credit_code", "above_scale", "above_scale_since")
    }
    facts_qs = Fact.objects.filter(year=year, kind__in=kinds, enterprise__in=ent_qs.values("pk"))
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
        year=year, enterprise__in=ent_qs.values("pk")
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
    empty = {"excluded_reason": "", "rank": None, "percentile": None, "rank_class": "", "klass": ""}
    _insert(
        Result,
        [
            {
                **empty,
                "run_id": run.pk,
                "enterprise_id": s.entry.key,
                "base": s.base,
                "bonus": s.bonus,
                "penalty": s.penalty,
                "total": s.total,
                "land_mu": scoring.land(s.entry.facts),
                "tax": s.entry.facts.get(FactKind.TAX),
                "tax_per_mu": s.tax_per_mu,
                "revenue": s.entry.facts.get(FactKind.REVENUE),
                "veto": s.veto,
                "protected": s.protected,
                "notes": s.notes,
            }
            for s in scored
        ]
        + [
            {
                **empty,
                "run_id": run.pk,
                "enterprise_id": e.pk,
                "excluded_reason": reason[:200],
                "klass": Klass.T,
                "base": None,
                "bonus": Decimal(0),
                "penalty": Decimal(0),
                "total": None,
                "land_mu": None,
                "tax": None,
                "tax_per_mu": None,
                "revenue": None,
                "veto": "",
                "protected": False,
                "notes": [],
            }
            for e, reason in excluded
        ],
    )
    ids = dict(Result.objects.filter(run=run).values_list("enterprise_id", "pk"))
    _insert(
        ResultItem,
        [
            {
                "result_id": ids[s.entry.key],
                "measure": i.measure,
                "family": i.family,
                "weight": i.weight,
                "value": i.value,
                "benchmark": i.benchmark,
                "benchmark_low": i.benchmark_low,
                "ratio": i.ratio,
                "points": i.points,
                "missing": i.missing,
                "capped": i.capped,
                "sort": n,
            }
            for s in scored
            for n, i in enumerate(s.items)
        ],
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


#: from this many rows on, a computation writes its results without model instances: COPY on
#: PostgreSQL, one prepared executemany elsewhere (a province's 规下 pool: 128,000 results and
#: 256,000 items, where bulk_create's instances and INSERT compilation took 80 % of the run)
COPY_FROM = 5000


def _insert(model, rows: list[dict]) -> None:
    """INSERT `rows` (dicts by attname, every concrete field but the key) of `model`."""
    if not rows:
        return
    if len(rows) < COPY_FROM:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    jsons = {f.attname for f in fields if isinstance(f, JSONField)}
    attnames = [f.attname for f in fields]
    qn = connection.ops.quote_name
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)

    def values(row):
        return [json.dumps(row[a], ensure_ascii=False) if a in jsons else row[a] for a in attnames]

    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))
        return
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [values(r) for r in rows])


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


def _today():
    return timezone.localdate()


def _notify_enterprises(run: Run, title: str) -> None:
    """Tell each evaluated enterprise's users, linking to their own result."""
    result_ids = dict(Result.objects.filter(run=run).values_list("enterprise_id", "pk"))
    members = EnterpriseUser.objects.filter(
        enterprise_id__in=result_ids.keys(), user__is_active=True
    ).select_related("user")
    notify_many(
        {
            "recipients": [m.user],
            "title": title,
            "url": reverse("mu:result_detail", args=[result_ids[m.enterprise_id]]),
        }
        for m in members
    )


def _lock_run(run: Run, actor) -> Run:
    return (
        Run.objects.select_for_update()
        .select_related("scheme", "region")
        .get_visible_or_404(actor, pk=run.pk)
    )


def announce(run: Run, *, actor) -> Run:
    """Put a trial run in 公示 for the scheme's number of working days from today: its
    enterprises see their own result and explanation and may object until the last day. A run
    of the same scheme, region and year already in 公示 is superseded."""
    permissions.require(actor, "mu.publish", _("只有专班办公室可以发布亩均效益评价公示"))
    with transaction.atomic():
        run = _lock_run(run, actor)
        t = workflow.check("announce", run, actor)
        Run.objects.filter(
            scheme=run.scheme, region=run.region, year=run.year, status=Run.Status.PUBLICITY
        ).update(status=Run.Status.SUPERSEDED)
        today = _today()
        run.status = t.target
        run.publicity_start = today
        run.publicity_end = workcalendar.add_working_days(today, run.scheme.publicity_days)
        run.save(update_fields=["status", "publicity_start", "publicity_end"])
        audit.record(
            "transition",
            run,
            event="mu_announced",
            changes={
                gettext_noop("评价方案"): str(run.scheme),
                gettext_noop("公示截止"): run.publicity_end.isoformat(),
            },
            actor=actor,
        )
        _notify_enterprises(
            run,
            _("%(year)d 年度亩均效益评价结果公示至 %(end)s，如有异议请在公示期内提出")
            % {"year": run.year, "end": run.publicity_end.isoformat()},
        )
    return run


def publish(run: Run, *, actor) -> Run:
    """Publish a run in 公示 once its period is over and every objection is decided: final.
    The previous published run of the same scheme, region and year is superseded (kept, never
    overwritten); each evaluated enterprise's users are told."""
    permissions.require(actor, "mu.publish", _("只有专班办公室可以发布亩均效益评价结果"))
    with transaction.atomic():
        run = _lock_run(run, actor)
        t = workflow.check("publish", run, actor)
        if run.publicity_end is not None and _today() <= run.publicity_end:
            raise ValidationError(
                _("公示期至 %(end)s，期满后才能正式发布") % {"end": run.publicity_end.isoformat()}
            )
        open_count = Objection.objects.filter(run=run, status=Objection.Status.OPEN).count()
        if open_count:
            raise ValidationError(_("还有 %(n)d 件异议未处理，处理完毕后才能正式发布") % {"n": open_count})
        Run.objects.filter(
            scheme=run.scheme, region=run.region, year=run.year, status=Run.Status.PUBLISHED
        ).update(status=Run.Status.SUPERSEDED)
        run.status, run.published_by, run.published_at = t.target, actor, timezone.now()
        run.save(update_fields=["status", "published_by", "published_at"])
        audit.record(
            "transition",
            run,
            event="mu_published",
            changes={gettext_noop("评价方案"): str(run.scheme)},
            actor=actor,
        )
        _notify_enterprises(run, _("%(year)d 年度亩均效益评价结果已正式发布") % {"year": run.year})
    return run


def recompute(run: Run, *, actor, reason: str = "") -> Run:
    """Recompute a run in 公示 from today's facts (after a correction): a new run in 公示 with
    the same period replaces it (`replaces`), the old one is superseded and kept, and the open
    objections move to the new run's results. Refused as a whole like any computation."""
    permissions.require(actor, "mu.compute", _("只有专班办公室可以重新计算"))
    with transaction.atomic():
        old = _lock_run(run, actor)
        workflow.check("recompute", old, actor)
        old.status = Run.Status.SUPERSEDED
        old.save(update_fields=["status"])
        new = _compute(old.scheme, old.year, actor=actor, region=old.region)
        new.status = Run.Status.PUBLICITY
        new.publicity_start, new.publicity_end, new.replaces = old.publicity_start, old.publicity_end, old
        new.save(update_fields=["status", "publicity_start", "publicity_end", "replaces"])
        results = dict(Result.objects.filter(run=new).values_list("enterprise_id", "pk"))
        moving = list(Objection.objects.filter(run=old, status=Objection.Status.OPEN))
        for o in moving:
            if o.enterprise_id in results:
                o.run, o.result_id = new, results[o.enterprise_id]
        Objection.objects.bulk_update([o for o in moving if o.run_id == new.pk], ["run", "result"])
        changed = _class_changes(old, new)
        audit.record(
            "transition",
            new,
            event="mu_recomputed",
            changes={
                gettext_noop("重新计算自"): old.pk,
                gettext_noop("原因"): reason,
                gettext_noop("类别变化"): changed,
            },
            actor=actor,
        )
    return new


def _class_changes(old: Run, new: Run) -> list[str]:
    """ "企业: B → A" for each enterprise whose class the recomputation changed."""
    before = dict(Result.objects.filter(run=old).values_list("enterprise_id", "klass"))
    out = []
    for ent_id, name, klass in Result.objects.filter(run=new).values_list(
        "enterprise_id", "enterprise__name", "klass"
    ):
        if before.get(ent_id) != klass:
            out.append(f"{name}: {before.get(ent_id) or '—'} → {klass}")
    return out


def raise_objection(result: Result, *, actor, reason: str, fact_kind: str = "", files=()) -> Objection:
    """An enterprise's objection to its own result in a run in 公示, with evidence files: the
    disputed figure's department is recorded, the office has the scheme's working days to
    decide, and the office that computed the run is told."""
    permissions.require(actor, "mu.object", _("只有企业可以对本企业的评价结果提出异议"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写异议理由")})
    if fact_kind and fact_kind not in FactKind.values:
        raise ValidationError({"fact_kind": _("未知的数据项")})
    with transaction.atomic():
        result = Result.objects.select_related("run", "run__scheme").get_visible_or_404(actor, pk=result.pk)
        run = Run.objects.select_for_update().select_related("scheme").get(pk=result.run_id)
        workflow.check("object", run, actor)
        if run.publicity_end is not None and _today() > run.publicity_end:
            raise ValidationError(_("公示期已于 %(end)s 结束") % {"end": run.publicity_end.isoformat()})
        if Objection.objects.filter(
            run=run, enterprise_id=result.enterprise_id, status=Objection.Status.OPEN
        ).exists():
            raise ValidationError(_("本企业已有一件异议正在处理，请等待答复"))
        department_id = None
        if fact_kind:
            department_id = (
                Fact.objects.filter(enterprise_id=result.enterprise_id, year=run.year, kind=fact_kind)
                .values_list("department_id", flat=True)
                .first()
            )
        objection = Objection.objects.create(
            run=run,
            result=result,
            enterprise_id=result.enterprise_id,
            fact_kind=fact_kind,
            department_id=department_id,
            reason=reason[:2000],
            deadline=workcalendar.add_working_days(_today(), run.scheme.objection_days),
            raised_by=actor,
        )
        for upload in files:
            core_services.add_attachment(objection, upload, actor=actor, public=True)
        audit.record(
            "event",
            objection,
            event="mu_objected",
            changes={gettext_noop("有异议的数据"): fact_kind, gettext_noop("异议理由"): reason[:200]},
            actor=actor,
        )
        notify_many(
            [
                {
                    # the office that computed the run, and the people of the department that
                    # supplied the disputed figure (to check it)
                    "recipients": [
                        run.created_by,
                        *User.objects.filter(
                            department_id=department_id, is_active=True, role__in=DEPARTMENT_ROLES
                        ).exclude(pk=run.created_by_id),
                    ]
                    if department_id
                    else [run.created_by],
                    "title": _("%(name)s 对亩均效益评价结果提出异议") % {"name": result.enterprise.name},
                    "url": reverse("mu:objection_detail", args=[objection.pk]),
                }
            ]
        )
    return objection


def decide_objection(
    objection: Objection, *, actor, uphold: bool, decision: str, new_value: Decimal | None = None
) -> Objection:
    """The office's decision on an objection, with its reason. Upheld with a new value: the
    disputed fact is corrected (`correct_fact`) and the run recomputed (`recompute`) in the same
    transaction, so a refused recomputation leaves the objection open and the fact as it was."""
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": _("请填写处理意见")})
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update()
            .select_related("run", "enterprise")
            .get_visible_or_404(actor, pk=objection.pk)
        )
        if not Run.objects.visible_to(actor).filter(pk=objection.run_id).exists():
            raise Http404
        t = workflow.check("uphold" if uphold else "reject", objection, actor)
        if uphold and new_value is not None:
            if not objection.fact_kind:
                raise ValidationError({"new_value": _("异议未指明数据项，不能更正数据")})
            correct_fact(
                objection.enterprise,
                year=objection.run.year,
                kind=objection.fact_kind,
                value=new_value,
                reason=decision,
                actor=actor,
                objection=objection,
            )
        objection.status, objection.decision = t.target, decision[:2000]
        objection.decided_by, objection.decided_at = actor, timezone.now()
        objection.save(update_fields=["status", "decision", "decided_by", "decided_at"])
        audit.record(
            "transition",
            objection,
            event="mu_objection_upheld" if uphold else "mu_objection_rejected",
            changes={gettext_noop("处理意见"): decision[:200]},
            actor=actor,
        )
        if uphold and new_value is not None and objection.run.status == Run.Status.PUBLICITY:
            recompute(objection.run, actor=actor, reason=decision)
        members = EnterpriseUser.objects.filter(
            enterprise_id=objection.enterprise_id, user__is_active=True
        ).select_related("user")
        notify_many(
            [
                {
                    "recipients": [m.user for m in members],
                    "title": (
                        _("您提出的亩均评价异议已采纳") if uphold else _("您提出的亩均评价异议未予采纳")
                    ),
                    "body": decision,
                    "url": reverse("mu:objection_detail", args=[objection.pk]),
                }
            ]
            if members
            else []
        )
    return objection


def correct_fact(
    enterprise: Enterprise, *, year: int, kind: str, value, reason: str, actor, objection=None
) -> FactCorrection:
    """Correct one fact (in its stored unit) with its reason: the old and new value are kept,
    the fact moves to a new batch of its department (the next run names it). A fact nobody
    supplied is added in the actor's department's name."""
    permissions.require(actor, "mu.adjust", _("只有专班办公室可以更正评价数据"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写更正原因")})
    if kind not in FactKind.values:
        raise ValidationError({"kind": _("未知的数据项")})
    try:
        value = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationError({"value": _("更正值应为数字")}) from None
    if not value.is_finite() or value < 0:
        raise ValidationError({"value": _("更正值不能为负数")})
    enterprise = Enterprise.objects.get_visible_or_404(actor, pk=enterprise.pk)
    with transaction.atomic():
        facts = list(Fact.objects.select_for_update().filter(enterprise=enterprise, year=year, kind=kind))
        if len(facts) > 1:
            raise ValidationError(_("该数据由两个批次重复提供，请先确认以哪个部门的为准"))
        fact = facts[0] if facts else None
        department = fact.department if fact else actor.department
        batch = FactBatch.objects.create(
            department=department,
            created_by=actor,
            rows=1,
            note=_("更正：%(reason)s") % {"reason": reason[:150]},
        )
        old = fact.value if fact else None
        if fact is None:
            Fact.objects.create(
                enterprise=enterprise, year=year, kind=kind, value=value, department=department, batch=batch
            )
        else:
            fact.value, fact.batch = value, batch
            fact.save(update_fields=["value", "batch"])
        correction = FactCorrection.objects.create(
            enterprise=enterprise,
            year=year,
            kind=kind,
            old_value=old,
            new_value=value,
            reason=reason[:200],
            objection=objection,
            batch=batch,
            created_by=actor,
        )
        audit.record(
            "event",
            enterprise,
            event="mu_fact_corrected",
            changes={
                gettext_noop("年度"): year,
                gettext_noop("数据项"): kind,
                gettext_noop("原值"): None if old is None else str(old),
                gettext_noop("更正值"): str(value),
                gettext_noop("原因"): reason[:200],
            },
            actor=actor,
        )
    return correction


#: the most points one adjustment may add or take (a scheme's whole score is about 100)
MAX_ADJUSTMENT_POINTS = Decimal(100)


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
    if not points.is_finite() or points < 0:
        raise ValidationError({"points": _("分值不能为负数")})
    if points > MAX_ADJUSTMENT_POINTS or points != points.quantize(Decimal("0.01")):
        raise ValidationError(
            {"points": _("分值应在 0—%(max)s 之间，最多两位小数") % {"max": MAX_ADJUSTMENT_POINTS}}
        )
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
    _set_accounts(rows, department)
    return len(new) - updated, updated


def _set_accounts(rows: list[dict], department) -> None:
    """The utility account numbers of an import: for each enterprise and kind given, the file's
    numbers replace the ones it had (a meter moved, an account closed)."""
    from .models import UtilityAccount

    given = {
        (row["enterprise"].pk, kind): numbers
        for row in rows
        for kind, numbers in row.get("accounts", {}).items()
    }
    if not given:
        return
    q = Q()
    for ent_id, kind in given:
        q |= Q(enterprise_id=ent_id, kind=kind)
    UtilityAccount.objects.filter(q).delete()
    UtilityAccount.objects.bulk_create(
        [
            UtilityAccount(enterprise_id=ent_id, kind=kind, number=n, department=department)
            for (ent_id, kind), numbers in given.items()
            for n in numbers
        ]
    )


def confirm_key_list(run: Run, enterprise_ids: list[int], *, actor) -> int:
    """Confirm the proposed 包保联系名单 of a published run: each chosen enterprise of the run is
    designated a key enterprise (重点企业) for the year after the run's data year
    (`enterprises.services.set_key`, which checks the registry keeper's scope and audits each
    designation); the officials then assign who looks after each on the assistance pages.
    Returns the number newly designated."""
    permissions.require(actor, "mu.keylist.confirm", _("只有专班办公室可以确定包保联系名单"))
    run = Run.objects.get_visible_or_404(actor, pk=run.pk)
    if run.status != Run.Status.PUBLISHED:
        raise ValidationError(_("评价结果正式发布后才能确定包保联系名单"))
    ents = list(
        Enterprise.objects.visible_to(actor).filter(
            pk__in=Result.objects.filter(run=run, enterprise_id__in=enterprise_ids).values("enterprise_id")
        )
    )
    if not ents:
        raise ValidationError(_("请至少选择一家企业"))
    year = run.year + 1
    note = _("%(year)d 年度亩均效益评价") % {"year": run.year}
    with transaction.atomic():
        created = sum(enterprise_services.set_key(e, year, actor=actor, note=note) for e in ents)
        audit.record(
            "event",
            run,
            event="mu_key_list_confirmed",
            changes={gettext_noop("年度"): year, gettext_noop("企业"): len(ents)},
            actor=actor,
        )
    return created


# --- 差别化措施 (per scheme and region) --------------------------------------------------------
MEASURE_FIELDS = ("klass", "category", "description", "amount", "unit", "valid_from", "valid_to", "sort")


def measure_region(actor) -> Region | None:
    """The region whose measure list the actor edits: its own region (None: a system
    administrator, who edits the scheme's sample list)."""
    from zhuqi.core.scope import scope_for

    s = scope_for(actor)
    if s.is_admin and not s.region_path:
        return None
    region = Region.objects.filter(path=s.region_path).first() if s.region_path else None
    if region is None:
        raise PermissionDenied(_("您没有可维护差别化措施的辖区"))
    return region


def _clean_measure(data: dict) -> dict:
    from decimal import InvalidOperation

    from .models import ClassMeasure

    out: dict = {k: data.get(k) for k in MEASURE_FIELDS}
    if out["klass"] not in ("A", "B", "C", "D"):
        raise ValidationError({"klass": _("评价类别：请选择 A、B、C 或 D 类")})
    if out["category"] not in ClassMeasure.Category.values:
        raise ValidationError({"category": _("措施类别：请选择")})
    description = str(out["description"] or "").strip()
    out["description"] = description
    if not description:
        raise ValidationError({"description": _("措施：请填写内容")})
    if len(description) > 200:
        raise ValidationError({"description": _("措施：不能超过 200 字")})
    unit = str(out["unit"] or "").strip()
    out["unit"] = unit
    if len(unit) > 20:
        raise ValidationError({"unit": _("单位：不能超过 20 字")})
    raw = out["amount"]
    if raw in (None, ""):
        out["amount"] = None
    else:
        try:
            amount = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise ValidationError({"amount": _("幅度：应为数字")}) from None
        if not amount.is_finite() or abs(amount) >= Decimal("1e8") or amount.as_tuple().exponent < -4:  # type: ignore[operator]
            raise ValidationError({"amount": _("幅度：应为不超过 8 位整数、4 位小数的数字")})
        out["amount"] = amount
        if not out["unit"]:
            raise ValidationError({"unit": _("单位：填写了幅度时请写明单位（如 元/千瓦时）")})
    if out["valid_from"] and out["valid_to"] and out["valid_from"] > out["valid_to"]:
        raise ValidationError({"valid_to": _("截止日期不能早于起始日期")})
    out["sort"] = out["sort"] or 0
    return out


def save_measure(scheme, measure=None, *, actor, **data):
    """Add or change one measure of the actor's region's list under `scheme` (a system
    administrator: the scheme's sample list). Checked field by field; audited."""
    from .models import ClassMeasure

    permissions.require(actor, "mu.measures.configure", _("您不能维护差别化措施"))
    region = measure_region(actor)
    clean = _clean_measure(data)
    with transaction.atomic():
        if measure is not None:
            measure = ClassMeasure.objects.select_for_update().filter(pk=measure.pk, scheme=scheme).first()
            if measure is None or measure.region_id != (region.pk if region else None):
                raise Http404
            for k, v in clean.items():
                setattr(measure, k, v)
            measure.save()
            event = "mu_measure_changed"
        else:
            measure = ClassMeasure.objects.create(scheme=scheme, region=region, **clean)
            event = "mu_measure_added"
        audit.record(
            "event",
            measure,
            event=event,
            changes={gettext_noop("方案"): str(scheme), gettext_noop("措施"): measure.description},
            actor=actor,
        )
    return measure


def delete_measure(measure, *, actor) -> None:
    permissions.require(actor, "mu.measures.configure", _("您不能维护差别化措施"))
    region = measure_region(actor)
    with transaction.atomic():
        if measure.region_id != (region.pk if region else None):
            raise Http404
        audit.record(
            "event",
            measure,
            event="mu_measure_deleted",
            changes={gettext_noop("措施"): measure.description},
            actor=actor,
        )
        measure.delete()


def start_region_measures(scheme, *, actor) -> int:
    """A region starts its own list from the list in force for it (its nearest ancestor's, or
    the scheme's sample): copied as its own, to be edited. Refused when it has one already."""
    from . import selectors
    from .models import ClassMeasure

    permissions.require(actor, "mu.measures.configure", _("您不能维护差别化措施"))
    region = measure_region(actor)
    if region is None:
        raise ValidationError(_("系统管理员直接维护方案的示例措施"))
    with transaction.atomic():
        if ClassMeasure.objects.filter(scheme=scheme, region=region).exists():
            raise ValidationError(_("本辖区已有自己的措施清单"))
        source = list(selectors.measures_for_region(scheme.pk, region))
        ClassMeasure.objects.bulk_create(
            [
                ClassMeasure(scheme=scheme, region=region, **{k: getattr(m, k) for k in MEASURE_FIELDS})
                for m in source
            ]
        )
        audit.record(
            "event",
            scheme,
            event="mu_measures_started",
            changes={gettext_noop("区划"): region.name, gettext_noop("措施条数"): len(source)},
            actor=actor,
        )
    return len(source)

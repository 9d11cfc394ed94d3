"""Every state change of an inspection-tour round (观摩): organise it (sites in visiting order,
weighted criteria adding up to 100, judges), a judge's scores of a site, publishing the results;
and the Word bulletin of the results (an audited export). Each locks the round, checks the
matrix and the actor's area, writes, audits in the same transaction and notifies on commit.
Figures: tours.py; definitions: docs/oversight.md §观摩."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Region
from zhuqi.core.notify import notify
from zhuqi.core.roles import OFFICIAL_ROLES
from zhuqi.core.scope import scope_for
from zhuqi.enterprises.models import Enterprise
from zhuqi.projects.models import Project

from . import tours
from .models import TourCriterion, TourJudge, TourRound, TourScore, TourSite

#: the weights of a round's criteria add up to this
WEIGHT_TOTAL = Decimal(100)
#: the highest maximum a criterion may have
MAX_CRITERION_SCORE = 1000
CENT = Decimal("0.01")


def can_organise(user, region: Region, action: str = "oversight.tour.manage") -> bool:
    """May `user` do `action` (organise, publish) for a round of `region`: admins anywhere, the
    others of the action's roles inside their own region subtree."""
    if not permissions.allowed(user, action):
        return False
    scope = scope_for(user)
    if scope.is_admin:
        return True
    return bool(scope.region_path) and region.path.startswith(scope.region_path or "")


def _locked(round_: TourRound, actor) -> TourRound:
    """The round re-read under a row lock, or 404 when the actor cannot see it (locked apart
    from the scope query: PostgreSQL locks no row of an outer join's nullable side)."""
    if not TourRound.objects.visible_to(actor).filter(pk=round_.pk).exists():
        raise Http404
    return TourRound.objects.select_for_update().select_related("region").get(pk=round_.pk)


def _site_key(obj) -> tuple[str, int]:
    return ("p", obj.pk) if isinstance(obj, Project) else ("e", obj.pk)


def _check_criteria(rows: list[tuple[str, Decimal, int]]) -> list[tuple[str, Decimal, int]]:
    if not rows:
        raise ValidationError({"criteria": gettext("请至少填写一个评分项")})
    clean, names = [], set()
    for i, (name, weight, max_score) in enumerate(rows, start=1):
        name = (name or "").strip()
        if not name:
            raise ValidationError({"criteria": gettext("第 %(n)s 个评分项没有名称") % {"n": i}})
        if name in names:
            raise ValidationError({"criteria": gettext("评分项「%(name)s」重复") % {"name": name}})
        names.add(name)
        try:
            weight = Decimal(weight)
        except (InvalidOperation, TypeError, ValueError) as exc:
            raise ValidationError(
                {"criteria": gettext("评分项「%(name)s」的权重不是数字") % {"name": name}}
            ) from exc
        if not weight.is_finite() or weight <= 0 or weight != weight.quantize(CENT):
            raise ValidationError(
                {"criteria": gettext("评分项「%(name)s」的权重应大于 0，最多两位小数") % {"name": name}}
            )
        if not 1 <= int(max_score) <= MAX_CRITERION_SCORE:
            raise ValidationError(
                {
                    "criteria": gettext("评分项「%(name)s」的满分应在 1–%(max)s 之间")
                    % {"name": name, "max": MAX_CRITERION_SCORE}
                }
            )
        clean.append((name, weight, int(max_score)))
    total = sum((w for _n, w, _m in clean), Decimal(0))
    if total != WEIGHT_TOTAL:
        raise ValidationError(
            {
                "criteria": gettext("各评分项的权重之和应为 100，现在是 %(sum)s")
                % {"sum": f"{total.normalize():f}"}
            }
        )
    return clean


@transaction.atomic
def save_round(
    round_: TourRound | None,
    *,
    actor,
    name: str,
    region: Region,
    held_on: dt.date | None,
    period: str = "",
    sites=(),
    judges=(),
    criteria: list[tuple[str, Decimal, int]] | None = None,
) -> TourRound:
    """Create (`round_` None) or change a round: `sites` are projects and enterprises in visiting
    order (of the round's region, visible to the actor), `judges` officials in the actor's scope,
    `criteria` (name, weight, maximum) with weights adding up to 100. Once someone has scored,
    the criteria stay as they are and a scored site or judge stays on the round; a published
    round is not changed."""
    permissions.require(actor, "oversight.tour.manage", gettext("您不能组织观摩"))
    if round_ is not None:
        round_ = _locked(round_, actor)
        if not can_organise(actor, round_.region):
            raise PermissionDenied(gettext("只有本辖区的组织单位可以修改该观摩"))
        if round_.is_published:
            raise ValidationError(gettext("本轮观摩已公布结果，不能再修改"))
    if region is None or not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": gettext("找不到该区划（或不在您的管辖范围内）")})
    if not can_organise(actor, region):
        raise PermissionDenied(gettext("只有本辖区的组织单位可以组织该区划的观摩"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写名称")})
    if held_on is None:
        raise ValidationError({"held_on": gettext("请填写观摩日期")})
    # sites, in order
    sites = list(sites)
    if not sites:
        raise ValidationError({"sites": gettext("请选择观摩点（项目或企业）")})
    keys = [_site_key(s) for s in sites]
    if len(set(keys)) != len(keys):
        raise ValidationError({"sites": gettext("同一个观摩点选了两次")})
    project_ids = [pk for kind, pk in keys if kind == "p"]
    enterprise_ids = [pk for kind, pk in keys if kind == "e"]
    found_p = Project.objects.visible_to(actor).filter(
        pk__in=project_ids, region_path__startswith=region.path
    )
    found_e = Enterprise.objects.visible_to(actor).filter(
        pk__in=enterprise_ids, region_path__startswith=region.path
    )
    if found_p.count() != len(project_ids) or found_e.count() != len(enterprise_ids):
        raise ValidationError({"sites": gettext("有观摩点不存在或不在本次观摩的区划内")})
    # judges
    User = get_user_model()
    judge_ids = {u.pk for u in judges}
    if not judge_ids:
        raise ValidationError({"judges": gettext("请选择评委")})
    found_judges = list(
        User.objects.visible_to(actor).filter(pk__in=judge_ids, role__in=OFFICIAL_ROLES, is_active=True)
    )
    if len(found_judges) != len(judge_ids):
        raise ValidationError({"judges": gettext("有评委不存在或不在您的范围内")})
    rows = _check_criteria(criteria) if criteria is not None else None
    created = round_ is None
    if round_ is not None:
        scored = TourScore.objects.filter(round=round_)
        if scored.exists():
            if rows is not None:
                current = [(c.name, Decimal(c.weight), c.max_score) for c in round_.criteria.all()]
                if current != rows:
                    raise ValidationError({"criteria": gettext("已有评分，不能再修改评分项")})
                rows = None
            gone_sites = set(scored.values_list("site_id", flat=True)) - {
                s.pk
                for s in round_.sites.all()
                if (("p", s.project_id) if s.project_id else ("e", s.enterprise_id)) in set(keys)
            }
            if gone_sites:
                raise ValidationError({"sites": gettext("已评分的观摩点不能移出本轮观摩")})
            if set(scored.values_list("judge_id", flat=True)) - judge_ids:
                raise ValidationError({"judges": gettext("已评分的评委不能移出本轮观摩")})
    elif rows is None:
        raise ValidationError({"criteria": gettext("请至少填写一个评分项")})
    round_ = round_ or TourRound(created_by=actor)
    round_.name, round_.region, round_.held_on = name, region, held_on
    round_.period = (period or "").strip()[:30]
    round_.save()
    # sites: keep the ones still there (their scores), renumber, add the new ones
    existing = {
        (("p", s.project_id) if s.project_id else ("e", s.enterprise_id)): s for s in round_.sites.all()
    }
    TourSite.objects.filter(round=round_).exclude(
        pk__in=[existing[k].pk for k in keys if k in existing]
    ).delete()
    for order, (key, obj) in enumerate(zip(keys, sites, strict=True), start=1):
        site = existing.get(key)
        if site is None:
            TourSite.objects.create(
                round=round_,
                project=obj if key[0] == "p" else None,
                enterprise=obj if key[0] == "e" else None,
                order=order,
            )
        elif site.order != order:
            site.order = order
            site.save(update_fields=["order"])
    old_judges = set(round_.judges.values_list("user_id", flat=True))
    TourJudge.objects.filter(round=round_).exclude(user_id__in=judge_ids).delete()
    TourJudge.objects.bulk_create(
        [TourJudge(round=round_, user=u) for u in found_judges if u.pk not in old_judges]
    )
    if rows is not None:
        round_.criteria.all().delete()
        TourCriterion.objects.bulk_create(
            [
                TourCriterion(round=round_, name=n, weight=w, max_score=m, order=i)
                for i, (n, w, m) in enumerate(rows, start=1)
            ]
        )
    audit.record(
        "event",
        round_,
        event="tour_created" if created else "tour_changed",
        changes={
            gettext_noop("名称"): name,
            gettext_noop("观摩点"): "、".join(s.name for s in sites),
            gettext_noop("评委"): "、".join(sorted(u.display_name for u in found_judges)),
            gettext_noop("评分项"): "、".join(f"{n}×{w.normalize():f}" for n, w, _m in rows) if rows else "",
        },
        actor=actor,
    )
    new_judges = [u for u in found_judges if u.pk not in old_judges and u.pk != actor.pk]
    notify(
        new_judges,
        gettext("请为观摩现场评分：%(name)s") % {"name": name},
        body=gettext("观摩日期 %(day)s，共 %(n)s 个观摩点。") % {"day": held_on.isoformat(), "n": len(sites)},
        url=reverse("oversight:tour_mine"),
    )
    return round_


def parse_score(value, criterion: TourCriterion) -> Decimal:
    """A judge's score of one criterion: a number 0–maximum with at most two decimals."""
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValidationError(
            {f"c{criterion.pk}": gettext("请为「%(name)s」打分") % {"name": criterion.name}}
        )
    try:
        score = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            {f"c{criterion.pk}": gettext("「%(name)s」的得分不是数字") % {"name": criterion.name}}
        ) from exc
    if not score.is_finite() or not 0 <= score <= criterion.max_score:
        raise ValidationError(
            {
                f"c{criterion.pk}": gettext("「%(name)s」的得分必须在 0–%(max)s 之间")
                % {"name": criterion.name, "max": criterion.max_score}
            }
        )
    if score != score.quantize(CENT):
        raise ValidationError(
            {f"c{criterion.pk}": gettext("「%(name)s」的得分最多两位小数") % {"name": criterion.name}}
        )
    return score.quantize(CENT)


@transaction.atomic
def score_site(round_: TourRound, site: TourSite, scores: dict, *, actor) -> list[TourScore]:
    """One judge's scores of one site, {criterion id: score}, one for every criterion of the
    round; scoring the site again replaces the judge's earlier scores. Only a judge of the round,
    only while it is being scored."""
    permissions.require(actor, "oversight.tour.score", gettext("您不能参加观摩评分"))
    round_ = _locked(round_, actor)
    if not TourJudge.objects.filter(round=round_, user_id=actor.pk).exists():
        raise PermissionDenied(gettext("您不是本轮观摩的评委"))
    if round_.is_published:
        raise ValidationError(gettext("本轮观摩已公布结果，不能再评分"))
    found = TourSite.objects.filter(round=round_, pk=site.pk).select_related("project", "enterprise").first()
    if found is None:
        raise ValidationError({"site": gettext("该观摩点不在本轮观摩中")})
    site = found
    criteria = list(round_.criteria.order_by("order", "pk"))
    given = {str(k): v for k, v in scores.items()}
    unknown = set(given) - {str(c.pk) for c in criteria}
    if unknown:
        raise ValidationError(gettext("未知的评分项"))
    errors: dict[str, str] = {}
    values: dict[int, Decimal] = {}
    for c in criteria:
        try:
            values[c.pk] = parse_score(given.get(str(c.pk)), c)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    TourScore.objects.filter(round=round_, site=site, judge_id=actor.pk).delete()
    rows = TourScore.objects.bulk_create(
        [
            TourScore(round=round_, site=site, criterion=c, judge=actor, score=values[c.pk], scored_at=now)
            for c in criteria
        ]
    )
    audit.record(
        "event",
        round_,
        event="tour_scored",
        changes={
            gettext_noop("观摩点"): site.name,
            gettext_noop("得分"): "，".join(f"{c.name} {values[c.pk]}" for c in criteria),
        },
        actor=actor,
    )
    return rows


def missing_scores(round_: TourRound) -> list[tuple[str, int]]:
    """(judge's name, sites not fully scored) for every judge who has not scored everything."""
    n_criteria = round_.criteria.count()
    site_ids = list(round_.sites.values_list("pk", flat=True))
    done: dict[int, set[int]] = {}
    counts: dict[tuple[int, int], int] = {}
    for judge_id, site_id in TourScore.objects.filter(round=round_).values_list("judge_id", "site_id"):
        counts[(judge_id, site_id)] = counts.get((judge_id, site_id), 0) + 1
    for (judge_id, site_id), n in counts.items():
        if n >= n_criteria:
            done.setdefault(judge_id, set()).add(site_id)
    out = []
    for j in round_.judges.select_related("user").order_by("pk"):
        left = len(set(site_ids) - done.get(j.user_id, set()))
        if left:
            out.append((j.user.display_name, left))
    return out


@transaction.atomic
def publish_round(round_: TourRound, *, actor, note: str = "") -> TourRound:
    """Publish the results: once, by the organisers of the round's region. Every judge must
    have scored every site, unless `note` says why the round is published without them."""
    round_ = _locked(round_, actor)
    if not can_organise(actor, round_.region, "oversight.tour.publish"):
        raise PermissionDenied(gettext("您不能公布该轮观摩结果"))
    if round_.is_published:
        raise ValidationError(gettext("本轮观摩已经公布，不能重复公布"))
    rows = tours.results(round_)
    if not any(r.total is not None for r in rows):
        raise ValidationError(gettext("还没有任何观摩点评分完成，不能公布"))
    note = (note or "").strip()[:200]
    missing = missing_scores(round_)
    if missing and not note:
        raise ValidationError(
            {
                "note": gettext("以下评委尚未完成评分：%(who)s。如确需公布，请填写说明")
                % {
                    "who": "、".join(
                        gettext("%(name)s（%(n)s 个观摩点）") % {"name": name, "n": n} for name, n in missing
                    )
                }
            }
        )
    round_.status = TourRound.Status.PUBLISHED
    round_.published_at, round_.published_by = timezone.now(), actor
    round_.publish_note = note if missing else ""
    round_.save()
    audit.record(
        "transition",
        round_,
        event="tour_published",
        changes={
            gettext_noop("状态"): [
                str(TourRound.Status.SCORING.label),
                str(TourRound.Status.PUBLISHED.label),
            ],
            **({gettext_noop("公布说明"): round_.publish_note} if round_.publish_note else {}),
        },
        actor=actor,
    )
    judges = [j.user for j in round_.judges.select_related("user") if j.user_id != actor.pk]
    notify(
        judges,
        gettext("观摩结果已公布：%(name)s") % {"name": round_.name},
        url=reverse("oversight:tour_mine"),
    )
    return round_


@transaction.atomic
def tour_bulletin(round_: TourRound, *, actor) -> bytes:
    """The published results as a Word bulletin (通报), recorded as an export."""
    permissions.require(actor, "oversight.tour.view", gettext("您不能查看观摩结果"))
    if not TourRound.objects.visible_to(actor).filter(pk=round_.pk).exists():
        raise Http404
    round_ = TourRound.objects.select_related("region").get(pk=round_.pk)
    if not round_.is_published:
        raise ValidationError(gettext("观摩结果公布后才能下载通报"))
    data = tours.docx_bytes(round_)
    audit.record("export", round_, message=gettext("下载观摩结果通报 Word 文档"), actor=actor)
    return data

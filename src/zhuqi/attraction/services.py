"""Every state change of the attraction app: lock, check permission, write, audit, notify on
commit. Views, the API and the demo loader call these; they never write leads themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Department, Region, User
from zhuqi.core.notify import notify, notify_many
from zhuqi.core.roles import DEPARTMENT_ROLES
from zhuqi.core.scope import require_visible, scope_for
from zhuqi.core.units import MAX_YEAR, MIN_YEAR, WAN, YI, half_up
from zhuqi.core.workcalendar import add_working_days, working_days_late
from zhuqi.enterprises.services import check_credit_code
from zhuqi.projects import services as project_services
from zhuqi.projects.models import Project

from . import workflow
from .models import (
    CLOCK_MAX_DAYS,
    CLOCK_MIN_DAYS,
    AnnualTarget,
    ClockKind,
    ClockSetting,
    Contract,
    FundMonth,
    FundSource,
    Lead,
    LeadClock,
    LedgerClose,
    Obligation,
    Opinion,
    Pipeline,
    PreReview,
    ReviewRule,
    Stage,
    StageChange,
    Target,
    Verdict,
    normalise_name,
)

#: the largest plan a lead may name: 1,000 亿元 (10,000,000 万元). A bigger figure is almost
#: always an amount typed in 元 into a 万元 field.
MAX_AMOUNT = Decimal(10_000_000) * WAN
#: the tag (one of Project.TAG_CHOICES) the project of a converted lead carries
PROJECT_TAG = "招商引资"
#: working days a reviewer department has to answer a pre-review, unless the office says otherwise
DEFAULT_REVIEW_DAYS = 5

LEAD_FIELDS = [
    "pipeline",
    "title",
    "investor_name",
    "credit_code",
    "investor_region",
    "source",
    "referrer",
    "content",
    "amount",
    "industry_code",
    "chain_node",
    "land_mu",
    "site",
    "region",
    "team",
    "owner",
    "registered_on",
    "phase_of",
]


# --- permissions ------------------------------------------------------------------------------
def _in_area(user, region: Region) -> bool:
    scope = scope_for(user)
    if scope.is_admin:
        return True
    return bool(scope.region_path) and region.path.startswith(scope.region_path or "")


def can_work(user, lead: Lead) -> bool:
    """May `user` change `lead` (edit, move, contracts)? The matrix's `attraction.lead.work`,
    then: a team's people their own team's leads, anyone the leads they own, the office (and
    admins) every lead of its area."""
    if not permissions.allowed(user, "attraction.lead.work"):
        return False
    if scope_for(user).is_admin or lead.owner_id == user.pk:
        return True
    if user.role in DEPARTMENT_ROLES:
        return bool(lead.team_id) and lead.team_id == user.department_id
    return _in_area(user, lead.region)


def can_manage(user, lead: Lead, action: str) -> bool:
    """The office's actions on a lead of its area (`attraction.prereview.manage`, `…convert`)."""
    return permissions.allowed(user, action) and _in_area(user, lead.region)


def _require_work(user, lead: Lead) -> None:
    if not can_work(user, lead):
        raise PermissionDenied(gettext("您不能办理这条招商线索"))


def _lock(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().select_related("stage", "region").get(pk=lead.pk)


def _team_people(lead: Lead, actor) -> list:
    people = list(User.objects.filter(department_id=lead.team_id, is_active=True)) if lead.team_id else []
    if lead.owner_id and all(p.pk != lead.owner_id for p in people):
        people.append(lead.owner)
    return [p for p in people if p.pk != actor.pk]


def _url(lead: Lead) -> str:
    return reverse("attraction:lead_detail", args=[lead.pk])


# --- leads --------------------------------------------------------------------------------------
def check_amount(amount: Decimal | None, field: str = "amount") -> Decimal:
    """An amount in yuan that can be a lead's plan: present, not negative, and not absurd (a
    figure in 元 typed into a 万元 field is refused with a message saying so)."""
    if amount is None:
        raise ValidationError({field: gettext("请填写计划投资额（万元）")})
    if amount < 0:
        raise ValidationError({field: gettext("投资额不能为负数")})
    if amount > MAX_AMOUNT:
        raise ValidationError(
            {
                field: gettext(
                    "投资额 %(wan)s 万元超过 1000 亿元，看起来是按“元”填写的；请以“万元”为单位填写"
                )
                % {"wan": f"{amount / WAN:,.0f}"}
            }
        )
    return amount


def duplicate_of(*, investor_name: str, credit_code: str = "", exclude: int | None = None) -> Lead | None:
    """An open lead (not 流失, not finished) of the same investor: the same credit code, or the
    same name once normalised (`models.normalise_name`). Across all regions: two teams must not
    chase one investor without knowing it."""
    key = normalise_name(investor_name)
    same = Q(investor_key=key) if key else Q(pk__in=[])
    if credit_code:
        same |= Q(credit_code=credit_code)
    qs = Lead.objects.filter(same).filter(stage__is_lost=False, stage__is_final=False)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.select_related("stage", "team", "region").order_by("pk").first()


def _duplicate_message(lead: Lead) -> str:
    return gettext(
        "该投资方已有在跟进的线索：「%(title)s」（编号 %(pk)s，%(region)s，%(team)s，当前阶段：%(stage)s），请勿重复登记"
    ) % {
        "title": lead.title,
        "pk": lead.pk,
        "region": lead.region.name,
        "team": lead.team.name if lead.team else gettext("未指定小组"),
        "stage": lead.stage.name,
    }


def _clean(actor, fields: dict[str, Any], *, exclude: int | None = None) -> dict[str, Any]:
    unknown = set(fields) - set(LEAD_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    errors: dict[str, str] = {}
    for name, message in (
        ("title", gettext("请填写项目名称")),
        ("investor_name", gettext("请填写投资方名称")),
        ("source", gettext("请选择线索来源")),
    ):
        fields[name] = (
            (fields.get(name) or "").strip() if isinstance(fields.get(name), str) else fields.get(name)
        )
        if not fields.get(name):
            errors[name] = message
    if fields.get("region") is None:
        errors["region"] = gettext("请选择落地区划或园区")
    if errors:
        raise ValidationError(errors)
    fields["amount"] = check_amount(fields.get("amount"))
    code = fields.get("credit_code") or ""
    fields["credit_code"] = check_credit_code(code) if code.strip() else ""
    if not _in_area(actor, fields["region"]):
        raise ValidationError({"region": gettext("所选的记录不存在")})
    require_visible(actor, "team", fields.get("team"))
    require_visible(actor, "owner", fields.get("owner"))
    if actor.role in DEPARTMENT_ROLES and not scope_for(actor).is_admin:
        team = fields.get("team")
        if team is None:
            fields["team"] = actor.department
        elif team.pk != actor.department_id:
            raise ValidationError({"team": gettext("招商小组只能登记本小组的线索")})
    phase = _check_phase_of(actor, fields.get("phase_of"), exclude)
    dup = duplicate_of(
        investor_name=fields["investor_name"], credit_code=fields["credit_code"], exclude=exclude
    )
    if dup is not None and phase is not None and dup.pk == phase.pk:
        dup = None  # the same investor's next phase of its signed lead is no duplicate
    if dup is not None:
        raise ValidationError({"investor_name": _duplicate_message(dup)})
    return fields


def _check_phase_of(actor, phase: Lead | None, lead_pk: int | None) -> Lead | None:
    """The earlier lead a lead is a second (later) phase of: one the actor sees, with a formal
    contract (正式合同) signed, neither the lead itself nor one of its own later phases."""
    if phase is None:
        return None
    if not Lead.objects.visible_to(actor).filter(pk=phase.pk).exists():
        raise ValidationError({"phase_of": gettext("所选的记录不存在")})
    seen: set[int] = set()
    up: Lead | None = phase
    while up is not None and up.pk not in seen:
        if lead_pk is not None and up.pk == lead_pk:
            raise ValidationError({"phase_of": gettext("前期项目不能是本项目或本项目的后续期")})
        seen.add(up.pk)
        up = up.phase_of
    if not phase.contracts.filter(kind=Contract.Kind.FORMAL).exists():
        raise ValidationError(
            {
                "phase_of": gettext("「%(title)s」还没有签订正式合同，不能作为二期项目的前期项目")
                % {"title": phase.title}
            }
        )
    return phase


@transaction.atomic
def register_lead(*, actor, **fields) -> Lead:
    """Register a lead in the first stage of its pipeline (线索); refused for a duplicate
    investor, an amount in the wrong unit, a team or region outside the actor's reach."""
    permissions.require(actor, "attraction.lead.work", gettext("您的角色不能登记招商线索"))
    pipeline: Pipeline | None = fields.get("pipeline")
    if pipeline is None:
        raise ValidationError({"pipeline": gettext("请选择线索类型")})
    fields = _clean(actor, dict(fields))
    first = Stage.objects.filter(pipeline=pipeline, is_lost=False, is_shelved=False).order_by("order").first()
    if first is None:
        raise ValidationError({"pipeline": gettext("该线索类型还没有阶段")})
    now = timezone.now()
    lead = Lead(stage=first, stage_entered_at=now, created_by=actor, **fields)
    lead.full_clean(exclude=["created_by", "owner", "team", "chain_node", "stage", "pipeline", "phase_of"])
    lead.save()
    StageChange.objects.create(lead=lead, from_stage=None, to_stage=first, actor=actor, at=now)
    rule = clock_rule(lead.region)
    if lead.amount >= rule.threshold:
        start_clocks(lead, timezone.localdate(), rule)
    audit.record(
        "event",
        lead,
        event="lead_registered",
        changes={
            gettext_noop("投资方"): lead.investor_name,
            gettext_noop("计划投资（元）"): str(lead.amount),
        },
        actor=actor,
    )
    notify(
        _team_people(lead, actor), gettext("新的招商线索：%(title)s") % {"title": lead.title}, url=_url(lead)
    )
    return lead


@transaction.atomic
def update_lead(lead: Lead, *, actor, **fields) -> Lead:
    """Change a lead's particulars (not its stage: `move_lead`)."""
    lead = _lock(lead)
    _require_work(actor, lead)
    fields.pop("pipeline", None)  # a lead keeps its pipeline
    merged = {f: getattr(lead, f) for f in LEAD_FIELDS if f != "pipeline"}
    merged.update(fields)
    merged = _clean(actor, merged, exclude=lead.pk)
    from . import rollups

    before = rollups.lead_pairs(lead)  # a move or a new registration day: the old pairs too
    for name, value in merged.items():
        setattr(lead, name, value)
    lead.full_clean(exclude=["created_by", "owner", "team", "chain_node", "stage", "pipeline", "phase_of"])
    lead.save()
    rollups.mark_stale(before + rollups.lead_pairs(lead))
    rule = clock_rule(lead.region)
    if lead.amount >= rule.threshold and not lead.clocks.exists():
        start_clocks(lead, timezone.localdate(), rule)
    audit.record("event", lead, event="lead_changed", actor=actor)
    return lead


def concluded_prereview(lead: Lead) -> PreReview | None:
    """The lead's latest concluded pre-review, if any."""
    return lead.prereviews.filter(status=PreReview.Status.CONCLUDED).order_by("-concluded_at", "-pk").first()


def _require_prereview(lead: Lead, what: str) -> None:
    review = concluded_prereview(lead)
    if review is None:
        raise ValidationError(
            gettext("未经联审预审的项目不得%(what)s：请先发起联审预审并出具综合预审意见") % {"what": what}
        )
    if not review.passed:
        raise ValidationError(gettext("综合预审意见为“不同意”，不得%(what)s") % {"what": what})


@transaction.atomic
def move_lead(lead: Lead, to_stage: Stage, *, actor, reason: str = "") -> StageChange:
    """Move a lead per `workflow.TRANSITIONS`; 签约 and later need a concluded, non-rejected
    pre-review; going back, 搁置 and 流失 need a reason. Records the change, audits, tells the
    team."""
    lead = _lock(lead)
    _require_work(actor, lead)
    move = workflow.check(lead, to_stage, actor)
    reason = (reason or "").strip()
    if workflow.TRANSITIONS[move].needs_reason and not reason:
        raise ValidationError({"reason": gettext("转到「%(stage)s」须说明原因") % {"stage": to_stage.name}})
    if to_stage.needs_prereview and not lead.stage.needs_prereview:
        _require_prereview(lead, gettext("签约"))
    now = timezone.now()
    from_stage = lead.stage
    change = StageChange.objects.create(
        lead=lead, from_stage=from_stage, to_stage=to_stage, reason=reason, actor=actor, at=now
    )
    lead.stage, lead.stage_entered_at = to_stage, now
    lead.save(update_fields=["stage", "stage_entered_at"])
    # a move is an answer to the lead: it stops the 响应 clock
    LeadClock.objects.filter(lead=lead, kind=ClockKind.RESPOND, done_at__isnull=True).update(
        done_at=now,
        done_by=actor,
        note=gettext("线索推进：%(from)s → %(to)s") % {"from": from_stage.name, "to": to_stage.name},
    )
    audit.record(
        "transition",
        lead,
        event="lead_moved",
        changes={gettext_noop("阶段"): [from_stage.name, to_stage.name], gettext_noop("原因"): reason},
        actor=actor,
    )
    notify(
        _team_people(lead, actor),
        gettext("线索「%(title)s」：%(from)s → %(to)s")
        % {"title": lead.title, "from": from_stage.name, "to": to_stage.name},
        body=reason,
        url=_url(lead),
    )
    return change


# --- pre-review ("14+n") -------------------------------------------------------------------------
def reviewers_for(lead: Lead) -> list[Department]:
    """The reviewer departments of a lead: the standing ones of its region and the regions above,
    plus those whose industry prefix the lead's GB/T 4754 code starts with."""
    parts = [p for p in lead.region_path.split("/") if p]
    paths = ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]
    rules = ReviewRule.objects.filter(is_active=True, region__path__in=paths).select_related("department")
    out: dict[int, Department] = {}
    for rule in rules.order_by("industry_prefix", "pk"):
        if not rule.industry_prefix or (lead.industry_code or "").startswith(rule.industry_prefix):
            out.setdefault(rule.department_id, rule.department)
    return list(out.values())


@transaction.atomic
def start_prereview(
    lead: Lead, *, actor, days: int = DEFAULT_REVIEW_DAYS, today: dt.date | None = None
) -> PreReview:
    """Ask every reviewer department for its opinion, due in `days` working days."""
    lead = _lock(lead)
    if not can_manage(actor, lead, "attraction.prereview.manage"):
        raise PermissionDenied(gettext("只有专班办公室可以发起联审预审"))
    if lead.stage.is_side or lead.stage.needs_prereview:
        raise ValidationError(
            gettext("线索当前处于「%(stage)s」，不能发起联审预审") % {"stage": lead.stage.name}
        )
    if lead.prereviews.filter(status=PreReview.Status.OPEN).exists():
        raise ValidationError(gettext("该线索已有进行中的联审预审"))
    if not 1 <= days <= 60:
        raise ValidationError({"days": gettext("反馈期限应为 1 至 60 个工作日")})
    departments = reviewers_for(lead)
    if not departments:
        raise ValidationError(gettext("本辖区还没有配置预审部门，请先在“预审部门”中设置"))
    due = add_working_days(today or timezone.localdate(), days)
    review = PreReview.objects.create(lead=lead, due_on=due, started_by=actor)
    Opinion.objects.bulk_create([Opinion(prereview=review, department=d, due_on=due) for d in departments])
    audit.record(
        "event",
        lead,
        event="prereview_started",
        changes={gettext_noop("预审部门"): [d.name for d in departments], gettext_noop("反馈期限"): str(due)},
        actor=actor,
    )
    people = User.objects.filter(department__in=departments, is_active=True, role__in=DEPARTMENT_ROLES)
    notify(
        people,
        gettext("请在 %(due)s 前反馈预审意见：%(title)s") % {"due": due, "title": lead.title},
        url=_url(lead),
    )
    return review


def can_answer(user, opinion: Opinion) -> bool:
    return permissions.allowed(user, "attraction.prereview.opinion") and opinion.department_id == getattr(
        user, "department_id", None
    )


@transaction.atomic
def give_opinion(opinion: Opinion, *, verdict: str, conditions: str = "", actor) -> Opinion:
    """A reviewer department answers: pass, conditional (conditions required) or reject (reason
    required), while the pre-review is open."""
    opinion = Opinion.objects.select_for_update().select_related("prereview__lead").get(pk=opinion.pk)
    if not can_answer(actor, opinion):
        raise PermissionDenied(gettext("只有被征求意见的部门可以反馈"))
    if opinion.prereview.status != PreReview.Status.OPEN:
        raise ValidationError(gettext("该联审预审已出具综合意见，不能再修改部门意见"))
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": gettext("请选择预审意见")})
    conditions = (conditions or "").strip()
    if verdict != Verdict.PASS and not conditions:
        raise ValidationError({"conditions": gettext("有条件同意或不同意时，须写明条件或理由")})
    opinion.verdict, opinion.conditions = verdict, conditions
    opinion.answered_by, opinion.answered_at = actor, timezone.now()
    opinion.save()
    lead = opinion.prereview.lead
    audit.record(
        "event",
        lead,
        event="prereview_opinion",
        changes={
            gettext_noop("部门"): opinion.department.name,
            gettext_noop("意见"): opinion.get_verdict_display(),
        },
        actor=actor,
    )
    notify(
        User.objects.filter(pk=opinion.prereview.started_by_id),
        gettext("%(dept)s已反馈预审意见：%(title)s") % {"dept": opinion.department.name, "title": lead.title},
        url=_url(lead),
    )
    return opinion


@transaction.atomic
def conclude_prereview(review: PreReview, *, conclusion: str, summary: str, actor) -> PreReview:
    """The office's 综合预审意见, once every department has answered; it cannot pass a lead a
    department rejected (the conclusion is then 不同意, or the department changes its answer)."""
    review = PreReview.objects.select_for_update().select_related("lead").get(pk=review.pk)
    if not can_manage(actor, review.lead, "attraction.prereview.manage"):
        raise PermissionDenied(gettext("只有专班办公室可以出具综合预审意见"))
    if review.status != PreReview.Status.OPEN:
        raise ValidationError(gettext("综合预审意见已出具"))
    waiting = [o.department.name for o in review.opinions.select_related("department") if not o.verdict]
    if waiting:
        raise ValidationError(
            gettext("还有 %(n)s 个部门未反馈意见：%(names)s")
            % {"n": len(waiting), "names": "、".join(waiting)}
        )
    if conclusion not in Verdict.values:
        raise ValidationError({"conclusion": gettext("请选择综合意见")})
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": gettext("请填写综合预审意见")})
    rejected = [
        o.department.name for o in review.opinions.filter(verdict=Verdict.REJECT).select_related("department")
    ]
    if rejected and conclusion != Verdict.REJECT:
        raise ValidationError(
            {
                "conclusion": gettext("%(names)s 不同意，综合意见只能为“不同意”")
                % {"names": "、".join(rejected)}
            }
        )
    review.status, review.conclusion, review.summary = PreReview.Status.CONCLUDED, conclusion, summary
    review.concluded_by, review.concluded_at = actor, timezone.now()
    review.save()
    audit.record(
        "event",
        review.lead,
        event="prereview_concluded",
        changes={gettext_noop("综合意见"): review.get_conclusion_display()},
        message=summary,
        actor=actor,
    )
    notify(
        _team_people(review.lead, actor),
        gettext("综合预审意见（%(c)s）：%(title)s")
        % {"c": review.get_conclusion_display(), "title": review.lead.title},
        url=_url(review.lead),
    )
    return review


# --- contracts and 履约 ---------------------------------------------------------------------------
@transaction.atomic
def record_contract(
    lead: Lead,
    *,
    kind: str,
    signed_on: dt.date,
    amount: Decimal,
    actor,
    number: str = "",
    planned_start: dt.date | None = None,
    planned_completion: dt.date | None = None,
    obligations: list[dict] | tuple = (),
) -> Contract:
    """Record a signed contract with its obligations; only after a concluded, non-rejected
    pre-review (未经联审论证的项目，不得组织会签)."""
    lead = _lock(lead)
    _require_work(actor, lead)
    _require_prereview(lead, gettext("登记签约合同"))
    if kind not in Contract.Kind.values:
        raise ValidationError({"kind": gettext("请选择合同类型")})
    if signed_on is None:
        raise ValidationError({"signed_on": gettext("请填写签约日期")})
    amount = check_amount(amount)
    if planned_start and planned_completion and planned_completion < planned_start:
        raise ValidationError({"planned_completion": gettext("约定竣工日期不能早于约定开工日期")})
    contract = Contract.objects.create(
        lead=lead,
        kind=kind,
        number=(number or "").strip(),
        signed_on=signed_on,
        amount=amount,
        planned_start=planned_start,
        planned_completion=planned_completion,
        created_by=actor,
    )
    rows = []
    for i, ob in enumerate(obligations, start=1):
        if ob.get("kind") not in Obligation.Kind.values:
            raise ValidationError({"obligations": gettext("第 %(n)s 项履约事项：请选择事项") % {"n": i}})
        if not ob.get("due_on"):
            raise ValidationError({"obligations": gettext("第 %(n)s 项履约事项：请填写约定期限") % {"n": i}})
        rows.append(
            Obligation(contract=contract, kind=ob["kind"], target=ob.get("target"), due_on=ob["due_on"])
        )
    Obligation.objects.bulk_create(rows)
    audit.record(
        "event",
        lead,
        event="contract_recorded",
        changes={
            gettext_noop("合同类型"): contract.get_kind_display(),
            gettext_noop("签约日期"): str(signed_on),
            gettext_noop("履约事项"): len(rows),
        },
        actor=actor,
    )
    return contract


@transaction.atomic
def check_obligation(
    obligation: Obligation,
    *,
    status: str,
    actor,
    actual: Decimal | None = None,
    checked_on: dt.date | None = None,
    note: str = "",
) -> Obligation:
    """Record whether an obligation was met or missed (履约核定)."""
    obligation = Obligation.objects.select_for_update().select_related("contract__lead").get(pk=obligation.pk)
    lead = obligation.contract.lead
    _require_work(actor, lead)
    if status not in (Obligation.Status.MET, Obligation.Status.MISSED):
        raise ValidationError({"status": gettext("请选择已履约或未履约")})
    obligation.status, obligation.actual = status, actual
    obligation.checked_on = checked_on or timezone.localdate()
    obligation.note = (note or "").strip()
    obligation.save()
    audit.record(
        "event",
        lead,
        event="obligation_checked",
        changes={
            gettext_noop("履约事项"): obligation.get_kind_display(),
            gettext_noop("履约状态"): obligation.get_status_display(),
        },
        actor=actor,
    )
    return obligation


# --- a signed lead becomes a project -------------------------------------------------------------
@transaction.atomic
def convert_to_project(lead: Lead, *, code: str, leader, department, actor) -> Project:
    """Create the key project a signed lead becomes, through `projects.services.create_project`
    (its ledger rules: a responsible unit and county leader), carrying the investor, the amount
    and the formal contract's dates; the lead links to it."""
    lead = _lock(lead)
    if not can_manage(actor, lead, "attraction.convert"):
        raise PermissionDenied(gettext("只有专班办公室可以将线索转为项目"))
    if lead.project_id:
        raise ValidationError(gettext("该线索已转为项目"))
    if not lead.stage.is_won and not _after_won(lead.stage):
        raise ValidationError(
            gettext("只有已签约的线索可以转为项目（当前：%(stage)s）") % {"stage": lead.stage.name}
        )
    contracts = lead.contracts.order_by("-signed_on", "-pk")
    contract = contracts.filter(kind=Contract.Kind.FORMAL).first() or contracts.first()
    require_visible(actor, "leader", leader)
    require_visible(actor, "department", department)
    project = project_services.create_project(
        actor=actor,
        code=(code or "").strip(),
        name=lead.title,
        region=lead.region,
        total_investment=contract.amount if contract else lead.amount,
        planned_start=contract.planned_start if contract else None,
        planned_completion=contract.planned_completion if contract else None,
        leader=leader,
        department=department,
        tags=[PROJECT_TAG],
        description=gettext("投资方：%(investor)s。%(content)s")
        % {"investor": lead.investor_name, "content": lead.content},
    )
    if contract is not None and contract.signed_on <= timezone.localdate():
        project_services.move_stage(
            project,
            "signed",
            date=contract.signed_on,
            evidence=gettext("招商合同 %(number)s（%(kind)s）")
            % {"number": contract.number or "—", "kind": contract.get_kind_display()},
            actor=actor,
        )
        project.refresh_from_db()
    lead.project = project
    lead.save(update_fields=["project"])
    audit.record(
        "event", lead, event="lead_converted", changes={gettext_noop("项目编号"): project.code}, actor=actor
    )
    notify(
        _team_people(lead, actor),
        gettext("线索「%(title)s」已转为重点项目 %(code)s") % {"title": lead.title, "code": project.code},
        url=reverse("projects:project_detail", args=[project.pk]),
    )
    return project


def _after_won(stage: Stage) -> bool:
    won = (
        Stage.objects.filter(pipeline_id=stage.pipeline_id, is_won=True)
        .values_list("order", flat=True)
        .first()
    )
    return won is not None and not stage.is_side and stage.order >= won


# --- funds in place (到位资金) -----------------------------------------------------------------
#: sources that count as 省外到位资金 (国内省外); everything else is recorded but not recognised
OUT_OF_PROVINCE_SOURCES = frozenset({FundSource.OUT_OF_PROVINCE})
#: GB/T 4754 prefix of real estate (房地产业), whose funds never count
REAL_ESTATE_PREFIX = "70"


def reached(lead: Lead, code: str) -> bool:
    """Has the lead ever been in stage `code` or a later main stage of its pipeline?"""
    target = (
        Stage.objects.filter(pipeline_id=lead.pipeline_id, code=code).values_list("order", flat=True).first()
    )
    if target is None:
        return False
    return lead.changes.filter(
        to_stage__order__gte=target, to_stage__is_lost=False, to_stage__is_shelved=False
    ).exists()


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Recognition:
    """One rule of the province's definition of 省外到位资金: `holds(lead, source, month_end)`
    is True when the rule lets the funds count; otherwise `reason` is recorded."""

    code: str
    reason: Any
    holds: Callable[[Lead, str, dt.date], bool]


def _formal_contract(lead: Lead, _source: str, month_end: dt.date) -> bool:
    return lead.contracts.filter(kind=Contract.Kind.FORMAL, signed_on__lte=month_end).exists()


def _not_second_phase(lead: Lead, _source: str, month_end: dt.date) -> bool:
    """Not a second (later) phase of a lead whose formal contract was signed by the month's end."""
    return (
        lead.phase_of_id is None
        or not Contract.objects.filter(
            lead_id=lead.phase_of_id, kind=Contract.Kind.FORMAL, signed_on__lte=month_end
        ).exists()
    )


def _size(lead: Lead, _source: str, month_end: dt.date) -> bool:
    c = lead.contracts.filter(kind=Contract.Kind.FORMAL, signed_on__lte=month_end).order_by("-amount").first()
    return c is not None and c.amount >= YI


#: the rules, in the order their reasons are reported (attraction-figures.md §到位资金)
RECOGNITION: list[Recognition] = [
    Recognition(
        "source",
        gettext_noop("资金来源不属于国内省外资金（本地、省内、跨县、政府/PPP、贷款资金不计）"),
        lambda lead, source, _d: source in OUT_OF_PROVINCE_SOURCES,
    ),
    Recognition(
        "real_estate",
        gettext_noop("房地产项目不计"),
        lambda lead, _s, _d: not (lead.industry_code or "").startswith(REAL_ESTATE_PREFIX),
    ),
    Recognition(
        "second_phase",
        gettext_noop("属于已签约项目的二期（后续期），不作为新的省外到位资金项目"),
        _not_second_phase,
    ),
    Recognition("formal_contract", gettext_noop("未签订正式合同"), _formal_contract),
    Recognition("size", gettext_noop("正式合同投资额不足 1 亿元"), _size),
    Recognition("started", gettext_noop("主体工程尚未开工"), lambda lead, _s, _d: reached(lead, "started")),
]


def recognise(lead: Lead, source: str, year: int, month: int) -> tuple[bool, str]:
    """(recognised, reasons it is not) under `RECOGNITION`."""
    month_end = _month_end(year, month)
    failed = [gettext(r.reason) for r in RECOGNITION if not r.holds(lead, source, month_end)]
    return (not failed, "; ".join(failed))


@transaction.atomic
def record_funds(
    lead: Lead, *, year: int, month: int, source: str, amount: Decimal, actor, evidence: str = ""
) -> FundMonth:
    """Record a month's funds in place of a lead, by source, and whether they count as 省外到位资金
    (with the reasons when not). Refused for a lead not registered locally (注册), an amount in
    the wrong unit, a month twice for one source, or a month in the future."""
    lead = _lock(lead)
    _require_work(actor, lead)
    if not reached(lead, "registered"):
        raise ValidationError(
            gettext("「%(title)s」尚未在本地注册，不能登记到位资金（当前阶段：%(stage)s）")
            % {"title": lead.title, "stage": lead.stage.name}
        )
    if not (MIN_YEAR <= year <= MAX_YEAR) or not (1 <= month <= 12):
        raise ValidationError({"month": gettext("请填写正确的年份和月份")})
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError({"month": gettext("不能登记未来月份的到位资金")})
    if source not in FundSource.values:
        raise ValidationError({"source": gettext("请选择资金来源")})
    _require_open_month(lead, year, month)
    amount = check_amount(amount)
    if amount <= 0:
        raise ValidationError({"amount": gettext("到位资金须大于 0")})
    if FundMonth.objects.filter(lead=lead, year=year, month=month, source=source).exists():
        raise ValidationError(
            {"month": gettext("%(year)s年%(month)s月的该来源资金已登记") % {"year": year, "month": month}}
        )
    ok, reason = recognise(lead, source, year, month)
    fund = FundMonth.objects.create(
        lead=lead,
        year=year,
        month=month,
        source=source,
        amount=amount,
        evidence=(evidence or "").strip(),
        recognised=ok,
        reason=reason,
        recorded_by=actor,
    )
    audit.record(
        "event",
        lead,
        event="funds_recorded",
        changes={
            gettext_noop("月份"): f"{year}-{month:02d}",
            gettext_noop("到位资金（元）"): str(amount),
            gettext_noop("认定"): ok,
        },
        message=reason,
        actor=actor,
    )
    return fund


# --- closing a month of the 台账 (关账) ----------------------------------------------------------
def _month_label(year: int, month: int) -> str:
    return gettext("%(year)s年%(month)s月") % {"year": year, "month": month}


def _require_open_month(lead: Lead, year: int, month: int) -> None:
    """Refuse a fund month of a month closed for a region containing the lead. The lead's region
    and those above it are locked first, so a close (which locks its region) and a record of the
    same month never interleave."""
    paths = lead.region.ancestor_paths()
    list(Region.objects.select_for_update().filter(path__in=paths).order_by("path").values_list("pk"))
    close = (
        LedgerClose.objects.filter(region__path__in=paths, year=year, month=month, reopened_at__isnull=True)
        .select_related("region", "closed_by")
        .first()
    )
    if close is not None:
        raise ValidationError(
            {
                "month": gettext(
                    "%(month)s的到位资金台账已由%(region)s于 %(at)s 关账，不能再登记或修改该月的到位资金；"
                    "确需补录，请专班办公室先重新开账"
                )
                % {
                    "month": _month_label(year, month),
                    "region": close.region.name,
                    "at": timezone.localtime(close.closed_at).strftime("%Y-%m-%d %H:%M"),
                }
            }
        )


def can_close_ledger(user, region: Region) -> bool:
    """May `user` close and reopen months of `region`'s 台账? The matrix's
    `attraction.ledger.close`, in the user's area."""
    return permissions.allowed(user, "attraction.ledger.close") and _in_area(user, region)


def _ledger_month(actor, region: Region | None, year: int, month: int) -> Region:
    permissions.require(actor, "attraction.ledger.close", gettext("只有专班办公室可以关账或重新开账"))
    if region is None or not _in_area(actor, region):
        raise ValidationError({"region": gettext("请选择本辖区的区划")})
    if not (MIN_YEAR <= year <= MAX_YEAR) or not (1 <= month <= 12):
        raise ValidationError({"month": gettext("请填写正确的年份和月份")})
    # the region's row serialises a close against the records of the month (_require_open_month)
    return Region.objects.select_for_update().get(pk=region.pk)


@transaction.atomic
def close_ledger(*, actor, region: Region | None, year: int, month: int) -> LedgerClose:
    """Close (关账) a month of the 台账 of `region`'s subtree: from now on no fund month of that
    month may be recorded for its leads, and the 台账 counts only the rows recorded before now.
    Only a month that has ended; closing a closed month is refused; closing a reopened one
    closes it again (at the new time). The office of the region's area."""
    region = _ledger_month(actor, region, year, month)
    today = timezone.localdate()
    if (year, month) >= (today.year, today.month):
        raise ValidationError(
            {"month": gettext("%(month)s尚未结束，不能关账") % {"month": _month_label(year, month)}}
        )
    close = LedgerClose.objects.select_for_update().filter(region=region, year=year, month=month).first()
    if close is not None and close.is_closed:
        raise ValidationError(
            {"month": gettext("%(month)s的台账已经关账") % {"month": _month_label(year, month)}}
        )
    now = timezone.now()
    close = close or LedgerClose(region=region, year=year, month=month)
    close.closed_by, close.closed_at = actor, now
    close.reopened_by, close.reopened_at, close.reopen_reason = None, None, ""
    close.save()
    audit.record(
        "event",
        close,
        event="ledger_closed",
        changes={gettext_noop("月份"): f"{year}-{month:02d}", gettext_noop("区划"): region.name},
        actor=actor,
    )
    return close


@transaction.atomic
def reopen_ledger(*, actor, region: Region | None, year: int, month: int, reason: str) -> LedgerClose:
    """Reopen (重新开账) a closed month of `region`'s 台账, with a reason: fund months of that month
    may be recorded again and count once it is closed again. The office of the region's area."""
    region = _ledger_month(actor, region, year, month)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写重新开账的原因")})
    close = LedgerClose.objects.select_for_update().filter(region=region, year=year, month=month).first()
    if close is None or not close.is_closed:
        raise ValidationError(
            {"month": gettext("%(month)s的台账没有关账") % {"month": _month_label(year, month)}}
        )
    close.reopened_by, close.reopened_at, close.reopen_reason = actor, timezone.now(), reason[:200]
    close.save()
    audit.record(
        "event",
        close,
        event="ledger_reopened",
        changes={gettext_noop("月份"): f"{year}-{month:02d}", gettext_noop("区划"): region.name},
        message=reason,
        actor=actor,
    )
    return close


# --- target enterprises (重点目标企业名录表) --------------------------------------------------------
TARGET_FIELDS = [
    "name",
    "headquarters",
    "home_region",
    "tags",
    "products",
    "chain_node",
    "approach",
    "approach_on",
    "status",
    "region",
    "team",
    "owner",
]


def can_edit_target(user, target: Target) -> bool:
    if not permissions.allowed(user, "attraction.target.manage"):
        return False
    if scope_for(user).is_admin or target.owner_id == user.pk:
        return True
    if user.role in DEPARTMENT_ROLES:
        return bool(target.team_id) and target.team_id == user.department_id
    return _in_area(user, target.region)


@transaction.atomic
def save_target(target: Target | None, *, actor, **fields) -> Target:
    """Add or change a target enterprise of the 名录表."""
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    permissions.require(actor, "attraction.target.manage")
    if target is not None:
        target = Target.objects.select_for_update().get(pk=target.pk)
        if not can_edit_target(actor, target):
            raise PermissionDenied(gettext("您不能修改该目标企业"))
    name = (fields.get("name") or (target.name if target else "")).strip()
    if not name:
        raise ValidationError({"name": gettext("请填写企业名称")})
    fields["name"] = name
    region = fields.get("region") or (target.region if target else None)
    if region is None:
        raise ValidationError({"region": gettext("请选择区划")})
    if not _in_area(actor, region):
        raise ValidationError({"region": gettext("所选的记录不存在")})
    require_visible(actor, "team", fields.get("team"))
    require_visible(actor, "owner", fields.get("owner"))
    if actor.role in DEPARTMENT_ROLES and not scope_for(actor).is_admin:
        team = fields.get("team")
        if team is None:
            fields["team"] = actor.department
        elif team.pk != actor.department_id:
            raise ValidationError({"team": gettext("招商小组只能维护本小组的目标企业")})
    bad = [t for t in fields.get("tags") or [] if t not in Target.Tag.values]
    if bad:
        raise ValidationError({"tags": gettext("未知的标签：%(tags)s") % {"tags": "、".join(bad)}})
    created = target is None
    target = target or Target(created_by=actor)
    for key, value in fields.items():
        setattr(target, key, value)
    target.full_clean(exclude=["created_by", "owner", "team", "chain_node", "region"])
    target.save()
    audit.record(
        "event",
        target,
        event="target_added" if created else "target_changed",
        changes={gettext_noop("企业名称"): target.name, gettext_noop("状态"): target.get_status_display()},
        actor=actor,
    )
    return target


# --- configuration: the "14+n" reviewers ----------------------------------------------------------
@transaction.atomic
def save_review_rule(
    rule: ReviewRule | None,
    *,
    actor,
    region: Region | None = None,
    department: Department | None = None,
    industry_prefix: str = "",
    is_active: bool = True,
) -> ReviewRule:
    """Add a reviewer department of a region (standing, or for an industry prefix), or switch one
    on or off. The office of the region's area and admins only."""
    permissions.require(actor, "attraction.configure", gettext("只有专班办公室可以设置预审部门"))
    if rule is not None:
        rule = ReviewRule.objects.select_for_update().select_related("region", "department").get(pk=rule.pk)
        if not _in_area(actor, rule.region):
            raise PermissionDenied(gettext("您不能修改该预审部门设置"))
        rule.is_active = is_active
        rule.save(update_fields=["is_active"])
    else:
        if region is None or not _in_area(actor, region):
            raise ValidationError({"region": gettext("请选择本辖区的区划")})
        if department is None:
            raise ValidationError({"department": gettext("请选择预审部门")})
        require_visible(actor, "department", department)
        prefix = (industry_prefix or "").strip()
        if prefix and not prefix.isdigit():
            raise ValidationError({"industry_prefix": gettext("行业代码前缀只能是数字（如 13、26）")})
        if ReviewRule.objects.filter(region=region, department=department, industry_prefix=prefix).exists():
            raise ValidationError({"department": gettext("该预审部门已设置")})
        rule = ReviewRule.objects.create(
            region=region, department=department, industry_prefix=prefix, is_active=is_active
        )
    audit.record(
        "event",
        rule,
        event="reviewer_set",
        changes={
            gettext_noop("预审部门"): rule.department.name,
            gettext_noop("行业代码前缀"): rule.industry_prefix,
            gettext_noop("启用"): rule.is_active,
        },
        actor=actor,
    )
    return rule


# --- clocks (办理时限) -----------------------------------------------------------------------------
#: the shipped default: leads of this plan or more run the clocks (亿元以上项目)
CLOCK_THRESHOLD = YI
#: the shipped default working days of each clock, counted from the day the lead is registered
#: (报告进展: from the previous report). A region's `ClockSetting` replaces both for its subtree
#: (`clock_rule`). attraction-figures.md §Clocks
CLOCK_DAYS: dict[str, int] = {
    ClockKind.RESPOND: 1,
    ClockKind.JUDGE: 3,
    ClockKind.FEEDBACK: 7,
    ClockKind.PROGRESS: 10,
}
#: the regions that may have a setting of their own
CLOCK_SETTING_KINDS = (Region.Kind.PROVINCE, Region.Kind.CITY, Region.Kind.COUNTY)
#: the form field of each clock's days
CLOCK_DAY_FIELDS = {
    ClockKind.RESPOND: "respond_days",
    ClockKind.JUDGE: "judge_days",
    ClockKind.FEEDBACK: "feedback_days",
    ClockKind.PROGRESS: "progress_days",
}

#: the audit change key of each clock's days
_CLOCK_CHANGE_KEYS = {
    ClockKind.RESPOND: gettext_noop("响应（工作日）"),
    ClockKind.JUDGE: gettext_noop("研判（工作日）"),
    ClockKind.FEEDBACK: gettext_noop("反馈推荐人（工作日）"),
    ClockKind.PROGRESS: gettext_noop("报告进展间隔（工作日）"),
}


@dataclass(frozen=True)
class ClockRule:
    """The clocks a lead of a region gets: from which plan (yuan), how many working days each,
    and whose setting it is (`setting` None: the shipped defaults)."""

    threshold: Decimal
    days: dict[str, int]
    setting: ClockSetting | None = None


DEFAULT_CLOCK_RULE = ClockRule(CLOCK_THRESHOLD, dict(CLOCK_DAYS))


def clock_rule(region: Region | None) -> ClockRule:
    """The setting of `region` or of its nearest ancestor that has one (a county's own setting
    wins over its city's, the city's over the province's), else the shipped defaults."""
    if region is None:
        return DEFAULT_CLOCK_RULE
    rows = ClockSetting.objects.filter(region__path__in=region.ancestor_paths()).select_related("region")
    nearest = max(rows, key=lambda s: s.region.depth, default=None)
    if nearest is None:
        return DEFAULT_CLOCK_RULE
    return ClockRule(nearest.threshold, nearest.days(), nearest)


def start_clocks(lead: Lead, start: dt.date, rule: ClockRule | None = None) -> list[LeadClock]:
    """Start every clock of `lead` from `start` (inside the caller's transaction), with the days
    of its region's rule at this moment."""
    rule = rule or clock_rule(lead.region)
    return LeadClock.objects.bulk_create(
        [
            LeadClock(lead=lead, kind=kind, started_on=start, due_on=add_working_days(start, days))
            for kind, days in rule.days.items()
        ]
    )


def wan_text(amount: Decimal) -> str:
    """Yuan as a plain figure in 万元 without trailing zeros (100000000 → "10000")."""
    return f"{(amount / WAN).normalize():f}"


def _clock_days(value: Any, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not CLOCK_MIN_DAYS <= value <= CLOCK_MAX_DAYS:
        raise ValidationError(
            {
                field: gettext("%(label)s须为 %(lo)s–%(hi)s 之间的整数（工作日）")
                % {"label": label, "lo": CLOCK_MIN_DAYS, "hi": CLOCK_MAX_DAYS}
            }
        )
    return value


def _clock_region(actor, region: Region | None) -> Region:
    if region is None or not region.is_active or not _in_area(actor, region):
        raise ValidationError({"region": gettext("请选择本辖区的区划")})
    if region.kind not in CLOCK_SETTING_KINDS:
        raise ValidationError({"region": gettext("办理时限只能按省、市、县（区）设置")})
    return region


@transaction.atomic
def save_clock_setting(
    region: Region | None,
    *,
    actor,
    threshold: Decimal | None,
    respond_days: Any,
    judge_days: Any,
    feedback_days: Any,
    progress_days: Any,
) -> ClockSetting:
    """Set the clock defaults of a province, city or county of the actor's area (saving again
    changes them). Applies to clocks started afterwards; running clocks keep their day."""
    permissions.require(actor, "attraction.clocks.configure", gettext("只有专班办公室可以设置办理时限"))
    region = _clock_region(actor, region)
    region = Region.objects.select_for_update().get(pk=region.pk)  # two offices saving at once
    if threshold is None or threshold <= 0:
        raise ValidationError({"threshold": gettext("计时起点须大于 0 万元")})
    threshold = check_amount(threshold, "threshold")
    days = {
        "respond_days": _clock_days(respond_days, "respond_days", gettext("响应时限")),
        "judge_days": _clock_days(judge_days, "judge_days", gettext("研判时限")),
        "feedback_days": _clock_days(feedback_days, "feedback_days", gettext("反馈推荐人时限")),
        "progress_days": _clock_days(progress_days, "progress_days", gettext("报告进展间隔")),
    }
    setting = ClockSetting.objects.filter(region=region).first()
    before = clock_rule(region)
    if setting is None:
        setting = ClockSetting(region=region)
    setting.threshold, setting.updated_by, setting.updated_at = threshold, actor, timezone.now()
    for name, value in days.items():
        setattr(setting, name, value)
    setting.save()
    changes: dict[str, Any] = {}
    if before.threshold != threshold:  # in 万元, as the page takes it
        changes[gettext_noop("计时起点（万元）")] = [wan_text(before.threshold), wan_text(threshold)]
    for kind, name in CLOCK_DAY_FIELDS.items():
        if before.days[kind] != days[name]:
            changes[_CLOCK_CHANGE_KEYS[kind]] = [before.days[kind], days[name]]
    # on the region: the settings page lists the history of the regions the viewer may see
    audit.record("event", region, event="clock_setting_set", changes=changes, actor=actor)
    return setting


@transaction.atomic
def clear_clock_setting(setting: ClockSetting, *, actor) -> Region:
    """Remove a region's own clock setting: its leads take the setting above it again (or the
    shipped defaults) for clocks started afterwards."""
    permissions.require(actor, "attraction.clocks.configure", gettext("只有专班办公室可以设置办理时限"))
    setting = ClockSetting.objects.select_for_update(of=("self",)).select_related("region").get(pk=setting.pk)
    region = setting.region
    if not _in_area(actor, region):
        raise PermissionDenied(gettext("您不能修改该区划的办理时限"))
    audit.record("event", region, event="clock_setting_cleared", actor=actor)
    setting.delete()
    return region


def running_q(prefix: str = "") -> Q:
    """Clocks that run: not stopped, on a lead in an open main stage (a shelved, lost or started
    lead's clocks stand still)."""
    return Q(
        **{
            f"{prefix}done_at__isnull": True,
            f"{prefix}lead__stage__is_lost": False,
            f"{prefix}lead__stage__is_shelved": False,
            f"{prefix}lead__stage__is_final": False,
        }
    )


def overdue_q(today: dt.date, prefix: str = "") -> Q:
    """Running clocks whose day has passed (due by the end of `due_on`)."""
    return running_q(prefix) & Q(**{f"{prefix}due_on__lt": today})


def late_by(clock: LeadClock, today: dt.date | None = None) -> int:
    """Working days a clock is (or was, when stopped) past its day: 0 when on time."""
    end = timezone.localtime(clock.done_at).date() if clock.done_at else (today or timezone.localdate())
    return working_days_late(clock.due_on, end)


@transaction.atomic
def stop_clock(lead: Lead, kind: str, *, actor, note: str, today: dt.date | None = None) -> LeadClock:
    """Record that the team did what a clock asks (responded, judged, told the referrer, reported
    progress), with a note; a progress report starts the next 报告进展 clock from today."""
    lead = _lock(lead)
    _require_work(actor, lead)
    if kind not in ClockKind.values:
        raise ValidationError({"kind": gettext("请选择时限")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": gettext("请填写办理情况说明")})
    clock = LeadClock.objects.select_for_update().filter(lead=lead, kind=kind, done_at__isnull=True).first()
    if clock is None:
        raise ValidationError(
            {"kind": gettext("该线索没有正在计时的“%(kind)s”时限") % {"kind": ClockKind(kind).label}}
        )
    now = timezone.now()
    today = today or timezone.localdate()
    clock.done_at, clock.done_by, clock.note = now, actor, note[:200]
    clock.save(update_fields=["done_at", "done_by", "note"])
    if kind == ClockKind.PROGRESS:
        LeadClock.objects.create(
            lead=lead,
            kind=kind,
            started_on=today,
            due_on=add_working_days(today, clock_rule(lead.region).days[ClockKind.PROGRESS]),
        )
    audit.record(
        "event",
        lead,
        event="clock_stopped",
        changes={
            gettext_noop("时限"): clock.get_kind_display(),
            gettext_noop("期限"): str(clock.due_on),
            gettext_noop("超时（工作日）"): late_by(clock),
        },
        message=note,
        actor=actor,
    )
    return clock


def sweep_clocks(today: dt.date | None = None) -> int:
    """Mark every running clock past its day that is not marked yet, and tell the lead's team
    and owner once per clock: one update, one batch of audit entries, one batch of notices."""
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        clocks = list(
            LeadClock.objects.select_for_update(of=("self",))
            .filter(overdue_q(today), overdue_at__isnull=True)
            .select_related("lead", "lead__owner")
            .order_by("pk")
        )
        if not clocks:
            return 0
        LeadClock.objects.filter(pk__in=[c.pk for c in clocks]).update(overdue_at=now)
        teams = {c.lead.team_id for c in clocks if c.lead.team_id}
        people: dict[int, list] = {}
        for u in User.objects.filter(department_id__in=teams, is_active=True, role__in=DEPARTMENT_ROLES):
            people.setdefault(u.department_id, []).append(u)
        audit.record_many(
            [
                {
                    "action": "event",
                    "obj": c.lead,
                    "event": "clock_overdue",
                    "changes": {
                        gettext_noop("时限"): c.get_kind_display(),
                        gettext_noop("期限"): str(c.due_on),
                    },
                }
                for c in clocks
            ]
        )
        messages = []
        for c in clocks:
            recipients = list(people.get(c.lead.team_id, [])) if c.lead.team_id else []
            if c.lead.owner_id and all(p.pk != c.lead.owner_id for p in recipients):
                recipients.append(c.lead.owner)
            messages.append(
                {
                    "recipients": recipients,
                    "title": gettext("线索「%(title)s」的“%(kind)s”已超时（期限 %(due)s）")
                    % {"title": c.lead.title, "kind": c.get_kind_display(), "due": c.due_on},
                    "url": _url(c.lead),
                    "level": "warning",
                }
            )
        notify_many(messages)
    return len(clocks)


# --- 履约 checked by the sweep (违约预警) ---------------------------------------------------------------
#: obligation kinds the sweep can check from the lead's stage history: kind → the stage that meets it
STAGE_OBLIGATIONS = {Obligation.Kind.START: "started"}


def breached_q(today: dt.date) -> Q:
    """Obligations past their date and not met (待核定 or 未履约)."""
    return Q(due_on__lt=today) & ~Q(status=Obligation.Status.MET)


def _check_from_mu(today: dt.date) -> int:
    """年亩均税收 obligations still 待核定, past their date, whose lead became a project of an
    enterprise with a published 亩均 evaluation of the due date's year: checked against its
    亩均税收 (`mu.selectors.published_tax_per_mu`) — met at or above the target, 未履约 below it
    (then warned of like any other) — with the value, the evaluation and its year kept on the
    obligation. Returns how many were met."""
    from zhuqi.mu import selectors as mu_selectors

    rows = list(
        Obligation.objects.select_for_update(of=("self",))
        .filter(
            kind=Obligation.Kind.TAX_PER_MU,
            status=Obligation.Status.DUE,
            target__isnull=False,
            due_on__lt=today,
            contract__lead__project__owner__isnull=False,
        )
        .select_related("contract__lead__project")
        .order_by("pk")
    )
    checked = []
    for year in sorted({o.due_on.year for o in rows}):
        of_year = [o for o in rows if o.due_on.year == year]
        facts = mu_selectors.published_tax_per_mu(
            {o.contract.lead.project.owner_id for o in of_year if o.contract.lead.project}, year
        )
        for o in of_year:
            project = o.contract.lead.project
            fact = facts.get(project.owner_id) if project and project.owner_id else None
            if fact is None or fact.tax_per_mu is None or o.target is None:
                continue
            o.actual, o.checked_on = fact.tax_per_mu, today
            o.status = Obligation.Status.MET if fact.tax_per_mu >= o.target else Obligation.Status.MISSED
            o.fact_source = (gettext("亩均评价（%(region)s，已发布）") % {"region": fact.run.region.name})[
                :100
            ]
            o.fact_period = gettext("%(year)s年度") % {"year": year}
            o.note = (
                gettext("自动核定：亩均税收 %(value)s 万元/亩，约定 %(target)s")
                % {"value": fact.tax_per_mu, "target": o.target}
            )[:200]
            checked.append(o)
    return _record_checked(checked)


def _record_checked(checked: list[Obligation]) -> int:
    """Write the obligations an automatic check judged (one UPDATE), with an `obligation_checked`
    audit entry each; returns how many were met."""
    if not checked:
        return 0
    Obligation.objects.bulk_update(
        checked, ["actual", "checked_on", "status", "fact_source", "fact_period", "note"]
    )
    audit.record_many(
        [
            {
                "action": "event",
                "obj": o.contract.lead,
                "event": "obligation_checked",
                "changes": {
                    gettext_noop("履约事项"): o.get_kind_display(),
                    gettext_noop("履约状态"): o.get_status_display(),
                    gettext_noop("实际值"): "" if o.actual is None else str(o.actual),
                    gettext_noop("核定依据"): f"{o.fact_source} {o.fact_period}",
                },
            }
            for o in checked
        ]
    )
    return sum(1 for o in checked if o.status == Obligation.Status.MET)


def _cents(value: Decimal) -> Decimal:
    """`value` rounded half up to the obligation's two decimals (`core.units.half_up`)."""
    return half_up(value, 2) or Decimal("0.00")


def _judge(o: Obligation, actual: Decimal, today: dt.date, *, lower_is_better: bool = False) -> None:
    """Set an obligation met or 未履约 by comparing `actual` with its target (one the caller
    selected with a target)."""
    target = o.target if o.target is not None else Decimal(0)
    o.actual, o.checked_on = actual, today
    met = actual <= target if lower_is_better else actual >= target
    o.status = Obligation.Status.MET if met else Obligation.Status.MISSED


def _project_of(o: Obligation) -> Project:
    """The project an obligation's lead became (callers select only such obligations)."""
    project = o.contract.lead.project
    if project is None:
        raise ValueError("the obligation's lead became no project")
    return project


def _due_with_project(kinds, today: dt.date, *, past_due: bool = True) -> list[Obligation]:
    """Obligations of `kinds` still 待核定 (past their date, when `past_due`) whose lead became a
    project, locked, with their lead and project."""
    qs = Obligation.objects.select_for_update(of=("self",)).filter(
        kind__in=list(kinds), status=Obligation.Status.DUE, contract__lead__project__isnull=False
    )
    if past_due:
        qs = qs.filter(due_on__lt=today, target__isnull=False)
    return list(qs.select_related("contract__lead__project").order_by("pk"))


#: the indicators an enterprise's 达产产值 is read from, in order (营业收入 where no 工业总产值)
OUTPUT_INDICATORS = ("gross_output", "revenue")
#: 单位产出能耗 = 综合能耗 (吨标煤) ÷ 工业总产值 (万元)
ENERGY_INDICATORS = ("energy", "gross_output")


def _check_from_indicators(today: dt.date) -> int:
    """达产产值 and 单位产出能耗 obligations still 待核定, past their date, whose lead became a
    project of an enterprise (its 业主单位): checked against the enterprise's approved full-year
    indicator values of the due date's year (`indicators.selectors.approved_annual_values`) —
    产值: 工业总产值, else 营业收入 (万元), met at or above the target; 能耗: 综合能耗 ÷ 工业总产值
    (吨标煤/万元), met at or below it. Without an approved value the obligation stays 待核定.
    Returns how many were met (attraction-figures.md §违约预警)."""
    from zhuqi.indicators import selectors as indicator_selectors
    from zhuqi.indicators.periods import Period

    rows = [
        o
        for o in _due_with_project((Obligation.Kind.OUTPUT, Obligation.Kind.ENERGY), today)
        if o.contract.lead.project and o.contract.lead.project.owner_id
    ]
    checked = []
    for year in sorted({o.due_on.year for o in rows}):
        of_year = [o for o in rows if o.due_on.year == year]
        facts = indicator_selectors.approved_annual_values(
            {_project_of(o).owner_id for o in of_year},
            year,
            {*OUTPUT_INDICATORS, *ENERGY_INDICATORS},
        )
        for o in of_year:
            owner = _project_of(o).owner_id or 0
            if o.kind == Obligation.Kind.OUTPUT:
                fact = next((f for c in OUTPUT_INDICATORS if (f := facts.get((owner, c)))), None)
                if fact is None:
                    continue
                _judge(o, _cents(fact.value), today)
                o.fact_source = (
                    gettext("企业指标（%(indicator)s，已审核）") % {"indicator": fact.indicator}
                )[:100]
                o.note = (
                    gettext("自动核定：%(indicator)s %(value)s 万元，约定 %(target)s")
                    % {"indicator": fact.indicator, "value": o.actual, "target": o.target}
                )[:200]
            else:
                energy, output = facts.get((owner, "energy")), facts.get((owner, "gross_output"))
                if energy is None or output is None or not output.value:
                    continue
                _judge(o, _cents(energy.value / output.value), today, lower_is_better=True)
                fact = output
                o.fact_source = (
                    gettext("企业指标（%(a)s÷%(b)s，已审核）")
                    % {"a": energy.indicator, "b": output.indicator}
                )[:100]
                o.note = (
                    gettext(
                        "自动核定：%(energy)s 吨标煤 ÷ %(output)s 万元 = %(value)s 吨标煤/万元，约定不高于 %(target)s"
                    )
                    % {"energy": energy.value, "output": output.value, "value": o.actual, "target": o.target}
                )[:200]
            o.fact_period = Period.parse(fact.period).label()[:20]
            checked.append(o)
    return _record_checked(checked)


#: the project's stage date that meets a date obligation
PROJECT_DATE_OBLIGATIONS: dict[str, str] = {
    # 开工 from the project's own 开工日期 where it records one (else from the lead's stages)
    Obligation.Kind.START: "started_on",
    Obligation.Kind.COMPLETION: "completed_on",
    Obligation.Kind.PRODUCTION: "producing_on",
}


def _check_from_projects(today: dt.date) -> int:
    """What the project a lead became records: 竣工/投产 obligations from its stage dates (met
    on a date on or before the promised one, 未履约 on a later one, at any sweep); 固定资产投资 and
    投资强度 obligations past their date from its monthly completed investment up to the due
    date's month (`projects.selectors.completed_investment`): met at or above the target, 未履约
    below it once that month is closed (reported, or a later month is); 投资强度 divides by the
    lead's 用地需求 (亩) and stays 待核定, saying why, without one. Returns how many were met."""
    from zhuqi.projects import selectors as project_selectors

    checked: list[Obligation] = []
    for o in _due_with_project(PROJECT_DATE_OBLIGATIONS, today, past_due=False):
        project = _project_of(o)
        on = getattr(project, PROJECT_DATE_OBLIGATIONS[o.kind])
        if on is None:
            continue
        o.checked_on, o.actual = on, None
        o.status = Obligation.Status.MET if on <= o.due_on else Obligation.Status.MISSED
        o.fact_source = (gettext("项目阶段（%(code)s）") % {"code": project.code})[:100]
        o.fact_period = str(on)
        o.note = (gettext("自动核定：项目%(what)s为 %(date)s") % {"what": o.get_kind_display(), "date": on})[
            :200
        ]
        checked.append(o)

    rows = _due_with_project((Obligation.Kind.INVESTMENT, Obligation.Kind.INTENSITY), today)
    noted: list[Obligation] = []
    for month in sorted({(o.due_on.year, o.due_on.month) for o in rows}):
        of_month = [o for o in rows if (o.due_on.year, o.due_on.month) == month]
        done = project_selectors.completed_investment(
            {o.contract.lead.project_id for o in of_month}, of_month[0].due_on
        )
        for o in of_month:
            lead = o.contract.lead
            if lead.project_id not in done:
                continue
            total, closed = done[lead.project_id]
            wan = total / WAN
            if o.kind == Obligation.Kind.INTENSITY:
                if not lead.land_mu:
                    why = gettext("线索未登记用地需求（亩），投资强度无法自动核定")
                    if o.note != why:
                        o.note = why
                        noted.append(o)
                    continue
                actual = _cents(wan / lead.land_mu)
                note = gettext(
                    "自动核定：完成投资 %(wan)s 万元 ÷ 用地 %(mu)s 亩 = %(value)s 万元/亩，约定 %(target)s"
                )
                values: dict[str, Decimal] = {"wan": _cents(wan), "mu": lead.land_mu}
            else:
                actual = _cents(wan)
                note = gettext("自动核定：累计完成投资 %(value)s 万元，约定 %(target)s")
                values = {}
            if not closed and (o.target is None or actual < o.target):
                continue  # the due month may still add to it
            _judge(o, actual, today)
            o.fact_source = (gettext("项目月度完成投资（%(code)s）") % {"code": _project_of(o).code})[:100]
            o.fact_period = (gettext("截至%(y)s年%(m)s月") % {"y": month[0], "m": month[1]})[:20]
            o.note = (note % {**values, "value": actual, "target": o.target})[:200]
            checked.append(o)
    if noted:
        Obligation.objects.bulk_update(noted, ["note"])
    return _record_checked(checked)


def sweep_obligations(today: dt.date | None = None) -> tuple[int, int]:
    """Check the obligations the platform can judge itself and warn of the missed ones, set-based:
    a 开工 obligation is judged from the project the lead became where that project records its
    开工日期 (met on or before the date, 未履约 after it), else it is met when the lead entered 开工
    by its date (自动核定); every obligation past its
    date and not met is marked breached once (`breached_at`), and the lead's team and owner are
    told once. Returns (met, breached)."""
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        met = 0
        for kind, code in STAGE_OBLIGATIONS.items():
            rows = list(  # a project that records its 开工日期 is judged by `_check_from_projects`
                Obligation.objects.select_for_update(of=("self",))
                .filter(kind=kind, status=Obligation.Status.DUE)
                .exclude(contract__lead__project__started_on__isnull=False)
                .select_related("contract__lead")
            )
            reached_on: dict[int, dt.date] = {}
            for lead_id, at in (
                StageChange.objects.filter(lead__in={o.contract.lead_id for o in rows}, to_stage__code=code)
                .order_by("at")
                .values_list("lead_id", "at")
            ):
                reached_on.setdefault(lead_id, timezone.localtime(at).date())
            done = [
                o
                for o in rows
                if o.contract.lead_id in reached_on and reached_on[o.contract.lead_id] <= o.due_on
            ]
            for o in done:
                o.status, o.checked_on = Obligation.Status.MET, reached_on[o.contract.lead_id]
                o.note = gettext("自动核定：%(date)s 进入开工阶段") % {"date": o.checked_on}
            Obligation.objects.bulk_update(done, ["status", "checked_on", "note"])
            met += len(done)
        met += _check_from_mu(today) + _check_from_indicators(today) + _check_from_projects(today)
        breached = list(
            Obligation.objects.select_for_update(of=("self",))
            .filter(breached_q(today), breached_at__isnull=True)
            .select_related("contract__lead__owner")
            .order_by("pk")
        )
        if breached:
            Obligation.objects.filter(pk__in=[o.pk for o in breached]).update(breached_at=now)
            leads = {o.contract.lead_id: o.contract.lead for o in breached}
            people: dict[int, list] = {}
            for u in User.objects.filter(
                department_id__in={lead.team_id for lead in leads.values() if lead.team_id},
                is_active=True,
                role__in=DEPARTMENT_ROLES,
            ):
                people.setdefault(u.department_id, []).append(u)
            audit.record_many(
                [
                    {
                        "action": "event",
                        "obj": o.contract.lead,
                        "event": "obligation_breached",
                        "changes": {
                            gettext_noop("履约事项"): o.get_kind_display(),
                            gettext_noop("约定期限"): str(o.due_on),
                            gettext_noop("履约状态"): o.get_status_display(),
                        },
                    }
                    for o in breached
                ]
            )
            messages = []
            for o in breached:
                lead = o.contract.lead
                recipients = list(people.get(lead.team_id, [])) if lead.team_id else []
                if lead.owner_id and all(p.pk != lead.owner_id for p in recipients):
                    recipients.append(lead.owner)
                messages.append(
                    {
                        "recipients": recipients,
                        "title": gettext(
                            "违约预警：「%(title)s」的履约事项“%(kind)s”已过约定期限 %(due)s 未履约"
                        )
                        % {"title": lead.title, "kind": o.get_kind_display(), "due": o.due_on},
                        "url": _url(lead),
                        "level": "warning",
                    }
                )
            notify_many(messages)
    return met, len(breached)


# --- annual targets (年度目标) -----------------------------------------------------------------------
@transaction.atomic
def save_annual_target(
    *,
    actor,
    year: int,
    region: Region | None,
    team: Department | None = None,
    signed_count: int = 0,
    signed_amount: Decimal = Decimal(0),
    funds: Decimal = Decimal(0),
    signed_5: int | None = 0,
    signed_20: int | None = 0,
    signed_50: int | None = 0,
    signed_chain: int | None = 0,
) -> AnnualTarget:
    """Set a year's target of a region (no team) or of a team in it; setting it again changes it.
    The office of the region's area and admins only. The size bands (5, 20, 50 亿元 or more) are
    counts of the 亿元以上 target's projects: 0 sets none, and a band set may not ask for more
    than a lower band set (nor than the 亿元以上 count). `signed_chain` counts those of them on a
    延链/补链 link: 0 sets none, and it may not ask for more than the 亿元以上 count."""
    permissions.require(actor, "attraction.configure", gettext("只有专班办公室可以下达招商年度目标"))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": gettext("请填写正确的年度")})
    if region is None or not _in_area(actor, region):
        raise ValidationError({"region": gettext("请选择本辖区的区划")})
    require_visible(actor, "team", team)
    if team is not None and not team.region.path.startswith(region.path):
        raise ValidationError({"team": gettext("招商小组不属于所选区划")})
    bands = {"signed_count": signed_count, "signed_5": signed_5 or 0, "signed_20": signed_20 or 0}
    bands["signed_50"] = signed_50 or 0
    for field, value in bands.items():
        if value < 0:
            raise ValidationError({field: gettext("目标不能为负数")})
    signed_chain = signed_chain or 0
    if signed_chain < 0:
        raise ValidationError({"signed_chain": gettext("目标不能为负数")})
    if signed_chain > signed_count:
        raise ValidationError(
            {"signed_chain": gettext("“其中延链补链亿元以上（个）”不能多于“签约亿元以上项目（个）”")}
        )
    set_bands = [(f, v) for f, v in bands.items() if v]
    for (low, low_value), (high, high_value) in zip(set_bands, set_bands[1:], strict=False):
        if high_value > low_value:
            labels = {f: str(getattr(AnnualTarget._meta.get_field(f), "verbose_name", f)) for f in bands}
            raise ValidationError(
                {
                    high: gettext("“%(high)s”不能多于“%(low)s”（大项目也计入较低的规模档）")
                    % {"high": labels[high], "low": labels[low]}
                }
            )
    signed_amount = check_amount(signed_amount, "signed_amount")
    funds = check_amount(funds, "funds")
    target = (
        AnnualTarget.objects.select_for_update(of=("self",))
        .filter(year=year, region=region, team=team)
        .first()
    )
    target = target or AnnualTarget(year=year, region=region, team=team, created_by=actor)
    before = (target.signed_count, target.signed_amount, target.funds) if target.pk else None
    target.signed_count, target.signed_amount, target.funds = signed_count, signed_amount, funds
    target.signed_5, target.signed_20, target.signed_50 = (
        bands["signed_5"],
        bands["signed_20"],
        bands["signed_50"],
    )
    target.signed_chain = signed_chain
    target.save()
    if before is not None:
        from . import services_targets

        changed = before != (target.signed_count, target.signed_amount, target.funds)
        services_targets.after_change(target, changed=changed, actor=actor)
    audit.record(
        "event",
        target,
        event="annual_target_set",
        changes={
            gettext_noop("年度"): year,
            gettext_noop("签约亿元以上项目（个）"): signed_count,
            gettext_noop("其中 5 亿元以上（个）"): bands["signed_5"],
            gettext_noop("其中 20 亿元以上（个）"): bands["signed_20"],
            gettext_noop("其中 50 亿元以上（个）"): bands["signed_50"],
            gettext_noop("其中延链补链亿元以上（个）"): signed_chain,
            gettext_noop("签约额（元）"): str(signed_amount),
            gettext_noop("省外到位资金（元）"): str(funds),
        },
        actor=actor,
    )
    return target

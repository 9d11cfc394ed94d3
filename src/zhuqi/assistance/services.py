"""State changes of the assistance app: assignments and hand-overs, visits, plans, meetings,
rules and reminders. Each checks permission and scope, writes audit, notifies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions
from zhuqi.core.models import Role
from zhuqi.core.notify import notify
from zhuqi.core.scope import require_visible
from zhuqi.core.services import add_attachment, validate_photo
from zhuqi.core.workcalendar import add_working_days
from zhuqi.enterprises.models import Enterprise

from . import compliance
from .models import (
    Assignment,
    AssignmentRole,
    AssistancePlan,
    LoadLimit,
    Meeting,
    MeetingProblem,
    PlanMeasure,
    PlanUpdate,
    ReminderSent,
    Visit,
    VisitProblem,
    VisitRule,
)
from .selectors import load_warnings


@dataclass
class AssignResult:
    assignment: Assignment
    warnings: list[str]


def can_manage(user) -> bool:
    """May `user` assign and hand over (the matrix's `assistance.assignments.manage`)? The
    enterprise must still be in their scope."""
    return permissions.allowed(user, "assistance.assignments.manage")


def _visible_enterprise(actor, enterprise) -> Enterprise:
    if not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(gettext("该企业不在您的管辖范围内"))
    return enterprise


def _require_manager(actor, enterprise) -> None:
    if not can_manage(actor):
        raise PermissionDenied(gettext("只有专班办公室或管理员可以分配包抓责任"))
    _visible_enterprise(actor, enterprise)


def _enterprise_url(enterprise) -> str:
    return reverse("enterprises:enterprise_detail", args=[enterprise.pk])


# --- assignments -------------------------------------------------------------------------------
def _held_already(enterprise, year, role, holder) -> ValidationError:
    return ValidationError(
        gettext("%(enterprise)s%(year)s年的%(label)s已由%(user)s担任，请使用“工作交接”")
        % {"enterprise": enterprise, "year": year, "label": role.label, "user": holder}
    )


@transaction.atomic
def assign(
    enterprise: Enterprise,
    *,
    year: int,
    role: str,
    user,
    actor,
    department=None,
    on: dt.date | None = None,
) -> AssignResult:
    """Give `user` the `role` for `enterprise` in `year`. Refused when someone holds it already
    (use hand_over). Returns load warnings (never refuses on load)."""
    _require_manager(actor, enterprise)
    role = AssignmentRole(role)
    if user.role == Role.ENTERPRISE or not user.is_active:
        raise ValidationError(gettext("责任人必须是在岗的工作人员"))
    require_visible(actor, "user", user)
    require_visible(actor, "department", department)
    if role == AssignmentRole.DEPT_CONTACT and department is None:
        department = user.department
        if department is None:
            raise ValidationError(gettext("部门联系责任人须指定所属部门"))
    # two officers assigning the same duty at once: the enterprise's row lock makes the second
    # wait for the first and then see its holder (the constraint is the last line of defence)
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).values_list("pk", flat=True).first()
    current = (
        Assignment.objects.filter(enterprise=enterprise, year=year, role=role, ended_on__isnull=True)
        .select_related("user")
        .first()
    )
    if current is not None:
        raise _held_already(enterprise, year, role, current.user)
    try:
        with transaction.atomic():
            a = Assignment.objects.create(
                enterprise=enterprise,
                year=year,
                role=role,
                user=user,
                department=department,
                started_on=on or timezone.localdate(),
            )
    except IntegrityError as exc:
        holder = (
            Assignment.objects.filter(enterprise=enterprise, year=year, role=role, ended_on__isnull=True)
            .select_related("user")
            .first()
        )
        raise _held_already(enterprise, year, role, holder.user if holder else gettext("他人")) from exc
    audit.record(
        "event",
        enterprise,
        event="assigned",
        changes={
            gettext_noop("帮扶角色"): str(role.label),
            gettext_noop("责任人"): user.display_name,
            gettext_noop("年度"): year,
        },
        actor=actor,
    )
    notify(
        [user],
        gettext("您被确定为「%(enterprise)s」的%(label)s") % {"enterprise": enterprise, "label": role.label},
        body=gettext("%(year)s年度包抓责任，请按要求定期走访。") % {"year": year},
        url=_enterprise_url(enterprise),
    )
    return AssignResult(a, load_warnings(user, role, year))


@transaction.atomic
def hand_over(
    assignment: Assignment, *, to_user, actor, reason: str, on: dt.date | None = None, department=None
) -> AssignResult:
    """End `assignment` and start the same duty for `to_user`, keeping the chain of holders."""
    _require_manager(actor, assignment.enterprise)
    if to_user.role != Role.ENTERPRISE:
        require_visible(actor, "to_user", to_user)
    require_visible(actor, "department", department)
    old = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if old.ended_on is not None:
        raise ValidationError(gettext("该包抓责任已结束，不能再交接"))
    if to_user.pk == old.user_id:
        raise ValidationError(gettext("接手人与原责任人相同"))
    if to_user.role == Role.ENTERPRISE or not to_user.is_active:
        raise ValidationError(gettext("接手人必须是在岗的工作人员"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写交接原因（如岗位调整）")})
    day = on or timezone.localdate()
    old.ended_on = day
    old.end_reason = gettext("交接给%(display_name)s：%(reason)s") % {
        "display_name": to_user.display_name,
        "reason": reason,
    }
    old.save()
    new = Assignment.objects.create(
        enterprise=old.enterprise,
        year=old.year,
        role=old.role,
        user=to_user,
        department=department
        or (to_user.department if old.role == AssignmentRole.DEPT_CONTACT else old.department),
        started_on=day,
        predecessor=old,
    )
    audit.record(
        "event",
        old.enterprise,
        event="handed_over",
        changes={
            gettext_noop("帮扶角色"): old.get_role_display(),
            gettext_noop("责任人"): [old.user.display_name, to_user.display_name],
        },
        message=reason,
        actor=actor,
    )
    notify(
        [to_user],
        gettext("您接手了「%(enterprise)s」的%(role)s")
        % {"enterprise": old.enterprise, "role": old.get_role_display()},
        body=gettext("原责任人：%(display_name)s；原因：%(reason)s")
        % {"display_name": old.user.display_name, "reason": reason},
        url=_enterprise_url(old.enterprise),
    )
    notify(
        [old.user],
        gettext("「%(enterprise)s」的包抓责任已交接给%(display_name)s")
        % {"enterprise": old.enterprise, "display_name": to_user.display_name},
        url="",
    )
    return AssignResult(new, load_warnings(to_user, new.role, new.year))


@transaction.atomic
def hand_over_all(from_user, *, to_user, actor, reason: str, on: dt.date | None = None) -> list[AssignResult]:
    """When an official moves: hand every current assignment of `from_user` to `to_user`."""
    current = Assignment.objects.visible_to(actor).filter(user=from_user, ended_on__isnull=True)
    results = [hand_over(a, to_user=to_user, actor=actor, reason=reason, on=on) for a in current]
    if not results:
        raise ValidationError(
            gettext("%(display_name)s目前没有包抓任何企业") % {"display_name": from_user.display_name}
        )
    return results


@transaction.atomic
def set_load_limit(role: str, *, min_count: int, max_count: int, actor) -> LoadLimit:
    permissions.require(actor, "assistance.configure", gettext("只有系统管理员可以修改包抓数量"))
    if min_count > max_count:
        raise ValidationError(gettext("最少户数不能大于最多户数"))
    limit, _ = LoadLimit.objects.update_or_create(
        role=role, defaults={"min_count": min_count, "max_count": max_count}
    )
    audit.record(
        "event",
        limit,
        event="load_limit_changed",
        changes={gettext_noop("最少（户）"): min_count, gettext_noop("最多（户）"): max_count},
        actor=actor,
    )
    return limit


# --- visits ---------------------------------------------------------------------------------------
@transaction.atomic
def record_visit(
    enterprise: Enterprise,
    *,
    actor,
    findings: str,
    kind: str = Visit.Kind.ONSITE,
    visited_on: dt.date | None = None,
    companions: str = "",
    problems=(),
    photos=(),
) -> Visit:
    """Record a visit by `actor`. `problems` are (category, description) pairs, the category a
    `cases.Category` (or its id or name, or None: the dispatch office classifies); each becomes a
    case. `photos` are uploads, each a picture by its content. All or nothing: a refused photo
    leaves no visit and no case behind."""
    permissions.require(actor, "assistance.visit.record", gettext("您的角色不能填报走访"))
    _visible_enterprise(actor, enterprise)
    today = timezone.localdate()
    visited_on = visited_on or today
    if visited_on > today:
        raise ValidationError({"visited_on": gettext("走访日期不能晚于今天")})
    if visited_on < today - dt.timedelta(days=90):
        raise ValidationError({"visited_on": gettext("只能补录 90 天以内的走访")})
    findings = (findings or "").strip()
    if not findings:
        raise ValidationError({"findings": gettext("请填写走访情况")})
    photo_errors = []
    for upload in photos:
        try:
            validate_photo(upload)
        except ValidationError as exc:
            photo_errors += exc.messages
    if photo_errors:
        raise ValidationError({"photos": photo_errors})
    raised = [
        (_category(category), (description or "").strip())
        for category, description in problems
        if (description or "").strip()
    ]
    visit = Visit.objects.create(
        enterprise=enterprise,
        visitor=actor,
        visited_on=visited_on,
        kind=Visit.Kind(kind),
        findings=findings,
        companions=(companions or "").strip()[:200],
    )
    for (category, name), description in raised:
        problem = VisitProblem.objects.create(visit=visit, category=name, description=description)
        problem.case = raise_case(
            enterprise,
            channel="visit",
            category=category or name,
            description=description,
            actor=actor,
            visit=visit,
        )
        problem.save(update_fields=["case"])
    for upload in photos:
        add_attachment(visit, upload, actor=actor)
    audit.record(
        "event",
        enterprise,
        event="visit_recorded",
        changes={
            gettext_noop("方式"): visit.get_kind_display(),
            gettext_noop("走访日期"): visited_on,
            gettext_noop("反映问题"): visit.problems.count(),
        },
        actor=actor,
    )
    return visit


def current_assignments_check(enterprise) -> str | None:
    """enterprises' archive check: current assignments must be ended or handed over first."""
    n = Assignment.objects.filter(enterprise=enterprise, ended_on__isnull=True).count()
    return gettext("有 %(n)s 条在岗的包抓责任（请先结束或交接）") % {"n": n} if n else None


# --- visit corrections -------------------------------------------------------------------------------
#: the author of a visit may correct or withdraw it within this many working days after filing it
#: (the day it was filed not counted); the dispatch office and administrators may at any time
VISIT_AMEND_WORKING_DAYS = 3


def visit_amend_deadline(visit: Visit) -> dt.date:
    """The last day the author may still correct or withdraw `visit`."""
    return add_working_days(timezone.localdate(visit.created_at), VISIT_AMEND_WORKING_DAYS)


def can_amend_visit(user, visit: Visit) -> bool:
    """The dispatch office (of the visit's area) and administrators always; the author within
    VISIT_AMEND_WORKING_DAYS working days of filing. The visit must be visible to `user`.
    The roles come from the matrix: `assistance.visit.amend` (any visit, any time) and
    `assistance.visit.amend_own` (one's own, within the limit)."""
    if permissions.allowed(user, "assistance.visit.amend"):
        return True
    return (
        permissions.allowed(user, "assistance.visit.amend_own")
        and visit.visitor_id == user.pk
        and timezone.localdate() <= visit_amend_deadline(visit)
    )


def _lock_visit(visit: Visit, actor) -> Visit:
    """The live (not withdrawn) visit, locked, if `actor` may see it; else 404."""
    from django.http import Http404

    if not Visit.objects.visible_to(actor).filter(pk=visit.pk).exists():
        raise Http404
    locked = Visit.objects.select_for_update().select_related("enterprise").get(pk=visit.pk)
    if not can_amend_visit(actor, locked):
        if locked.visitor_id == actor.pk:
            raise PermissionDenied(
                gettext("走访记录只能在填报后 %(days)s 个工作日内由本人更正或撤回，请联系专班办公室")
                % {"days": VISIT_AMEND_WORKING_DAYS}
            )
        raise PermissionDenied(gettext("只有走访人本人或专班办公室可以更正、撤回走访记录"))
    return locked


def _reason(reason: str, label: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写%(label)s") % {"label": label}})
    if len(reason) > 200:
        raise ValidationError({"reason": gettext("%(label)s不能超过 200 字") % {"label": label}})
    return reason


def _tell_author(visit: Visit, actor, title: str, reason: str) -> None:
    if visit.visitor_id != actor.pk:
        notify(
            [visit.visitor],
            f"{title}：{visit.enterprise.name} {visit.visited_on:%Y-%m-%d}",
            body=reason,
            url=reverse("assistance:visit_detail", args=[visit.pk]) if visit.withdrawn_at is None else "",
        )


@transaction.atomic
def correct_visit(
    visit: Visit,
    *,
    actor,
    reason: str,
    visited_on: dt.date | None = None,
    kind: str | None = None,
    companions: str | None = None,
    findings: str | None = None,
) -> Visit:
    """Correct a visit's date, way, companions or findings, with a reason kept in its history
    (old and new values). Arguments left None stay. The same rules as recording apply."""
    reason = _reason(reason, gettext("更正原因"))
    visit = _lock_visit(visit, actor)
    changes: dict = {}
    if visited_on is not None and visited_on != visit.visited_on:
        if visited_on > timezone.localdate():
            raise ValidationError({"visited_on": gettext("走访日期不能晚于今天")})
        if visited_on < timezone.localdate(visit.created_at) - dt.timedelta(days=90):
            raise ValidationError({"visited_on": gettext("走访日期不能早于填报前 90 天")})
        changes[gettext_noop("走访日期")] = [visit.visited_on, visited_on]
        visit.visited_on = visited_on
    if kind is not None and kind != visit.kind:
        if kind not in Visit.Kind.values:
            raise ValidationError({"kind": gettext("走访方式无效")})
        changes[gettext_noop("方式")] = [str(visit.get_kind_display()), str(Visit.Kind(kind).label)]
        visit.kind = kind
    if companions is not None and companions.strip() != visit.companions:
        companions = companions.strip()
        if len(companions) > 200:
            raise ValidationError({"companions": gettext("同行人员不能超过 200 字")})
        changes[gettext_noop("同行人员")] = [visit.companions, companions]
        visit.companions = companions
    if findings is not None and findings.strip() != visit.findings:
        findings = findings.strip()
        if not findings:
            raise ValidationError({"findings": gettext("请填写走访情况")})
        if len(findings) > 5000:
            raise ValidationError({"findings": gettext("走访情况不能超过 5000 字")})
        changes[gettext_noop("走访情况")] = [visit.findings, findings]
        visit.findings = findings
    if not changes:
        raise ValidationError(gettext("没有需要更正的内容：各项与原记录相同"))
    visit.save(update_fields=["visited_on", "kind", "companions", "findings"])
    audit.record("event", visit, event="visit_corrected", changes=changes, message=reason, actor=actor)
    _tell_author(visit, actor, gettext("您的走访记录已被更正"), reason)
    return visit


@transaction.atomic
def withdraw_visit(visit: Visit, *, actor, reason: str) -> Visit:
    """Withdraw a visit recorded by mistake: it leaves every list, count and figure (visit
    counts, 走访考核) and stays in the audit log with the reason. Cases its problems raised stay
    in the pool (they are real problems; the dispatch office refuses or corrects them there)."""
    reason = _reason(reason, gettext("撤回原因"))
    visit = _lock_visit(visit, actor)
    visit.withdrawn_at, visit.withdrawn_by, visit.withdraw_reason = timezone.now(), actor, reason
    visit.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    changes = {
        gettext_noop("企业"): visit.enterprise.name,
        gettext_noop("走访日期"): visit.visited_on,
        gettext_noop("走访人"): visit.visitor.display_name,
    }
    audit.record("event", visit, event="visit_withdrawn", changes=changes, message=reason, actor=actor)
    audit.record(
        "event", visit.enterprise, event="visit_withdrawn", changes=changes, message=reason, actor=actor
    )
    _tell_author(visit, actor, gettext("您的走访记录已被撤回"), reason)
    return visit


def _category(category):
    """(the `cases.Category` or None, the name kept on the problem) for a Category, its id or
    its name; an unknown id is refused, an unknown name is kept as text."""
    from zhuqi.cases.models import Category

    if isinstance(category, Category):
        return category, category.name[:40]
    if isinstance(category, int):
        found = Category.objects.filter(pk=category, is_active=True).first()
        if found is None:
            raise ValidationError(gettext("所选问题类别不存在或已停用"))
        return found, found.name[:40]
    name = (category or "").strip()[:40]
    if not name:
        return None, "其他"
    return Category.objects.filter(name=name, is_active=True).first(), name


def raise_case(enterprise: Enterprise, *, channel: str, category, description: str, actor, visit=None):
    """Put a problem raised on a visit or at a meeting into the case pool (诉求), so it is
    accepted, dispatched and closed like any other. `category` is a `cases.Category` or a name
    (matched by name)."""
    from zhuqi.cases import services as case_services
    from zhuqi.cases.models import Category

    matched: Category | None
    if isinstance(category, Category):
        matched, category = category, category.name
    else:
        matched = Category.objects.filter(name=category, is_active=True).first() if category else None
    title = description.splitlines()[0][:60]
    return case_services.create_case(
        enterprise,
        channel=channel,
        title=f"{category}：{title}" if category and category != "其他" else title,
        description=description,
        category=matched,
        actor=actor,
        visit=visit,
    )


@transaction.atomic
def set_visit_rule(role: str, *, period: str, min_visits: int, actor, remind_days: int = 2) -> VisitRule:
    permissions.require(actor, "assistance.configure", gettext("只有系统管理员可以修改走访频次要求"))
    if min_visits < 1:
        raise ValidationError({"min_visits": gettext("每周期至少 1 次")})
    rule, _ = VisitRule.objects.update_or_create(
        role=role, defaults={"period": period, "min_visits": min_visits, "remind_days": remind_days}
    )
    audit.record(
        "event",
        rule,
        event="visit_rule_changed",
        changes={
            gettext_noop("周期"): rule.get_period_display(),
            gettext_noop("至少（次）"): min_visits,
            gettext_noop("提前提醒（天）"): remind_days,
        },
        actor=actor,
    )
    return rule


def send_visit_reminders(today: dt.date | None = None) -> int:
    """Remind holders whose current rule period ends within `remind_days` and who have not
    visited enough yet. Idempotent per assignment and period. Returns reminders sent."""
    today = today or timezone.localdate()
    rules = {r.role: r for r in VisitRule.objects.all()}
    sent = 0
    current = Assignment.objects.filter(
        ended_on__isnull=True, year=today.year, role__in=list(rules)
    ).select_related("user", "enterprise")
    due = []
    for a in current:
        rule = rules[a.role]
        start, end = compliance.period_bounds(rule.period, today)
        if (end - today).days > rule.remind_days:
            continue
        due.append((a, rule, start, end))
    if not due:
        return 0
    with audit.acting_as(None, label=gettext("任务: 走访提醒")):
        for a, rule, start, end in due:
            n = Visit.objects.filter(
                visitor=a.user, enterprise=a.enterprise, visited_on__gte=start, visited_on__lte=end
            ).count()
            if n >= rule.min_visits:
                continue
            with transaction.atomic():
                _, created = ReminderSent.objects.get_or_create(assignment=a, period_start=start)
                if not created:
                    continue
                notify(
                    [a.user],
                    gettext("走访提醒：%(enterprise)s%(range_label)s尚需走访")
                    % {"enterprise": a.enterprise, "range_label": compliance.range_label(rule.period, start)},
                    body=gettext(
                        "%(role)s%(period)s至少走访 %(min_visits)s 次，本周期已走访 %(n)s 次，%(end)s截止。"
                    )
                    % {
                        "role": a.get_role_display(),
                        "period": rule.get_period_display(),
                        "min_visits": rule.min_visits,
                        "n": n,
                        "end": format(end, gettext("%m月%d日")),
                    },
                    url=reverse("assistance:visit_create") + f"?enterprise={a.enterprise_id}",
                    level="warning",
                )
                audit.record("event", a, event="visit_reminder", changes={gettext_noop("周期开始"): start})
                sent += 1
    return sent


# --- plans -----------------------------------------------------------------------------------------
def can_edit_plan(user, enterprise) -> bool:
    """The dispatch office for any enterprise in its scope (`assistance.plan.edit`); a working
    official for an enterprise they are assigned to (`assistance.plan.edit_assigned`)."""
    if permissions.allowed(user, "assistance.plan.edit"):
        return Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists()
    if not permissions.allowed(user, "assistance.plan.edit_assigned"):
        return False
    return Assignment.objects.filter(user=user, enterprise=enterprise, ended_on__isnull=True).exists()


@transaction.atomic
def save_plan(enterprise: Enterprise, *, year: int, goals: str, actor) -> AssistancePlan:
    if not can_edit_plan(actor, enterprise):
        raise PermissionDenied(gettext("只有包抓责任人或专班办公室可以制定一企一策"))
    goals = (goals or "").strip()
    if not goals:
        raise ValidationError({"goals": gettext("请填写帮扶目标")})
    plan, created = AssistancePlan.objects.get_or_create(
        enterprise=enterprise, year=year, defaults={"goals": goals}
    )
    if not created:
        plan.goals = goals
        plan.save()
    else:
        audit.record(
            "event", enterprise, event="plan_created", changes={gettext_noop("年度"): year}, actor=actor
        )
    return plan


@transaction.atomic
def add_measure(
    plan: AssistancePlan, *, title: str, deadline: dt.date, actor, owner=None, department=None
) -> PlanMeasure:
    if not can_edit_plan(actor, plan.enterprise):
        raise PermissionDenied(gettext("只有包抓责任人或专班办公室可以修改一企一策"))
    require_visible(actor, "owner", owner)
    require_visible(actor, "department", department)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": gettext("请填写措施内容")})
    m = PlanMeasure.objects.create(
        plan=plan, title=title, deadline=deadline, owner=owner, department=department
    )
    audit.record(
        "event",
        plan.enterprise,
        event="measure_added",
        changes={gettext_noop("措施"): title, gettext_noop("完成时限"): deadline},
        actor=actor,
    )
    if owner is not None and owner != actor:
        notify(
            [owner],
            gettext("一企一策措施：%(title)s") % {"title": title},
            body=gettext("%(enterprise)s，%(deadline)s前完成")
            % {"enterprise": plan.enterprise, "deadline": deadline},
            url=_enterprise_url(plan.enterprise),
        )
    return m


@transaction.atomic
def report_progress(measure: PlanMeasure, *, progress: int, note: str, actor) -> PlanUpdate:
    own = measure.owner_id == actor.pk and permissions.allowed(actor, "assistance.plan.edit_assigned")
    if not (own or can_edit_plan(actor, measure.plan.enterprise)):
        raise PermissionDenied(gettext("只有措施责任人或包抓责任人可以填报进展"))
    if not 0 <= int(progress) <= 100:
        raise ValidationError({"progress": gettext("进度应在 0–100 之间")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": gettext("请填写进展情况")})
    m = PlanMeasure.objects.select_for_update().get(pk=measure.pk)
    update = PlanUpdate.objects.create(measure=m, note=note, progress=int(progress), by=actor)
    m.progress = int(progress)
    if m.progress >= 100:
        m.status, m.completed_on = PlanMeasure.Status.DONE, timezone.localdate()
    else:
        m.status, m.completed_on = PlanMeasure.Status.IN_PROGRESS, None
    m.save()
    audit.record(
        "event",
        m.plan.enterprise,
        event="measure_progress",
        changes={gettext_noop("措施"): m.title, gettext_noop("进度（%）"): m.progress},
        actor=actor,
    )
    return update


# --- meetings --------------------------------------------------------------------------------------
@transaction.atomic
def record_meeting(
    *,
    actor,
    kind: str,
    title: str,
    held_on: dt.date,
    enterprises=(),
    location: str = "",
    summary: str = "",
    problems=(),
    region=None,
) -> Meeting:
    """problems: (enterprise or None, category, description) triples."""
    permissions.require(actor, "assistance.meetings.record", gettext("您的角色不能登记政企会议"))
    region = region or actor.region or (actor.department.region if actor.department_id else None)
    if region is None:
        raise ValidationError(gettext("无法确定会议所属区划"))
    visible = set(
        Enterprise.objects.visible_to(actor)
        .filter(pk__in=[e.pk for e in enterprises])
        .values_list("pk", flat=True)
    )
    if len(visible) != len({e.pk for e in enterprises}):
        raise ValidationError({"enterprises": gettext("所选的记录不存在")})
    problems = list(problems)
    require_visible(actor, "problems", *[p[0] for p in problems])
    if not (title or "").strip():
        raise ValidationError({"title": gettext("请填写会议主题")})
    meeting = Meeting.objects.create(
        kind=Meeting.Kind(kind),
        title=title.strip(),
        held_on=held_on,
        host=actor,
        region=region,
        location=location,
        summary=summary,
    )
    meeting.enterprises.set(enterprises)
    for ent, category, description in problems:
        if (description or "").strip():
            problem = MeetingProblem.objects.create(
                meeting=meeting,
                enterprise=ent,
                category=(category or "其他").strip(),
                description=description.strip(),
            )
            if ent is not None:  # a problem of one enterprise becomes its case; general remarks stay notes
                problem.case = raise_case(
                    ent,
                    channel="meeting",
                    category=problem.category,
                    description=problem.description,
                    actor=actor,
                )
                problem.save(update_fields=["case"])
    audit.record(
        "event",
        meeting,
        event="meeting_recorded",
        changes={gettext_noop("参会企业"): len(visible), gettext_noop("收集问题"): meeting.problems.count()},
        actor=actor,
    )
    return meeting

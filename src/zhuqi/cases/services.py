"""Every state change of a case. Each function locks the case row (select_for_update), checks
the transition table and the actor (zhuqi.cases.workflow), moves the clocks, writes its audit
event in the same transaction and notifies (inbox rows now, delivery on commit)."""

from __future__ import annotations

import contextlib
import contextvars
import copy
import datetime as dt
import logging
import secrets
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, permissions, versions
from zhuqi.core import notify as core_notify
from zhuqi.core.channels import SmsChannel
from zhuqi.core.models import Department, Region
from zhuqi.core.notify import notify
from zhuqi.core.params import parse_int
from zhuqi.core.roles import DEPARTMENT_ACTOR_ROLES, Role
from zhuqi.core.scope import _own_enterprise_id, scope_for
from zhuqi.core.workcalendar import (
    SHANGHAI,
    add_working_days,
    add_working_time,
    due_at,
    end_of_day,
    shift_working_days,
    start_of_day,
    working_days_between,
    working_days_late,
    working_time_between,
)

from . import workflow
from .models import (
    CLOCK_FIELDS,
    OPEN_STATUSES,
    Case,
    CaseClock,
    CaseDepartment,
    Category,
    Channel,
    ClockKind,
    CoordinationMeeting,
    Escalation,
    EscalationLevel,
    Extension,
    FollowUp,
    RoutingRule,
    Satisfaction,
    SlaActivation,
    SlaPolicy,
    Status,
    Supervision,
    Urgency,
)

log = logging.getLogger("zhuqi.notify")

PROBLEM_THRESHOLD = 3  # sent back or reopened this many times → problem case, escalated


# --- helpers -----------------------------------------------------------------------------------
_clock: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("zhuqi_cases_now", default=None)


def _now() -> dt.datetime:
    return _clock.get() or timezone.now()


@contextlib.contextmanager
def acting_at(when: dt.datetime):
    """Run services as if it were `when` (demo and bulk back-filling with explicit timestamps;
    tests use time_machine instead)."""
    token = _clock.set(when)
    try:
        yield
    finally:
        _clock.reset(token)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("region", "enterprise", "sla")
        .get(pk=case.pk)
    )


def _clean(changes: dict | None) -> dict:
    """Readable audit changes for the timeline: empty values dropped, lists joined; a tuple
    stays a pair (old, new). Keys are Case field names (shown by their verbose names) or
    Chinese labels."""
    out = {}
    for key, value in (changes or {}).items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = gettext("是") if value else gettext("否")
        elif isinstance(value, dt.datetime):
            value = f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
        elif not isinstance(value, int | float | str):
            value = str(value)  # lazy translation proxies (choice labels)
        out[key] = value
    return out


def _record(case: Case, event: str, actor, changes: dict | None = None, message: str = "") -> None:
    audit.record("transition", case, event=event, changes=_clean(changes), message=message, actor=actor)


def _event(case: Case, event: str, actor=None, changes: dict | None = None, message: str = "") -> None:
    audit.record("event", case, event=event, changes=_clean(changes), message=message, actor=actor)


def _users(qs):
    return list(qs.filter(is_active=True))


def _load_dispatch_users(path: str) -> list:
    User = get_user_model()
    paths = Region(path=path).ancestor_paths()
    return _users(User.objects.filter(role=Role.DISPATCH, region__path__in=paths))


# the dispatch offices' active users of a region path: bumped on an edit of a user or a region
# (`CasesConfig.ready`)
DISPATCH_USERS = "cases.dispatch_users"
_dispatch_users = versions.VersionedCache(DISPATCH_USERS, _load_dispatch_users)


def dispatch_users(case: Case, token: str | None = None) -> list:
    """The active dispatch officers of the case's region and the regions above it (kept per
    process, reloaded after any edit of users or regions: `versions`). Read-only instances,
    shared by the threads of a process. `token`: the caller read it already."""
    if token is None:
        token = versions.tokens(DISPATCH_USERS)[DISPATCH_USERS]
    return list(_dispatch_users.get(token, case.region.path))


def department_users(*dept_ids) -> list:
    User = get_user_model()
    return _users(
        User.objects.filter(department_id__in=[d for d in dept_ids if d], role__in=DEPARTMENT_ACTOR_ROLES)
    )


def enterprise_users(case: Case) -> list:
    User = get_user_model()
    return _users(User.objects.filter(enterprise_membership__enterprise_id=case.enterprise_id))


def leader_users(case: Case) -> list:
    User = get_user_model()
    paths = case.region.ancestor_paths()
    return _users(User.objects.filter(role=Role.LEADER, region__path__in=paths))


def _notify(users, case: Case, title: str, body: str = "", level: str = "info") -> None:
    notify(
        users,
        f"{title}：{case.title}"[:200],
        body=body or gettext("诉求编号 %(no)s") % {"no": case.no},
        url=case.get_absolute_url(),
        level=level,
    )


def active_scheme(day: dt.date) -> str:
    """The SLA scheme in force on `day`: the latest activation on or before it; Henan "13710"
    when none was ever made (a fresh install)."""
    found = (
        SlaActivation.objects.filter(effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .values_list("scheme", flat=True)
        .first()
    )
    return found or SlaPolicy.Scheme.HENAN_13710


class _SlaConfig(NamedTuple):
    activations: list[tuple[dt.date, str]]  # (effective_from, scheme), latest first
    policies: list[SlaPolicy]  # the active ones
    parents: dict[int, int | None]  # category id → parent id


def _load_sla(_=None) -> _SlaConfig:
    return _SlaConfig(
        list(
            SlaActivation.objects.order_by("-effective_from", "-id").values_list("effective_from", "scheme")
        ),
        list(SlaPolicy.objects.filter(is_active=True).order_by("pk")),
        dict(Category.objects.values_list("pk", "parent_id")),
    )


# SLA activations, active policies and the category tree: bumped on an edit of any of them
# (`CasesConfig.ready`)
SLA = "cases.sla"
_sla_config = versions.VersionedCache(SLA, _load_sla)


def policy_for(category: Category | None, urgency: str, token: str | None = None) -> SlaPolicy:
    """The most specific active SLA policy of the scheme in force today (`active_scheme`); a
    blank category or urgency matches everything.

    Precedence: category + urgency > urgency only > category only > neither (the default), and
    within a tier the deepest category, then the oldest policy. Urgency outranks category
    because 重大复杂 is a statutory longer limit: a category's own limit must not shorten it.

    Activations, policies and the category tree are kept per process and reloaded after any
    edit of them (`versions`); `token`: the caller read it already.
    """
    if token is None:
        token = versions.tokens(SLA)[SLA]
    config = _sla_config.get(token)
    lineage = []
    node = category.pk if category else None
    while node is not None and node not in lineage:
        lineage.append(node)
        node = config.parents.get(node)
    best, best_key = None, None
    day = _now().astimezone(SHANGHAI).date()
    scheme = next((s for since, s in config.activations if since <= day), SlaPolicy.Scheme.HENAN_13710)
    for p in config.policies:
        if p.scheme != scheme:
            continue
        if p.category_id and p.category_id not in lineage:
            continue
        if p.urgency and p.urgency != urgency:
            continue
        tier = {(True, True): 0, (False, True): 1, (True, False): 2, (False, False): 3}[
            (bool(p.category_id), bool(p.urgency))
        ]
        key = (tier, lineage.index(p.category_id) if p.category_id else 0, p.pk)
        if best_key is None or key < best_key:
            best, best_key = p, key
    if best is None:
        best, _ = SlaPolicy.objects.get_or_create(
            scheme=SlaPolicy.Scheme.HENAN_13710,
            category=None,
            urgency="",
            defaults={"name": "河南“13710”（默认）", "resolve_days": 7},
        )
        return best
    return copy.copy(best)  # the cached instance stays untouched by its callers


def _sla(case: Case) -> SlaPolicy:
    if case.sla_id is None or case.sla is None:
        case.sla = policy_for(case.category, case.urgency)
    return case.sla


# --- clocks ------------------------------------------------------------------------------------
def start_clock(
    case: Case, kind: str, days: int, now: dt.datetime, *, due: dt.datetime | None = None
) -> CaseClock:
    """Start (or restart) a clock `days` working days from `now`: due at the end of that day."""
    cancel_clock(case, kind, now)
    due = due or due_at(now, days)
    setattr(case, CLOCK_FIELDS[kind], due)
    return CaseClock.objects.create(case=case, kind=kind, started_at=now, due_at=due)


def _running(case: Case, kind: str) -> CaseClock | None:
    return (
        CaseClock.objects.filter(case=case, kind=kind, state=CaseClock.State.RUNNING).order_by("-id").first()
    )


def late_by(due: dt.datetime, at: dt.datetime) -> int:
    """Working days late: 0 when on time; at least 1 once past the deadline
    (`workcalendar.working_days_late`, the count the sweep's escalation rules use too)."""
    return working_days_late(due, at)


def stop_clock(case: Case, kind: str, now: dt.datetime) -> CaseClock | None:
    clock = _running(case, kind)
    setattr(case, CLOCK_FIELDS[kind], None)
    if clock is None:
        return None
    late = late_by(clock.due_at, now)
    clock.stopped_at = now
    clock.state = CaseClock.State.MISSED if late else CaseClock.State.MET
    clock.late_working_days = late
    clock.save(update_fields=["stopped_at", "state", "late_working_days"])
    _keep_outcome(case, kind, late)
    return clock


def _keep_outcome(case: Case, kind: str, late: int) -> None:
    """Copy a stopped clock's outcome onto the case for the figures (按时签收率, 按时办结率)."""
    flags: dict[str, bool] = {}
    if kind == ClockKind.SIGN:
        flags["sign_done"] = True
        if late:
            flags["sign_missed"] = True
    elif kind == ClockKind.REPLY and late:
        flags["reply_missed"] = True
    flags = {k: v for k, v in flags.items() if getattr(case, k) != v}
    if flags:
        Case.objects.filter(pk=case.pk).update(**flags)
        for k, v in flags.items():
            setattr(case, k, v)


def cancel_clock(case: Case, kind: str, now: dt.datetime) -> None:
    setattr(case, CLOCK_FIELDS[kind], None)
    CaseClock.objects.filter(case=case, kind=kind, state=CaseClock.State.RUNNING).update(
        state=CaseClock.State.CANCELLED, stopped_at=now
    )


def cancel_all_clocks(case: Case, now: dt.datetime) -> None:
    for kind in ClockKind.values:
        setattr(case, CLOCK_FIELDS[kind], None)
    CaseClock.objects.filter(case=case, state=CaseClock.State.RUNNING).update(
        state=CaseClock.State.CANCELLED, stopped_at=now
    )


def _save(case: Case, *fields: str) -> None:
    case.recompute_next_due()
    case.save(update_fields=[*fields, "status", "next_due_at", *CLOCK_FIELDS.values()])


def moved_due(
    started_at: dt.datetime, due: dt.datetime, changes: dict[dt.date, tuple[bool, bool]]
) -> dt.datetime:
    """Where a clock's deadline falls after the days in `changes` ({date: (was working, is
    working)}) changed: the same number of working days after the day it started as under the
    old calendar, at the same time of day. (The calendar already has the new arrangement; the
    old count is the new one corrected by the changed days in between.)"""
    start = timezone.localtime(started_at).date()
    local_due = timezone.localtime(due)
    end = local_due.date()
    count = working_days_between(start, end)
    count -= sum(int(now) - int(was) for day, (was, now) in changes.items() if start < day <= end)
    return dt.datetime.combine(add_working_days(start, count), local_due.timetz())


def recompute_deadlines(changes: dict[dt.date, tuple[bool, bool]], *, now: dt.datetime | None = None) -> int:
    """After a holiday arrangement changed the days in `changes`, move the running clocks of open
    cases that counted one of those days (a changed day after the clock started, up to its
    deadline) so each keeps its number of working days. Deadlines already passed stay where they
    are (missed is missed). Set-based: one query for the clocks, one bulk update each for clocks
    and cases, one audit event per case moved (`deadlines_recomputed`, old → new per clock) and one
    message to each person concerned (the lead department's people; the dispatch office for cases
    not yet dispatched). Returns the number of cases moved. Called on commit of the change
    (`zhuqi.core.signals.working_days_changed`, connected in `CasesConfig.ready`)."""
    from zhuqi.core.notify import notify_many

    if not changes:
        return 0
    now = now or timezone.now()
    first, last = min(changes), max(changes)
    with transaction.atomic():
        clocks = list(
            CaseClock.objects.filter(
                state=CaseClock.State.RUNNING,
                case__status__in=OPEN_STATUSES,
                due_at__gte=max(now, start_of_day(first)),
                started_at__lt=start_of_day(last + dt.timedelta(days=1)),
            ).order_by("case_id", "id")
        )
        moved: dict[int, list[tuple[CaseClock, dt.datetime]]] = {}
        for clock in clocks:
            new_due = moved_due(clock.started_at, clock.due_at, changes)
            if new_due != clock.due_at:
                moved.setdefault(clock.case_id, []).append((clock, new_due))
        if not moved:
            return 0
        cases = {
            c.pk: c
            for c in Case.objects.select_for_update(of=("self",))
            .select_related("region")
            .filter(pk__in=sorted(moved))
            .order_by("pk")
        }
        # the cases are locked now: a clock a handler stopped meanwhile is left alone
        still_running = set(
            CaseClock.objects.filter(
                pk__in=[clock.pk for pairs in moved.values() for clock, _ in pairs],
                state=CaseClock.State.RUNNING,
            ).values_list("pk", flat=True)
        )
        items, changed_clocks, touched = [], [], []
        for case_id, pairs in moved.items():
            case = cases[case_id]
            diff = {}
            for clock, new_due in pairs:
                if clock.pk not in still_running:
                    continue
                field = CLOCK_FIELDS[clock.kind]
                diff[field] = (_local(clock.due_at), _local(new_due))
                clock.due_at = new_due
                changed_clocks.append(clock)
                if getattr(case, field) is not None:
                    setattr(case, field, new_due)
            if not diff:
                continue
            case.recompute_next_due()
            touched.append(case)
            items.append(
                {
                    "action": "event",
                    "obj": case,
                    "event": "deadlines_recomputed",
                    "changes": diff,
                    "actor": None,
                }
            )
        if not touched:
            return 0
        CaseClock.objects.bulk_update(changed_clocks, ["due_at"])
        Case.objects.bulk_update(touched, [*CLOCK_FIELDS.values(), "next_due_at"])
        audit.record_many(items)
        notify_many(_recomputed_messages(touched))
    return len(touched)


def _local(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _recomputed_messages(cases: list[Case]) -> list[dict]:
    """One message per person concerned, naming their cases whose deadlines moved."""
    from .sweep import _Recipients

    recipients = _Recipients(cases)
    users: dict[int, Any] = {}
    theirs: dict[int, list[Case]] = {}
    for case in cases:
        people = (
            recipients.department(case.lead_department_id)
            if case.lead_department_id
            else recipients.dispatch(case)
        )
        for user in people:
            users[user.pk] = user
            theirs.setdefault(user.pk, []).append(case)
    groups: dict[tuple[int, ...], list] = {}
    for pk, own in theirs.items():
        groups.setdefault(tuple(c.pk for c in own), []).append(users[pk])
    by_pk = {c.pk: c for c in cases}
    messages = []
    for case_ids, people in groups.items():
        nos = "、".join(by_pk[i].no for i in case_ids[:20])
        if len(case_ids) > 20:
            nos += "…"
        messages.append(
            {
                "recipients": people,
                "title": gettext("工作日调整：%(n)s 件诉求的办理期限已重新计算") % {"n": len(case_ids)},
                "body": gettext("按新的节假日和调休安排，以下诉求的办理期限已变动，请以新期限为准：%(nos)s")
                % {"nos": nos},
                "url": by_pk[case_ids[0]].get_absolute_url() if len(case_ids) == 1 else "",
                "level": "warning",
            }
        )
    return messages


# --- intake ------------------------------------------------------------------------------------
def can_create_for(user, enterprise) -> bool:
    from zhuqi.enterprises.models import Enterprise

    scope = scope_for(user)
    if not scope.authenticated:
        return False
    if not permissions.allowed(user, "cases.create"):
        return False
    if scope.is_enterprise_user:
        return _own_enterprise_id(user) == enterprise.pk
    return Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists()


def _case_no(submitted_at: dt.datetime, pk: int) -> str:
    return f"ZQ{timezone.localtime(submitted_at):%Y}{pk:07d}"


_CASE_SEQUENCE: str | None = None


def _insert_new_case(case: Case) -> None:
    """Write a new case with one INSERT, its number (from its id) known beforehand: on
    PostgreSQL the id is drawn from the table's sequence first. Elsewhere (SQLite, one writer)
    it is inserted with a temporary number, set by an UPDATE that writes no row diff. The row
    diff of the INSERT is the caller's to record (`audit.creation`), with the number in it."""
    global _CASE_SEQUENCE
    with audit.row_diffs_disabled():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                if _CASE_SEQUENCE is None:
                    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Case._meta.db_table])
                    _CASE_SEQUENCE = cur.fetchone()[0]
                cur.execute("SELECT nextval(%s)", [_CASE_SEQUENCE])
                case.pk = cur.fetchone()[0]
            case.no = _case_no(case.submitted_at, case.pk)
            case.save(force_insert=True)
        else:
            case.no = f"TMP{secrets.token_hex(6)}"
            case.save(force_insert=True)
            case.no = _case_no(case.submitted_at, case.pk)
            Case.objects.filter(pk=case.pk).update(no=case.no)


def create_case(
    enterprise,
    *,
    channel: str,
    title: str,
    description: str,
    actor=None,
    category: Category | None = None,
    urgency: str = Urgency.NORMAL,
    external_no: str = "",
    partner=None,
    contact_name: str = "",
    contact_phone: str = "",
    visit=None,
    submitted_at: dt.datetime | None = None,
) -> Case:
    """Put a new case into the pool (any channel). `actor` must be allowed to raise problems
    for the enterprise (its own user, or an official with the enterprise in scope); partner
    systems pass `partner` (scope already checked by the caller) and no actor."""
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise ValidationError(gettext("请填写诉求标题"))
    if len(title) > 120:
        raise ValidationError(gettext("诉求标题不能超过 120 字"))
    if not description:
        raise ValidationError(gettext("请填写问题描述"))
    if channel not in Channel.values:
        raise ValidationError(gettext("来源渠道「%(channel)s」无效") % {"channel": channel})
    if urgency not in Urgency.values:
        raise ValidationError(gettext("紧急程度「%(urgency)s」无效") % {"urgency": urgency})
    system = actor is workflow.SYSTEM
    if actor is not None and not system and not can_create_for(actor, enterprise):
        raise PermissionDenied(gettext("您无权为该企业登记诉求"))
    if actor is None and partner is None:
        raise PermissionDenied(gettext("缺少登记人"))
    if actor is not None and not system and scope_for(actor).is_enterprise_user and channel != Channel.POLICY:
        channel = Channel.PORTAL  # an enterprise files through its portal (or complains about a policy claim)
    now = submitted_at or _now()
    try:
        with transaction.atomic():
            token = versions.tokens(SLA, DISPATCH_USERS)
            sla = policy_for(category, urgency, token[SLA])
            accept_due = due_at(now, sla.accept_days)
            case = Case(
                enterprise=enterprise,
                region=enterprise.region,
                title=title,
                description=description,
                category=category,
                channel=channel,
                urgency=urgency,
                external_no=(external_no or "").strip(),
                partner=partner,
                contact_name=contact_name,
                contact_phone=contact_phone,
                visit_id=getattr(visit, "pk", visit),
                created_by=None if system else actor,
                assigned_by_leader=actor if channel == Channel.LEADER and not system else None,
                submitted_at=now,
                sla=sla,
                # a new case has no running clock to cancel: start the accept clock directly
                accept_due_at=accept_due,
            )
            case.recompute_next_due()
            _insert_new_case(case)
            CaseClock.objects.create(case=case, kind=ClockKind.ACCEPT, started_at=now, due_at=accept_due)
            # the case's row diff (its INSERT, as the signal would write it) and the domain
            # event go into the chain together
            audit.record_many(
                [
                    audit.creation(case),
                    {
                        "action": "transition",
                        "obj": case,
                        "event": "submitted",
                        "actor": actor,
                        "changes": _clean(
                            {
                                "channel": Channel(channel).label,
                                "external_no": case.external_no,
                                "partner": getattr(partner, "name", ""),
                            }
                        ),
                    },
                ]
            )
            _notify(dispatch_users(case, token[DISPATCH_USERS]), case, gettext("新诉求待受理"))
    except IntegrityError as exc:
        raise ValidationError(
            gettext("外部工单号「%(external_no)s」已存在") % {"external_no": external_no}
        ) from exc
    return case


# --- transitions ----------------------------------------------------------------------------------
def accept_case(case: Case, *, actor, category: Category | None = None, urgency: str | None = None) -> Case:
    with transaction.atomic():
        case = _lock(case)
        workflow.check("accept", case, actor)
        now = _now()
        if category is not None:
            case.category = category
        if urgency:
            if urgency not in Urgency.values:
                raise ValidationError(gettext("紧急程度无效"))
            case.urgency = urgency
        case.sla = policy_for(case.category, case.urgency)
        stop_clock(case, ClockKind.ACCEPT, now)
        # "13710": dispatched within 1 working day of *receipt*, so the dispatch clock runs from
        # submission, not from acceptance (a late acceptance leaves the dispatch already late)
        dispatch_due = due_at(case.submitted_at, case.sla.dispatch_days)
        start_clock(case, ClockKind.DISPATCH, case.sla.dispatch_days, now, due=dispatch_due)
        case.status, case.accepted_at = Status.ACCEPTED, now
        _save(case, "accepted_at", "category", "urgency", "sla")
        _record(
            case,
            "accepted",
            actor,
            {"category": str(case.category or ""), "urgency": Urgency(case.urgency).label},
        )
        _notify(enterprise_users(case), case, gettext("您的诉求已受理"))
    return case


def refuse_case(case: Case, *, actor, reason: str) -> Case:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("请填写不予受理的理由"))
    with transaction.atomic():
        case = _lock(case)
        workflow.check("refuse", case, actor)
        now = _now()
        stop_clock(case, ClockKind.ACCEPT, now)
        cancel_all_clocks(case, now)
        case.status, case.refuse_reason = Status.REFUSED, reason[:500]
        _save(case, "refuse_reason")
        _record(case, "refused", actor, {"refuse_reason": reason})
        _notify(enterprise_users(case), case, gettext("您的诉求不予受理"), body=reason)
    return case


def dispatch_case(
    case: Case,
    *,
    actor,
    lead: Department | None = None,
    assisting=(),
    category: Category | None = None,
) -> Case:
    """交办: to `lead` (+ assisting); without `lead`, the routing rule for the category and the
    enterprise's region decides, falling back to the dispatch office."""
    from .routing import route_for

    with transaction.atomic():
        case = _lock(case)
        workflow.check("dispatch", case, actor)
        now = _now()
        if category is not None:
            case.category = category
            case.sla = policy_for(case.category, case.urgency)
        if lead is None:
            route = route_for(case.category, case.region)
            lead, assisting = route.lead, route.assisting
        if lead is None:
            raise ValidationError(gettext("未找到主办部门，请手动指定"))
        assisting = [d for d in assisting if d.pk != lead.pk]
        sla = _sla(case)
        stop_clock(case, ClockKind.DISPATCH, now)
        CaseDepartment.objects.filter(case=case, active=True).update(active=False)
        CaseDepartment.objects.create(
            case=case, department=lead, role=CaseDepartment.Role.LEAD, dispatched_at=now
        )
        for d in assisting:
            CaseDepartment.objects.create(
                case=case, department=d, role=CaseDepartment.Role.ASSIST, dispatched_at=now
            )
        case.lead_department = lead
        case.status, case.dispatched_at, case.signed_at = Status.DISPATCHED, now, None
        start_clock(case, ClockKind.SIGN, sla.sign_days, now)
        start_clock(case, ClockKind.PROGRESS, sla.progress_days, now)
        start_clock(case, ClockKind.REPLY, sla.resolve_days, now)
        start_clock(case, ClockKind.CLOSE, sla.resolve_days + sla.followup_days, now)
        _save(case, "lead_department", "dispatched_at", "signed_at", "category", "sla")
        _record(
            case,
            "dispatched",
            actor,
            {
                "lead_department": lead.name,
                gettext_noop("协办部门"): [d.name for d in assisting],
                "category": str(case.category or ""),
            },
        )
        _notify(department_users(lead.pk, *[d.pk for d in assisting]), case, gettext("新交办诉求待签收"))
    return case


def sign_case(case: Case, *, actor) -> Case:
    with transaction.atomic():
        case = _lock(case)
        workflow.check("sign", case, actor)
        now = _now()
        stop_clock(case, ClockKind.SIGN, now)
        CaseDepartment.objects.filter(case=case, active=True, role=CaseDepartment.Role.LEAD).update(
            signed_at=now
        )
        case.status, case.signed_at = Status.SIGNED, now
        _save(case, "signed_at")
        _record(case, "signed", actor, {gettext_noop("签收部门"): str(actor.department)})
    return case


def send_back_case(case: Case, *, actor, reason: str) -> Case:
    """退单 within the policy's send-back limit (working days after dispatch), with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("请填写退单理由"))
    with transaction.atomic():
        case = _lock(case)
        workflow.check("send_back", case, actor)
        now = _now()
        limit = _sla(case).sendback_days
        if now > due_at(case.dispatched_at or now, limit):
            raise ValidationError(
                gettext("已超过退单时限（交办后 %(limit)s 个工作日内），请签收办理或申请协调")
                % {"limit": limit}
            )
        for kind in (ClockKind.SIGN,):
            stop_clock(case, kind, now)
        for kind in (ClockKind.PROGRESS, ClockKind.REPLY, ClockKind.CLOSE):
            cancel_clock(case, kind, now)
        case.sendback_count += 1
        case.status = Status.SENT_BACK
        start_clock(case, ClockKind.DISPATCH, _sla(case).dispatch_days, now)
        _save(case, "sendback_count")
        _record(
            case,
            "sent_back",
            actor,
            {gettext_noop("退单理由"): reason, gettext_noop("退单部门"): str(case.lead_department)},
        )
        _notify(dispatch_users(case), case, gettext("诉求被退单，请重新交办"), body=reason, level="warning")
        _maybe_problem(case, actor)
    return case


def report_progress(case: Case, *, actor, note: str) -> Case:
    note = (note or "").strip()
    if not note:
        raise ValidationError(gettext("请填写办理进展"))
    with transaction.atomic():
        case = _lock(case)
        workflow.check("report_progress", case, actor)
        now = _now()
        stop_clock(case, ClockKind.PROGRESS, now)
        case.status = Status.IN_PROGRESS
        _save(case)
        _record(case, "progress", actor, {gettext_noop("办理进展"): note[:1000]})
        _notify(enterprise_users(case), case, gettext("诉求办理有新进展"), body=note)
    return case


def pause_case(case: Case, *, actor, reason: str) -> Case:
    """Wait for the enterprise (补充材料): all running clocks pause; explicit and audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("请说明需要企业补充的内容"))
    with transaction.atomic():
        case = _lock(case)
        workflow.check("pause", case, actor)
        now = _now()
        case.status, case.paused_at = Status.WAITING, now
        _save(case, "paused_at")
        _record(case, "paused", actor, {gettext_noop("需企业补充"): reason})
        _notify(enterprise_users(case), case, gettext("请补充诉求材料"), body=reason, level="warning")
    return case


def resume_case(case: Case, *, actor, note: str = "") -> Case:
    """End the pause: every running clock's deadline moves on by the working time lost, i.e.
    the part of the pause on working days (`workcalendar.working_time_between`): a pause from
    Friday 17:30 to Monday 08:30 moves each deadline by 15 hours of working time, not a day."""
    with transaction.atomic():
        case = _lock(case)
        workflow.check("resume", case, actor)
        now = _now()
        lost = working_time_between(case.paused_at, now) if case.paused_at else dt.timedelta(0)
        if lost:
            for clock in CaseClock.objects.filter(case=case, state=CaseClock.State.RUNNING):
                clock.due_at = add_working_time(clock.due_at, lost)
                clock.paused_working_days += lost // dt.timedelta(days=1)  # whole days of it
                clock.save(update_fields=["due_at", "paused_working_days"])
                setattr(case, CLOCK_FIELDS[clock.kind], clock.due_at)
        case.status, case.paused_at = Status.IN_PROGRESS, None
        _save(case, "paused_at")
        _record(
            case,
            "resumed",
            actor,
            {
                gettext_noop("暂停工作时长（小时）"): round(lost.total_seconds() / 3600, 2),
                gettext_noop("说明"): note,
                "reply_due_at": case.reply_due_at,
            },
        )
        _notify(department_users(case.lead_department_id), case, gettext("企业已补充，诉求恢复办理"))
    return case


def reply_case(case: Case, *, actor, reply: str, resolved: bool = True) -> Case:
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError(gettext("请填写答复内容"))
    with transaction.atomic():
        case = _lock(case)
        workflow.check("reply", case, actor)
        now = _now()
        stop_clock(case, ClockKind.REPLY, now)
        if case.progress_due_at:
            stop_clock(case, ClockKind.PROGRESS, now)
        start_clock(case, ClockKind.FOLLOWUP, _sla(case).followup_days, now)
        case.status, case.replied_at, case.reply, case.resolved = Status.REPLIED, now, reply, bool(resolved)
        case.followup_token = secrets.token_urlsafe(24)
        _save(case, "replied_at", "reply", "resolved", "followup_token")
        _record(case, "replied", actor, {"reply": reply[:1000], "resolved": bool(resolved)})
        _notify(enterprise_users(case), case, gettext("诉求已答复，请评价"))
        link = rate_url(case)
        body = gettext("请电话回访；或把一次性评价链接发给企业联系人 %(contact_phone)s：%(rate_url)s") % {
            "contact_phone": case.contact_phone,
            "rate_url": link,
        }
        _notify(dispatch_users(case), case, gettext("诉求已答复，待回访"), body=body)
        _sms_rate_link(case, link)
    return case


def rate_url(case: Case) -> str:
    """The one-time 回访 link, absolute (`SITE_URL`) so it can be pasted into WeChat or an SMS."""
    return settings.SITE_URL + reverse("cases:rate", args=[case.pk, case.followup_token])


def _sms_rate_link(case: Case, link: str) -> None:
    """Text the 回访 link to the enterprise contact's phone through every configured SMS channel,
    after commit; a failing gateway is logged and never breaks the reply."""
    phone = (case.contact_phone or "").strip()
    sms = [c for c in core_notify.channels() if isinstance(c, SmsChannel)]
    if not phone or not sms:
        return
    title = gettext("诉求已答复，请评价")
    body = gettext("您反映的诉求「%(title)s」（%(no)s）已答复，请打开链接评价（一次有效）：%(rate_url)s") % {
        "title": case.title,
        "no": case.no,
        "rate_url": link,
    }

    def send() -> None:
        for channel in sms:
            try:
                channel.post(phone, title, body, link)
            except Exception:  # noqa: BLE001 - a broken gateway must not break the reply
                log.exception("sms of the follow-up link failed for case %s", case.pk)

    transaction.on_commit(send)


def follow_up_case(
    case: Case,
    *,
    actor=None,
    result: str,
    note: str = "",
    token: str | None = None,
    solved: bool | None = None,
) -> Case:
    """回访: by the dispatch office (phone) or the enterprise (portal or one-time link; the
    answer is saved on the first click). Unsatisfied reopens the case as 重办. `solved` is the
    enterprise's own answer to "is the problem solved?" (None: not asked or not answered), kept
    on the follow-up and, as the latest answer, on the case (`enterprise_solved`), apart from the
    department's judgement (`resolved`)."""
    if result not in workflow.FOLLOW_UP_TARGET:
        raise ValidationError(gettext("请选择回访结果（满意 / 基本满意 / 不满意）"))
    with transaction.atomic():
        case = _lock(case)
        if token is not None:
            if not case.followup_token or not secrets.compare_digest(token, case.followup_token):
                raise PermissionDenied(gettext("评价链接无效或已使用"))
            if case.status != Status.REPLIED:
                raise ValidationError(gettext("该诉求当前不需要评价"))
        else:
            workflow.check("follow_up", case, actor)
        now = _now()
        stop_clock(case, ClockKind.FOLLOWUP, now)
        FollowUp.objects.create(case=case, result=result, solved=solved, note=note[:1000], by=actor, at=now)
        case.satisfaction, case.followed_up_at, case.followup_token = result, now, ""
        case.enterprise_solved = solved
        target = workflow.FOLLOW_UP_TARGET[result]
        fields = ["satisfaction", "followed_up_at", "followup_token", "enterprise_solved"]
        answers = {
            "satisfaction": Satisfaction(result).label,
            "enterprise_solved": solved,
            gettext_noop("回访记录"): note,
        }
        if target == Status.REOPENED:
            sla = _sla(case)
            case.status = Status.REOPENED
            case.reopen_count += 1
            case.resolved = None
            start_clock(case, ClockKind.REPLY, sla.resolve_days, now)
            start_clock(case, ClockKind.CLOSE, sla.resolve_days + sla.followup_days, now)
            fields += ["reopen_count", "resolved"]
            _save(case, *fields)
            _record(case, "reopened", actor, answers)
            _notify(
                department_users(case.lead_department_id),
                case,
                gettext("回访不满意，诉求重办"),
                body=note,
                level="warning",
            )
            _maybe_problem(case, actor)
        else:
            case.status = Status.FOLLOWED_UP
            _save(case, *fields)
            _record(case, "followed_up", actor, answers)
            _notify(dispatch_users(case), case, gettext("诉求已回访，待销号"))
    return case


def close_case(case: Case, *, actor, note: str = "") -> Case:
    with transaction.atomic():
        case = _lock(case)
        workflow.check("close", case, actor)
        now = _now()
        stop_clock(case, ClockKind.CLOSE, now)
        cancel_all_clocks(case, now)
        case.status, case.closed_at = Status.CLOSED, now
        case.close_working_days = max(0, working_days_between(case.accepted_at or case.submitted_at, now))
        _save(case, "closed_at", "close_working_days")
        _record(
            case, "closed", actor, {gettext_noop("说明"): note, "close_working_days": case.close_working_days}
        )
        _notify(enterprise_users(case), case, gettext("诉求已销号"))
    return case


def merge_case(case: Case, *, into: Case, actor) -> Case:
    """Merge a duplicate into an open case of the same enterprise."""
    if into.pk == case.pk:
        raise ValidationError(gettext("不能合并到自身"))
    with transaction.atomic():
        case = _lock(case)
        target = Case.objects.select_for_update().get(pk=into.pk)
        workflow.check("merge", case, actor)
        if target.enterprise_id != case.enterprise_id:
            raise ValidationError(gettext("只能合并同一企业的诉求"))
        if not target.is_open or target.merged_into_id:
            raise ValidationError(gettext("目标诉求已办结或已合并，不能合并"))
        now = _now()
        cancel_all_clocks(case, now)
        case.status, case.merged_into = Status.MERGED, target
        _save(case, "merged_into")
        _record(case, "merged", actor, {gettext_noop("合并至"): target.no})
        _event(target, "merged_from", changes={gettext_noop("合并自"): case.no}, actor=actor)
        _notify(enterprise_users(case), case, gettext("诉求已并入 %(no)s 办理") % {"no": target.no})
    return case


def withdraw_case(case: Case, *, actor, reason: str = "") -> Case:
    with transaction.atomic():
        case = _lock(case)
        workflow.check("withdraw", case, actor)
        now = _now()
        cancel_all_clocks(case, now)
        case.status, case.paused_at = Status.WITHDRAWN, None
        _save(case, "paused_at")
        _record(case, "withdrawn", actor, {gettext_noop("撤回原因"): reason})
        _notify(
            dispatch_users(case) + department_users(case.lead_department_id), case, gettext("企业已撤回诉求")
        )
    return case


def request_extension(case: Case, *, actor, days: int, reason: str) -> Extension:
    """延期申请, before the reply deadline, at most the policy's maximum in total."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("请填写延期理由"))
    with transaction.atomic():
        case = _lock(case)
        workflow.check("request_extension", case, actor)
        now = _now()
        if not case.reply_due_at or now > case.reply_due_at:
            raise ValidationError(gettext("已超过办结期限，不能再申请延期"))
        if case.extensions.filter(state=Extension.State.PENDING).exists():
            raise ValidationError(gettext("已有待审批的延期申请"))
        used = sum(case.extensions.filter(state=Extension.State.APPROVED).values_list("days", flat=True))
        limit = _sla(case).extension_max_days
        if days < 1 or used + days > limit:
            raise ValidationError(
                gettext("延期天数须在 1 至 %(max)s 个工作日之间（累计不超过 %(limit)s 个工作日）")
                % {"max": max(0, limit - used), "limit": limit}
            )
        ext = Extension.objects.create(
            case=case, days=days, reason=reason, requested_by=actor, requested_at=now
        )
        _event(
            case,
            "extension_requested",
            changes={gettext_noop("延期工作日"): days, gettext_noop("理由"): reason},
            actor=actor,
        )
        _notify(dispatch_users(case), case, gettext("延期申请待审批"), body=reason)
    return ext


def decide_extension(ext: Extension, *, actor, approve: bool, note: str = "") -> Extension:
    with transaction.atomic():
        case = _lock(ext.case)
        ext = Extension.objects.select_for_update().get(pk=ext.pk)
        workflow.check("decide_extension", case, actor)
        if ext.state != Extension.State.PENDING:
            raise ValidationError(gettext("该延期申请已审批"))
        now = _now()
        ext.state = Extension.State.APPROVED if approve else Extension.State.REJECTED
        ext.decided_by, ext.decided_at, ext.decision_note = actor, now, note[:500]
        ext.save()
        if approve:
            for kind in (ClockKind.REPLY, ClockKind.CLOSE):
                clock = _running(case, kind)
                if clock:
                    clock.due_at = shift_working_days(clock.due_at, ext.days)
                    clock.save(update_fields=["due_at"])
                    setattr(case, CLOCK_FIELDS[kind], clock.due_at)
            _save(case)
        _event(
            case,
            "extension_approved" if approve else "extension_rejected",
            changes={
                gettext_noop("延期工作日"): ext.days,
                gettext_noop("审批意见"): note,
                "reply_due_at": case.reply_due_at,
            },
            actor=actor,
        )
        _notify(
            department_users(case.lead_department_id),
            case,
            gettext("延期申请已批准") if approve else gettext("延期申请被驳回"),
        )
    return ext


# --- escalation -----------------------------------------------------------------------------------
def _escalate(case: Case, to_level: int, reason: str, actor=None, note: str = "") -> bool:
    """Raise the case to `to_level` if it is lower; idempotent (one Escalation per level)."""
    if case.escalation_level >= to_level:
        return False
    now = _now()
    from_level = case.escalation_level
    Escalation.objects.create(
        case=case, from_level=from_level, to_level=to_level, reason=reason, note=note, by=actor, at=now
    )
    Case.objects.filter(pk=case.pk).update(escalation_level=to_level, escalated_at=now)
    case.escalation_level, case.escalated_at = to_level, now
    _event(
        case,
        "escalated",
        changes={
            "escalation_level": (from_level, to_level),
            gettext_noop("原因"): Escalation.Reason(reason).label,
            gettext_noop("说明"): note,
        },
        actor=actor,
    )
    recipients = department_users(case.lead_department_id) + dispatch_users(case)
    if to_level >= EscalationLevel.COUNTY:
        recipients += leader_users(case)
    _notify(
        recipients,
        case,
        gettext("诉求提级至第%(to_level)s级调度") % {"to_level": to_level},
        body=str(Escalation.Reason(reason).label),
        level="danger",
    )
    return True


def _maybe_problem(case: Case, actor) -> None:
    if case.sendback_count + case.reopen_count >= PROBLEM_THRESHOLD and not case.is_problem_case:
        case.is_problem_case = True
        Case.objects.filter(pk=case.pk).update(is_problem_case=True)
        _event(
            case,
            "problem_case",
            changes={"sendback_count": case.sendback_count, "reopen_count": case.reopen_count},
            actor=actor,
        )
        _escalate(case, EscalationLevel.COUNTY, Escalation.Reason.PROBLEM_CASE, actor)


def flag_beyond_local(case: Case, *, actor, reason: str) -> Case:
    """属地难以解决: escalates to the county leader (level 3), or to the leading group if
    already there."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("请说明属地难以解决的原因"))
    with transaction.atomic():
        case = _lock(case)
        workflow.check("beyond_local", case, actor)
        case.beyond_local = True
        Case.objects.filter(pk=case.pk).update(beyond_local=True)
        _event(case, "beyond_local", changes={gettext_noop("原因"): reason}, actor=actor)
        to_level = (
            EscalationLevel.COUNTY
            if case.escalation_level < EscalationLevel.COUNTY
            else EscalationLevel.LEADING_GROUP
        )
        _escalate(case, to_level, Escalation.Reason.BEYOND_LOCAL, actor, reason)
    return case


def escalate_case(case: Case, *, actor, note: str = "") -> Case:
    with transaction.atomic():
        case = _lock(case)
        workflow.check("escalate", case, actor)
        if case.escalation_level >= EscalationLevel.LEADING_GROUP:
            raise ValidationError(gettext("已是最高层级（领导小组）"))
        _escalate(case, EscalationLevel(case.escalation_level + 1), Escalation.Reason.MANUAL, actor, note)
    return case


def hold_meeting(
    case: Case, *, actor, held_at, attendees: str, decisions: str, owners: str = ""
) -> CoordinationMeeting:
    if not (attendees or "").strip() or not (decisions or "").strip():
        raise ValidationError(gettext("请填写参会人员和议定事项"))
    with transaction.atomic():
        case = _lock(case)
        workflow.check("hold_meeting", case, actor)
        if case.escalation_level < EscalationLevel.COUNTY:
            raise ValidationError(gettext("协调会用于第三级（县级领导）调度的诉求，请先提级"))
        return record_decision(
            case, actor=actor, held_at=held_at, attendees=attendees, decisions=decisions, owners=owners
        )


def record_decision(
    case: Case,
    *,
    actor,
    held_at: dt.datetime,
    attendees: str,
    decisions: str,
    owners: str = "",
    department: Department | None = None,
    due_on: dt.date | None = None,
    session=None,
    convened_by=None,
) -> CoordinationMeeting:
    """Write what a coordination meeting (协调会) decided on `case`, already locked by the caller
    (`hold_meeting`, `services_coordination.record_coordination`) inside its transaction: the
    `CoordinationMeeting` row; the responsible department joins the case as an assisting
    department (so it sees the case) unless it leads it; a new deadline moves the running 办结
    clock to the end of that day (and the 销号 clock by the follow-up days after it); the
    `meeting_held` event; the lead and responsible departments and the dispatch office are told
    on commit."""
    now = _now()
    meeting = CoordinationMeeting.objects.create(
        case=case,
        session=session,
        held_at=held_at,
        convened_by=convened_by or actor,
        attendees=attendees,
        decisions=decisions,
        owners=owners,
        department=department,
        due_on=due_on,
        recorded_at=now,
    )
    if department is not None and department.pk != case.lead_department_id:
        row, created = CaseDepartment.objects.get_or_create(
            case=case, department=department, role=CaseDepartment.Role.ASSIST, defaults={"dispatched_at": now}
        )
        if not created and not row.active:
            row.active = True
            row.save(update_fields=["active"])
    moved = False
    if due_on is not None and not case.paused_at:
        reply = _running(case, ClockKind.REPLY)
        if reply is not None:
            reply.due_at = end_of_day(due_on)
            reply.save(update_fields=["due_at"])
            case.reply_due_at = reply.due_at
            close = _running(case, ClockKind.CLOSE)
            if close is not None:
                close.due_at = shift_working_days(reply.due_at, _sla(case).followup_days)
                close.save(update_fields=["due_at"])
                case.close_due_at = close.due_at
            _save(case)
            moved = True
    _event(
        case,
        "meeting_held",
        changes={
            gettext_noop("参会人员"): attendees,
            gettext_noop("议定事项"): decisions,
            gettext_noop("责任单位"): department.name if department is not None else owners,
            "reply_due_at": case.reply_due_at if moved else None,
        },
        actor=actor,
    )
    recipients = department_users(case.lead_department_id) + dispatch_users(case)
    if department is not None and department.pk != case.lead_department_id:
        recipients += department_users(department.pk)
    _notify(recipients, case, gettext("协调会议定事项"), body=decisions)
    return meeting


# --- supervision ----------------------------------------------------------------------------------
def supervise_case(case: Case, *, actor, body: str, department: Department | None = None) -> Supervision:
    """A formal supervision notice (督办) to the lead department, to be answered in writing."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(gettext("请填写督办内容"))
    with transaction.atomic():
        case = _lock(case)
        workflow.check("supervise", case, actor)
        dept = department or case.lead_department
        if dept is None:
            raise ValidationError(gettext("诉求尚未交办部门"))
        sup = Supervision.objects.create(
            case=case, kind=Supervision.Kind.NOTICE, department=dept, body=body, issued_by=actor
        )
        _event(
            case,
            "supervised",
            changes={gettext_noop("督办部门"): dept.name, gettext_noop("督办内容"): body},
            actor=actor,
        )
        _notify(department_users(dept.pk), case, gettext("督办通知"), body=body, level="danger")
    return sup


def respond_supervision(sup: Supervision, *, actor, response: str) -> Supervision:
    response = (response or "").strip()
    if not response:
        raise ValidationError(gettext("请填写书面回复"))
    with transaction.atomic():
        sup = Supervision.objects.select_for_update().select_related("case").get(pk=sup.pk)
        if getattr(actor, "department_id", None) != sup.department_id or not permissions.allowed(
            actor, "cases.supervision.respond"
        ):
            raise PermissionDenied(gettext("只有被督办部门可以回复"))
        if sup.kind != Supervision.Kind.NOTICE or sup.responded_at:
            raise ValidationError(gettext("该督办已回复"))
        sup.response, sup.responded_by, sup.responded_at = response, actor, _now()
        sup.save()
        _event(sup.case, "supervision_answered", actor, {gettext_noop("书面回复"): response[:1000]})
        _notify(
            _users(get_user_model().objects.filter(pk=sup.issued_by_id)),
            sup.case,
            gettext("督办已回复"),
            body=response,
        )
    return sup


# --- the one transition entry point ---------------------------------------------------------------
# Pages (form fields, strings) and the API (validated serializer data, typed) both fire a
# transition through `fire(case, action, actor=…, data=…)`: one table maps each action of
# `workflow.TRANSITIONS` to its service and to the parser of its parameters.
def _int(value) -> int | None:
    """An id from a form's string, the API's number, or the row the API already looked up."""
    return parse_int(getattr(value, "pk", value))


def _text(data, key: str) -> str:
    return str(data.get(key) or "")


def _flag(data, key: str, default: bool) -> bool:
    value = data.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "on", "yes"}


def parse_yes_no(data, key: str) -> bool | None:
    """A yes/no answer that may be left unanswered: true/1/yes → True, false/0/no → False,
    missing or empty → None; anything else is refused naming the question."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValidationError({key: gettext("请回答问题是否已解决：是 / 否")})


def _ids(data, key: str) -> list[int]:
    values = data.getlist(key) if hasattr(data, "getlist") else (data.get(key) or [])
    return [i for i in (_int(v) for v in values) if i]


def _category(data) -> Category | None:
    pk = _int(data.get("category"))
    return Category.objects.filter(pk=pk).first() if pk else None


def _found(qs, pk):
    """The row `pk` of `qs` (the actor's scope), else 404: "not yours" and "missing" look alike."""
    obj = qs.filter(pk=_int(pk) or 0).first()
    if obj is None:
        raise Http404
    return obj


def _dispatch_params(case, actor, d) -> dict:
    depts = Department.objects.visible_to(actor)
    lead = _found(depts, d.get("lead")) if d.get("lead") else None
    ids = set(_ids(d, "assisting"))
    assisting = list(depts.filter(pk__in=ids)) if ids else []
    if len(assisting) != len(ids):  # one of them missing or outside scope: the same 404
        raise Http404
    return {
        "lead": lead,
        "assisting": assisting,
        "category": _category(d),
    }


def _decide_extension(case: Case, *, actor, extension: Extension, approve: bool, note: str) -> Extension:
    return decide_extension(extension, actor=actor, approve=approve, note=note)


class Action(NamedTuple):
    """One row of the transition table: the service, and the parser that turns a form's or the
    API's data into its keyword arguments: `params(case, actor, data) -> dict`."""

    service: Callable[..., Any]
    params: Callable[[Case, Any, Any], dict]


ACTIONS: dict[str, Action] = {
    "accept": Action(
        accept_case, lambda c, a, d: {"category": _category(d), "urgency": d.get("urgency") or None}
    ),
    "refuse": Action(refuse_case, lambda c, a, d: {"reason": _text(d, "reason")}),
    "dispatch": Action(dispatch_case, _dispatch_params),
    "sign": Action(sign_case, lambda c, a, d: {}),
    "send_back": Action(send_back_case, lambda c, a, d: {"reason": _text(d, "reason")}),
    "report_progress": Action(report_progress, lambda c, a, d: {"note": _text(d, "note")}),
    "pause": Action(pause_case, lambda c, a, d: {"reason": _text(d, "reason")}),
    "resume": Action(resume_case, lambda c, a, d: {"note": _text(d, "note")}),
    "reply": Action(
        reply_case,
        lambda c, a, d: {"reply": _text(d, "reply"), "resolved": _flag(d, "resolved", True)},
    ),
    "follow_up": Action(
        follow_up_case,
        lambda c, a, d: {
            "result": _text(d, "result"),
            "note": _text(d, "note"),
            "solved": parse_yes_no(d, "solved"),
        },
    ),
    "close": Action(close_case, lambda c, a, d: {"note": _text(d, "note")}),
    "merge": Action(merge_case, lambda c, a, d: {"into": _found(Case.objects.visible_to(a), d.get("into"))}),
    "withdraw": Action(withdraw_case, lambda c, a, d: {"reason": _text(d, "reason")}),
    "request_extension": Action(
        request_extension,
        lambda c, a, d: {"days": _int(d.get("days")) or 0, "reason": _text(d, "reason")},
    ),
    "decide_extension": Action(
        _decide_extension,
        lambda c, a, d: {
            "extension": _found(Extension.objects.filter(case=c), d.get("extension")),
            "approve": _flag(d, "approve", False),
            "note": _text(d, "note"),
        },
    ),
    "beyond_local": Action(flag_beyond_local, lambda c, a, d: {"reason": _text(d, "reason")}),
    "escalate": Action(escalate_case, lambda c, a, d: {"note": _text(d, "note")}),
    "hold_meeting": Action(
        hold_meeting,
        lambda c, a, d: {
            "held_at": _now(),
            "attendees": _text(d, "attendees"),
            "decisions": _text(d, "decisions"),
            "owners": _text(d, "owners"),
        },
    ),
    "supervise": Action(supervise_case, lambda c, a, d: {"body": _text(d, "body")}),
}
assert set(ACTIONS) == set(workflow.TRANSITIONS), "every transition has exactly one service"


def fire(case: Case, action: str, *, actor, data=None):
    """Fire transition `action` on `case` with the parameters in `data` (a form's POST or the
    API's validated data). Raises Http404 for an unknown action or a referenced row outside
    the actor's scope; the service raises ValidationError / PermissionDenied."""
    if action not in ACTIONS:
        raise Http404
    service, params = ACTIONS[action]
    return service(case, actor=actor, **params(case, actor, data if data is not None else {}))


# --- routing rules ------------------------------------------------------------------------------
def can_edit_routing_rules(user) -> bool:
    """The dispatch office (专班办公室) and admins edit routing rules (the matrix's
    `cases.configure`), within their own scope."""
    return permissions.allowed(user, "cases.configure")


def _require_rule_editor(actor) -> None:
    if not can_edit_routing_rules(actor):
        raise PermissionDenied(gettext("只有专班办公室可以修改分拨规则"))


def save_routing_rule(
    rule: RoutingRule | None,
    *,
    actor,
    category: Category,
    region: Region,
    lead_department: Department,
    assisting_departments=(),
    is_active: bool = True,
) -> RoutingRule:
    """Create (`rule` None) or change a routing rule: the region and every department must lie
    in the actor's scope; one rule per category and region. Audited in the same transaction."""
    _require_rule_editor(actor)
    if not Region.objects.visible_to(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": gettext("该区划不在您的管辖范围内")})
    assisting = [d for d in assisting_departments if d.pk != lead_department.pk]
    depts = Department.objects.visible_to(actor)
    for dept in [lead_department, *assisting]:
        if not depts.filter(pk=dept.pk).exists():
            raise ValidationError(
                {"lead_department": gettext("部门「%(dept)s」不在您的管辖范围内") % {"dept": dept}}
            )
    if not category.is_active:
        raise ValidationError({"category": gettext("类别「%(name)s」已停用") % {"name": category}})
    try:
        with transaction.atomic():
            if rule is not None:
                rule = RoutingRule.objects.select_for_update().filter(pk=rule.pk).visible_to(actor).first()
                if rule is None:
                    raise Http404
            created = rule is None
            rule = rule or RoutingRule()
            rule.category, rule.region, rule.lead_department = category, region, lead_department
            rule.is_active = is_active
            rule.save()
            rule.assisting_departments.set(assisting)
            audit.record(
                "event",
                rule,
                event="routing_rule_saved",
                changes={
                    gettext_noop("规则"): str(rule),
                    gettext_noop("协办部门"): "、".join(d.name for d in assisting),
                    gettext_noop("启用"): is_active,
                    gettext_noop("新建"): created,
                },
                actor=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"category": gettext("该类别在该区划已有分拨规则，请在列表中编辑那一条")}
        ) from exc
    return rule


def delete_routing_rule(rule: RoutingRule, *, actor) -> None:
    """Delete a routing rule (the caller found it in the actor's scope). Audited."""
    _require_rule_editor(actor)
    with transaction.atomic():
        audit.record("event", rule, event="routing_rule_deleted", changes={"rule": str(rule)}, actor=actor)
        rule.delete()


# --- configuration: categories and SLA schemes ---------------------------------------------------
# Both are platform-wide (no region: one category tree and one scheme for every county of the
# installation), so only system administrators change them; everyone signed in reads them.


def can_configure_platform(user, action: str = "cases.categories.configure") -> bool:
    """Who configures what every county shares: the matrix's `cases.categories.configure`
    (problem categories) and `cases.sla.configure` (SLA schemes) — system administrators."""
    return permissions.allowed(user, action)


def _require_platform_admin(actor, message: str, action: str = "cases.categories.configure") -> None:
    permissions.require(actor, action, message)


CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def save_category(
    category: Category | None,
    *,
    actor,
    code: str,
    name: str,
    parent: Category | None = None,
    keywords: str = "",
    order: int = 0,
) -> Category:
    """Create (`category` None) or edit a problem category. The tree has two levels: a parent
    is a top-level category, and a category with sub-categories stays top-level. Audited."""
    _require_platform_admin(actor, gettext("问题类别对全平台生效，只有系统管理员可以修改"))
    code, name, keywords = (
        (code or "").strip().lower(),
        (name or "").strip(),
        " ".join((keywords or "").split()),
    )
    if not code:
        raise ValidationError({"code": gettext("请填写代码")})
    if len(code) > 30 or not set(code) <= CODE_CHARS:
        raise ValidationError(
            {"code": gettext("代码只能由小写字母、数字、下划线和短横线组成，最多 30 个字符")}
        )
    if not name:
        raise ValidationError({"name": gettext("请填写名称")})
    if len(name) > 50:
        raise ValidationError({"name": gettext("名称最多 50 个字")})
    if len(keywords) > 500:
        raise ValidationError({"keywords": gettext("关键词最多 500 个字")})
    with transaction.atomic():
        if category is not None:
            category = Category.objects.select_for_update().get(pk=category.pk)
        if parent is not None:
            parent = Category.objects.get(pk=parent.pk)
            if category is not None and parent.pk == category.pk:
                raise ValidationError({"parent": gettext("上级类别不能是它自己")})
            if parent.parent_id is not None:
                raise ValidationError({"parent": gettext("上级类别只能选一级类别（类别只分两级）")})
            if not parent.is_active:
                raise ValidationError(
                    {"parent": gettext("上级类别「%(name)s」已停用") % {"name": parent.name}}
                )
            if category is not None and category.children.exists():
                raise ValidationError({"parent": gettext("该类别下还有子类别，只能作为一级类别")})
        same_code = Category.objects.filter(code=code)
        if category is not None:
            same_code = same_code.exclude(pk=category.pk)
        if same_code.exists():
            raise ValidationError({"code": gettext("代码「%(code)s」已被其他类别使用") % {"code": code}})
        created = category is None
        category = category or Category()
        category.code, category.name, category.parent = code, name, parent
        category.keywords, category.order = keywords, order
        try:
            with transaction.atomic():
                category.save()
        except IntegrityError:  # the same code saved by someone else a moment ago
            raise ValidationError(
                {"code": gettext("代码「%(code)s」已被其他类别使用") % {"code": code}}
            ) from None
        audit.record(
            "event",
            category,
            event="category_created" if created else "category_saved",
            changes={gettext_noop("类别"): str(category), gettext_noop("代码"): code},
            actor=actor,
        )
    return category


class InUse(NamedTuple):
    label: str
    total: int


def category_uses(category: Category) -> list[InUse]:
    """What still points at `category` (or its sub-categories): active routing rules, open cases,
    active sub-categories; only the non-zero counts."""
    ids = [category.pk, *category.children.values_list("pk", flat=True)]
    uses = [
        InUse(gettext("启用的子类别"), category.children.filter(is_active=True).count()),
        InUse(
            gettext("启用的分拨规则"), RoutingRule.objects.filter(category_id__in=ids, is_active=True).count()
        ),
        InUse(
            gettext("未办结的诉求"),
            Case.objects.filter(category_id__in=ids, status__in=OPEN_STATUSES).count(),
        ),
    ]
    return [u for u in uses if u.total]


def set_category_active(category: Category, active: bool, *, actor, confirm: bool = False) -> Category:
    """Stop offering a category (or offer it again). Refused while active sub-categories or
    routing rules use it; while open cases carry it, only with `confirm` (they keep it)."""
    _require_platform_admin(actor, gettext("问题类别对全平台生效，只有系统管理员可以修改"))
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        if category.is_active == active:
            return category
        if not active:
            uses = category_uses(category)
            blocking = [u for u in uses if u.label != gettext("未办结的诉求")]
            listed = "、".join(f"{u.label}：{u.total}" for u in uses)
            if blocking:
                raise ValidationError(
                    {
                        "is_active": gettext("该类别仍在使用：%(uses)s。请先停用或改到其他类别后再停用")
                        % {"uses": listed}
                    }
                )
            if uses and not confirm:
                message = gettext(
                    "该类别仍被使用（%(uses)s）：停用后这些诉求保留原类别，但新的诉求不能再选它。确认请勾选「仍要停用」"
                ) % {"uses": listed}
                raise ValidationError({"is_active": ValidationError(message, code="confirm")})
        elif (parent := category.parent) is not None and not parent.is_active:
            raise ValidationError(
                {"is_active": gettext("请先启用上级类别「%(name)s」") % {"name": parent.name}}
            )
        category.is_active = active
        category.save(update_fields=["is_active"])
        audit.record(
            "event", category, event="category_enabled" if active else "category_disabled", actor=actor
        )
    return category


SLA_DAY_FIELDS = (
    "accept_days",
    "dispatch_days",
    "sign_days",
    "sendback_days",
    "progress_days",
    "resolve_days",
    "followup_days",
    "extension_max_days",
)
MAX_SLA_DAYS = 250  # about a year of working days: a longer limit is a typing mistake


def save_sla_policy(
    policy: SlaPolicy | None, *, actor, scheme: str, name: str, category=None, urgency="", **days
) -> SlaPolicy:
    """Create (`policy` None) or edit one rule of an SLA scheme: limits in working days for a
    category and urgency (blank: every case). One rule per scheme, category and urgency. Cases
    keep the policy they were given; a change applies to cases accepted from now on."""
    _require_platform_admin(
        actor, gettext("办理时限对全平台生效，只有系统管理员可以修改"), "cases.sla.configure"
    )
    if scheme not in SlaPolicy.Scheme.values:
        raise ValidationError({"scheme": gettext("请选择制度")})
    if urgency and urgency not in Urgency.values:
        raise ValidationError({"urgency": gettext("请选择紧急程度")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("请填写名称")})
    if len(name) > 60:
        raise ValidationError({"name": gettext("名称最多 60 个字")})
    values: dict[str, int] = {}
    labels = {f.name: f.verbose_name for f in SlaPolicy._meta.fields}
    for field in SLA_DAY_FIELDS:
        label = labels[field]
        raw = days.get(field)
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValidationError(
                {field: gettext("请填写%(label)s（工作日数）") % {"label": label}}
            ) from None
        low = 0 if field == "extension_max_days" else 1
        if not low <= value <= MAX_SLA_DAYS:
            raise ValidationError(
                {
                    field: gettext("%(label)s应在 %(low)s 到 %(high)s 个工作日之间")
                    % {"label": label, "low": low, "high": MAX_SLA_DAYS}
                }
            )
        values[field] = value
    with transaction.atomic():
        if policy is not None:
            policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        clash = SlaPolicy.objects.filter(scheme=scheme, category=category, urgency=urgency or "")
        if policy is not None:
            clash = clash.exclude(pk=policy.pk)
        if clash.exists():
            raise ValidationError({"category": gettext("该制度已有同一类别和紧急程度的规则，请编辑那一条")})
        created = policy is None
        policy = policy or SlaPolicy()
        policy.scheme, policy.name, policy.category, policy.urgency = scheme, name, category, urgency or ""
        for field, value in values.items():
            setattr(policy, field, value)
        policy.save()
        audit.record(  # the row diff beside it lists the limits that changed
            "event",
            policy,
            event="sla_policy_created" if created else "sla_policy_saved",
            changes={gettext_noop("规则"): name},
            actor=actor,
        )
    return policy


def set_sla_policy_active(policy: SlaPolicy, active: bool, *, actor) -> SlaPolicy:
    """Switch one rule of a scheme on or off (the scheme's general rule stays on while the
    scheme is in force or scheduled)."""
    _require_platform_admin(
        actor, gettext("办理时限对全平台生效，只有系统管理员可以修改"), "cases.sla.configure"
    )
    with transaction.atomic():
        policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        if policy.is_active == active:
            return policy
        today = timezone.localdate()
        in_use = (
            policy.scheme == active_scheme(today)
            or SlaActivation.objects.filter(scheme=policy.scheme, effective_from__gt=today).exists()
        )
        if not active and in_use and policy.category_id is None and not policy.urgency:
            raise ValidationError(
                {
                    "is_active": gettext(
                        "这是正在执行（或已安排执行）的制度的通用规则，不能停用，可以修改它的时限"
                    )
                }
            )
        policy.is_active = active
        policy.save(update_fields=["is_active"])
        audit.record(
            "event", policy, event="sla_policy_enabled" if active else "sla_policy_disabled", actor=actor
        )
    return policy


def activate_sla_scheme(*, actor, scheme: str, effective_from: dt.date, note: str = "") -> SlaActivation:
    """Put `scheme` in force from `effective_from` (today or later). Cases accepted from that
    day get its limits; cases accepted before keep theirs. The scheme needs an active general
    rule (no category, no urgency) so that every case finds a limit."""
    _require_platform_admin(
        actor, gettext("办理时限制度对全平台生效，只有系统管理员可以切换"), "cases.sla.configure"
    )
    if scheme not in SlaPolicy.Scheme.values:
        raise ValidationError({"scheme": gettext("请选择制度")})
    if not isinstance(effective_from, dt.date):
        raise ValidationError({"effective_from": gettext("请填写生效日期")})
    if effective_from < timezone.localdate():
        raise ValidationError({"effective_from": gettext("生效日期不能早于今天：已受理的诉求按原制度计时")})
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": gettext("说明最多 200 个字")})
    with transaction.atomic():
        # one switch at a time: two administrators scheduling at once see each other's row
        list(SlaPolicy.objects.select_for_update().filter(scheme=scheme))
        if not SlaPolicy.objects.filter(scheme=scheme, category=None, urgency="", is_active=True).exists():
            raise ValidationError(
                {"scheme": gettext("该制度还没有启用的通用规则（不分类别、不分紧急程度），请先添加")}
            )
        activation = SlaActivation.objects.create(
            scheme=scheme, effective_from=effective_from, note=note, created_by=actor
        )
        audit.record(
            "event",
            activation,
            event="sla_scheme_activated",
            changes={
                gettext_noop("制度"): str(SlaPolicy.Scheme(scheme).label),
                gettext_noop("生效日期"): effective_from.isoformat(),
            },
            actor=actor,
        )
    return activation


# --- corrections ------------------------------------------------------------------------------------
#: the fields of a registered case the dispatch office may correct (with a reason)
CORRECTABLE_FIELDS = ("enterprise", "title", "description", "category")


def can_correct(user, case: Case) -> bool:
    """The matrix's `cases.correct` (the dispatch office and system administrators) corrects a
    registered case in its area (the case must be visible to them: `Case.objects.visible_to`)."""
    return permissions.allowed(user, "cases.correct")


def correct_case(
    case: Case,
    *,
    actor,
    reason: str,
    enterprise=None,
    title: str | None = None,
    description: str | None = None,
    category: Category | None | Any = ...,
) -> Case:
    """Correct what was registered wrongly: the enterprise, title, description or category.
    Arguments left out (None; `...` for the category, whose None means "unclassified") stay.
    The reason is required and shown, with the old and new values, in the case's history. A new
    enterprise must be one the actor may see, exactly as when registering (anything else is
    refused as if it did not exist); the case moves to that enterprise's region. Running
    deadlines are kept: a correction is not a new registration."""
    from zhuqi.enterprises.models import Enterprise

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写更正原因")})
    if len(reason) > 200:
        raise ValidationError({"reason": gettext("更正原因不能超过 200 字")})
    with transaction.atomic():
        if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
            raise Http404
        case = _lock(case)
        if not can_correct(actor, case):
            raise PermissionDenied(gettext("只有专班办公室或系统管理员可以更正诉求"))
        changes: dict[str, Any] = {}
        if enterprise is not None and enterprise.pk != case.enterprise_id:
            found = (
                Enterprise.objects.visible_to(actor).select_related("region").filter(pk=enterprise.pk).first()
            )
            if found is None:
                raise ValidationError({"enterprise": gettext("找不到该企业（或不在您的范围内）")})
            changes["enterprise"] = (case.enterprise.name, found.name)
            case.enterprise, case.region = found, found.region
        if title is not None:
            title = title.strip()
            if not title:
                raise ValidationError({"title": gettext("请填写诉求标题")})
            if len(title) > 120:
                raise ValidationError({"title": gettext("诉求标题不能超过 120 字")})
            if title != case.title:
                changes["title"] = (case.title, title)
                case.title = title
        if description is not None:
            description = description.strip()
            if not description:
                raise ValidationError({"description": gettext("请填写问题描述")})
            if len(description) > 5000:
                raise ValidationError({"description": gettext("问题描述不能超过 5000 字")})
            if description != case.description:
                changes["description"] = (case.description, description)
                case.description = description
        if category is not ...:
            if category is not None and not Category.objects.filter(pk=category.pk, is_active=True).exists():
                raise ValidationError({"category": gettext("问题类别不存在或已停用")})
            if getattr(category, "pk", None) != case.category_id:
                changes["category"] = (
                    str(case.category or gettext("未分类")),
                    str(category or gettext("未分类")),
                )
                case.category = category
        if not changes:
            raise ValidationError(gettext("没有需要更正的内容：各项与原登记相同"))
        # the case may leave its region: its old (year, path) in the yearly counts is stale too
        # (the save marks the new one, cases/rollups.py)
        from . import rollups

        rollups.mark_stale([(rollups.year_of(case.submitted_at) or 0, case.region_path or "")])
        case.save(update_fields=["enterprise", "region", "region_path", "title", "description", "category"])
        if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
            # cannot happen with a visible enterprise; kept so a scope change never strands a case
            raise ValidationError({"enterprise": gettext("更正后该诉求将不在您的范围内")})
        _event(case, "corrected", actor, changes, message=reason)
        recipients = department_users(case.lead_department_id) if case.lead_department_id else []
        if "enterprise" in changes:
            recipients += enterprise_users(case)
        _notify(recipients, case, gettext("诉求登记信息已更正"), body=reason)
    return case


def open_cases_check(enterprise) -> str | None:
    """enterprises' archive check: open cases of the enterprise must be handled first."""
    n = Case.objects.filter(enterprise=enterprise, status__in=OPEN_STATUSES).count()
    return gettext("有 %(n)s 件未办结的诉求（请先办结，或更正到正确的企业）") % {"n": n} if n else None

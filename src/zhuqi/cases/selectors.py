"""Reads of the cases app (scoped): the lists, the dispatch board, a department's inbox and a
leader's view. Each starts from `Case.objects.visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models import F as Col
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from zhuqi.core.models import Region
from zhuqi.core.params import date_param, int_param
from zhuqi.core.roles import Role
from zhuqi.core.scope import scope_for
from zhuqi.core.workcalendar import SHANGHAI, due_at

from . import figures as F
from . import workflow
from .models import (
    OPEN_STATUSES,
    Case,
    Channel,
    CoordinationMeeting,
    CoordinationSession,
    Escalation,
    EscalationLevel,
    Extension,
    Status,
    Urgency,
)

LIST_RELATED = ("enterprise", "category", "category__parent", "lead_department", "region")


def parse_dates(params) -> tuple[dt.date | None, dt.date | None]:
    """`start` and `end` (ISO dates) of a query string; a malformed one is ignored."""
    return date_param(params, "start"), date_param(params, "end")


def filter_cases(qs, params):
    """The list filters of a query string (status, channel, category, department, light, level,
    text) and a figure's drill-down (metric, dim, key, part); a bad drill-down is a 404."""
    g = params
    if g.get("status") in Status.values:
        qs = qs.filter(status=g["status"])
    if g.get("open"):
        qs = qs.filter(status__in=OPEN_STATUSES)
    if g.get("channel") in Channel.values:
        qs = qs.filter(channel=g["channel"])
    if c := int_param(g, "category"):
        qs = qs.filter(Q(category_id=c) | Q(category__parent_id=c))
    if dept := int_param(g, "dept"):
        qs = qs.filter(lead_department_id=dept)
    if g.get("rag") in {"red", "yellow", "green"}:
        qs = qs.filter(rag=g["rag"])
    if g.get("overdue"):  # past a running deadline: the same condition as the board's 已超时
        qs = qs.filter(status__in=OPEN_STATUSES, next_due_at__lt=timezone.now())
    if (as_of := overdue_as_of(g)) is not None:  # 超期未办结 at a period's end (oversight's metric)
        qs = qs.filter(F.reply_overdue_q(as_of))
    if (level := int_param(g, "level", minimum=0)) is not None:
        qs = qs.filter(escalation_level__gte=level)
    q = g.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(title__contains=q) | Q(no__contains=q) | Q(enterprise__name__contains=q) | Q(external_no=q)
        )
    metric = g.get("metric")
    if metric in F.METRICS:
        start, end = parse_dates(g)
        qs = qs.filter(F.period_q(start, end))
        dim = g.get("dim", "")
        try:
            qs = F.drill(qs, metric, g.get("part", "n"), dim if dim in F.DIMENSIONS else "", g.get("key"))
        except (ValueError, KeyError):
            raise Http404 from None
    return qs


def overdue_as_of(params) -> dt.datetime | None:
    """`overdue_at=YYYY-MM-DD`: the end of that day (Beijing time), or now when that is later —
    the moment oversight's 超期未办结 metric counts at (`oversight.metrics.Context.as_of`)."""
    day = date_param(params, "overdue_at")
    if day is None:
        return None
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    return min(end, timezone.now())


def case_list(user, params):
    """The case list (and its Excel export): the viewer's cases with their light, filtered;
    `mine`: only those of the viewer's own 包抓 enterprises (the scope hooks); `region`: of a
    region's subtree (one the viewer may see; any other gives no rows)."""
    qs = Case.objects.visible_to(user)
    if region_id := int_param(params, "region"):  # a region's subtree (the cockpit's drill-downs)
        region = Region.objects.visible_to(user).filter(pk=region_id).first()
        qs = qs.filter(region_path__startswith=region.path) if region else qs.none()
    if params.get("mine"):
        qs = qs.filter(enterprise_id__in=sorted(scope_for(user).assigned()))
    return filter_cases(qs.with_rag().select_related(*LIST_RELATED), params)


def board_filters(now) -> dict[str, Q]:
    """The dispatch board's tabs. Every tab is a subset of the open cases (closed ones carry no clocks, no pending
    extension), so the counts scan open cases only: a few percent of a province's history."""
    return {
        "new": Q(status=Status.SUBMITTED),
        "unrouted": Q(status__in=[Status.ACCEPTED, Status.SENT_BACK]),
        "overdue": Q(next_due_at__lt=now),
        "escalated": Q(escalation_level__gte=EscalationLevel.DEPARTMENT),
        "extension": Q(Exists(Extension.objects.filter(case=OuterRef("pk"), state=Extension.State.PENDING))),
        "followup": Q(status=Status.REPLIED),
        "close": Q(status=Status.FOLLOWED_UP),
    }


def board(user, tab: str, now):
    """The dispatch office's board: every tab's count in one query, and the cases of `tab`."""
    filters = board_filters(now)
    base = Case.objects.visible_to(user).filter(status__in=OPEN_STATUSES)
    counts = base.aggregate(**{t: Count("pk", filter=q) for t, q in filters.items()})
    qs = base.filter(filters[tab]).with_rag(now).select_related(*LIST_RELATED)
    qs = (
        qs.order_by("next_due_at", "-id")
        if tab in {"overdue", "escalated"}
        else qs.order_by("-submitted_at", "-id")
    )
    return counts, qs


def inbox(user, now) -> dict:
    """A department's inbox, tab → cases: to sign, in progress, due soon, overdue, assisting,
    supervision notices awaiting the written answer."""
    base = Case.objects.visible_to(user)
    lead = base.filter(lead_department_id=user.department_id)
    working = list(workflow.WORKING | {Status.WAITING})
    return {
        "sign": lead.filter(status=Status.DISPATCHED),
        "work": lead.filter(status__in=working),
        "soon": lead.filter(status__in=OPEN_STATUSES, next_due_at__gte=now, next_due_at__lte=due_at(now, 2)),
        "overdue": lead.filter(status__in=OPEN_STATUSES, next_due_at__lt=now),
        "assist": base.filter(
            departments__department_id=user.department_id,
            departments__role="assist",
            departments__active=True,
            status__in=OPEN_STATUSES,
        ),
        "supervision": base.filter(
            supervisions__department_id=user.department_id,
            supervisions__kind="notice",
            supervisions__responded_at__isnull=True,
        ).distinct(),
    }


def leader(user, *, mine: bool):
    """A leader's open cases (escalated first) and the enterprises with the most open ones;
    `mine`: only the enterprises assigned to the leader (包抓/包联, from the scope hooks)."""
    base = Case.objects.visible_to(user)
    if mine:
        base = base.filter(enterprise_id__in=list(scope_for(user).assigned()))
    qs = (
        base.filter(status__in=OPEN_STATUSES)
        .with_rag()
        .select_related(*LIST_RELATED)
        .order_by("-escalation_level", "next_due_at")
    )
    per_enterprise = (
        base.values("enterprise_id", "enterprise__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            level3=Count(
                "pk", filter=Q(escalation_level__gte=EscalationLevel.COUNTY, status__in=OPEN_STATUSES)
            ),
        )
        .filter(open__gt=0)
        .order_by("-level3", "-open")[:20]
    )
    return qs, per_enterprise


HOME_KINDS = ("enterprise", "department", "dispatch", "other")


def home_filters(user, kind: str, now) -> tuple:
    """(base, name → Q) of a home page's case figures: for an enterprise user (own cases), a
    department (cases it leads), the dispatch office (the board's tabs and the send-backs) or
    anyone else (open, overdue, escalated to the county, those of the viewer's own 包抓
    enterprises). The same Qs count the figures and pick the queue's rows."""
    visible = Case.objects.visible_to(user)
    if kind == "enterprise":
        return visible, {
            "open": Q(status__in=OPEN_STATUSES),
            "replied": Q(status=Status.REPLIED),
            "closed": Q(status=Status.CLOSED),
        }
    base = visible.filter(status__in=OPEN_STATUSES)
    if kind == "department":
        base = base.filter(lead_department_id=user.department_id)
        return base, {
            "sign": Q(status=Status.DISPATCHED),
            "work": Q(status__in=list(workflow.WORKING | {Status.WAITING})),
            "soon": Q(next_due_at__gte=now, next_due_at__lte=due_at(now, 2)),
            "overdue": Q(next_due_at__lt=now),
        }
    if kind == "dispatch":
        board = board_filters(now)
        filters = {k: board[k] for k in ("new", "unrouted", "overdue", "escalated", "extension")}
        return base, {**filters, "sent_back": Q(status=Status.SENT_BACK)}
    return base, {
        "open": Q(pk__isnull=False),
        "overdue": Q(next_due_at__lt=now),
        "county": Q(escalation_level__gte=EscalationLevel.COUNTY),
        "mine": Q(enterprise_id__in=sorted(scope_for(user).assigned())),
    }


def home_counts(user, kind: str, now) -> dict[str, int]:
    """The home card's figures in one query (see `home_filters`)."""
    base, filters = home_filters(user, kind, now)
    return base.aggregate(**{k: Count("pk", filter=q) for k, q in filters.items()})


def home_queue(user, kind: str, now, keys: tuple[str, ...], *, limit: int = 8, escalated_first: bool = False):
    """The first cases of a home page's queue: the rows of the figures `keys`, the nearest
    deadline first (past ones on top); `escalated_first` puts the highest 调度 level first."""
    base, filters = home_filters(user, kind, now)
    q = Q(pk__in=[])
    for k in keys:
        q |= filters[k]
    order = [Col("next_due_at").asc(nulls_last=True), "id"]
    if escalated_first:
        order.insert(0, "-escalation_level")
    return first_rows(base.filter(q).with_rag(now).select_related(*LIST_RELATED).order_by(*order), limit)


def first_rows(qs, n: int) -> list:
    """The first `n` rows of an ordered case queryset in two steps: their ids, ordered, from the
    case rows alone (no join, no annotation but what the order needs), then those rows with
    their joins and annotations. In one step PostgreSQL joins every open case of a province to
    its enterprise, region and department before the LIMIT (≈ 100 ms each, bench/RESULTS.md)."""
    ids = list(qs.values_list("pk", flat=True)[:n])
    by_pk = {c.pk: c for c in qs.order_by().filter(pk__in=ids)}
    return [by_pk[i] for i in ids if i in by_pk]


# --- what points at a region or a department (core.references: refused deactivation) ---------


def region_uses(region) -> list[tuple[str, int]]:
    from django.utils.translation import gettext

    from .models import RoutingRule

    return [
        (gettext("未办结的诉求"), Case.objects.filter(region=region, status__in=OPEN_STATUSES).count()),
        (gettext("启用的分拨规则"), RoutingRule.objects.filter(region=region, is_active=True).count()),
    ]


def department_uses(department) -> list[tuple[str, int]]:
    from django.utils.translation import gettext

    from .models import CaseDepartment, RoutingRule

    rules = RoutingRule.objects.filter(is_active=True).filter(
        Q(lead_department=department) | Q(assisting_departments=department)
    )
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(lead_department=department)
        | Exists(CaseDepartment.objects.filter(case=OuterRef("pk"), department=department, active=True))
    )
    return [
        (gettext("未办结的诉求"), open_cases.count()),
        (gettext("启用的分拨规则"), rules.distinct().count()),
    ]


# --- what an enterprise sees of its case ---------------------------------------------------------
# The enterprise's view of its case is a public timeline: what was received, which department is
# handling it, progress messages addressed to it, the answer, the due dates, the rating. Each
# event of a case (apps.EVENT_LABELS) is either public — listed here with the only change keys
# the enterprise is shown — or internal (INTERNAL_EVENTS: send-back reasons, extension requests,
# supervision, escalation, meetings, reminders …). Nothing else of an audit entry is shown: no
# message, no IP address, no official's name (the department acts). Comments are shown when
# addressed to the enterprise (core.Comment.visibility). tests/cases/test_enterprise_view.py
# walks every event and fails on one that is in neither table.
PUBLIC_EVENTS: dict[str, tuple[str, ...]] = {
    "submitted": ("channel",),
    "accepted": ("category",),
    "refused": ("refuse_reason",),
    "dispatched": ("lead_department", gettext_noop("协办部门")),
    "signed": (gettext_noop("签收部门"),),
    "progress": (gettext_noop("办理进展"),),
    "paused": (gettext_noop("需企业补充"),),
    "resumed": ("reply_due_at",),
    "replied": ("reply", "resolved"),
    "followed_up": ("satisfaction", "enterprise_solved"),
    "reopened": ("satisfaction", "enterprise_solved"),
    "closed": (),
    "merged": (gettext_noop("合并至"),),
    "merged_from": (gettext_noop("合并自"),),
    "withdrawn": (gettext_noop("撤回原因"),),
    "extension_approved": ("reply_due_at",),
    "deadlines_recomputed": ("accept_due_at", "reply_due_at"),
}
INTERNAL_EVENTS = frozenset(
    {
        "sent_back",
        "extension_requested",
        "extension_rejected",
        "beyond_local",
        "escalated",
        "problem_case",
        "meeting_held",
        "meeting_scheduled",
        # a coordination meeting's own events (cases.CoordinationSession): not events of a case
        "coordination_scheduled",
        "coordination_held",
        "coordination_cancelled",
        "supervised",
        "supervision_answered",
        "deadline_missed",
        "reminded",
        "routing_rule_saved",
        "routing_rule_deleted",
        # a correction's reason and old values are the office's (the enterprise sees the case as
        # it now stands); a hand-over of the responsible leader names officials
        "corrected",
        "leader_handed_over",
        # configuration (categories, SLA schemes): not events of a case
        "category_created",
        "category_saved",
        "category_enabled",
        "category_disabled",
        "sla_policy_created",
        "sla_policy_saved",
        "sla_policy_enabled",
        "sla_policy_disabled",
        "sla_scheme_activated",
        # core's events on a case: comments come from the comments themselves (visibility);
        # attachments are listed with the case's files
        "comment_added",
        "attachment_added",
    }
)


@dataclass(frozen=True)
class PublicItem:
    """One line of the enterprise's timeline: an event with its public changes, or a comment."""

    at: dt.datetime
    kind: str  # "event" | "comment"
    event: str
    by: str
    changes: dict
    body: str = ""
    object_type: str = "cases.case"  # for core_tags.change_rows (labels of the change keys)


def _public_by(user) -> str:
    """Who acted, as the enterprise is told: the enterprise's own people by name, an official by
    department (never a name), the platform as 系统."""
    if user is None:
        return gettext("系统")
    if user.role == Role.ENTERPRISE:
        return user.display_name
    if user.department_id:
        return user.department.short_name or user.department.name
    return gettext("政府工作人员")


def public_timeline(case: Case) -> list[PublicItem]:
    """The enterprise's view of `case`'s history, oldest first (see PUBLIC_EVENTS)."""
    from django.contrib.contenttypes.models import ContentType

    from zhuqi.core.audit import object_type_of
    from zhuqi.core.models import AuditEntry, Comment

    items = []
    entries = (
        AuditEntry.objects.filter(
            object_type=object_type_of(case), object_id=str(case.pk), event__in=list(PUBLIC_EVENTS)
        )
        .exclude(action="update")
        .select_related("actor", "actor__department")
        .order_by("id")
    )
    for e in entries:
        keys = PUBLIC_EVENTS[e.event]
        changes = {k: v for k, v in (e.changes or {}).items() if k in keys}
        items.append(PublicItem(e.at, "event", e.event, _public_by(e.actor), changes))
    comments = Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(Case),
        object_id=str(case.pk),
        visibility=Comment.Visibility.PUBLIC,
    ).select_related("created_by", "created_by__department")
    for c in comments:
        items.append(
            PublicItem(c.created_at, "comment", "comment_added", _public_by(c.created_by), {}, c.body)
        )
    items.sort(key=lambda i: i.at)
    return items


# the deadlines an enterprise is promised (acceptance, the reply); the internal clocks
# (dispatch, sign, progress, follow-up, close) stay with the officials
ENTERPRISE_CLOCKS = (("accept_due_at", gettext_lazy("受理期限")), ("reply_due_at", gettext_lazy("答复期限")))
ENTERPRISE_CLOCK_KINDS = ("accept", "reply")


def enterprise_dues(case: Case) -> list[tuple[str, object]]:
    return [(label, getattr(case, field)) for field, label in ENTERPRISE_CLOCKS if getattr(case, field)]


# --- 协调会: the county leader's queue ------------------------------------------------------------
def coordination_waiting_q() -> Q:
    """An open case at 四级调度 level 3 or 4 that waits for a coordination meeting (协调会): no
    meeting has decided on it since it was last escalated (a case raised again to the leading
    group waits again), and it is not on the agenda of a meeting already scheduled."""
    decided = CoordinationMeeting.objects.filter(
        case=OuterRef("pk"), recorded_at__gte=OuterRef("escalated_at")
    )
    booked = CoordinationSession.cases.through.objects.filter(
        case=OuterRef("pk"), coordinationsession__status=CoordinationSession.Status.SCHEDULED
    )
    return (
        Q(status__in=OPEN_STATUSES, escalation_level__gte=EscalationLevel.COUNTY)
        & ~Q(Exists(decided))
        & ~Q(Exists(booked))
    )


def coordination_queue(user, now=None):
    """The cases of the viewer's scope waiting for a 协调会, most urgent first: the leading group's
    (level 4) before the county's, 重大复杂 before 一般, then the nearest (or longest missed)
    deadline, then the longest waiting since escalation. Each row carries the reason of its last
    escalation (`escalation_reason`)."""
    last = Escalation.objects.filter(case=OuterRef("pk")).order_by("-at", "-id")
    return (
        Case.objects.visible_to(user)
        .filter(coordination_waiting_q())
        .with_rag(now)
        .select_related(*LIST_RELATED)
        .annotate(
            escalation_reason=Subquery(last.values("reason")[:1]),
            urgent_rank=DbCase(When(urgency=Urgency.MAJOR, then=Value(0)), default=Value(1)),
        )
        .order_by(
            "-escalation_level",
            "urgent_rank",
            Col("next_due_at").asc(nulls_last=True),
            Col("escalated_at").asc(nulls_first=True),
            "id",
        )
    )


def coordination_sessions(user, status: str | None = None):
    """The 协调会 of the viewer's scope, with their number of cases."""
    qs = CoordinationSession.objects.visible_to(user).select_related("convener", "region")
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(n_cases=Count("cases", distinct=True))

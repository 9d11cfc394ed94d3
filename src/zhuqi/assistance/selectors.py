"""Reads of the assistance app (scoped)."""

from __future__ import annotations

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuqi.core.params import parse_int
from zhuqi.enterprises.models import Enterprise

from .models import (
    Assignment,
    AssignmentRole,
    AssistancePlan,
    LoadLimit,
    Meeting,
    PlanMeasure,
    Visit,
    VisitRule,
)


def assigned_enterprises(user):
    """Scope hook for core: (id, region path) of the enterprises a user currently looks after,
    or None for nobody. Core asks this hook so that it never reaches into enterprises itself."""
    if not getattr(user, "pk", None):
        return None
    return (
        Enterprise.objects.filter(assignments__user=user, assignments__ended_on__isnull=True)
        .values_list("pk", "region_path")
        .distinct()
    )


def responsible_officials(enterprise_ids: list[int]) -> dict[int, list]:
    """Hook for core: {enterprise id: [the active officials currently assigned to it this year]}
    in one query (a reminder to report reaches them)."""
    out: dict[int, list] = {}
    rows = Assignment.objects.filter(
        enterprise_id__in=enterprise_ids,
        ended_on__isnull=True,
        year=timezone.localdate().year,
        user__is_active=True,
    ).select_related("user")
    for a in rows:
        if all(u.pk != a.user_id for u in out.get(a.enterprise_id, [])):
            out.setdefault(a.enterprise_id, []).append(a.user)
    return out


def assignment_groups(kind: str, year: int):
    """Grouping hook for core (`core.scope.register_assignment_groups`): the enterprises of each
    包抓 department (the 部门联系责任人's department) or 包抓 leader (the 县级帮扶责任人) in `year`,
    current assignments only, as a values queryset {enterprise_id, kind, group_id, label}."""
    from django.db.models import CharField, F
    from django.db.models import Value as V
    from django.db.models.functions import Coalesce, NullIf

    current = Assignment.objects.filter(year=year, ended_on__isnull=True)
    if kind == "department":
        rows = current.filter(role=AssignmentRole.DEPT_CONTACT, department__isnull=False).annotate(
            group_id=F("department_id"), label=F("department__name")
        )
    elif kind == "leader":
        rows = current.filter(role=AssignmentRole.COUNTY_LEADER).annotate(
            group_id=F("user_id"),
            label=Coalesce(NullIf(F("user__full_name"), V("")), F("user__username")),
        )
    else:
        return None
    return rows.annotate(kind=V(kind, output_field=CharField())).values(
        "enterprise_id", "kind", "group_id", "label"
    )


def my_enterprises(user, year: int | None = None):
    """Enterprises the user currently holds an assignment for (any role), newest year first."""
    year = year or timezone.localdate().year
    ids = Assignment.objects.filter(user=user, ended_on__isnull=True, year=year).values("enterprise_id")
    return Enterprise.objects.visible_to(user).filter(pk__in=ids).select_related("region", "industry")


def current_team(enterprise, year: int | None = None) -> list[dict]:
    """The 五位一体 team of an enterprise for a year: one row per role, holder or None."""
    year = year or timezone.localdate().year
    current = {
        a.role: a
        for a in Assignment.objects.filter(
            enterprise=enterprise, year=year, ended_on__isnull=True
        ).select_related("user", "department")
    }
    return [
        {"role": value, "label": label, "assignment": current.get(value)}
        for value, label in AssignmentRole.choices
    ]


def load_of(user, role: str, year: int) -> int:
    return Assignment.objects.filter(user=user, role=role, year=year, ended_on__isnull=True).count()


def load_warnings(user, role: str, year: int) -> list[str]:
    """Chinese warnings when the official's load in the role is outside its configured range."""
    limit = LoadLimit.objects.filter(role=role).first()
    if limit is None:
        return []
    n = load_of(user, role, year)
    label = AssignmentRole(role).label
    if n > limit.max_count:
        return [
            _("%(display_name)s 已作为%(label)s包抓 %(n)s 户企业，超过上限 %(max_count)s 户")
            % {"display_name": user.display_name, "label": label, "n": n, "max_count": limit.max_count}
        ]
    if n < limit.min_count:
        return [
            _("%(display_name)s 作为%(label)s仅包抓 %(n)s 户企业，少于要求的 %(min_count)s 户")
            % {"display_name": user.display_name, "label": label, "n": n, "min_count": limit.min_count}
        ]
    return []


def load_table(viewer, year: int):
    """Every official's current load per role in the viewer's scope, with limit warnings."""
    limits = {ll.role: ll for ll in LoadLimit.objects.all()}
    rows = (
        Assignment.objects.visible_to(viewer)
        .filter(year=year, ended_on__isnull=True)
        .values("user_id", "user__full_name", "user__username", "role")
        .annotate(n=Count("id"))
        .order_by("role", "-n", "user__full_name")
    )
    out = []
    for r in rows:
        limit = limits.get(r["role"])
        status = ""
        if limit and r["n"] > limit.max_count:
            status = "over"
        elif limit and r["n"] < limit.min_count:
            status = "under"
        out.append(
            {
                "user_id": r["user_id"],
                "name": r["user__full_name"] or r["user__username"],
                "role": r["role"],
                "role_label": AssignmentRole(r["role"]).label,
                "n": r["n"],
                "limit": limit,
                "status": status,
            }
        )
    return out


def held_assignments(user, year: int | None = None):
    """The user's own current assignments (all years, or one)."""
    qs = Assignment.objects.filter(user=user, ended_on__isnull=True)
    return qs.filter(year=year) if year is not None else qs


def visit_stats(user, enterprises) -> dict[int, dict]:
    """Per enterprise: how often `user` visited it and when last."""
    return {
        r["enterprise_id"]: r
        for r in Visit.objects.filter(visitor=user, enterprise__in=enterprises)
        .values("enterprise_id")
        .annotate(n=Count("id"), last=Max("visited_on"))
    }


def visits(user, *, q: str = "", mine: bool = False, kind: str | None = None, enterprise: str = ""):
    """Visits in scope, newest first, with their number of problems; `q` matches the enterprise,
    the visitor or the findings."""
    qs = (
        Visit.objects.visible_to(user)
        .select_related("enterprise", "visitor")
        .annotate(n_problems=Count("problems"))
        .order_by("-visited_on", "-id")
    )
    if q:
        qs = qs.filter(
            Q(enterprise__name__contains=q) | Q(visitor__full_name__contains=q) | Q(findings__contains=q)
        )
    if mine:
        qs = qs.filter(visitor=user)
    if kind in Visit.Kind.values:
        qs = qs.filter(kind=kind)
    if enterprise_id := parse_int(enterprise):
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs


def assignments(user, *, year: int, history: bool = False, q: str = "", role: str | None = None):
    """A year's assignments in scope (current ones only unless `history`); `q` matches the
    enterprise or the official."""
    qs = (
        Assignment.objects.visible_to(user)
        .filter(year=year)
        .select_related("enterprise", "user", "department", "predecessor__user")
    )
    if not history:
        qs = qs.filter(ended_on__isnull=True)
    if q:
        qs = qs.filter(Q(enterprise__name__contains=q) | Q(user__full_name__contains=q))
    if role in AssignmentRole.values:
        qs = qs.filter(role=role)
    return qs


def current_assignments_of(viewer, person):
    """What `person` currently looks after, as far as the viewer sees (a hand-over's list)."""
    return (
        Assignment.objects.visible_to(viewer)
        .filter(user=person, ended_on__isnull=True)
        .select_related("enterprise")
    )


def plans(user, *, year: int, overdue_only: bool = False):
    """A year's plans in scope with their measure counts, those with overdue measures first."""
    today = timezone.localdate()
    qs = (
        AssistancePlan.objects.visible_to(user)
        .filter(year=year)
        .select_related("enterprise")
        .annotate(
            n=Count("measures"),
            done=Count("measures", filter=Q(measures__status=PlanMeasure.Status.DONE)),
            overdue=Count(
                "measures",
                filter=Q(measures__deadline__lt=today) & ~Q(measures__status=PlanMeasure.Status.DONE),
            ),
        )
        .order_by("-overdue", "enterprise__name")
    )
    return qs.filter(overdue__gt=0) if overdue_only else qs


def plan_of(enterprise, year: int) -> AssistancePlan | None:
    return AssistancePlan.objects.filter(enterprise=enterprise, year=year).first()


def meetings(user, *, kind: str | None = None):
    """Meetings in scope, newest first, with their numbers of enterprises and problems."""
    qs = (
        Meeting.objects.visible_to(user)
        .select_related("host")
        .annotate(n_ent=Count("enterprises", distinct=True), n_prob=Count("problems", distinct=True))
        .order_by("-held_on", "-id")
    )
    return qs.filter(kind=kind) if kind in Meeting.Kind.values else qs


def meeting_parts(user, meeting) -> dict:
    """A meeting's enterprises the viewer may see (and how many there were), and its problems."""
    return {
        "enterprises": meeting.enterprises.filter(pk__in=Enterprise.objects.visible_to(user).values("pk")),
        "n_enterprises": meeting.enterprises.count(),
        "problems": meeting.problems.select_related("enterprise"),
    }


def rule_rows() -> list[dict]:
    """One row per assignment role: its visit rule and its load limit (either may be missing)."""
    rules_by_role = {r.role: r for r in VisitRule.objects.all()}
    limits = {ll.role: ll for ll in LoadLimit.objects.all()}
    return [
        {"role": v, "label": label, "rule": rules_by_role.get(v), "limit": limits.get(v)}
        for v, label in AssignmentRole.choices
    ]


def rule_history(limit: int = 50):
    """The newest changes of the visit rules and load limits (row diffs and the services' events),
    for the history under the rules page. The rules are county-wide settings of the platform."""
    from zhuqi.core.models import AuditEntry

    types = ["assistance.visitrule", "assistance.loadlimit"]
    return list(AuditEntry.objects.filter(object_type__in=types).order_by("-id")[:limit])


def compliance_rows(user, start, end, *, person=None, enterprise=None):
    """Visit compliance of the assignments in the viewer's scope (of one official or one
    enterprise) for the period start..end."""
    from . import compliance

    qs = Assignment.objects.visible_to(user)
    if person is not None:
        qs = qs.filter(user=person)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return compliance.compute(qs, start, end)

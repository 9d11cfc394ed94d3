"""Data scope: the one mechanism that limits what each user sees.

Every list, detail, export, API response and count starts from `Model.objects.visible_to(user)`.
A model declares its scope by a static `scope_q(user) -> Q` built from the helpers of `Scope`:
the viewer's Region subtree, their Department, their Assignments, or — for an enterprise user —
their own enterprise. Outside scope is indistinguishable from "does not exist": 404.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from .roles import REGION_SCOPED_ROLES, Role

if TYPE_CHECKING:
    from .models import User

NOTHING = Q(pk__in=[])


# Later apps register how "assigned enterprises" are found, without core importing them.
_assigned_enterprise_hooks: list[Callable[[Any], Iterable[tuple[int, str]] | None]] = []


_assignment_generation = 0


def register_assigned_enterprises(hook: Callable[[Any], Iterable[tuple[int, str]] | None]) -> None:
    """`hook(user)` returns (enterprise id, region path) rows of the user's assigned enterprises
    (one query), or None. The app that owns assignments registers it from its `ready()`."""
    if hook not in _assigned_enterprise_hooks:
        _assigned_enterprise_hooks.append(hook)


#: hooks naming the officials who currently look after enterprises (包抓), reverse of the above
_responsible_hooks: list[Callable[[list[int]], dict[int, list]]] = []


def register_responsible_officials(hook: Callable[[list[int]], dict[int, list]]) -> None:
    """`hook(enterprise_ids)` returns {enterprise id: [user, …]}: the officials currently
    assigned to each (one query). Registered by the app that owns assignments; read through
    `responsible_officials` by modules that must reach them (a reminder to report)."""
    if hook not in _responsible_hooks:
        _responsible_hooks.append(hook)


def responsible_officials(enterprise_ids: Iterable[int]) -> dict[int, list]:
    """{enterprise id: [the officials currently assigned to it]} from every registered hook."""
    ids = list(enterprise_ids)
    out: dict[int, list] = {}
    for hook in _responsible_hooks:
        for ent_id, users in hook(ids).items():
            out.setdefault(ent_id, []).extend(users)
    return out


# How enterprises are grouped by their 包抓 department or 包抓 leader (for indicators' figures),
# registered by the app that owns assignments, so core and its peers never import it.
_assignment_group_hooks: list[Callable[[str, int], Any]] = []

#: the kinds of assignment group `assignment_groups` answers for
GROUP_KINDS = ("department", "leader")


def register_assignment_groups(hook: Callable[[str, int], Any]) -> None:
    """`hook(kind, year)` returns a values() queryset of rows {enterprise_id, kind, group_id,
    label}: the enterprises of each 包抓 department (`kind` "department", group_id a Department
    pk) or 包抓 leader ("leader", a User pk) in `year`, one current group per enterprise and kind.
    It stays a queryset so figures join it in SQL (`.filter(group_id=…).values("enterprise_id")`
    as a subquery). The app that owns assignments registers it from its `ready()`."""
    if hook not in _assignment_group_hooks:
        _assignment_group_hooks.append(hook)


def assignment_groups(kind: str, year: int):
    """The registered grouping of enterprises by `kind` in `year` (a values queryset, see
    `register_assignment_groups`), or None when no app provides one."""
    if kind not in GROUP_KINDS:
        raise ValueError(kind)
    for hook in _assignment_group_hooks:
        rows = hook(kind, year)
        if rows is not None:
            return rows
    return None


def assignments_changed(**_kwargs) -> None:
    """Called (as a signal receiver too) whenever assignments change: a Scope computed before
    re-reads the assigned enterprises the next time it is asked."""
    global _assignment_generation
    _assignment_generation += 1


class Scope:
    """What one user may see, as Q objects over whatever field a model names."""

    def __init__(self, user: User | Any):
        self.user = user
        self.authenticated = bool(user and user.is_authenticated and user.is_active)
        self.role = getattr(user, "role", None) if self.authenticated else None
        self.is_admin = self.authenticated and (user.is_superuser or self.role == Role.ADMIN)
        self.region_path = self._region_path()

    def _region_path(self) -> str | None:
        if not self.authenticated:
            return None
        region = getattr(self.user, "region", None)
        department = getattr(self.user, "department", None)
        if region is None and department is not None:
            region = department.region
        return region.path if region is not None else None

    @property
    def is_enterprise_user(self) -> bool:
        return self.role == Role.ENTERPRISE

    def region_q(self, field: str) -> Q:
        """Rows whose region path (`field` ends in `path`) lies in the viewer's subtree."""
        if self.is_admin:
            return Q()
        if not self.authenticated or self.is_enterprise_user or not self.region_path:
            return NOTHING
        return Q(**{f"{field}__startswith": self.region_path})

    def department_q(self, field: str) -> Q:
        """Rows belonging to the viewer's own department (`field` is a Department FK)."""
        if self.is_admin:
            return Q()
        dept_id = getattr(self.user, "department_id", None) if self.authenticated else None
        return Q(**{field: dept_id}) if dept_id else NOTHING

    def enterprise_q(self, prefix: str = "", path_field: str = "") -> Q:
        """Rows about enterprises the viewer may see; `prefix` leads to the Enterprise
        (e.g. `enterprise__`), empty for Enterprise itself. `path_field` names a region path
        copied onto the row itself (a case's `region_path`), used instead of the join."""
        if self.is_admin:
            return Q()
        if not self.authenticated:
            return NOTHING
        if self.is_enterprise_user:
            ent_id = _own_enterprise_id(self.user)
            return Q(**{f"{prefix}pk": ent_id}) if ent_id else NOTHING
        q = NOTHING
        in_region = self.role in REGION_SCOPED_ROLES and bool(self.region_path)
        if in_region:
            q = Q(**{f"{path_field or prefix + 'region_path'}__startswith": self.region_path})
        extra = self.assigned_outside_region(in_region)
        if extra:
            q |= Q(**{f"{prefix}pk__in": extra})
        return q

    def assigned(self) -> dict[int, str]:
        """The viewer's assigned enterprises (from the hooks), id → region path. Computed in one
        query once per user object (so once per request), again after assignments change."""
        if getattr(self, "_assigned_generation", None) != _assignment_generation:
            found: dict[int, str] = {}
            hooks = [h(self.user) for h in _assigned_enterprise_hooks] if self.authenticated else []
            for rows in hooks:
                if rows is not None:
                    found.update(rows)
            self._assigned = found
            self._assigned_generation = _assignment_generation
        return self._assigned

    def assigned_outside_region(self, in_region: bool) -> list[int]:
        """Assigned enterprises the region part of the scope does not already cover: usually
        none, so scope stays one indexed prefix match."""
        return sorted(
            pk
            for pk, path in self.assigned().items()
            if not (in_region and self.region_path and path.startswith(self.region_path))
        )

    def user_q(self) -> Q:
        if self.is_admin:
            return Q()
        if not self.authenticated:
            return NOTHING
        if self.is_enterprise_user or not self.region_path:
            return Q(pk=self.user.pk)
        return Q(region__path__startswith=self.region_path) | Q(pk=self.user.pk)


def _own_enterprise_id(user) -> int | None:
    if hasattr(user, "_own_enterprise_id"):
        return user._own_enterprise_id
    membership = getattr(user, "enterprise_membership", None)
    value = membership.enterprise_id if membership is not None else None
    user._own_enterprise_id = value
    return value


def scope_for(user) -> Scope:
    """The Scope of `user`, computed once per user object."""
    cached = getattr(user, "_zhuqi_scope", None)
    if cached is None:
        cached = Scope(user)
        with contextlib.suppress(AttributeError):
            user._zhuqi_scope = cached
    return cached


class ScopedQuerySet(models.QuerySet):
    """A QuerySet with `visible_to(user)`; the model supplies `scope_q(user)`."""

    def visible_to(self, user) -> ScopedQuerySet:
        return self.filter(self.model.scope_q(user))

    def get_visible_or_404(self, user, **lookup):
        try:
            return self.visible_to(user).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc


def require_visible(actor, field: str, *objs) -> None:
    """A service's check of the rows a write refers to (a person, a department, an enterprise):
    each must be visible to `actor`, else the write is refused with a ValidationError naming
    `field` and saying the row does not exist, the same whether it is missing or outside scope.
    The pages and the API narrow their choices to the scope already (core.api.VisibleRef,
    forms' querysets); this keeps every other caller (imports, commands, other services) honest."""
    for obj in objs:
        if obj is None:
            continue
        if not type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists():
            raise ValidationError({field: gettext("所选的记录不存在")})

"""What still points at a region or a department, before it is deactivated.

Core counts its own rows (sub-regions, departments, people); the apps that keep rows pointing at
a region or a department register a counter from their `ready()` (cases: open cases and routing
rules; enterprises: enterprises), so core never imports them:

    references.register("region", lambda region: [(gettext("未办结的诉求"), n)])

`uses_of(kind, obj)` returns the non-zero counts, each with its label, for the page and the
refusal message alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.utils.translation import gettext as _


class Use(NamedTuple):
    label: str
    total: int


Counter = Callable[[object], Iterable[tuple[str, int]]]
_counters: dict[str, list[Counter]] = {"region": [], "department": []}


def register(kind: str, counter: Counter) -> None:
    """Add a counter for `kind` ("region" or "department"); registering twice is harmless."""
    if counter not in _counters[kind]:
        _counters[kind].append(counter)


def _core_region(region) -> list[tuple[str, int]]:
    from .models import Department, Region, User

    return [
        (_("启用的下级区划"), Region.objects.filter(parent=region, is_active=True).count()),
        (_("启用的部门"), Department.objects.filter(region=region, is_active=True).count()),
        (_("在职人员"), User.objects.filter(region=region, is_active=True).count()),
    ]


def _core_department(department) -> list[tuple[str, int]]:
    from .models import User

    return [(_("在职人员"), User.objects.filter(department=department, is_active=True).count())]


register("region", _core_region)
register("department", _core_department)


def uses_of(kind: str, obj) -> list[Use]:
    """The non-zero counts of what still points at `obj`."""
    return [Use(str(label), n) for counter in _counters[kind] for label, n in counter(obj) if n]


def describe(uses: list[Use]) -> str:
    return "、".join(_("%(label)s：%(count)s") % {"label": u.label, "count": u.total} for u in uses)

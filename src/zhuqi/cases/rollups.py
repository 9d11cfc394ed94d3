"""诉求年度汇总 (cases-figures.md §Rollup): per (year submitted, region path), the cases received,
accepted and closed, so the cockpit's 办结率 and 今年受理 of a city or the province add a few
hundred rows instead of counting every case of the year (bench/RESULTS.md). The pattern of
`indicators/rollups.py` (development.md §9):

* Every save or delete of a case marks its (year, region path) stale (`mark_saved`, a
  post_save / post_delete signal, in the writer's transaction); a service that moves a case to
  another region marks the old path too (`mark_stale`). The case sweep (`sweep.sweep`, and
  `refresh` on its own) rebuilds the stale pairs, or everything when no full build was ever
  made (after the migration, after the generator's bulk load).
* A figure reads the rollup of a region's subtree only when a full build exists and no pair of
  the years read under the subtree is marked (`fresh`), and only for a viewer who sees every
  case of the subtree (the administrator, an official of a region above it); else it counts
  the cases — the same numbers either way (tests/cases/test_rollups.py).
* A region moved elsewhere carries its rollup rows and marks with it (`core.services._repath`
  rewrites every `region_path`). The sweep's own UPDATEs (missed clocks, escalation levels)
  change nothing counted here.
* Concurrency (PostgreSQL, READ COMMITTED), as in indicators/rollups.py: writers upsert their
  mark (an existing one is updated and stays locked until the writer commits); the refresh
  locks and deletes the marks first, then counts the cases in a later statement — a writer
  still open makes it wait; a writer marking after the delete leaves a new mark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from zhuqi.core import rollups as core_rollups

from .models import Case, CaseCount, CaseCountBuild, CaseCountStale

Pair = tuple[int, str]  # (year, region path)


def year_of(when: dt.datetime | None) -> int | None:
    if when is None:
        return None
    from zhuqi.core.workcalendar import SHANGHAI

    return when.astimezone(SHANGHAI).year if timezone.is_aware(when) else when.year


def mark_stale(pairs: Iterable[Pair]) -> None:
    """Mark (year, region path) pairs changed (inside the writing transaction)."""
    core_rollups.mark_stale(CaseCountStale, pairs)


def mark_saved(sender, instance: Case, **kwargs) -> None:
    """post_save / post_delete of a case: its pair is stale."""
    year = year_of(instance.submitted_at)
    if year is not None:
        mark_stale([(year, instance.region_path or "")])


def _counts():
    from .figures import ACCEPTED, CLOSED

    return {
        "received": Count("pk"),
        "accepted": Count("pk", filter=ACCEPTED),
        "closed": Count("pk", filter=CLOSED),
    }


FIELDS = ["received", "accepted", "closed"]


def _year_q(years: Iterable[int]) -> Q:
    from zhuqi.core.workcalendar import SHANGHAI

    q = Q(pk__in=[])
    for y in sorted(set(years)):
        q |= Q(
            submitted_at__gte=dt.datetime(y, 1, 1, tzinfo=SHANGHAI),
            submitted_at__lt=dt.datetime(y + 1, 1, 1, tzinfo=SHANGHAI),
        )
    return q


def _pairs_q(pairs: Iterable[Pair]) -> Q:
    return core_rollups.by_year_q(pairs, lambda y, paths: _year_q([y]) & Q(region_path__in=paths))


def _insert(cases) -> None:
    """INSERT … SELECT the counts of `cases` grouped by (year, region path)."""
    from zhuqi.core.workcalendar import SHANGHAI

    select = (
        cases.filter(submitted_at__isnull=False)
        .annotate(y=ExtractYear("submitted_at", tzinfo=SHANGHAI))
        .values("y", "region_path")
        .annotate(**_counts())
        .values_list("y", "region_path", *FIELDS)
        .order_by()
    )
    core_rollups.insert_select(CaseCount, ["year", "region_path", *FIELDS], select)


def refresh(*, everything: bool = False, batch: int = 500) -> int:
    """Rebuild the stale pairs (`batch` per transaction), or everything (`everything`, or when no
    full build was ever made); returns the pairs rebuilt (every row, for a full build). One
    refresh at a time (an advisory lock on PostgreSQL; a second caller returns 0)."""

    def rebuild_all() -> int:
        core_rollups.delete(CaseCount.objects.all())
        _insert(Case.objects.all())
        return CaseCount.objects.count()

    def rebuild(todo: list[Pair]) -> None:
        core_rollups.delete(CaseCount.objects.filter(core_rollups.pairs_q(todo)))
        _insert(Case.objects.filter(_pairs_q(todo)))

    return core_rollups.refresh(
        lock="zhuqi.cases.rollups",
        stale_model=CaseCountStale,
        build_model=CaseCountBuild,
        rebuild_all=rebuild_all,
        rebuild=rebuild,
        everything=everything,
        batch=batch,
    )


def fresh(path: str, first_year: int) -> bool:
    """Whether the rollup may be read for the subtree `path` and the years from `first_year` on:
    built, and no pair of those years under the subtree marked since."""
    if not CaseCountBuild.objects.exists():
        return False
    return not CaseCountStale.objects.filter(year__gte=first_year, region_path__startswith=path).exists()


def readable_by(user, path: str) -> bool:
    """Whether `user` sees every case of the subtree `path` (the rollup has no scope): the
    administrator, or an official whose region contains it and who sees the cases of their
    region (`Case.scope_q`; a department's staff see their department's cases only)."""
    from zhuqi.core.roles import DEPARTMENT_ROLES, REGION_SCOPED_ROLES
    from zhuqi.core.scope import scope_for

    s = scope_for(user)
    if s.is_admin:
        return True
    if s.role in DEPARTMENT_ROLES or s.role not in REGION_SCOPED_ROLES:
        return False
    return bool(s.region_path) and path.startswith(s.region_path)


def totals(user, path: str, first_year: int) -> dict | None:
    """{received, accepted, closed} of the cases submitted from `first_year` on under `path`, from
    the rollup, or None where it may not be read (then count the cases)."""
    if not readable_by(user, path) or not fresh(path, first_year):
        return None
    row = CaseCount.objects.filter(year__gte=first_year, region_path__startswith=path).aggregate(
        **{f: Sum(f) for f in FIELDS}
    )
    return {f: row[f] or 0 for f in FIELDS}


def by_path(user, path: str, first_year: int) -> list[tuple[str, int, int]] | None:
    """(region path, accepted, closed) of the cases submitted from `first_year` on under `path`,
    one row per path, from the rollup; None where it may not be read."""
    if not readable_by(user, path) or not fresh(path, first_year):
        return None
    return list(
        CaseCount.objects.filter(year__gte=first_year, region_path__startswith=path)
        .values("region_path")
        .annotate(a=Sum("accepted"), c=Sum("closed"))
        .values_list("region_path", "a", "c")
        .order_by()
    )

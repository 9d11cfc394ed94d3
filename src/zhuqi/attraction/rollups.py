"""招商年度汇总 (attraction-figures.md §Rollup): per (year registered, region path) the leads
registered, signed and turned into projects (`LeadCount`), and per (year, month, region path)
the 省外到位资金 the 台账 counts (`FundSum`), so the cockpit's attraction section of a city or the
province adds a few hundred rows instead of probing every lead of the year (bench/RESULTS.md).
The pattern of `cases/rollups.py` (development.md §9):

* A (year, region path) is marked stale (`LeadCountStale`, in the writer's transaction) by every
  save or delete of a lead (its year registered), of a stage change or a fund month (the lead's
  year registered, and the fund month's own year); a correction that moves a lead or changes its
  registration day marks the old pair (`services.update_lead`); a 关账 / 重新开账 marks the year
  for every lead path under the region (what counts may change); a project deleted marks its
  lead's pair (Lead.project is set to NULL without a save); a change to the stages themselves
  drops the full build (everything is rebuilt).
* The attraction sweep (`tasks.sweep`, and `refresh` on its own) rebuilds the marked pairs, or
  everything when no full build exists (after the migration, the generator's bulk load).
* A figure reads the rollup of a subtree only for a viewer who sees every lead under it (the
  administrator, an official of a region above it: `Lead.scope_q`), when a full build exists, no
  pair of the year under the subtree is marked, and no lead counted was registered after the
  day read (`last_registered`) — else it counts the rows: the same numbers either way
  (tests/attraction/test_rollups.py).
* A region moved elsewhere carries its rows and marks with it (`core.services._repath`).
* Concurrency as in cases/rollups.py: writers upsert their mark; the refresh locks and deletes the
  marks first, then counts in a later statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear

from zhuqi.core import rollups as core_rollups

from .models import FundMonth, FundSum, Lead, LeadCount, LeadCountBuild, LeadCountStale

Pair = tuple[int, str]  # (year, region path)


def mark_stale(pairs: Iterable[Pair]) -> None:
    """Mark (year, region path) pairs changed (inside the writing transaction); a lead without
    a registration day (year 0) counts nowhere."""
    core_rollups.mark_stale(LeadCountStale, [(y, p) for y, p in pairs if y])


def _lead_pair(lead) -> Pair:
    return (lead.registered_on.year if lead.registered_on else 0, lead.region_path or "")


def lead_pairs(lead) -> list[Pair]:
    """Every pair a lead's rows count in at its present path: its year registered and the years
    of its fund months (a correction marks these before and after the move)."""
    years = set(FundMonth.objects.filter(lead=lead.pk).values_list("year", flat=True).distinct().order_by())
    year, path = _lead_pair(lead)
    return [(year, path)] + [(y, path) for y in sorted(years)]


def lead_saved(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a lead: its pair is stale."""
    mark_stale([_lead_pair(instance)])


def change_saved(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a stage change: its lead's pair."""
    row = Lead.objects.filter(pk=instance.lead_id).values_list("registered_on", "region_path").first()
    if row is not None:
        mark_stale([(row[0].year if row[0] else 0, row[1] or "")])


def fund_saved(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a fund month: the fund's year under its lead's path."""
    path = Lead.objects.filter(pk=instance.lead_id).values_list("region_path", flat=True).first()
    if path is not None:
        mark_stale([(instance.year, path or "")])


def ledger_saved(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a 关账: the year for every lead path under the region."""
    region_path = instance.region.path
    paths = (
        Lead.objects.filter(region_path__startswith=region_path)
        .values_list("region_path", flat=True)
        .distinct()
        .order_by()
    )
    mark_stale([(instance.year, p or "") for p in paths])


def project_deleted(sender, instance, **kwargs) -> None:
    """pre_delete of a project: the lead it came from will lose it without a save."""
    rows = Lead.objects.filter(project=instance.pk).values_list("registered_on", "region_path")
    mark_stale([(d.year if d else 0, p or "") for d, p in rows])


def stages_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a stage: what counts as 签约 may change: rebuild everything."""
    LeadCountBuild.objects.all().delete()


def _insert_counts(leads) -> None:
    from .figures import CONVERTED, reached_q

    select = (
        leads.annotate(y=ExtractYear("registered_on"))
        .values("y", "region_path")
        .annotate(
            registered=Count("pk"),
            signed=Count("pk", filter=reached_q("signed")),
            converted=Count("pk", filter=CONVERTED),
            last=Max("registered_on"),
        )
        .values_list("y", "region_path", "registered", "signed", "converted", "last")
        .order_by()
    )
    core_rollups.insert_select(
        LeadCount, ["year", "region_path", "registered", "signed", "converted", "last_registered"], select
    )


def _insert_funds(funds) -> None:
    from .figures import counted_q

    select = (
        funds.filter(counted_q(), recognised=True)
        .values("year", "month", "lead__region_path")
        .annotate(s=Sum("amount"))
        .values_list("year", "month", "lead__region_path", "s")
        .order_by()
    )
    core_rollups.insert_select(FundSum, ["year", "month", "region_path", "amount"], select)


def _lead_pairs_q(pairs: Iterable[Pair]) -> Q:
    return core_rollups.by_year_q(
        pairs,
        lambda y, paths: (
            Q(registered_on__gte=dt.date(y, 1, 1), registered_on__lte=dt.date(y, 12, 31))
            & Q(region_path__in=paths)
        ),
    )


def _fund_pairs_q(pairs: Iterable[Pair]) -> Q:
    return core_rollups.by_year_q(pairs, lambda y, paths: Q(year=y, lead__region_path__in=paths))


def refresh(*, everything: bool = False, batch: int = 500) -> int:
    """Rebuild the stale pairs (`batch` per transaction), or everything (`everything`, or when no
    full build exists); returns the pairs rebuilt (the rows written, for a full build). One
    refresh at a time (an advisory lock on PostgreSQL; a second caller returns 0)."""

    def rebuild_all() -> int:
        core_rollups.delete(LeadCount.objects.all())
        core_rollups.delete(FundSum.objects.all())
        _insert_counts(Lead.objects.filter(registered_on__isnull=False))
        _insert_funds(FundMonth.objects.all())
        return LeadCount.objects.count() + FundSum.objects.count()

    def rebuild(todo: list[Pair]) -> None:
        core_rollups.delete(LeadCount.objects.filter(core_rollups.pairs_q(todo)))
        core_rollups.delete(FundSum.objects.filter(core_rollups.pairs_q(todo)))
        _insert_counts(Lead.objects.filter(_lead_pairs_q(todo)))
        _insert_funds(FundMonth.objects.filter(_fund_pairs_q(todo)))

    return core_rollups.refresh(
        lock="zhuqi.attraction.rollups",
        stale_model=LeadCountStale,
        build_model=LeadCountBuild,
        rebuild_all=rebuild_all,
        rebuild=rebuild,
        everything=everything,
        batch=batch,
    )


def fresh(path: str, year: int) -> bool:
    """Whether the rollup may be read for the subtree `path` and `year`: built, and no pair of
    the year under the subtree marked since."""
    if not LeadCountBuild.objects.exists():
        return False
    return not LeadCountStale.objects.filter(year=year, region_path__startswith=path).exists()


def readable_by(user, path: str) -> bool:
    """Whether `user` sees every lead of the subtree `path` (the rollup has no scope): the
    administrator, or an official whose region contains it (`Lead.scope_q`; a department's
    招商 team sees its own team's leads only)."""
    from zhuqi.core.roles import DEPARTMENT_ROLES, REGION_SCOPED_ROLES
    from zhuqi.core.scope import scope_for

    s = scope_for(user)
    if s.is_admin:
        return True
    if not s.authenticated or s.is_enterprise_user:
        return False
    if s.role in DEPARTMENT_ROLES or s.role not in REGION_SCOPED_ROLES:
        return False
    return bool(s.region_path) and path.startswith(s.region_path)


def region_figures(user, path: str, start: dt.date, end: dt.date) -> dict | None:
    """{registered, signed, converted, funds} of `figures.region_figures` from the rollup — the
    leads registered in [start, end] (a whole year's start: 1 January) under `path`, the counted
    fund months of `end`'s year to its month — or None where it may not be read (then count the
    rows)."""
    if start != dt.date(end.year, 1, 1) or not readable_by(user, path) or not fresh(path, end.year):
        return None
    row = LeadCount.objects.filter(year=end.year, region_path__startswith=path).aggregate(
        registered=Sum("registered"),
        signed=Sum("signed"),
        converted=Sum("converted"),
        last=Max("last_registered"),
    )
    if row["last"] is not None and row["last"] > end:
        return None  # leads registered after the day read: the year's counts would include them
    funds = FundSum.objects.filter(
        year=end.year, month__lte=end.month, region_path__startswith=path
    ).aggregate(s=Sum("amount"))["s"]
    return {
        "registered": row["registered"] or 0,
        "signed": row["signed"] or 0,
        "converted": row["converted"] or 0,
        "funds": funds or 0,
    }

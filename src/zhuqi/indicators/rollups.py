"""Indicator rollups (指标汇总): the sums of each (indicator, period)'s enterprise values per
region path, so a city's or the province's dispatch view adds a few thousand rows instead of
every value (indicators-figures.md §Rollups).

* A write of values marks its (indicator, period) pairs stale (`mark_stale`, in the writer's
  transaction); the sweep (`refresh`, celery beat and `zhuqi indicator_rollups`) rebuilds stale
  pairs. A figure reads the rollup only for pairs that are fresh — built once and not marked
  since — and reads the values themselves otherwise, so a figure is never out of date: at worst
  it is as slow as without rollups until the next refresh.
* Two kinds of rows per pair: leaf rows, one per `region_path` the values were reported in (one
  INSERT … SELECT … GROUP BY over the values), and subtree rows, one per path at or above a
  leaf path, with the sums of everything under it (one more INSERT … SELECT over the leaf
  rows). A region's figure reads its one subtree row per pair by exact path.
* Rows of archived enterprises stay in the rollup; the figures subtract them (there are few),
  so archiving needs no refresh.
* A region moved elsewhere: `core.services._repath` rewrites every `region_path` (the moved
  subtree's own rows stay right), and `region_moved` marks stale every pair with a value under
  the moved subtree, in the mover's transaction, so the old and new ancestors' subtree rows are
  not read until the refresh has rebuilt them.
* Correctness under concurrency (PostgreSQL, READ COMMITTED): a writer upserts its marks (an
  existing mark is updated, so the writer holds its row lock until it commits); the refresh
  locks and deletes a pair's marks first and reads the values in a later statement. A writer
  still open when the refresh locks its mark makes the refresh wait for its commit, and the
  read then includes its values; a writer that marks after the delete waits for the refresh to
  commit and leaves a new mark; a mark the delete cannot see yet (inserted, not committed)
  stays. Either way no write is left out of a pair that reads as fresh
  (tests/indicators/test_rollups.py, on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import Rollup, RollupPair, RollupStale, Value, ancestor_paths

Pair = tuple[int, str]  # (indicator id, period code)

#: the same panel (同口径): a value with this year's and last year's cumulative
PANEL = Q(cumulative__isnull=False, last_year_cumulative__isnull=False)

AGGREGATES = {
    "rows": Count("id"),
    "n": Count("cumulative"),
    "total": Sum("cumulative"),
    "pc": Count("id", filter=PANEL),
    "pn": Sum("cumulative", filter=PANEL),
    "pl": Sum("last_year_cumulative", filter=PANEL),
}
FIELDS = list(AGGREGATES)


def mark_stale(pairs: Iterable[Pair]) -> None:
    """Mark pairs written (call inside the writing transaction). An existing mark is updated,
    not skipped: the update locks it until the writer commits, so a refresh cannot delete it in
    between and miss the write (module doc). Sorted, as the refresh locks them: no deadlock."""
    now = timezone.now()
    marks = [RollupStale(indicator_id=i, period=p, marked_at=now) for i, p in sorted(set(pairs))]
    if marks:
        RollupStale.objects.bulk_create(
            marks,
            update_conflicts=True,
            unique_fields=["indicator", "period"],
            update_fields=["marked_at"],
            batch_size=1000,
        )


def _pairs_q(pairs: Iterable[Pair]) -> Q:
    by_indicator: dict[int, set[str]] = {}
    for i, p in pairs:
        by_indicator.setdefault(i, set()).add(p)
    q = Q(pk__in=[])
    for i, periods in by_indicator.items():
        q |= Q(indicator_id=i, period__in=sorted(periods))
    return q


#: the period of the `RollupPair` row (no indicator) that records the last full build
FULL_BUILD = "*"


def fresh(pairs: Iterable[Pair]) -> bool:
    """Whether every pair's rollup may be read: built (by itself, or by a full build when it had
    no values) and not marked since. Two small reads."""
    pairs = set(pairs)
    if not pairs:
        return True
    q = _pairs_q(pairs)
    built = set(
        RollupPair.objects.filter(q | Q(indicator__isnull=True)).values_list("indicator_id", "period")
    )
    if (None, FULL_BUILD) not in built and len(built) < len(pairs):
        return False
    return not RollupStale.objects.filter(q).exists()


def _delete(qs) -> None:
    """One DELETE statement (the audit's delete signal would make Django load each row first;
    these models are exempt from the audit, derived data)."""
    sql, params = qs.values("pk").query.sql_with_params()
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {qn(qs.model._meta.db_table)} WHERE id IN ({sql})", params)


def _rebuild(pairs: list[Pair]) -> None:
    """Delete and rebuild the rollup rows of `pairs`: the leaf rows with one INSERT … SELECT …
    GROUP BY over the values, then the subtree rows from the leaf rows (`_build_subtrees`)."""
    q = _pairs_q(pairs)
    _delete(Rollup.objects.filter(q))
    select = (
        Value.objects.filter(q, enterprise__isnull=False)
        .values("indicator_id", "period", "region_path")
        .annotate(**AGGREGATES)
        .values_list("indicator_id", "period", "region_path", *FIELDS)
        .order_by()
    )
    sql, params = select.query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in ["indicator_id", "period", "region_path", *FIELDS])
    with connection.cursor() as cur:  # leaf rows: `subtree` takes its database default, false
        cur.execute(f"INSERT INTO {qn(Rollup._meta.db_table)} ({columns}) {sql}", params)
    _build_subtrees(q)
    now = timezone.now()
    RollupPair.objects.filter(q).update(refreshed_at=now)
    known = set(RollupPair.objects.filter(q).values_list("indicator_id", "period"))
    RollupPair.objects.bulk_create(
        [RollupPair(indicator_id=i, period=p, refreshed_at=now) for i, p in pairs if (i, p) not in known]
    )


def _build_subtrees(q: Q) -> None:
    """The subtree rows of the pairs `q` from their leaf rows: each leaf row counts in the row of
    its own path and of every path above it. On PostgreSQL one INSERT … SELECT (a leaf row joined
    with the positions of the slashes in its path); elsewhere (SQLite, development) in Python."""
    leaves = Rollup.objects.filter(q, subtree=False)
    qn = connection.ops.quote_name
    table = qn(Rollup._meta.db_table)
    sums = ", ".join(f"SUM(r.{qn(f)})" for f in FIELDS)
    columns = ", ".join(qn(c) for c in ["indicator_id", "period", "region_path", "subtree", *FIELDS])
    if connection.vendor == "postgresql":
        ids, params = leaves.values("pk").query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} ({columns}) "
                f"SELECT r.indicator_id, r.period, left(r.region_path, s.i), true, {sums} "
                f"FROM {table} r CROSS JOIN LATERAL generate_series(1, length(r.region_path)) AS s(i) "
                f"WHERE r.id IN ({ids}) AND substr(r.region_path, s.i, 1) = '/' "
                "GROUP BY r.indicator_id, r.period, left(r.region_path, s.i)",
                params,
            )
        return
    acc: dict[tuple[int, str, str], list] = {}
    for row in leaves.values_list("indicator_id", "period", "region_path", *FIELDS).iterator():
        i, p, path, *nums = row
        for up in ancestor_paths(path):
            a = acc.setdefault((i, p, up), [0, 0, None, 0, None, None])
            for k, x in enumerate(nums):
                if x is not None:
                    a[k] = x if a[k] is None else a[k] + x
    Rollup.objects.bulk_create(
        [
            Rollup(
                indicator_id=i, period=p, region_path=up, subtree=True, **dict(zip(FIELDS, a, strict=True))
            )
            for (i, p, up), a in acc.items()
        ],
        batch_size=1000,
    )


def region_moved(sender, old: str, new: str, **kwargs) -> None:
    """`core.signals.region_moved`, in the mover's transaction: the subtree rows of the old and
    new ancestors no longer hold the moved values, so every pair with an enterprise value under
    the moved subtree (its paths already rewritten) is marked stale — read from the values until
    the refresh rebuilds it, as after a write (module doc)."""
    mark_stale(
        Value.objects.filter(region_path__startswith=new, enterprise__isnull=False)
        .values_list("indicator_id", "period")
        .distinct()
        .order_by()
    )


def refresh(*, everything: bool = False, batch: int = 200, limit: int | None = None) -> int:
    """Rebuild the stale pairs, or every pair that has enterprise values (`everything`, also
    when no full build was ever made: after the migration), most recent periods first, `batch`
    pairs per transaction; returns the pairs rebuilt. One refresh at a time (an advisory lock on
    PostgreSQL; a second caller returns 0)."""
    everything = everything or not RollupPair.objects.filter(indicator__isnull=True).exists()
    todo_all: list[Pair] | None = None
    if everything:  # listed once: a pair first written during the build is marked stale anyway
        todo_all = list(
            Value.objects.filter(enterprise__isnull=False)
            .values_list("indicator_id", "period")
            .distinct()
            .order_by("-period", "indicator_id")
        )
    done = 0
    while limit is None or done < limit:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_try_advisory_xact_lock(hashtext('zhuqi.indicators.rollups'))")
                    if not cur.fetchone()[0]:
                        return done
            if todo_all is not None:
                todo = todo_all[done : done + batch]
            else:
                todo = list(
                    RollupStale.objects.order_by("-period", "indicator_id").values_list(
                        "indicator_id", "period"
                    )[:batch]
                )
            if todo:
                # the marks go first, locked in the writers' order (a writer still open holds
                # its mark: we wait for its commit, then read its values); a write committed
                # after this leaves a mark of its own (module doc)
                marked = RollupStale.objects.filter(_pairs_q(todo)).order_by("indicator_id", "period")
                ids = list(marked.select_for_update().values_list("pk", flat=True))
                if ids:
                    _delete(RollupStale.objects.filter(pk__in=ids))
                _rebuild(todo)
            if todo_all is not None and done + len(todo) >= len(todo_all):
                _delete(RollupPair.objects.filter(indicator__isnull=True))
                RollupPair.objects.create(indicator=None, period=FULL_BUILD, refreshed_at=timezone.now())
        done += len(todo)
        if len(todo) < batch:
            return done
    return done


def mark_saved(sender, instance: Value, **kwargs) -> None:
    """post_save / post_delete of one value (a form's save, a test's row): its pair is stale.
    The services' bulk writes mark theirs themselves (`services._written_pairs`)."""
    if instance.enterprise_id:
        mark_stale([(instance.indicator_id, instance.period)])

"""The mechanism the per-(year, region path) rollups share (cases/rollups.py,
attraction/rollups.py, projects/rollups.py; development.md §9): stale marks upserted by writers, a refresh that locks
and deletes the marks before rebuilding their rows, one refresh at a time, and set-based DELETE /
INSERT … SELECT. Each app keeps what it counts and when its figures may read it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

Pair = tuple[int, str]  # (year, region path)


def mark_stale(stale_model, pairs: Iterable[Pair]) -> None:
    """Mark (year, region path) pairs changed (inside the writing transaction). An existing mark
    is updated, not skipped, so it stays locked until the writer commits; sorted, as the refresh
    locks them."""
    now = timezone.now()
    marks = [stale_model(year=y, region_path=p, marked_at=now) for y, p in sorted(set(pairs))]
    if marks:
        stale_model.objects.bulk_create(
            marks,
            update_conflicts=True,
            unique_fields=["year", "region_path"],
            update_fields=["marked_at"],
        )


def pairs_q(pairs: Iterable[Pair]) -> Q:
    """Rows of exactly these (year, region path) pairs."""
    q = Q(pk__in=[])
    for y, p in pairs:
        q |= Q(year=y, region_path=p)
    return q


def by_year_q(pairs: Iterable[Pair], q_of: Callable[[int, list[str]], Q]) -> Q:
    """The source rows of these (year, region path) pairs, one condition per year: `q_of(year,
    its paths)` (each app says how its rows carry the year and the path)."""
    by_year: dict[int, set[str]] = {}
    for y, p in pairs:
        by_year.setdefault(y, set()).add(p)
    q = Q(pk__in=[])
    for y, paths in sorted(by_year.items()):
        q |= q_of(y, sorted(paths))
    return q


def delete(qs) -> None:
    """DELETE the rows of `qs` in one statement (no objects loaded, no signals)."""
    sql, params = qs.values("pk").query.sql_with_params()
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {qn(qs.model._meta.db_table)} WHERE id IN ({sql})", params)


def insert_select(model, columns: list[str], select) -> None:
    """INSERT INTO `model` (`columns`) the rows the queryset `select` gives, in one statement."""
    sql, params = select.query.sql_with_params()
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {qn(model._meta.db_table)} ({cols}) {sql}", params)


def refresh(
    *,
    lock: str,
    stale_model,
    build_model,
    rebuild_all: Callable[[], int],
    rebuild: Callable[[list[Pair]], None],
    everything: bool = False,
    batch: int = 500,
    build: dict | None = None,
) -> int:
    """Rebuild the stale pairs (`batch` per transaction: `rebuild(pairs)` deletes and re-inserts
    their rows), or everything (`everything`, or when no full build exists: `rebuild_all()`,
    which returns the rows written; `build`: fields of the new build row). Returns the pairs rebuilt (the rows, for a full build). One
    refresh at a time: a PostgreSQL advisory lock named `lock`; a second caller returns 0."""
    done = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [lock])
                    if not cur.fetchone()[0]:
                        return done
            if everything or not build_model.objects.exists():
                # the marks first, locked (a writer still open makes us wait for its commit)
                ids = list(
                    stale_model.objects.order_by("year", "region_path")
                    .select_for_update()
                    .values_list("pk", flat=True)
                )
                if ids:
                    delete(stale_model.objects.filter(pk__in=ids))
                written = rebuild_all()
                delete(build_model.objects.all())
                build_model.objects.create(built_at=timezone.now(), **(build or {}))
                return written
            todo = list(
                stale_model.objects.order_by("year", "region_path").values_list("year", "region_path")[:batch]
            )
            if todo:
                ids = list(
                    stale_model.objects.filter(pairs_q(todo))
                    .order_by("year", "region_path")
                    .select_for_update()
                    .values_list("pk", flat=True)
                )
                if ids:
                    delete(stale_model.objects.filter(pk__in=ids))
                rebuild(todo)
        done += len(todo)
        if len(todo) < batch:
            return done

"""重点项目汇总 (projects-figures.md §Rollup): per (year, report month, region path) the live
projects' year-to-date progress rows summed with their red lights (`ProjectSum`), and per
(region path, stage) the live projects and how many have started (`ProjectStageCount`), so the
cockpit's projects section and the projects card of a city or the province add a few hundred
rows instead of scanning the month's progress rows and every project (bench/RESULTS.md). The
pattern of `cases/rollups.py` (development.md §9):

* A (year, region path) is marked stale (`ProjectSumStale`, in the writer's transaction) when
  the progress rows of a project of that path and year are rewritten
  (`ProjectProgress.objects.rebuild`, which every change of an investment month goes through);
  year 0 — everything of the path, its stage counts and every year — by every save or delete
  of a project (stage, start date, archive and restore, a move: `Project.save` marks the path
  it leaves too). A rebuild of every project's rows drops the full build.
* The projects' periodic job (`tasks.refresh_rollups` every five minutes, the daily
  `tasks.sweep_overdue_approvals` and `zhuqi projects_sweep` at their end) rebuilds the marked
  pairs, or everything when no full build exists (after the migration, the generator's bulk
  load) or it was made under other light thresholds (ZHUQI_LIGHTS).
* A figure reads the rollup of a subtree only for a viewer who sees every project under it
  (the administrator; an official of a region containing it: `Project.scope_q`), when a full
  build under the present thresholds exists and no pair of the year (nor year 0) under the
  subtree is marked — else it reads the rows: the same numbers either way
  (tests/projects/test_rollups.py).
* A region moved elsewhere carries its rows and marks with it (`core.services._repath`).
* Concurrency as in cases/rollups.py: writers upsert their mark; the refresh locks and deletes
  the marks first, then sums in a later statement.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, Sum

from zhuqi.core import rollups as core_rollups

from .models import (
    Project,
    ProjectProgress,
    ProjectStageCount,
    ProjectSum,
    ProjectSumBuild,
    ProjectSumStale,
    Stage,
)

Pair = tuple[int, str]  # (year, region path); year 0: every year of the path and its stages
SUMS = ["planned_year", "planned_ytd", "actual_ytd", "actual_month"]


def lights() -> str:
    """The light thresholds the red counts are made with, as the build row keeps them."""
    from zhuqi.core.progress import light_thresholds

    return ",".join(str(t) for t in light_thresholds())


# --- marking -----------------------------------------------------------------------------------
def mark_stale(pairs: Iterable[Pair]) -> None:
    """Mark (year, region path) pairs changed (inside the writing transaction)."""
    core_rollups.mark_stale(ProjectSumStale, pairs)


def project_saved(sender, instance, raw=False, **kwargs) -> None:
    """post_save / post_delete of a project: everything of its path is stale."""
    mark_stale([(0, instance.region_path or "")])


def project_moving(project) -> None:
    """`Project.save` of a stored project whose region may have changed: the path it leaves."""
    old = Project.all_objects.filter(pk=project.pk).values_list("region_path", flat=True).first()
    if old is not None:
        mark_stale([(0, old or "")])


def progress_rebuilt(project_ids: list[int] | None, years: list[int] | None) -> None:
    """`ProjectProgress.objects.rebuild` of these projects and years (None: all): their pairs."""
    if project_ids is None:
        ProjectSumBuild.objects.all().delete()  # every project's rows: build everything again
        return
    if not project_ids:
        return
    paths = set(
        Project.all_objects.filter(pk__in=project_ids)
        .values_list("region_path", flat=True)
        .distinct()
        .order_by()
    )
    mark_stale([(y, p or "") for p in paths for y in (years if years is not None else [0])])


# --- building ----------------------------------------------------------------------------------
def _red_q() -> Q:
    """The progress rows whose light at their own month is red (`figures.light_q`)."""
    from .figures import light_q

    q = Q(month=1) & light_q("red", 1)
    for m in range(2, 13):
        q |= Q(month=m) & light_q("red", m)
    return q


def _insert_sums(rows) -> None:
    """INSERT … SELECT the live projects' progress rows of `rows` per (year, month, path)."""
    select = (
        rows.filter(project__archived_at__isnull=True)
        .values("year", "month", "project__region_path")
        .annotate(
            n=Count("pk"),
            s_py=Sum("planned_year"),
            s_pt=Sum("planned_ytd"),
            s_at=Sum("actual_ytd"),
            s_am=Sum("actual_month"),
            n_red=Count("pk", filter=_red_q()),
        )
        .values_list("year", "month", "project__region_path", "n", "s_py", "s_pt", "s_at", "s_am", "n_red")
        .order_by()
    )
    core_rollups.insert_select(ProjectSum, ["year", "month", "region_path", "rows", *SUMS, "red"], select)


def _insert_stages(projects) -> None:
    """INSERT … SELECT the live projects of `projects` per (path, stage)."""
    select = (
        projects.values("region_path", "stage")
        .annotate(n_all=Count("pk"), n_started=Count("pk", filter=Q(started_on__isnull=False)))
        .values_list("region_path", "stage", "n_all", "n_started")
        .order_by()
    )
    core_rollups.insert_select(ProjectStageCount, ["region_path", "stage", "n", "started"], select)


def _progress_pairs_q(pairs: Iterable[Pair]) -> Q:
    return core_rollups.by_year_q(pairs, lambda y, paths: Q(year=y, project__region_path__in=paths))


def refresh(*, everything: bool = False, batch: int = 500) -> int:
    """Rebuild the stale pairs (`batch` per transaction), or everything (`everything`, or when no
    full build under the present light thresholds exists); returns the pairs rebuilt (the rows
    written, for a full build). One refresh at a time (an advisory lock on PostgreSQL; a second
    caller returns 0)."""
    now_lights = lights()
    if ProjectSumBuild.objects.exclude(lights=now_lights).exists():
        everything = True

    def rebuild_all() -> int:
        core_rollups.delete(ProjectSum.objects.all())
        core_rollups.delete(ProjectStageCount.objects.all())
        _insert_sums(ProjectProgress.objects.all())
        _insert_stages(Project.objects.all())
        return ProjectSum.objects.count() + ProjectStageCount.objects.count()

    def rebuild(todo: list[Pair]) -> None:
        whole = sorted({p for y, p in todo if y == 0})
        years = [(y, p) for y, p in todo if y != 0 and p not in whole]
        if whole:
            core_rollups.delete(ProjectSum.objects.filter(region_path__in=whole))
            core_rollups.delete(ProjectStageCount.objects.filter(region_path__in=whole))
            _insert_sums(ProjectProgress.objects.filter(project__region_path__in=whole))
            _insert_stages(Project.objects.filter(region_path__in=whole))
        if years:
            core_rollups.delete(ProjectSum.objects.filter(core_rollups.pairs_q(years)))
            _insert_sums(ProjectProgress.objects.filter(_progress_pairs_q(years)))

    return core_rollups.refresh(
        lock="zhuqi.projects.rollups",
        stale_model=ProjectSumStale,
        build_model=ProjectSumBuild,
        rebuild_all=rebuild_all,
        rebuild=rebuild,
        everything=everything,
        batch=batch,
        build={"lights": now_lights},
    )


# --- reading -----------------------------------------------------------------------------------
def fresh(path: str, year: int) -> bool:
    """Whether the rollup may be read for the subtree `path` and `year`: built under the present
    light thresholds, and no pair of the year (nor year 0) under the subtree marked since."""
    built = ProjectSumBuild.objects.values_list("lights", flat=True).first()
    if built is None or built != lights():
        return False
    return not ProjectSumStale.objects.filter(Q(year=0) | Q(year=year), region_path__startswith=path).exists()


def readable_by(user, path: str) -> bool:
    """Whether `user` sees every project of the subtree `path` (the rollup has no scope): the
    administrator, or an official of a region-scoped role whose region contains it
    (`Project.scope_q`: every live project of their subtree, whatever the department)."""
    from zhuqi.core.roles import REGION_SCOPED_ROLES
    from zhuqi.core.scope import scope_for

    s = scope_for(user)
    if s.is_admin:
        return True
    if not s.authenticated or s.is_enterprise_user or s.role not in REGION_SCOPED_ROLES:
        return False
    return bool(s.region_path) and path.startswith(s.region_path)


def summary(user, path: str, year: int, month: int) -> dict | None:
    """The live projects under `path` from the rollup — `sums` (planned_year, planned_ytd,
    actual_ytd, actual_month of their progress rows at (year, month)), `red` (red lights at that
    month), `by_stage` (stage → projects), `total` and `started` — or None
    where it may not be read (then read the rows)."""
    if not readable_by(user, path) or not fresh(path, year):
        return None
    agg = ProjectSum.objects.filter(year=year, month=month, region_path__startswith=path).aggregate(
        **{f"s_{f}": Sum(f) for f in SUMS}, n_red=Sum("red")
    )
    by_stage: dict[str, int] = dict.fromkeys(Stage.values, 0)
    started = 0
    for stage, n, s in (
        ProjectStageCount.objects.filter(region_path__startswith=path)
        .values("stage")
        .annotate(n_all=Sum("n"), n_started=Sum("started"))
        .values_list("stage", "n_all", "n_started")
        .order_by()
    ):
        by_stage[stage] = n or 0
        started += s or 0
    return {
        "sums": {f: agg[f"s_{f}"] or 0 for f in SUMS},
        "red": agg["n_red"] or 0,
        "by_stage": by_stage,
        "total": sum(by_stage.values()),
        "started": started,
    }


def red_by_path(user, path: str, year: int, month: int) -> list[tuple[str, int]] | None:
    """(region path, red lights at (year, month)) under `path`, one row per path with any, from
    the rollup; None where it may not be read."""
    if not readable_by(user, path) or not fresh(path, year):
        return None
    return list(
        ProjectSum.objects.filter(year=year, month=month, region_path__startswith=path, red__gt=0)
        .values_list("region_path", "red")
        .order_by()
    )

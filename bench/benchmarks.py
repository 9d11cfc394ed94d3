"""The benchmarks. Each returns `Measurement`s: the median of repeated runs and the median of
the best possible way to do the same work (the floor), measured in the same run, with their
ratio (ours ÷ floor: 1.0 would be as fast as the floor; bigger is slower).

Every benchmark that writes runs inside a transaction that is rolled back, so the data set is
the same for every sample and every benchmark.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.test import Client


@dataclass
class Measurement:
    name: str
    unit: str  # what `median` measures: "ms" or "rows/s"
    median: float
    samples: list[float]
    floor: str = ""
    floor_median: float | None = None
    ratio: float | None = None  # our time ÷ floor time
    queries: int | None = None
    rows: int | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    """Run the block in a transaction and roll it back (the data set stays as it was)."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def timed(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> tuple[list[float], Any]:
    """Seconds per call over `repeat` calls after `warmup` unmeasured ones; the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return samples, result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _ms(samples: list[float]) -> list[float]:
    return [round(s * 1000, 3) for s in samples]


def against_floor(
    name: str, samples: list[float], floor_samples: list[float], floor: str, **kw
) -> Measurement:
    """A timing in ms against its floor measured in the same run (medians and their ratio)."""
    m, f = median(samples), median(floor_samples)
    return Measurement(
        name=name,
        unit="ms",
        median=round(m * 1000, 2),
        samples=_ms(samples),
        floor=floor,
        floor_median=round(f * 1000, 3),
        ratio=round(m / f, 1) if f else None,
        **kw,
    )


# --------------------------------------------------------------------------------------------
# Who looks at pages
# --------------------------------------------------------------------------------------------
def generated_users() -> dict[str, Any]:
    """A province admin and the dispatch officer of the county with most enterprises."""
    from django.db.models import Count

    from zhuqi.core.models import Region, User
    from zhuqi.scale.generate import generated_provinces, user_prefix

    provinces = generated_provinces()
    if not provinces:
        raise RuntimeError("no generated data in this database; run `zhuqi generate` first")
    prefix = user_prefix(provinces[-1])
    users = User.objects.filter(username__startswith=prefix).select_related("region", "department")
    admin = users.filter(role="admin").first()
    county = (
        Region.objects.filter(kind="county", path__startswith=f"{provinces[-1]}/")
        .annotate(n=Count("users"))
        .order_by("path")
        .first()
    )
    dispatch = users.filter(role="dispatch", region=county).first()
    return {"admin": admin, "dispatch": dispatch, "county": county, "province": provinces[-1]}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class _Counter:
    """Counts the queries run inside the block (unbounded, unlike Django's 9,000-entry log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    @property
    def captured_queries(self) -> range:
        return range(self.count)


@contextlib.contextmanager
def _capture():
    counter = _Counter()
    with connection.execute_wrapper(counter):
        yield counter


def url_of(name: str, fallback: str) -> str:
    """A page's path by its URL name (pages move; names stay), else `fallback`."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def _get(client: Client, url: str) -> tuple[int, int, int]:
    """(status, queries, bytes) of one GET."""
    with _capture() as ctx:
        response = client.get(url)
    return response.status_code, ctx.count, len(response.content)


# --------------------------------------------------------------------------------------------
# Pages: enterprise search page and API list deep in the result set
# --------------------------------------------------------------------------------------------
def floor_enterprise_page(
    path_prefix: str | None, term: str, offset: int, limit: int = 50, order: str = "e.name"
) -> int:
    """The least work the database can do for the same page: one capped COUNT (as the pager
    shows "10,000+" past the cap) and one LIMIT/OFFSET query with the same scope and search
    filter on the same columns, rows as tuples, no rendering."""
    from zhuqi.core.paging import COUNT_CAP

    where, params = [], []
    if path_prefix:
        where.append("e.region_path LIKE %s")
        params.append(path_prefix + "%")
    if term:
        where.append("(e.name LIKE %s OR e.credit_code LIKE %s)")
        params += [f"%{term}%", f"{term.upper()}%"]
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM enterprises_enterprise e {clause} LIMIT {COUNT_CAP + 1}) t",
            params,
        )
        cur.fetchone()
        cur.execute(
            "SELECT e.id, e.name, e.credit_code, e.above_scale, r.name FROM enterprises_enterprise e "
            f"JOIN core_region r ON r.id = e.region_id {clause} "
            f"ORDER BY {order}, e.id LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        )
        return len(cur.fetchall())


def visible_enterprises(user, term: str = "") -> int:
    from django.db.models import Q

    from zhuqi.enterprises.models import Enterprise

    qs = Enterprise.objects.visible_to(user)
    if term:
        qs = qs.filter(Q(name__contains=term) | Q(credit_code__startswith=term.upper()))
    return qs.count()


def _reachable_pages(total: int, size: int) -> int:
    """Pages a pager offers: the count stops at COUNT_CAP (deeper rows: filters or the cursor)."""
    from zhuqi.core.paging import COUNT_CAP

    return max(1, -(-min(total, COUNT_CAP) // size))


def bench_pages(users: dict, *, repeat: int = 15, term: str = "机械") -> list[Measurement]:
    """Enterprise search page and API list pages, first and deep (≈90% into the pages the pager
    offers), for a county dispatch officer and the province admin; query counts per page."""
    out: list[Measurement] = []
    for who in ("dispatch", "admin"):
        user = users[who]
        if user is None:
            continue
        client = _client(user)
        scope_path = None if who == "admin" else user.region.path
        for label, base, search_param, size, order in (
            (
                "企业库搜索页",
                url_of("enterprises:enterprise_list", "/enterprises/"),
                "q",
                50,
                "e.name_initials",
            ),
            ("企业 API 列表", "/api/v1/enterprises/", "q", 50, "e.name"),
        ):
            for searched in (False, True):
                total = visible_enterprises(user, term if searched else "")
                pages = _reachable_pages(total, size)
                deep = max(1, int(pages * 0.9))
                for page in sorted({1, deep}):
                    params = [f"page={page}"]
                    if searched:
                        params.append(f"{search_param}={term}")
                    url = base + "?" + "&".join(params)
                    status, queries, size_bytes = _get(client, url)
                    if status != 200:
                        out.append(
                            Measurement(
                                f"{label} {who} {url}",
                                "ms",
                                float("nan"),
                                [],
                                notes=f"HTTP {status}",
                                rows=total,
                            )
                        )
                        continue
                    samples, _ = timed(lambda c=client, u=url: c.get(u), repeat)
                    args = (scope_path, term if searched else "", (page - 1) * size, size, order)
                    floor, _ = timed(lambda a=args: floor_enterprise_page(*a), repeat)
                    out.append(
                        against_floor(
                            f"{label} [{who}] {'搜索“' + term + '” ' if searched else ''}第 {page}/{pages} 页",
                            samples,
                            floor,
                            "capped COUNT + LIMIT/OFFSET SQL, same filter, no rendering",
                            queries=queries,
                            rows=total,
                            extra={"url": url, "bytes": size_bytes},
                        )
                    )
        out += _bench_cursor(
            client,
            user,
            label=f"企业 API 列表 [{who}] 游标翻页",
            url="/api/v1/enterprises/",
            table="enterprises_enterprise",
            alias_where=("e.region_path LIKE %s", [scope_path + "%"]) if scope_path else ("TRUE", []),
            order=("name", "ASC"),
            repeat=repeat,
        )
    return out


def _cursor_token(position: str) -> str:
    """A DRF cursor that starts just after `position` (what a client holds after walking there)."""
    import base64
    from urllib import parse

    return base64.b64encode(parse.urlencode({"p": position}).encode("ascii")).decode("ascii")


def _bench_cursor(client, user, *, label, url, table, alias_where, order, repeat) -> list[Measurement]:
    """An API page 90 % deep into the whole scoped result set, reached by its keyset cursor,
    against the keyset SQL of the same page."""
    field, direction = order
    where, params = alias_where
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {table} e WHERE {where}", params)
        total = cur.fetchone()[0]
        if not total:
            return []
        cur.execute(
            f"SELECT e.{field} FROM {table} e WHERE {where} ORDER BY e.{field} {direction}, e.id {direction} "
            f"LIMIT 1 OFFSET {int(total * 0.9)}",
            params,
        )
        position = cur.fetchone()[0]
    if field.endswith("_at"):  # SQLite hands back text, without a zone
        from django.utils import timezone
        from django.utils.dateparse import parse_datetime

        position = parse_datetime(position) if isinstance(position, str) else position
        if timezone.is_naive(position):
            position = timezone.make_aware(position, dt.UTC)
    pos = position.isoformat() if hasattr(position, "isoformat") else str(position)
    page_url = f"{url}?cursor={_cursor_token(pos)}"
    status, queries, _ = _get(client, page_url)
    if status != 200:
        return [Measurement(label, "ms", float("nan"), [], notes=f"HTTP {status} {page_url}")]
    cmp = ">" if direction == "ASC" else "<"

    def floor():
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT e.* FROM {table} e WHERE {where} AND e.{field} {cmp} %s "
                f"ORDER BY e.{field} {direction}, e.id {direction} LIMIT 50",
                [*params, position],
            )
            return len(cur.fetchall())

    samples, _ = timed(lambda: client.get(page_url), repeat)
    fl, _ = timed(floor, repeat)
    return [
        against_floor(
            f"{label}（第 {int(total * 0.9):,} 行起）",
            samples,
            fl,
            "keyset SQL of the same page (WHERE key beyond cursor ORDER BY key LIMIT 50)",
            queries=queries,
            rows=total,
            extra={"url": page_url},
        )
    ]


def page_query_counts(user, urls: list[str]) -> dict[str, int]:
    """Queries per GET for each URL (status must be 200)."""
    client = _client(user)
    counts = {}
    for url in urls:
        status, queries, _ = _get(client, url)
        if status != 200:
            raise AssertionError(f"GET {url} answered {status}")
        counts[url] = queries
    return counts


def bench_query_growth(users: dict) -> list[Measurement]:
    """Query counts must not grow with the rows on a page: the same page with few rows and
    with many (API page_size 5 vs 100; a narrow search vs a full page)."""
    out = []
    user = users["dispatch"] or users["admin"]
    ent_list = url_of("enterprises:enterprise_list", "/enterprises/")
    case_list = url_of("cases:list", "/cases/")
    pairs = [
        (
            "企业 API page_size 5 vs 100",
            "/api/v1/enterprises/?page_size=5",
            "/api/v1/enterprises/?page_size=100",
        ),
        ("企业库 1 行 vs 50 行", f"{ent_list}?q={_one_name(user)}", ent_list),
        ("诉求列表 1 行 vs 50 行", f"{case_list}?q={_one_case_no(user)}", case_list),
    ]
    for label, few, many in pairs:
        try:
            counts = page_query_counts(user, [few, many])
        except AssertionError as exc:
            out.append(Measurement(label, "queries", float("nan"), [], notes=str(exc)))
            continue
        a, b = counts[few], counts[many]
        out.append(
            Measurement(
                name=f"查询数 {label}",
                unit="queries",
                median=b,
                samples=[a, b],
                floor="same page with few rows",
                floor_median=a,
                ratio=round(b / a, 2) if a else None,
                queries=b,
                notes="bounded" if b <= a else f"GROWS: {a} → {b}",
            )
        )
    return out


def _one_name(user) -> str:
    from zhuqi.enterprises.models import Enterprise

    name = Enterprise.objects.visible_to(user).order_by("id").values_list("name", flat=True).first()
    return name or ""


def _one_case_no(user) -> str:
    try:
        from zhuqi.cases.models import Case
    except ImportError:  # pragma: no cover - the cases app is optional here
        return ""
    return Case.objects.visible_to(user).order_by("id").values_list("no", flat=True).first() or ""


def bench_case_pages(users: dict, *, repeat: int = 10) -> list[Measurement]:
    """The cases list page (first and deep) and the case API deep by cursor, for the county
    dispatch officer."""
    from zhuqi.cases.models import Case

    out = []
    user = users["dispatch"]
    if user is None:
        return out
    client = _client(user)
    total = Case.objects.visible_to(user).count()
    size = 30  # the list page's page size
    pages = _reachable_pages(total, size)
    path = user.region.path
    for page in sorted({1, max(1, int(pages * 0.9))}):
        url = f"{url_of('cases:list', '/cases/')}?page={page}"
        status, queries, _ = _get(client, url)
        if status != 200:
            out.append(Measurement(f"诉求列表 {url}", "ms", float("nan"), [], notes=f"HTTP {status}"))
            continue
        samples, _ = timed(lambda url=url: client.get(url), repeat)
        offset = (page - 1) * size

        def floor(off=offset, path=path):
            from zhuqi.core.paging import COUNT_CAP

            with connection.cursor() as cur:
                cur.execute(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM cases_case c WHERE c.region_path LIKE %s "
                    f"LIMIT {COUNT_CAP + 1}) t",
                    [path + "%"],
                )
                cur.fetchone()
                # the page's ids by the sort key alone, then those rows (the cheaper of the two
                # forms past the first pages, as the pager does)
                cur.execute(
                    "SELECT c.id, c.no, c.title, c.status, c.submitted_at, e.name FROM cases_case c "
                    "JOIN enterprises_enterprise e ON e.id = c.enterprise_id WHERE c.id IN ("
                    "SELECT id FROM cases_case WHERE region_path LIKE %s "
                    f"ORDER BY submitted_at DESC, id DESC LIMIT {size} OFFSET {off}) "
                    "ORDER BY c.submitted_at DESC, c.id DESC",
                    [path + "%"],
                )
                cur.fetchall()

        fl, _ = timed(floor, repeat)
        out.append(
            against_floor(
                f"诉求列表 [dispatch] 第 {page}/{pages} 页",
                samples,
                fl,
                "capped COUNT + ids by LIMIT/OFFSET, then those rows (SQL), no rendering",
                queries=queries,
                rows=total,
                extra={"url": url},
            )
        )
    out += _bench_cursor(
        client,
        user,
        label="诉求 API 列表 [dispatch] 游标翻页",
        url="/api/v1/cases/",
        table="cases_case",
        alias_where=("e.region_path LIKE %s", [path + "%"]),
        order=("submitted_at", "DESC"),
        repeat=repeat,
    )
    return out


DASHBOARDS = [
    ("首页", "home", 300),
    ("诉求调度台", "cases:board", 300),
    ("诉求统计", "cases:figures", 300),
    ("项目台账", "projects:project_list", 100),
    ("项目挂图作战", "projects:board", 300),
]


def bench_dashboards(users: dict, *, repeat: int = 5) -> list[Measurement]:
    """Home, boards and figures pages for the county dispatch officer and the province admin:
    medians and query counts against the DESIGN §5 budget. There is no single "best possible"
    query for a dashboard, so no floor and no ratio here: the budget is the yardstick."""
    from django.urls import NoReverseMatch, reverse

    out = []
    for who in ("dispatch", "admin"):
        user = users[who]
        if user is None:
            continue
        client = _client(user)
        for label, name, budget in DASHBOARDS:
            try:
                url = reverse(name)
            except NoReverseMatch:
                out.append(Measurement(f"{label} [{who}]", "ms", float("nan"), [], notes=f"no URL {name}"))
                continue
            status, queries, size = _get(client, url)
            if status != 200:
                out.append(
                    Measurement(f"{label} [{who}] {url}", "ms", float("nan"), [], notes=f"HTTP {status}")
                )
                continue
            samples, _ = timed(lambda c=client, u=url: c.get(u), repeat)
            m = median(samples) * 1000
            out.append(
                Measurement(
                    name=f"{label} [{who}] {url}",
                    unit="ms",
                    median=round(m, 1),
                    samples=_ms(samples),
                    queries=queries,
                    notes=f"budget {budget} ms: {'within' if m <= budget else 'OVER'}",
                    extra={"bytes": size},
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# Figures: case figures and the project board against hand-written SQL aggregates
# --------------------------------------------------------------------------------------------
_CASE_FIGURES_SQL = """
SELECT {key},
  COUNT(*),
  COUNT(*) FILTER (WHERE accepted_at IS NOT NULL AND status NOT IN ('merged', 'withdrawn')),
  COUNT(*) FILTER (WHERE status = 'closed' AND accepted_at IS NOT NULL),
  COUNT(*) FILTER (WHERE sign_done AND NOT sign_missed AND NOT ({sign_overdue})),
  COUNT(*) FILTER (WHERE sign_done OR ({sign_overdue})),
  COUNT(*) FILTER (WHERE status = 'closed' AND accepted_at IS NOT NULL AND NOT reply_missed),
  COUNT(*) FILTER (WHERE (status = 'closed' AND accepted_at IS NOT NULL)
    OR (accepted_at IS NOT NULL AND status NOT IN ('merged', 'withdrawn') AND reply_missed)
    OR ({reply_overdue})),
  COUNT(*) FILTER (WHERE status = 'closed' AND accepted_at IS NOT NULL AND NOT reply_missed),
  COUNT(*) FILTER (WHERE status = 'closed' AND accepted_at IS NOT NULL AND resolved),
  COUNT(*) FILTER (WHERE status = 'closed' AND accepted_at IS NOT NULL AND resolved AND reopen_count = 0),
  COUNT(*) FILTER (WHERE satisfaction <> '' AND reopen_count = 0 AND satisfaction IN ('satisfied', 'basic')),
  COUNT(*) FILTER (WHERE satisfaction IN ('satisfied', 'basic')),
  COUNT(*) FILTER (WHERE satisfaction <> ''),
  COUNT(*) FILTER (WHERE satisfaction <> '' AND reopen_count > 0),
  SUM(close_working_days) FILTER (WHERE status = 'closed' AND accepted_at IS NOT NULL),
  COUNT(close_working_days) FILTER (WHERE status = 'closed' AND accepted_at IS NOT NULL)
FROM cases_case
WHERE submitted_at >= %s AND submitted_at < %s {scope}
GROUP BY 1
"""
# a running sign / reply deadline passed at the request time (cases.figures.sign_overdue_q,
# reply_overdue_q); the first %s of the query is that time, once per use
_OPEN_SQL = "status NOT IN ('refused', 'closed', 'merged', 'withdrawn')"
_SIGN_OVERDUE_SQL = f"{_OPEN_SQL} AND sign_due_at < %s AND paused_at IS NULL"
_REPLY_OVERDUE_SQL = f"accepted_at IS NOT NULL AND {_OPEN_SQL} AND reply_due_at < %s AND paused_at IS NULL"
_CASE_FIGURES_NOW_PARAMS = 3  # sign overdue twice, reply overdue once, before the period's bounds

# the same board from the monthly facts alone (what it costs without the year-to-date rows)
_BOARD_FROM_MONTHS_SQL = """
SELECT im.project_id, SUM(im.planned), SUM(im.actual) FILTER (WHERE im.month <= %s),
       p.department_id, p.region_id
FROM projects_investmentmonth im JOIN projects_project p ON p.id = im.project_id
WHERE im.year = %s {scope}
GROUP BY im.project_id, p.department_id, p.region_id
"""

_BOARD_SQL = """
SELECT d.short_name, r.name, g.planned_year, g.planned_ytd, g.actual_ytd, g.actual_month,
  CASE WHEN g.planned_year <= 0 THEN 'grey'
       WHEN g.actual_ytd * 100 < (%s - %s + 0.05) * g.planned_year THEN 'red'
       WHEN g.actual_ytd * 100 < (%s - %s + 0.05) * g.planned_year THEN 'yellow'
       ELSE 'green' END
FROM projects_projectprogress g JOIN projects_project p ON p.id = g.project_id
LEFT JOIN core_department d ON d.id = p.department_id JOIN core_region r ON r.id = p.region_id
WHERE g.year = %s AND g.month = %s {scope}
"""


def bench_figures(users: dict, *, repeat: int = 5) -> list[Measurement]:
    """Case figures (`cases.figures.summary`, this year, default dimension) and the project
    board's aggregates (`projects.figures.board_summary`) against hand-written SQL returning
    the same numbers, for the county dispatch officer and the province admin. Our side runs
    the scope, the labels and the Python roll-ups too; the floor is the bare SQL."""
    if connection.vendor != "postgresql":
        return []  # the floors use FILTER and PostgreSQL's planner
    from django.utils import timezone

    from zhuqi.cases import figures as CF
    from zhuqi.cases.views import _default_dim
    from zhuqi.core.workcalendar import SHANGHAI
    from zhuqi.projects import figures as PF
    from zhuqi.projects.models import Project

    out: list[Measurement] = []
    today = timezone.localdate()
    start = dt.date(today.year, 1, 1)
    lo = dt.datetime.combine(start, dt.time(), tzinfo=SHANGHAI)
    hi = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    year, month = PF.report_period(today)
    yellow, red = PF.light_thresholds()
    elapsed = PF.elapsed_pct(month)
    for who in ("dispatch", "admin"):
        user = users[who]
        if user is None:
            continue
        path = None if who == "admin" else user.region.path
        dim = _default_dim(user)
        depth = CF.region_depth_for(user)

        def ours(user=user, dim=dim, depth=depth):
            return CF.summary(CF.base(user, start, today), dim, depth)

        key = "lead_department_id" if dim == "department" else "region_path"
        scope_sql = "AND region_path LIKE %s" if path else ""
        params = [lo, hi] + ([path + "%"] if path else [])

        def floor(key=key, scope_sql=scope_sql, params=params):
            with connection.cursor() as cur:
                sql = _CASE_FIGURES_SQL.format(
                    key=key, scope=scope_sql, sign_overdue=_SIGN_OVERDUE_SQL, reply_overdue=_REPLY_OVERDUE_SQL
                )
                cur.execute(sql, [timezone.now()] * _CASE_FIGURES_NOW_PARAMS + params)
                return cur.fetchall()

        samples, result = timed(ours, repeat)
        fl, raw = timed(floor, repeat)
        totals, _rows = result
        if totals["received"]["n"] != sum(r[1] for r in raw):
            raise AssertionError("case figures disagree with the hand-written SQL")
        out.append(
            against_floor(
                f"诉求统计（本年，按{CF.DIMENSIONS[dim]}）[{who}]",
                samples,
                fl,
                "one hand-written GROUP BY with FILTER counts over the same cases",
                rows=totals["received"]["n"],
            )
        )

        projects = Project.objects.visible_to(user)
        pscope = "AND p.region_path LIKE %s" if path else ""
        pparams = [path + "%"] if path else []

        def board(projects=projects):
            return PF.board_summary(projects, year, month)

        def board_floor(pscope=pscope, pparams=pparams):
            with connection.cursor() as cur:
                cur.execute(
                    _BOARD_SQL.format(scope=pscope), [elapsed, red, elapsed, yellow, year, month, *pparams]
                )
                return cur.fetchall()

        def months_floor(pscope=pscope, pparams=pparams):
            with connection.cursor() as cur:
                cur.execute(_BOARD_FROM_MONTHS_SQL.format(scope=pscope), [month, year, *pparams])
                return cur.fetchall()

        samples, summary = timed(board, repeat)
        fl, raw = timed(board_floor, repeat)
        fm, _ = timed(months_floor, repeat)
        counted = {c: 0 for c in ("green", "yellow", "red", "grey")}
        for row in raw:
            counted[row[-1]] += 1
        if any(summary["counts"][c] < counted[c] for c in ("green", "yellow", "red")):
            raise AssertionError(f"board lights disagree: {summary['counts']} vs {counted}")
        out.append(
            against_floor(
                f"项目挂图作战汇总 {year}-{month:02d} [{who}]",
                samples,
                fl,
                "hand-written SQL: the same year-to-date rows with lights, joined to department and region",
                rows=len(raw),
                notes=f"summing the monthly facts instead (no year-to-date rows): {median(fm) * 1000:.1f} ms",
                extra={"counts": summary["counts"], "months_sql_ms": round(median(fm) * 1000, 1)},
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Generator throughput vs COPY/INSERT of the same rows
# --------------------------------------------------------------------------------------------
def _floor_insert(table: str, rows: list[tuple], columns: list[str]) -> float:
    """Seconds to write pre-built tuples into an empty copy of `table` (same indexes on
    PostgreSQL) in the fastest way the engine offers: COPY, or executemany on SQLite."""
    qn = connection.ops.quote_name
    tmp = f"bench_floor_{table}"
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"CREATE TEMP TABLE {tmp} (LIKE {qn(table)} INCLUDING DEFAULTS INCLUDING INDEXES)")
            raw = connection.connection
            started = time.perf_counter()
            with raw.cursor() as rc, rc.copy(f"COPY {tmp} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            seconds = time.perf_counter() - started
        else:
            cur.execute(f"CREATE TEMP TABLE {tmp} AS SELECT * FROM {qn(table)} WHERE 0")
            marks = ", ".join(["%s"] * len(columns))
            started = time.perf_counter()
            cur.executemany(f"INSERT INTO {tmp} ({cols}) VALUES ({marks})", rows)
            seconds = time.perf_counter() - started
        cur.execute(f"DROP TABLE {tmp}")
    return seconds


def bench_generator(*, enterprises: int, cases: int, repeat: int = 3, seed: int = 99) -> list[Measurement]:
    """Generate one county-shaped province with `enterprises` and `cases` into the database,
    rolled back; per table rows/s against writing the same rows as pre-built tuples."""
    from zhuqi.scale.generate import Scale, generate

    scale = Scale(
        "bench",
        1,
        1,
        12,
        2,
        4,
        enterprises=enterprises,
        officials=max(100, enterprises // 3),
        cases=cases,
        projects=0,
    )
    tables = {"enterprises.enterprise": "enterprises_enterprise", "cases.case": "cases_case"}
    samples: dict[str, list[float]] = {k: [] for k in tables}
    floors: dict[str, list[float]] = {k: [] for k in tables}
    counts: dict[str, int] = {}
    totals: list[float] = []
    for i in range(repeat):
        with rolled_back():
            result = generate(
                scale, seed=seed + i, only=["core", "enterprises", "cases"], force=True, verbosity=0
            )
            totals.append(result.rows / result.total_seconds)
            for label, table in tables.items():
                if label not in result.counts:
                    continue
                counts[label] = result.counts[label]
                samples[label].append(result.seconds[label])
                with connection.cursor() as cur:
                    columns = [c.name for c in connection.introspection.get_table_description(cur, table)]
                    cur.execute(
                        f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {table} "
                        "WHERE id >= (SELECT MAX(id) FROM " + table + ") - %s",
                        [result.counts[label] - 1],
                    )
                    rows = cur.fetchall()
                floors[label].append(_floor_insert(table, rows, columns))
    out = [
        Measurement(
            name="生成器 全部表（core+enterprises+cases）",
            unit="rows/s",
            median=round(median(totals)),
            samples=[round(t) for t in totals],
            notes="all rows of all tables ÷ total seconds, including the region/user setup",
        )
    ]
    for label in tables:
        if not samples[label]:
            continue
        n = counts[label]
        ours, floor = median(samples[label]), median(floors[label])
        out.append(
            Measurement(
                name=f"生成器 {label}",
                unit="rows/s",
                median=round(n / ours),
                samples=[round(n / s) for s in samples[label]],
                floor=("COPY" if connection.vendor == "postgresql" else "executemany INSERT")
                + " of the same rows as pre-built tuples into an empty copy of the table",
                floor_median=round(n / floor),
                ratio=round(ours / floor, 1) if floor else None,
                rows=n,
            )
        )
    return out


# The Excel import and the SLA sweep benchmarks: bench/bench_sweep_import.py
# --------------------------------------------------------------------------------------------


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()

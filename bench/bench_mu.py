"""亩均 benchmark (issue #14, item 11): evaluating a province's enterprises in all pools against a
hand-written SQL of the same scoring.

The facts are written first, inside the rolled-back transaction (COPY on PostgreSQL,
executemany on SQLite): for every enterprise of the data set one year of facts drawn from a
seeded RNG — a 规上 enterprise the six measures of the 黄岩 规上 scheme (emissions missing for one
in five), every other one 评价税收, 用电量 and its land (own land for seven in ten, a leased area
otherwise). Then, as the province administrator:

* ours: `mu.services.compute` of the shipped 黄岩 2022 规上 scheme and of the 规下 scheme over the
  province (the scoring in Python Decimal, results and every item stored, ranking in SQL, audit);
* floor: one hand-written SQL statement per pool doing the same scoring (measures, ratios, caps,
  the missing item's pool average, totals, RANK, percentile, class) into a temporary table, one
  row per enterprise with every item's points (PostgreSQL only: it uses FILTER and window
  functions over numeric).

Budget: the province run (both pools) within 60 s.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

from django.db import connection

from .benchmarks import Measurement, median, rolled_back

BUDGET_S = 60
YEAR = 2025
WAN = Decimal(10_000)


def _facts_rows(ents: list[tuple[int, bool]], batch_id: int, seed: int = 14) -> list[tuple]:
    rng = random.Random(seed)
    rows: list[tuple] = []
    for ent_id, above in ents:
        land = Decimal(str(round(rng.uniform(2, 160), 1)))
        tax = Decimal(round(rng.lognormvariate(2.2, 0.8) * float(land), 2)) * WAN
        if above:
            revenue = Decimal(round(rng.lognormvariate(5.6, 0.6) * float(land), 2))
            va = (revenue * Decimal(str(round(rng.uniform(0.18, 0.32), 3)))).quantize(Decimal("0.01"))
            facts = {
                "tax": tax.quantize(Decimal(1)),
                "land_mu": land,
                "revenue": revenue * WAN,
                "value_added": va * WAN,
                "employees": Decimal(rng.randint(25, 900)),
                "rnd": (revenue * Decimal(str(round(rng.uniform(0.3, 5), 2))) / 100 * WAN).quantize(
                    Decimal(1)
                ),
                "energy": (revenue / Decimal(str(round(rng.uniform(1.5, 25), 2)))).quantize(Decimal("0.01")),
            }
            if rng.random() < 0.8:
                facts["emissions"] = Decimal(str(round(rng.uniform(0.05, 5), 2)))
        else:
            facts = {
                "tax": tax.quantize(Decimal(1)),
                "power": Decimal(str(round(rng.uniform(5, 800), 2))),
            }
            if rng.random() < 0.7:
                facts["land_mu"] = land
            else:
                facts["leased_mu"] = Decimal(str(round(rng.uniform(0.5, 20), 1)))
        rows.extend((ent_id, YEAR, kind, value, None, batch_id) for kind, value in facts.items())
    return rows


def write_facts(actor, region) -> int:
    """One year of facts for every live enterprise of `region`'s subtree; returns the rows."""
    from zhuqi.enterprises.models import Enterprise
    from zhuqi.mu.models import FactBatch

    ents = list(
        Enterprise.objects.filter(region_path__startswith=region.path, archived_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "above_scale")
    )
    batch = FactBatch.objects.create(created_by=actor, rows=len(ents), note="bench")
    rows = _facts_rows(ents, batch.pk)
    cols = "enterprise_id, year, kind, value, department_id, batch_id"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with connection.connection.cursor() as rc, rc.copy(f"COPY mu_fact ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.executemany(f"INSERT INTO mu_fact ({cols}) VALUES (%s, %s, %s, %s, %s, %s)", rows)
    return len(rows)


# --- the floor: the same scoring in one SQL statement -------------------------------------------
_MEASURE_SQL = {
    "tax_per_mu": ("tax", "land"),
    "value_added_per_mu": ("value_added", "land"),
    "value_added_per_energy": ("value_added", "energy"),
    "value_added_per_emission": ("value_added", "emissions"),
    "labour_productivity": ("value_added", "employees"),
    "tax_per_power": ("tax", "power"),
}
_SCALE = {"rnd_ratio": "100"}  # everything else: yuan → 万元


def floor_sql(scheme, region_path: str) -> tuple[str, list]:
    """The scheme's scoring (ratio family, the shipped 黄岩 schemes) as one statement."""
    from zhuqi.mu import scoring
    from zhuqi.mu.services import settings_of

    s = settings_of(scheme)
    kinds = [
        "tax",
        "land_mu",
        "leased_mu",
        "value_added",
        "revenue",
        "employees",
        "rnd",
        "energy",
        "emissions",
        "power",
    ]
    pivot = ",\n".join(f"max(x.value) FILTER (WHERE x.kind = '{k}') AS {k}" for k in kinds)
    measures, points, fills = [], [], []
    for n, item in enumerate(s.items):
        if item.measure == "rnd_ratio":
            num, den, scale = "rnd", "revenue", "* 100"
        else:
            num, den = _MEASURE_SQL[item.measure]
            scale = "/ 10000"
        den_sql = "coalesce(land_mu, leased_mu)" if den == "land" else den
        measures.append(f"round({num} {scale} / NULLIF({den_sql}, 0), 4) AS m{n}")
        pts = f"round(round(m{n} / {item.benchmark}, 4) * {item.weight}, 2)"
        if item.cap is not None:  # not least(): it ignores a NULL (a missing item)
            pts = f"CASE WHEN {pts} > {item.cap} THEN {item.cap} ELSE {pts} END"
        points.append(f"{pts} AS p{n}")
        fills.append(f"coalesce(p{n}, round(avg(p{n}) OVER (), 2))")
    pool = "e.above_scale" if scheme.pool == "above" else "NOT e.above_scale"
    land_rule = "" if scheme.pool == "above" else f"AND land_mu >= {scheme.min_land_mu}"
    a_pct, b_pct, c_pct = s.a_pct, s.b_pct, s.c_pct
    sql = f"""
CREATE TEMP TABLE bench_mu_floor AS
WITH f AS (
  SELECT x.enterprise_id AS id, e.credit_code, {pivot}
  FROM mu_fact x JOIN enterprises_enterprise e ON e.id = x.enterprise_id
  WHERE x.year = %s AND e.region_path LIKE %s AND e.archived_at IS NULL AND {pool}
  GROUP BY x.enterprise_id, e.credit_code
), pool AS (SELECT * FROM f WHERE TRUE {land_rule}),
m AS (SELECT id, credit_code, round(tax / 10000 / coalesce(land_mu, leased_mu), 4) AS tax_per_mu, {", ".join(measures)} FROM pool),
p AS (SELECT id, credit_code, tax_per_mu, {", ".join(points)} FROM m),
t AS (SELECT id, credit_code, tax_per_mu, {" + ".join(fills)} AS total FROM p),
r AS (SELECT id, total, tax_per_mu,
        rank() OVER (ORDER BY total DESC, tax_per_mu DESC NULLS LAST, credit_code, id) AS rk,
        count(*) OVER () AS n FROM t)
SELECT id, total, rk, round(rk * 100.0 / n, 2) AS percentile,
  CASE WHEN rk <= round(n * {a_pct} / 100) THEN 'A' WHEN rk <= round(n * {b_pct} / 100) THEN 'B'
       WHEN rk <= round(n * {c_pct} / 100) THEN 'C' ELSE 'D' END AS klass
FROM r
"""
    assert scoring  # the shipped ratio schemes only
    return sql, [YEAR, region_path + "%"]


def _floor(scheme, region_path: str) -> tuple[float, dict]:
    """Seconds of the floor statement, and its rows (enterprise → total, rank, class)."""
    sql, params = floor_sql(scheme, region_path)
    with connection.cursor() as cur:
        started = time.perf_counter()
        cur.execute(sql, params)
        seconds = time.perf_counter() - started
        cur.execute("SELECT id, total, rk, klass FROM bench_mu_floor")
        rows = {r[0]: (r[1], r[2], r[3]) for r in cur.fetchall()}
        cur.execute("DROP TABLE bench_mu_floor")
    return seconds, rows


def bench_mu(users: dict, *, repeat: int = 3) -> list[Measurement]:
    from zhuqi.core.models import Region
    from zhuqi.mu import services
    from zhuqi.mu.models import Result, Scheme

    admin = users["admin"]
    province = Region.objects.get(path=f"{users['province']}/")
    schemes = [Scheme.objects.get(code="huangyan-2022-above"), Scheme.objects.get(code="huangyan-2022-below")]
    out: list[Measurement] = []
    ours: dict[str, list[float]] = {s.code: [] for s in schemes}
    floors: dict[str, list[float]] = {s.code: [] for s in schemes}
    sizes: dict[str, int] = {}
    agree: dict[str, str] = {}
    facts = 0
    pages: list[Measurement] = []
    for i in range(repeat):
        with rolled_back():
            facts = write_facts(admin, province)
            for scheme in schemes:
                started = time.perf_counter()
                run = services.compute(scheme, YEAR, actor=admin, region=province)
                ours[scheme.code].append(time.perf_counter() - started)
                sizes[scheme.code] = Result.objects.filter(run=run).count()
                if connection.vendor == "postgresql":
                    seconds, rows = _floor(scheme, province.path)
                    floors[scheme.code].append(seconds)
                    mine = {
                        r[0]: (r[1], r[2], r[3])
                        for r in Result.objects.filter(run=run, rank__isnull=False).values_list(
                            "enterprise_id", "total", "rank", "rank_class"
                        )
                    }
                    same = sum(1 for k, v in rows.items() if mine.get(k) == v)
                    agree[scheme.code] = f"{same:,} of {len(mine):,} results equal to the floor's"
                if scheme is schemes[0] and i == repeat - 1:
                    pages = _pages(run, users)
    total_ours = 0.0
    total_floor = 0.0
    for scheme in schemes:
        mine = median(ours[scheme.code]) * 1000
        floor = median(floors[scheme.code]) * 1000 if floors[scheme.code] else None
        total_ours += mine
        total_floor += floor or 0
        out.append(
            Measurement(
                name=f"亩均评价 全省 {scheme.get_pool_display()}（{scheme.name}）",
                unit="ms",
                median=round(mine, 1),
                samples=[round(x * 1000, 1) for x in ours[scheme.code]],
                floor="one hand-written SQL statement of the same scoring into a temp table",
                floor_median=round(floor, 1) if floor else None,
                ratio=round(mine / floor, 1) if floor else None,
                rows=sizes[scheme.code],
                notes=agree.get(scheme.code, ""),
            )
        )
    out.append(
        Measurement(
            name="亩均评价 全省 all pools (规上 + 规下)",
            unit="ms",
            median=round(total_ours, 1),
            samples=[],
            floor="the two floors",
            floor_median=round(total_floor, 1) if total_floor else None,
            ratio=round(total_ours / total_floor, 1) if total_floor else None,
            rows=facts,
            notes=f"budget < {BUDGET_S} s: {'met' if total_ours < BUDGET_S * 1000 else 'MISSED'}; {facts} facts",
        )
    )
    return out + pages


PAGE_BUDGET_MS = 100


def _pages(run, users: dict, repeat: int = 7) -> list[Measurement]:
    """The pages of the province's 规上 run as its administrator (a county's office sees only
    its county's runs: smaller), through the test client (middleware, templates and all): the
    run's first page, a mid-ranked enterprise's result and explanation, the region ranking.
    Budget < 100 ms."""
    from django.urls import reverse

    from zhuqi.mu.models import Result

    from .benchmarks import _client, _get, timed

    mid = Result.objects.filter(run=run, rank__isnull=False).order_by("rank")
    n = mid.count()
    middle = mid[n // 2] if n else None
    out = []
    for label, user in (("province admin", users["admin"]),):
        client = _client(user)
        urls = [
            ("run page, first 50 by rank", reverse("mu:run_detail", args=[run.pk])),
            ("region ranking", reverse("mu:run_regions", args=[run.pk])),
        ]
        if middle is not None:
            urls.append(("one result with its explanation", reverse("mu:result_detail", args=[middle.pk])))
        for name, url in urls:
            samples, (status, queries, size) = timed(lambda url=url, client=client: _get(client, url), repeat)
            out.append(
                Measurement(
                    name=f"亩均 page: {name} ({label})",
                    unit="ms",
                    median=round(median(samples) * 1000, 1),
                    samples=[round(x * 1000, 1) for x in samples],
                    queries=queries,
                    notes=f"HTTP {status}, {size:,} bytes; budget < {PAGE_BUDGET_MS} ms; {n:,} ranked",
                )
            )
    return out

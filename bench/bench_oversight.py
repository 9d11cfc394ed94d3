"""Oversight benchmarks (issue #16, item 10), inside one rolled-back transaction:

* the province's 200,000 supervision items are those `zhuqi generate` wrote (its `oversight` part:
  every working department leads its share, seven in ten closed, the open ones in every colour);
  a data set with fewer gets 200,000 written here by the same code (`zhuqi.scale.oversight`),
  then a county's 督查 queue — its first page of 50 and the colour counts — is timed
  (budget < 100 ms);
* an assessment of every county of the province (a province scheme on the `counties` sequence:
  诉求办结率 by ratio to 95 %, 超期未办结诉求 by rank, 重点项目投资计划完成率 by ratio to the plan)
  computed by `services_assessment.compute_results` against one hand-written SQL statement doing
  the same scoring (rates rounded to 0.1, points half up to 0.01, RANK) — both must agree on every
  county's total (budget < 30 s);
* the county's monthly bulletin generated from live figures (`bulletin.generate`, budget < 5 s).

PostgreSQL only (the floor uses FILTER, window functions and regular expressions).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction

from zhuqi.scale.oversight import SCHEME_ITEMS

from .benchmarks import Measurement, against_floor, median, timed

ITEMS = 200_000
QUEUE_BUDGET_MS = 100
ASSESS_BUDGET_S = 30
BULLETIN_BUDGET_S = 5
PERIOD = "2026Q3"
OVERDUE_STEP = Decimal(SCHEME_ITEMS[1]["step"])
#: "today" of the items written here and of the assessment's period list
TODAY = dt.date(2026, 12, 1)

FLOOR_SQL = r"""
WITH u AS (
    SELECT id, name, path FROM core_region
    WHERE path LIKE %(root)s AND kind = 'county' AND is_active
),
c AS (
    SELECT substring(k.region_path from '^[^/]+/[^/]+/[^/]+/') AS path,
        count(*) FILTER (WHERE k.accepted_at IS NOT NULL AND k.status NOT IN ('merged', 'withdrawn')) AS d,
        count(*) FILTER (WHERE k.status = 'closed' AND k.accepted_at IS NOT NULL) AS n
    FROM cases_case k
    WHERE k.region_path LIKE %(root)s AND k.submitted_at >= %(start)s AND k.submitted_at < %(end)s
    GROUP BY 1
),
o AS (
    SELECT substring(k.region_path from '^[^/]+/[^/]+/[^/]+/') AS path, count(*) AS n
    FROM cases_case k
    WHERE k.region_path LIKE %(root)s AND k.accepted_at IS NOT NULL
      AND k.status NOT IN ('merged', 'withdrawn', 'refused', 'closed')
      AND k.reply_due_at < %(as_of)s AND k.paused_at IS NULL
    GROUP BY 1
),
p AS (
    SELECT substring(r.path from '^[^/]+/[^/]+/[^/]+/') AS path,
        sum(pp.planned_ytd) AS planned, sum(pp.actual_ytd) AS actual
    FROM projects_projectprogress pp
    JOIN projects_project pr ON pr.id = pp.project_id AND pr.archived_at IS NULL
    JOIN core_region r ON r.id = pr.region_id
    WHERE r.path LIKE %(root)s AND pp.year = %(year)s AND pp.month = %(month)s
    GROUP BY 1
),
v AS (
    SELECT u.id, u.name,
        CASE WHEN coalesce(c.d, 0) = 0 THEN NULL ELSE round(c.n * 100.0 / c.d, 1) END AS close_rate,
        coalesce(o.n, 0) AS overdue,
        CASE WHEN coalesce(p.planned, 0) = 0 THEN NULL
             ELSE round(coalesce(p.actual, 0) * 100.0 / p.planned, 1) END AS investment
    FROM u LEFT JOIN c ON c.path = u.path LEFT JOIN o ON o.path = u.path LEFT JOIN p ON p.path = u.path
),
s AS (
    SELECT id, name,
        CASE WHEN close_rate IS NULL THEN 40 ELSE round(40 * least(close_rate / 95, 1), 2) END AS s1,
        round(greatest(20 - (rank() OVER (ORDER BY overdue) - 1) * %(step)s, 0), 2) AS s2,
        CASE WHEN investment IS NULL THEN 0 ELSE round(40 * least(greatest(investment / 100, 0), 1), 2) END AS s3
    FROM v
)
SELECT id, name, s1 + s2 + s3 AS total, rank() OVER (ORDER BY s1 + s2 + s3 DESC) FROM s
"""


def write_items(root) -> tuple[int, int]:
    """The province's supervision items: (items there, items written here). `zhuqi generate`'s
    `oversight` part writes 200,000 at province scale; with fewer, ITEMS more are written here
    by the same code (`zhuqi.scale.oversight.write_items`), rolled back with the rest."""
    from zhuqi.oversight.models import Item
    from zhuqi.scale.generate import Progress, Writer, load_world
    from zhuqi.scale.oversight import write_items as generate_items

    have = Item.objects.filter(region__path__startswith=root.path).count()
    if have >= ITEMS:
        return have, 0
    w = Writer(Progress(verbosity=0))
    written = generate_items(w, load_world(root.code, with_enterprises=False), ITEMS, seed=1, today=TODAY)
    w.reset_sequences()
    with connection.cursor() as cur:
        for table in ("oversight_item", "oversight_sliprecord", "oversight_report"):
            cur.execute(f"ANALYZE {table}")
    return have + written, written


def bench_oversight(users, repeat: int = 5) -> list[Measurement]:
    from zhuqi.core import audit
    from zhuqi.core.models import Region, Role, User
    from zhuqi.core.workcalendar import SHANGHAI
    from zhuqi.indicators.periods import Period
    from zhuqi.oversight import bulletin, selectors
    from zhuqi.oversight import services_assessment as sa
    from zhuqi.oversight.models import Item

    if connection.vendor != "postgresql":
        return []
    admin, county, province = users["admin"], users["county"], users["province"]
    root = Region.objects.get(path=f"{province}/")
    out: list[Measurement] = []
    with transaction.atomic(), audit.acting_as(admin, label="bench oversight"):
        items, written = write_items(root)
        supervisor = User.objects.filter(role=Role.SUPERVISOR, region=county).first() or User.objects.create(
            username="bench_supervisor", role=Role.SUPERVISOR, region=county
        )

        def queue():
            page = list(selectors.queue(supervisor)[:50])
            return page, selectors.queue_counts(supervisor)

        samples, (page, counts) = timed(queue, repeat * 3)
        out.append(
            Measurement(
                name="督查 queue, county: first page of 50 and the colour counts",
                unit="ms",
                median=round(median(samples) * 1000, 2),
                samples=[round(s * 1000, 2) for s in samples],
                rows=Item.objects.filter(region__path__startswith=county.path).count(),
                notes=(
                    f"budget < {QUEUE_BUDGET_MS} ms; {items:,} items in the province"
                    f" ({'written here' if written else 'generated'}), {len(page)} shown; {counts}"
                ),
            )
        )

        scheme = sa.save_scheme(
            None,
            actor=admin,
            region=root,
            name="[基准] 全省县域季度考核",
            year=2026,
            period_kind="Q",
            sequence="counties",
            items=SCHEME_ITEMS,
        )
        period = Period.parse(PERIOD)
        as_of = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
        params = {
            "root": f"{root.path}%",
            "start": dt.datetime.combine(period.start, dt.time(), tzinfo=SHANGHAI),
            "end": as_of,
            "as_of": as_of,
            "year": period.year,
            "month": period.last_month,
            "step": OVERDUE_STEP,
        }

        def ours():
            return sa.compute_results(scheme, period, admin)

        def floor():
            with connection.cursor() as cur:
                cur.execute(FLOOR_SQL, params)
                return cur.fetchall()

        samples, results = timed(ours, repeat, warmup=0)
        floor_samples, rows = timed(floor, repeat, warmup=0)
        mine = {r.unit.pk: r.total for r in results}
        theirs = {pk: Decimal(total) for pk, _name, total, _rank in rows}
        differ = sorted(pk for pk in theirs if mine.get(pk) != theirs[pk])
        assert not differ, (
            f"{len(differ)} counties differ, e.g. {differ[:3]}: {[(mine.get(p), theirs[p]) for p in differ[:3]]}"
        )
        out.append(
            against_floor(
                f"assessment of every county of the province ({len(results)} counties, 3 items, {PERIOD})",
                samples,
                floor_samples,
                "one hand-written SQL statement, same scoring",
                rows=len(results),
                notes=f"budget < {ASSESS_BUDGET_S} s; totals equal for every county",
            )
        )
        a_samples, _a = timed(
            lambda: sa.compute_assessment(scheme, PERIOD, actor=admin, today=TODAY),
            1,
            warmup=0,
        )
        out.append(
            Measurement(
                name="same, through the service (computed, stored, audited)",
                unit="ms",
                median=round(median(a_samples) * 1000, 2),
                samples=[round(s * 1000, 2) for s in a_samples],
                rows=len(results),
            )
        )

        b_samples, figures = timed(lambda: bulletin.generate(county, 2026, 10), repeat, warmup=0)
        out.append(
            Measurement(
                name="monthly bulletin of a county generated from live figures (2026-10)",
                unit="ms",
                median=round(median(b_samples) * 1000, 2),
                samples=[round(s * 1000, 2) for s in b_samples],
                rows=len(figures.get("cases", {}).get("rows", [])),
                notes=f"budget < {BULLETIN_BUDGET_S} s",
            )
        )
        transaction.set_rollback(True)
    return out

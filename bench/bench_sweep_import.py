"""The two batch jobs of issue 6, each against the least work that does the same job.

* `bench_sweep`: `zhuqi sweep_cases` (the SLA sweep) over the whole data set, now (steady state:
  the generator leaves the data as if the sweep had run daily) and three days later (a backlog of
  missed clocks and escalations), each sample rolled back. Floor: `sweep_floor`, five raw SQL
  statements (PostgreSQL) that make the same clock and escalation changes.
* `bench_import`: the Excel import of N new enterprises (dry-run preview, and applied then rolled
  back) against openpyxl's bare read-only read of the same file.

Registered in bench/run.py as `sweep` and `import`.
"""

from __future__ import annotations

import datetime as dt
import io
import time

from django.db import connection

from .benchmarks import Measurement, _capture, _ms, median, rolled_back, timed


# --------------------------------------------------------------------------------------------
# The SLA sweep vs the same clock and escalation changes in raw SQL
# --------------------------------------------------------------------------------------------
def _sweep_params(now: dt.datetime) -> dict:
    from django.utils import timezone

    from zhuqi.cases import sweep as s
    from zhuqi.core.workcalendar import due_at, working_days_cutoff

    return {
        "now": now,
        "at": timezone.now(),  # the escalations' timestamp: the services' clock, as in the sweep
        "long": working_days_cutoff(now, s.LONG_OVERDUE),
        "stuck": working_days_cutoff(now, s.STUCK),
        "soon": due_at(now, s.REMIND_WITHIN),
    }


def sweep_floor(now: dt.datetime) -> dict[str, int]:
    """The sweep's state changes as five set-based statements (PostgreSQL), in the sweep's order:

    1. flag every running clock past due (not yet flagged) of an open, unpaused case, and in the
       same statement raise those cases below level 2 to level 2, inserting their Escalation rows
       (from_level, reason "overdue", note = the missed clocks' labels + "超时", as the sweep);
    2. level 3 for open cases whose reply deadline is LONG_OVERDUE working days past
       (reason long_overdue), with Escalation rows;
    3. level 3 for open cases flagged beyond-local or problem cases (beyond_local), with rows;
    4. level 4 for cases at level 3 for STUCK working days (stuck), with rows;
    5. mark the reminders: reminded_at on running clocks (not close) due within REMIND_WITHIN.

    It does NOT write: audit entries (the sweep appends a hash-chained entry per event and per new
    row, computed in Python), notifications (inbox rows for each recipient), supervision notices
    (督办/催办 rows), and it does not work in locked batches (the sweep locks each batch of cases
    with SKIP LOCKED so concurrent sweeps and handlers never block or double up). It is a lower
    bound for the sweep's work, not an alternative implementation. Returns the row counts.
    """
    from zhuqi.cases.models import OPEN_STATUSES, ClockKind

    p = _sweep_params(now) | {"open": list(OPEN_STATUSES)}
    labels = " UNION ALL ".join(
        f"SELECT '{value}'::text AS kind, '{label}'::text AS label" for value, label in ClockKind.choices
    )
    escalate = """
        WITH up AS (
            UPDATE cases_case c SET escalation_level = {level}, escalated_at = %(at)s
            FROM cases_case o
            WHERE o.id = c.id AND c.status = ANY(%(open)s) AND c.paused_at IS NULL
              AND c.escalation_level < {level} AND ({where})
            RETURNING c.id, o.escalation_level AS from_level
        )
        INSERT INTO cases_escalation (case_id, from_level, to_level, reason, note, by_id, at)
        SELECT id, from_level, {level}, '{reason}', '', NULL, %(at)s FROM up
    """
    statements = {
        "flagged → level 2": f"""
            WITH flagged AS (
                UPDATE cases_caseclock cc SET overdue_flagged_at = %(now)s
                FROM cases_case c
                WHERE cc.case_id = c.id AND cc.state = 'running' AND cc.due_at < %(now)s
                  AND cc.overdue_flagged_at IS NULL AND c.paused_at IS NULL AND c.status = ANY(%(open)s)
                RETURNING cc.case_id, cc.kind, cc.started_at, cc.id
            ), missed AS (
                SELECT f.case_id,
                       string_agg(l.label, '、' ORDER BY f.started_at, f.id) || '超时' AS note
                FROM flagged f JOIN ({labels}) l ON l.kind = f.kind
                GROUP BY f.case_id
            ), up AS (
                UPDATE cases_case c SET escalation_level = 2, escalated_at = %(at)s
                FROM cases_case o, missed m
                WHERE o.id = c.id AND m.case_id = c.id AND c.escalation_level < 2
                RETURNING c.id, o.escalation_level AS from_level, m.note
            )
            INSERT INTO cases_escalation (case_id, from_level, to_level, reason, note, by_id, at)
            SELECT id, from_level, 2, 'overdue', note, NULL, %(at)s FROM up
        """,
        "long overdue → 3": escalate.format(
            level=3, reason="long_overdue", where="c.reply_due_at < %(long)s"
        ),
        "beyond local → 3": escalate.format(
            level=3, reason="beyond_local", where="c.beyond_local OR c.is_problem_case"
        ),
        "stuck → 4": escalate.format(
            level=4, reason="stuck", where="c.escalation_level = 3 AND c.escalated_at < %(stuck)s"
        ),
        "reminders": """
            UPDATE cases_caseclock cc SET reminded_at = %(now)s
            FROM cases_case c
            WHERE cc.case_id = c.id AND cc.state = 'running' AND cc.due_at >= %(now)s
              AND cc.due_at <= %(soon)s AND cc.reminded_at IS NULL AND cc.kind <> 'close'
              AND c.paused_at IS NULL AND c.status = ANY(%(open)s)
        """,
    }
    counts = {}
    with connection.cursor() as cur:
        for name, sql in statements.items():
            cur.execute(sql, p)
            counts[name] = cur.rowcount
    return counts


def bench_sweep(*, repeat: int = 3) -> list[Measurement]:
    from django.utils import timezone

    from zhuqi.cases.sweep import sweep

    if connection.vendor != "postgresql":
        raise RuntimeError("the sweep's raw-SQL floor is written for PostgreSQL")
    out = []
    base = timezone.now()
    for label, now in (("今天（稳态）", base), ("3 天后（积压）", base + dt.timedelta(days=3))):
        samples: list[float] = []
        queries = None
        result = None
        for i in range(repeat + 1):  # the first run warms the caches and counts the queries
            with rolled_back(), _capture() as ctx:
                started = time.perf_counter()
                result = sweep(now)
                elapsed = time.perf_counter() - started
            if i == 0:
                queries = ctx.count
            else:
                samples.append(elapsed)
        counts: dict[str, int] = {}

        def floor(now=now, counts=counts):
            with rolled_back():
                counts.update(sweep_floor(now))

        fl, _ = timed(floor, repeat)
        m, f = median(samples), median(fl)
        changed = result.missed + result.reminded + sum(result.escalated.values())
        out.append(
            Measurement(
                name=f"诉求时限巡检 sweep {label}（回滚）",
                unit="ms",
                median=round(m * 1000, 1),
                samples=_ms(samples),
                floor="5 raw SQL statements making the same clock flags, reminder marks, level changes "
                "and Escalation rows (no audit, notifications, supervision notices or batch locking)",
                floor_median=round(f * 1000, 1),
                ratio=round(m / f, 2) if f else None,
                queries=queries,
                rows=changed,
                notes=str(result),
                extra={
                    "missed": result.missed,
                    "reminded": result.reminded,
                    "escalated": result.escalated,
                    "floor_rows": counts,
                    "floor_samples": _ms(fl),
                },
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Excel import of N enterprises vs openpyxl's bare read of the same file
# --------------------------------------------------------------------------------------------
def _org_body(i: int) -> str:
    """A unique 8-character organisation-code body per i: "MB" + i in base 31 (the generator's
    codes start with "MA", so the file's enterprises are all new)."""
    from zhuqi.scale.generate import _GB11714_ALPHABET as A

    digits = []
    for _ in range(6):
        i, r = divmod(i, len(A))
        digits.append(A[r])
    return "MB" + "".join(reversed(digits))


def enterprise_workbook(n: int, county, seed: int = 5) -> bytes:
    """An import file of `n` new enterprises in `county`'s grids, with valid, unique credit codes."""
    import random

    import xlsxwriter

    from zhuqi.core.models import Region
    from zhuqi.enterprises.importers import EnterpriseImporter
    from zhuqi.scale.generate import credit_code

    rng = random.Random(seed)
    grids = list(
        Region.objects.filter(path__startswith=county.path, kind="grid").values_list("code", flat=True)
    )
    headers = [c.header for c in EnterpriseImporter.columns]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": False})
    ws = wb.add_worksheet("企业")
    ws.write_row(0, 0, headers)
    tags = ["", "", "专精特新", "高新技术企业"]
    for i in range(n):
        ws.write_row(
            i + 1,
            0,
            [
                f"导入测试{i:06d}机械有限公司",
                credit_code("91", county.code[:6], _org_body(i)),
                rng.choice(grids),
                rng.choice(["34", "26", "C", "13"]),
                "张三",
                "工业大道 8 号",
                rng.choice([50, 500, 5000]),
                "2018-05-01",
                rng.choice(["是", "否"]),
                "",
                12.5,
                rng.randint(5, 900),
                "李四",
                "13800000000",
                rng.choice(["", "头雁", "强雁", "雏雁"]),
                rng.choice(tags),
            ],
        )
    wb.close()
    return buf.getvalue()


def bench_import(users: dict, *, rows: int = 500, repeat: int | None = None) -> list[Measurement]:
    """Samples: 3 bare reads (after a warm-up one) always; 3 dry-runs and 3 applied imports up
    to 20,000 rows, one of each above that, so that 100,000 rows stays within a few minutes on
    the shared machine."""
    from openpyxl import load_workbook

    from zhuqi.enterprises.importers import EnterpriseImporter

    actor = users["dispatch"] or users["admin"]
    data = enterprise_workbook(rows, users["county"])

    def bare():
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        return n

    def dry():
        result = EnterpriseImporter(actor).run(data, dry_run=True)
        if result.errors:
            raise AssertionError(f"import errors: {[str(e) for e in result.errors[:3]]}")
        return result

    applied: list[float] = []
    counted: list[int] = []

    def apply():
        with rolled_back(), _capture() as ctx:
            started = time.perf_counter()
            result = EnterpriseImporter(actor).run(data, dry_run=False)
            applied.append(time.perf_counter() - started)
            if result.created != rows:
                raise AssertionError(f"created {result.created} of {rows}: {result.errors[:3]}")
        counted.append(ctx.count)

    big = rows > 20_000
    floor, _ = timed(bare, 3, warmup=1)
    repeat = repeat or (1 if big else 3)
    dry_samples, _ = timed(dry, repeat, warmup=0)
    for _ in range(repeat):
        apply()
    f = median(floor)
    out = []
    for name, samples, queries in (
        (f"Excel 导入 {rows:,} 家企业（预览 dry-run）", dry_samples, None),
        (f"Excel 导入 {rows:,} 家企业（写入，回滚）", applied, counted[0]),
    ):
        m = median(samples)
        out.append(
            Measurement(
                name=name,
                unit="ms",
                median=round(m * 1000, 1),
                samples=_ms(samples),
                floor="openpyxl read-only load + iter_rows(values_only) of the same file",
                floor_median=round(f * 1000, 1),
                ratio=round(m / f, 2) if f else None,
                queries=queries,
                rows=rows,
                extra={"per_row_ms": round(m * 1000 / rows, 4), "floor_samples": _ms(floor)},
            )
        )
    return out

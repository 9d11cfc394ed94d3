"""Indicator benchmarks (issue #13, item 12): the rollup of one indicator for one month over a
county and over the province against hand-written SQL; saving one enterprise's return
(`services.submit_return`); writing 50,000 values through `services.record_values` (what a
department table import does after reading the file) against a bare bulk insert of the same
rows. Writes are rolled back."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from openpyxl import load_workbook

from .benchmarks import Measurement, _floor_insert, against_floor, median, rolled_back, timed

BUDGET_ROLLUP_MS = 300
BUDGET_SAVE_MS = 100


def _last_month(code: str = "gross_output") -> str:
    from zhuqi.indicators.models import Value

    return (
        Value.objects.filter(indicator__code=code, period_type="M", enterprise__isnull=False)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def rollup(user, indicator, period: str, parent_path: str) -> dict[str, dict[str, Decimal]]:
    """The rollup a dispatch page needs (what ours runs until `indicators.figures` lands): for
    each child region of `parent_path`, Σ cumulative of the enterprises in its subtree, and the
    same-panel (同口径) pair: Σ cumulative and Σ last year's cumulative over the enterprises
    that have last year's figure. Scoped by `visible_to(user)`. Grouped in SQL by the child's
    path prefix when the children's paths have one length (administrative codes of a level do),
    else by region path and folded into the children in Python."""
    from django.db.models import Q, Sum
    from django.db.models.functions import Substr

    from zhuqi.core.models import Region
    from zhuqi.indicators.models import Value

    depth = parent_path.count("/") + 1
    lengths = {
        len(p)
        for p in Region.objects.filter(
            path__startswith=parent_path, depth=parent_path.count("/")
        ).values_list("path", flat=True)
    }
    qs = Value.objects.visible_to(user).filter(
        indicator=indicator, period=period, enterprise__isnull=False, region_path__startswith=parent_path
    )
    key = "region_path"
    if len(lengths) == 1:
        qs, key = qs.annotate(child=Substr("region_path", 1, lengths.pop())), "child"
    rows = (
        qs.values(key)
        .annotate(
            total=Sum("cumulative"),
            panel=Sum("cumulative", filter=Q(last_year_cumulative__isnull=False)),
            last=Sum("last_year_cumulative"),
        )
        .order_by()
    )
    out: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"total": Decimal(0), "panel": Decimal(0), "last": Decimal(0)}
    )
    for r in rows:
        child = "/".join(r[key].split("/")[:depth]) + "/"
        for k in ("total", "panel", "last"):
            out[child][k] += r[k] or 0
    for figures in out.values():
        last = figures["last"]
        figures["growth"] = (figures["panel"] - last) * 100 / abs(last) if last else None
    return dict(out)


# the floor: the same sums grouped by the child's path prefix, no scope joins, no Python folding
_ROLLUP_SQL = """
SELECT substr(region_path, 1, %s) AS child,
       SUM(cumulative),
       SUM(CASE WHEN last_year_cumulative IS NOT NULL THEN cumulative END),
       SUM(last_year_cumulative)
FROM indicators_value
WHERE indicator_id = %s AND period = %s AND enterprise_id IS NOT NULL AND region_path LIKE %s
GROUP BY 1
"""


def _child_prefix_len(parent_path: str) -> int:
    from zhuqi.core.models import Region

    child = Region.objects.filter(path__startswith=parent_path, depth=parent_path.count("/")).first()
    return len(child.path) if child else len(parent_path)


def bench_rollup(users: dict, *, repeat: int = 10) -> list[Measurement]:
    from zhuqi.indicators.models import Indicator

    period = _last_month()
    if period is None:
        raise RuntimeError("no indicator values: generate with the `indicators` part")
    ind = Indicator.objects.get(code="gross_output")
    out = []
    for who in ("dispatch", "admin"):
        user = users.get(who)
        if user is None:
            continue
        parent = users["county"].path if who == "dispatch" else f"{users['province']}/"
        n = _child_prefix_len(parent)

        def ours(user=user, parent=parent):
            return rollup(user, ind, period, parent)

        def floor(parent=parent, n=n):
            with connection.cursor() as cur:
                cur.execute(_ROLLUP_SQL, [n, ind.pk, period, parent + "%"])
                return cur.fetchall()

        samples, result = timed(ours, repeat)
        fl, raw = timed(floor, repeat)
        ours_total = sum(f["total"] for f in result.values())
        floor_total = sum(Decimal(str(r[1] or 0)) for r in raw)
        if abs(ours_total - floor_total) > Decimal("0.5"):
            raise AssertionError(f"rollup disagrees with the hand-written SQL: {ours_total} vs {floor_total}")
        from zhuqi.indicators.models import Value

        rows = Value.objects.filter(
            indicator=ind, period=period, enterprise__isnull=False, region_path__startswith=parent
        ).count()
        m = against_floor(
            f"指标汇总 工业总产值 {period}（Σ累计、同口径增速，按下级区划）[{who}]",
            samples,
            fl,
            "hand-written GROUP BY substr(region_path) over the same values (no scope join)",
            rows=rows,
            notes=f"budget < {BUDGET_ROLLUP_MS} ms: {'met' if median(samples) * 1000 < BUDGET_ROLLUP_MS else 'MISSED'}",
        )
        out.append(m)
    return out


def bench_dispatch_page(users: dict, *, repeat: int = 10) -> list[Measurement]:
    """The 经济指标调度 page itself (every indicator's figure for the viewer's region, the chosen
    indicator by region / 包抓 department / 包抓 leader, the laggards), GET as the county's
    dispatch officer and as the province administrator, against the hand-written rollup of
    the chosen indicator (its floor: one GROUP BY over the same values)."""
    from zhuqi.indicators import rollups
    from zhuqi.indicators.models import Indicator, RollupPair

    from .benchmarks import _client, _get

    period = _last_month()
    ind = Indicator.objects.get(code="gross_output")
    out = []
    for who in ("dispatch", "admin"):
        user = users.get(who)
        if user is None:
            continue
        parent = users["county"].path if who == "dispatch" else f"{users['province']}/"
        n = _child_prefix_len(parent)
        client = _client(user)

        def floor(parent=parent, n=n):
            with connection.cursor() as cur:
                cur.execute(_ROLLUP_SQL, [n, ind.pk, period, parent + "%"])
                return cur.fetchall()

        fl, _raw = timed(floor, repeat)
        rollups.refresh(everything=not RollupPair.objects.exists())
        for by, stale in (("region", False), ("region", True), ("department", False), ("leader", False)):
            url = f"/indicators/dispatch/?period={period}&indicator=gross_output&by={by}"
            if stale:  # as right after a write, before the rollup job: the values are read
                _mark_period_stale(period)
            status, queries, size = _get(client, url)
            if status != 200:
                raise AssertionError(f"{url} as {who}: {status}")
            samples, _r = timed(lambda url=url, client=client: client.get(url), repeat)
            if stale:
                rebuild, _r = timed(lambda: (_mark_period_stale(period), rollups.refresh()), 3)
                rollups.refresh()
                out.append(
                    Measurement(
                        name=f"指标汇总重建：{period} 及上年同期全部指标 [{who}]",
                        unit="ms",
                        median=round(median(rebuild) * 1000, 2),
                        samples=[round(x * 1000, 3) for x in rebuild],
                        notes="what the rollup job pays after a month's returns are written",
                    )
                )
            how = "，汇总待重建（读明细）" if stale else ""
            out.append(
                against_floor(
                    f"经济指标调度页 {period} 按{dict(region='区划', department='包抓部门', leader='包抓领导')[by]}{how} [{who}]",
                    samples,
                    fl,
                    "hand-written GROUP BY substr(region_path) of 工业总产值 over the same values",
                    queries=queries,
                    extra={"bytes": size},
                    notes=f"budget < {BUDGET_ROLLUP_MS} ms: "
                    f"{'met' if median(samples) * 1000 < BUDGET_ROLLUP_MS else 'MISSED'}",
                )
            )
    return out


def _mark_period_stale(period: str) -> None:
    from zhuqi.indicators import rollups
    from zhuqi.indicators.models import Indicator
    from zhuqi.indicators.periods import Period

    p = Period.parse(period)
    last = Period(p.year - 1, p.type, p.index).code
    rollups.mark_stale(
        [(i, c) for i in Indicator.objects.values_list("pk", flat=True) for c in (period, last)]
    )


def bench_submit_return(users: dict, *, repeat: int = 15) -> list[Measurement]:
    """One enterprise's return for the last month (on its behalf, by the county's dispatch
    officer): 7 indicators through `submit_return`, rolled back each time."""
    from django.test.utils import CaptureQueriesContext

    from zhuqi.enterprises.models import Enterprise
    from zhuqi.indicators import services
    from zhuqi.indicators.models import DataSet, Report, Value
    from zhuqi.indicators.periods import Period

    user, county = users["dispatch"], users["county"]
    ds = DataSet.objects.filter(region=county).first()
    if ds is None:
        raise RuntimeError("no data set in the county: generate with the `indicators` part")
    period = Period.parse(_last_month())
    above = Enterprise.objects.filter(region_path__startswith=county.path, above_scale=True).order_by("pk")
    reported = Report.objects.filter(dataset=ds, period=period.code).values("enterprise")
    items = list(ds.items.select_related("indicator"))
    out = []
    for label, ent in (
        ("首次报送", above.exclude(pk__in=reported).first()),
        ("更正重报", above.filter(pk__in=reported).first()),
    ):
        if ent is None:
            continue
        prev = dict(
            Value.objects.filter(enterprise=ent, period=period.previous().code).values_list(
                "indicator", "cumulative"
            )
        )
        figures = {}
        for item in items:
            ind = item.indicator
            base = prev.get(ind.pk) or Decimal(100)
            if ind.aggregation == "sum":
                figures[ind.pk] = {"cumulative": base + Decimal("123.4"), "explanation": "基准测试"}
            else:
                figures[ind.pk] = {"value": base, "explanation": "基准测试"}

        def save(ent=ent, figures=figures):
            with rolled_back():
                services.submit_return(ds, ent, period, figures, actor=user, source="behalf")

        cpu = time.process_time()
        samples, _ = timed(save, repeat)
        cpu_ms = (time.process_time() - cpu) * 1000 / (repeat + 1)
        with CaptureQueriesContext(connection) as ctx:
            save()
        m = median(samples) * 1000
        out.append(
            Measurement(
                name=f"保存一户企业月报（submit_return，{len(items)} 项指标，{label}）[dispatch]",
                unit="ms",
                median=round(m, 2),
                samples=[round(s * 1000, 3) for s in samples],
                queries=len(ctx.captured_queries),
                rows=len(items),
                notes=f"budget < {BUDGET_SAVE_MS} ms: {'met' if m < BUDGET_SAVE_MS else 'MISSED'}; "
                f"this process's CPU {cpu_ms:.0f} ms a save (the rest: PostgreSQL and waiting for a core)",
            )
        )
    return out


def _import_entries(rows: int):
    """`rows` entries of the kind a department table holds: period values of every enterprise
    for this month and the next two (new rows), as an import hands them to record_values."""
    from zhuqi.enterprises.models import Enterprise
    from zhuqi.indicators.models import Indicator, Value
    from zhuqi.indicators.periods import Period
    from zhuqi.indicators.services import Entry

    last = Period.parse(_last_month())
    periods = [last.next(), last.next().next(), last.next().next().next()]
    codes = ["gross_output", "revenue", "profit", "tax", "taxable_sales", "power", "energy", "employees"]
    inds = {i.pk: i for i in Indicator.objects.filter(code__in=codes)}
    ents = list(Enterprise.objects.order_by("pk")[: rows // (len(periods) * len(inds)) + 1])
    ly = {
        (v[0], v[1], v[2]): v[3]
        for v in Value.objects.filter(
            enterprise__in=ents, indicator__in=inds, period__in=[p.last_year().code for p in periods]
        ).values_list("enterprise", "indicator", "period", "value")
    }
    entries = []
    for p in periods:
        for ent in ents:
            for pk, ind in inds.items():
                base = ly.get((ent.pk, pk, p.last_year().code)) or Decimal(10)
                value = (
                    base if ind.aggregation != "sum" else (base * Decimal("1.05")).quantize(Decimal("0.1"))
                )
                entries.append(
                    Entry(
                        ind,
                        p,
                        enterprise=ent,
                        value=value,
                        explanation="部门导入",
                        row=f"第{len(entries) + 2}行",
                    )
                )
                if len(entries) >= rows:
                    return entries
    return entries


def bench_record_values(users: dict, *, rows: int = 50_000, repeat: int = 2) -> list[Measurement]:
    """50,000 values through record_values (checks, derivations, last year's pair, audit) against
    inserting the same rows, pre-built, into an empty copy of the value table."""
    from zhuqi.indicators import services
    from zhuqi.indicators.models import Value

    entries = _import_entries(rows)
    n = len(entries)

    def write():
        with rolled_back():
            services.record_values(entries, actor=users["admin"], source="import", import_job="bench")
            return Value.objects.filter(import_job="bench").count()

    samples, written = timed(write, repeat, warmup=0)
    if written != n:
        raise AssertionError(f"record_values wrote {written} of {n}")
    # the floor: the same rows as tuples (as the service finally writes them)
    with rolled_back():
        services.record_values(entries, actor=None, source="generated", import_job="bench")
        columns = [f.column for f in Value._meta.concrete_fields]
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM indicators_value "
                "WHERE import_job = %s",
                ["bench"],
            )
            prebuilt = cur.fetchall()
    floors = [_floor_insert("indicators_value", prebuilt, columns) for _ in range(repeat)]
    data = department_workbook(entries)

    def bare():
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        count = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        return count

    reads, _ = timed(bare, repeat)
    return [
        against_floor(
            f"写入指标值 {n:,} 行 对 openpyxl 只读读取同样行数的部门表",
            samples,
            reads,
            "openpyxl read-only load + iter_rows(values_only) of a department table of the same rows "
            "(credit code, name, period, indicator, value)",
            rows=n,
            notes="budget: the whole import (read + record_values) ≤ 3× the bare read, i.e. this ratio ≤ 2",
        ),
        against_floor(
            f"写入指标值 {n:,} 行（record_values：校验、推算、上年同期、审计）",
            samples,
            floors,
            ("COPY" if connection.vendor == "postgresql" else "executemany INSERT")
            + " of the same rows, pre-built, into an empty copy of the table (with its indexes on PostgreSQL)",
            rows=n,
            notes="the department-table importer is not on main yet: this is the write it will call",
        ),
    ]


def tax_table(rows: int, periods: list[str]) -> tuple[bytes, int]:
    """税务's table as a department uploads it: 统一社会信用代码 · 企业名称 · 期间 · 入库税收（当期）
    · 情况说明, one enterprise and month a row, up to `rows` rows over `periods` (months with no
    values yet: every row is a new value); the file and its number of rows."""
    import xlsxwriter

    from zhuqi.enterprises.models import Enterprise

    per = rows // len(periods) + 1
    ents = list(Enterprise.objects.order_by("pk").values_list("credit_code", "name")[:per])
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("税务")
    ws.write_row(0, 0, ["统一社会信用代码", "企业名称", "期间", "入库税收（当期）", "情况说明"])
    n = 0
    for p in periods:
        for code, name in ents:
            if n == rows:
                break
            n += 1
            ws.write_row(n, 0, [code, name, p, 12.5 + n % 97, "按税务局数据"])
    wb.close()
    return buf.getvalue(), n


def department_import_case(users: dict, rows: int = 50_000):
    """The department-table import the bench times: (rows, bare, run) — the row count of a
    税务 table of `rows` (fewer where the data set has fewer enterprises), openpyxl's bare read of
    it, and its whole import (`EnterpriseValuesImporter.run`, not a dry run; the foreign keys
    checked as at commit, then rolled back). Shared with `bench.profile_department_import`."""
    from django.db.models import Min

    from zhuqi.indicators.importers import EnterpriseValuesImporter
    from zhuqi.indicators.models import Value
    from zhuqi.indicators.periods import Period

    # the first months of the year before the data set's first: every row a new value, none in
    # the future, no last year to compare with
    year = (Value.objects.aggregate(y=Min("year"))["y"] or dt.date.today().year) - 1
    periods = [Period.month(year, m).code for m in (1, 2, 3)]
    data, rows = tax_table(rows, periods)

    def bare():
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        count = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        return count

    def run():
        with rolled_back():
            result = EnterpriseValuesImporter(users["admin"]).run(io.BytesIO(data), dry_run=False)
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:  # the deferred foreign-key checks of the commit
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if result.errors or result.created != rows:
            raise AssertionError(f"import: {result.created} created, errors {result.errors[:3]}")
        return result

    return rows, bare, run


def bench_department_import(users: dict, *, rows: int = 50_000, repeat: int = 3) -> list[Measurement]:
    """The whole import of a 50,000-row department table (read, parse, match by credit code,
    check, write, audit: `department_import_case`) against openpyxl's bare read of the same
    file, the two interleaved so both see the same machine."""
    from django.db import connection

    rows, bare, run = department_import_case(users, rows)

    def vacuum() -> None:
        # each sample is rolled back and leaves 50,000 dead rows whose index entries the next
        # sample's reads would walk; a real import commits once and meets no such pile (untimed)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (a test's transaction)
            with connection.cursor() as cur:
                cur.execute("VACUUM indicators_value")

    run()  # warm-up (caches, the first compile of every statement)
    vacuum()
    samples, reads = [], []
    for _ in range(repeat):
        reads += timed(bare, 1, warmup=0)[0]
        samples += timed(run, 1, warmup=0)[0]
        vacuum()
    return [
        against_floor(
            f"导入部门指标表 {rows:,} 行（税务入库税收，整个导入）对 openpyxl 只读读取同一文件",
            samples,
            reads,
            "openpyxl read-only load + iter_rows(values_only) of the same .xlsx, interleaved with the imports",
            rows=rows,
            notes="budget: ≤ 3× the bare read",
        )
    ]


def department_workbook(entries) -> bytes:
    """A department's table of `entries`, one value a row, as an .xlsx file."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("部门数据")
    ws.write_row(0, 0, ["统一社会信用代码", "企业名称", "期间", "指标", "数值"])
    for i, e in enumerate(entries, start=1):
        ws.write_row(
            i,
            0,
            [e.enterprise.credit_code, e.enterprise.name, e.period.code, e.indicator.name, float(e.value)],
        )
    wb.close()
    return buf.getvalue()


def bench_indicators(users: dict, *, repeat: int = 10, rows: int = 50_000) -> list[Measurement]:
    started = dt.datetime.now()
    out = bench_rollup(users, repeat=repeat)
    out += bench_dispatch_page(users, repeat=repeat)
    out += bench_submit_return(users, repeat=max(5, repeat))
    out += bench_department_import(users, rows=rows)
    out += bench_record_values(users, rows=rows)
    for m in out:
        m.extra["started"] = started.isoformat(timespec="seconds")
    return out

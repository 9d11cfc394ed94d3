"""The department-table import of `bench_indicators.department_import_case` phase by phase
(issue #13): `Importer.run`'s steps called one by one on the same 50,000-row 税务 table, each
timed in wall-clock and process CPU seconds, the write rolled back after the deferred
foreign-key checks; the bare openpyxl read after each run. The cyclic collector is off during
the import, as `Importer.run` has it (`core.excel.gc_paused`).

    DATABASE_URL=postgres://…/zhuqi_city PYTHONPATH=src:. python -m bench.department_import_phases [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.department_import_phases")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from .run import _setup

    _setup()
    from django.db import connection
    from django.db.models import Min
    from openpyxl import load_workbook

    from zhuqi.core import excel
    from zhuqi.indicators import services
    from zhuqi.indicators.importers import EnterpriseValuesImporter
    from zhuqi.indicators.models import Value
    from zhuqi.indicators.periods import Period

    from .bench_indicators import tax_table
    from .benchmarks import generated_users, rolled_back

    year = (Value.objects.aggregate(y=Min("year"))["y"] or 2026) - 1
    data, _rows = tax_table(args.rows, [Period.month(year, m).code for m in (1, 2, 3)])
    admin = generated_users()["admin"]
    times: dict[str, tuple[list[float], list[float]]] = {}

    @contextmanager
    def phase(name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        walls, cpus = times.setdefault(name, ([], []))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)

    for _ in range(args.repeat):
        imp = EnterpriseValuesImporter(admin)
        with excel.gc_paused(), phase("total"):
            with phase("guard scan (check_workbook)"):
                excel.check_workbook(data)
            with phase("read (openpyxl + _read_rows)"):
                wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                raw_rows, _errors = imp._read_rows(wb.worksheets[0])
                wb.close()
            with phase("parse_row"):
                parsed = [(n, imp.parse_row(n, raw)[0]) for n, raw in raw_rows]
            with phase("prepare"):
                imp.prepare(parsed)
            with phase("clean_row"):
                seen: dict = {}
                clean = []
                for n, row in parsed:
                    row = imp.clean_row(n, row, seen)
                    row["_row"] = n
                    clean.append(row)
            with rolled_back():
                with phase("entries"):
                    entries, _where = imp.entries(clean)
                with phase("record_values"):
                    services.record_values(entries, actor=admin, source=imp.source, import_job="b" * 32)
                with phase("deferred foreign-key checks"), connection.cursor() as cur:
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with phase("bare read"):
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
            wb.close()
    for name, (walls, cpus) in times.items():
        print(
            f"{name:32s} wall {statistics.median(walls):7.3f} s  CPU {statistics.median(cpus):7.3f} s  "
            f"(CPU samples {[round(c, 2) for c in cpus]})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Profile the department-table import of `bench_indicators.bench_department_import` (issue #13):
the same 50,000-row 税务 table, one real run (rolled back) under cProfile, then the timed
interleaved comparison against openpyxl's bare read, with this process's CPU time beside the
wall clock.

    DATABASE_URL=postgres://…/zhuqi_city PYTHONPATH=src python -m bench.profile_department_import \
        [--rows 50000] [--repeat 3] [--profile var/import.prof] [--top 40]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_department_import")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", default="", help="write the cProfile stats here")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--collect",
        action="store_true",
        help="a full gc.collect() before each timed call, timed on its own after each import: the "
        "cyclic garbage an import leaves is then charged to it, not to the next bare read",
    )
    parser.add_argument(
        "--vacuum",
        action="store_true",
        help="VACUUM the values table after each import (untimed): every rolled-back import leaves "
        "50,000 dead rows whose index entries the next import's reads walk through",
    )
    args = parser.parse_args(argv)

    from .run import _setup

    _setup()
    from .bench_indicators import department_import_case
    from .benchmarks import generated_users

    rows, bare, run = department_import_case(generated_users(), args.rows)

    def vacuum() -> None:
        from django.db import connection

        if args.vacuum and connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM indicators_value")

    vacuum()
    run()  # warm-up
    vacuum()
    if not args.no_profile:
        prof = cProfile.Profile()
        prof.enable()
        run()
        prof.disable()
        if args.profile:
            prof.dump_stats(args.profile)
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    walls, cpus, reads, collects = [], [], [], []
    for _ in range(args.repeat):
        if args.collect:
            gc.collect()
        t = time.perf_counter()
        bare()
        reads.append(time.perf_counter() - t)
        if args.collect:
            gc.collect()
        t, c = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        if args.collect:
            t = time.perf_counter()
            gc.collect()
            collects.append(time.perf_counter() - t)
        vacuum()
    wall, cpu, read = (statistics.median(x) for x in (walls, cpus, reads))
    if collects:
        print(f"gc.collect() after each import: {[round(x * 1000) for x in collects]} ms")
    print(
        f"rows {rows}: import {wall * 1000:.0f} ms (samples {[round(w * 1000) for w in walls]}), "
        f"CPU {cpu * 1000:.0f} ms; bare read {read * 1000:.0f} ms "
        f"(samples {[round(r * 1000) for r in reads]}); ratio {wall / read:.2f}×, CPU ratio {cpu / read:.2f}×"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

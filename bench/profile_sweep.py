"""Profile the SLA sweep of `bench_sweep_import.bench_sweep` (issue #19): one run "today" or
three days later (rolled back) under cProfile, then the timed comparison against `sweep_floor`
in the same process, with this process's CPU time beside the wall clock.

    DATABASE_URL=postgres://…/zhuqi_city PYTHONPATH=src:. python -m bench.profile_sweep \
        [--days 0] [--repeat 2] [--profile var/sweep.prof] [--top 40] [--no-profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import statistics
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_sweep")
    parser.add_argument("--days", type=int, default=0, help="sweep this many days after now (3: the backlog)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--profile", default="", help="write the cProfile stats here")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)

    from .run import _setup

    _setup()
    from django.utils import timezone

    from zhuqi.cases.sweep import sweep

    from .bench_sweep_import import sweep_floor
    from .benchmarks import rolled_back

    now = timezone.now() + dt.timedelta(days=args.days)

    def run():
        with rolled_back():
            return sweep(now)

    def floor():
        with rolled_back():
            return sweep_floor(now)

    print(run())  # warm-up
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
    walls, cpus, floors = [], [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        floor()
        floors.append(time.perf_counter() - t)
        t, c = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    wall, cpu, fl = (statistics.median(x) for x in (walls, cpus, floors))
    print(
        f"sweep {wall * 1000:.0f} ms (samples {[round(w * 1000) for w in walls]}), CPU {cpu * 1000:.0f} ms; "
        f"floor {fl * 1000:.0f} ms (samples {[round(f * 1000) for f in floors]}); "
        f"ratio {wall / fl:.2f}×, CPU ratio {cpu / fl:.2f}×"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Profile one case intake in-process (issue #19 item 1): POST /api/v1/cases/ through the whole
Django stack (middleware, token auth, DRF, `create_case`, the after-commit work) with the test
client, as `bench.load`'s intake scenario sends it: the queries of one intake listed, then
`--repeat` intakes timed (this process's CPU time and the wall clock) and, unless
`--no-profile`, one cProfile over `--profile-n` intakes. The cases written stay (as under load).

    DATABASE_URL=postgres://…/zhuqi_city PYTHONPATH=src:. python -m bench.profile_intake \
        [--repeat 200] [--profile-n 200] [--top 40] [--no-profile] [--sql]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import statistics
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_intake")
    parser.add_argument("--repeat", type=int, default=200, help="timed intakes")
    parser.add_argument("--profile-n", type=int, default=200, help="intakes under cProfile")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print each query of one intake in full")
    args = parser.parse_args(argv)

    from .run import _setup

    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from .load import prepare

    config = prepare(intake_officers=1)
    client_cfg = config["scenarios"]["intake"]["clients"][0]
    rng = random.Random(1)
    http = Client(HTTP_AUTHORIZATION=client_cfg["headers"]["Authorization"], HTTP_HOST="127.0.0.1")

    def intake() -> None:
        body = {
            "enterprise": rng.choice(client_cfg["enterprises"]),
            "title": "[压测] 用电报装周期长",
            "description": "企业新建车间需要增容变压器，申请两个月仍未接电，影响投产。",
            "channel": "h12345",
            "urgency": "normal",
            "category": rng.choice(client_cfg["categories"]),
        }
        response = http.post("/api/v1/cases/", data=json.dumps(body), content_type="application/json")
        assert response.status_code == 201, (response.status_code, response.content[:300])

    for _ in range(60):  # warm-up: caches (recipients are kept per region), the connection
        intake()
    with CaptureQueriesContext(connection) as ctx:
        intake()
    print(f"queries per intake: {len(ctx.captured_queries)}")
    for i, q in enumerate(ctx.captured_queries, 1):
        sql = q["sql"] if args.sql else " ".join(q["sql"].split())[:160]
        print(f"{i:3d}. {q['time']:>6} s  {sql}")

    wall, cpu = [], []
    for _ in range(args.repeat):
        w, c = time.perf_counter(), time.process_time()
        intake()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    print(
        f"{args.repeat} intakes: wall median {statistics.median(wall):.2f} ms,"
        f" this process's CPU median {statistics.median(cpu):.2f} ms"
    )
    if not args.no_profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.profile_n):
            intake()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How long each migration takes on a populated database (issue #19 item 9): for every app, the
longest run (at most --max) of its latest migrations that can be unapplied (schema operations only, and
every migration of another app that depends on them too) is unapplied, then everything is
applied again; each step's time is printed as `migrate -v 2` prints it, and collected in a
table sorted by the time applied.

Run it on a COPY of the province database (it changes the schema back and forth):

    createdb -h 127.0.0.1 -U postgres -T prov mig_prov
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mig_prov PYTHONPATH=src:. \\
        python -m bench.migration_timings [--apps cases,indicators] [--max 6]

A migration whose forward step rebuilds nothing large takes milliseconds; what matters is the
few that touch a large table (an index built, a column added with a default, a backfill): their
times here, with the table's size, are what an upgrade of a live province costs.
"""

from __future__ import annotations

import argparse
import io
import re
import time

LINE = re.compile(r"(Applying|Unapplying) (\S+)\.\.\. OK \(([\d.]+)s\)")


def reversible(plan) -> bool:
    """Schema operations only: a data migration's reverse would delete or rewrite the data the
    forward step is to be timed on."""
    from django.db.migrations.operations.special import RunPython, RunSQL

    return all(
        op.reversible and not isinstance(op, RunPython | RunSQL)
        for m, _backwards in plan
        for op in m.operations
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.migration_timings")
    parser.add_argument("--apps", default="", help="comma-separated app labels (default: every zhuqi app)")
    parser.add_argument("--max", type=int, default=4, help="at most this many migrations back per app")
    args = parser.parse_args(argv)

    from .run import _setup

    _setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    labels = [a for a in args.apps.split(",") if a] or [
        c.label for c in apps.get_app_configs() if c.name.startswith("zhuqi.")
    ]
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    targets: dict[str, str] = {}
    for label in labels:
        leaves = graph.leaf_nodes(label)
        if not leaves:
            continue
        chain = [n for a, n in graph.forwards_plan(leaves[0]) if a == label]
        best = None
        for k in range(1, min(args.max, len(chain) - 1) + 1):
            target = chain[-k - 1]
            plan = executor.migration_plan([(label, target)])
            if not reversible(plan):
                break
            best = target
        if best:
            targets[label] = best
    print("unapplying back to:", ", ".join(f"{a}.{n}" for a, n in targets.items()))
    times: dict[str, list[float]] = {}
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print("database size:", cur.fetchone()[0])
    t0 = time.perf_counter()
    for label, target in targets.items():
        out = io.StringIO()
        call_command("migrate", label, target, verbosity=2, stdout=out, no_color=True)
        for _verb, name, seconds in LINE.findall(out.getvalue()):
            times.setdefault(name, [0.0, 0.0])[1] = float(seconds)
    out = io.StringIO()
    call_command("migrate", verbosity=2, stdout=out, no_color=True)
    for _verb, name, seconds in LINE.findall(out.getvalue()):
        times.setdefault(name, [0.0, 0.0])[0] = float(seconds)
    print(f"total {time.perf_counter() - t0:.1f} s for {len(times)} migrations\n")
    print("| migration | apply (s) | unapply (s) |\n|---|---:|---:|")
    for name, (fwd, back) in sorted(times.items(), key=lambda kv: -kv[1][0]):
        print(f"| {name} | {fwd:.3f} | {back:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

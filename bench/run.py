"""`make bench` / `python -m bench.run`: generate a data set if the database has none, run the
benchmarks, print a summary table and write JSON (and the table) to bench/out/.

    python -m bench.run --scale county                # SQLite file var/bench.sqlite3
    DATABASE_URL=postgres://…/zhuqi_bench python -m bench.run --scale city
    python -m bench.run --only pages,queries          # a subset

Without DATABASE_URL it uses its own SQLite file (var/bench.sqlite3), never the demo database.
The generator refuses a database holding data it did not write.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
BENCHES = [
    "generator",
    "pages",
    "queries",
    "cases",
    "dashboards",
    "figures",
    "indicators",
    "mu",
    "policies",
    "oversight",
    "attraction",
    "cockpit",
    "import",
    "sweep",
    "load",
]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuqi.settings")
    os.environ.setdefault("ZHUQI_HOME", str(ROOT))
    # persistent connections, as in production (settings: 60 s there, 0 in development)
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    if not os.environ.get("DATABASE_URL"):
        (ROOT / "var").mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    import django

    django.setup()


def machine() -> dict:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False).stdout.strip()  # noqa: S603
        except OSError:
            return ""

    return {
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "memory": run("free", "-h").splitlines()[1] if run("free", "-h") else "",
        "commit": run("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
        "dirty": bool(run("git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no")),
        "load": os.getloadavg(),
    }


def database() -> dict:
    from django.db import connection

    info = {"vendor": connection.vendor}
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            info["version"] = cur.fetchone()[0]
            info["name"] = connection.settings_dict["NAME"]
        else:
            cur.execute("select sqlite_version()")
            info["version"] = cur.fetchone()[0]
            info["name"] = str(connection.settings_dict["NAME"])
    return info


def dataset() -> dict:
    from django.apps import apps

    from zhuqi.core.models import AuditEntry
    from zhuqi.scale.generate import EVENT

    entry = AuditEntry.objects.filter(action="import", event=EVENT).order_by("id").last()
    counts = {}
    for label in ("core.Region", "core.User", "enterprises.Enterprise", "cases.Case", "projects.Project"):
        with contextlib.suppress(LookupError):
            counts[label] = apps.get_model(label).objects.count()
    return {"generated": entry.changes if entry else None, "counts": counts}


def table(results: list[dict]) -> str:
    lines = [
        "| benchmark | median | floor (best possible) | ratio | queries | rows | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        unit = r["unit"]
        med = f"{r['median']:,} {unit}" if r["median"] == r["median"] else "n/a"
        floor = f"{r['floor_median']:,} {unit}" if r.get("floor_median") is not None else ""
        ratio = f"{r['ratio']}×" if r.get("ratio") is not None else ""
        queries = "" if r.get("queries") is None else str(r["queries"])
        rows = "" if r.get("rows") is None else f"{r['rows']:,}"
        lines.append(
            f"| {r['name']} | {med} | {floor} | {ratio} | {queries} | {rows} | {r.get('notes', '')} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="county", help="data set to generate if the database has none")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default=",".join(BENCHES), help=f"benchmarks to run: {','.join(BENCHES)}")
    parser.add_argument("--repeat", type=int, default=15, help="samples per page benchmark")
    parser.add_argument("--import-rows", type=int, default=500)
    parser.add_argument(
        "--indicator-rows", type=int, default=50_000, help="values in the record_values bench"
    )
    parser.add_argument("--sweep-repeat", type=int, default=3, help="samples per sweep (1 on the stress set)")
    parser.add_argument(
        "--gen-enterprises", type=int, default=None, help="enterprises in the generator bench"
    )
    parser.add_argument("--gen-cases", type=int, default=None, help="cases in the generator bench")
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args(argv)
    _setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings, setup_test_environment

    from zhuqi.scale import generate as gen

    from . import bench_attraction as ba
    from . import bench_cockpit as bc
    from . import bench_indicators as bi
    from . import bench_mu as bm
    from . import bench_oversight as bo
    from . import bench_policies as bp
    from . import bench_sweep_import as si
    from . import benchmarks as b
    from . import load

    only = [x.strip() for x in args.only.split(",") if x.strip()]
    if not args.no_migrate:
        call_command("migrate", verbosity=0, interactive=False)
    results: list[b.Measurement] = []
    skipped: dict[str, str] = {}
    started = time.perf_counter()
    if not gen.generated_provinces():
        print(f"生成 {args.scale} 规模数据 …", file=sys.stderr)
        res = gen.generate(args.scale, seed=args.seed, verbosity=1)
        results.append(
            b.Measurement(
                name=f"生成器 初始数据集（{args.scale}，1 次）",
                unit="rows/s",
                median=round(res.rows / res.total_seconds),
                samples=[round(res.rows / res.total_seconds)],
                rows=res.rows,
                notes=f"{res.total_seconds:.1f} s; "
                + ", ".join(
                    f"{k} {v / res.seconds[k]:,.0f}/s" for k, v in res.counts.items() if res.seconds[k]
                ),
            )
        )
    scale = gen.SCALES.get(args.scale, gen.SCALES["county"])
    setup_test_environment()
    with override_settings(ZHUQI_ADMIN_2FA=False, ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        users = b.generated_users()
        steps = {
            "generator": lambda: b.bench_generator(
                enterprises=args.gen_enterprises or min(scale.enterprises, 20_000),
                cases=args.gen_cases if args.gen_cases is not None else min(scale.cases, 50_000),
            ),
            "pages": lambda: b.bench_pages(users, repeat=args.repeat),
            "queries": lambda: b.bench_query_growth(users),
            "cases": lambda: b.bench_case_pages(users, repeat=max(3, args.repeat // 2)),
            "dashboards": lambda: b.bench_dashboards(users, repeat=max(3, args.repeat // 3)),
            "figures": lambda: b.bench_figures(users, repeat=max(3, args.repeat // 2)),
            "indicators": lambda: bi.bench_indicators(
                users, repeat=max(5, args.repeat // 2), rows=args.indicator_rows
            ),
            "mu": lambda: bm.bench_mu(users, repeat=max(1, args.repeat // 5)),
            "policies": lambda: bp.bench_policies(users, repeat=max(5, args.repeat // 2)),
            "oversight": lambda: bo.bench_oversight(users, repeat=max(3, args.repeat // 3)),
            "attraction": lambda: ba.bench_attraction(users, repeat=args.repeat),
            "cockpit": lambda: bc.bench_cockpit(users, repeat=max(5, args.repeat // 2)),
            "import": lambda: si.bench_import(users, rows=args.import_rows),
            "sweep": lambda: si.bench_sweep(repeat=args.sweep_repeat),
            "load": lambda: load.bench_load(),  # HTTP under concurrent load: bench/load.py
        }
        for name in BENCHES:
            if name not in only:
                continue
            print(f"· {name}", file=sys.stderr)
            try:
                results.extend(steps[name]())
            except Exception as exc:  # a benchmark whose feature is missing or broken is reported
                skipped[name] = f"{type(exc).__name__}: {exc}"
                print(f"  跳过 {name}: {skipped[name]}", file=sys.stderr)
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "scale": args.scale,
        "machine": machine(),
        "database": database(),
        "dataset": dataset(),
        "seconds": round(time.perf_counter() - started, 1),
        "results": [m.as_dict() for m in results],
        "skipped": skipped,
    }
    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = f"{stamp}-{args.scale}-{report['database']['vendor']}"
    (OUT / f"{stem}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
    summary = table(report["results"])
    (OUT / f"{stem}.md").write_text(summary + "\n")
    print(summary)
    for name, why in skipped.items():
        print(f"not run: {name} — {why}")
    print(f"\n{OUT / stem}.json ({report['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

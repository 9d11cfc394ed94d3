"""zhuqi's intake beside django-helpdesk 2.6.1's bare ticket create (issue #19 item 1), in one
run: the same locust load (closed loop, same users and seconds), the same gunicorn workers and
threads, the same PostgreSQL server, alternating zhuqi and helpdesk `--rounds` times, CPU per
request from /proc for both. Target: zhuqi's req/s ≥ 2.5 × helpdesk's.

django-helpdesk is not a zhuqi dependency: it runs from its own virtualenv, with the minimal
project in `bench/helpdesk/` (token auth, DEBUG off, persistent connections, e-mail to the dummy
backend) and its own database:

    python3 -m venv /tmp/hd && /tmp/hd/bin/pip install django-helpdesk==2.6.1 pinax-teams \\
        'psycopg[binary]' gunicorn
    createdb -h 127.0.0.1 -U postgres helpdesk_bench
    DATABASE_URL=postgres://…/zhuqi_city PYTHONPATH=src:. python -m bench.helpdesk_load \\
        --python /tmp/hd/bin/python --helpdesk-db helpdesk_bench [--seconds 40] [--rounds 2]

Each helpdesk ticket is POST /helpdesk/api/tickets/ (queue, title, description, submitter
e-mail, priority) by a staff user's token: the API's TicketForm save — ticket, its first
follow-up, custom fields, the (template-less) e-mail step. No routing, deadlines, audit chain or
inbox notifications.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from .load import ROOT, answers, bench_load, free_port, run_locust, serve

HERE = ROOT / "bench" / "helpdesk"


def _helpdesk_env(python: str, database: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    env.update({"HELPDESK_DB": database, "DJANGO_SETTINGS_MODULE": "settings", "PYTHONPATH": str(HERE)})
    return env


def prepare_helpdesk(python: str, database: str) -> dict:
    """Migrate helpdesk's database; a staff user's token and the queue (setup_bench.py)."""
    out = subprocess.run(  # noqa: S603
        [python, str(HERE / "setup_bench.py")],
        env=_helpdesk_env(python, database),
        cwd=HERE,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def helpdesk_gunicorn(python: str, database: str, *, workers: int, threads: int, log: Path):
    port = free_port()
    cmd = [
        python,
        "-m",
        "gunicorn",
        "wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--chdir",
        str(HERE),
    ]
    base = f"http://127.0.0.1:{port}"
    # 401/403 without a token: it answers
    probe = answers(f"{base}/helpdesk/api/", any_status=True)
    env = _helpdesk_env(python, database)
    with serve(cmd, env=env, log=log, probe=probe, timeout=60, cwd=HERE, what="helpdesk's gunicorn") as pid:
        yield base, pid


def bench_helpdesk(
    python: str,
    database: str,
    *,
    users: int,
    seconds: int,
    workers: int,
    threads: int,
    workdir: Path,
    refused: bool = False,
) -> dict:
    """helpdesk's ticket create under the load; `refused`: the same POST with an empty body
    (400), the web stack's own cost of the endpoint."""
    setup = prepare_helpdesk(python, database)
    client = {"url": "/helpdesk/api/tickets/", "headers": {"Authorization": f"Token {setup['token']}"}}
    config = {
        "scenarios": {
            "helpdesk": {
                "kind": "helpdesk",
                "name": "helpdesk POST /helpdesk/api/tickets/",
                "clients": [{**client, "queue": setup["queue"]}],
                "refused": refused,
            }
        }
    }
    path = workdir / "helpdesk.json"
    path.write_text(json.dumps(config))
    with helpdesk_gunicorn(python, database, workers=workers, threads=threads, log=workdir / "hd.log") as (
        base,
        pid,
    ):
        body = json.dumps(
            {
                "queue": setup["queue"],
                "title": "热身",
                "description": "热身",
                "priority": 3,
                "submitter_email": "enterprise@example.com",
            }
        ).encode()
        for _ in range(2 * workers):  # warm-up, unmeasured
            req = urllib.request.Request(  # noqa: S310 - loopback only
                base + client["url"],
                data=body,
                headers={**client["headers"], "Content-Type": "application/json"},
            )
            with contextlib.suppress(OSError):
                urllib.request.urlopen(req, timeout=30).read()  # noqa: S310
        return run_locust(
            base,
            path,
            "helpdesk",
            users=users,
            seconds=seconds,
            workdir=workdir,
            server_pid=pid,
            database=database,
        )


def _line(name: str, r: dict) -> str:
    cpu = r.get("cpu_ms_per_request") or {}
    return (
        f"| {name} | {r['rps']} | {r['p50']:g} | {r['p99']:g} | {r['errors']} / {r['requests']} | "
        f"{cpu.get('app')} + {cpu.get('db')} + {cpu.get('client')}"
        + (f" + worker {cpu['worker']}" if "worker" in cpu else "")
        + " | "
        f"{r['load_before'][0]}→{r['load_after'][0]} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.helpdesk_load", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--python", required=True, help="the helpdesk virtualenv's python")
    parser.add_argument("--helpdesk-db", required=True, help="helpdesk's PostgreSQL database (same server)")
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--src", help="serve this zhuqi source tree instead of ./src")
    parser.add_argument("--redis", help="zhuqi as in production: this REDIS_URL and a Celery worker")
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument(
        "--floors",
        action="store_true",
        help="each round also sends both an empty form (refused with 400): the web stack's own cost",
    )
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    from .run import _setup

    _setup()
    rows: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="zhuqi-hd-") as tmp:
        workdir = Path(tmp)
        for n in range(1, args.rounds + 1):
            for what in ["intake", "refused"] if args.floors else ["intake"]:
                (z,) = bench_load(
                    only=[what],
                    seconds=args.seconds,
                    intake_users=args.users,
                    workers=args.workers,
                    threads=args.threads,
                    src=Path(args.src).resolve() if args.src else None,
                    redis=args.redis,
                    worker_concurrency=args.worker_concurrency,
                )
                name = "zhuqi intake" if what == "intake" else "zhuqi empty form (400)"
                rows.append((f"{name}, round {n}", {**z.extra}))
                h = bench_helpdesk(
                    args.python,
                    args.helpdesk_db,
                    users=args.users,
                    seconds=args.seconds,
                    workers=args.workers,
                    threads=args.threads,
                    workdir=workdir,
                    refused=what == "refused",
                )
                name = "helpdesk create" if what == "intake" else "helpdesk empty form (400)"
                rows.append((f"{name}, round {n}", h))
    print(
        "| run | req/s | p50 ms | p99 ms | errors / requests | CPU per request app + db + locust (+ worker) ms | load |"
    )
    print("|---|---:|---:|---:|---:|---|---|")
    for name, r in rows:
        print(_line(name, r))
    pairs = list(zip(rows[::2], rows[1::2], strict=True))
    for kind in ("intake", "empty form"):
        ratios = [z["rps"] / h["rps"] for (name, z), (_, h) in pairs if kind in name and h["rps"]]
        if ratios:
            print(
                f"zhuqi ÷ helpdesk req/s per round, {kind}: {', '.join(f'{x:.2f}' for x in ratios)};"
                f" median {statistics.median(ratios):.2f}" + (" (target ≥ 2.5)" if kind == "intake" else "")
            )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

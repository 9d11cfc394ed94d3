"""HTTP load benchmark: gunicorn with production settings on 127.0.0.1, driven by locust
(headless, bounded run time) on loopback.

    python -m bench.load                                  # all scenarios, default sizes
    python -m bench.load --only intake --seconds 60 --intake-users 16 --workers 4 --threads 4
    python -m bench.run --only load                       # the same, inside `make bench`

Scenarios, each reporting throughput, p50/p95/p99 latency and errors:

* intake   — POST /api/v1/cases/ (routing to the dispatch office, SLA clock from the work
             calendar, audit entries, notifications), token auth, dispatch officers of several
             counties, no think time (closed loop); the created cases stay (title「[压测] …」).
* inbox    — a department handler's /cases/inbox/ (session cookie)
* board    — the county dispatch officer's /cases/board/
* search   — /enterprises/?q=… for the same officer
* caselist — /api/v1/cases/?cursor=… about 90 % deep into the officer's cases (keyset, token auth)

Server settings (bench/load_settings.py): `DJANGO_ENV=production` (DEBUG off, secure cookies,
HSTS, SSL redirect), the bench process's SECRET_KEY (sessions are prepared in-process),
`ALLOWED_HOSTS=127.0.0.1`, persistent DB connections; requests carry
`X-Forwarded-Proto: https` as a TLS-terminating proxy would. Only change from production:
static files referenced without the manifest (no collectstatic needed).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from .benchmarks import Measurement, generated_users

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
SCENARIOS = ["intake", "inbox", "board", "search", "caselist"]
# not run unless asked for (--only refused): the same POST with an empty body, refused with 400
# before anything is looked up or written — what the web stack alone (gunicorn, middleware, token
# auth, DRF's parsing and validation, the error response) costs this endpoint
EXTRA_SCENARIOS = ["refused"]
NAMES = {
    "intake": "HTTP 诉求登记 POST /api/v1/cases/",
    "refused": "HTTP 诉求登记，空表单被拒 400 POST /api/v1/cases/",
    "inbox": "HTTP 部门收件箱 /cases/inbox/",
    "board": "HTTP 派单看板 /cases/board/",
    "search": "HTTP 企业搜索 /enterprises/?q=",
    "caselist": "HTTP 诉求 API 深页（游标）/api/v1/cases/?cursor=",
}
# p95 budgets (DESIGN.md §5): list and API pages 100 ms, dashboards 300 ms; intake p99 500 ms
BUDGET_P95 = {"inbox": 300, "board": 300, "search": 100, "caselist": 100}
INTAKE_RATE, INTAKE_P99 = 200, 500


# --------------------------------------------------------------------------------------------
# Who sends what (runs in the bench process, against the same database as the server)
# --------------------------------------------------------------------------------------------
def _session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _token(user) -> str:
    from rest_framework.authtoken.models import Token

    return f"Token {Token.objects.get_or_create(user=user)[0].key}"


def prepare(*, intake_officers: int = 8) -> dict:
    """Sessions and API tokens for generated users, and the URLs each scenario requests."""
    from django.db.models import Count

    from zhuqi.cases.models import OPEN_STATUSES, Case, Category
    from zhuqi.core.models import User
    from zhuqi.enterprises.models import Enterprise
    from zhuqi.scale.generate import user_prefix

    people = generated_users()
    dispatch, county = people["dispatch"], people["county"]
    if dispatch is None:
        raise RuntimeError("no dispatch officer in the generated data")
    prefix = user_prefix(people["province"])
    categories = list(
        Category.objects.filter(is_active=True, parent__isnull=False).values_list("id", flat=True)[:50]
    )
    officers = list(
        User.objects.filter(username__startswith=prefix, role="dispatch", is_active=True)
        .select_related("region", "department")
        .order_by("region__path")[:intake_officers]
    )
    intake = []
    for officer in officers:
        ents = list(Enterprise.objects.visible_to(officer).order_by("id").values_list("id", flat=True)[:500])
        if ents:
            intake.append(
                {
                    "url": "/api/v1/cases/",
                    "headers": {"Authorization": _token(officer)},
                    "enterprises": ents,
                    "categories": categories,
                }
            )
    lead = (
        Case.objects.filter(region__path__startswith=county.path, status__in=OPEN_STATUSES)
        .exclude(lead_department=None)
        .values("lead_department")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    handler = (
        User.objects.filter(role="handler", department_id=lead["lead_department"], is_active=True).first()
        if lead
        else None
    )
    # deep pages are reached by the keyset cursor (page numbers stop at the capped count): the
    # cursor a client holds after walking 86–94 % of the officer's cases
    from .benchmarks import _cursor_token

    ordered = Case.objects.visible_to(dispatch).order_by("-submitted_at", "-id")
    visible = ordered.count()
    deep = []
    for share in (0.86, 0.88, 0.9, 0.92, 0.94):
        at = ordered.values_list("submitted_at", flat=True)[max(0, int(visible * share) - 1)]
        deep.append(quote(_cursor_token(at.isoformat())))
    names = list(
        Enterprise.objects.visible_to(dispatch).order_by("id").values_list("name", flat=True)[:200:20]
    )
    terms = sorted({n[len(n) // 2 - 1 : len(n) // 2 + 1] for n in names if len(n) >= 4}) or ["公司"]

    board_cookie = {"Cookie": _session_cookie(dispatch)}
    scenarios = {
        "intake": {"kind": "intake", "name": NAMES["intake"], "clients": intake},
        "refused": {"kind": "intake", "refused": True, "name": NAMES["refused"], "clients": intake},
        "board": {
            "kind": "get",
            "name": NAMES["board"],
            "clients": [{"headers": board_cookie, "urls": ["/cases/board/"]}],
        },
        "search": {
            "kind": "get",
            "name": NAMES["search"],
            "clients": [{"headers": board_cookie, "urls": [f"/enterprises/?q={quote(t)}" for t in terms]}],
        },
        "caselist": {
            "kind": "get",
            "name": NAMES["caselist"],
            "clients": [
                {
                    "headers": {"Authorization": _token(dispatch)},
                    "urls": [f"/api/v1/cases/?cursor={c}" for c in deep],
                }
            ],
        },
    }
    if handler is not None:
        scenarios["inbox"] = {
            "kind": "get",
            "name": NAMES["inbox"],
            "clients": [{"headers": {"Cookie": _session_cookie(handler)}, "urls": ["/cases/inbox/"]}],
        }
    return {
        "scenarios": scenarios,
        "who": {
            "dispatch": dispatch.username,
            "county": county.name,
            "handler": getattr(handler, "username", None),
            "intake_officers": len(intake),
            "visible_cases": visible,
            "deep_pages": deep,
            "search_terms": terms,
        },
    }


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(src: Path, redis: str | None = None) -> dict:
    from django.conf import settings

    env = dict(os.environ)
    for name in ("DEBUG", "SECURE_SSL_REDIRECT", "REDIS_URL"):
        env.pop(name, None)
    db = settings.DATABASES["default"]
    if "DATABASE_URL" not in env:  # the bench process's database, whatever configured it
        if db["ENGINE"].endswith("sqlite3"):
            env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
        else:
            raise RuntimeError("set DATABASE_URL")
    pythonpath = [str(src), str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    env.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "bench.load_settings",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DB_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
            "ZHUQI_HOME": str(ROOT),
            "PYTHONPATH": os.pathsep.join(pythonpath),
        }
    )
    if redis:
        env["REDIS_URL"] = redis
    return env


@contextlib.contextmanager
def serve(
    cmd: list[str],
    *,
    env: dict,
    log: Path,
    probe,
    timeout: float = 90,
    cwd: Path = ROOT,
    what: str = "gunicorn",
):
    """Start `cmd` (a server or a worker) in its own session with its output in `log`; wait until
    `probe()` is true (an exception counts as not yet); yield its pid; stop it (TERM, then KILL)
    after."""
    out = log.open("ab")
    proc = subprocess.Popen(  # noqa: S603
        cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=cwd
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited ({proc.returncode}); see {log}")
            with contextlib.suppress(Exception):
                if probe():
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer within {timeout} s; see {log}")
            time.sleep(0.3)
        yield proc.pid
    finally:
        stop_server(proc, out)


def answers(url: str, headers: dict | None = None, *, any_status: bool = False):
    """A `serve` probe: `url` answers 200 (or, with `any_status`, anything at all)."""

    def probe() -> bool:
        req = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback only
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 - loopback only
                return resp.status == 200
        except urllib.error.HTTPError:
            return any_status

    return probe


@contextlib.contextmanager
def gunicorn(
    *,
    workers: int,
    threads: int,
    log: Path,
    timeout: float = 90,
    profile: Path | None = None,
    src: Path | None = None,
    redis: str | None = None,
):
    """A gunicorn on a free loopback port; yields (base URL, master pid); stopped (TERM, then
    KILL) after. `src`: the source tree to serve (default: this one's src/); `redis`: its
    REDIS_URL (background work queued for a worker, as in production)."""
    src = src or ROOT / "src"
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.profiled_wsgi:application" if profile else "zhuqi.wsgi:application",
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
        "--pythonpath",
        f"{src},{ROOT}",
    ]
    env = server_env(src, redis)
    if profile:
        profile.mkdir(parents=True, exist_ok=True)
        env["ZHUQI_PROFILE_DIR"] = str(profile)
    base = f"http://127.0.0.1:{port}"
    probe = answers(f"{base}/account/login/", {"X-Forwarded-Proto": "https"})
    with serve(cmd, env=env, log=log, probe=probe, timeout=timeout) as pid:
        yield base, pid


@contextlib.contextmanager
def celery_worker(
    *, redis: str, log: Path, concurrency: int = 1, src: Path | None = None, pool: str = "prefork"
):
    """The Celery worker of the production topology (docs/operations.md), on `redis`; yields its
    main pid once it answers a ping. Its queue starts empty (left-overs of an earlier run are
    purged)."""
    import redis as redis_client

    src = src or ROOT / "src"
    env = server_env(src, redis)
    app = [sys.executable, "-m", "celery", "-A", "zhuqi"]
    subprocess.run([*app, "purge", "-f"], env=env, cwd=ROOT, capture_output=True, timeout=60, check=False)  # noqa: S603
    cmd = [*app, "worker", "--pool", pool, "--concurrency", str(concurrency), "--loglevel", "WARNING"]

    def probe() -> bool:  # the worker's own answer through Redis (`celery inspect ping`)
        ping = [*app, "inspect", "ping", "--timeout", "2"]
        done = subprocess.run(ping, env=env, cwd=ROOT, capture_output=True, timeout=30, check=False)  # noqa: S603
        return done.returncode == 0

    with serve(cmd, env=env, log=log, probe=probe, timeout=60, what="celery worker") as pid:
        yield pid, redis_client.Redis.from_url(redis)


def drain(conn, *, timeout: float = 120) -> float:
    """Wait until the worker's queue is empty and its tasks have finished; the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not conn.llen("celery") and not conn.hlen("unacked"):
            break
        time.sleep(0.2)
    return round(time.monotonic() - started, 1)


def stop_server(proc: subprocess.Popen, out) -> None:
    """SIGTERM a served gunicorn, then kill it if it has not gone within 20 s; close its log."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    out.close()


# --------------------------------------------------------------------------------------------
# CPU accounting: what one request costs the server, the database and the load generator
# --------------------------------------------------------------------------------------------
def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone or unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """A process and its descendants (gunicorn's master and workers)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in task.read_text().split())
    return out


def _db_backends(database: str | None = None) -> list[int]:
    """Backend pids of this database, or of `database` on the same server (PostgreSQL on this
    machine; else none)."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.settings_dict.get("HOST") not in (
        "127.0.0.1",
        "localhost",
        "",
        None,
    ):
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = coalesce(%s, current_database())"
            " AND pid <> pg_backend_pid()",
            [database],
        )
        return [row[0] for row in cur.fetchall()]


class CpuMeter:
    """CPU seconds used by the server's processes, the database backends serving them and the
    load generator (this process's waited-for children) between `start()` and `stop()`."""

    def __init__(self, server_pid: int | None, database: str | None = None, worker_pid: int | None = None):
        self.server_pid = server_pid
        self.database = database
        self.worker_pid = worker_pid

    def _sample(self) -> dict:
        import resource

        backends = {pid: _proc_cpu(pid) for pid in _db_backends(self.database)}
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "app": sum(_proc_cpu(p) for p in _tree(self.server_pid)) if self.server_pid else None,
            "db": backends,
            "client": children.ru_utime + children.ru_stime,
            "worker": sum(_proc_cpu(p) for p in _tree(self.worker_pid)) if self.worker_pid else None,
        }

    def start(self) -> None:
        self.before = self._sample()

    def stop(self, requests: int) -> dict:
        after = self._sample()
        if not requests or after["app"] is None:
            return {}
        db = sum(cpu - self.before["db"].get(pid, 0.0) for pid, cpu in after["db"].items())
        per = {
            "app": (after["app"] - self.before["app"]) / requests * 1000,
            "db": db / requests * 1000 if after["db"] else None,
            "client": (after["client"] - self.before["client"]) / requests * 1000,
        }
        if self.worker_pid:
            per["worker"] = (after["worker"] - self.before["worker"]) / requests * 1000
        total = sum(v for v in per.values() if v)
        out = {k: None if v is None else round(v, 2) for k, v in per.items()}
        out["ceiling_per_s"] = round((os.cpu_count() or 1) * 1000 / total, 1) if total else None
        return out


# --------------------------------------------------------------------------------------------
# The load generator
# --------------------------------------------------------------------------------------------
def run_locust(
    base: str,
    config: Path,
    scenario: str,
    *,
    users: int,
    seconds: int,
    workdir: Path,
    server_pid: int | None = None,
    database: str | None = None,
    worker: tuple[int, object] | None = None,
) -> dict:
    """One bounded headless locust run; throughput, percentiles and errors from its CSV.
    `database`: the server's PostgreSQL database when it is not this process's; `worker`: the
    Celery worker's (pid, Redis connection): the CPU is read after its queue has drained, so what
    the requests queued is counted in full."""
    if not base.startswith("http://127.0.0.1:"):
        raise ValueError("the load generator only targets 127.0.0.1")
    prefix = workdir / scenario
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--json-file",
        str(prefix),  # locust adds ".json"
        "--only-summary",
        "--loglevel",
        "ERROR",
    ]
    env = {**os.environ, "ZHUQI_LOAD_CONFIG": str(config), "ZHUQI_LOAD_SCENARIO": scenario}
    load_before = os.getloadavg()
    meter = CpuMeter(server_pid, database, worker[0] if worker else None)
    meter.start()
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603
        cmd, env=env, capture_output=True, text=True, timeout=seconds + 90, check=False, cwd=workdir
    )
    elapsed = time.monotonic() - started
    drained = drain(worker[1]) if worker else None
    (workdir / f"{scenario}.stdout").write_text(done.stdout + done.stderr)
    result = prefix.with_name(prefix.name + ".json")
    if not result.exists():
        raise RuntimeError(f"locust wrote no statistics (exit {done.returncode}): {done.stderr[-2000:]}")
    # the final statistics (the CSV files are written every second and miss the last one)
    stats = json.loads(result.read_text())
    times: dict[float, int] = {}
    for entry in stats:
        for ms, n in entry["response_times"].items():
            times[float(ms)] = times.get(float(ms), 0) + n
    count = sum(entry["num_requests"] for entry in stats)
    errors = sum(entry["num_failures"] for entry in stats)
    span = (
        max(e["last_request_timestamp"] or 0 for e in stats) - min(e["start_time"] for e in stats)
        if stats
        else 0
    )

    def pct(share: float) -> float:
        """Locust's own rule: the smallest time that at least `share` of requests did not exceed."""
        seen = 0
        for ms in sorted(times, reverse=True):
            seen += times[ms]
            if count - seen <= int(count * share):
                return ms
        return float("nan")

    failures_csv = prefix.with_name(prefix.name + "_failures.csv")
    failures = []
    if failures_csv.exists():
        with failures_csv.open(encoding="utf-8") as f:
            failures = [f"{r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(f)]
    return {
        "scenario": scenario,
        "users": users,
        "seconds": seconds,
        "requests": count,
        "errors": errors,
        "failures": failures[:5],
        # over the run time: closed loop, every user from the start (a slow page's few requests
        # would otherwise look fast over the span between them)
        "rps": round(count / max(span, seconds), 1),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": max(times, default=float("nan")),
        "wall_seconds": round(elapsed, 1),
        "cpu_ms_per_request": meter.stop(count),
        "worker_drain_seconds": drained,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def warm_up(base: str, config: dict, rounds: int) -> None:
    """A few unmeasured requests of every scenario, several at once, so each gunicorn worker
    has imported its URLconf and views and opened its database connections."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = []
    for scenario in config["scenarios"].values():
        for client in scenario["clients"][:2]:
            headers = {"X-Forwarded-Proto": "https", **client.get("headers", {})}
            if scenario["kind"] == "intake":
                body = {
                    "enterprise": client["enterprises"][0],
                    "title": "[压测] 预热",
                    "description": "预热请求",
                    "channel": "h12345",
                }
                jobs += [(client["url"], headers, json.dumps(body).encode())] * rounds
            else:  # pages: one each (the deep ones take seconds)
                jobs += [(url, headers, None) for url in client["urls"][:1]]

    def send(job):
        url, headers, data = job
        if data is not None:
            headers = {**headers, "Content-Type": "application/json"}
        req = urllib.request.Request(base + url, data=data, headers=headers)  # noqa: S310 - loopback only
        with contextlib.suppress(OSError), urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
            resp.read()

    with ThreadPoolExecutor(max_workers=max(2, rounds)) as pool:
        list(pool.map(send, jobs))


def _verdict(scenario: str, r: dict) -> str:
    if scenario == "refused":
        return "no budget: the web stack's own cost of this endpoint"
    if scenario == "intake":
        ok = r["rps"] >= INTAKE_RATE and r["p99"] < INTAKE_P99 and r["errors"] == 0
        return f"budget ≥{INTAKE_RATE}/s, p99<{INTAKE_P99} ms: {'met' if ok else 'MISSED'}"
    budget = BUDGET_P95[scenario]
    return f"budget p95<{budget} ms: {'met' if r['p95'] < budget and r['errors'] == 0 else 'MISSED'}"


def audit_state() -> dict:
    """How many audit entries await chaining, and whether the chain verifies (after catch-up)."""
    from zhuqi.core import audit

    chain = getattr(audit, "chain_pending", None)
    if chain is not None:
        chain()
    checked, bad, reason = audit.verify()
    return {"checked": checked, "bad": getattr(bad, "pk", None), "reason": reason}


def bench_load(
    *,
    only: list[str] | None = None,
    seconds: int = 60,
    page_seconds: int = 20,
    intake_users: int = 16,
    page_users: int = 3,
    workers: int = 4,
    threads: int = 4,
    workdir: Path | None = None,
    profile: Path | None = None,
    src: Path | None = None,
    redis: str | None = None,
    worker_concurrency: int = 1,
    worker_pool: str = "prefork",
) -> list[Measurement]:
    """`redis`: run as in production, with REDIS_URL set and a Celery worker of
    `worker_concurrency` processes doing the background work (delivery, audit chaining); its CPU
    per request is reported beside the server's."""
    only = only or SCENARIOS
    from zhuqi.cases.models import Case

    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zhuqi-load-")))
        config = prepare()
        path = workdir / "config.json"
        path.write_text(json.dumps(config, ensure_ascii=False))
        base, pid = stack.enter_context(
            gunicorn(
                workers=workers,
                threads=threads,
                log=workdir / "gunicorn.log",
                profile=profile,
                src=src,
                redis=redis,
            )
        )
        worker = None
        if redis:
            worker = stack.enter_context(
                celery_worker(
                    redis=redis,
                    log=workdir / "worker.log",
                    concurrency=worker_concurrency,
                    src=src,
                    pool=worker_pool,
                )
            )
        warm_up(base, config, rounds=2 * workers)
        out = []
        for scenario in SCENARIOS + EXTRA_SCENARIOS:
            if scenario not in only or scenario not in config["scenarios"]:
                continue
            if not config["scenarios"][scenario]["clients"]:
                continue
            is_intake = scenario in ("intake", "refused")
            before = Case.objects.count() if scenario == "intake" else 0
            r = run_locust(
                base,
                path,
                scenario,
                users=intake_users if is_intake else page_users,
                seconds=seconds if is_intake else page_seconds,
                workdir=workdir,
                server_pid=pid,
                worker=worker,
            )
            extra = {
                **r,
                "workers": workers,
                "threads": threads,
                "who": config["who"],
                "worker_concurrency": worker_concurrency if redis else None,
            }
            if scenario == "intake":
                extra["cases_created"] = Case.objects.count() - before
                extra["audit"] = audit_state()
            notes = (
                f"{r['rps']:,} req/s, p95 {r['p95']:g} ms, p99 {r['p99']:g} ms, "
                f"{r['errors']} errors / {r['requests']:,}; {r['users']} users × {r['seconds']} s; "
                f"gunicorn {workers}×{threads}; load {r['load_before'][0]}→{r['load_after'][0]}; "
                + _verdict(scenario, r)
            )
            cpu = r["cpu_ms_per_request"]
            if cpu.get("app") is not None:
                worker_cpu = f" + worker {cpu['worker']}" if "worker" in cpu else ""
                notes += (
                    f"; CPU per request: app {cpu['app']} + db {cpu.get('db', '?')}{worker_cpu} + load generator "
                    f"{cpu['client']} ms → ceiling {cpu['ceiling_per_s']}/s on {os.cpu_count()} cores"
                )
                if r.get("worker_drain_seconds") is not None:
                    notes += f"; worker queue drained {r['worker_drain_seconds']} s after the run"
            if not r["requests"]:
                notes += "; no request finished within the run time"
            if r["failures"]:
                notes += "; " + "; ".join(r["failures"])
            out.append(
                Measurement(
                    name=NAMES[scenario],
                    unit="ms",
                    median=r["p50"],
                    samples=[r["p50"], r["p95"], r["p99"]],
                    notes=notes,
                    extra=extra,
                )
            )
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help=f"scenarios: {','.join(SCENARIOS + EXTRA_SCENARIOS)}"
    )
    parser.add_argument("--seconds", type=int, default=60, help="intake run time")
    parser.add_argument("--page-seconds", type=int, default=20, help="run time of each page scenario")
    parser.add_argument("--intake-users", type=int, default=16)
    parser.add_argument("--page-users", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--profile", help="profile the server (cProfile, CPU time) into this folder")
    parser.add_argument("--src", help="serve this source tree instead of ./src (A/B against another commit)")
    parser.add_argument(
        "--redis",
        help="REDIS_URL for the server and a Celery worker (the production topology), e.g. redis://127.0.0.1:6379/14",
    )
    parser.add_argument(
        "--worker-concurrency", type=int, default=1, help="the worker's processes (with --redis)"
    )
    parser.add_argument("--worker-pool", default="prefork", help="the worker's pool: prefork, solo, threads")
    args = parser.parse_args(argv)
    from .run import _setup, table

    _setup()
    results = bench_load(
        only=[x.strip() for x in args.only.split(",") if x.strip()],
        seconds=args.seconds,
        page_seconds=args.page_seconds,
        intake_users=args.intake_users,
        page_users=args.page_users,
        workers=args.workers,
        threads=args.threads,
        profile=Path(args.profile).resolve() if args.profile else None,
        src=Path(args.src).resolve() if args.src else None,
        redis=args.redis,
        worker_concurrency=args.worker_concurrency,
        worker_pool=args.worker_pool,
    )
    print(table([m.as_dict() for m in results]))
    if args.json:
        Path(args.json).write_text(
            json.dumps([m.as_dict() for m in results], ensure_ascii=False, indent=2, default=str) + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Smoke test of the HTTP load benchmark (bench/load.py): a tiny county in the test database,
gunicorn with production settings and locust for a few seconds per scenario. Asserts that it
runs and reports sane numbers (requests made, no errors, the audit chain intact), never
timings. The real run is `python -m bench.load` at province scale; see bench/RESULTS-load.md."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench.load import SCENARIOS
from tests.core.test_health import redis_url  # noqa: F401  (fixture)
from zhuqi.scale.generate import generate

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _database_url(tmp_path: Path) -> str:
    """The test database, as a URL another process can open (SQLite: a file copy)."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    path = tmp_path / "load.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return f"sqlite:///{path}"


def _bench_load(tmp_path: Path, *args: str, **env: str) -> dict[str, dict]:
    """Run `python -m bench.load` on the test database with `args` (plus its JSON output); the
    results' `extra` by scenario."""
    out = tmp_path / "load.json"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(tmp_path),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        **env,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.load", *args, f"--json={out}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {r["extra"]["scenario"]: r["extra"] for r in json.loads(out.read_text())}


def test_load_benchmark_runs_and_reports_sane_numbers(tmp_path):
    generate("tiny", seed=3, today=dt.date(2026, 11, 20), verbosity=0)
    results = _bench_load(
        tmp_path,
        "--seconds=2",
        "--page-seconds=2",
        "--intake-users=2",
        "--page-users=1",
        "--workers=1",
        "--threads=2",
    )
    assert set(results) == set(SCENARIOS)
    for name, extra in results.items():
        assert extra["requests"] > 0 and extra["errors"] == 0, (name, extra)
        assert extra["rps"] > 0 and not math.isnan(extra["p95"]), (name, extra)
        assert extra["p50"] <= extra["p95"] <= extra["p99"], (name, extra)
    intake = results["intake"]
    assert intake["cases_created"] == intake["requests"]
    assert intake["audit"]["bad"] is None and intake["audit"]["checked"] > 0
    assert intake["cpu_ms_per_request"]["app"] > 0


@pytest.mark.redis
def test_load_benchmark_in_the_production_topology(tmp_path, redis_url):  # noqa: F811
    """`--redis`: gunicorn with REDIS_URL and a real Celery worker beside it. Every intake lands,
    the worker's queue drains, its CPU is counted, the chain (linked by the worker) verifies; the
    empty form is refused (400) every time and creates nothing."""
    generate("tiny", seed=3, today=dt.date(2026, 11, 20), verbosity=0)
    results = _bench_load(
        tmp_path,
        "--only=refused,intake",
        "--seconds=3",
        "--intake-users=2",
        "--workers=1",
        "--threads=2",
        f"--redis={redis_url}",
        ZHUQI_HOME=str(tmp_path),  # the worker's own checkpoint file
    )
    assert set(results) == {"intake", "refused"}
    intake, refused = results["intake"], results["refused"]
    assert intake["requests"] > 0 and intake["errors"] == 0, intake
    assert intake["cases_created"] == intake["requests"]
    assert intake["audit"]["bad"] is None and intake["audit"]["checked"] > 0
    assert intake["worker_drain_seconds"] is not None
    assert intake["cpu_ms_per_request"]["worker"] > 0  # delivery and chaining ran in the worker
    assert refused["requests"] > 0 and refused["errors"] == 0, refused  # 400, as expected
    assert "cases_created" not in refused

"""The worker heartbeat for real: a Celery worker process on a real Redis runs the heartbeat task
sent through the broker, and /healthz then finds the worker alive. PostgreSQL only (the worker is
another process and must see the test database)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from zhuqi.core import heartbeat
from zhuqi.core.tasks import HEARTBEAT_TASK

from .test_health import redis_url  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    # this process is eager (no REDIS_URL at start-up); send_task goes to the broker regardless
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

SRC = Path(__file__).resolve().parents[2] / "src"


def worker_env(home, broker: str, **extra: str) -> dict:
    """The environment of a real worker process: the test database, the Redis at `broker`, its own
    ZHUQI_HOME (`home`) and nothing of this process's ZHUQI_ settings; `extra` added."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHUQI_")}
    env.update(
        {
            "PYTHONPATH": str(SRC),
            "ZHUQI_HOME": str(home),
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker,
            "DJANGO_SETTINGS_MODULE": "zhuqi.settings",
            **extra,
        }
    )
    return env


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_a_real_worker_runs_the_heartbeat_and_healthz_sees_it(client, settings, tmp_path, redis_url):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("the worker process shares the test database: PostgreSQL only")
    from zhuqi.celery import app

    env = worker_env(tmp_path, redis_url)
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "zhuqi", "worker", "--pool", "solo", "--loglevel", "INFO"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with app.connection_for_write(redis_url) as conn:
            app.send_task(HEARTBEAT_TASK, connection=conn)  # as beat does every minute
        deadline = time.monotonic() + 60
        while heartbeat.last(heartbeat.WORKER) is None and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker stopped"
            time.sleep(0.5)
        assert heartbeat.last(heartbeat.WORKER) is not None, "no worker ran the heartbeat within 60 s"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert f"Task {HEARTBEAT_TASK}" in output and "succeeded" in output, output[-3000:]
    settings.REDIS_URL = redis_url
    answer = client.get("/healthz").json()
    assert answer["redis"] == "OK"
    assert answer["worker"] == "OK"
    assert answer["beat"] == "OK"  # this process sent the task: beat's mark is made by the sender

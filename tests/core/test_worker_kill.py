"""A worker killed in the middle of a task, for real: a Celery worker on a real Redis takes a large
import, is killed (SIGKILL) while the import waits inside its transaction, and a second worker
started afterwards runs the same message again (acks_late: the broker never saw it acknowledged).
The import then lands exactly once — every row, one audit entry, one "导入完成" notice — and the
job ends done, not stuck "running". PostgreSQL only (the workers are other processes and must see
the test database)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.core.test_worker_heartbeat import _database_url, worker_env
from zhuqi.core import imports
from zhuqi.core.excel import write_workbook
from zhuqi.core.models import AuditEntry, Department, ImportJob

from .test_health import redis_url  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

SRC = Path(__file__).resolve().parents[2] / "src"
ROWS = 40


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "zhuqi", "worker", "--pool", "solo", "--loglevel", "INFO"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait(what: str, check, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def _one(sql: str, params=()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def test_an_import_whose_worker_is_killed_is_run_again_once(world, settings, tmp_path, redis_url):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("the workers share the test database: PostgreSQL only")
    from zhuqi.celery import app

    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "var" / "imports")  # the workers' ZHUQI_HOME/var/imports
    data = write_workbook(
        ["名称", "简称", "类型", "所属区划代码", "电话"],
        [(f"重跑局{i}", "", "", "410223", "") for i in range(ROWS)],
    )
    token, sha256 = imports.keep_file(data)
    job = ImportJob.objects.create(
        kind="departments",
        user=world.alice,
        token=token,
        sha256=sha256,
        filename="部门.xlsx",
        rows_total=ROWS,
    )
    # a message taken and not acknowledged comes back after 2 s
    env = worker_env(tmp_path, redis_url, CELERY_VISIBILITY_TIMEOUT="2")

    # Another session holds the departments table, so the first worker's import stops inside its
    # transaction, after it has claimed the job, until this test lets go.
    blocker = psycopg.connect(_database_url(), autocommit=False)
    blocker.execute("LOCK TABLE core_department IN ACCESS EXCLUSIVE MODE")
    first = _worker(env)
    second = None
    try:
        with app.connection_for_write(redis_url) as conn:
            app.send_task("zhuqi.core.tasks.run_import", args=[job.pk], connection=conn)
        _wait(
            "the first worker waits inside the import",
            lambda: (
                _one(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                    " WHERE c.relname = 'core_department' AND NOT l.granted"
                )
                > 0
            ),
        )
        assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.RUNNING
        os.killpg(first.pid, signal.SIGKILL)  # no warm shutdown: nothing is handed back
        first.wait(timeout=30)
        blocker.rollback()
        # the dead worker's database session ends, and its lock on the job with it
        _wait(
            "the dead worker's session lets go of the job",
            lambda: (
                _one(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND objid = %s",
                    [job.pk],
                )
                == 0
            ),
        )
        assert Department.objects.filter(name__startswith="重跑局").count() == 0  # nothing half-saved
        assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.RUNNING  # left by the dead

        time.sleep(2.5)  # past the visibility timeout: the unacknowledged message is due again
        second = _worker(env)
        _wait(
            "the second worker finishes the job",
            lambda: ImportJob.objects.get(pk=job.pk).status != ImportJob.Status.RUNNING,
        )
    finally:
        blocker.close()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
        output = second.communicate(timeout=30)[0] if second is not None else ""
        first.communicate(timeout=30)

    job.refresh_from_db()
    assert (job.status, job.created, job.rows_done) == (ImportJob.Status.DONE, ROWS, ROWS), output[-3000:]
    assert Department.objects.filter(name__startswith="重跑局").count() == ROWS
    assert AuditEntry.objects.filter(action="import").count() == 1
    assert [n.title for n in world.alice.notifications.all()] == [
        f"导入完成：导入部门，新增 {ROWS} 条，更新 0 条"
    ]
    assert "zhuqi.core.tasks.run_import" in output and "succeeded" in output, output[-3000:]


def test_a_delivery_that_finds_the_job_running_elsewhere_asks_again(world, settings, tmp_path):
    """While another session runs a job (holds its lock), a second delivery neither runs it nor
    drops it: `run_job` answers BUSY and the task retries later."""
    if connection.vendor != "postgresql":
        pytest.skip("the job lock is a PostgreSQL advisory lock")
    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "imports")
    data = write_workbook(
        ["名称", "简称", "类型", "所属区划代码", "电话"], [("并发局", "", "", "410223", "")]
    )
    token, sha256 = imports.keep_file(data)
    job = ImportJob.objects.create(
        kind="departments", user=world.alice, token=token, sha256=sha256, rows_total=1
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    other = psycopg.connect(_database_url(), autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(hashtext('zhuqi.core.imports'), %s)", [job.pk])
        assert imports.run_job(job.pk) == imports.BUSY
        assert not Department.objects.filter(name="并发局").exists()
    finally:
        other.close()  # the other run's session ends (as a killed worker's does)
    _wait(
        "the other session's lock is gone",
        lambda: (
            _one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND objid = %s",
                [job.pk],
            )
            == 0
        ),
        seconds=30,
    )
    assert imports.run_job(job.pk) == ImportJob.Status.DONE  # a job left running by the dead
    assert Department.objects.filter(name="并发局").count() == 1
    assert imports.run_job(job.pk) == ""  # and once only

"""A large export written by a real Celery worker on a real Redis: the request queues the job and
answers at once; the worker (another process, no eager mode) writes the file as the user who
asked, records the audit entry and tells them; the file downloads from the job's page.
PostgreSQL only (the worker must see the test database)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from tests.core.test_worker_heartbeat import worker_env
from tests.core.test_worker_kill import _wait, _worker
from tests.enterprises.helpers import make_enterprise
from zhuqi.core.models import AuditEntry, ExportJob

from .test_health import redis_url  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def _forget_connections(app) -> None:
    """Drop the app's cached broker connections and producers (made for the in-memory broker by
    earlier tests in this process), so the next publish connects to the broker now configured."""
    app._pool = None
    app.amqp._producer_pool = None


def test_a_worker_writes_a_large_export(world, settings, tmp_path, login, redis_url):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    from zhuqi.celery import app

    settings.ZHUQI_EXPORT_DIR = str(tmp_path / "var" / "exports")  # the worker's ZHUQI_HOME/var/exports
    settings.ZHUQI_EXPORT_BACKGROUND_ROWS = 2
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    _forget_connections(app)  # the request's `delay` publishes to this Redis, as a configured server's would
    for i in range(5):
        make_enterprise(f"工人导出企业{i}", world.grid)
    env = worker_env(tmp_path, redis_url)
    worker = _worker(env)
    try:
        client = login(world.alice)
        response = client.get(reverse("enterprises:enterprise_list"), {"export": "xlsx", "q": "工人导出"})
        job = ExportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "core:export_job", args=[job.pk]
        )
        _wait("the worker writes the file", lambda: ExportJob.objects.get(pk=job.pk).finished, seconds=120)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
        app.conf.update(task_always_eager=True, broker_url=settings.CELERY_BROKER_URL)
        _forget_connections(app)

    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("done", 5), output[-3000:]
    assert "zhuqi.core.tasks.run_export" in output and "succeeded" in output, output[-3000:]
    file = client.get(reverse("core:export_download", args=[job.pk]))
    ws = load_workbook(io.BytesIO(b"".join(file.streaming_content))).active
    assert sorted(r[0] for r in ws.iter_rows(min_row=2, values_only=True)) == [
        f"工人导出企业{i}" for i in range(5)
    ]
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.changes) == (world.alice, {"rows": 5})
    assert [n.title for n in world.alice.notifications.all()] == [
        "导出完成：企业名录（关键词=工人导出），5 行"
    ]

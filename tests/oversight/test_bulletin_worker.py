"""A published bulletin's Word and PDF rendered by a real Celery worker on a real Redis: the
publishing request answers without rendering them; the worker (another process, no eager mode)
stores both under MEDIA_ROOT; the downloads serve the stored files. PostgreSQL only (the worker
must see the test database)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from tests.core.test_health import redis_url  # noqa: F401  (fixture)
from tests.core.test_worker_exports import _forget_connections
from tests.core.test_worker_heartbeat import worker_env
from tests.core.test_worker_kill import _wait, _worker
from tests.oversight.conftest import at
from tests.oversight.test_bulletin import march  # noqa: F401  (fixture)
from zhuqi.oversight import bulletin as gen
from zhuqi.oversight import services_bulletin as sb
from zhuqi.oversight.models import Bulletin

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("march"),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def test_a_worker_renders_the_published_bulletin(world, settings, tmp_path, login, redis_url, monkeypatch):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    from zhuqi.celery import app

    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
    sb.approve_bulletin(b, actor=world.leader)

    def not_here(bulletin):
        raise AssertionError("rendered in the web process")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    _forget_connections(app)  # the request's `delay` publishes to this Redis
    env = worker_env(tmp_path, redis_url, MEDIA_ROOT=str(settings.MEDIA_ROOT))
    worker = _worker(env)
    try:
        with monkeypatch.context() as m:  # the web process renders nothing while publishing
            m.setattr(gen, "docx_bytes", not_here)
            m.setattr(gen, "pdf_bytes", not_here)
            r = login(world.supervisor).post(
                reverse("oversight:bulletin_publish", args=[b.pk]), {"confirm": "1"}
            )
        assert r.status_code == 302
        _wait(
            "the worker stores both files",
            lambda: all(Bulletin.objects.filter(pk=b.pk).values_list("docx_file", "pdf_file").get()),
            seconds=120,
        )
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
        app.conf.update(task_always_eager=True, broker_url=settings.CELERY_BROKER_URL)
        _forget_connections(app)

    assert "zhuqi.oversight.tasks.render_bulletin" in output and "succeeded" in output, output[-3000:]
    b.refresh_from_db()
    assert b.status == Bulletin.Status.PUBLISHED and b.issued_number == "〔2026〕1号"
    client = login(world.bob)
    with monkeypatch.context() as m:  # served from disk, not rendered again
        m.setattr(gen, "docx_bytes", not_here)
        m.setattr(gen, "pdf_bytes", not_here)
        for fmt, field, magic in (("docx", b.docx_file, b"PK"), ("pdf", b.pdf_file, b"%PDF")):
            r = client.get(reverse(f"oversight:bulletin_{fmt}", args=[b.pk]))
            with open(field.path, "rb") as fh:
                stored = fh.read()
            assert r.status_code == 200 and r.getvalue() == stored and stored.startswith(magic)

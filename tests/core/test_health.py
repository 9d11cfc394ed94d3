"""/healthz and /healthz/web: each check passing and failing, no login, nothing leaked."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from zhuqi.core import heartbeat
from zhuqi.core.models import HolidayArrangement
from zhuqi.core.tasks import HEARTBEAT_TASK, _beat_sent_heartbeat
from zhuqi.core.tasks import heartbeat as heartbeat_task

pytestmark = pytest.mark.django_db

# A year the `holidays` package cannot know yet, so only an entered arrangement makes it known.
NOVEMBER = dt.datetime(2031, 11, 16, 2, tzinfo=dt.UTC)
JUNE = dt.datetime(2031, 6, 16, 2, tzinfo=dt.UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url():
    """A throw-away redis-server on a free loopback port."""
    exe = shutil.which("redis-server")
    if not exe:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _fresh_beats():
    heartbeat.mark(heartbeat.WORKER)
    heartbeat.mark(heartbeat.BEAT)


def test_healthy_without_redis_answers_200_json_without_login(client):
    with time_machine.travel(JUNE, tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "OK", "work_calendar": "OK"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_plain_text_on_request(client):
    with time_machine.travel(JUNE, tick=False):
        response = client.get("/healthz", HTTP_ACCEPT="text/plain")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "database: OK\nwork_calendar: OK\n"


def test_an_html_or_feed_request_still_gets_json(client):
    with time_machine.travel(JUNE, tick=False):
        for params in ({"HTTP_ACCEPT": "text/html"}, {"QUERY_STRING": "format=openmetrics"}):
            response = client.get("/healthz", **params)
            assert response["Content-Type"] == "application/json", params


def test_missing_next_years_holidays_in_november_is_unhealthy_and_named(client):
    with time_machine.travel(NOVEMBER, tick=False):
        response = client.get("/healthz")
        assert response.status_code == 500
        assert "2032年节假日安排尚未录入" in response.json()["work_calendar"]
        # the load balancer's probe does not care
        assert client.get("/healthz/web").status_code == 200
        HolidayArrangement.objects.create(year=2032, notice="国办发明电〔2031〕7号")
        assert client.get("/healthz").json()["work_calendar"] == "OK"


def test_before_november_the_next_year_may_still_be_missing(client):
    with time_machine.travel(dt.datetime(2031, 10, 31, 15, tzinfo=dt.UTC), tick=False):  # 23:00 in Shanghai
        assert client.get("/healthz").status_code == 200


def test_database_down_is_unhealthy_without_saying_where_it_is(client, monkeypatch):
    from django.db import connections

    def down():
        raise OperationalError('connection failed: connection to server at "10.8.8.8", port 5432 failed')

    monkeypatch.setattr(type(connections["default"]), "temporary_connection", lambda self: down())
    with time_machine.travel(JUNE, tick=False):
        response = client.get("/healthz/web")
    assert response.status_code == 500
    assert response.json() == {"database": "Unavailable: connection failed"}


def test_with_redis_every_check_passes(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    with time_machine.travel(JUNE):
        _fresh_beats()
        response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"database", "redis", "worker", "beat", "work_calendar"}
    assert redis_url.split("//")[1].split(":")[1] not in response.content.decode()  # no port


def test_redis_down_is_unhealthy_on_both(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_free_port()}/0"
    _fresh_beats()
    for url in ("/healthz", "/healthz/web"):
        response = client.get(url)
        assert response.status_code == 500
        assert response.json()["redis"].startswith("Unavailable: Unable to connect to Redis")


def test_a_stale_or_missing_worker_heartbeat_is_named(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    heartbeat.mark(heartbeat.BEAT)
    answer = client.get("/healthz").json()
    assert answer["worker"] == "Unavailable: Celery worker从未报告心跳"
    assert answer["beat"] == "OK"
    heartbeat.mark(heartbeat.WORKER, at=timezone.now() - dt.timedelta(minutes=12))
    response = client.get("/healthz")
    assert response.status_code == 500
    assert response.json()["worker"] == "Unavailable: Celery worker已 12 分钟没有心跳（上限 5 分钟）"
    # a dead worker must not take the web node out of the load balancer
    assert client.get("/healthz/web").status_code == 200


def test_a_stale_beat_is_named(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    settings.ZHUQI_HEARTBEAT_STALE = 120
    heartbeat.mark(heartbeat.WORKER)
    heartbeat.mark(heartbeat.BEAT, at=timezone.now() - dt.timedelta(minutes=3))
    response = client.get("/healthz")
    assert response.status_code == 500
    assert response.json()["beat"] == "Unavailable: Celery beat已 3 分钟没有心跳（上限 2 分钟）"
    assert response.json()["worker"] == "OK"


def test_the_heartbeat_task_marks_the_worker_and_sending_it_marks_beat():
    assert heartbeat.last(heartbeat.WORKER) is None
    heartbeat_task()
    assert heartbeat.last(heartbeat.WORKER) is not None
    _beat_sent_heartbeat(sender="zhuqi.cases.tasks.sweep_cases")
    assert heartbeat.last(heartbeat.BEAT) is None
    _beat_sent_heartbeat(sender=HEARTBEAT_TASK)
    assert heartbeat.last(heartbeat.BEAT) is not None


def test_beat_sends_the_heartbeat_every_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"] == {"task": HEARTBEAT_TASK, "schedule": 60.0}


def test_a_sweep_run_is_marked(world):
    from django.core.management import call_command

    call_command("sweep_cases", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert heartbeat.last(heartbeat.CASES_SWEEP) is not None

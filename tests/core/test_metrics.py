"""/metrics: who may read it, and zhuqi's own gauges."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhuqi.core import heartbeat

from .test_health import redis_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-scrape-token-0123456789"


def _get(client, **extra):
    return client.get("/metrics", **extra)


def test_nobody_reads_metrics_while_nothing_is_configured(client, world):
    assert _get(client).status_code == 404
    assert _get(client, HTTP_AUTHORIZATION="Bearer ").status_code == 404
    client.force_login(world.admin)  # not even a system administrator's session
    assert _get(client).status_code == 404


def test_the_bearer_token_opens_it_and_a_wrong_one_does_not(client, settings):
    settings.ZHUQI_METRICS_TOKEN = TOKEN
    assert _get(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert _get(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 404
    assert _get(client, HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404
    assert _get(client).status_code == 404


def test_an_allowed_address_reads_it_directly_but_not_through_the_proxy(client, settings):
    settings.ZHUQI_METRICS_ALLOW = ["10.20.0.0/16", "192.168.1.7"]
    assert _get(client, REMOTE_ADDR="10.20.3.4").status_code == 200
    assert _get(client, REMOTE_ADDR="192.168.1.7").status_code == 200
    assert _get(client, REMOTE_ADDR="192.168.1.8").status_code == 404
    # through the reverse proxy every client has the proxy's address: refused
    assert _get(client, REMOTE_ADDR="10.20.3.4", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404


def test_a_bad_allow_entry_stops_start_up(monkeypatch):
    from zhuqi import settings as zs

    monkeypatch.setenv("ZHUQI_METRICS_ALLOW", "10.0.0.1, 10.0.0.0/33")
    with pytest.raises(zs.SettingError, match="ZHUQI_METRICS_ALLOW: '10.0.0.0/33' is not an address"):
        zs.env_networks("ZHUQI_METRICS_ALLOW")
    monkeypatch.setenv("ZHUQI_METRICS_ALLOW", "10.0.0.1, 10.0.0.0/8")
    assert zs.env_networks("ZHUQI_METRICS_ALLOW") == ["10.0.0.1", "10.0.0.0/8"]


def _metrics(client, settings) -> str:
    settings.ZHUQI_METRICS_TOKEN = TOKEN
    response = _get(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def test_requests_and_latency_from_the_middleware(client, settings):
    client.get("/account/login/")
    text = _metrics(client, settings)
    assert "django_http_requests_total_by_method_total" in text
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text


def test_sweep_lag_backup_age_and_heartbeats(client, settings):
    text = _metrics(client, settings)
    assert "zhuqi_cases_sweep_lag_seconds +Inf" in text  # never ran
    assert "zhuqi_last_backup_age_seconds +Inf" in text
    assert "zhuqi_celery_queue_length" not in text  # no Redis
    now = timezone.now()
    heartbeat.mark(heartbeat.CASES_SWEEP, at=now - dt.timedelta(seconds=300))
    heartbeat.mark(heartbeat.BACKUP, at=now - dt.timedelta(hours=25))
    heartbeat.mark(heartbeat.WORKER, at=now - dt.timedelta(seconds=30))
    text = _metrics(client, settings)
    lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if line.startswith("zhuqi_"))
    assert 300 <= float(lines["zhuqi_cases_sweep_lag_seconds"]) < 310
    assert 90000 <= float(lines["zhuqi_last_backup_age_seconds"]) < 90010
    assert 30 <= float(lines['zhuqi_heartbeat_age_seconds{name="worker"}']) < 40
    assert lines['zhuqi_heartbeat_age_seconds{name="beat"}'] == "+Inf"


def test_queue_length_from_redis(client, settings, redis_url):  # noqa: F811
    import redis

    settings.REDIS_URL = redis_url
    r = redis.Redis.from_url(redis_url)
    r.rpush("celery", "a", "b", "c")
    r.close()
    assert 'zhuqi_celery_queue_length{queue="celery"} 3.0' in _metrics(client, settings)

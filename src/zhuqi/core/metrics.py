"""/metrics: Prometheus metrics (docs/operations.md, "Health and metrics").

Requests and latency come from django-prometheus's middleware (`django_http_*`); zhuqi adds, read
at scrape time:

* `zhuqi_heartbeat_age_seconds{name}` — seconds since the worker, beat, the cases sweep and
  the latest backup last ran (core.heartbeat); `+Inf` when never;
* `zhuqi_cases_sweep_lag_seconds` — the same for the cases sweep, the figure to alert on;
* `zhuqi_last_backup_age_seconds` — the same for `zhuqi backup`;
* `zhuqi_celery_queue_length{queue}` — tasks waiting in Redis (only with `REDIS_URL`).

Who may read it: a request carrying `Authorization: Bearer <ZHUQI_METRICS_TOKEN>`, or one from an
address in `ZHUQI_METRICS_ALLOW` that did not come through the reverse proxy (no
`X-Forwarded-For`: behind the proxy every client has the proxy's address). Anyone else gets 404,
as for any address that does not exist; with neither setting, nobody.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import os

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from . import heartbeat


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each Celery queue on the Redis broker (kombu keeps a queue as a list
    named after it); empty without Redis or when Redis does not answer."""
    if not settings.REDIS_URL:
        return {}
    import redis

    from zhuqi.celery import app

    queues = [q.name for q in (app.conf.task_queues or [])] or [app.conf.task_default_queue]
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        try:
            return {name: int(client.llen(name)) for name in queues}
        finally:
            client.close()
    except redis.RedisError:
        return {}


class ZhuqiCollector:
    """zhuqi's own gauges, computed when Prometheus scrapes."""

    def collect(self):
        ages = {name: (math.inf if age is None else age) for name, age in heartbeat.ages().items()}
        every = GaugeMetricFamily(
            "zhuqi_heartbeat_age_seconds",
            "Seconds since a background duty last ran (+Inf: never)",
            labels=["name"],
        )
        for name, age in ages.items():
            every.add_metric([name], age)
        yield every
        yield GaugeMetricFamily(
            "zhuqi_cases_sweep_lag_seconds",
            "Seconds since the cases sweep last finished (+Inf: never)",
            value=ages[heartbeat.CASES_SWEEP],
        )
        yield GaugeMetricFamily(
            "zhuqi_last_backup_age_seconds",
            "Seconds since zhuqi backup last finished (+Inf: never)",
            value=ages[heartbeat.BACKUP],
        )
        lengths = queue_lengths()
        if lengths:
            queue = GaugeMetricFamily(
                "zhuqi_celery_queue_length", "Tasks waiting in the Celery queue", labels=["queue"]
            )
            for name, n in lengths.items():
                queue.add_metric([name], n)
            yield queue


def allowed(request) -> bool:
    """The bearer token, or an allowed address reached directly (module docstring)."""
    token = settings.ZHUQI_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
        return True
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.ZHUQI_METRICS_ALLOW)


def metrics(request):
    if not allowed(request):
        raise Http404
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # gunicorn's workers, added up
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    ours = prometheus_client.CollectorRegistry(auto_describe=False)
    ours.register(ZhuqiCollector())
    body = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(ours)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)

"""/healthz: is this installation healthy? Checks run by django-health-check (docs/operations.md,
"Health and metrics").

* `/healthz` — everything a monitor should page on: the database; with `REDIS_URL` set, Redis,
  a Celery worker's heartbeat and beat's (core.heartbeat); and the work calendar: from November
  on, next year's holiday arrangement must be entered (the rule of the administrators' banner,
  `workcalendar.missing_arrangement_warning`, so the two never disagree).
* `/healthz/web` — what decides whether this web node can serve: the database and Redis. The
  load balancer probes this one: a stopped worker or a missing calendar is for a person to fix,
  and must not take every web node out of rotation.

Both answer 200 when every check passes, else 500, without logging in, as JSON
(`{"database": "OK", "worker": "Unavailable: …"}`) or plain text (`Accept: text/plain` or
`?format=text`). The answers name checks only: no address, host, version or row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from health_check import checks
from health_check.base import HealthCheck
from health_check.contrib.redis import Redis as LibraryRedis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from . import heartbeat, workcalendar


@dataclasses.dataclass(repr=False)
class Database(checks.Database):
    """`SELECT 1` on the default database (the library's check, under a plain name)."""

    def __repr__(self) -> str:
        return "database"

    @property
    def labels(self) -> dict[str, str]:
        return {"check": "database"}


def _redis_client():
    from redis.asyncio import Redis as RedisClient

    return RedisClient.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


@dataclasses.dataclass(repr=False)
class Redis(LibraryRedis):
    """PING the broker at `REDIS_URL` (the library's check; its name carries no host or port)."""

    client_factory: object = dataclasses.field(default=_redis_client, repr=False)

    def __repr__(self) -> str:
        return "redis"

    @property
    def labels(self) -> dict[str, str]:
        return {"check": "redis"}


class _InThisThread(HealthCheck):
    """A check that reads the database through the request's own connection (not the library's
    executor thread), so it sees what the request sees."""

    name = ""

    def __repr__(self) -> str:
        return self.name

    @property
    def labels(self) -> dict[str, str]:
        return {"check": self.name}

    def check(self) -> None:
        raise NotImplementedError

    async def run(self) -> None:
        await sync_to_async(self.check, thread_sensitive=True)()


def _minutes(seconds: float) -> int:
    return int(seconds // 60)


class _Heartbeat(_InThisThread):
    mark = ""
    who = ""

    def check(self) -> None:
        at = heartbeat.last(self.mark)
        limit = settings.ZHUQI_HEARTBEAT_STALE
        if at is None:
            raise ServiceUnavailable(_("%(who)s从未报告心跳") % {"who": self.who})
        age = (timezone.now() - at).total_seconds()
        if age > limit:
            raise ServiceUnavailable(
                _("%(who)s已 %(age)s 分钟没有心跳（上限 %(limit)s 分钟）")
                % {"who": self.who, "age": _minutes(age), "limit": _minutes(limit)}
            )


@dataclasses.dataclass(repr=False)
class Worker(_Heartbeat):
    """A Celery worker ran the heartbeat task beat sends every minute."""

    name = "worker"
    mark = heartbeat.WORKER
    who = "Celery worker"


@dataclasses.dataclass(repr=False)
class Beat(_Heartbeat):
    """Celery beat sent the heartbeat task (the periodic jobs are being scheduled)."""

    name = "beat"
    mark = heartbeat.BEAT
    who = "Celery beat"


@dataclasses.dataclass(repr=False)
class WorkCalendar(_InThisThread):
    """From November on, next year's holiday arrangement (节假日安排) has been entered."""

    name = "work_calendar"

    def check(self) -> None:
        today = dt.datetime.now(workcalendar.SHANGHAI).date()
        if workcalendar.missing_arrangement_warning(today):
            raise ServiceUnavailable(
                _("%(year)s年节假日安排尚未录入（系统设置 › 节假日安排）") % {"year": today.year + 1}
            )


class HealthView(HealthCheckView):
    """The library's view, answering JSON or plain text only (no HTML page, feeds or labels)."""

    web_only = False

    def get_checks(self):
        yield Database()
        if settings.REDIS_URL:
            yield Redis()
            if not self.web_only:
                yield Worker()
                yield Beat()
        if not self.web_only:
            yield WorkCalendar()

    def render_to_response_json(self, status):
        answers = {repr(r.check): "OK" if not r.error else str(r.error) for r in self.results}
        return JsonResponse(answers, status=status, json_dumps_params={"ensure_ascii": False})

    def render_to_response(self, context, **response_kwargs):
        return self.render_to_response_json(response_kwargs.get("status", 200))

    def _json(self):
        has_errors = any(result.error for result in self.results)
        return self.render_to_response_json(500 if has_errors else 200)

    render_to_response_atom = render_to_response_rss = render_to_response_openmetrics = _json

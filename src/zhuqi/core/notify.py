"""Notifications: the in-app inbox plus copies through outbound channels.

`notify(...)` writes inbox rows in the caller's transaction and hands outbound delivery to
`transaction.on_commit` (a Celery task when REDIS_URL is set), so sending never blocks or breaks
the action that caused it.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger("zhuqi.notify")

#: inside `inbox_only()`: rows are written, nothing is handed to the outbound channels
_INBOX_ONLY = contextvars.ContextVar("zhuqi_notify_inbox_only", default=False)


@contextlib.contextmanager
def inbox_only() -> Iterator[None]:
    """Notifications written inside stay in the inbox; no SMS, e-mail or webhook copy is sent
    (the data generator acting through the services for made-up officials)."""
    token = _INBOX_ONLY.set(True)
    try:
        yield
    finally:
        _INBOX_ONLY.reset(token)


def channels():
    return [import_string(path)() for path in settings.NOTIFY_CHANNELS]


def _rows(recipients: Iterable, title: str, body: str, url: str, level: str) -> list[Notification]:
    """One inbox row per active recipient, each recipient once."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, title=title[:200], body=body, url=url[:300], level=level))
    return rows


def notify(
    recipients: Iterable, title: str, *, body: str = "", url: str = "", level: str = "info"
) -> list[Notification]:
    return _save(_rows(recipients, title, body, url, level))


def notify_many(messages: Iterable[dict]) -> list[Notification]:
    """Many `notify` calls at once (the sweep): each message is a dict of `notify`'s arguments
    (`recipients`, `title`, optional `body`, `url`, `level`). Each message reaches its recipients
    exactly as `notify` would; all rows go in with one `bulk_create` and one delivery hand-off."""
    rows: list[Notification] = []
    for m in messages:
        rows += _rows(
            m["recipients"], m["title"], m.get("body", ""), m.get("url", ""), m.get("level", "info")
        )
    return _save(rows)


def _save(rows: list[Notification]) -> list[Notification]:
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if _INBOX_ONLY.get():
        return created
    ids = [n.pk for n in created if n.pk]

    def _dispatch():
        from .tasks import deliver_notifications

        try:
            if ids:
                deliver_notifications.delay(ids)
            else:  # backends that do not return ids: deliver the objects directly
                deliver(created)
        except Exception:  # noqa: BLE001 - never break the caller
            log.exception("notification dispatch failed")

    transaction.on_commit(_dispatch)
    return created


def deliver(notifications: Iterable[Notification]) -> int:
    """Send each notification through every configured channel; failures are logged."""
    sent = 0
    chans = channels()
    for notification in notifications:
        for channel in chans:
            try:
                channel.send(notification)
                sent += 1
            except Exception:  # noqa: BLE001 - one broken channel must not stop the others
                log.exception("channel %s failed for notification %s", channel.name, notification.pk)
    return sent


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

"""Notifications: the in-app inbox plus copies through outbound channels.

`notify(...)` writes inbox rows in the caller's transaction and hands outbound delivery to
`transaction.on_commit` (a Celery task when REDIS_URL is set), so sending never blocks or breaks
the action that caused it.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
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


def notify_many(messages: Iterable[dict]) -> list[int]:
    """Many `notify` calls at once (sweeps, imports): each message is a dict of `notify`'s
    arguments (`recipients`, `title`, optional `body`, `url`, `level`). Each message reaches its
    recipients exactly as `notify` would (each active recipient once, in order), and all rows go
    in with one statement and one delivery hand-off. On PostgreSQL that statement is an
    `INSERT … SELECT` over the messages (sent once each, as one JSON document) joined to the
    (message, recipient) pairs, so no `Notification` object is built per row. Returns the ids of
    the rows written, in order."""
    texts: list[dict] = []
    pairs_msg: list[int] = []
    pairs_user: list[int] = []
    for m in messages:
        seen: set[int] = set()
        start = len(pairs_user)
        for user in m["recipients"]:
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            pairs_user.append(user.pk)
        if len(pairs_user) == start:
            continue
        pairs_msg.extend([len(texts) + 1] * (len(pairs_user) - start))
        texts.append(
            {
                "title": m["title"][:200],
                "body": m.get("body", ""),
                "url": m.get("url", "")[:300],
                "level": m.get("level", "info"),
            }
        )
    if not pairs_user:
        return []
    if connection.vendor != "postgresql":
        rows = [
            Notification(recipient_id=uid, **texts[i - 1])
            for i, uid in zip(pairs_msg, pairs_user, strict=True)
        ]
        return [n.pk for n in _save(rows) if n.pk]
    table = Notification._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {table} (recipient_id, title, body, url, level, created_at)
                SELECT r.uid, m.doc->>'title', m.doc->>'body', m.doc->>'url', m.doc->>'level', %s
                  FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS r(msg, uid, n)
                  JOIN jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS m(doc, i) ON m.i = r.msg
                 ORDER BY r.n
             RETURNING id""",
            [
                timezone.now(),
                "{" + ",".join(map(str, pairs_msg)) + "}",
                "{" + ",".join(map(str, pairs_user)) + "}",
                json.dumps(texts, ensure_ascii=False),
            ],
        )
        ids = [row[0] for row in cur.fetchall()]
    _hand_off(ids, [])
    return ids


def _save(rows: list[Notification]) -> list[Notification]:
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    _hand_off([n.pk for n in created if n.pk], created)
    return created


def _hand_off(ids: list[int], created: list[Notification]) -> None:
    """After commit, hand the rows written to the outbound channels (not in `inbox_only`)."""
    if _INBOX_ONLY.get():
        return

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

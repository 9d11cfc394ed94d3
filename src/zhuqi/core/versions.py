"""Per-process caches of rarely edited configuration, exact across processes.

A cache is named by a key (`"cases.sla"`). Whoever edits what a cache holds calls `bump(key)`
inside the editing transaction (signal handlers do it for model saves and deletes): it writes a
new random token to `CacheVersion`. A reader calls `tokens(*keys)` (one query for all its keys)
and hands each token to `VersionedCache.get`, which reloads when the token differs from the one
its copy was loaded under. The token is read *before* the data, so a copy is never tagged newer
than what it holds; a rolled-back edit leaves the old token, and its own token is never written
again, so nothing loaded inside that transaction is reused. The editing process also drops its
copy at once and again on commit.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

from .models import CacheVersion

_caches: dict[str, list[VersionedCache]] = {}


class VersionedCache:
    """One process-wide value per key (optionally per sub-key), loaded by `loader(sub_key)`."""

    def __init__(self, key: str, loader: Callable[[Any], Any]):
        self.key = key
        self.loader = loader
        self._lock = threading.Lock()
        self._token: str | None = None
        self._values: dict[Any, Any] = {}
        _caches.setdefault(key, []).append(self)

    def get(self, token: str, sub_key: Any = None) -> Any:
        with self._lock:
            if token == self._token and sub_key in self._values:
                return self._values[sub_key]
        value = self.loader(sub_key)
        with self._lock:
            if token != self._token:
                self._token, self._values = token, {}
            self._values[sub_key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._token, self._values = None, {}


def tokens(*keys: str) -> dict[str, str]:
    """The current token of each key ("" for one never bumped), in one query."""
    table = CacheVersion._meta.db_table
    with connection.cursor() as cur:  # on every intake: no ORM query building
        cur.execute(f"SELECT key, token FROM {table} WHERE key IN ({', '.join(['%s'] * len(keys))})", keys)
        found = dict(cur.fetchall())
    return {k: found.get(k, "") for k in keys}


def _clear(key: str) -> None:
    for cache in _caches.get(key, ()):
        cache.clear()


def bump(key: str) -> None:
    """Announce an edit of what `key`'s caches hold (inside the editing transaction)."""
    table = CacheVersion._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (key, token) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET token = excluded.token",
            [key, uuid.uuid4().hex],
        )
    _clear(key)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _clear(key), robust=True)


def bump_all() -> None:
    """`bump` every key this process knows (after rows were written around the signals: the
    data generator's COPY)."""
    for key in list(_caches):
        bump(key)


def clear_all() -> None:
    """Drop every copy this process holds (tests, after a flush)."""
    for key in list(_caches):
        _clear(key)

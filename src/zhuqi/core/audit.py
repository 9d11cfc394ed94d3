"""The audit log: append-only, hash-chained, two layers.

* Row diffs: every save and delete of a zhuqi model is recorded by signal handlers, with the
  fields that changed (old → new).
* Domain events: services call `record(...)` for transitions and events (case dispatched,
  deadline missed), logins, exports and imports.

Who and where come from a context variable set by the request middleware, by management
commands (`actor_label="命令: …"`) and by background jobs, so there is no change without a name.
Entries are chained: `hash = sha256(prev_hash + canonical JSON)`. `verify()` recomputes the chain
and returns the first entry whose hash no longer matches.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import hashlib
import ipaddress
import itertools
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

GENESIS = "0" * 64
# name_grams: the name search index; bank_account: an enterprise's account number stays out of the
# log (the policy claim's own event records its last four digits)
SKIP_FIELDS = {"password", "last_login", "path", "depth", "name_grams", "bank_account"}
# Changes to these fields of these models are permission changes, not ordinary updates.
PERMISSION_FIELDS = {
    "core.user": {"role", "region_id", "department_id", "is_staff", "is_superuser", "is_active"}
}
_LOCK_KEY = 7243071  # pg_advisory_xact_lock key: one chainer at a time (PostgreSQL)
# PostgreSQL writers hold a shared transaction-level advisory lock on _WRITER_KEYS + N, where N
# is the last audit id drawn when they began: "ids above N may still be uncommitted". pg_locks
# shows a bigint key as classid (its high 32 bits) and objid (its low 32 bits).
_WRITER_KEYS = 0x5A << 40
_WRITER_CLASSID = _WRITER_KEYS >> 32
PENDING = ""  # prev_hash of an entry written but not yet linked to the chain (PostgreSQL)
log = logging.getLogger("zhuqi.audit")


@dataclass
class AuditContext:
    actor: Any = None
    actor_label: str = ""
    ip: str | None = None
    enabled: bool = True


_DEFAULT = AuditContext()
_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("zhuqi_audit", default=_DEFAULT)  # noqa: B039 - never mutated


def current() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def acting_as(actor=None, *, label: str = "", ip: str | None = None, enabled: bool = True):
    """Attribute every audit entry written inside the block to `actor` (or a label)."""
    token = _context.set(AuditContext(actor=actor, actor_label=label, ip=ip, enabled=enabled))
    try:
        yield
    finally:
        _context.reset(token)


@contextlib.contextmanager
def row_diffs_disabled():
    """Skip the row-diff layer (bulk generators); domain events are still written."""
    ctx = current()
    token = _context.set(AuditContext(actor=ctx.actor, actor_label=ctx.actor_label, ip=ctx.ip, enabled=False))
    try:
        yield
    finally:
        _context.reset(token)


_PLAIN = frozenset({str, int, bool, float, type(None)})


def _json_value(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values: nothing to convert (checked first, it is the common case)
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, FieldFile):  # an empty one has a name ("") but raises on `.url`
        return value.name or ""
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def entry_payload(entry) -> str:
    """The canonical JSON the hash covers: every meaningful column (keys sorted)."""
    data = {"id": entry.pk, **_payload_dict(entry)}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(prev_hash: str, entry) -> str:
    return hashlib.sha256((prev_hash + entry_payload(entry)).encode("utf-8")).hexdigest()


def object_type_of(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def _build(
    action: str,
    obj: models.Model | None = None,
    *,
    event: str = "",
    changes: dict | None = None,
    message: str = "",
    actor=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
):
    """An unsaved entry attributed to `actor` or the current context."""
    from .models import AuditEntry

    ctx = current()
    actor = actor if actor is not None else ctx.actor
    if hasattr(actor, "resolve"):
        actor = actor.resolve()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    label = ctx.actor_label or (actor.display_name if actor is not None else _("系统"))
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEntry(
        actor=actor,
        actor_label=label[:150],
        ip=_stored_ip(ctx.ip),
        action=action,
        event=event,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=_json_value(changes or {}),
        message=message,
    )


def _stored_ip(ip: str | None) -> str | None:
    """The address as the database keeps it (an IPv6 one compressed), so that the hash computed
    from the entry in memory is the one `verify` recomputes from the stored row."""
    if ip and ":" in ip:
        from .models import AuditEntry

        return AuditEntry._meta.get_field("ip").get_prep_value(ip)
    return ip


class _Chainer:
    """The after-commit step of one PostgreSQL transaction that wrote entries (registered
    with `on_commit` once per transaction; `alone` says whether the transaction links its
    own entries as it writes them)."""

    def __init__(self):
        self.alone = False

    def __call__(self) -> None:
        global _last_chained
        # Under load, one attempt per process every CHAIN_EVERY seconds links everyone's
        # entries in batches; what the last attempt of a burst misses, the next writer or the
        # periodic catch-up links.
        now = time.monotonic()
        # With REDIS_URL the worker links them, off the request (a transaction found alone has
        # linked its own entries and queues nothing).
        in_worker = not settings.CELERY_TASK_ALWAYS_EAGER
        if (in_worker and self.alone) or (not self.alone and now - _last_chained < CHAIN_EVERY):
            return
        _last_chained = now
        try:
            if in_worker:
                from .tasks import chain_audit

                chain_audit.delay()
            else:
                chain_pending()
        except Exception:  # noqa: BLE001 - the periodic catch-up links them; never break the caller
            log.exception("audit chaining failed")


CHAIN_EVERY = 0.25  # seconds between after-commit chaining attempts of one process
_last_chained = 0.0


def _sequence() -> str:
    """The audit id sequence (PostgreSQL), looked up once per process."""
    global _SEQUENCE
    if _SEQUENCE is None:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence('core_auditentry', 'id')")
            _SEQUENCE = cur.fetchone()[0]
    return _SEQUENCE


_SEQUENCE: str | None = None
_LAST_DRAWN = "CASE WHEN is_called THEN last_value ELSE last_value - 1 END"


def _bound(cur, lock: str) -> tuple[int | None, bool]:
    """(ids up to here are final, chain lock held): the last id drawn, lowered to the start of
    every other open transaction writing entries (ids below it are committed or gone for
    good). `lock`: "alone" takes the chain lock only when no other writer is open, "try"
    takes it if free, "held" means the caller holds it already."""
    take = {
        "alone": f"CASE WHEN m IS NULL THEN pg_try_advisory_xact_lock({_LOCK_KEY}) ELSE false END",
        "try": f"pg_try_advisory_xact_lock({_LOCK_KEY})",
        "held": "true",
    }[lock]
    cur.execute(
        f"""SELECT least(s, m), {take} FROM (
              SELECT (SELECT {_LAST_DRAWN} FROM {_sequence()}) AS s,
                     (SELECT min(((classid::bigint - {_WRITER_CLASSID}) << 32) + objid::bigint)
                        FROM pg_locks
                       WHERE locktype = 'advisory' AND objsubid = 1 AND pid <> pg_backend_pid()
                         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                         AND classid::bigint >= {_WRITER_CLASSID}
                         AND classid::bigint < {_WRITER_CLASSID + 256}) AS m
            ) AS b"""
    )
    bound, locked = cur.fetchone()
    return bound, bool(locked)


def _link(bound: int | None, batch: int = 2000) -> dict[int, tuple[str, str]]:
    """Link the pending entries with ids up to `bound` to the chain, in id order; the caller
    holds the chain lock. Returns {id: (prev_hash, hash)} of the entries linked."""
    return _link_to(bound, batch)[0]


def _link_to(bound: int | None, batch: int = 2000) -> tuple[dict[int, tuple[str, str]], int, str, bool]:
    """`_link`, also returning the chain's head afterwards (id, hash) and whether every pending
    entry up to `bound` was linked (False when it stopped at one unlinked by hand)."""
    from .models import AuditEntry

    linked: dict[int, tuple[str, str]] = {}
    stale_before = timezone.now() - dt.timedelta(seconds=settings.ZHUQI_AUDIT_CHAIN_GRACE)
    from .audit_checkpoints import last_checkpointed_id

    floor = last_checkpointed_id()  # entries a checkpoint saw linked are never linked again
    stopped = False
    while True:
        head = AuditEntry.objects.exclude(prev_hash=PENDING).order_by("-id").values_list("id", "hash").first()
        head_id, prev = head or (0, GENESIS)
        pending = AuditEntry.objects.filter(id__gt=head_id).order_by("id")
        if bound is not None:
            pending = pending.filter(id__lte=bound)
        rows = list(pending[:batch])
        full = len(rows) == batch
        # an entry left unlinked beyond the grace period did not wait for its commit, and one that a
        # checkpoint already saw linked was linked before: either way its link was blanked by hand.
        # It is not linked (that would bless a rewritten entry); verify names it.
        fresh = [e for e in itertools.takewhile(lambda e: e.at >= stale_before and e.pk > floor, rows)]
        if len(fresh) < len(rows):
            log.error(
                "audit entry #%s unlinked by hand (stale or checkpointed): not linked", rows[len(fresh)].pk
            )
            rows, full, stopped = fresh, False, True  # link what comes before it, then stop
        for entry in rows:
            entry.prev_hash = prev
            entry.hash = compute_hash(prev, entry)
            prev = entry.hash
            linked[entry.pk] = (entry.prev_hash, entry.hash)
            head_id = entry.pk
        if len(rows) == 1:
            rows[0].save(update_fields=["prev_hash", "hash"], _allow_update=True)
        elif rows and connection.vendor == "postgresql":  # one plain statement, not CASE WHEN per row
            with connection.cursor() as cur:
                cur.execute(
                    "UPDATE core_auditentry AS a SET prev_hash = v.prev_hash, hash = v.hash"
                    " FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[]) AS v(id, prev_hash, hash)"
                    " WHERE a.id = v.id",
                    [[e.pk for e in rows], [e.prev_hash for e in rows], [e.hash for e in rows]],
                )
        elif rows:
            AuditEntry.objects.bulk_update(rows, ["prev_hash", "hash"], batch_size=1000)
        if not full:
            return linked, head_id, prev, not stopped


def chain_pending(*, wait: bool = False) -> int:
    """Link committed entries to the chain (PostgreSQL; on SQLite entries are linked as they
    are written). Runs after each writing transaction's commit, in the periodic catch-up
    (`zhuqi.core.tasks.chain_audit`) and before `verify`. Without `wait` it leaves the work to
    a chainer already at it. Returns how many entries it linked."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cur:
        if wait:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        bound, locked = _bound(cur, "held" if wait else "try")
        return len(_link(bound)) if locked else 0


def _append(entries: list) -> list:
    """Save `entries` (unsaved, in order) inside the caller's transaction and link them to the
    chain. The one place that writes entries: every writer goes through it.

    SQLite has one writer at a time: entries are linked as they are written. On PostgreSQL,
    holding the chain's lock from the first entry until commit would serialise every writing
    transaction, so entries are written unlinked (`prev_hash` empty) and linked in id order by
    a short step after commit (`chain_pending`), up to the lowest id a still-open writer may
    hold: each writing transaction announces "my ids are above N" with a shared advisory lock
    taken before it draws ids. A transaction that is the only writer links its own entries at
    once, as before."""
    from .models import AuditEntry

    if not entries:
        return entries
    if connection.vendor != "postgresql":
        with transaction.atomic(savepoint=False):
            prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
            for entry in entries:
                entry.prev_hash = prev
                entry.hash = uuid.uuid4().hex  # placeholder until the id is known
            if len(entries) == 1:
                entries[0].save()
            else:
                AuditEntry.objects.bulk_create(entries)
            for entry in entries:
                entry.prev_hash = prev
                entry.hash = compute_hash(prev, entry)
                prev = entry.hash
            if len(entries) == 1:
                entries[0].save(update_fields=["hash"], _allow_update=True)
            else:
                AuditEntry.objects.bulk_update(entries, ["prev_hash", "hash"], batch_size=1000)
        return entries
    with transaction.atomic(savepoint=False):
        found = next((item[1] for item in connection.run_on_commit if isinstance(item[1], _Chainer)), None)
        first = found is None
        chainer = found or _Chainer()
        if first:
            with connection.cursor() as cur:
                cur.execute(
                    f"SELECT pg_advisory_xact_lock_shared({_WRITER_KEYS} + {_LAST_DRAWN}) FROM {_sequence()}"
                )
            transaction.on_commit(chainer)
        if (first or chainer.alone) and len(entries) > 1:
            payloads = [_payload_dict(e) for e in entries]
            if all(_same_after_storing(p) for p in payloads):
                _append_linked(entries, payloads, chainer)
                return entries
        for entry in entries:
            entry.prev_hash = PENDING
            entry.hash = "~" + uuid.uuid4().hex  # unique placeholder until linked
        if len(entries) == 1:
            entries[0].save()
        else:
            AuditEntry.objects.bulk_create(entries)
        if first or chainer.alone:
            with connection.cursor() as cur:
                bound, chainer.alone = _bound(cur, "held" if chainer.alone else "alone")
            if chainer.alone:
                linked = _link(bound)
                for entry in entries:
                    entry.prev_hash, entry.hash = linked.get(entry.pk, (entry.prev_hash, entry.hash))
    return entries


def _payload_dict(entry) -> dict:
    """`entry_payload`'s data without the id (which `_append_linked` draws later)."""
    return {
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "ip": entry.ip,
        "action": entry.action,
        "event": entry.event,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "message": entry.message,
    }


def _same_after_storing(payload: dict) -> bool:
    """Whether the entry reads back from PostgreSQL exactly as it is in memory, so that its hash
    may be computed before it is stored: no address PostgreSQL's inet would rewrite (only
    canonical IPv4 ones pass) and no float jsonb would print differently (1e+20 comes back as
    100000000000000000000; NaN and infinities are refused)."""
    ip = payload["ip"]
    if ip is not None:
        try:
            if ipaddress.ip_address(ip).version != 4 or str(ipaddress.ip_address(ip)) != ip:
                return False
        except ValueError:
            return False
    return _plain_numbers(payload["changes"])


def _plain_numbers(value: Any) -> bool:
    if type(value) is float:
        text = repr(value)
        return "e" not in text and "n" not in text  # 1e+20, inf, nan
    if isinstance(value, dict):
        return all(_plain_numbers(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain_numbers(v) for v in value)
    return True


def _append_linked(entries: list, payloads: list[dict], chainer: _Chainer) -> None:
    """PostgreSQL, a transaction that may link its own entries (the first writer, or one found
    alone): draw the ids first, then — when no transaction still open can hold a smaller id and
    everything below is linked — compute the hashes in Python and insert the entries linked, with
    one `INSERT … SELECT` from one JSON document: no placeholder hashes, no read-back, no UPDATE.
    Otherwise (another writer is open) they go in unlinked for the after-commit step, as in
    `_append`."""
    from .models import AuditEntry

    with connection.cursor() as cur:
        cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_sequence(), len(entries)])
        ids = sorted(row[0] for row in cur.fetchall())
        # ids are drawn before the check, as `_append` writes before it: a writer that starts
        # after this point draws larger ids, one open before it shows in pg_locks
        bound, alone = _bound(cur, "held" if chainer.alone else "alone")
    chainer.alone = alone
    head_id, prev, linked = 0, GENESIS, False
    if alone and bound is not None and bound >= ids[-1]:
        _, head_id, prev, complete = _link_to(ids[0] - 1)
        linked = complete and head_id < ids[0]
    rows = []
    for entry, pk, data in zip(entries, ids, payloads, strict=True):
        entry.pk = pk
        data["id"] = pk
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        if linked:
            entry.prev_hash = prev
            entry.hash = hashlib.sha256((prev + text).encode("utf-8")).hexdigest()
            prev = entry.hash
        else:
            entry.prev_hash, entry.hash = PENDING, "~" + uuid.uuid4().hex
        rows.append(
            text[:-1]
            + ',"prev_hash":'
            + json.dumps(entry.prev_hash)
            + ',"hash":'
            + json.dumps(entry.hash)
            + "}"
        )
    table = AuditEntry._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {table} (id, at, actor_id, actor_label, ip, action, event, object_type,
                                     object_id, object_repr, changes, message, prev_hash, hash)
                SELECT r.id, r.at, r.actor, r.actor_label, r.ip, r.action, r.event, r.object_type,
                       r.object_id, r.object_repr, coalesce(r.changes, '{{}}'::jsonb), r.message,
                       r.prev_hash, r.hash
                  FROM jsonb_to_recordset(%s::jsonb) AS r(
                       id bigint, at timestamptz, actor bigint, actor_label text, ip inet, action text,
                       event text, object_type text, object_id text, object_repr text, changes jsonb,
                       message text, prev_hash text, hash text)
                 ORDER BY r.id""",
            ["[" + ",".join(rows) + "]"],
        )
    for entry in entries:
        entry._state.adding = False
        entry._state.db = connection.alias


def record(action: str, obj: models.Model | None = None, **fields: Any):
    """Append one entry to the chain, inside the caller's transaction; `fields` are `_build`'s
    (event, changes, message, actor, object_type, object_id, object_repr)."""
    return _append([_build(action, obj, **fields)])[0]


def record_many(items: list[dict]) -> list:
    """Append many entries at once (sweeps, imports): each item holds `record`'s arguments,
    `action` included. Same chain, same attribution, a few queries in all."""
    return _append([_build(**item) for item in items])


def verify(batch: int = 5000):
    """Walk the chain in id order (after linking what is committed). Returns (checked_count,
    first_bad_entry_or_None, reason); entries still being written at the end are not counted."""
    from .models import AuditArchive, AuditEntry

    chain_pending(wait=True)

    prev = GENESIS
    checked = 0
    last_id = 0
    archive = AuditArchive.objects.order_by("-up_to_id").first()
    if archive is not None:  # the chain goes on from the last archived entry (`zhuqi audit archive`)
        prev, last_id = archive.last_hash, archive.up_to_id
        leftover = AuditEntry.objects.filter(id__lte=last_id).order_by("id").first()
        if leftover is not None:
            return checked, leftover, _("条目在已归档的范围内（归档后又被写回？）")
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return checked, None, ""
        for entry in rows:
            if entry.prev_hash == PENDING:  # written, not linked yet: fine at the end of the log only
                if AuditEntry.objects.filter(id__gt=entry.id).exclude(prev_hash=PENDING).exists():
                    return checked, entry, _("条目未链入哈希链（其后已有链上条目）")
                # ...and only for a while: the catch-up links committed entries within a minute, so
                # an unlinked entry older than the grace period was unlinked by hand (its link blanked)
                from .audit_checkpoints import last_checkpointed_id

                if entry.id <= last_checkpointed_id():
                    return checked, entry, _("条目已由检查点确认链入，现被解除链接（被改写？）")
                grace = dt.timedelta(seconds=settings.ZHUQI_AUDIT_CHAIN_GRACE)
                stale = AuditEntry.objects.filter(
                    id__gte=entry.id, prev_hash=PENDING, at__lt=timezone.now() - grace
                )
                old = stale.order_by("id").first()
                if old is not None:
                    return (
                        checked,
                        old,
                        _("条目超过 %(s)s 秒仍未链入哈希链（链接被清除？）")
                        % {"s": settings.ZHUQI_AUDIT_CHAIN_GRACE},
                    )
                return checked, None, ""
            if entry.prev_hash != prev:
                return checked, entry, _("上一条哈希不匹配（有条目被删除或插入）")
            if compute_hash(prev, entry) != entry.hash:
                return checked, entry, _("内容哈希不匹配（条目被篡改）")
            prev = entry.hash
            checked += 1
            last_id = entry.id


def field_values(instance: models.Model) -> dict[str, Any]:
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIP_FIELDS:
            continue
        values[field.attname] = _json_value(getattr(instance, field.attname))
    return values


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}


def _audited(sender) -> bool:
    from .models import AuditEntry, Notification

    if sender in (AuditEntry, Notification):
        return False
    module = sender.__module__
    return module.startswith("zhuqi.") and not getattr(sender, "audit_exempt", False)


def creation(instance: models.Model, values: dict[str, Any] | None = None) -> dict:
    """The row diff of an INSERT, as a `record_many` item: for a service that writes a row with
    the row-diff layer off (`row_diffs_disabled`) and records its creation together with its
    domain event (one write to the chain)."""
    new = field_values(instance) if values is None else values
    return {
        "action": "create",
        "obj": instance,
        "changes": {k: [None, v] for k, v in new.items() if v not in (None, "", [], {})},
    }


@receiver(pre_save, dispatch_uid="zhuqi_audit_pre_save")
def _remember_old(sender, instance, raw=False, **kwargs):
    if raw or not current().enabled or not _audited(sender) or instance._state.adding or not instance.pk:
        return
    try:
        old = sender._base_manager.get(pk=instance.pk)
    except sender.DoesNotExist:
        return
    instance._audit_old = field_values(old)


@receiver(post_save, dispatch_uid="zhuqi_audit_post_save")
def _record_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not current().enabled or not _audited(sender):
        return
    new = field_values(instance)
    if created:
        record(**creation(instance, new))
        return
    changes = diff(getattr(instance, "_audit_old", {}), new)
    if changes:
        action = (
            "permission"
            if PERMISSION_FIELDS.get(sender._meta.label_lower, set()) & changes.keys()
            else "update"
        )
        record(action, instance, changes=changes)
    instance._audit_old = new


@receiver(post_delete, dispatch_uid="zhuqi_audit_post_delete")
def _record_delete(sender, instance, **kwargs):
    if not current().enabled or not _audited(sender):
        return
    record("delete", instance, changes={k: [v, None] for k, v in field_values(instance).items()})


def timeline(obj: models.Model, limit: int = 200):
    """An object's history, oldest first, for the timeline component."""
    from .models import AuditEntry

    qs = AuditEntry.objects.filter(object_type=object_type_of(obj), object_id=str(obj.pk)).select_related(
        "actor"
    )
    return list(qs.order_by("id")[:limit])


def _m2m_permission_changed(sender, instance, action, pk_set=None, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"} or not current().enabled:
        return
    field = "groups" if sender is instance.__class__.groups.through else "user_permissions"
    record("permission", instance, changes={field: [action.removeprefix("post_"), sorted(pk_set or [])]})


def connect_permission_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed

    user_model = get_user_model()
    m2m_changed.connect(
        _m2m_permission_changed, sender=user_model.groups.through, dispatch_uid="zhuqi_audit_groups"
    )
    m2m_changed.connect(
        _m2m_permission_changed, sender=user_model.user_permissions.through, dispatch_uid="zhuqi_audit_perms"
    )

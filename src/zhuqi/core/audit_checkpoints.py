"""Checkpoints of the audit chain, kept outside the database.

The hash chain (`core.audit`) proves that no entry in the middle was changed or removed, but the
newest entries have nothing after them to vouch for them: someone with database access could
delete or rewrite the tail. A checkpoint closes that gap: at a fixed interval (the periodic
chaining task) and at every `zhuqi audit verify`, the chain head — the last linked entry's id, its
hash, the number of entries up to it, the time — is appended to a sink the application's
database role cannot rewrite (`ZHUQI_AUDIT_CHECKPOINT_FILE`: an append-only file on another
volume; and syslog with `ZHUQI_AUDIT_SYSLOG=true`), signed with HMAC-SHA256 under a key that
lives outside the database (`ZHUQI_AUDIT_KEY` / `ZHUQI_AUDIT_KEY_FILE`; unset, a key derived from
`SECRET_KEY`). `verify_latest()` checks the log against the latest valid checkpoint: the entry
it names must still exist with the same hash, and as many entries must lie up to it. What was
written after the latest checkpoint cannot be proven yet; verify reports that window.
docs/operations.md ("Audit log") says where to put the file and how to verify after a restore.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import logging.handlers
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger("zhuqi.audit.checkpoint")


def _key() -> bytes:
    key = getattr(settings, "ZHUQI_AUDIT_KEY", "") or ""
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"zhuqi-audit-checkpoint", hashlib.sha256).digest()


def _canonical(fields: dict) -> bytes:
    return json.dumps(
        {k: v for k, v in fields.items() if k != "sig"}, sort_keys=True, ensure_ascii=False
    ).encode()


def sign(fields: dict) -> str:
    return hmac.new(_key(), _canonical(fields), hashlib.sha256).hexdigest()


def _path() -> Path:
    return Path(settings.ZHUQI_AUDIT_CHECKPOINT_FILE)


def head() -> dict:
    """The chain head now: the last linked entry's id and hash, and how many entries lie up to it."""
    from .audit import PENDING
    from .models import AuditEntry

    last = AuditEntry.objects.exclude(prev_hash=PENDING).order_by("-id").values_list("id", "hash").first()
    last_id, last_hash = last or (0, "")
    return {"last_id": last_id, "hash": last_hash, "count": count_up_to(last_id)}


def count_up_to(last_id: int) -> int:
    """Entries with an id up to `last_id`: those in the table and those archived."""
    from .models import AuditArchive, AuditEntry

    archived = (
        AuditArchive.objects.order_by("-up_to_id").values_list("archived_total", flat=True).first() or 0
    )
    return (AuditEntry.objects.filter(id__lte=last_id).count() if last_id else 0) + archived


def write(reason: str = "interval") -> dict:
    """Append a signed checkpoint of the chain head to the sink(s) and return it. `reason`:
    "interval", "verify", or an operator's words (after a restore, say)."""
    from .audit import chain_pending

    chain_pending(wait=True)
    cp = dict(head(), at=timezone.now().isoformat(timespec="seconds"), reason=str(reason)[:200])
    cp["sig"] = sign(cp)
    line = json.dumps(cp, ensure_ascii=False, sort_keys=True)
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if getattr(settings, "ZHUQI_AUDIT_SYSLOG", False):
        _syslog().info("zhuqi-audit-checkpoint %s", line)
    return cp


_syslog_logger: logging.Logger | None = None


def _syslog() -> logging.Logger:
    global _syslog_logger
    if _syslog_logger is None:
        _syslog_logger = logging.getLogger("zhuqi.audit.checkpoint.syslog")
        address = "/dev/log" if Path("/dev/log").exists() else ("localhost", 514)
        _syslog_logger.addHandler(logging.handlers.SysLogHandler(address=address))
        _syslog_logger.setLevel(logging.INFO)
        _syslog_logger.propagate = False
    return _syslog_logger


@dataclass
class Checkpoints:
    latest: dict | None
    problems: list[str]


def read() -> Checkpoints:
    """The latest correctly signed checkpoint of the file, and every line that is not one."""
    path = _path()
    if not path.exists():
        return Checkpoints(None, [])
    latest, problems = None, []
    with path.open(encoding="utf-8") as fh:
        for n, raw in enumerate(fh, start=1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                cp = json.loads(raw)
                ok = isinstance(cp, dict) and hmac.compare_digest(str(cp.get("sig", "")), sign(cp))
            except (ValueError, TypeError):
                ok = False
            if not ok:
                problems.append(_("检查点文件第 %(n)s 行签名无效或无法解析（被改写？）") % {"n": n})
                continue
            latest = cp
    return Checkpoints(latest, problems)


@dataclass
class Result:
    checkpoint: dict | None
    problems: list[str]
    unproven: int  # entries after the checkpoint, not yet vouched for by one


def verify_latest() -> Result:
    """Check the log against the latest valid checkpoint."""
    from .models import AuditEntry

    cps = read()
    problems = list(cps.problems)
    cp = cps.latest
    if cp is None:
        return Result(None, problems, AuditEntry.objects.count())
    last_id, count = int(cp["last_id"]), int(cp["count"])
    if last_id:
        entry_hash = AuditEntry.objects.filter(id=last_id).values_list("hash", flat=True).first()
        if entry_hash is None:
            problems.append(
                _("检查点（%(at)s）记录的第 #%(id)s 条已不存在：日志末尾被删除")
                % {"at": cp["at"], "id": last_id}
            )
        elif entry_hash != cp["hash"]:
            problems.append(
                _("第 #%(id)s 条的哈希与检查点（%(at)s）不符：该条或其之前的条目被改写")
                % {"at": cp["at"], "id": last_id}
            )
    now_count = count_up_to(last_id)
    if now_count != count:
        problems.append(
            _("检查点（%(at)s）时共有 %(then)s 条，现在同一范围内有 %(now)s 条：有条目被删除或插入")
            % {"at": cp["at"], "then": count, "now": now_count}
        )
    unproven = AuditEntry.objects.filter(id__gt=last_id).count()
    return Result(cp, problems, unproven)


def due(now: dt.datetime | None = None) -> bool:
    """Is a periodic checkpoint due (none yet, or the latest older than the interval)?"""
    cp = read().latest
    if cp is None:
        return True
    now = now or timezone.now()
    try:
        at = dt.datetime.fromisoformat(cp["at"])
    except (KeyError, ValueError):
        return True
    return (now - at).total_seconds() >= settings.ZHUQI_AUDIT_CHECKPOINT_EVERY


_tail_cache: tuple[tuple[int, int], int] | None = None


def last_checkpointed_id() -> int:
    """The last entry id the latest checkpoint vouches for (0 without one): entries up to it were
    linked before, so an unlinked one among them had its link blanked and is never linked again.
    Reads only the file's tail, once per change of the file (it is asked after every commit)."""
    global _tail_cache
    path = _path()
    try:
        st = path.stat()
    except OSError:
        return 0
    stamp = (st.st_mtime_ns, st.st_size)
    if _tail_cache is not None and _tail_cache[0] == stamp:
        return _tail_cache[1]
    with path.open("rb") as fh:
        fh.seek(max(0, st.st_size - 4096))
        lines = fh.read().decode("utf-8", "replace").splitlines()
    found = 0
    for raw in reversed(lines):
        try:
            cp = json.loads(raw)
        except ValueError:
            continue
        if isinstance(cp, dict) and hmac.compare_digest(str(cp.get("sig", "")), sign(cp)):
            found = int(cp.get("last_id") or 0)
            break
    _tail_cache = (stamp, found)
    return found

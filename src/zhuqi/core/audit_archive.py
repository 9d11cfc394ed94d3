"""Archiving old audit entries (`zhuqi audit archive --before DATE --to FILE`): a separate,
audited operation, the only one that removes entries from the table. Entries are kept at least
six months (等保 2.0), so only entries older than that may go; they are written with their hashes,
oldest first, to a JSON-lines file whose SHA-256 is recorded (`AuditArchive`), then deleted in the
same transaction (on PostgreSQL under `zhuqi.audit_archive`, the one thing the append-only trigger
lets through). The chain goes on from the last archived hash, so verify still proves the rest,
and `verify_file` proves an archive file against its record."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import audit

#: the shortest time an entry is kept before it may be archived (等保 2.0: six months)
KEEP_DAYS = 183


def archive(before: dt.datetime, path: Path) -> dict:
    """Move the entries written before `before` to the file `path` (which must not exist)."""
    from .models import AuditArchive, AuditEntry

    if before > timezone.now() - dt.timedelta(days=KEEP_DAYS):
        raise ValidationError(
            _("审计日志至少保存 %(days)s 天：只能归档 %(date)s 之前的条目")
            % {"days": KEEP_DAYS, "date": (timezone.now() - dt.timedelta(days=KEEP_DAYS)).date()}
        )
    if path.exists():
        raise ValidationError(_("归档文件 %(p)s 已存在，不会覆盖") % {"p": path})
    checked, bad, reason = audit.verify()
    if bad is not None:
        raise ValidationError(_("哈希链校验未通过（#%(pk)s：%(r)s），不能归档") % {"pk": bad.pk, "r": reason})
    with transaction.atomic():
        previous = AuditArchive.objects.select_for_update().order_by("-up_to_id").first()
        start = previous.up_to_id if previous else 0
        first_newer = (
            AuditEntry.objects.filter(at__gte=before).order_by("id").values_list("id", flat=True).first()
        )
        rows = AuditEntry.objects.filter(id__gt=start).exclude(prev_hash=audit.PENDING).order_by("id")
        if first_newer is not None:
            rows = rows.filter(id__lt=first_newer)  # the oldest, contiguous: never a hole in the chain
        entries = list(rows)
        if not entries:
            raise ValidationError(_("没有可归档的条目"))
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with path.open("x", encoding="utf-8") as fh:
            for e in entries:
                line = json.dumps(
                    {"payload": json.loads(audit.entry_payload(e)), "prev_hash": e.prev_hash, "hash": e.hash},
                    ensure_ascii=False,
                    sort_keys=True,
                )
                fh.write(line + "\n")
                digest.update((line + "\n").encode())
        last = entries[-1]
        record = AuditArchive.objects.create(
            up_to_id=last.pk,
            last_hash=last.hash,
            count=len(entries),
            archived_total=(previous.archived_total if previous else 0) + len(entries),
            before=before,
            file_name=str(path),
            file_sha256=digest.hexdigest(),
        )
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SET LOCAL zhuqi.audit_archive = 'on'")
            cur.execute("DELETE FROM core_auditentry WHERE id > %s AND id <= %s", [start, last.pk])
            if connection.vendor == "postgresql":
                cur.execute("SET LOCAL zhuqi.audit_archive = 'off'")
        audit.record(
            "event",
            record,
            event="audit_archived",
            changes={
                gettext_noop("条数"): len(entries),
                gettext_noop("至条目"): last.pk,
                gettext_noop("文件"): str(path),
                gettext_noop("校验值"): record.file_sha256,
            },
        )
    return {"count": len(entries), "up_to_id": last.pk, "sha256": record.file_sha256}


def verify_file(path: Path) -> tuple[bool, str]:
    """Does the archive file `path` match its record, and do its entries chain?"""
    from .models import AuditArchive

    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    record = AuditArchive.objects.filter(file_sha256=sha).first()
    if record is None:
        return False, _("文件校验值与任何归档记录都不符（文件被改动？）")
    lines = [json.loads(x) for x in data.decode("utf-8").splitlines() if x.strip()]
    for line in lines:
        payload = json.dumps(line["payload"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if hashlib.sha256((line["prev_hash"] + payload).encode("utf-8")).hexdigest() != line["hash"]:
            return False, _("条目 #%(id)s 的哈希不符") % {"id": line["payload"]["id"]}
    for a, b in zip(lines, lines[1:], strict=False):
        if b["prev_hash"] != a["hash"]:
            return False, _("条目 #%(id)s 与上一条未衔接") % {"id": b["payload"]["id"]}
    if lines and lines[-1]["hash"] != record.last_hash:
        return False, _("末条哈希与归档记录不符")
    return True, _("归档文件完好：%(n)s 条") % {"n": len(lines)}

"""`zhuqi backup` and `zhuqi restore` (docs/operations.md, "Backup and restore").

A backup is one directory (or the same as one `.tar`) holding:

* `database.dump` — PostgreSQL's custom format (`pg_dump -Fc`), or `database.sqlite3` — a copy
  made by SQLite's online backup, for the embedded default;
* `media/` — the uploaded files (`MEDIA_ROOT`);
* `manifest.json` — when, which zhuqi, the migration heads, the row count of every table, and
  every file with its size and SHA-256.

On PostgreSQL the dump and the counts see the same moment: the backup opens a read-only
REPEATABLE READ transaction, exports its snapshot, and `pg_dump --snapshot` dumps exactly that
while the counts are taken in the transaction, so a busy system still restores to the manifest's
counts. The uploads are copied after the dump: every file the dump refers to was written before.

A restore checks every checksum before it touches anything, refuses a database or media folder
that is not empty unless forced, restores into the configured database (`pg_restore`) and
`MEDIA_ROOT`, then checks the result: the row counts against the manifest and the audit log's
hash chain (core.audit.verify), and names migrations still to apply and a checkpoint newer than
the backup (the work lost since it).

Connection details go to `pg_dump`/`pg_restore` as libpq environment variables (`PGPASSWORD`
never appears on a command line). The finished backup is marked (core.heartbeat) for the
"last backup age" on /metrics, and both operations write an audit event.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"


def zhuqi_version() -> str:
    try:
        return metadata.version("zhuqi")
    except metadata.PackageNotFoundError:
        return "unknown"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_env() -> dict[str, str]:
    """The configured database as libpq environment variables, for pg_dump and pg_restore."""
    db: dict = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS", {})
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(key):
            env["PG" + key.upper()] = str(options[key])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise ValidationError(
            _("找不到 %(tool)s：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）")
            % {"tool": name}
        )
    return path


def _run(args: list[str]) -> None:
    done = subprocess.run(args, env=_libpq_env(), capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise ValidationError(
            _("%(tool)s 失败：%(err)s") % {"tool": Path(args[0]).name, "err": done.stderr.strip()[-2000:]}
        )


def _quoted_tables(cursor) -> list[str]:
    return sorted(connection.introspection.table_names(cursor))


def table_counts(conn=None) -> dict[str, int]:
    """Rows in every table of the configured database (or of an open sqlite3 connection)."""
    if conn is not None:  # a SQLite copy
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
            for n in sorted(names)
            if not n.startswith("sqlite_")
        }
    with connection.cursor() as cursor:
        counts = {}
        for name in _quoted_tables(cursor):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
        return counts


def migration_heads(conn=None) -> dict[str, str]:
    """The newest applied migration of each app."""
    sql = "SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app"
    if conn is not None:
        return dict(conn.execute(sql).fetchall())
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _dump_postgresql(target: Path) -> tuple[dict, dict]:
    pg_dump = _tool("pg_dump")
    if connection.in_atomic_block:
        raise ValidationError(_("备份不能在事务中进行"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
        return table_counts(), migration_heads()


def _dump_sqlite(target: Path) -> tuple[dict, dict]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        return table_counts(copy), migration_heads(copy)
    finally:
        copy.close()


def _files(root: Path) -> list[dict]:
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST):
        out.append(
            {
                "path": path.relative_to(root).as_posix(),
                "size": path.stat().st_size,
                "sha256": sha256_of(path),
            }
        )
    return out


def make(dest: Path, *, as_tar: bool = False) -> tuple[Path, dict]:
    """Write a backup under `dest`; return its path and manifest."""
    from . import audit, heartbeat

    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise ValidationError(_("备份只支持 PostgreSQL 和 SQLite"))
    created = timezone.now()
    name = f"zhuqi-backup-{created:%Y%m%dT%H%M%SZ}"
    work = dest / name
    final = dest / f"{name}.tar" if as_tar else work
    if work.exists() or final.exists():
        raise ValidationError(_("%(p)s 已存在，不会覆盖") % {"p": final})
    work.mkdir(parents=True)
    try:
        if vendor == "postgresql":
            counts, heads = _dump_postgresql(work / PG_DUMP)
        else:
            counts, heads = _dump_sqlite(work / SQLITE_COPY)
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir():
            shutil.copytree(media, work / MEDIA, symlinks=False)
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(),
            "zhuqi_version": zhuqi_version(),
            "database": {"engine": vendor, "file": PG_DUMP if vendor == "postgresql" else SQLITE_COPY},
            "migrations": heads,
            "counts": counts,
            "files": _files(work),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        if as_tar:
            with tarfile.open(final, "x") as tar:
                tar.add(work, arcname=name)
            shutil.rmtree(work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    with audit.acting_as(None, label=_("命令: zhuqi backup")), transaction.atomic():
        audit.record(
            "event",
            event="backup_made",
            object_repr=name,
            changes={
                gettext_noop("文件"): str(final),
                gettext_noop("审计日志条数"): counts.get("core_auditentry", 0),
            },
        )
        heartbeat.mark(heartbeat.BACKUP, at=timezone.now())
    return final, manifest


@dataclass
class RestoreReport:
    manifest: dict
    problems: list[str] = field(default_factory=list)  # the restore did not give the backup back
    notes: list[str] = field(default_factory=list)  # to act on, but the data is what was backed up


def _unpack(source: Path, into: Path) -> Path:
    """The backup directory inside `source` (a directory or a .tar)."""
    if source.is_dir():
        return source
    if not tarfile.is_tarfile(source):
        raise ValidationError(_("%(p)s 不是备份目录，也不是 tar 文件") % {"p": source})
    with tarfile.open(source) as tar:
        tar.extractall(into, filter="data")  # no absolute paths, no "..", no links out
    inner = [p for p in into.iterdir() if p.is_dir()]
    if len(inner) != 1:
        raise ValidationError(_("tar 文件里应只有一个备份目录"))
    return inner[0]


def read_and_check(folder: Path) -> dict:
    """The manifest, once every file it lists is present with its size and SHA-256."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValidationError(_("找不到或读不懂 %(f)s") % {"f": MANIFEST}) from None
    if manifest.get("format") != FORMAT:
        raise ValidationError(_("不认识的备份格式 %(v)s") % {"v": manifest.get("format")})
    bad = []
    root = folder.resolve()
    for entry in manifest["files"]:
        path = (folder / entry["path"]).resolve()
        if root not in path.parents:
            bad.append(_("%(p)s：路径超出备份目录") % {"p": entry["path"]})
        elif not path.is_file():
            bad.append(_("%(p)s：缺失") % {"p": entry["path"]})
        elif path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            bad.append(_("%(p)s：校验值不符") % {"p": entry["path"]})
    listed = {e["path"] for e in manifest["files"]}
    if manifest["database"]["file"] not in listed:
        bad.append(_("%(p)s：清单中没有数据库文件") % {"p": manifest["database"]["file"]})
    if bad:
        raise ValidationError(_("备份未通过校验，未做任何改动：%(bad)s") % {"bad": "；".join(bad)})
    return manifest


def _media_has_files(media: Path) -> bool:
    return media.is_dir() and any(p.is_file() for p in media.rglob("*"))


def _restore_postgresql(dump: Path, *, force: bool) -> None:
    pg_restore = _tool("pg_restore")
    if force:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    # --no-owner/--no-privileges: the backup may come from a server whose roles differ; grants
    # (docs/operations.md, the audit table's) are given again after a restore.
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={_libpq_env()['PGDATABASE']}",
            str(dump),
        ]
    )


def _restore_sqlite(copy: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)  # replaces the open database, page by page
    finally:
        source.close()


def restore(source: Path, *, force: bool = False) -> RestoreReport:
    """Restore the backup at `source` into the configured database and MEDIA_ROOT."""
    from django.db.migrations.executor import MigrationExecutor

    from . import audit, audit_checkpoints

    with tempfile.TemporaryDirectory(prefix="zhuqi-restore-") as tmp:
        folder = _unpack(source, Path(tmp))
        manifest = read_and_check(folder)
        engine = manifest["database"]["engine"]
        if engine != connection.vendor:
            raise ValidationError(
                _("备份来自 %(a)s，当前数据库是 %(b)s：不能恢复") % {"a": engine, "b": connection.vendor}
            )
        if connection.in_atomic_block:
            raise ValidationError(_("恢复不能在事务中进行"))
        with connection.cursor() as cursor:
            tables = _quoted_tables(cursor)
        media = Path(settings.MEDIA_ROOT)
        if not force:
            if tables:
                raise ValidationError(
                    _("目标数据库不是空的（已有 %(n)s 张表）：确认要覆盖时加 --force") % {"n": len(tables)}
                )
            if _media_has_files(media):
                raise ValidationError(_("上传文件目录 %(p)s 不是空的：确认要覆盖时加 --force") % {"p": media})

        dbfile = folder / manifest["database"]["file"]
        if engine == "postgresql":
            _restore_postgresql(dbfile, force=force)
        else:
            _restore_sqlite(dbfile)
        if media.is_dir() and force:
            shutil.rmtree(media)
        if (folder / MEDIA).is_dir():
            shutil.copytree(folder / MEDIA, media, dirs_exist_ok=True)

    report = RestoreReport(manifest=manifest)
    connection.close()
    counts = table_counts()
    for table, expected in sorted(manifest["counts"].items()):
        got = counts.get(table)
        if got != expected:
            report.problems.append(
                _("%(t)s：备份时 %(a)s 行，恢复后 %(b)s 行") % {"t": table, "a": expected, "b": got}
            )
    checked, bad, reason = audit.verify()
    if bad is not None:
        report.problems.append(_("审计日志哈希链在 #%(pk)s 处不符：%(r)s") % {"pk": bad.pk, "r": reason})
    else:
        report.notes.append(_("审计日志哈希链完好：%(n)s 条") % {"n": checked})
    latest = audit_checkpoints.verify_latest()
    if latest.problems:
        report.notes.append(
            _(
                '库外检查点比备份新（%(p)s）：这是备份之后丢失的工作；确认后运行 zhuqi audit checkpoint --reason "从备份恢复"'
            )
            % {"p": "；".join(latest.problems)}
        )
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        # an older schema: the restore's own audit event waits for `zhuqi migrate`
        report.notes.append(_("有 %(n)s 个数据库迁移待执行：运行 zhuqi migrate") % {"n": len(pending)})
        return report
    with audit.acting_as(None, label=_("命令: zhuqi restore")), transaction.atomic():
        audit.record(
            "event",
            event="backup_restored",
            object_repr=folder.name,
            changes={
                gettext_noop("备份时间"): manifest["created_at"],
                gettext_noop("问题"): len(report.problems),
            },
        )
    return report

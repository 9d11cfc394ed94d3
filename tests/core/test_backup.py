"""`zhuqi backup` and `zhuqi restore`: the manifest, the checks before anything is touched, and
the restore drill on PostgreSQL (back up a populated database, restore it into a fresh one,
`zhuqi audit verify` passes, counts match)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from zhuqi.core import heartbeat
from zhuqi.core.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)

SRC = Path(__file__).resolve().parents[2] / "src"


def _backup(tmp_path, *extra) -> Path:
    call_command("backup", "--to", str(tmp_path / "backups"), *extra, stdout=open(os.devnull, "w"))  # noqa: SIM115
    (made,) = (tmp_path / "backups").iterdir()
    return made


def _populate(world, settings) -> None:
    media = Path(settings.MEDIA_ROOT) / "attachments" / "2026"
    media.mkdir(parents=True)
    (media / "批复.pdf").write_bytes(b"%PDF-1.4 a reply\n")
    (media / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)))


def test_a_backup_holds_the_database_the_uploads_and_a_manifest(world, settings, tmp_path):
    _populate(world, settings)
    made = _backup(tmp_path)
    manifest = json.loads((made / "manifest.json").read_text(encoding="utf-8"))
    db_file = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert manifest["database"] == {"engine": connection.vendor, "file": db_file}
    assert manifest["format"] == 1
    assert manifest["migrations"]["core"] >= "0008_heartbeat"
    assert manifest["counts"]["core_user"] == 13
    assert manifest["counts"]["core_region"] == 9
    paths = {f["path"]: f for f in manifest["files"]}
    assert set(paths) == {db_file, "media/attachments/2026/批复.pdf", "media/attachments/2026/photo.jpg"}
    assert paths["media/attachments/2026/批复.pdf"]["size"] == 17
    # the backup is recorded: its age for /metrics, and an audit event
    assert heartbeat.last(heartbeat.BACKUP) is not None
    entry = AuditEntry.objects.filter(event="backup_made").get()
    assert entry.object_repr == made.name


def test_a_tar_backup(world, settings, tmp_path):
    _populate(world, settings)
    made = _backup(tmp_path, "--tar")
    assert made.suffix == ".tar"
    with tarfile.open(made) as tar:
        assert f"{made.stem}/manifest.json" in tar.getnames()


def test_restore_refuses_a_damaged_backup_before_touching_anything(world, settings, tmp_path):
    _populate(world, settings)
    made = _backup(tmp_path)
    (made / "media/attachments/2026/photo.jpg").write_bytes(b"changed")
    (made / "media/attachments/2026/批复.pdf").unlink()
    users = connection.introspection.table_names()
    with pytest.raises(CommandError) as err:
        call_command("restore", str(made), "--force")
    message = str(err.value)
    assert message.startswith("备份未通过校验，未做任何改动")
    assert "media/attachments/2026/photo.jpg：校验值不符" in message
    assert "media/attachments/2026/批复.pdf：缺失" in message
    assert connection.introspection.table_names() == users
    assert (Path(settings.MEDIA_ROOT) / "attachments/2026/批复.pdf").exists()


def test_restore_refuses_a_database_that_is_not_empty(world, settings, tmp_path):
    made = _backup(tmp_path)
    with pytest.raises(CommandError, match=r"目标数据库不是空的（已有 \d+ 张表）：确认要覆盖时加 --force"):
        call_command("restore", str(made))


def test_backup_age_on_metrics(client, world, settings, tmp_path):
    settings.ZHUQI_METRICS_TOKEN = "t" * 32
    _backup(tmp_path)
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "t" * 32).content.decode()
    (line,) = [x for x in text.splitlines() if x.startswith("zhuqi_last_backup_age_seconds ")]
    assert float(line.split()[1]) < 60


def _psql_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _zhuqi(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "zhuqi.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.postgres
def test_restore_drill_on_postgresql(world, settings, tmp_path):
    """Back up a populated database (two counties' people, three enterprises, cases driven
    through every state by the services, their audit trail and uploads), restore it into a fresh
    database in another process, verify the audit log there and compare the counts."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump / pg_restore: PostgreSQL only")
    import psycopg

    from tests.cases.conftest import CaseWorld

    cw = CaseWorld(world)
    for status in ("submitted", "dispatched", "waiting", "reopened", "closed", "refused", "merged"):
        cw.to(status)
    _populate(world, settings)
    source = _counts(connection.settings_dict["NAME"])
    assert source["cases_case"] == 8 and source["enterprises_enterprise"] == 3
    assert source["core_auditentry"] > 100

    made = _backup(tmp_path)
    manifest = json.loads((made / "manifest.json").read_text(encoding="utf-8"))
    assert {t: manifest["counts"][t] for t in source} == source  # taken in the dump's snapshot

    fresh = connection.settings_dict["NAME"] + "_drill"
    admin = psycopg.connect(_psql_url("postgres"), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
    admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHUQI_", "MEDIA_ROOT"))}
        env.update(
            {
                "PYTHONPATH": str(SRC),
                "ZHUQI_HOME": str(tmp_path),
                "DATABASE_URL": _psql_url(fresh),
                "MEDIA_ROOT": str(tmp_path / "restored-media"),
                "ZHUQI_AUDIT_CHECKPOINT_FILE": str(tmp_path / "drill-checkpoints.jsonl"),
                "DJANGO_SETTINGS_MODULE": "zhuqi.settings",
            }
        )
        restored = _zhuqi(["restore", str(made)], env)
        assert restored.returncode == 0, restored.stderr
        assert "张表的行数与清单一致" in restored.stdout
        verified = _zhuqi(["audit", "verify"], env)
        assert verified.returncode == 0, verified.stderr
        assert "审计日志完整" in verified.stdout

        after = _counts(fresh)
        # the restore adds its own audit event
        assert after.pop("core_auditentry") == source.pop("core_auditentry") + 1
        assert {t: after[t] for t in source} == source
        copy = tmp_path / "restored-media/attachments/2026/批复.pdf"
        assert copy.read_bytes() == b"%PDF-1.4 a reply\n"

        again = _zhuqi(["restore", str(made)], env)  # not empty any more
        assert again.returncode != 0 and "确认要覆盖时加 --force" in again.stderr
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()


KEY_TABLES = (
    "core_user",
    "core_region",
    "core_department",
    "core_auditentry",
    "enterprises_enterprise",
    "cases_case",
)


def _counts(name: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(_psql_url(name)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in KEY_TABLES}  # noqa: S608


def test_restore_with_force_gives_the_backup_back(world, settings, tmp_path):
    from zhuqi.core.models import Region

    _populate(world, settings)
    made = _backup(tmp_path)
    Region.objects.create(code="410224", name="杞县", kind="county", parent=world.city)
    (Path(settings.MEDIA_ROOT) / "attachments/2026/批复.pdf").unlink()
    (Path(settings.MEDIA_ROOT) / "stray.txt").write_text("not in the backup")
    out = open(os.devnull, "w")  # noqa: SIM115
    call_command("restore", str(made), "--force", stdout=out)
    assert not Region.objects.filter(code="410224").exists()
    assert Region.objects.count() == 9
    media = Path(settings.MEDIA_ROOT)
    assert (media / "attachments/2026/批复.pdf").read_bytes() == b"%PDF-1.4 a reply\n"
    assert not (media / "stray.txt").exists()
    assert AuditEntry.objects.filter(event="backup_restored").count() == 1

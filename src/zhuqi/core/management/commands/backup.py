"""`zhuqi backup [--to DIR] [--tar]`: the database (pg_dump custom format, or a copy of the
SQLite file) and the uploaded files, with a manifest of checksums and row counts (core.backup)."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhuqi.core import backup


class Command(BaseCommand):
    help = "备份：数据库（PostgreSQL 自定义格式）和上传文件，附清单和校验值"

    def add_arguments(self, parser):
        parser.add_argument("--to", default="", help=_("备份写入的目录（默认 ZHUQI_BACKUP_DIR）"))
        parser.add_argument("--tar", action="store_true", help=_("写成一个 .tar 文件"))

    def handle(self, *args, **options):
        dest = Path(options["to"] or settings.ZHUQI_BACKUP_DIR)
        try:
            path, manifest = backup.make(dest, as_tar=options["tar"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("备份完成：%(p)s（%(files)s 个文件，%(tables)s 张表，审计日志 %(audit)s 条）")
                % {
                    "p": path,
                    "files": len(manifest["files"]),
                    "tables": len(manifest["counts"]),
                    "audit": manifest["counts"].get("core_auditentry", 0),
                }
            )
        )

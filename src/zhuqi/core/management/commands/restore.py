"""`zhuqi restore BACKUP [--force]`: verify a backup's checksums, restore it into the configured
database and MEDIA_ROOT, then check row counts and the audit chain (core.backup)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhuqi.core import backup


class Command(BaseCommand):
    help = "从备份恢复：先核对校验值，再恢复数据库和上传文件，最后核对行数和审计日志"

    def add_arguments(self, parser):
        parser.add_argument("backup", help=_("备份目录或 .tar 文件"))
        parser.add_argument("--force", action="store_true", help=_("目标数据库或上传文件目录不空时也覆盖"))

    def handle(self, *args, **options):
        try:
            report = backup.restore(Path(options["backup"]), force=options["force"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        for note in report.notes:
            self.stdout.write(note)
        if report.problems:
            raise CommandError(_("恢复后的核对未通过：%(p)s") % {"p": "；".join(report.problems)})
        self.stdout.write(
            self.style.SUCCESS(
                _("已恢复 %(at)s 的备份：%(tables)s 张表的行数与清单一致。")
                % {"at": report.manifest["created_at"], "tables": len(report.manifest["counts"])}
            )
        )

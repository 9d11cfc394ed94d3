"""`zhuqi audit verify`: recompute the hash chain, name the first tampered entry, check the log
against the latest checkpoint kept outside the database and write a new one.
`zhuqi audit checkpoint [--reason …]`: write a checkpoint now (after a restore, say why).
`zhuqi audit archive --before YYYY-MM-DD --to FILE`: move entries older than six months to a file.
`zhuqi audit verify-archive FILE`: prove an archive file against its record."""

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuqi.core import audit, audit_archive, audit_checkpoints


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链和检查点；checkpoint 立即写检查点"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "archive", "verify-archive"])
        parser.add_argument("file", nargs="?", help=_("verify-archive：归档文件"))
        parser.add_argument("--before", help=_("archive：归档此日期（YYYY-MM-DD）之前的条目"))
        parser.add_argument("--to", help=_("archive：写入的归档文件（不能已存在）"))
        parser.add_argument("--reason", default="", help=_("检查点的说明（如：从备份恢复后）"))

    def handle(self, *args, **options):
        with audit.acting_as(None, label=_("命令: zhuqi audit")):
            if options["action"] == "archive":
                self._archive(options)
                return
            if options["action"] == "verify-archive":
                if not options["file"]:
                    raise CommandError(_("请给出归档文件"))
                ok, message = audit_archive.verify_file(Path(options["file"]))
                if not ok:
                    raise CommandError(message)
                self.stdout.write(self.style.SUCCESS(message))
                return
            if options["action"] == "checkpoint":
                cp = audit_checkpoints.write(options["reason"] or "manual")
                self.stdout.write(
                    self.style.SUCCESS(
                        _("已写检查点：第 #%(id)s 条，共 %(count)s 条。")
                        % {"id": cp["last_id"], "count": cp["count"]}
                    )
                )
                return
            self._verify()

    def _archive(self, options):
        try:
            day = dt.date.fromisoformat(options["before"] or "")
        except ValueError:
            raise CommandError(_("--before 应为日期，如 2026-01-01")) from None
        if not options["to"]:
            raise CommandError(_("请用 --to 给出归档文件"))
        before = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        try:
            done = audit_archive.archive(before, Path(options["to"]))
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("已归档 %(n)s 条（至 #%(id)s），文件校验值 %(sha)s。")
                % {"n": done["count"], "id": done["up_to_id"], "sha": done["sha256"]}
            )
        )

    def _verify(self):
        checked, bad, reason = audit.verify()
        if bad is not None:
            raise CommandError(
                _(
                    "审计日志被篡改：第一条异常是 #%(pk)s（%(at)s，%(action)s，%(object_repr)s）：%(reason)s。此前 %(checked)s 条完好。"
                )
                % {
                    "pk": bad.pk,
                    "at": format(bad.at, "%Y-%m-%d %H:%M:%S"),
                    "action": bad.get_action_display(),
                    "object_repr": bad.object_repr,
                    "reason": reason,
                    "checked": checked,
                }
            )
        result = audit_checkpoints.verify_latest()
        if result.problems:
            raise CommandError(
                _("审计日志与库外检查点不符：%(problems)s。哈希链本身校验了 %(checked)s 条。")
                % {"problems": "；".join(result.problems), "checked": checked}
            )
        self.stdout.write(
            self.style.SUCCESS(_("审计日志完整：已校验 %(checked)s 条，哈希链无误。") % {"checked": checked})
        )
        if result.checkpoint is None:
            self.stdout.write(_("尚无库外检查点：本次校验之后写入第一个。"))
        else:
            self.stdout.write(
                _("与检查点（%(at)s，第 #%(id)s 条）一致；其后的 %(n)s 条尚无检查点证明。")
                % {"at": result.checkpoint["at"], "id": result.checkpoint["last_id"], "n": result.unproven}
            )
        cp = audit_checkpoints.write("verify")
        self.stdout.write(
            _("已写新检查点：第 #%(id)s 条，共 %(count)s 条。") % {"id": cp["last_id"], "count": cp["count"]}
        )

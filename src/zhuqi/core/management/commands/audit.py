"""`zhuqi audit verify`: recompute the hash chain, name the first tampered entry, check the log
against the latest checkpoint kept outside the database and write a new one.
`zhuqi audit checkpoint [--reason …]`: write a checkpoint now (after a restore, say why)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhuqi.core import audit, audit_checkpoints


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链和检查点；checkpoint 立即写检查点"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument("--reason", default="", help="检查点的说明（如：从备份恢复后）")

    def handle(self, *args, **options):
        with audit.acting_as(None, label="命令: zhuqi audit"):
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

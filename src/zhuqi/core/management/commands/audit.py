"""`zhuqi audit verify`: recompute the hash chain and name the first tampered entry."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhuqi.core import audit


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        checked, bad, reason = audit.verify()
        if bad is None:
            self.stdout.write(
                self.style.SUCCESS(
                    _("审计日志完整：已校验 %(checked)s 条，哈希链无误。") % {"checked": checked}
                )
            )
            return
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

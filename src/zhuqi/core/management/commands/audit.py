"""`zhuqi audit verify`: recompute the hash chain and name the first tampered entry."""

from django.core.management.base import BaseCommand, CommandError

from zhuqi.core import audit


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        checked, bad, reason = audit.verify()
        if bad is None:
            self.stdout.write(self.style.SUCCESS(f"审计日志完整：已校验 {checked} 条，哈希链无误。"))
            return
        raise CommandError(
            f"审计日志被篡改：第一条异常是 #{bad.pk}（{bad.at:%Y-%m-%d %H:%M:%S}，{bad.get_action_display()}，"
            f"{bad.object_repr}）：{reason}。此前 {checked} 条完好。"
        )

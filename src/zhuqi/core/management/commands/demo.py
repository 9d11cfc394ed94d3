"""`zhuqi demo`: load the demo county into the current database (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from zhuqi.core import demo


class Command(BaseCommand):
    help = "加载演示数据（固镇县）：可重复执行；库中有非演示数据时拒绝"

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(_("生产环境（DJANGO_ENV=production）不能加载演示数据。"))
        reason = demo.demo_blocked_reason()
        if reason:
            raise CommandError(reason)
        # Loading replays a year of work through the real services: keep the inbox rows, but
        # do not print thousands of outbound copies to the console.
        with override_settings(NOTIFY_CHANNELS=[]):
            demo.load(self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                _("演示数据已就绪。登录地址 http://127.0.0.1:8000/ ，演示账号（密码均为 %(password)s）：")
                % {"password": demo.DEMO_PASSWORD}
            )
        )
        for username, full_name, role, *_rest in demo.LOGINS:
            self.stdout.write(f"  {username:<12} {full_name:<6} {role.label}")
        self.stdout.write(
            _("  qiye         企业用户（固镇恒顺集团）；zy01…zy25 首席服务专员（25 名）；leader01… 县级领导")
        )

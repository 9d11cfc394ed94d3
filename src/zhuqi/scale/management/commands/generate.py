"""`zhuqi generate --scale county|city|province|stress [--seed N] [--only core,enterprises,…]`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhuqi.scale import generate as gen


class Command(BaseCommand):
    help = "生成规模测试数据（县、市、省、压力规模）：区划、部门、人员、企业，以及已有模型的诉求、项目等"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(gen.SCALES), default="county", help="数据规模")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成同样的数据）")
        parser.add_argument(
            "--only",
            default="",
            help=f"只生成这些部分，逗号分隔（{','.join(gen.PARTS)}）；缺省为全部",
        )
        parser.add_argument("--force", action="store_true", help="库中已有非生成数据时仍然生成")
        parser.add_argument("--today", default="", help="以此日期为“今天”（YYYY-MM-DD），便于复现")
        parser.add_argument("--cases", type=int, default=None, help="诉求数量（缺省按规模）")

    def handle(self, *args, **options):
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("生产环境（DJANGO_ENV=production）不能生成测试数据。")
        only = [p.strip() for p in options["only"].split(",") if p.strip()] or None
        today = dt.date.fromisoformat(options["today"]) if options["today"] else None
        try:
            result = gen.generate(
                options["scale"],
                seed=options["seed"],
                only=only,
                force=options["force"],
                today=today,
                cases=options["cases"],
                stream=self.stderr._out,
                verbosity=options["verbosity"],
            )
        except gen.GenerateError as exc:
            raise CommandError(str(exc)) from exc
        for label, count in sorted(result.counts.items()):
            seconds = result.seconds.get(label, 0.0)
            rate = count / seconds if seconds else 0.0
            self.stdout.write(f"{label:<34} {count:>12,} 行 {seconds:8.2f} 秒 {rate:>12,.0f} 行/秒")
        self.stdout.write(self.style.SUCCESS(f"共 {result.rows:,} 行，{result.total_seconds:.1f} 秒"))

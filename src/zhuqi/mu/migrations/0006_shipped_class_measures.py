"""Differentiated measures per class for the shipped schemes (src/zhuqi/docs/mu-evaluation.md
§8): the kinds of measure the provinces' schemes tie to the classes, with sample amounts a
county replaces by its own document's (电价 and 水价 differentials for C and D, 排污 and the
城镇土地使用税 for D, land, energy and policy priority for A and B)."""

from decimal import Decimal as D

from django.db import migrations

CODES = ["huangyan-2022-above", "huangyan-2022-below", "anhui-minmax-above"]

MEASURES = [
    ("A", "land", "优先保障新增用地指标，优先安排标准地", None, ""),
    ("A", "energy", "优先保障用能指标", None, ""),
    ("A", "policy", "优先推荐申报技改、研发、人才等奖补政策", None, ""),
    ("B", "land", "正常保障用地、用能", None, ""),
    ("B", "policy", "正常享受各项奖补政策", None, ""),
    ("C", "electricity", "差别电价：每千瓦时加价", D("0.05"), "元/千瓦时"),
    ("C", "water", "差别水价：每吨加价", D("0.30"), "元/吨"),
    ("C", "land", "限制新增用地，鼓励通过技改提升亩均效益", None, ""),
    ("D", "electricity", "差别电价：每千瓦时加价", D("0.10"), "元/千瓦时"),
    ("D", "water", "差别水价：每吨加价", D("0.50"), "元/吨"),
    ("D", "discharge", "排污权有偿使用费按标准上浮", D("100"), "%"),
    ("D", "land_tax", "城镇土地使用税不予减免", None, ""),
    ("D", "land", "不得新增用地，列入低效用地再开发", None, ""),
    ("D", "policy", "不得享受奖补政策（安全、环保整改类除外）", None, ""),
]


def load(apps, schema_editor):
    Scheme = apps.get_model("mu", "Scheme")
    ClassMeasure = apps.get_model("mu", "ClassMeasure")
    for scheme in Scheme.objects.filter(code__in=CODES, region__isnull=True):
        ClassMeasure.objects.bulk_create(
            ClassMeasure(
                scheme=scheme, klass=k, category=c, description=d, amount=a, unit=u, sort=n
            )
            for n, (k, c, d, a, u) in enumerate(MEASURES)
        )


def unload(apps, schema_editor):
    apps.get_model("mu", "ClassMeasure").objects.filter(scheme__code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("mu", "0005_class_measures")]

    operations = [migrations.RunPython(load, unload)]

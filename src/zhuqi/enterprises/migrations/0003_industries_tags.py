"""Ship GB/T 4754-2017 sections and divisions, the standard tags, and backfill pinyin initials."""

from pathlib import Path

from django.db import migrations

TAGS = [
    "专精特新",
    "国家级专精特新小巨人",
    "高新技术企业",
    "战略性新兴",
    "科技型中小企业",
    "拟上市",
    "上市企业",
    "外贸",
    "四上",
    "链主企业",
]


def load(apps, schema_editor):
    Industry = apps.get_model("enterprises", "Industry")
    Tag = apps.get_model("enterprises", "Tag")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    path = Path(__file__).resolve().parent.parent / "data" / "gbt4754_2017.txt"
    section = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name = line.split("\t")
        if code.isalpha():
            section, _ = Industry.objects.update_or_create(code=code, defaults={"name": name, "level": "section"})
        else:
            Industry.objects.update_or_create(
                code=code, defaults={"name": name, "level": "division", "parent": section}
            )
    for i, name in enumerate(TAGS):
        Tag.objects.get_or_create(name=name, defaults={"order": i * 10})
    from zhuqi.enterprises.models import pinyin_initials

    for ent in Enterprise.objects.all():
        ent.name_initials = pinyin_initials(ent.name)
        ent.save(update_fields=["name_initials"])


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_tag_enterprise_above_scale_since_and_more")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

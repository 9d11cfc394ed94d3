"""The two pipelines every county starts with: 新引进项目 and 增资扩产, each 线索 → 接洽 → 考察 →
在谈 → 预审 → 签约 → 注册 → 供地 → 开工, with 搁置 and 流失 beside them."""

from django.db import migrations

MAIN = [
    ("lead", "线索"),
    ("contact", "接洽"),
    ("visit", "考察"),
    ("negotiating", "在谈"),
    ("prereview", "预审"),
    ("signed", "签约"),
    ("registered", "注册"),
    ("land", "供地"),
    ("started", "开工"),
]
PIPELINES = [("new", "新引进项目", 1), ("expansion", "增资扩产", 2)]


def seed(apps, schema_editor):
    Pipeline = apps.get_model("attraction", "Pipeline")
    Stage = apps.get_model("attraction", "Stage")
    for code, name, order in PIPELINES:
        pipeline, _ = Pipeline.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        for i, (scode, sname) in enumerate(MAIN, start=1):
            Stage.objects.get_or_create(
                pipeline=pipeline,
                code=scode,
                defaults={
                    "name": sname,
                    "order": i * 10,
                    "is_won": scode == "signed",
                    "needs_prereview": i >= 6,
                    "is_final": scode == "started",
                },
            )
        Stage.objects.get_or_create(pipeline=pipeline, code="shelved", defaults={"name": "搁置", "order": 900, "is_shelved": True})
        Stage.objects.get_or_create(pipeline=pipeline, code="lost", defaults={"name": "流失", "order": 910, "is_lost": True})


class Migration(migrations.Migration):
    dependencies = [("attraction", "0001_leads_pipelines_prereview_contracts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Default visit rules (seed 000: 县级领导每季度到企帮扶不少于1次，部门主要负责人每月不少于1次，
帮扶责任人每周不少于1次) and load limits (a chief service commissioner carries 2–3 enterprises)."""

from django.db import migrations

RULES = [
    ("county_leader", "quarter", 1, 10),
    ("dept_contact", "month", 1, 5),
    ("commissioner", "week", 1, 2),
]
LIMITS = [
    ("commissioner", 2, 3),
    ("county_leader", 1, 8),
    ("grid_member", 0, 15),
]


def load(apps, schema_editor):
    VisitRule = apps.get_model("assistance", "VisitRule")
    LoadLimit = apps.get_model("assistance", "LoadLimit")
    for role, period, n, remind in RULES:
        VisitRule.objects.get_or_create(role=role, defaults={"period": period, "min_visits": n, "remind_days": remind})
    for role, lo, hi in LIMITS:
        LoadLimit.objects.get_or_create(role=role, defaults={"min_count": lo, "max_count": hi})


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

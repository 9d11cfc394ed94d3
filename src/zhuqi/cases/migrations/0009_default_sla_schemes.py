"""The SLA schemes a fresh install needs before anyone opens a page: Henan "13710" complete
(general problems 7 working days, 重大复杂 22 working days = "one month") and the Shandong
5-working-day scheme (used only once activated). Idempotent with `zhuqi demo`, which looks the
same rows up by (scheme, category, urgency)."""

from django.db import migrations

# scheme, urgency, name, values (the model's defaults fill in the rest: accept, dispatch, sign,
# send back 1; progress 3; follow-up 3)
POLICIES = [
    ("henan13710", "", "河南“13710”：一般问题 7 个工作日", {"resolve_days": 7, "extension_max_days": 7}),
    (
        "henan13710",
        "major",
        "河南“13710”：重大复杂问题 1 个月（22 个工作日）",
        {"resolve_days": 22, "extension_max_days": 10},
    ),
    (
        "shandong5",
        "",
        "山东：5 个工作日办结，可延期至 10 个工作日，退单 2 个工作日",
        {"resolve_days": 5, "extension_max_days": 5, "sendback_days": 2},
    ),
]


def load(apps, schema_editor):
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    for scheme, urgency, name, values in POLICIES:
        if not SlaPolicy.objects.filter(scheme=scheme, urgency=urgency, category=None).exists():
            SlaPolicy.objects.create(scheme=scheme, urgency=urgency, category=None, name=name, **values)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_sla_activation")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

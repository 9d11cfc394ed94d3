"""Measures with progress recorded but still marked "planned" (the demo loader wrote such rows)
are in progress; from now on `PlanMeasure.save` keeps the status in step with the progress."""

from django.db import migrations
from django.db.models import Q


def forwards(apps, schema_editor):
    PlanMeasure = apps.get_model("assistance", "PlanMeasure")
    PlanMeasure.objects.filter(status="planned", progress__gt=0, progress__lt=100).update(status="in_progress")
    PlanMeasure.objects.filter(~Q(status="done"), progress__gte=100).update(status="done")


class Migration(migrations.Migration):
    dependencies = [("assistance", "0003_problem_cases")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Subtree rows in the indicator rollup (indicators-figures.md §Rollups): a `subtree` flag, the
unique constraint over it (the index of the figures' exact reads), and the prefix index of the
old subtree scans dropped. No pair's rollup holds subtree rows yet, so every pair is made not
fresh (its `RollupPair` rows deleted, the full build's too): the figures read the values until
the next `zhuqi indicator_rollups`, which then rebuilds everything."""

from django.db import migrations, models


def forget_builds(apps, schema_editor):
    apps.get_model("indicators", "RollupPair").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_value_region_user_unchecked"),
    ]

    operations = [
        migrations.RunPython(forget_builds, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="rollup", name="rollup_once"),
        migrations.RemoveIndex(model_name="rollup", name="rollup_subtree"),
        migrations.AddField(
            model_name="rollup",
            name="subtree",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddConstraint(
            model_name="rollup",
            constraint=models.UniqueConstraint(
                fields=("indicator", "period", "subtree", "region_path"), name="rollup_once"
            ),
        ),
    ]

"""Two orders of a run's results, PostgreSQL only (SQLite cannot declare NULLS LAST in an
index; its county-sized runs sort in memory): the run's page by rank and the 领跑者 by 亩均税收."""

from django.db import migrations

INDEXES = {
    "mu_result_run_rank": "(run_id, rank ASC NULLS LAST)",
    "mu_result_run_tax": "(run_id, tax_per_mu DESC NULLS LAST)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON mu_result {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("mu", "0008_measures_per_region")]

    operations = [migrations.RunPython(create, drop)]

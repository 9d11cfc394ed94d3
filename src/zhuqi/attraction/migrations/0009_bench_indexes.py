"""Indexes for the 招商 pages at province scale (bench/bench_attraction.py): the lead scope's
prefix match on region_path, the 台账's rows in its page order, and its monthly sums over the
recognised fund months only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("attraction", "0008_annual_targets")]

    operations = [
        migrations.AddIndex(
            model_name="fundmonth",
            index=models.Index(fields=["year", "month", "lead", "source"], name="attraction_fund_ledger"),
        ),
        migrations.AddIndex(
            model_name="fundmonth",
            index=models.Index(
                condition=models.Q(("recognised", True)),
                fields=["year", "month", "lead"],
                include=("amount",),
                name="attraction_fund_recognised",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["region_path"], name="attraction_lead_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ),
    ]

# The inspection rounds (观摩) moved to oversight (TourRound, TourSite, TourCriterion, TourJudge,
# TourScore): their rows were copied by oversight's 0004_tours_from_projects, which runs first.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_project_archive"),
        ("oversight", "0004_tours_from_projects"),
    ]

    operations = [
        migrations.DeleteModel(name="InspectionScore"),
        migrations.DeleteModel(name="InspectionCriterion"),
        migrations.DeleteModel(name="InspectionRound"),
    ]

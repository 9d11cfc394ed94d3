"""Copy the projects app's inspection rounds (观摩) into the tour tables: each round with its
criteria, its projects as sites (in project-code order), its scorers as judges and every score.
The projects app's migration that drops the old tables depends on this one."""

from django.db import migrations


def copy_inspections(apps, schema_editor):
    OldRound = apps.get_model("projects", "InspectionRound")
    OldCriterion = apps.get_model("projects", "InspectionCriterion")
    OldScore = apps.get_model("projects", "InspectionScore")
    TourRound = apps.get_model("oversight", "TourRound")
    TourSite = apps.get_model("oversight", "TourSite")
    TourCriterion = apps.get_model("oversight", "TourCriterion")
    TourJudge = apps.get_model("oversight", "TourJudge")
    TourScore = apps.get_model("oversight", "TourScore")
    for old in OldRound.objects.order_by("pk"):
        new = TourRound.objects.create(
            region_id=old.region_id,
            name=old.name,
            period="",
            held_on=old.held_on,
            status=old.status,
            published_at=old.published_at,
        )
        sites = {}
        for i, project in enumerate(old.projects.order_by("code", "pk"), start=1):
            sites[project.pk] = TourSite.objects.create(round=new, project_id=project.pk, order=i)
        criteria = {}
        for c in OldCriterion.objects.filter(round=old).order_by("order", "pk"):
            criteria[c.pk] = TourCriterion.objects.create(
                round=new, name=c.name, weight=c.weight, max_score=c.max_score, order=c.order
            )
        TourJudge.objects.bulk_create([TourJudge(round=new, user_id=u.pk) for u in old.scorers.all()])
        scores = []
        for s in OldScore.objects.filter(round=old):
            site = sites.get(s.project_id)
            if site is None:  # a score of a project no longer on the round: a site again
                site = sites[s.project_id] = TourSite.objects.create(
                    round=new, project_id=s.project_id, order=len(sites) + 1
                )
            scores.append(
                TourScore(
                    round=new,
                    site=site,
                    criterion=criteria[s.criterion_id],
                    judge_id=s.scorer_id,
                    score=s.score,
                )
            )
        TourScore.objects.bulk_create(scores)
        judged = set(TourJudge.objects.filter(round=new).values_list("user_id", flat=True))
        TourJudge.objects.bulk_create(
            [TourJudge(round=new, user_id=uid) for uid in {s.judge_id for s in scores} - judged]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0003_tours"),
        ("projects", "0005_project_archive"),
    ]

    operations = [migrations.RunPython(copy_inspections, migrations.RunPython.noop)]

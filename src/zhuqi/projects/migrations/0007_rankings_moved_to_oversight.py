# The projects' red/black lists (红黑榜) moved to oversight (RedBlackRule, RedBlackList): their
# rows were turned into oversight's by its 0007_redblack_from_projects, which runs first.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_inspections_moved_to_oversight"),
        ("oversight", "0007_redblack_from_projects"),
    ]

    operations = [
        migrations.DeleteModel(name="RankingPublication"),
        migrations.DeleteModel(name="RankingRule"),
    ]

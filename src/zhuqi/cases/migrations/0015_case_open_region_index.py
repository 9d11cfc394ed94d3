"""The partial index of open cases by region (超时未办, 提级 on the cockpit and the home pages),
built without stopping writes to the cases table (core.migration_ops)."""

from django.db import migrations, models

from zhuqi.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('cases', '0014_case_counts'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ['submitted', 'accepted', 'dispatched', 'sent_back', 'signed', 'in_progress', 'waiting', 'replied', 'reopened', 'followed_up'])), fields=['region_path'], include=('next_due_at', 'escalation_level'), name='case_open_region', opclasses=['varchar_pattern_ops']),
        ),
    ]

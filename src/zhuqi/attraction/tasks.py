"""Background tasks of the attraction app (each also the management command `attraction_sweep`)."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _


@shared_task(ignore_result=True)
def sweep() -> str:
    from zhuqi.core import audit

    from . import rollups, services, services_weekly

    with audit.acting_as(None, label=_("任务: attraction.sweep")):
        clocks = services.sweep_clocks()
        met, breached = services.sweep_obligations()
        teams = services_weekly.remind_reports()
    rolled = rollups.refresh()  # the marked pairs of the yearly counts (attraction-figures.md §Rollup)
    return f"clocks={clocks} met={met} breached={breached} teams={teams} rollup={rolled}"

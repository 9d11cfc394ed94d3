"""The projects app's duties for a leader's hand-over (registered with `core.handover`): the
projects a person is the responsible county leader of (包抓县领导, 五个一) and the work teams
(工作专班) they sit on, until the project reaches capacity (达产达效)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit
from zhuqi.core.handover import Duty, Item
from zhuqi.core.notify import notify

from .models import Project, Stage


def _projects(person):
    return (
        Project.objects.filter(Q(leader=person) | Q(team=person))
        .exclude(stage=Stage.AT_CAPACITY)
        .distinct()
        .order_by("name", "id")
    )


def project_items(person) -> list[Item]:
    out = []
    for p in _projects(person):
        what = gettext("包抓县领导") if p.leader_id == person.pk else gettext("工作专班成员")
        out.append(
            Item(
                label=gettext("%(project)s · %(what)s") % {"project": p.name, "what": what},
                url=reverse("projects:project_detail", args=[p.pk]),
                region_path=p.region_path,
            )
        )
    return out


@transaction.atomic
def reassign_projects(person, to_user, *, actor, reason: str) -> int:
    """`to_user` becomes the responsible leader where `person` was, and takes `person`'s seat
    on the work teams; one audit event per project, one notification to the successor."""
    projects = list(Project.objects.select_for_update().filter(pk__in=[p.pk for p in _projects(person)]))
    entries = []
    for project in projects:
        changes = {}
        if project.leader_id == person.pk:
            project.leader = to_user
            project.save(update_fields=["leader"])
            changes[gettext_noop("包抓县领导")] = [person.display_name, to_user.display_name]
        if project.team.filter(pk=person.pk).exists():
            project.team.remove(person)
            project.team.add(to_user)
            changes[gettext_noop("工作专班")] = [person.display_name, to_user.display_name]
        entries.append(
            {
                "action": "event",
                "obj": project,
                "event": "project_handed_over",
                "changes": changes,
                "message": reason,
                "actor": actor,
            }
        )
    if entries:
        audit.record_many(entries)
        notify(
            [to_user],
            gettext("您接手了 %(count)s 个重点项目的责任") % {"count": len(entries)},
            body=gettext("原责任人：%(name)s；原因：%(reason)s")
            % {"name": person.display_name, "reason": reason},
            url=reverse("projects:project_list"),
        )
    return len(entries)


DUTIES = [Duty("projects", _("重点项目责任"), project_items, reassign_projects, order=30)]

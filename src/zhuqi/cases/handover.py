"""The cases app's duty for a leaver's hand-over (registered with `core.handover`).

Cases are handled by departments, not by persons: a handler or department head who leaves
leaves their department's cases with the department (its inbox), so nothing of theirs needs a
successor. What a person does hold is an open case a county leader assigned (领导交办,
`assigned_by_leader`): the successor leader becomes the one the case answers to."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit
from zhuqi.core.handover import Duty, Item
from zhuqi.core.notify import notify

from .models import OPEN_STATUSES, Case


def _cases(person):
    return Case.objects.filter(assigned_by_leader=person, status__in=OPEN_STATUSES).order_by("no")


def case_items(person) -> list[Item]:
    return [
        Item(
            label=gettext("%(no)s %(title)s（领导交办）") % {"no": c.no, "title": c.title},
            url=reverse("cases:detail", args=[c.pk]),
            region_path=c.region_path,
        )
        for c in _cases(person)
    ]


@transaction.atomic
def reassign_cases(person, to_user, *, actor, reason: str) -> int:
    rows = list(_cases(person).select_for_update())
    if not rows:
        return 0
    Case.objects.filter(pk__in=[c.pk for c in rows]).update(assigned_by_leader=to_user)
    audit.record_many(
        [
            {
                "action": "event",
                "obj": c,
                "event": "leader_handed_over",
                "changes": {gettext_noop("交办领导"): [person.display_name, to_user.display_name]},
                "message": reason,
                "actor": actor,
            }
            for c in rows
        ]
    )
    notify(
        [to_user],
        gettext("您接手了 %(count)s 件领导交办的诉求") % {"count": len(rows)},
        body=gettext("原交办领导：%(name)s；原因：%(reason)s")
        % {"name": person.display_name, "reason": reason},
        url=reverse("cases:list"),
    )
    return len(rows)


DUTIES = [Duty("leader_cases", _("领导交办的诉求"), case_items, reassign_cases, order=40)]

"""The assistance app's duties for a leaver's hand-over (registered with `core.handover`):
current assignments (包抓责任) move through `services.hand_over` (the chain of holders is kept);
open measures of one-enterprise-one-plan (一企一策措施) they own move to the successor."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit
from zhuqi.core.handover import Duty, Item
from zhuqi.core.notify import notify

from . import services
from .models import Assignment, PlanMeasure


def _assignments(person):
    return (
        Assignment.objects.filter(user=person, ended_on__isnull=True)
        .select_related("enterprise")
        .order_by("year", "enterprise__name", "id")
    )


def assignment_items(person) -> list[Item]:
    return [
        Item(
            label=gettext("%(enterprise)s · %(year)s年%(role)s")
            % {"enterprise": a.enterprise, "year": a.year, "role": a.get_role_display()},
            url=reverse("enterprises:enterprise_detail", args=[a.enterprise_id]),
            region_path=a.enterprise.region_path,
        )
        for a in _assignments(person)
    ]


@transaction.atomic
def reassign_assignments(person, to_user, *, actor, reason: str) -> int:
    """Hand every current assignment of `person` to `to_user` (one hand-over each, audited on
    the enterprise and told to both)."""
    rows = list(_assignments(person).select_for_update(of=("self",)))
    for a in rows:
        services.hand_over(a, to_user=to_user, actor=actor, reason=reason)
    return len(rows)


def _measures(person):
    return (
        PlanMeasure.objects.filter(owner=person)
        .exclude(status=PlanMeasure.Status.DONE)
        .select_related("plan__enterprise")
        .order_by("deadline", "id")
    )


def measure_items(person) -> list[Item]:
    return [
        Item(
            label=gettext("%(enterprise)s · %(title)s（%(deadline)s 前）")
            % {"enterprise": m.plan.enterprise, "title": m.title, "deadline": m.deadline},
            url=reverse("enterprises:enterprise_detail", args=[m.plan.enterprise_id]),
            region_path=m.plan.enterprise.region_path,
        )
        for m in _measures(person)
    ]


@transaction.atomic
def reassign_measures(person, to_user, *, actor, reason: str) -> int:
    """Give `person`'s open plan measures to `to_user`, one audit event per plan's enterprise."""
    rows = list(_measures(person).select_for_update(of=("self",)))
    if not rows:
        return 0
    PlanMeasure.objects.filter(pk__in=[m.pk for m in rows]).update(owner=to_user)
    audit.record_many(
        [
            {
                "action": "event",
                "obj": m.plan.enterprise,
                "event": "measure_handed_over",
                "changes": {
                    gettext_noop("措施"): m.title,
                    gettext_noop("责任人"): [person.display_name, to_user.display_name],
                },
                "message": reason,
                "actor": actor,
            }
            for m in rows
        ]
    )
    notify(
        [to_user],
        gettext("您接手了 %(count)s 项一企一策措施") % {"count": len(rows)},
        body=gettext("原责任人：%(name)s；原因：%(reason)s")
        % {"name": person.display_name, "reason": reason},
        url=reverse("assistance:plan_list"),
    )
    return len(rows)


DUTIES = [
    Duty("assignments", _("包抓责任"), assignment_items, reassign_assignments, order=10),
    Duty("plan_measures", _("一企一策措施"), measure_items, reassign_measures, order=20),
]

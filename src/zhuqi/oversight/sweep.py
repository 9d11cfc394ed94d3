"""The slip sweep: one set-based job that raises the colour of open supervision items by the
rules of src/zhuqi/docs/oversight.md, records each slip, audits and notifies.

Run by `zhuqi oversight_sweep` (cron) or the Celery task `zhuqi.oversight.tasks.sweep_items`;
services run it on one item after a change (a new item, an approved extension). Only items 办理中
are swept (one waiting for 督查's review is not the department's delay). A colour only rises:
each rule is a conditional UPDATE (`slip < colour`), so however often the sweep runs an item gets
each slip at most once. Rules run from red down, so an item gets the highest colour that applies
in one run.

* red (红色督办): past its deadline (`due_on` < today), or orange for IGNORE_DAYS working days
  with no response (reply, progress report or extension request) since;
* orange (橙色督办): marked 重大/紧急/领导批示, or behind 时序进度 (its light by
  `core.progress` is yellow or red), or blue for IGNORE_DAYS working days with no response since;
* blue (蓝色提醒): due within SOON_DAYS working days, or a progress report due (`next_report_on`
  reached).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit, progress
from zhuqi.core.notify import notify_many
from zhuqi.core.roles import DEPARTMENT_ACTOR_ROLES, Role
from zhuqi.core.units import rate
from zhuqi.core.workcalendar import add_working_days, working_days_between, working_days_cutoff

from .models import Item, Priority, Slip, SlipReason, SlipRecord, Status

#: working days a slip may go unanswered before the next colour
IGNORE_DAYS = 3
#: working days before the deadline at which the blue reminder goes out
SOON_DAYS = 3
BATCH = 500


@dataclass
class SweepResult:
    issued: dict = field(default_factory=lambda: {Slip.BLUE: 0, Slip.ORANGE: 0, Slip.RED: 0})

    def __str__(self) -> str:
        return gettext("蓝色提醒 %(blue)s 项，橙色督办 %(orange)s 项，红色督办 %(red)s 项") % {
            "blue": self.issued[Slip.BLUE],
            "orange": self.issued[Slip.ORANGE],
            "red": self.issued[Slip.RED],
        }


def elapsed(assigned_on: dt.date, due_on: dt.date, today: dt.date) -> Decimal:
    """An item's 时序进度 in %: the working days used since the assignment ÷ the working days
    it was given, at most 100 (a deadline on the day of assignment counts as fully elapsed)."""
    allowed = working_days_between(assigned_on, due_on)
    used = working_days_between(assigned_on, min(today, due_on))
    if allowed <= 0:
        return Decimal(100)
    return rate(max(used, 0), allowed)  # type: ignore[return-value]


def light(item: Item, today: dt.date) -> str:
    """The item's light (core.progress): its reported completion against its 时序进度; grey
    before the first report."""
    if item.progress_pct is None:
        return "grey"
    return progress.light(progress.lead(item.progress_pct, elapsed(item.assigned_on, item.due_on, today)))


def _behind_ids(base, today: dt.date) -> list[int]:
    rows = base.filter(slip__lt=Slip.ORANGE, progress_pct__isnull=False).values_list(
        "pk", "assigned_on", "due_on", "progress_pct"
    )
    out = []
    for pk, assigned_on, due_on, pct in rows.iterator():
        lead = progress.lead(pct, elapsed(assigned_on, due_on, today))
        if progress.light(lead) in ("yellow", "red"):
            out.append(pk)
    return out


class _Recipients:
    """Who hears of a batch's slips, in three queries: the departments' people, and 督查 and
    the leaders of each item's region and the regions above."""

    def __init__(self, items):
        User = get_user_model()
        self.by_dept: dict[int, list] = defaultdict(list)
        dept_ids = {i.lead_department_id for i in items}
        for user in User.objects.filter(
            department_id__in=dept_ids, role__in=DEPARTMENT_ACTOR_ROLES, is_active=True
        ):
            self.by_dept[user.department_id].append(user)
        paths = {p for i in items for p in i.region.ancestor_paths()}
        self.regional: dict[tuple[str, str], list] = defaultdict(list)
        for user in User.objects.filter(
            role__in=(Role.SUPERVISOR, Role.LEADER), region__path__in=paths, is_active=True
        ).select_related("region"):
            self.regional[(user.role, user.region.path)].append(user)

    def for_item(self, item: Item, slip: int) -> list:
        users = list(self.by_dept.get(item.lead_department_id, []))
        if slip >= Slip.ORANGE:
            users += [
                u for p in item.region.ancestor_paths() for u in self.regional.get((Role.SUPERVISOR, p), ())
            ]
        if slip >= Slip.RED:
            users += self.regional.get((Role.LEADER, item.region.path), [])
        return users


def _issue(base, slip: int, reason: str, q: Q, now, result: SweepResult) -> None:
    while True:
        with transaction.atomic():
            ids = list(base.filter(q, slip__lt=slip).values_list("pk", flat=True)[:BATCH])
            if not ids:
                return
            locked = list(
                Item.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=ids, slip__lt=slip)
                .values_list("pk", flat=True)
            )
            if not locked:
                return
            items = list(Item.objects.filter(pk__in=locked).select_related("region", "lead_department"))
            Item.objects.filter(pk__in=locked, slip__lt=slip).update(
                slip=slip, slip_reason=reason, slip_at=now
            )
            SlipRecord.objects.bulk_create(
                SlipRecord(item=i, slip=slip, reason=reason, issued_at=now) for i in items
            )
            label, why = Slip(slip).label, SlipReason(reason).label
            audit.record_many(
                [
                    {
                        "action": "event",
                        "obj": i,
                        "event": "oversight_slip",
                        "changes": {"slip": [i.slip, slip], gettext_noop("原因"): str(why)},
                        "actor": None,
                    }
                    for i in items
                ]
            )
            recipients = _Recipients(items)
            notify_many(
                {
                    "recipients": recipients.for_item(i, slip),
                    "title": f"{label}：{i.title}"[:200],
                    "body": gettext("原因：%(why)s；办结时限 %(due)s")
                    % {"why": why, "due": i.due_on.isoformat()},
                    "url": i.get_absolute_url(),
                    "level": "danger" if slip == Slip.RED else "warning",
                }
                for i in items
            )
            result.issued[Slip(slip)] += len(items)
            if len(ids) < BATCH:
                return


def sweep(*, item_ids: list[int] | None = None, now: dt.datetime | None = None) -> SweepResult:
    """Apply the slip rules to every open item (or the given ones); see the module docstring."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    base = Item.objects.filter(status=Status.ASSIGNED)
    if item_ids is not None:
        base = base.filter(pk__in=item_ids)
    cutoff = working_days_cutoff(now, IGNORE_DAYS)
    unanswered = Q(last_response_at__isnull=True) | Q(last_response_at__lt=F("slip_at"))
    result = SweepResult()
    _issue(base, Slip.RED, SlipReason.OVERDUE, Q(due_on__lt=today), now, result)
    _issue(
        base,
        Slip.RED,
        SlipReason.IGNORED_ORANGE,
        Q(slip=Slip.ORANGE, slip_at__lt=cutoff) & unanswered,
        now,
        result,
    )
    _issue(base, Slip.ORANGE, SlipReason.MARKED, ~Q(priority=Priority.NORMAL), now, result)
    _issue(base, Slip.ORANGE, SlipReason.BEHIND, Q(pk__in=_behind_ids(base, today)), now, result)
    _issue(
        base,
        Slip.ORANGE,
        SlipReason.IGNORED_BLUE,
        Q(slip=Slip.BLUE, slip_at__lt=cutoff) & unanswered,
        now,
        result,
    )
    _issue(
        base, Slip.BLUE, SlipReason.DUE_SOON, Q(due_on__lte=add_working_days(today, SOON_DAYS)), now, result
    )
    _issue(base, Slip.BLUE, SlipReason.REPORT_DUE, Q(next_report_on__lte=today), now, result)
    return result

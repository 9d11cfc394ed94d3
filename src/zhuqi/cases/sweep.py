"""The sweep: one set-based job that finds due and overdue clocks and escalates.

Run by `zhuqi sweep_cases` (cron) or the Celery task `zhuqi.cases.tasks.sweep_cases`. Each step
selects candidate rows with an indexed WHERE (running clocks past due; open cases past a
threshold), locks the cases with `select_for_update(skip_locked=True)` so concurrent sweeps split the
work instead of doubling it, and changes them with a conditional UPDATE, so a row is flagged,
reminded or escalated at most once however often the sweep runs. A step stops when its candidate
query returns fewer than BATCH rows (or none it can lock): cases skipped because someone holds
them are left to that someone, or to the next run. Like the services, the sweep locks the case
row before touching its clocks, so the two never deadlock.

Set-based end to end: a batch of up to BATCH cases costs a fixed number of queries whatever its
size — the UPDATEs, one `bulk_create` each for supervision notices, escalations and
notifications, one query per kind of recipient, and the audit entries appended with
`audit.record_many`. Python builds the same rows, audit events (and the row-diff entries the
per-row `save()` signals would have written) and notifications, in the same order, as the
per-case services (`services._escalate`, `services._event`, `services._notify`) do.

Escalation rules (四级调度; a case starts at level 1, grid member / commissioner):
* any clock missed                                 → level 2 (department / town)
* reply deadline missed by ≥ LONG_OVERDUE working days, 属地难以解决, or a problem case
                                                   → level 3 (county leader, 协调会)
* level 3 for ≥ STUCK working days and still open  → level 4 (leading group)
Both "N working days" count the same way (`workcalendar.working_days_late` /
`working_days_between`): the working days in (day of the deadline or of the escalation, today],
so a reply due Monday and never given is missed by 5 on the next Monday, and level 4 comes on
the 10th working day after the day the case reached level 3. `workcalendar.working_days_cutoff`
turns each rule into one indexed comparison.
Reminders (催办) go out once per clock when it falls due within REMIND_WITHIN working days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhuqi.core import audit
from zhuqi.core.bulk import created_item, row_diffs_on
from zhuqi.core.notify import notify_many
from zhuqi.core.roles import DEPARTMENT_ACTOR_ROLES, Role
from zhuqi.core.workcalendar import due_at, working_days_cutoff

from . import services
from .models import OPEN_STATUSES, Case, CaseClock, ClockKind, Escalation, EscalationLevel, Supervision

LONG_OVERDUE = 5
STUCK = 10
REMIND_WITHIN = 1
BATCH = 2000


@dataclass
class SweepResult:
    missed: int = 0
    reminded: int = 0
    digests: int = 0  # leaders sent a 提级汇总 (LeaderDigest)
    escalated: dict = field(
        default_factory=lambda: {lv.value: 0 for lv in EscalationLevel if lv > EscalationLevel.GRID}
    )

    def __str__(self) -> str:
        esc = "，".join(gettext("升至%(k)s级 %(v)s 件") % {"k": k, "v": v} for k, v in self.escalated.items())
        return gettext("超时登记 %(missed)s 个时限，催办 %(reminded)s 个，%(esc)s") % {
            "missed": self.missed,
            "reminded": self.reminded,
            "esc": esc,
        }


#: the run's translated texts and case URL prefix, looked up once per run (the sweep says the
#: same few things thousands of times, and each lookup of the active language costs); a run
#: speaks one language, so `sweep()` empties it when it starts
_TEXTS: dict[tuple, str] = {}


def _t(msgid: str) -> str:
    """`gettext(msgid)`, once per run."""
    key = ("t", msgid)
    found = _TEXTS.get(key)
    if found is None:
        found = _TEXTS[key] = gettext(msgid)
    return found


def _label(choices, value) -> str:
    key = ("label", choices, value)
    found = _TEXTS.get(key)
    if found is None:
        found = _TEXTS[key] = str(choices(value).label)
    return found


def _case_url(pk: int) -> str:
    """`Case.get_absolute_url()` without a `reverse` per case."""
    prefix = _TEXTS.get(("url",))
    if prefix is None:
        url = reverse("cases:detail", args=[0])
        prefix = _TEXTS[("url",)] = url[: -len("0/")] if url.endswith("/0/") else ""
    return f"{prefix}{pk}/" if prefix else reverse("cases:detail", args=[pk])


def _locked_cases(case_ids) -> list[int]:
    """Lock the given cases, skipping those another sweep or a handler holds right now."""
    return list(
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=list(case_ids))
        .values_list("pk", flat=True)
    )


class _Person:
    """A recipient as the sweep needs one (`notify_many` reads `pk` and `is_active`; only active
    people are loaded): no User instance per row, which a province's batch would build by the
    thousand."""

    __slots__ = ("pk",)
    is_active = True

    def __init__(self, pk: int):
        self.pk = pk


class _Recipients:
    """The people `services.department_users`, `dispatch_users` and `leader_users` name, for a
    whole batch of cases in two queries; each list in the same order as the service's."""

    def __init__(self, cases):
        User = get_user_model()
        dept_ids = {c.lead_department_id for c in cases if c.lead_department_id}
        self.by_department: dict[int, list] = defaultdict(list)
        if dept_ids:
            for pk, dept_id in User.objects.filter(
                department_id__in=dept_ids, role__in=DEPARTMENT_ACTOR_ROLES, is_active=True
            ).values_list("pk", "department_id"):
                self.by_department[dept_id].append(_Person(pk))
        paths = {p for c in cases for p in c.region.ancestor_paths()}
        # (role, region path) → people; `rank` keeps the query's order (the User ordering, in the
        # database's collation) for merging the lists of several paths
        self.regional: dict[tuple[str, str], list] = defaultdict(list)
        self.rank: dict[int, int] = {}
        if paths:
            for i, (pk, role, path) in enumerate(
                User.objects.filter(
                    role__in=(Role.DISPATCH, Role.LEADER), region__path__in=paths, is_active=True
                ).values_list("pk", "role", "region__path")
            ):
                self.regional[(role, path)].append(_Person(pk))
                self.rank[pk] = i

    def department(self, dept_id) -> list:
        return list(self.by_department.get(dept_id, [])) if dept_id else []

    def _in_region(self, case, role: str) -> list:
        found = [u for p in case.region.ancestor_paths() for u in self.regional.get((role, p), ())]
        return sorted(found, key=lambda u: self.rank[u.pk]) if len(found) > 1 else found

    def dispatch(self, case) -> list:
        return self._in_region(case, Role.DISPATCH)

    def leaders(self, case) -> list:
        return self._in_region(case, Role.LEADER)


class LeaderDigest:
    """The leaders' 提级汇总: one notification per leader per sweep run for all the cases of that
    run that reached level 3 (县级领导) or 4 (领导小组) in the leader's region, instead of one per
    leader per case (a province leader above 170 counties got hundreds a night). The cases' own
    handlers — the lead department and the dispatch offices — still get their per-case
    notification, as from `services._escalate`; escalations made by hand (`escalate_case`,
    `flag_beyond_local`) still notify leaders per case. Sent at the end of the run, after the
    batches have committed."""

    #: cases listed in a digest's text; the link opens the filtered case list with all of them
    LISTED = 50

    def __init__(self):
        self.users: dict[int, object] = {}
        self.cases: dict[int, dict[int, tuple]] = defaultdict(dict)  # leader → case → line

    def add(self, leaders, case, to_level: int, reason: str) -> None:
        line = (case.no, case.title, int(to_level), reason)
        for user in leaders:
            self.users.setdefault(user.pk, user)
            self.cases[user.pk][case.pk] = line  # a case raised twice in a run: its last level

    def message(self, user) -> dict:
        # level 4 (the leading group's) first, then by case number
        lines = sorted(self.cases[user.pk].values(), key=lambda line: (-line[2], line[0]))
        line = _t(gettext_noop("%(no)s %(title)s（第%(level)s级：%(reason)s）"))
        shown = [
            line % {"no": no, "title": title, "level": level, "reason": _label(Escalation.Reason, reason)}
            for no, title, level, reason in lines[: self.LISTED]
        ]
        if len(lines) > self.LISTED:
            shown.append(gettext("……另有 %(n)s 件，见链接中的诉求列表") % {"n": len(lines) - self.LISTED})
        level = min(item[2] for item in lines)
        return {
            "recipients": [user],
            "title": gettext("诉求提级汇总：%(n)s 件诉求升至第三、四级调度") % {"n": len(lines)},
            "body": "\n".join(shown),
            "url": f"{reverse('cases:list')}?open=1&level={level}",
            "level": "danger",
        }

    def send(self) -> int:
        """Write the digests (one statement); returns how many leaders got one."""
        notify_many([self.message(user) for user in self.users.values()])
        return len(self.users)


class _Batch:
    """What one locked batch of cases writes, collected in the order the per-case services would
    write it, then saved with a fixed number of queries by `save()`."""

    def __init__(self, cases, now, digest: LeaderDigest):
        self.now = now
        self.digest = digest
        self.recipients = _Recipients(cases)
        self.items: list = []  # audit items (dicts) and new rows whose `create` entry is due there
        self.messages: list[dict] = []
        self.supervisions: list[Supervision] = []
        self.escalations: list[Escalation] = []
        self.escalated: dict[int, list[int]] = defaultdict(list)  # to_level → case ids

    def event(self, case, event: str, changes: dict) -> None:
        # services._event: an "event" entry by the current actor (the sweep's label)
        self.items.append(
            {
                "action": "event",
                "obj": case,
                "event": event,
                "changes": services._clean(changes),
                "actor": None,
            }
        )

    def notify(self, users, case, title: str, body: str = "", level: str = "info") -> None:
        # services._notify
        self.messages.append(
            {
                "recipients": users,
                "title": f"{title}：{case.title}"[:200],
                "body": body or _t(gettext_noop("诉求编号 %(no)s")) % {"no": case.no},
                "url": _case_url(case.pk),
                "level": level,
            }
        )

    def supervise(self, case, kind: str, body: str) -> Supervision:
        sup = Supervision(case=case, kind=kind, department=case.lead_department, body=body)
        self.supervisions.append(sup)
        self.items.append(sup)
        return sup

    def escalate(self, case, to_level: int, reason: str, note: str = "") -> bool:
        """services._escalate for one case of the batch (actor None: the sweep)."""
        if case.escalation_level >= to_level:
            return False
        from_level = case.escalation_level
        esc = Escalation(
            case=case,
            from_level=from_level,
            to_level=to_level,
            reason=reason,
            note=note,
            by=None,
            at=self.now,
        )
        self.escalations.append(esc)
        self.items.append(esc)
        self.escalated[to_level].append(case.pk)
        case.escalation_level, case.escalated_at = to_level, self.now
        self.event(
            case,
            "escalated",
            {
                "escalation_level": (from_level, to_level),
                gettext_noop("原因"): _label(Escalation.Reason, reason),
                gettext_noop("说明"): note,
            },
        )
        users = self.recipients.department(case.lead_department_id) + self.recipients.dispatch(case)
        if to_level >= EscalationLevel.COUNTY:
            # the leaders hear of it once per sweep run, in their digest (`LeaderDigest`)
            self.digest.add(self.recipients.leaders(case), case, to_level, reason)
        self.notify(
            users,
            case,
            _t(gettext_noop("诉求提级至第%(to_level)s级调度")) % {"to_level": to_level},
            body=_label(Escalation.Reason, reason),
            level="danger",
        )
        return True

    def save(self) -> None:
        if self.supervisions:
            Supervision.objects.bulk_create(self.supervisions)
        if self.escalations:
            Escalation.objects.bulk_create(self.escalations)
        for level, ids in self.escalated.items():
            Case.objects.filter(pk__in=ids).update(escalation_level=level, escalated_at=self.now)
        notify_many(self.messages)
        items = []
        for item in self.items:
            if isinstance(item, dict):
                items.append(item)
            elif row_diffs_on(type(item)):  # what post_save would have recorded
                items.append(created_item(item))
        audit.record_many(items)


def _flag_missed(now, result: SweepResult, digest: LeaderDigest) -> None:
    eligible = CaseClock.objects.filter(
        state=CaseClock.State.RUNNING,
        due_at__lt=now,
        overdue_flagged_at__isnull=True,
        case__paused_at__isnull=True,
        case__status__in=OPEN_STATUSES,
    )
    while True:
        with transaction.atomic():
            candidates = list(eligible.order_by().values_list("case_id", flat=True)[:BATCH])
            locked = _locked_cases(set(candidates))
            if not locked:
                return
            rows = list(eligible.filter(case_id__in=locked).values_list("pk", "case_id", "kind"))
            ids = [r[0] for r in rows]
            CaseClock.objects.filter(pk__in=ids, overdue_flagged_at__isnull=True).update(
                overdue_flagged_at=now
            )
            result.missed += len(rows)
            by_case: dict[int, list[str]] = {}
            for _, case_id, kind in rows:
                by_case.setdefault(case_id, []).append(kind)
            cases = Case.objects.select_related("region", "lead_department").order_by().in_bulk(list(by_case))
            batch = _Batch(cases.values(), services._now(), digest)
            for case_id, kinds in by_case.items():
                case = cases[case_id]
                labels = "、".join(_label(ClockKind, k) for k in kinds)
                batch.event(case, "deadline_missed", {gettext_noop("超时时限"): labels})
                if ClockKind.REPLY in kinds and case.lead_department_id:
                    sup = batch.supervise(
                        case,
                        Supervision.Kind.NOTICE,
                        _t(
                            gettext_noop(
                                "诉求「%(title)s」已超过办结期限，请于 1 个工作日内书面说明原因和办理计划。"
                            )
                        )
                        % {"title": case.title},
                    )
                    batch.notify(
                        batch.recipients.department(case.lead_department_id),
                        case,
                        _t(gettext_noop("督办通知")),
                        body=sup.body,
                        level="danger",
                    )
                if batch.escalate(
                    case,
                    EscalationLevel.DEPARTMENT,
                    Escalation.Reason.OVERDUE,
                    _t(gettext_noop("%(clocks)s超时")) % {"clocks": labels},
                ):
                    result.escalated[EscalationLevel.DEPARTMENT] += 1
            batch.save()
        if len(candidates) < BATCH:
            return  # that was all of them: skip the empty scan that would confirm it


def _escalate_where(q: Q, level: int, reason: str, result: SweepResult, digest: LeaderDigest) -> None:
    while True:
        with transaction.atomic():
            # no ORDER BY in the database (it sorted every matching case of a province before
            # the LIMIT); the batch is taken in the cases' usual order (newest first) here
            cases = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(q, status__in=OPEN_STATUSES, paused_at__isnull=True, escalation_level__lt=level)
                .select_related("region")
                .order_by()[:BATCH]
            )
            if not cases:
                return
            cases.sort(key=lambda c: (c.submitted_at, c.pk), reverse=True)
            batch = _Batch(cases, services._now(), digest)
            for case in cases:
                if batch.escalate(case, level, reason):
                    result.escalated[level] += 1
            batch.save()
        if len(cases) < BATCH:
            return


def _remind(now, result: SweepResult, digest: LeaderDigest) -> None:
    soon = due_at(now, REMIND_WITHIN)
    eligible = CaseClock.objects.filter(
        state=CaseClock.State.RUNNING,
        due_at__gte=now,
        due_at__lte=soon,
        reminded_at__isnull=True,
        case__paused_at__isnull=True,
        case__status__in=OPEN_STATUSES,
    ).exclude(kind=ClockKind.CLOSE)
    while True:
        with transaction.atomic():
            candidates = list(eligible.order_by().values_list("case_id", flat=True)[:BATCH])
            locked = _locked_cases(set(candidates))
            if not locked:
                return
            rows = list(eligible.filter(case_id__in=locked).values_list("pk", "case_id", "kind", "due_at"))
            CaseClock.objects.filter(pk__in=[r[0] for r in rows], reminded_at__isnull=True).update(
                reminded_at=now
            )
            cases = (
                Case.objects.select_related("region", "lead_department")
                .order_by()
                .in_bulk({r[1] for r in rows})
            )
            batch = _Batch(cases.values(), services._now(), digest)
            for _, case_id, kind, due in rows:
                case = cases[case_id]
                label = _label(ClockKind, kind)
                body = _t(gettext_noop("「%(label)s」期限 %(date)s，请抓紧办理。")) % {
                    "label": label,
                    "date": format(timezone.localtime(due), _t(gettext_noop("%m月%d日 %H:%M"))),
                }
                if (
                    kind in (ClockKind.ACCEPT, ClockKind.DISPATCH, ClockKind.FOLLOWUP)
                    or not case.lead_department_id
                ):
                    recipients = batch.recipients.dispatch(case)
                else:
                    recipients = batch.recipients.department(case.lead_department_id)
                    batch.supervise(case, Supervision.Kind.REMINDER, body)
                batch.event(case, "reminded", {gettext_noop("时限"): label, gettext_noop("期限"): due})
                batch.notify(recipients, case, _t(gettext_noop("催办")), body=body, level="warning")
                result.reminded += 1
            batch.save()
        if len(candidates) < BATCH:
            return


def sweep(now=None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    digest = LeaderDigest()
    _TEXTS.clear()
    with audit.acting_as(None, label=gettext("任务: 诉求时限巡检")):
        _flag_missed(now, result, digest)
        # missed by ≥ LONG_OVERDUE working days (workcalendar.working_days_late) ⇔ due < cutoff
        long_overdue = working_days_cutoff(now, LONG_OVERDUE)
        county = EscalationLevel.COUNTY
        _escalate_where(
            Q(reply_due_at__lt=long_overdue), county, Escalation.Reason.LONG_OVERDUE, result, digest
        )
        _escalate_where(
            Q(beyond_local=True) | Q(is_problem_case=True),
            county,
            Escalation.Reason.BEYOND_LOCAL,
            result,
            digest,
        )
        # at level 3 for ≥ STUCK working days: working_days_between(escalated_at, now) ≥ STUCK
        stuck = working_days_cutoff(now, STUCK)
        _escalate_where(
            Q(escalation_level=county, escalated_at__lt=stuck),
            EscalationLevel.LEADING_GROUP,
            Escalation.Reason.STUCK,
            result,
            digest,
        )
        _remind(now, result, digest)
        with transaction.atomic():
            result.digests = digest.send()
    # the yearly counts (诉求年度汇总) of the cases changed since the last sweep
    from . import rollups

    rollups.refresh()
    return result

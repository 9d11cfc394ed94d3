"""The sweep as it was before it became set-based (one service call per changed case), kept
as the oracle for tests/cases/test_sweep_bulk.py: the set-based sweep must write exactly what
this one writes. Do not use outside tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhuqi.cases import services
from zhuqi.cases.models import OPEN_STATUSES, Case, CaseClock, ClockKind, Escalation, Supervision
from zhuqi.core import audit
from zhuqi.core.workcalendar import due_at, working_days_cutoff

LONG_OVERDUE = 5
STUCK = 10
REMIND_WITHIN = 1
BATCH = 500


@dataclass
class SweepResult:
    missed: int = 0
    reminded: int = 0
    escalated: dict = field(default_factory=lambda: {2: 0, 3: 0, 4: 0})

    def __str__(self) -> str:
        esc = "，".join(f"升至{k}级 {v} 件" for k, v in self.escalated.items())
        return f"超时登记 {self.missed} 个时限，催办 {self.reminded} 个，{esc}"


def _locked_cases(case_ids) -> list[int]:
    """Lock the given cases, skipping those another sweep or a handler holds right now."""
    return list(
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=list(case_ids))
        .values_list("pk", flat=True)
    )


def _flag_missed(now, result: SweepResult) -> None:
    eligible = CaseClock.objects.filter(
        state=CaseClock.State.RUNNING,
        due_at__lt=now,
        overdue_flagged_at__isnull=True,
        case__paused_at__isnull=True,
        case__status__in=OPEN_STATUSES,
    )
    while True:
        with transaction.atomic():
            candidates = set(eligible.values_list("case_id", flat=True)[:BATCH])
            locked = _locked_cases(candidates)
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
            cases = Case.objects.select_related("region", "lead_department").in_bulk(list(by_case))
            for case_id, kinds in by_case.items():
                case = cases[case_id]
                labels = "、".join(str(ClockKind(k).label) for k in kinds)
                services._event(case, "deadline_missed", changes={"超时时限": labels})
                if ClockKind.REPLY in kinds and case.lead_department_id:
                    sup = Supervision.objects.create(
                        case=case,
                        kind=Supervision.Kind.NOTICE,
                        department=case.lead_department,
                        body=f"诉求「{case.title}」已超过办结期限，请于 1 个工作日内书面说明原因和办理计划。",
                    )
                    services._notify(
                        services.department_users(sup.department_id),
                        case,
                        "督办通知",
                        body=sup.body,
                        level="danger",
                    )
                if services._escalate(case, 2, Escalation.Reason.OVERDUE, None, labels + "超时"):
                    result.escalated[2] += 1


def _escalate_where(q: Q, level: int, reason: str, result: SweepResult) -> None:
    while True:
        with transaction.atomic():
            cases = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(q, status__in=OPEN_STATUSES, paused_at__isnull=True, escalation_level__lt=level)
                .select_related("region")[:BATCH]
            )
            if not cases:
                return
            for case in cases:
                if services._escalate(case, level, reason, None):
                    result.escalated[level] += 1


def _remind(now, result: SweepResult) -> None:
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
            locked = _locked_cases(set(eligible.values_list("case_id", flat=True)[:BATCH]))
            if not locked:
                return
            rows = list(eligible.filter(case_id__in=locked).values_list("pk", "case_id", "kind", "due_at"))
            CaseClock.objects.filter(pk__in=[r[0] for r in rows], reminded_at__isnull=True).update(
                reminded_at=now
            )
            cases = Case.objects.select_related("region", "lead_department").in_bulk({r[1] for r in rows})
            for _, case_id, kind, due in rows:
                case = cases[case_id]
                label = str(ClockKind(kind).label)
                body = f"「{label}」期限 {timezone.localtime(due):%m月%d日 %H:%M}，请抓紧办理。"
                if (
                    kind in (ClockKind.ACCEPT, ClockKind.DISPATCH, ClockKind.FOLLOWUP)
                    or not case.lead_department_id
                ):
                    recipients = services.dispatch_users(case)
                else:
                    recipients = services.department_users(case.lead_department_id)
                    Supervision.objects.create(
                        case=case, kind=Supervision.Kind.REMINDER, department=case.lead_department, body=body
                    )
                services._event(case, "reminded", changes={"时限": label, "期限": due})
                services._notify(recipients, case, "催办", body=body, level="warning")
                result.reminded += 1


def sweep(now=None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    with audit.acting_as(None, label="任务: 诉求时限巡检"):
        _flag_missed(now, result)
        # missed by ≥ LONG_OVERDUE working days (workcalendar.working_days_late) ⇔ due < cutoff
        long_overdue = working_days_cutoff(now, LONG_OVERDUE)
        _escalate_where(Q(reply_due_at__lt=long_overdue), 3, Escalation.Reason.LONG_OVERDUE, result)
        _escalate_where(
            Q(beyond_local=True) | Q(is_problem_case=True), 3, Escalation.Reason.BEYOND_LOCAL, result
        )
        # at level 3 for ≥ STUCK working days: working_days_between(escalated_at, now) ≥ STUCK
        stuck = working_days_cutoff(now, STUCK)
        _escalate_where(Q(escalation_level=3, escalated_at__lt=stuck), 4, Escalation.Reason.STUCK, result)
        _remind(now, result)
    return result

import datetime as dt

import pytest
import time_machine

from zhuqi.core.models import AuditEntry, Notification
from zhuqi.projects import services
from zhuqi.projects.models import ApprovalStep, ApprovalStepType

pytestmark = pytest.mark.django_db


def test_seven_default_steps_are_created_with_departments(world, project):
    steps = list(project.approvals.select_related("step_type", "department"))
    assert [s.step_type.name for s in steps] == [name for _c, name, _d, _h in services.DEFAULT_APPROVAL_STEPS]
    land = next(s for s in steps if s.step_type.code == "land_use")
    assert land.department == world.zrzy  # found by short name in the county


def test_step_types_are_configurable(world):
    services.ensure_step_types()
    ApprovalStepType.objects.filter(code="energy_review").update(is_active=False)
    ApprovalStepType.objects.create(code="fire", name="消防设计审查", legal_days=15, order=8)
    from tests.projects.conftest import make_project

    p = make_project(world, code="P002")
    names = list(p.approvals.values_list("step_type__name", flat=True))
    assert "节能审查" not in names and "消防设计审查" in names


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 2026: National Day Oct 1–7 off; Saturday Oct 10 is a workday (调休).
        (dt.date(2026, 9, 30), 1, dt.date(2026, 10, 8)),
        (dt.date(2026, 9, 30), 3, dt.date(2026, 10, 10)),  # Thu 8, Fri 9, Sat 10 (workday)
        (dt.date(2026, 9, 30), 5, dt.date(2026, 10, 13)),  # … Mon 12, Tue 13
        (dt.date(2026, 9, 25), 5, dt.date(2026, 10, 9)),  # Mon 28, Tue 29, Wed 30, [1–7 off], Thu 8, Fri 9
        (dt.date(2026, 10, 3), 1, dt.date(2026, 10, 8)),  # accepted on a holiday
        (dt.date(2026, 10, 9), 1, dt.date(2026, 10, 10)),  # the Saturday workday counts
    ],
)
def test_due_date_across_national_day(start, days, due):
    assert services.approval_due(start, days) == due


def test_start_and_complete_step(world, project):
    step = project.approvals.get(step_type__code="land_use")
    with time_machine.travel(dt.datetime(2026, 10, 12, 2, tzinfo=dt.UTC), tick=False):
        step = services.start_approval(step, started_on=dt.date(2026, 9, 25), actor=world.alice)
        # 28–30 Sep (3), 8–10 Oct (6, Sat 10 works), 12–16 (11), 19–23 (16), 26–29 (20)
        assert step.due_date == dt.date(2026, 10, 29)
        assert step.status == ApprovalStep.Status.IN_PROGRESS
        step = services.complete_approval(step, done_on=dt.date(2026, 10, 12), actor=world.alice)
    assert step.status == ApprovalStep.Status.DONE and step.done_on == dt.date(2026, 10, 12)
    assert AuditEntry.objects.filter(event="approval_done", changes__late=False).exists()


def test_overdue_sweep_notifies_department_and_audits_once(world, project, monkeypatch):
    monkeypatch.setattr(services, "case_for_overdue_approval", lambda step, **kw: None)
    step = project.approvals.get(step_type__code="land_use")
    step.department = world.zrzy
    step.save()
    services.start_approval(step, started_on=dt.date(2026, 9, 25), actor=world.alice)
    # due 2026-10-29; on the 29th nothing is overdue yet
    assert services.sweep_overdue_approvals(dt.date(2026, 10, 29)) == 0
    assert services.sweep_overdue_approvals(dt.date(2026, 11, 2)) == 1  # Fri 30 Oct + Mon 2 Nov
    entry = AuditEntry.objects.get(event="approval_overdue")
    assert entry.changes["working_days_late"] == 2 and entry.changes["department"] == "尉氏县自然资源局"
    notes = Notification.objects.filter(title__startswith="审批逾期")
    assert set(notes.values_list("recipient__username", flat=True)) == {"zr_handler", "leader"}
    # raised once only
    assert services.sweep_overdue_approvals(dt.date(2026, 11, 5)) == 0


def test_overdue_on_a_tiaoxiu_saturday_swept_on_sunday_is_one_working_day_late(world, project, monkeypatch):
    """Due Sat 2026-10-10 (a 调休 workday), swept Sun 10-11: (10-10, 10-11] holds no working day,
    but once past due it is at least 1, as cases count a missed clock."""
    monkeypatch.setattr(services, "case_for_overdue_approval", lambda step, **kw: None)
    step = project.approvals.get(step_type__code="land_use")
    step.department = world.zrzy
    step.save()
    with time_machine.travel(dt.datetime(2026, 9, 30, 2, tzinfo=dt.UTC), tick=False):
        services.start_approval(step, started_on=dt.date(2026, 9, 30), actor=world.alice)
    ApprovalStep.objects.filter(pk=step.pk).update(due_date=dt.date(2026, 10, 10))
    with time_machine.travel(dt.datetime(2026, 10, 11, 2, tzinfo=dt.UTC), tick=False):
        assert services.sweep_overdue_approvals(dt.date(2026, 10, 11)) == 1
    entry = AuditEntry.objects.get(event="approval_overdue")
    assert entry.changes["working_days_late"] == 1
    assert Notification.objects.filter(title__contains="逾期 1 个工作日").exists()


def test_overdue_notifies_when_the_cases_hook_declines(world, project, monkeypatch):
    """The hook returns None for a project it cannot make a case of (no owner enterprise)."""
    calls = []

    def declining_hook(step, *, title, actor):
        calls.append((step.pk, title))

    monkeypatch.setattr(services, "case_for_overdue_approval", declining_hook)
    step = project.approvals.get(step_type__code="approval_filing")
    services.start_approval(step, started_on=dt.date(2026, 3, 2), actor=world.alice)
    assert services.sweep_overdue_approvals(dt.date(2026, 4, 1)) == 1
    assert len(calls) == 1 and "立项审批" in calls[0][1]
    assert AuditEntry.objects.filter(event="approval_overdue").count() == 1
    assert Notification.objects.filter(title__startswith="审批逾期").exists()


def test_overdue_falls_back_to_notification_when_hook_refuses(world, project, monkeypatch):
    def bad_hook(step, **kw):
        raise TypeError("unexpected signature")

    monkeypatch.setattr(services, "case_for_overdue_approval", bad_hook)
    step = project.approvals.get(step_type__code="construction_permit")
    step.department = world.zrzy
    step.save()
    services.start_approval(step, started_on=dt.date(2026, 3, 2), actor=world.alice)
    assert services.sweep_overdue_approvals(dt.date(2026, 4, 1)) == 1
    assert Notification.objects.filter(recipient=world.zr_handler, title__startswith="审批逾期").exists()

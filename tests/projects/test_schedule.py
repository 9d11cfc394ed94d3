import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhuqi.core.models import AuditEntry
from zhuqi.projects import schedule, services
from zhuqi.projects.models import Baseline, Task

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def chain(world, project):
    """A (3 d) → B (2 d) →[lag 1] C (1 d) → M (milestone), across National Day 2026."""
    a = services.add_task(project, name="场地平整", start=D(2026, 9, 28), duration=3, actor=world.alice)
    b = services.add_task(
        project, name="桩基施工", start=D(2026, 9, 1), duration=2, actor=world.alice, after=a
    )
    c = services.add_task(
        project, name="主体结构", start=D(2026, 9, 1), duration=1, actor=world.alice, after=b, lag=1
    )
    m = services.add_task(
        project,
        name="主体封顶",
        start=D(2026, 9, 1),
        duration=0,
        kind=Task.Kind.MILESTONE,
        actor=world.alice,
        after=c,
    )
    return [Task.objects.get(pk=t.pk) for t in (a, b, c, m)]


def test_forward_pass_pushes_successors_over_holidays(chain):
    a, b, c, m = chain
    assert (a.start, a.finish) == (D(2026, 9, 28), D(2026, 9, 30))
    assert (b.start, b.finish) == (D(2026, 10, 8), D(2026, 10, 9))  # Oct 1–7 off
    assert (c.start, c.finish) == (D(2026, 10, 12), D(2026, 10, 12))  # lag 1 = Sat Oct 10 (调休 workday)
    assert (m.start, m.finish) == (D(2026, 10, 13), D(2026, 10, 13))


def test_moving_a_predecessor_moves_successors(world, chain):
    a, b, c, m = chain
    services.update_task(a, start=D(2026, 9, 29), actor=world.alice)  # finish Oct 8 now
    b, c, m = (Task.objects.get(pk=t.pk) for t in (b, c, m))
    assert (b.start, b.finish) == (D(2026, 10, 9), D(2026, 10, 10))
    assert c.start == D(2026, 10, 13)
    assert m.start == D(2026, 10, 14)
    assert AuditEntry.objects.filter(event="schedule_forward").exists()


def test_backward_pass_from_target(world, project, chain):
    services.backward_schedule(project, target=D(2026, 10, 16), actor=world.alice)
    a, b, c, m = (Task.objects.get(pk=t.pk) for t in chain)
    assert (m.late_start, m.late_finish) == (D(2026, 10, 16), D(2026, 10, 16))
    assert (c.late_start, c.late_finish) == (D(2026, 10, 15), D(2026, 10, 15))
    assert (b.late_start, b.late_finish) == (D(2026, 10, 12), D(2026, 10, 13))  # lag 1 day before C
    assert (a.late_start, a.late_finish) == (D(2026, 10, 8), D(2026, 10, 10))  # Sat Oct 10 works
    project.refresh_from_db()
    assert project.target_date == D(2026, 10, 16)


def test_backward_target_on_a_holiday_uses_last_working_day_before(world, project):
    t = services.add_task(project, name="竣工验收", start=D(2026, 9, 1), duration=2, actor=world.alice)
    services.backward_schedule(project, target=D(2026, 10, 5), actor=world.alice)
    t.refresh_from_db()
    assert (t.late_start, t.late_finish) == (D(2026, 9, 29), D(2026, 9, 30))


def test_backward_flags_tasks_that_cannot_make_the_target(world, project, chain):
    services.backward_schedule(project, target=D(2026, 10, 9), actor=world.alice)
    entry = AuditEntry.objects.filter(event="schedule_backward").last()
    assert "主体封顶" in entry.changes["at_risk"]


def test_cycle_is_refused_with_clear_message(world, chain):
    a, b, c, m = chain
    with pytest.raises(ValidationError) as exc:
        services.add_dependency(m, a, actor=world.alice)
    msg = exc.value.messages[0]
    assert msg.startswith("前置关系形成了循环：")
    for name in ("场地平整", "桩基施工", "主体结构", "主体封顶"):
        assert name in msg
    with pytest.raises(ValidationError, match="不能以自己为前置任务"):
        services.add_dependency(a, a, actor=world.alice)


def test_pure_topo_order_raises_on_cycle():
    nodes = {i: schedule.Node(i, n, D(2026, 3, 2), 1) for i, n in [(1, "甲"), (2, "乙")]}
    with pytest.raises(schedule.CycleError, match="甲 → 乙 → 甲|乙 → 甲 → 乙"):
        schedule.forward(nodes, [(1, 2, 0), (2, 1, 0)])


def test_baseline_saved_on_approval_and_compared(world, project, chain):
    baseline = services.approve_plan(project, actor=world.alice)
    assert isinstance(baseline, Baseline) and len(baseline.tasks) == 4
    a = chain[0]
    services.update_task(a, duration=4, actor=world.alice)  # A finishes Oct 8 instead of Sep 30
    rows = {r["task"].name: r for r in services.baseline_variance(project)}
    assert rows["场地平整"]["slip"] == 1
    assert rows["主体封顶"]["slip"] == 1
    assert rows["主体封顶"]["baseline_finish"] == D(2026, 10, 13)


def test_approving_empty_plan_refused(world, project):
    with pytest.raises(ValidationError, match="还没有任务"):
        services.approve_plan(project, actor=world.alice)

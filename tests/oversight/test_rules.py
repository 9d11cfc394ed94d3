"""The hand-worked examples of src/zhuqi/docs/oversight.md §3, step by step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.oversight.conftest import at, make_item
from zhuqi.core.models import Notification
from zhuqi.oversight import services, sweep
from zhuqi.oversight.models import Frequency, Item, Priority, Slip, SlipReason

pytestmark = pytest.mark.django_db
D = dt.date


def swept(item, when):
    with time_machine.travel(when, tick=False):
        sweep.sweep()
    item.refresh_from_db()
    return Slip(item.slip), item.slip_reason


def test_example_a_ignored_slips_rise_blue_orange_red(world):
    item = make_item(world, report_frequency=Frequency.WEEKLY)
    assert item.due_on == D(2026, 3, 30)
    assert item.next_report_on == D(2026, 3, 9)
    assert swept(item, at(2026, 3, 6)) == (Slip.NONE, "")
    assert swept(item, at(2026, 3, 9, 9)) == (Slip.BLUE, SlipReason.REPORT_DUE)
    assert swept(item, at(2026, 3, 11)) == (Slip.BLUE, SlipReason.REPORT_DUE)
    assert swept(item, at(2026, 3, 12)) == (Slip.ORANGE, SlipReason.IGNORED_BLUE)
    assert swept(item, at(2026, 3, 16)) == (Slip.ORANGE, SlipReason.IGNORED_BLUE)
    assert swept(item, at(2026, 3, 17)) == (Slip.RED, SlipReason.IGNORED_ORANGE)
    assert list(item.slips.values_list("slip", flat=True)) == [Slip.BLUE, Slip.ORANGE, Slip.RED]
    # the department heard of every slip; 督查 of orange and red; the county leader of red
    titles = list(Notification.objects.filter(recipient=world.head).values_list("title", flat=True))
    assert sorted(t.split("：")[0] for t in titles if not t.startswith("新的")) == [
        "橙色督办",
        "红色督办",
        "蓝色提醒",
    ]
    assert Notification.objects.filter(recipient=world.supervisor, title__startswith="橙色督办").exists()
    assert Notification.objects.filter(recipient=world.leader, title__startswith="红色督办").exists()
    assert not Notification.objects.filter(recipient=world.leader, title__startswith="橙色督办").exists()


def test_the_sweep_is_idempotent(world):
    item = make_item(world, report_frequency=Frequency.WEEKLY)
    swept(item, at(2026, 3, 9, 9))
    n = Notification.objects.count()
    assert swept(item, at(2026, 3, 9, 11)) == (Slip.BLUE, SlipReason.REPORT_DUE)
    assert item.slips.count() == 1 and Notification.objects.count() == n


def test_example_b_behind_time_progress_turns_orange(world):
    item = make_item(world)
    with time_machine.travel(at(2026, 3, 4), tick=False):
        services.report_progress(item, actor=world.bob, body="已完成前期调度", progress_pct="40")
    item.refresh_from_db()
    assert sweep.elapsed(item.assigned_on, item.due_on, D(2026, 3, 13)) == Decimal("45.0")
    assert sweep.light(item, D(2026, 3, 13)) == "green"
    assert swept(item, at(2026, 3, 13)) == (Slip.NONE, "")
    assert sweep.elapsed(item.assigned_on, item.due_on, D(2026, 3, 16)) == Decimal("50.0")
    assert sweep.light(item, D(2026, 3, 16)) == "yellow"
    assert swept(item, at(2026, 3, 16)) == (Slip.ORANGE, SlipReason.BEHIND)


def test_example_c_marked_items_are_orange_from_the_start(world):
    item = make_item(world, priority=Priority.INSTRUCTION)
    assert (item.slip, item.slip_reason) == (Slip.ORANGE, SlipReason.MARKED)


def test_example_d_due_soon_then_overdue(world):
    item = make_item(world, working_days=10)
    assert item.due_on == D(2026, 3, 16)
    assert swept(item, at(2026, 3, 10)) == (Slip.NONE, "")
    assert swept(item, at(2026, 3, 11)) == (Slip.BLUE, SlipReason.DUE_SOON)
    with time_machine.travel(at(2026, 3, 12), tick=False):
        services.report_progress(item, actor=world.bob, body="正在协调")
    assert swept(item, at(2026, 3, 16)) == (Slip.BLUE, SlipReason.DUE_SOON)
    assert swept(item, at(2026, 3, 17)) == (Slip.RED, SlipReason.OVERDUE)


def test_example_d_extension_resets_the_slip(world):
    item = make_item(world, working_days=10)
    swept(item, at(2026, 3, 11))
    with time_machine.travel(at(2026, 3, 13), tick=False):
        ext = services.request_extension(
            item, actor=world.bob, reason="需等待电网改造", new_due_on=D(2026, 3, 27)
        )
        services.decide_extension(ext, actor=world.supervisor, approve=True, note="同意")
    item.refresh_from_db()
    assert item.due_on == D(2026, 3, 27)
    assert (item.slip, item.slip_reason) == (Slip.NONE, "")


def test_no_extension_after_the_deadline(world):
    from django.core.exceptions import ValidationError

    item = make_item(world, working_days=10)
    with time_machine.travel(at(2026, 3, 17), tick=False), pytest.raises(ValidationError) as exc:
        services.request_extension(item, actor=world.bob, reason="来不及", new_due_on=D(2026, 3, 27))
    assert "已超过办结时限" in str(exc.value)
    assert not item.extensions.exists()


def test_items_waiting_for_review_are_not_swept(world):
    item = make_item(world, working_days=10)
    with time_machine.travel(at(2026, 3, 5), tick=False):
        services.fire(item, "reply", actor=world.bob, body="已办结")
    assert swept(item, at(2026, 3, 20)) == (Slip.NONE, "")
    assert Item.objects.get(pk=item.pk).status == "replied"


def test_the_command_and_the_task_sweep_under_their_names(world):
    from io import StringIO

    from django.core.management import call_command

    from zhuqi.core.models import AuditEntry
    from zhuqi.oversight.tasks import sweep_items

    make_item(world, working_days=10)
    make_item(world, title="另一事项", working_days=10)
    out = StringIO()
    with time_machine.travel(at(2026, 3, 11), tick=False):
        call_command("oversight_sweep", stdout=out)
    assert "蓝色提醒 2 项" in out.getvalue()
    with time_machine.travel(at(2026, 3, 17), tick=False):
        assert "红色督办 2 项" in sweep_items()
    labels = set(AuditEntry.objects.filter(event="oversight_slip").values_list("actor_label", flat=True))
    assert labels == {"命令: zhuqi oversight_sweep", "任务: oversight.sweep_items"}

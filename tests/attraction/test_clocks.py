"""The clocks of a big lead (attraction-figures.md §Clocks): started on registration, stopped by
the team, the 响应 clock by any move; the sweep marks the late ones and tells the team once; the
lead list shows and filters them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from tests.attraction.conftest import make_lead, stage
from zhuqi.attraction import services
from zhuqi.attraction.models import Lead, LeadClock
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _due(lead) -> dict[str, dt.date]:
    return {c.kind: c.due_on for c in lead.clocks.filter(done_at__isnull=True)}


def test_worked_example(world, login):
    """Registered Wednesday 30 September 2026, just before the National Day holiday."""
    with time_machine.travel(_at(dt.date(2026, 9, 30)), tick=False):
        lead = make_lead(world, amount_wan="50000")
    assert _due(lead) == {
        "respond": dt.date(2026, 10, 8),
        "judge": dt.date(2026, 10, 10),  # the 调休 Saturday is a working day
        "feedback": dt.date(2026, 10, 15),
        "progress": dt.date(2026, 10, 20),
    }
    # 8 October: nothing is late yet (each clock runs to the end of its day)
    assert services.sweep_clocks(dt.date(2026, 10, 8)) == 0
    # 9 October: the 响应 clock is late; bob and the head of 工信局 (the team) hear it once
    with time_machine.travel(_at(dt.date(2026, 10, 9), 8), tick=False):
        assert services.sweep_clocks() == 1
        assert services.sweep_clocks() == 0
        r = login(world.alice).get(reverse("attraction:lead_list"), {"overdue": "1"})
        assert [row.title for row in r.context["page"]] == [lead.title]
        assert [c.kind for c in r.context["page"][0].overdue_clocks] == ["respond"]
        assert "响应" in r.content.decode()
    titles = set(
        Notification.objects.filter(title__contains="响应").values_list("recipient__username", flat=True)
    )
    assert titles == {"bob", "head"}
    assert AuditEntry.objects.filter(event="clock_overdue", object_id=str(lead.pk)).count() == 1
    # bob answers the same day, one working day late
    with time_machine.travel(_at(dt.date(2026, 10, 9), 15), tick=False):
        clock = services.stop_clock(lead, "respond", actor=world.bob, note="已电话联系投资方")
        assert services.late_by(clock) == 1
    # 12 October (Monday): the 研判 clock (due on the 调休 Saturday) is late
    assert services.sweep_clocks(dt.date(2026, 10, 12)) == 1
    assert set(LeadClock.objects.filter(overdue_at__isnull=False).values_list("kind", flat=True)) == {
        "respond",
        "judge",
    }
    # a progress report on 13 October starts the next one: 10 working days from that day
    with time_machine.travel(_at(dt.date(2026, 10, 13)), tick=False):
        services.stop_clock(lead, "progress", actor=world.bob, note="已完成实地考察")
    assert _due(lead)["progress"] == dt.date(2026, 10, 27)
    assert lead.clocks.filter(kind="progress").count() == 2


def test_small_leads_run_no_clocks_until_they_grow(world):
    with time_machine.travel(_at(dt.date(2026, 9, 30)), tick=False):
        lead = make_lead(world, amount_wan="9999")
        assert not lead.clocks.exists()
    with time_machine.travel(_at(dt.date(2026, 10, 9)), tick=False):
        services.update_lead(lead, actor=world.alice, amount=lead.amount * 2)
    assert _due(lead)["respond"] == dt.date(2026, 10, 10)


def test_a_move_is_a_response_and_shelved_leads_stand_still(world):
    with time_machine.travel(_at(dt.date(2026, 9, 30)), tick=False):
        lead = make_lead(world)
        services.move_lead(lead, stage("contact"), actor=world.bob)
    clock = lead.clocks.get(kind="respond")
    assert clock.done_at is not None and "接洽" in clock.note
    services.move_lead(lead, stage("shelved"), actor=world.bob, reason="投资方暂缓")
    assert services.sweep_clocks(dt.date(2026, 12, 31)) == 0
    assert not Lead.objects.filter(pk=lead.pk).filter(
        pk__in=LeadClock.objects.filter(services.overdue_q(dt.date(2026, 12, 31))).values("lead")
    )


def test_stop_refusals(world):
    with time_machine.travel(_at(dt.date(2026, 9, 30)), tick=False):
        lead = make_lead(world)
    with pytest.raises(ValidationError) as e:
        services.stop_clock(lead, "judge", actor=world.bob, note="  ")
    assert "办理情况" in str(e.value)
    services.stop_clock(lead, "judge", actor=world.bob, note="研判：符合产业方向")
    with pytest.raises(ValidationError) as e:
        services.stop_clock(lead, "judge", actor=world.bob, note="再次")
    assert "研判" in str(e.value)
    with pytest.raises(PermissionDenied):
        services.stop_clock(lead, "feedback", actor=world.zr_handler, note="x")
    with pytest.raises(PermissionDenied):
        services.stop_clock(lead, "feedback", actor=world.charlie, note="x")
    assert lead.clocks.filter(done_at__isnull=False).count() == 1


def test_the_page_stops_a_clock_and_other_county_sees_nothing(world, login):
    with time_machine.travel(_at(dt.date(2026, 9, 30)), tick=False):
        lead = make_lead(world)
    client = login(world.bob)
    r = client.get(reverse("attraction:lead_detail", args=[lead.pk]))
    assert r.status_code == 200 and "办理时限" in r.content.decode()
    r = client.post(
        reverse("attraction:clock_stop", args=[lead.pk]), {"kind": "feedback", "note": "已告知推荐人"}
    )
    assert r.status_code == 302
    assert lead.clocks.get(kind="feedback").done_by == world.bob
    other = login(world.charlie)
    assert (
        other.post(
            reverse("attraction:clock_stop", args=[lead.pk]), {"kind": "judge", "note": "x"}
        ).status_code
        == 404
    )
    assert len(other.get(reverse("attraction:lead_list"), {"overdue": "1"}).context["page"]) == 0


def test_command(world):
    with time_machine.travel(_at(dt.date(2026, 9, 30)), tick=False):
        make_lead(world)
    call_command("attraction_sweep", "--today", "2026-10-09")
    entry = AuditEntry.objects.get(event="clock_overdue")
    assert entry.actor_label == "命令: zhuqi attraction_sweep"

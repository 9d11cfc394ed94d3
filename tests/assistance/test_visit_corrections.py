"""Correcting and withdrawing visits: the author within 3 working days of filing, the dispatch
office at any time; a withdrawn visit leaves the visit counts and 走访考核."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import compliance, services
from zhuqi.assistance.models import Assignment, Visit
from zhuqi.core.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour - 8, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def ent(world):
    ent = make_enterprise("恒顺集团有限公司", world.grid)
    with at(dt.date(2026, 1, 5)):
        services.assign(ent, year=2026, role="commissioner", user=world.commissioner, actor=world.alice)
    return ent


def _visit(world, ent, day=dt.date(2026, 1, 6)):
    with at(day):
        return services.record_visit(ent, actor=world.commissioner, findings="了解生产经营情况")


def test_author_corrects_within_three_working_days(world, ent):
    visit = _visit(world, ent)  # filed Tuesday 6 January 2026
    assert services.visit_amend_deadline(visit) == dt.date(2026, 1, 9)  # Friday, 3 working days on
    with at(dt.date(2026, 1, 9)):
        services.correct_visit(
            visit, actor=world.commissioner, reason="日期填错", visited_on=dt.date(2026, 1, 5), kind="phone"
        )
    visit.refresh_from_db()
    assert (visit.visited_on, visit.kind) == (dt.date(2026, 1, 5), "phone")
    entry = AuditEntry.objects.get(
        object_type="assistance.visit", object_id=str(visit.pk), event="visit_corrected"
    )
    assert entry.message == "日期填错" and entry.changes["走访日期"] == ["2026-01-06", "2026-01-05"]
    with at(dt.date(2026, 1, 12)), pytest.raises(PermissionDenied) as exc:  # Monday: too late
        services.correct_visit(visit, actor=world.commissioner, reason="再改", findings="补充")
    assert "3 个工作日" in str(exc.value)
    with at(dt.date(2026, 3, 2)):  # the dispatch office, any time; the author is told
        services.correct_visit(visit, actor=world.alice, reason="核实", findings="了解生产经营和用工情况")
    assert Visit.objects.get(pk=visit.pk).findings == "了解生产经营和用工情况"
    assert Notification.objects.filter(
        recipient=world.commissioner, title__startswith="您的走访记录已被更正"
    ).exists()


def test_bad_corrections_and_other_people(world, ent):
    visit = _visit(world, ent)
    with at(dt.date(2026, 1, 7)):
        with pytest.raises(ValidationError) as exc:
            services.correct_visit(visit, actor=world.commissioner, reason="", findings="x")
        assert exc.value.message_dict == {"reason": ["请填写更正原因"]}
        with pytest.raises(ValidationError) as exc:
            services.correct_visit(
                visit, actor=world.commissioner, reason="x", visited_on=dt.date(2026, 1, 8)
            )
        assert exc.value.message_dict == {"visited_on": ["走访日期不能晚于今天"]}
        with pytest.raises(ValidationError) as exc:
            services.correct_visit(visit, actor=world.commissioner, reason="x", findings=" ")
        assert exc.value.message_dict == {"findings": ["请填写走访情况"]}
        with pytest.raises(PermissionDenied):  # someone else in scope, not the dispatch office
            services.withdraw_visit(visit, actor=world.leader, reason="x")
        with pytest.raises(Http404):
            services.withdraw_visit(visit, actor=world.charlie, reason="x")
    assert Visit.objects.get(pk=visit.pk).findings == "了解生产经营情况"


def test_withdrawn_visit_leaves_counts_and_compliance(world, ent, login):
    visit = _visit(world, ent)
    _visit(world, ent, dt.date(2026, 1, 13))

    def done():
        rows = compliance.compute(
            Assignment.objects.visible_to(world.alice),
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 31),
            today=dt.date(2026, 2, 2),
        )
        return compliance.by_official(rows)[0].done

    assert done() == 2
    with at(dt.date(2026, 1, 7)):
        services.withdraw_visit(visit, actor=world.commissioner, reason="记错了企业")
    assert done() == 1
    assert Visit.objects.filter(enterprise=ent).count() == 1
    assert Visit.all_objects.get(pk=visit.pk).withdraw_reason == "记错了企业"
    assert AuditEntry.objects.filter(event="visit_withdrawn", object_id=str(visit.pk)).exists()
    client = login(world.alice)
    assert client.get(f"/assistance/visits/{visit.pk}/").status_code == 404
    assert len(client.get("/assistance/visits/").context["page"]) == 1
    assert len(client.get("/api/v1/visits/").json()["results"]) == 1


def test_correction_pages(world, ent, login):
    visit = _visit(world, ent)
    with at(dt.date(2026, 1, 7)):
        client = login(world.commissioner)
        assert 'data-testid="visit-amend"' in client.get(f"/assistance/visits/{visit.pk}/").content.decode()
        url = f"/assistance/visits/{visit.pk}/correct/"
        form = {
            "visited_on": "2026-01-06",
            "kind": "onsite",
            "companions": "张三",
            "findings": "了解生产经营情况",
        }
        assert "请填写更正原因" in client.post(url, form).content.decode()
        assert client.post(url, {**form, "reason": "补同行人员"}).status_code == 302
        detail = client.get(f"/assistance/visits/{visit.pk}/").content.decode()
        assert "补同行人员" in detail and "张三" in detail
        withdraw = f"/assistance/visits/{visit.pk}/withdraw/"
        assert "请填写撤回原因" in client.post(withdraw, {"reason": ""}).content.decode()
        assert client.post(withdraw, {"reason": "重复填报"}).status_code == 302
        assert not Visit.objects.filter(pk=visit.pk).exists()
    assert login(world.charlie).get(url).status_code == 404

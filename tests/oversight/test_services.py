"""The workflow of an item: reply → review by 督查 → accept or return → close; who may do what;
bad input refused with a Chinese message and nothing half-saved; scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.oversight.conftest import make_item
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.oversight import services, workflow
from zhuqi.oversight.models import Item, Report, Status

pytestmark = pytest.mark.django_db


def test_reply_review_return_then_accept_and_close(world):
    item = make_item(world, assisting=[world.zrzy])
    assert Notification.objects.filter(recipient=world.zr_handler, title__contains=item.title).exists()
    services.fire(item, "reply", actor=world.bob, body="已完成", progress_pct="100")
    item.refresh_from_db()
    assert item.status == Status.REPLIED
    assert Notification.objects.filter(
        recipient=world.supervisor, title__startswith="督办事项已回复"
    ).exists()
    with pytest.raises(ValidationError) as exc:
        services.fire(item, "return", actor=world.supervisor, body="")
    assert "退回理由" in str(exc.value)
    services.fire(item, "return", actor=world.supervisor, body="佐证材料不全")
    item.refresh_from_db()
    assert item.status == Status.ASSIGNED
    assert Notification.objects.filter(recipient=world.bob, body="佐证材料不全").exists()
    services.fire(item, "reply", actor=world.bob, body="已补充材料")
    services.fire(item, "accept", actor=world.supervisor)
    services.fire(item, "close", actor=world.supervisor)
    item.refresh_from_db()
    assert item.status == Status.CLOSED and item.closed_at
    kinds = list(item.reports.values_list("kind", flat=True))
    assert kinds == ["reply", "returned", "reply", "accepted", "closed"]
    events = list(
        AuditEntry.objects.filter(object_type="oversight.item", object_id=str(item.pk), action="transition")
        .order_by("pk")
        .values_list("event", flat=True)
    )
    assert events == [
        "oversight_reply",
        "oversight_return",
        "oversight_reply",
        "oversight_accept",
        "oversight_close",
    ]


def test_only_the_lead_department_replies_and_only_oversight_reviews(world):
    item = make_item(world, assisting=[world.zrzy])
    with pytest.raises(PermissionDenied):
        services.fire(item, "reply", actor=world.zr_handler, body="配合单位不能回复")
    with pytest.raises(PermissionDenied):
        services.fire(item, "reply", actor=world.supervisor, body="督查不能代回复")
    services.fire(item, "reply", actor=world.bob, body="已完成")
    for person in (world.bob, world.alice, world.leader):
        with pytest.raises(PermissionDenied):
            services.fire(item, "accept", actor=person)
    item.refresh_from_db()
    assert workflow.allowed_actions(item, world.supervisor) == ["accept", "return", "cancel"]


def test_a_transition_from_the_wrong_status_is_refused(world):
    item = make_item(world)
    with pytest.raises(ValidationError) as exc:
        services.fire(item, "close", actor=world.supervisor)
    assert "办理中" in str(exc.value)


def test_bad_input_names_the_field_and_writes_nothing(world):
    before = (Item.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        make_item(world, title=" ", assisting=[world.jxj])
    errors = exc.value.message_dict
    assert errors["title"] == ["请填写事项名称"]
    assert errors["assisting_departments"] == ["配合单位不能与牵头单位相同"]
    with pytest.raises(ValidationError) as exc:
        make_item(world, working_days=0)
    assert "1–250" in exc.value.message_dict["working_days"][0]
    assert (Item.objects.count(), AuditEntry.objects.count()) == before
    item = make_item(world)
    with pytest.raises(ValidationError) as exc:
        services.report_progress(item, actor=world.bob, body="进展", progress_pct="120")
    assert exc.value.message_dict["progress_pct"] == ["完成进度应为 0–100 之间的数字"]
    assert not Report.objects.exists()


def test_a_department_outside_scope_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_item(world, lead_department=world.other_jxj)
    assert exc.value.message_dict["lead_department"] == ["所选的记录不存在"]


def test_who_may_create(world):
    for person in (world.bob, world.head, world.leader, world.observer):
        with pytest.raises(PermissionDenied):
            services.create_item(actor=person, title="x", lead_department=world.jxj, working_days=5)


def test_scope_oversight_sees_its_subtree_departments_their_own(world):
    mine = make_item(world, assisting=[world.zrzy])
    other_dept = make_item(world, title="自然资源局牵头", lead_department=world.zrzy)
    people = [*world.roles().values(), world.zr_handler]
    visible = {u: set(Item.objects.visible_to(u).values_list("pk", flat=True)) for u in people}
    assert visible[world.supervisor] == {mine.pk, other_dept.pk}
    assert visible[world.leader] == {mine.pk, other_dept.pk}
    assert visible[world.bob] == {mine.pk}  # 工信局: only its own
    assert visible[world.zr_handler] == {mine.pk, other_dept.pk}  # assisting on one, lead on the other
    assert visible[world.enterprise_user] == set()
    assert visible[world.commissioner] == set()
    assert set(Item.objects.visible_to(world.charlie).values_list("pk", flat=True)) == set()


def test_extension_rules(world):

    import time_machine

    from tests.oversight.conftest import at

    item = make_item(world)
    with time_machine.travel(at(2026, 3, 3), tick=False):
        _extension_rules(world, item)


def _extension_rules(world, item):
    import datetime as dt

    with pytest.raises(ValidationError) as exc:
        services.request_extension(item, actor=world.bob, reason="", new_due_on=item.due_on)
    assert set(exc.value.message_dict) == {"reason", "new_due_on"}
    ext = services.request_extension(
        item, actor=world.bob, reason="等待审批", new_due_on=item.due_on + dt.timedelta(days=7)
    )
    with pytest.raises(ValidationError):
        services.request_extension(
            item, actor=world.bob, reason="再延", new_due_on=item.due_on + dt.timedelta(days=9)
        )
    with pytest.raises(PermissionDenied):
        services.decide_extension(ext, actor=world.bob, approve=True)
    with pytest.raises(ValidationError) as exc:
        services.decide_extension(ext, actor=world.supervisor, approve=False)
    assert exc.value.message_dict["note"] == ["不同意延期时请填写理由"]
    services.decide_extension(ext, actor=world.supervisor, approve=False, note="理由不充分")
    item.refresh_from_db()
    ext.refresh_from_db()
    assert ext.status == "refused" and item.due_on == ext.old_due_on

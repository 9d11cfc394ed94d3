import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from zhuqi.core.models import AuditEntry, Notification
from zhuqi.projects import services, workflow
from zhuqi.projects.models import Stage, StageChange

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC), tick=False):
        yield


def test_forward_one_stage_records_date_confirmer_evidence_and_audit(world, project):
    change = services.move_stage(
        project, Stage.SIGNED, date=dt.date(2026, 3, 1), evidence="合同编号 GZ-2026-001", actor=world.alice
    )
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED
    assert project.signed_on == dt.date(2026, 3, 1)
    assert change.confirmed_by == world.alice and change.evidence == "合同编号 GZ-2026-001"
    entry = AuditEntry.objects.filter(event="stage_moved", object_id=str(project.pk)).get()
    assert entry.action == "transition" and entry.changes["stage"] == ["planned", "signed"]
    # the responsible leader hears of it
    assert Notification.objects.filter(recipient=world.leader, title__contains="签约").exists()


def test_full_chain_then_rollback(world, project):
    day = dt.date(2026, 2, 1)
    for stage in Stage.values[1:]:
        services.move_stage(project, stage, date=day, evidence="佐证", actor=world.alice)
        day += dt.timedelta(days=7)
    project.refresh_from_db()
    assert project.stage == Stage.AT_CAPACITY and project.at_capacity_on is not None
    services.move_stage(
        project, Stage.PRODUCING, date=dt.date(2026, 5, 20), evidence="达产数据有误", actor=world.alice
    )
    project.refresh_from_db()
    assert project.stage == Stage.PRODUCING and project.at_capacity_on is None
    back = StageChange.objects.filter(project=project).last()
    assert back.is_rollback
    assert AuditEntry.objects.filter(event="stage_rollback", object_id=str(project.pk)).exists()


def test_skipping_a_stage_is_refused_with_chinese_message(world, project):
    with pytest.raises(ValidationError) as exc:
        services.move_stage(project, Stage.STARTED, date=dt.date(2026, 3, 1), evidence="x", actor=world.alice)
    assert "只能转到" in str(exc.value) and "开工" in str(exc.value)


def test_forward_needs_evidence_and_no_future_or_earlier_date(world, project):
    with pytest.raises(ValidationError, match="佐证"):
        services.move_stage(project, Stage.SIGNED, date=dt.date(2026, 3, 1), evidence=" ", actor=world.alice)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.move_stage(project, Stage.SIGNED, date=dt.date(2026, 7, 1), evidence="x", actor=world.alice)
    services.move_stage(project, Stage.SIGNED, date=dt.date(2026, 3, 1), evidence="x", actor=world.alice)
    with pytest.raises(ValidationError, match="不能早于"):
        services.move_stage(project, Stage.LANDED, date=dt.date(2026, 2, 1), evidence="x", actor=world.alice)


def test_transition_table_is_explicit():
    assert workflow.TRANSITIONS["planned"] == {"signed": "forward"}
    assert workflow.TRANSITIONS["started"] == {"in_stats": "forward", "landed": "back"}
    assert workflow.TRANSITIONS["at_capacity"] == {"producing": "back"}


def test_only_editors_move_stages(world, project):
    for user in (world.observer, world.supervisor, world.zr_handler, world.charlie):
        with pytest.raises(PermissionDenied):
            services.move_stage(project, Stage.SIGNED, date=dt.date(2026, 3, 1), evidence="x", actor=user)
    # the responsible department's handler and the responsible leader may
    services.move_stage(project, Stage.SIGNED, date=dt.date(2026, 3, 1), evidence="x", actor=world.bob)
    services.move_stage(project, Stage.LANDED, date=dt.date(2026, 3, 2), evidence="x", actor=world.leader)


def test_a_project_needs_a_unit_and_a_leader_and_ends_after_it_starts(world, project):
    from .conftest import make_project

    with pytest.raises(ValidationError) as exc:
        services.create_project(actor=world.admin, code="P002", name="无人负责项目", region=world.park)
    assert exc.value.message_dict == {
        "department": ["请选择责任单位（五个一：一个责任单位）"],
        "leader": ["请选择包抓县领导（五个一：一名县级领导）"],
    }
    with pytest.raises(ValidationError) as exc:
        make_project(
            world, code="P003", planned_start=dt.date(2026, 9, 1), planned_completion=dt.date(2026, 3, 1)
        )
    assert exc.value.message_dict == {"planned_completion": ["计划竣工日期不能早于计划开工日期"]}
    with pytest.raises(ValidationError) as exc:
        services.update_project(project, actor=world.alice, leader=None)
    assert exc.value.message_dict == {"leader": ["请选择包抓县领导（五个一：一名县级领导）"]}
    project.refresh_from_db()
    assert project.leader == world.leader

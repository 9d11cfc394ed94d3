"""Accounts (用户管理): officials created, edited, deactivated with their hand-over and
reactivated; administrator resets and the forced change; 忘记密码; one-time links; unlocking.
Scope: the dispatch office manages its own county only, another county's accounts are 404."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.backends import ModelBackend
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.enterprises.helpers import make_enterprise
from tests.projects.conftest import make_project
from zhuqi.assistance import services as assistance
from zhuqi.assistance.models import Assignment
from zhuqi.core import services_accounts as accounts
from zhuqi.core.models import AuditEntry, Notification, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _signs_in(*, username, password):
    """The user password sign-in would accept (Django's own backend, without axes' request)."""
    return ModelBackend().authenticate(None, username=username, password=password)


def _events(user, event):
    return AuditEntry.objects.filter(object_type="core.user", object_id=str(user.pk), event=event)


# --- create and edit --------------------------------------------------------------------------


def test_dispatch_creates_an_official_with_a_temporary_password(world):
    user, password = accounts.create_official(
        actor=world.alice,
        username="zhaoliu",
        full_name="赵六",
        role=Role.HANDLER,
        region=world.county,
        department=world.jxj,
        mobile="13800000001",
    )
    assert user.must_change_password and user.check_password(password)
    assert _signs_in(username="zhaoliu", password=password) is not None
    entry = _events(user, "account_created").get()
    assert entry.action == "permission" and entry.actor == world.alice
    assert Notification.objects.filter(recipient=user).exists()


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("region", {"region": "other_county"}, "区划不存在或不在您的管辖范围内"),
        ("department", {"department": "other_jxj"}, "部门不存在或不在您的管辖范围内"),
        ("department", {"department": None}, "必须选择所属部门"),
        ("username", {"username": "BOB"}, "用户名「BOB」已被使用"),
        ("mobile", {"mobile": "12345"}, "手机号码应为以 1 开头的 11 位数字"),
        ("role", {"role": Role.ENTERPRISE}, "企业用户请在企业页面"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(world, field, kwargs, message):
    values = {
        "username": "new",
        "full_name": "新人",
        "role": Role.HANDLER,
        "region": world.county,
        "department": world.jxj,
    }
    for key, value in kwargs.items():
        values[key] = getattr(world, value) if isinstance(value, str) and hasattr(world, value) else value
    with pytest.raises(ValidationError) as exc:
        accounts.create_official(actor=world.alice, **values)
    assert message in " ".join(exc.value.message_dict[field])
    assert not User.objects.filter(username="new").exists()


def test_dispatch_cannot_grant_admin_and_other_roles_cannot_manage(world):
    with pytest.raises(PermissionDenied):
        accounts.create_official(
            actor=world.alice, username="boss", full_name="x", role=Role.ADMIN, region=world.county
        )
    with pytest.raises(PermissionDenied):
        accounts.create_official(
            actor=world.leader, username="x1", full_name="x", role=Role.OBSERVER, region=world.county
        )
    assert not User.objects.filter(username__in=["boss", "x1"]).exists()


def test_role_change_is_a_permission_event_told_to_the_person(world):
    accounts.update_official(
        world.bob,
        actor=world.alice,
        full_name="鲍勃",
        role=Role.DEPT_HEAD,
        region=world.county,
        department=world.jxj,
    )
    world.bob.refresh_from_db()
    assert world.bob.role == Role.DEPT_HEAD and world.bob.full_name == "鲍勃"
    entry = _events(world.bob, "role_changed").get()
    assert entry.action == "permission" and "角色" in entry.changes
    assert Notification.objects.filter(recipient=world.bob, title__contains="角色").exists()


def test_another_countys_account_does_not_exist_for_the_dispatch_office(world):
    with pytest.raises(Http404):
        accounts.update_official(
            world.other_handler, actor=world.alice, full_name="x", role=Role.HANDLER, region=world.county
        )
    with pytest.raises(Http404):
        accounts.deactivate_user(world.other_handler, actor=world.alice, reason="调离")
    with pytest.raises(Http404):  # an administrator's account is not the dispatch office's either
        accounts.deactivate_user(world.admin, actor=world.alice, reason="调离")
    assert User.objects.get(pk=world.other_handler.pk).is_active


def test_pages_are_scoped(world, login):
    client = login(world.alice)
    listing = client.get(reverse("core:account_list"), {"active": "all"})
    names = {u.username for u in listing.context["page"]}
    assert {"bob", "alice", "leader"} <= names
    assert not names & {"charlie", "other_handler", "admin", "ent_user"}
    assert client.get(reverse("core:account_detail", args=[world.other_handler.pk])).status_code == 404
    assert client.get(reverse("core:account_deactivate", args=[world.charlie.pk])).status_code == 404
    assert client.get(reverse("core:account_detail", args=[world.bob.pk])).status_code == 200
    assert client.get(reverse("core:locked_list")).status_code == 404  # unlocking is the administrator's
    assert login(world.bob).get(reverse("core:account_list")).status_code == 404


def test_list_filters_by_role_department_and_state(world, login):
    world.zr_handler.is_active = False
    world.zr_handler.save()
    client = login(world.admin)
    rows = client.get(reverse("core:account_list"), {"role": Role.HANDLER, "active": "all"}).context["page"]
    assert {u.username for u in rows} == {"bob", "zr_handler", "other_handler"}
    rows = client.get(reverse("core:account_list"), {"department": world.jxj.pk}).context["page"]
    assert {u.username for u in rows} == {"head", "bob"}
    rows = client.get(reverse("core:account_list"), {"active": "0"}).context["page"]
    assert [u.username for u in rows] == ["zr_handler"]


# --- deactivation and hand-over ----------------------------------------------------------------


@pytest.fixture
def holdings(world):
    ent = make_enterprise("尉氏恒顺有限公司", world.grid)
    assistance.assign(ent, year=2026, role="commissioner", user=world.commissioner, actor=world.alice)
    other = make_enterprise("尉氏丰原有限公司", world.grid2)
    assistance.assign(other, year=2026, role="commissioner", user=world.commissioner, actor=world.alice)
    return ent, other


def test_deactivation_is_refused_while_work_is_unassigned(world, holdings):
    groups = accounts.hand_over_items(world.commissioner, viewer=world.alice)
    assert [len(g["rows"]) for g in groups] == [2]
    with pytest.raises(ValidationError) as exc:
        accounts.deactivate_user(world.commissioner, actor=world.alice, reason="调离")
    assert "还有 2 项工作未交接" in exc.value.message_dict["to_user"][0]
    assert User.objects.get(pk=world.commissioner.pk).is_active


def test_deactivation_hands_everything_over_in_one_step(world, holdings):
    successor = User.objects.create_user("zy02", password=PASSWORD, role=Role.COMMISSIONER, region=world.park)
    project = make_project(world, leader=world.leader)
    accounts.deactivate_user(world.leader, actor=world.alice, reason="退休", to_user=successor)
    project.refresh_from_db()
    assert project.leader == successor
    accounts.deactivate_user(world.commissioner, actor=world.alice, reason="调离", to_user=successor)
    current = Assignment.objects.filter(ended_on__isnull=True)
    assert {a.user_id for a in current} == {successor.pk}
    assert Assignment.objects.filter(user=world.commissioner, ended_on__isnull=False).count() == 2
    person = User.objects.get(pk=world.commissioner.pk)
    assert not person.is_active
    entry = _events(person, "account_deactivated").get()
    assert entry.message == "调离" and entry.changes["交接工作"] == 2
    assert Notification.objects.filter(recipient=successor, title__contains="接手").exists()
    assert _signs_in(username="commissioner", password=PASSWORD) is None


def test_successor_from_another_county_is_refused_as_if_absent(world, holdings):
    with pytest.raises(ValidationError) as exc:
        accounts.deactivate_user(
            world.commissioner, actor=world.alice, reason="调离", to_user=world.other_handler
        )
    assert "接手人" in exc.value.message_dict["to_user"][0]
    assert Assignment.objects.filter(user=world.commissioner, ended_on__isnull=True).count() == 2


def test_no_one_deactivates_themselves_and_reactivation_restores_login(world, client):
    with pytest.raises(PermissionDenied):
        accounts.deactivate_user(world.alice, actor=world.alice, reason="x")
    client.post(reverse("login"), {"username": "observer", "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200
    accounts.deactivate_user(world.observer, actor=world.alice, reason="借调结束")
    assert client.get(reverse("home")).status_code == 302  # signed out at the next request
    assert _signs_in(username="observer", password=PASSWORD) is None
    accounts.reactivate_user(world.observer, actor=world.alice)
    assert _signs_in(username="observer", password=PASSWORD) is not None
    assert _events(world.observer, "account_reactivated").exists()


# --- passwords ----------------------------------------------------------------------------------


def test_admin_reset_forces_a_change_at_first_login(world, client):
    password = accounts.reset_password(world.bob, actor=world.admin)
    client.post(reverse("login"), {"username": "bob", "password": password})
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and response.url == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.context["forced"]
    assert 'autocomplete="current-password"' in page.text and 'autocomplete="new-password"' in page.text
    assert '<label class="form-label" for="id_old_password">' in page.text
    bad = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "Neu#Passw0rd9", "new_password2": "Neu#Passw0rd9"},
    )
    assert "当前密码不正确" in bad.context["form"].errors["old_password"][0]
    weak = client.post(
        reverse("password_change"), {"old_password": password, "new_password1": "abc", "new_password2": "abc"}
    )
    errors = weak.context["form"].errors
    assert (
        "密码太短：至少需要 10 个字符" in " ".join(errors["new_password1"]) and "new_password2" not in errors
    )
    client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Neu#Passw0rd9", "new_password2": "Neu#Passw0rd9"},
    )
    world.bob.refresh_from_db()
    assert not world.bob.must_change_password
    assert client.get(reverse("cases:list")).status_code == 200
    assert _events(world.bob, "password_reset").get().actor == world.admin
    assert _events(world.bob, "password_changed").exists()


def test_only_the_administrator_resets_passwords(world, login):
    with pytest.raises(PermissionDenied):
        accounts.reset_password(world.bob, actor=world.alice)
    client = login(world.alice)
    assert client.post(reverse("core:account_reset_password", args=[world.bob.pk])).status_code == 404
    assert _signs_in(username="bob", password=PASSWORD) is not None


def test_forgot_password_reaches_the_administrators_and_reveals_nothing(world, client):
    known = client.post(reverse("forgot_password"), {"username": "bob"})
    unknown = client.post(reverse("forgot_password"), {"username": "nobody"})
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    inbox = Notification.objects.filter(recipient=world.admin)
    assert inbox.count() == 1 and "bob" in inbox.get().title
    assert inbox.get().url == reverse("core:account_detail", args=[world.bob.pk])
    client.post(reverse("forgot_password"), {"username": "bob"})  # a second request in the window
    assert inbox.count() == 1
    assert _events(world.bob, "password_reset_requested").count() == 1


def test_forgot_password_sends_a_one_time_link_through_a_configured_channel(world, client, settings):
    settings.NOTIFY_CHANNELS = ["zhuqi.core.channels.EmailChannel"]
    world.bob.email = "bob@example.com"
    world.bob.save()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        client.post(reverse("forgot_password"), {"username": "bob"})
    assert not Notification.objects.filter(recipient=world.admin).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.com"]
    link = next(w for w in mail.outbox[0].body.split() if "/account/set-password/" in w)
    path = link[link.index("/account/") :]
    form = {"new_password1": "Neu#Passw0rd9", "new_password2": "Neu#Passw0rd9"}
    assert client.post(path, form).status_code == 302
    assert _signs_in(username="bob", password="Neu#Passw0rd9") is not None
    assert client.get(path).status_code == 404  # one time only


def test_a_broken_or_foreign_link_sets_nothing(world, client):
    path = accounts.one_time_link(world.bob)
    broken = path.replace("/set-password/", "/set-password/x")
    assert (
        client.post(broken, {"new_password1": "Neu#Passw0rd9", "new_password2": "Neu#Passw0rd9"}).status_code
        == 404
    )
    mismatch = client.post(path, {"new_password1": "Neu#Passw0rd9", "new_password2": "Other#Passw0rd9"})
    assert "两次输入的新密码不一致" in mismatch.context["form"].errors["new_password2"][0]
    assert _signs_in(username="bob", password=PASSWORD) is not None


# --- lockout -------------------------------------------------------------------------------------


def test_administrator_sees_and_unlocks_a_locked_account(world, login):
    AccessAttempt.objects.create(
        username="bob",
        ip_address="10.0.0.8",
        user_agent="x",
        failures_since_start=5,
        get_data="",
        post_data="",
    )
    client = login(world.admin)
    page = client.get(reverse("core:locked_list"))
    assert [r["attempt"].username for r in page.context["rows"]] == ["bob"]
    client.post(reverse("core:locked_list"), {"username": "bob"})
    assert not AccessAttempt.objects.filter(username="bob").exists()
    assert _events(world.bob, "account_unlocked").get().actor == world.admin
    with pytest.raises(ValidationError):
        accounts.unlock_account("bob", actor=world.admin)
    with pytest.raises(PermissionDenied):
        accounts.unlock_account("bob", actor=world.alice)


def test_every_registered_duty_moves_to_the_successor(world):
    """A county leader who leaves: the cases they assigned, the plan measures they own, the
    projects they lead and the work teams they sit on all move to the successor."""
    import datetime as dt

    from zhuqi.assistance.models import PlanMeasure
    from zhuqi.cases import services as cases
    from zhuqi.cases.models import Case, Channel

    ent = make_enterprise("尉氏恒顺有限公司", world.grid)
    case = cases.create_case(
        ent, channel=Channel.LEADER, title="用电增容", description="需增容", actor=world.leader
    )
    plan = assistance.save_plan(ent, year=2026, goals="扩产", actor=world.alice)
    assistance.add_measure(
        plan, title="协调用地", deadline=dt.date(2026, 12, 31), actor=world.alice, owner=world.leader
    )
    led = make_project(world, leader=world.leader)
    seat = make_project(
        world, code="P002", name="另一个项目", leader=world.head, team=[world.leader, world.bob]
    )
    successor = User.objects.create_user("leader2", password=PASSWORD, role=Role.LEADER, region=world.county)

    held = {g["duty"].key: len(g["rows"]) for g in accounts.hand_over_items(world.leader, viewer=world.alice)}
    assert held == {"plan_measures": 1, "projects": 2, "leader_cases": 1}
    accounts.deactivate_user(world.leader, actor=world.alice, reason="调任", to_user=successor)

    assert Case.objects.get(pk=case.pk).assigned_by_leader == successor
    assert PlanMeasure.objects.get(plan=plan).owner == successor
    led.refresh_from_db()
    assert led.leader == successor
    assert set(seat.team.values_list("username", flat=True)) == {"leader2", "bob"}
    assert accounts.hand_over_items(world.leader, viewer=world.admin) == []
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {
        "leader_handed_over",
        "measure_handed_over",
        "project_handed_over",
        "account_deactivated",
    } <= events


def test_dispatch_may_not_deactivate_someone_holding_work_outside_its_county(world):
    other = make_enterprise("通许装备有限公司", world.other_grid)
    assistance.assign(other, year=2026, role="commissioner", user=world.commissioner, actor=world.admin)
    groups = accounts.hand_over_items(world.commissioner, viewer=world.alice)
    assert [row["visible"] for g in groups for row in g["rows"]] == [False]
    with pytest.raises(PermissionDenied):
        accounts.deactivate_user(
            world.commissioner, actor=world.alice, reason="调离", to_user=world.grid_member
        )
    assert User.objects.get(pk=world.commissioner.pk).is_active


def test_the_people_page_links_to_the_account_for_its_managers_only(world, login):
    url = reverse("core:user_detail", args=[world.bob.pk])
    assert 'data-testid="manage-account"' in login(world.alice).get(url).text
    assert 'data-testid="manage-account"' not in login(world.leader).get(url).text


def test_the_account_list_query_count_does_not_grow_with_its_rows(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("core:account_list"), {"active": "all"}).status_code == 200
        return len(ctx)

    count()  # warm up (per-process caches)
    few = count()
    for i in range(30):
        User.objects.create_user(f"p{i}", role=Role.HANDLER, region=world.county, department=world.jxj)
    assert count() == few

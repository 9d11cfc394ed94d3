"""Role home pages, the menu by role, and the demo data command."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhuqi.core import demo
from zhuqi.core.models import Department, Region, Role, User

pytestmark = pytest.mark.django_db

EXPECTED_TITLES = {
    "admin": "系统管理工作台",
    "dispatch": "专班办公室工作台",
    "leader": "领导驾驶舱",
    "dept_head": "部门工作台",
    "handler": "经办工作台",
    "commissioner": "首席服务专员工作台",
    "grid": "网格员工作台",
    "supervisor": "督查工作台",
    "observer": "概览",
    "enterprise": "企业服务",
}


def test_every_role_lands_on_its_own_home(world, login):
    for role, user in world.roles().items():
        response = login(user).get("/")
        assert response.status_code == 200
        assert response.context["home_title"] == EXPECTED_TITLES[role], role


def test_menu_depends_on_role(world, login):
    admin_menu = [i["name"] for i in login(world.admin).get("/").context["nav_menu"]]
    handler_menu = [i["name"] for i in login(world.bob).get("/").context["nav_menu"]]
    enterprise_menu = [i["name"] for i in login(world.enterprise_user).get("/").context["nav_menu"]]
    assert "admin:index" in admin_menu and "admin:index" not in handler_menu
    assert "core:audit_list" not in handler_menu
    assert "core:department_list" not in enterprise_menu and "home" in enterprise_menu


def test_english_switch(world, login):
    client = login(world.alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


def test_demo_loads_idempotently_and_logins_work(db, client):
    call_command("demo")
    counts = (Region.objects.count(), Department.objects.count(), User.objects.count())
    call_command("demo")
    assert (Region.objects.count(), Department.objects.count(), User.objects.count()) == counts
    assert User.objects.filter(role=Role.COMMISSIONER, region__code__startswith="340323").count() >= 25
    assert Department.objects.filter(region__code="340323", kind="external").count() >= 4
    for username, _name, role, *_rest in demo.LOGINS:
        response = client.post(
            "/account/login/", {"username": username, "password": demo.DEMO_PASSWORD}, follow=True
        )
        assert response.context["role"] == role, username
        client.post("/account/logout/")


def test_demo_refuses_a_database_with_real_data(world):
    with pytest.raises(CommandError) as exc:
        call_command("demo")
    assert "非演示" in str(exc.value)


def test_chinese_is_the_default_whatever_the_browser_says(world, login):
    client = login(world.alice)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-CN"' in page.content.decode()


def test_timeline_shows_field_labels_not_column_names(world, login):
    from zhuqi.core import audit

    with audit.acting_as(world.alice):
        world.jxj.phone = "0371-7777777"
        world.jxj.save()
    page = login(world.alice).get(f"/core/departments/{world.jxj.pk}/").content.decode()
    assert "电话：" in page and "0371-7777777" in page and "phone：" not in page


def test_only_the_longest_matching_menu_entry_is_active(world, login):
    page = login(world.admin).get("/core/regions/")
    active = [i["name"] for i in page.context["nav_menu"] if i["active"]]
    assert active == ["core:region_list"]

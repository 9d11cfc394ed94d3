"""系统设置 in core: regions and departments (create, rename, move, deactivate with what still
points at them), the national holiday arrangement (preview, save through the work calendar,
the November warning) and the settings index. Services, scope, bad input, pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.conftest import PASSWORD  # noqa: F401 - personas' password
from zhuqi.core import services, workcalendar
from zhuqi.core.forms import parse_day_ranges
from zhuqi.core.models import AuditEntry, Department, HolidayArrangement, Region, User, WorkdayOverride
from zhuqi.core.signals import working_days_changed

pytestmark = pytest.mark.django_db
D = dt.date


# --- regions --------------------------------------------------------------------------------------


def test_dispatch_creates_and_renames_a_town_in_its_county(world):
    town = services.save_region(
        actor=world.alice, code="410223101", name="洧川镇", kind="town", parent=world.county
    )
    assert town.path == "41/4102/410223/410223101/"
    services.save_region(
        actor=world.alice, code="ignored", name="洧川镇（新）", kind="town", parent=world.county, region=town
    )
    town.refresh_from_db()
    assert (town.code, town.name) == ("410223101", "洧川镇（新）")
    assert AuditEntry.objects.filter(event="region_created", object_id=str(town.pk)).exists()


def test_moving_a_region_moves_its_subtree_and_the_copies_of_its_path(world):
    from zhuqi.enterprises.models import Enterprise

    ent = Enterprise.objects.create(name="测试企业", credit_code="91410223MA00000001", region=world.grid)
    services.save_region(
        actor=world.admin,
        code=world.park.code,
        name=world.park.name,
        kind="park",
        parent=world.town,
        region=world.park,
    )
    world.grid.refresh_from_db()
    ent.refresh_from_db()
    assert world.grid.path == "41/4102/410223/410223100/410223P1/410223P1G1/"
    assert world.grid.depth == 5
    assert ent.region_path == world.grid.path
    assert AuditEntry.objects.filter(event="region_moved", object_id=str(world.park.pk)).exists()
    # the grid member (placed in the grid) still sees the enterprise
    assert Enterprise.objects.visible_to(world.grid_member).filter(pk=ent.pk).exists()


def test_a_region_cannot_move_under_itself(world):
    with pytest.raises(ValidationError) as exc:
        services.save_region(
            actor=world.admin,
            code=world.park.code,
            name="x",
            kind="park",
            parent=world.grid,
            region=world.park,
        )
    assert "parent" in exc.value.message_dict and "下级" in exc.value.message_dict["parent"][0]
    world.park.refresh_from_db()
    assert world.park.parent_id == world.county.pk


def test_dispatch_is_kept_to_its_subtree(world):
    with pytest.raises(PermissionDenied):  # under the other county
        services.save_region(
            actor=world.alice, code="X1", name="外县镇", kind="town", parent=world.other_county
        )
    with pytest.raises(PermissionDenied):  # its own county may only be moved by an administrator
        services.save_region(
            actor=world.alice,
            code=world.county.code,
            name="尉氏县",
            kind="county",
            parent=world.other_county,
            region=world.county,
        )
    with pytest.raises(PermissionDenied):
        services.set_region_active(world.county, False, actor=world.alice)
    with pytest.raises(PermissionDenied):  # handlers configure nothing
        services.save_region(actor=world.bob, code="X2", name="镇", kind="town", parent=world.county)


@pytest.mark.parametrize(
    ("code", "name", "kind", "field"),
    [
        ("", "镇", "town", "code"),
        ("41 02", "镇", "town", "code"),
        ("X3", "  ", "town", "name"),
        ("X3", "镇", "moon", "kind"),
    ],
)
def test_bad_region_input_names_the_field(world, code, name, kind, field):
    with pytest.raises(ValidationError) as exc:
        services.save_region(actor=world.alice, code=code, name=name, kind=kind, parent=world.county)
    assert field in exc.value.message_dict
    assert not Region.objects.filter(name=name.strip() or "镇", code=code).exists()


def test_duplicate_region_code_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.save_region(
            actor=world.alice, code=world.town.code, name="重复", kind="town", parent=world.county
        )
    assert "已被其他区划使用" in exc.value.message_dict["code"][0]


def test_deactivating_a_region_lists_what_points_at_it(world):
    from zhuqi.enterprises.models import Enterprise

    Enterprise.objects.create(name="测试企业", credit_code="91410223MA00000001", region=world.grid2)
    User.objects.create_user(username="gm2", password=PASSWORD, role="grid", region=world.grid2)
    with pytest.raises(ValidationError) as exc:
        services.set_region_active(world.grid2, False, actor=world.alice)
    message = exc.value.message_dict["is_active"][0]
    assert "在职人员：1" in message and "企业：1" in message
    assert Region.objects.get(pk=world.grid2.pk).is_active


def test_a_clear_region_is_deactivated_and_reactivated(world):
    empty = services.save_region(
        actor=world.alice, code="410223102", name="空镇", kind="town", parent=world.county
    )
    services.set_region_active(empty, False, actor=world.alice)
    assert not Region.objects.get(pk=empty.pk).is_active
    with pytest.raises(ValidationError) as exc:  # nothing new under a closed region
        services.save_region(actor=world.alice, code="410223102G1", name="网格", kind="grid", parent=empty)
    assert "已停用" in exc.value.message_dict["parent"][0]
    services.set_region_active(empty, True, actor=world.alice)
    assert Region.objects.get(pk=empty.pk).is_active
    assert AuditEntry.objects.filter(event="region_disabled", object_id=str(empty.pk)).exists()


# --- departments -----------------------------------------------------------------------------------


def test_rename_and_move_a_department(world):
    dept = services.save_department(actor=world.alice, region=world.county, name="尉氏县商务局")
    services.save_department(actor=world.alice, region=world.park, name="经开区商务局", department=dept)
    dept.refresh_from_db()
    assert (dept.name, dept.region_id) == ("经开区商务局", world.park.pk)
    assert AuditEntry.objects.filter(event="department_moved", object_id=str(dept.pk)).exists()


def test_department_name_is_unique_in_its_region(world):
    with pytest.raises(ValidationError) as exc:
        services.save_department(actor=world.alice, region=world.county, name="尉氏县工信局")
    assert "已有名为" in exc.value.message_dict["name"][0]


def test_department_outside_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.save_department(actor=world.alice, region=world.other_county, name="通许县商务局")
    with pytest.raises(PermissionDenied):
        services.set_department_active(world.other_jxj, False, actor=world.alice)


def test_deactivating_a_department_with_people_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.set_department_active(world.jxj, False, actor=world.alice)
    assert "在职人员：2" in exc.value.message_dict["is_active"][0]
    dept = services.save_department(actor=world.alice, region=world.county, name="尉氏县商务局")
    services.set_department_active(dept, False, actor=world.alice)
    assert not Department.objects.get(pk=dept.pk).is_active


# --- the national holiday arrangement ---------------------------------------------------------------


def test_day_ranges_as_the_notice_writes_them():
    days = parse_day_ranges("2027-01-01\n2月6日至12日\n2/20、2027-10-01~2027-10-03", 2027)
    assert D(2027, 1, 1) in days and D(2027, 2, 12) in days and D(2027, 2, 20) in days
    assert len(days) == 1 + 7 + 1 + 3
    with pytest.raises(Exception, match="看不懂"):
        parse_day_ranges("春节", 2027)


HOLIDAYS_2027 = [D(2027, 1, 1), *[D(2027, 2, d) for d in range(6, 13)]]


def test_entering_next_years_arrangement_sends_the_calendar_signal_and_stops_the_warning(
    world, django_capture_on_commit_callbacks
):
    assert workcalendar.missing_arrangement_warning(D(2026, 11, 20))
    sent = []

    def receiver(sender, changes, **kwargs):
        sent.append(changes)

    working_days_changed.connect(receiver, dispatch_uid="test_national")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.enter_national_arrangement(
                actor=world.admin,
                year=2027,
                holidays=HOLIDAYS_2027,
                workdays=[D(2027, 2, 20)],
                notice="国办发明电〔2026〕7号",
            )
    finally:
        working_days_changed.disconnect(dispatch_uid="test_national")
    assert (
        len(sent) == 1
        and sent[0][D(2027, 2, 11)] == (True, False)
        and D(2027, 2, 8) not in sent[0]
        and sent[0][D(2027, 2, 20)] == (False, True)
    )
    assert not workcalendar.is_working_day(D(2027, 2, 11))
    assert workcalendar.is_working_day(D(2027, 2, 20))
    assert workcalendar.missing_arrangement_warning(D(2026, 11, 20)) is None
    assert AuditEntry.objects.filter(event="holidays_entered").count() == 1


def test_a_local_override_alone_keeps_the_warning(world):
    services.set_workday_override(actor=world.admin, date=D(2027, 3, 15), is_workday=False, note="本地停工")
    assert not workcalendar.arrangement_known(2027)
    assert workcalendar.missing_arrangement_warning(D(2026, 11, 20))


def test_entering_a_year_again_drops_the_days_it_no_longer_lists(world):
    services.enter_national_arrangement(
        actor=world.admin, year=2027, holidays=HOLIDAYS_2027, workdays=[D(2027, 2, 20)]
    )
    services.enter_national_arrangement(actor=world.admin, year=2027, holidays=HOLIDAYS_2027[:1], workdays=[])
    assert not WorkdayOverride.objects.filter(date=D(2027, 2, 11)).exists()
    assert workcalendar.is_working_day(D(2027, 2, 11))
    assert not workcalendar.is_working_day(D(2027, 2, 20))  # a Saturday again
    assert HolidayArrangement.objects.get(year=2027).holidays == "2027-01-01"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"holidays": []}, "holidays"),
        ({"holidays": [D(2028, 1, 1)]}, "holidays"),
        ({"workdays": [D(2027, 1, 1)]}, "workdays"),
        ({"year": 1900}, "year"),
    ],
)
def test_bad_arrangement_names_the_field_and_saves_nothing(world, kwargs, field):
    args = {"year": 2027, "holidays": HOLIDAYS_2027, "workdays": []} | kwargs
    with pytest.raises(ValidationError) as exc:
        services.enter_national_arrangement(actor=world.admin, **args)
    assert field in exc.value.message_dict
    assert not WorkdayOverride.objects.exists() and not HolidayArrangement.objects.exists()


def test_only_admins_enter_the_arrangement(world):
    with pytest.raises(PermissionDenied):
        services.enter_national_arrangement(actor=world.alice, year=2027, holidays=HOLIDAYS_2027, workdays=[])


def test_preview_counts_working_days_per_month():
    before = dict(workcalendar.preview_year(2027))
    after = dict(workcalendar.preview_year(2027, HOLIDAYS_2027, [D(2027, 2, 20)]))
    # the package already rests 8-10 Feb; the notice adds 11-12 Feb and works Saturday 20 Feb
    assert after[2] == before[2] - 2 + 1
    assert after[1] == before[1] and after[3] == before[3]


# --- pages ------------------------------------------------------------------------------------------


def test_settings_index_lists_the_pages_by_role(world, login):
    page = login(world.admin).get("/core/settings/").content.decode()
    for name in ("行政区划", "部门", "节假日安排", "问题类别", "办理时限制度", "分拨规则"):
        assert name in page
    assert login(world.bob).get("/core/settings/").status_code == 404
    assert login(world.observer).get("/core/settings/regions/").status_code == 404


def test_region_settings_page_is_scoped(world, login):
    client = login(world.alice)
    page = client.get("/core/settings/regions/").content.decode()
    assert "城关镇" in page and "通许县" not in page
    assert client.get(f"/core/settings/regions/{world.other_county.pk}/").status_code == 404


def test_region_form_shows_the_error_under_the_field(world, login):
    response = login(world.alice).post(
        "/core/settings/regions/",
        {"code": world.town.code, "name": "重复镇", "kind": "town", "parent": world.county.pk},
    )
    assert response.status_code == 200
    assert 'data-testid="error-code"' in response.content.decode()
    assert not Region.objects.filter(name="重复镇").exists()


def test_a_reference_outside_scope_is_refused_as_if_missing(world, login):
    response = login(world.alice).post(
        "/core/settings/departments/",
        {"name": "外县局", "kind": "government", "region": world.other_county.pk},
    )
    assert 'data-testid="error-region"' in response.content.decode()
    assert not Department.objects.filter(name="外县局").exists()


def test_holiday_page_previews_then_saves(world, login, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 22, 10, 0, tzinfo=workcalendar.SHANGHAI))
    client = login(world.admin)
    assert 'data-testid="calendar-warning"' in client.get("/core/settings/holidays/").content.decode()
    data = {
        "year": 2027,
        "notice": "国办发明电",
        "holidays": "2027-01-01\n2027-02-06~2027-02-12",
        "workdays": "2027-02-20",
    }
    preview = client.post("/core/settings/holidays/", data | {"preview": "1"}).content.decode()
    assert 'data-testid="holiday-preview"' in preview
    assert not HolidayArrangement.objects.exists()
    client.post("/core/settings/holidays/", data | {"save": "1"})
    assert HolidayArrangement.objects.filter(year=2027).exists()
    assert 'data-testid="calendar-warning"' not in client.get("/core/settings/holidays/").content.decode()


def test_dispatch_reads_the_holiday_page_but_cannot_post(world, login):
    client = login(world.alice)
    assert client.get("/core/settings/holidays/").status_code == 200
    assert (
        client.post(
            "/core/settings/holidays/", {"year": 2027, "holidays": "2027-01-01", "save": "1"}
        ).status_code
        == 404
    )
    assert not HolidayArrangement.objects.exists()


def test_other_county_cannot_touch_a_department_page(world, login):
    assert login(world.charlie).get(f"/core/settings/departments/{world.jxj.pk}/").status_code == 404
    with pytest.raises(Http404):
        Department.objects.get_visible_or_404(world.charlie, pk=world.jxj.pk)


def test_settings_lists_do_not_grow_with_rows(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhuqi.cases.models import Category, RoutingRule

    pages = [
        "/core/settings/regions/",
        "/core/settings/departments/",
        "/cases/settings/categories/",
        "/cases/rules/",
        "/cases/settings/sla/",
    ]

    def populate(n, offset):
        for i in range(offset, offset + n):
            town = Region.objects.create(
                code=f"410223T{i}", name=f"测试镇{i}", kind="town", parent=world.county
            )
            dept = Department.objects.create(name=f"测试局{i}", region=town)
            cat = Category.objects.create(code=f"c{i}", name=f"类别{i}")
            Category.objects.create(code=f"c{i}s", name=f"子类别{i}", parent=cat)
            RoutingRule.objects.create(
                category=cat, region=town, lead_department=dept
            ).assisting_departments.add(world.jxj)

    def counts(client):
        out = {}
        for url in pages:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out[url] = len(ctx)
        return out

    client = login(world.admin)
    populate(2, 0)
    few = counts(client)
    populate(12, 2)
    assert counts(client) == few


def test_a_department_responsible_for_a_project_is_not_deactivated(world):
    from zhuqi.projects.models import Project

    dept = services.save_department(actor=world.alice, region=world.county, name="尉氏县发改委")
    Project.objects.create(name="年产10万吨项目", region=world.park, department=dept)
    with pytest.raises(ValidationError) as exc:
        services.set_department_active(dept, False, actor=world.alice)
    assert "负责的重点项目：1" in exc.value.message_dict["is_active"][0]
    with pytest.raises(ValidationError) as exc:
        services.set_region_active(world.park, False, actor=world.alice)
    assert "重点项目：1" in exc.value.message_dict["is_active"][0]

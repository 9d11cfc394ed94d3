"""Excel imports of regions, departments, users and work-calendar overrides: dry-run preview,
row-level Chinese messages, all-or-nothing, scope, permissions and the upload → preview →
confirm flow."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from zhuqi.core import workcalendar
from zhuqi.core.imports import (
    DepartmentImporter,
    RegionImporter,
    UserImporter,
    WorkdayOverrideImporter,
)
from zhuqi.core.models import AuditEntry, Department, Region, Role, User, WorkdayOverride

REGION_HEADERS = ["代码", "名称", "类型", "上级代码"]
DEPT_HEADERS = ["名称", "简称", "类型", "所属区划代码", "电话"]
USER_HEADERS = ["用户名", "姓名", "角色", "所属区划代码", "所属部门", "职务", "手机", "初始密码"]
CAL_HEADERS = ["日期", "是否上班", "说明"]


def xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def messages(result) -> list[str]:
    return [str(e) for e in result.errors]


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "imports")
    workcalendar.invalidate()
    yield
    workcalendar.invalidate()


def import_entries():
    return AuditEntry.objects.filter(action="import")


# --- regions ------------------------------------------------------------------------------------


def test_region_import_dry_run_then_apply(world):
    data = xlsx(
        REGION_HEADERS,
        [
            ("410223200", "洧川镇", "乡镇（街道）", "410223"),
            ("410223200G1", "洧川镇一网格", "网格", "410223200"),  # parent earlier in the file
            ("410223100", "城关镇（新）", "乡镇(街道)", 410223),  # update; half-width brackets; number
            ("410223P1", "尉氏经开区", "园区", "410223"),  # unchanged
        ],
    )
    preview = RegionImporter(world.alice).run(data, dry_run=True)
    assert preview.ok, messages(preview)
    assert [r["_action"] for r in preview.rows] == ["新增", "新增", "更新", "无变化"]
    assert not Region.objects.filter(code="410223200").exists()
    assert not import_entries().exists()

    result = RegionImporter(world.alice).run(data, dry_run=False)
    assert result.applied
    assert (result.created, result.updated) == (2, 2)
    town = Region.objects.get(code="410223200")
    assert town.kind == "town" and town.parent == world.county
    assert town.path == "41/4102/410223/410223200/"
    grid = Region.objects.get(code="410223200G1")
    assert grid.parent == town and grid.path == town.path + "410223200G1/" and grid.depth == 4
    world.town.refresh_from_db()
    assert world.town.name == "城关镇（新）"
    entry = import_entries().get()
    assert entry.actor == world.alice and entry.object_type == "core.region"
    assert entry.changes == {"created": 2, "updated": 2}


def test_region_rows_outside_scope_are_row_errors(world):
    data = xlsx(
        REGION_HEADERS,
        [
            ("410223300", "张市镇", "乡镇（街道）", "410223"),  # fine
            ("410222200", "通许新镇", "乡镇（街道）", "410222"),  # parent in the other county
            ("410222G1", "改名", "网格", "410223"),  # code used outside scope
            ("410223", "尉氏县", "县（区）", "4102"),  # own county: its parent is outside
            ("410223400", "顶级", "乡镇（街道）", ""),  # top level: admins only
        ],
    )
    result = RegionImporter(world.alice).run(data, dry_run=False)
    assert not result.applied
    text = messages(result)
    assert text[0].startswith("第 3 行「上级代码」") and "不在您的管辖范围内" in text[0]
    assert text[1].startswith("第 4 行「代码」") and "不在您的管辖范围内" in text[1]
    assert text[2].startswith("第 5 行「上级代码」") and "不在您的管辖范围内" in text[2]
    assert text[3].startswith("第 6 行「上级代码」") and "系统管理员" in text[3]
    assert not Region.objects.filter(code="410223300").exists()  # all or nothing
    assert Region.objects.get(code="410222G1").name == "通许一网格"
    assert not import_entries().exists()


def test_region_bad_rows_name_row_and_column(world):
    data = xlsx(
        REGION_HEADERS,
        [
            ("410223500", "好的一行", "网格", "410223"),
            ("", "没有代码", "网格", "410223"),
            ("410223501", "类型不对", "村", "410223"),
            ("410223502", "名" * 101, "网格", "410223"),
            ("4102/23", "斜杠", "网格", "410223"),
            ("410223503", "上级在后", "网格", "410223504"),
            ("410223504", "后来的上级", "乡镇（街道）", "410223"),
            ("410223505", "上级不存在", "网格", "999999"),
            ("410223500", "重复", "网格", "410223"),
            ("410223506", "自己是上级", "网格", "410223506"),
        ],
    )
    result = RegionImporter(world.admin).run(data, dry_run=False)
    assert not result.applied
    text = messages(result)
    assert "第 3 行「代码」：不能为空" in text
    assert any(t.startswith("第 4 行「类型」：「村」不是有效的类型") for t in text)
    assert "第 5 行「名称」：不能超过 100 个字符" in text
    assert any(t.startswith("第 6 行「代码」") for t in text)
    assert any(t.startswith("第 7 行「上级代码」：「410223504」不存在") and "之前" in t for t in text)
    assert any(t.startswith("第 9 行「上级代码」：「999999」不存在") for t in text)
    assert "第 10 行「代码」：「410223500」与第 2 行重复" in text
    assert any(t.startswith("第 11 行「上级代码」") for t in text)
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)
    assert not Region.objects.filter(code__in=["410223500", "410223504"]).exists()


def test_region_wrong_headers(world):
    missing = RegionImporter(world.admin).run(
        xlsx(["代码", "名字", "类型", "上级代码"], [("1", "a", "省", "")])
    )
    assert len(missing.errors) == 1
    assert missing.errors[0].row == 1 and "缺少表头「名称」" in missing.errors[0].message
    typo = RegionImporter(world.admin).run(
        xlsx(["代码", "名称", "类型", "上级编码"], [("42", "湖北省", "省", "")])
    )
    assert "无法识别的表头「上级编码」" in typo.errors[0].message
    assert "代码、名称、类型、上级代码" in typo.errors[0].message
    twice = RegionImporter(world.admin).run(
        xlsx(["代码", "名称", "类型", "上级代码", "名称"], [("42", "湖北省", "省", "", "x")])
    )
    assert "出现了不止一次" in twice.errors[0].message
    # notes are allowed; an admin may create a top-level region
    ok = RegionImporter(world.admin).run(
        xlsx(REGION_HEADERS + ["备注"], [("42", "湖北省", "省", "", "新增")]), dry_run=False
    )
    assert ok.applied and Region.objects.get(code="42").path == "42/"


@pytest.mark.parametrize(
    "content",
    [b"not a spreadsheet", b"PK\x03\x04 broken zip", "代码,名称\n1,2\n".encode("gbk"), b""],
)
def test_not_an_xlsx_file(world, content):
    result = RegionImporter(world.admin).run(content, dry_run=False)
    assert not result.ok
    assert "不是有效的 Excel" in result.errors[0].message


def test_empty_workbook_and_header_only(world):
    assert "没有数据行" in RegionImporter(world.admin).run(xlsx(REGION_HEADERS, [])).errors[0].message


def test_moving_regions(world):
    # a leaf may move (parent changes, path follows); a region with children may not
    data = xlsx(
        REGION_HEADERS,
        [
            ("410223P1G2", "经开区二网格", "网格", "410223100"),
            ("410223P1", "尉氏经开区", "园区", "410223100"),
        ],
    )
    result = RegionImporter(world.alice).run(data, dry_run=False)
    assert messages(result) == [
        "第 3 行「上级代码」：「410223P1」已有下级区划，不能通过导入变更上级，请在系统管理中调整"
    ]
    leaf = xlsx(REGION_HEADERS, [("410223P1G2", "二网格", "网格", "410223100")])
    result = RegionImporter(world.alice).run(leaf, dry_run=False)
    assert result.applied, messages(result)
    world.grid2.refresh_from_db()
    assert world.grid2.path == "41/4102/410223/410223100/410223P1G2/"


# --- departments --------------------------------------------------------------------------------


def test_department_import_creates_and_updates(world):
    data = xlsx(
        DEPT_HEADERS,
        [
            ("尉氏县发展和改革委员会", "发改委", "政府部门", "410223", "0371-12345678"),
            ("尉氏县工信局", "", "", "410223", "0371-7654321"),  # update: blanks keep values
            ("国网尉氏县供电公司", "", "外部单位", "410223", ""),
            ("城关镇政府", "", "乡镇（街道）", "410223100", ""),
        ],
    )
    result = DepartmentImporter(world.alice).run(data, dry_run=False)
    assert result.applied, messages(result)
    assert (result.created, result.updated) == (3, 1)
    fgw = Department.objects.get(name="尉氏县发展和改革委员会")
    assert (fgw.short_name, fgw.kind, fgw.region, fgw.phone) == (
        "发改委",
        "government",
        world.county,
        "0371-12345678",
    )
    world.jxj.refresh_from_db()
    assert (world.jxj.short_name, world.jxj.kind, world.jxj.phone) == ("工信局", "government", "0371-7654321")
    assert Department.objects.get(name="国网尉氏县供电公司").is_external
    assert import_entries().get().object_type == "core.department"


def test_department_bad_rows(world):
    data = xlsx(
        DEPT_HEADERS,
        [
            ("新部门", "", "", "410223", ""),
            ("新部门", "", "", "410223", ""),  # duplicate in the file
            ("通许县新局", "", "", "410222", ""),  # other county
            ("不存在区划的局", "", "", "999", ""),
            ("类型不对", "", "科室", "410223", ""),
            ("电话不对", "", "", "410223", "call me"),
            ("简称太长", "简" * 31, "", "410223", ""),
        ],
    )
    result = DepartmentImporter(world.alice).run(data, dry_run=False)
    text = messages(result)
    assert "第 3 行「名称」：与第 2 行重复（同一区划下部门名称不能重复）" in text
    assert "第 4 行「所属区划代码」：区划「410222」不存在或不在您的管辖范围内" in text
    assert "第 5 行「所属区划代码」：区划「999」不存在或不在您的管辖范围内" in text
    assert any(t.startswith("第 6 行「类型」：「科室」不是有效的类型") for t in text)
    assert any(t.startswith("第 7 行「电话」") for t in text)
    assert "第 8 行「简称」：不能超过 30 个字符" in text
    assert not Department.objects.filter(name="新部门").exists()


# --- users --------------------------------------------------------------------------------------


def test_user_import_creates_and_updates(world):
    data = xlsx(
        USER_HEADERS,
        [
            ("zhangsan", "张三", "部门经办人", "410223", "尉氏县工信局", "科员", "13800000000", ""),
            ("lisi", "李四", "网格员", "410223P1G1", "", "网格员", "", "Li#Si-2026-pass"),
            ("wangwu", "王五", "部门负责人", "410223", "自然资源局", "", "", ""),  # by short name
            ("bob", "鲍勃", "部门负责人", "410223", "尉氏县工信局", "", "", ""),  # role change
        ],
    )
    preview = UserImporter(world.alice).run(data, dry_run=True)
    assert preview.ok, messages(preview)
    notes = {r["username"]: r["_note"] for r in preview.rows}
    assert "须由管理员设置" in notes["zhangsan"]
    assert "权限变更" in notes["bob"] and "部门负责人" in notes["bob"]
    assert not User.objects.filter(username="zhangsan").exists()

    result = UserImporter(world.alice).run(data, dry_run=False)
    assert result.applied and (result.created, result.updated) == (3, 1)
    zhangsan = User.objects.get(username="zhangsan")
    assert (zhangsan.role, zhangsan.region, zhangsan.department) == (Role.HANDLER, world.county, world.jxj)
    assert (zhangsan.title, zhangsan.mobile) == ("科员", "13800000000")
    assert not zhangsan.has_usable_password()
    lisi = User.objects.get(username="lisi")
    assert lisi.check_password("Li#Si-2026-pass") and lisi.department is None
    assert User.objects.get(username="wangwu").department == world.zrzy
    world.bob.refresh_from_db()
    assert world.bob.role == Role.DEPT_HEAD and world.bob.full_name == "鲍勃"
    # a role change is a permission change in the audit log
    perm = AuditEntry.objects.filter(
        action="permission", object_type="core.user", object_id=str(world.bob.pk)
    )
    assert perm.exists() and "role" in perm.get().changes
    assert import_entries().filter(object_type="core.user", actor=world.alice).count() == 1


def test_user_bad_rows(world):
    data = xlsx(
        USER_HEADERS,
        [
            ("newadmin", "新管理员", "系统管理员", "410223", "", "", "", ""),
            ("ent", "企业", "企业用户", "410223", "", "", "", ""),
            ("nodept", "无部门", "部门经办人", "410223", "", "", "", ""),
            ("wrongdept", "错部门", "观察员", "410223", "通许县工信局", "", "", ""),
            ("charlie", "查理", "观察员", "410223", "", "", "", ""),  # exists in the other county
            ("alice", "爱丽丝", "观察员", "410223", "", "", "", ""),  # herself
            ("admin", "管理员", "观察员", "410223", "", "", "", ""),  # a system admin
            ("weak", "弱密码", "观察员", "410223", "", "", "", "12345678"),
            ("bad name", "空格", "观察员", "410223", "", "", "", ""),
            ("mobile", "手机", "观察员", "410223", "", "", "abc", ""),
            ("role", "角色", "村长", "410223", "", "", "", ""),
            ("far", "远方", "观察员", "410222", "", "", "", ""),
            ("Weak", "重复", "观察员", "410223", "", "", "", ""),
            ("nameless", "", "观察员", "410223", "", "", "", ""),
        ],
    )
    result = UserImporter(world.alice).run(data, dry_run=False)
    text = messages(result)
    expected_starts = {
        2: "第 2 行「角色」：只有系统管理员可以授予",
        3: "第 3 行「角色」：企业用户不能在此导入：请用「数据导入 → 导入企业账号」",
        4: "第 4 行「所属部门」：角色为「部门经办人」的人员必须填写所属部门",
        5: "第 5 行「所属部门」：区划「410223」下没有名为「通许县工信局」的部门",
        6: "第 6 行「用户名」：「charlie」已被使用，且不在您的管辖范围内",
        7: "第 7 行「用户名」：不能通过导入修改自己的账号",
        8: "第 8 行「用户名」：「admin」已被使用，且不在您的管辖范围内",
        9: "第 9 行「初始密码」：",
        10: "第 10 行「用户名」：只能包含",
        11: "第 11 行「手机」：「abc」不是有效的手机号码",
        12: "第 12 行「角色」：「村长」不是有效的角色",
        13: "第 13 行「所属区划代码」：区划「410222」不存在或不在您的管辖范围内",
        14: "第 14 行「用户名」：「Weak」与第 9 行重复",
        15: "第 15 行「姓名」：不能为空",
    }
    for row, start in expected_starts.items():
        assert any(t.startswith(start) for t in text), (row, text)
    assert len(result.errors) == len(expected_starts)
    assert not User.objects.filter(username__in=["newadmin", "weak", "far"]).exists()
    world.charlie.refresh_from_db()
    assert world.charlie.full_name == "charlie"


def test_system_admin_may_grant_admin_and_reach_every_county(world):
    data = xlsx(
        USER_HEADERS,
        [
            ("root2", "第二管理员", "系统管理员", "41", "", "", "", ""),
            ("charlie", "查理", "专班办公室", "410222", "通许县工信局", "", "", ""),
        ],
    )
    result = UserImporter(world.admin).run(data, dry_run=False)
    assert result.applied, messages(result)
    assert User.objects.get(username="root2").is_system_admin


def test_password_column_is_optional(world):
    headers = USER_HEADERS[:-1]
    data = xlsx(headers, [("zhaoliu", "赵六", "观察员", "410223", "", "", "")])
    result = UserImporter(world.alice).run(data, dry_run=False)
    assert result.applied
    assert not User.objects.get(username="zhaoliu").has_usable_password()


# --- work-calendar overrides ---------------------------------------------------------------------


def test_calendar_import(world):
    assert workcalendar.missing_arrangement_warning(dt.date(2026, 11, 20))
    WorkdayOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=True, note="错的")
    data = xlsx(
        CAL_HEADERS,
        [
            (dt.datetime(2027, 1, 1), "放假", "元旦"),  # a date cell; updates the row above
            ("2027-02-06", "放假", "春节"),
            ("2027/2/20", "上班", "春节调休"),
            ("2027年10月9日", "上班", ""),
        ],
    )
    preview = WorkdayOverrideImporter(world.admin).run(data, dry_run=True)
    assert preview.ok, messages(preview)
    assert preview.rows[0]["_action"] == "更新" and "目前按上班计算" in preview.rows[0]["_note"]
    result = WorkdayOverrideImporter(world.admin).run(data, dry_run=False)
    assert result.applied and (result.created, result.updated) == (3, 1)
    assert not WorkdayOverride.objects.get(date=dt.date(2027, 1, 1)).is_workday
    assert workcalendar.is_working_day(dt.date(2027, 2, 20))  # a Saturday, now worked
    assert not workcalendar.is_working_day(dt.date(2027, 1, 1))
    # imported days are overrides, not the national arrangement (entered on its own page)
    assert workcalendar.missing_arrangement_warning(dt.date(2026, 11, 20))
    assert import_entries().get().object_type == "core.workdayoverride"


def test_calendar_bad_rows(world):
    data = xlsx(
        CAL_HEADERS,
        [
            ("2027-02-06", "放假", ""),
            ("2027-02-06", "上班", ""),
            ("2027-02-30", "上班", ""),
            ("明天", "上班", ""),
            ("2027-03-01", "加班", ""),
            ("1999-03-01", "上班", ""),
        ],
    )
    result = WorkdayOverrideImporter(world.admin).run(data, dry_run=False)
    text = messages(result)
    assert "第 3 行「日期」：2027-02-06 与第 2 行重复" in text
    assert any(t.startswith("第 4 行「日期」") for t in text)
    assert any(t.startswith("第 5 行「日期」：「明天」不是有效的日期") for t in text)
    assert any(t.startswith("第 6 行「是否上班」：「加班」无法识别") for t in text)
    assert any(t.startswith("第 7 行「日期」") and "年份超出范围" in t for t in text)
    assert not WorkdayOverride.objects.exists()


# --- permissions and the page flow ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["regions", "departments", "users", "calendar"])
def test_handler_gets_404(world, login, kind):
    client = login(world.bob)
    assert client.get(f"/core/import/{kind}/").status_code == 404
    assert client.get(f"/core/import/{kind}/template/").status_code == 404
    assert client.post(f"/core/import/{kind}/", {"file": io.BytesIO(b"x")}).status_code == 404
    # the index lists only the imports a handler may use (a department's indicator table)
    index = client.get("/core/import/")
    assert index.status_code == 200 and f'data-testid="import-{kind}"' not in index.content.decode()


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/core/import/regions/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_who_sees_what(world, login):
    page = login(world.alice).get("/core/import/").content.decode()
    assert 'data-testid="import-regions"' in page and 'data-testid="import-users"' in page
    assert 'data-testid="import-calendar"' not in page  # the calendar is platform-wide: admins only
    assert login(world.alice).get("/core/import/calendar/").status_code == 404
    assert login(world.alice).get("/core/import/nonsense/").status_code == 404
    page = login(world.admin).get("/core/import/").content.decode()
    assert 'data-testid="import-calendar"' in page


def test_menu_entry_for_admin_and_dispatch_only(world, login):
    def nav(user):
        page = login(user).get("/core/regions/").content.decode()
        return page.split('data-testid="nav-menu"', 1)[1].split("</ul>", 1)[0]

    assert 'href="/core/import/"' in nav(world.alice) and "数据导入" in nav(world.alice)
    assert 'href="/core/import/"' in nav(world.admin)
    assert "数据导入" not in nav(world.bob)
    assert "数据导入" not in nav(world.leader)


@pytest.mark.parametrize(
    ("kind", "headers"),
    [
        ("regions", REGION_HEADERS),
        ("departments", DEPT_HEADERS),
        ("users", USER_HEADERS),
        ("calendar", CAL_HEADERS),
    ],
)
def test_template_download(world, login, kind, headers):
    response = login(world.admin).get(f"/core/import/{kind}/template/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in ws[1]] == headers
    assert ws.max_row >= 2  # sample rows


def _upload(client, kind, data, name="导入.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(f"/core/import/{kind}/", {"action": "preview", "file": upload})


def _token(page: str) -> str:
    m = re.search(r'name="token" value="([^"]+)"', page)
    assert m, "no confirm form"
    return m.group(1)


def test_upload_preview_confirm(world, login, settings, tmp_path):
    client = login(world.alice)
    page = client.get("/core/import/departments/").content.decode()
    assert 'data-testid="import-upload-form"' in page and "/core/import/departments/template/" in page

    data = xlsx(
        DEPT_HEADERS,
        [("尉氏县商务局", "商务局", "政府部门", "410223", ""), ("尉氏县工信局", "", "", "410223", "110")],
    )
    response = _upload(client, "departments", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        'data-testid="import-rows"' in page and "尉氏县商务局" in page and "新增" in page and "更新" in page
    )
    assert not Department.objects.filter(name="尉氏县商务局").exists()
    token = _token(page)
    kept = list((tmp_path / "imports").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == data

    response = client.post("/core/import/departments/", {"action": "confirm", "token": token})
    page = response.content.decode()
    assert 'data-testid="import-done"' in page
    assert re.search(r'data-testid="import-created">1<', page) and re.search(
        r'data-testid="import-updated">1<', page
    )
    assert Department.objects.filter(name="尉氏县商务局", region=world.county).exists()
    entry = import_entries().get()
    assert entry.actor == world.alice and entry.actor_label == "alice" and entry.message == "导入部门 2 行"
    assert not list((tmp_path / "imports").iterdir())  # the kept file is gone

    # the same token cannot be used twice
    page = client.post("/core/import/departments/", {"action": "confirm", "token": token}).content.decode()
    assert "预览已失效" in page
    assert import_entries().count() == 1


def test_preview_with_errors_offers_no_confirm(world, login, tmp_path):
    client = login(world.alice)
    data = xlsx(DEPT_HEADERS, [("好部门", "", "", "410223", ""), ("坏部门", "", "", "410222", "")])
    page = _upload(client, "departments", data).content.decode()
    assert 'data-testid="import-errors"' in page
    assert "第 3 行" in page and "所属区划代码" in page and "不存在或不在您的管辖范围内" in page
    assert 'name="token"' not in page
    assert not (tmp_path / "imports").exists() or not list((tmp_path / "imports").iterdir())
    assert not Department.objects.filter(name="好部门").exists()


def test_not_an_xlsx_upload_through_the_page(world, login):
    page = _upload(login(world.alice), "regions", b"%PDF-1.4 nope", name="区划.pdf").content.decode()
    assert "不是有效的 Excel" in page and 'name="token"' not in page


def test_wrong_headers_through_the_page(world, login):
    page = _upload(login(world.alice), "users", xlsx(["账号", "姓名"], [("a", "b")])).content.decode()
    assert "缺少表头" in page and "用户名" in page


def test_missing_file(world, login):
    page = login(world.alice).post("/core/import/regions/", {"action": "preview"}).content.decode()
    assert "请选择要导入的 Excel 文件" in page


def test_cancel_discards_the_kept_file(world, login, tmp_path):
    client = login(world.alice)
    token = _token(
        _upload(client, "departments", xlsx(DEPT_HEADERS, [("甲局", "", "", "410223", "")])).content.decode()
    )
    page = client.post("/core/import/departments/", {"action": "cancel", "token": token}).content.decode()
    assert "已取消" in page
    assert not list((tmp_path / "imports").iterdir())
    page = client.post("/core/import/departments/", {"action": "confirm", "token": token}).content.decode()
    assert "预览已失效" in page and not Department.objects.filter(name="甲局").exists()


def test_token_is_bound_to_session_and_kind(world, login, client, tmp_path):
    alice = login(world.alice)
    token = _token(
        _upload(alice, "departments", xlsx(DEPT_HEADERS, [("乙局", "", "", "410223", "")])).content.decode()
    )
    # another kind of import cannot use it
    page = alice.post("/core/import/regions/", {"action": "confirm", "token": token}).content.decode()
    assert "预览已失效" in page
    # nor can another user's session
    from django.test import Client

    other = Client()
    other.force_login(world.charlie)
    page = other.post("/core/import/departments/", {"action": "confirm", "token": token}).content.decode()
    assert "预览已失效" in page
    assert not Department.objects.filter(name="乙局").exists()
    # a path-like token is refused outright
    page = alice.post(
        "/core/import/departments/", {"action": "confirm", "token": "../../etc/passwd"}
    ).content.decode()
    assert "预览已失效" in page


def test_tampered_kept_file_is_refused(world, login, tmp_path):
    client = login(world.alice)
    token = _token(
        _upload(client, "departments", xlsx(DEPT_HEADERS, [("丙局", "", "", "410223", "")])).content.decode()
    )
    (tmp_path / "imports" / f"{token}.xlsx").write_bytes(xlsx(DEPT_HEADERS, [("丁局", "", "", "410223", "")]))
    page = client.post("/core/import/departments/", {"action": "confirm", "token": token}).content.decode()
    assert "预览已失效" in page
    assert not Department.objects.filter(name__in=["丙局", "丁局"]).exists()


def test_changes_between_preview_and_confirm_are_caught(world, login):
    client = login(world.alice)
    data = xlsx(USER_HEADERS, [("zhouqi", "周七", "部门经办人", "410223", "尉氏县工信局", "", "", "")])
    token = _token(_upload(client, "users", data).content.decode())
    world.jxj.is_active = False
    world.jxj.save()
    page = client.post("/core/import/users/", {"action": "confirm", "token": token}).content.decode()
    assert "数据在预览后发生了变化" in page and "已停用" in page
    assert not User.objects.filter(username="zhouqi").exists()
    assert not import_entries().exists()


def test_calendar_flow_for_admin(world, login):
    client = login(world.admin)
    data = xlsx(CAL_HEADERS, [("2027-10-09", "上班", "国庆调休")])
    token = _token(_upload(client, "calendar", data).content.decode())
    page = client.post("/core/import/calendar/", {"action": "confirm", "token": token}).content.decode()
    assert 'data-testid="import-done"' in page
    assert WorkdayOverride.objects.get(date=dt.date(2027, 10, 9)).is_workday


@pytest.mark.parametrize("kind", ["regions", "departments", "users", "calendar"])
def test_the_template_imports_as_it_is(world, login, kind):
    # the sample rows in each template are valid for the demo county (尉氏县)
    client = login(world.admin)
    template = client.get(f"/core/import/{kind}/template/").content
    page = _upload(client, kind, template).content.decode()
    assert 'data-testid="import-errors"' not in page, page
    page = client.post(f"/core/import/{kind}/", {"action": "confirm", "token": _token(page)}).content.decode()
    assert re.search(r'data-testid="import-created">2<', page)


def test_a_database_error_while_saving_rolls_everything_back(world, login, monkeypatch):
    from django.db import IntegrityError

    from zhuqi.core import imports

    original = imports.DepartmentImporter.apply_row
    calls = []

    def flaky(self, row):
        calls.append(row["name"])
        if len(calls) == 2:
            raise IntegrityError("duplicate key")
        return original(self, row)

    client = login(world.alice)
    data = xlsx(DEPT_HEADERS, [("第一局", "", "", "410223", ""), ("第二局", "", "", "410223", "")])
    token = _token(_upload(client, "departments", data).content.decode())
    monkeypatch.setattr(imports.DepartmentImporter, "apply_row", flaky)
    page = client.post("/core/import/departments/", {"action": "confirm", "token": token}).content.decode()
    assert "保存时数据库出错，未导入任何数据" in page
    assert calls == ["第一局", "第二局"]
    assert not Department.objects.filter(name="第一局").exists()  # the first row was rolled back
    assert not import_entries().exists()


def test_calendar_accepts_excel_day_numbers(world):
    # 46669 is Excel's day number of 2027-10-09 (a date typed into an unformatted cell)
    result = WorkdayOverrideImporter(world.admin).run(xlsx(CAL_HEADERS, [(46669, "上班", "")]), dry_run=False)
    assert result.applied, messages(result)
    assert WorkdayOverride.objects.get().date == dt.date(2027, 10, 9)


def test_another_session_cannot_cancel_a_kept_file(world, login, tmp_path):
    from django.test import Client

    token = _token(
        _upload(
            login(world.alice), "departments", xlsx(DEPT_HEADERS, [("戊局", "", "", "410223", "")])
        ).content.decode()
    )
    other = Client()
    other.force_login(world.admin)
    other.post("/core/import/departments/", {"action": "cancel", "token": token})
    assert (tmp_path / "imports" / f"{token}.xlsx").exists()


def test_old_kept_files_are_swept(world, login, tmp_path):
    import os
    import time

    client = login(world.alice)
    token = _token(
        _upload(client, "departments", xlsx(DEPT_HEADERS, [("己局", "", "", "410223", "")])).content.decode()
    )
    kept = tmp_path / "imports" / f"{token}.xlsx"
    old = time.time() - 2 * 3600
    os.utime(kept, (old, old))
    _upload(client, "departments", xlsx(DEPT_HEADERS, [("庚局", "", "", "410223", "")]))
    assert not kept.exists()
    assert oct(os.stat(tmp_path / "imports").st_mode & 0o777) == "0o700"
    page = client.post("/core/import/departments/", {"action": "confirm", "token": token}).content.decode()
    assert "预览已失效" in page

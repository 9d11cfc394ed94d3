"""Assistance pages and API writes: recording a visit with a photo, my enterprises, assigning
with load warnings, hand-over, bulk assignment, plans with overdue measures, meetings, rules,
the compliance ranking and its drill-down."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import services
from zhuqi.assistance.importers import AssignmentImporter
from zhuqi.assistance.models import Assignment, LoadLimit, Meeting, PlanMeasure, Visit, VisitRule
from zhuqi.core.excel import write_workbook
from zhuqi.core.models import Attachment

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
)


def travel(day):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def hs(world):
    ent = make_enterprise("恒顺集团有限公司", world.grid, contact_name="王经理", contact_phone="13900000000")
    with travel(dt.date(2026, 1, 5)):
        services.assign(ent, year=2026, role="commissioner", user=world.commissioner, actor=world.alice)
    return ent


def test_commissioner_records_visit_with_photo_and_sees_compliance(world, hs, login):
    client = login(world.commissioner)
    with travel(dt.date(2026, 1, 14)):
        page = client.get(reverse("assistance:my_enterprises")).content.decode()
        assert "恒顺集团有限公司" in page and "待走访" in page and "尚未走访" in page
        assert 'data-testid="my-overdue">1<' in page  # the week of Jan 5 was missed
        form = client.get(reverse("assistance:visit_create"), {"enterprise": hs.pk}).content.decode()
        assert f'<option value="{hs.pk}" selected>' in form
        response = client.post(
            reverse("assistance:visit_create"),
            {
                "enterprise": hs.pk,
                "visited_on": "2026-01-14",
                "kind": "onsite",
                "findings": "二期车间设备安装中，用工缺口约30人",
                "problems-TOTAL_FORMS": "1",
                "problems-INITIAL_FORMS": "0",
                "problems-0-description": "缺少熟练焊工",
                "photos": [SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
            },
        )
        visit = Visit.objects.get()
        assert response.url == reverse("assistance:visit_detail", args=[visit.pk])
        detail = client.get(response.url).content.decode()
        assert "缺少熟练焊工" in detail and "<img" in detail
        att = Attachment.objects.get()
        assert att.name == "现场.png" and att.object_id == str(visit.pk)
        page = client.get(reverse("assistance:my_enterprises")).content.decode()
        assert 'data-testid="my-done">1<' in page and "已完成" in page and "上次走访 01月14日" in page


def test_visit_form_errors_in_chinese(world, hs, login):
    client = login(world.commissioner)
    response = client.post(
        reverse("assistance:visit_create"),
        _visit_post(hs, visited_on="2099-01-01", findings="x"),
    )
    assert "走访日期不能晚于今天" in response.content.decode()
    response = client.post(
        reverse("assistance:visit_create"),
        _visit_post(
            hs,
            findings="带了病毒",
            photos=[SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")],
        ),
    )
    assert "不支持的文件类型" in response.content.decode()  # an extension no file may have: said first
    assert not Visit.objects.exists()


def _visit_post(hs, **extra):
    data = {
        "enterprise": hs.pk,
        "visited_on": dt.date.today().isoformat(),
        "kind": "onsite",
        "findings": "二期车间设备安装中",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_a_visit_raises_several_problems_with_categories_from_the_tree(world, hs, login):
    from zhuqi.cases.models import Case, Category

    land = Category.objects.create(code="t_land", name="用地")
    quota = Category.objects.create(code="t_quota", name="土地指标", parent=land)
    money = Category.objects.create(code="t_money", name="融资")
    client = login(world.commissioner)
    form = client.get(reverse("assistance:visit_create"), {"enterprise": hs.pk}).content.decode()
    # the category is chosen from the case category tree, not typed
    assert f'<option value="{quota.pk}">' in form and 'name="problems-0-category"' in form
    assert 'name="problem_category"' not in form
    response = client.post(
        reverse("assistance:visit_create"),
        _visit_post(
            hs,
            **{
                "problems-TOTAL_FORMS": "3",
                "problems-0-category": quota.pk,
                "problems-0-description": "二期用地指标未落实",
                "problems-1-category": money.pk,
                "problems-1-description": "流动资金紧张",
                "problems-2-category": "",
                "problems-2-description": "",
            },
        ),
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    cases = list(Case.objects.order_by("pk"))
    assert [(c.category, c.description, c.visit_id) for c in cases] == [
        (quota, "二期用地指标未落实", visit.pk),
        (money, "流动资金紧张", visit.pk),
    ]
    assert [p.category for p in visit.problems.all()] == ["土地指标", "融资"]


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("现场.txt", "只是一段文字".encode(), content_type="text/plain"),
        SimpleUploadedFile("现场.png", b"not a picture at all", content_type="image/png"),
        SimpleUploadedFile("现场.pdf", b"%PDF-1.4 fake", content_type="application/pdf"),
    ],
    ids=["txt", "text-named-png", "pdf"],
)
def test_a_photo_that_is_no_picture_returns_the_form_and_saves_nothing(world, hs, login, upload):
    from zhuqi.cases.models import Case, Category

    money = Category.objects.create(code="t_money", name="融资")
    good = SimpleUploadedFile("好照片.png", PNG, content_type="image/png")
    response = login(world.commissioner).post(
        reverse("assistance:visit_create"),
        _visit_post(
            hs,
            photos=[good, upload],
            **{
                "problems-TOTAL_FORMS": "1",
                "problems-0-category": money.pk,
                "problems-0-description": "流动资金紧张",
            },
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-photos"' in html
    assert any(m in html for m in ("现场照片只收", "不支持的文件类型", "不是有效的图片"))
    assert "流动资金紧张" in html  # what was typed comes back
    assert not Visit.objects.exists() and not Case.objects.exists()
    assert not Attachment.objects.exists()


def test_record_visit_refuses_a_non_picture_photo_before_writing(world, hs):
    from django.core.exceptions import ValidationError

    from zhuqi.cases.models import Case

    with pytest.raises(ValidationError) as exc:
        services.record_visit(
            hs,
            actor=world.commissioner,
            findings="例行走访",
            problems=[("融资", "流动资金紧张")],
            photos=[SimpleUploadedFile("a.jpg", b"plain text", content_type="image/jpeg")],
        )
    assert "photos" in exc.value.message_dict
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_assign_on_enterprise_page_shows_load_warning(world, login):
    LoadLimit.objects.filter(role="commissioner").update(min_count=2, max_count=3)
    ents = [make_enterprise(f"企业{i}有限公司", world.grid) for i in range(4)]
    client = login(world.alice)
    for ent in ents:
        response = client.post(
            reverse("assistance:assign", args=[ent.pk]),
            {"role": "commissioner", "user": world.commissioner.pk, "year": 2026},
            follow=True,
        )
    html = response.content.decode()
    assert "超过上限 3 户" in html
    assert "首席服务专员" in html and 'data-testid="team"' in html
    listing = client.get(reverse("assistance:assignment_list"), {"year": 2026}).content.decode()
    assert 'data-testid="load-over"' in listing


def test_hand_over_page_keeps_history(world, hs, login):
    client = login(world.alice)
    a = Assignment.objects.get(enterprise=hs)
    response = client.post(
        reverse("assistance:hand_over", args=[a.pk]), {"to_user": world.grid_member.pk, "reason": "岗位调整"}
    )
    assert response.status_code == 302
    page = client.get(reverse("enterprises:enterprise_detail", args=[hs.pk])).content.decode()
    assert "历任（交接记录）" in page and "岗位调整" in page
    assert (
        login(world.commissioner).get(reverse("enterprises:enterprise_detail", args=[hs.pk])).status_code
        == 404
    )


def test_bulk_assignment_from_excel(world, hs):
    other = make_enterprise("丰原生物化学股份有限公司", world.grid2)
    headers = [c.header for c in AssignmentImporter.columns]
    rows = [
        [other.credit_code, 2026, "首席服务专员", "commissioner", ""],
        [hs.credit_code, 2026, "首席服务专员", "grid_member", ""],  # hand-over
        [other.credit_code, 2026, "部门联系责任人", "head", ""],
    ]
    preview = AssignmentImporter(world.alice).run(write_workbook(headers, rows), dry_run=True)
    assert preview.ok, preview.errors
    assert [r["_action"] for r in preview.rows] == ["新增", "交接（原：commissioner）", "新增"]
    result = AssignmentImporter(world.alice).run(write_workbook(headers, rows), dry_run=False)
    assert (result.created, result.updated) == (2, 1)
    assert Assignment.objects.get(enterprise=hs, ended_on__isnull=True).user == world.grid_member
    assert Assignment.objects.get(enterprise=other, role="dept_contact").department == world.jxj
    bad = [[other.credit_code, 2026, "司机", "nobody", ""], [other.credit_code, 2026, "网格员", "nobody", ""]]
    result = AssignmentImporter(world.alice).run(write_workbook(headers, bad), dry_run=False)
    msgs = [str(e) for e in result.errors]
    assert msgs[0].startswith("第 2 行「帮扶角色」：「司机」不是帮扶角色")
    assert msgs[1] == "第 3 行「责任人账号」：找不到在岗人员「nobody」"


def test_plan_with_overdue_measure_is_highlighted(world, hs, login):
    client = login(world.commissioner)
    with travel(dt.date(2026, 3, 1)):
        client.post(reverse("assistance:plan_edit", args=[hs.pk]), {"goals": "全年产值突破5亿元"})
        plan = hs.plans.get()
        client.post(
            reverse("assistance:measure_add", args=[plan.pk]),
            {"title": "协调二期用地指标", "deadline": "2026-02-15"},
        )
        client.post(
            reverse("assistance:measure_add", args=[plan.pk]),
            {"title": "申报省级专精特新", "deadline": "2026-06-30"},
        )
        page = client.get(reverse("enterprises:enterprise_detail", args=[hs.pk])).content.decode()
        assert page.count('data-testid="measure-overdue"') == 1 and "已逾期" in page
        overdue = PlanMeasure.objects.get(title="协调二期用地指标")
        client.post(
            reverse("assistance:measure_progress", args=[overdue.pk]), {"progress": 100, "note": "已办结"}
        )
        overdue.refresh_from_db()
        assert overdue.status == "done" and overdue.completed_on == dt.date(2026, 3, 1)
        page = client.get(reverse("enterprises:enterprise_detail", args=[hs.pk])).content.decode()
        assert 'data-testid="measure-overdue"' not in page
        listing = client.get(reverse("assistance:plan_list")).content.decode()
        assert "恒顺集团有限公司" in listing
    # an official not on the team cannot edit the plan
    assert login(world.bob).get(reverse("assistance:plan_edit", args=[hs.pk])).status_code == 404


def test_a_measure_with_progress_is_not_shown_as_not_started(world, hs, login):
    plan = services.save_plan(hs, year=2026, goals="全年产值突破5亿元", actor=world.commissioner)
    # as the demo loader and any direct write did: progress 30 %, status left at its default
    m = PlanMeasure.objects.create(
        plan=plan, title="对接银行续贷", deadline=dt.date(2099, 6, 30), progress=30
    )
    assert m.status == "in_progress"
    page = (
        login(world.commissioner).get(reverse("enterprises:enterprise_detail", args=[hs.pk])).content.decode()
    )
    assert "推进中 30%" in page and "未开始 30%" not in page
    m.progress = 100
    m.save()
    assert m.status == "done" and m.completed_on is not None


def test_meeting_with_problems(world, hs, login):
    client = login(world.leader)
    response = client.post(
        reverse("assistance:meeting_create"),
        {
            "kind": "breakfast",
            "title": "第12期企业家早餐会",
            "held_on": "2026-03-06",
            "enterprises": [hs.pk],
            "problems": "恒顺集团有限公司：希望协调银行续贷\n园区道路照明不足",
        },
    )
    meeting = Meeting.objects.get()
    assert response.url == reverse("assistance:meeting_detail", args=[meeting.pk])
    assert [(p.enterprise_id, p.description) for p in meeting.problems.all()] == [
        (hs.pk, "希望协调银行续贷"),
        (None, "园区道路照明不足"),
    ]
    assert "第12期企业家早餐会" in client.get(reverse("assistance:meeting_list")).content.decode()
    assert (
        login(world.charlie).get(reverse("assistance:meeting_detail", args=[meeting.pk])).status_code == 404
    )


def test_admin_edits_rules_others_cannot(world, login):
    client = login(world.admin)
    client.post(
        reverse("assistance:rules"),
        {"role": "county_leader", "period": "month", "min_visits": 2, "remind_days": 3},
    )
    assert VisitRule.objects.get(role="county_leader").period == "month"
    client.post(
        reverse("assistance:rules"), {"what": "limit", "role": "commissioner", "min_count": 2, "max_count": 4}
    )
    assert LoadLimit.objects.get(role="commissioner").max_count == 4
    assert (
        login(world.alice)
        .post(
            reverse("assistance:rules"),
            {"role": "county_leader", "period": "week", "min_visits": 1, "remind_days": 1},
        )
        .status_code
        == 404
    )
    assert (
        "县级帮扶责任人每月不少于 2 次"
        in login(world.leader).get(reverse("assistance:rules")).content.decode()
    )


def test_compliance_ranking_and_drill_down(world, hs, login):
    laggard = make_enterprise("丰原生物化学股份有限公司", world.grid2)
    with travel(dt.date(2026, 1, 5)):
        services.assign(laggard, year=2026, role="commissioner", user=world.grid_member, actor=world.alice)
    for day in (dt.date(2026, 1, 6), dt.date(2026, 1, 13), dt.date(2026, 1, 20), dt.date(2026, 1, 27)):
        with travel(day):
            services.record_visit(hs, actor=world.commissioner, findings="例行走访")
    with travel(dt.date(2026, 2, 2)):
        client = login(world.leader)
        html = client.get(
            reverse("assistance:compliance"), {"period": "month", "date": "2026-01-10"}
        ).content.decode()
        assert "2026年1月" in html
        assert html.index(">commissioner<") < html.index(">grid_member<")  # best first
        assert "100.0%" in html and "0.0%" in html
        drill = client.get(
            reverse("assistance:compliance_official", args=[world.grid_member.pk]),
            {"period": "month", "date": "2026-01-10"},
        ).content.decode()
        assert drill.count("逾期未走访") == 4 and "丰原生物化学股份有限公司" in drill
        html = client.get(
            reverse("assistance:compliance"), {"tab": "departments", "period": "month", "date": "2026-01-10"}
        )
        assert html.status_code == 200
        api = client.get("/api/v1/visit-compliance/", {"period": "month", "date": "2026-01-10"}).json()
        assert [(r["name"], r["done"], r["overdue"]) for r in api["rows"]] == [
            ("commissioner", 4, 0),
            ("grid_member", 0, 4),
        ]


def test_api_assign_and_visit(world, hs, login):
    client = login(world.alice)
    other = make_enterprise("丰原生物化学股份有限公司", world.grid2)
    response = client.post(
        "/api/v1/assignments/",
        {"enterprise": other.pk, "year": 2026, "role": "commissioner", "user": world.commissioner.pk},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["warnings"] == []
    response = client.post(
        "/api/v1/assignments/",
        {"enterprise": other.pk, "year": 2026, "role": "commissioner", "user": world.grid_member.pk},
    )
    assert response.status_code == 400 and "工作交接" in str(response.json())
    a = Assignment.objects.get(enterprise=other, ended_on__isnull=True)
    response = client.post(
        f"/api/v1/assignments/{a.pk}/hand_over/", {"to_user": world.grid_member.pk, "reason": "调任"}
    )
    assert response.status_code == 201 and response.json()["predecessor"] == a.pk
    zy = login(world.commissioner)
    response = zy.post(
        "/api/v1/visits/",
        {
            "enterprise": hs.pk,
            "kind": "phone",
            "findings": "电话了解订单情况",
            "problems": [{"category": "融资", "description": "流动资金紧张"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["visitor"] == world.commissioner.pk
    response = zy.post(
        "/api/v1/visits/", {"enterprise": other.pk, "findings": "越权"}, content_type="application/json"
    )
    assert response.status_code == 400  # not a visible enterprise: the choice is invalid


def test_api_enterprise_create_refuses_bad_code(world, login):
    client = login(world.alice)
    response = client.post(
        "/api/v1/enterprises/", {"name": "甲有限公司", "credit_code": "123", "region": world.grid.pk}
    )
    assert response.status_code == 400 and "18 位" in str(response.json())
    from tests.enterprises.helpers import credit_code

    response = client.post(
        "/api/v1/enterprises/",
        {"name": "恒顺集团有限公司", "credit_code": credit_code(), "region": world.grid.pk},
    )
    assert response.status_code == 201, response.json()
    assert client.get("/api/v1/enterprises/", {"q": "hsjt"}).json()["count"] == 1


def test_export_visits(world, hs, login):
    from openpyxl import load_workbook

    services.record_visit(hs, actor=world.commissioner, findings="例行走访")
    response = login(world.alice).get(reverse("assistance:visit_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "恒顺集团有限公司" and rows[1][2] == "commissioner"
    # the visit date is a date cell Excel can sort and filter by, not the text "2026-…"
    assert isinstance(rows[1][0], dt.datetime) and rows[1][0].date() == dt.date.today()
    assert sheet.cell(row=2, column=1).number_format == "yyyy-mm-dd"


def test_assignment_import_page_preview_then_confirm(world, hs, login):
    from tests.core import import_flow

    client = login(world.alice)
    url = import_flow.url("assignments")  # a kind of the one import flow
    assert client.get(reverse("assistance:assignment_import"))["Location"] == url
    headers = [c.header for c in AssignmentImporter.columns]
    data = write_workbook(headers, [[hs.credit_code, 2026, "县级帮扶责任人", "leader", ""]])
    html = import_flow.preview(client, "assignments", data, "分工.xlsx").content.decode()
    assert 'data-testid="import-preview"' in html and "新增" in html
    assert not Assignment.objects.filter(role="county_leader").exists()
    page = import_flow.confirm(client, "assignments", import_flow.token_of(html)).content.decode()
    assert 'data-testid="import-done"' in page
    assert Assignment.objects.get(role="county_leader").user == world.leader
    assert login(world.bob).get(url).status_code == 404


def test_reminder_command(world, hs):
    from django.core.management import call_command

    out = io.StringIO()
    with travel(dt.date(2026, 1, 10)):  # a Saturday: the commissioner's week ends tomorrow
        call_command("visit_reminders", stdout=out)
    assert "已发送走访提醒 1 条" in out.getvalue()


def test_nonsense_year_falls_back_and_own_enterprises_lead_the_visit_form(world, hs, login):
    make_enterprise("阿尔法科技有限公司", world.grid)  # sorts before 恒顺 by pinyin
    client = login(world.leader)
    assert client.get(reverse("assistance:assignment_list"), {"year": "abc"}).status_code == 200
    assert client.get(reverse("assistance:plan_list"), {"year": "99999"}).status_code == 200
    services.assign(hs, year=2026, role="county_leader", user=world.leader, actor=world.alice)
    html = client.get(reverse("assistance:visit_create")).content.decode()
    assert html.index("恒顺集团有限公司") < html.index("阿尔法科技有限公司")


def test_assignment_list_shows_the_rows_in_the_page(world, hs, login):
    from zhuqi.core.paging import CappedPaginator

    response = login(world.alice).get(reverse("assistance:assignment_list"), {"year": 2026})
    html = response.content.decode()
    assert isinstance(response.context["page"].paginator, CappedPaginator)
    assert [a.enterprise.name for a in response.context["page"]] == ["恒顺集团有限公司"]
    # the table is inside <main>: no stray </div> closes the page before it (the browser would
    # close <main> there and draw the table under the menu)
    main = html[html.index("<main") : html.index("</main>")]
    assert 'data-testid="assignment-table"' in main and "恒顺集团有限公司" in main
    assert main.count("<div") == main.count("</div>")
    assert (
        "恒顺集团有限公司"
        not in login(world.charlie).get(reverse("assistance:assignment_list")).content.decode()
    )

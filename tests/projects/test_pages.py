"""Pages and API: they render, they change state through services, and they are scoped."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine

from tests.projects.conftest import make_project
from zhuqi.core.models import AuditEntry
from zhuqi.projects import services
from zhuqi.projects.models import (
    Campaign,
    Project,
    Stage,
    Task,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 10, 2, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def full(world, project):
    """One project in 尉氏县 with every kind of related row."""
    Project.objects.filter(pk=project.pk).update(
        planned_start=dt.date(2026, 3, 1), planned_completion=dt.date(2027, 6, 30)
    )
    services.plan_year(project, year=2026, amount=Decimal("1200000"), actor=world.alice)
    services.record_actual(project, year=2026, month=5, amount=Decimal("100000"), actor=world.alice)
    a = services.add_task(project, name="场地平整", start=dt.date(2026, 5, 4), duration=5, actor=world.alice)
    services.add_task(
        project,
        name="主体封顶",
        start=dt.date(2026, 5, 4),
        duration=0,
        kind="milestone",
        actor=world.alice,
        after=a,
    )
    step = project.approvals.get(step_type__code="approval_filing")
    services.start_approval(step, started_on=dt.date(2026, 5, 6), actor=world.alice)
    services.move_stage(project, Stage.SIGNED, date=dt.date(2026, 5, 1), evidence="合同", actor=world.alice)
    campaign = Campaign.objects.create(name="第一期", region=world.county, year=2026)
    services.add_to_campaign(campaign, project, batch="sign", actor=world.alice)
    return {"project": project, "campaign": campaign, "step": step}


def detail_urls(full):
    p, c = full["project"], full["campaign"]
    return [
        f"/projects/{p.pk}/",
        f"/projects/{p.pk}/edit/",
        f"/projects/campaigns/{c.pk}/",
        f"/api/v1/projects/{p.pk}/",
        f"/api/v1/projects/{p.pk}/progress/",
        f"/api/v1/project-approvals/{full['step'].pk}/",
        f"/api/v1/project-tasks/{p.tasks.first().pk}/",
        f"/api/v1/project-investments/{p.investment_months.first().pk}/",
        f"/api/v1/project-campaigns/{c.pk}/",
        f"/api/v1/project-campaigns/{c.pk}/rates/",
    ]


POSTS = [
    ("stage/", {"to_stage": "landed", "date": "2026-06-01", "evidence": "x"}),
    ("investment/actual/", {"year": 2026, "month": 5, "amount_wan": "10"}),
    ("investment/plan/", {"year": 2026, "method": "even", "amount_wan": "100"}),
    ("tasks/", {"name": "x", "kind": "task", "start": "2026-06-01", "duration": 1, "lag": 0}),
    ("baseline/", {}),
    ("backward/", {"target": "2026-12-31"}),
]

LISTS = [
    ("/projects/", "年产10万吨生物基材料项目"),
    ("/projects/board/", "年产10万吨生物基材料项目"),
    ("/projects/dispatch/", "年产10万吨生物基材料项目"),
    ("/projects/campaigns/", "第一期"),
]

API_LISTS = [
    "/api/v1/projects/",
    "/api/v1/project-approvals/",
    "/api/v1/project-tasks/",
    "/api/v1/project-investments/",
    "/api/v1/project-campaigns/",
]


def test_pages_render_for_dispatch_office(world, full, login):
    client = login(world.alice)
    for url in detail_urls(full):
        assert client.get(url).status_code == 200, url
    for url, text in LISTS:
        resp = client.get(url)
        assert resp.status_code == 200 and text in resp.content.decode(), url
    for url in API_LISTS:
        assert client.get(url).json()["count"] >= 1, url


@pytest.mark.parametrize("who", ["charlie", "other_handler", "enterprise_user"])
def test_other_county_gets_404_and_sees_no_rows(world, full, login, who):
    user = getattr(world, who)
    client = login(user)
    for url in detail_urls(full):
        assert client.get(url).status_code == 404, url
    p = full["project"]
    for suffix, data in POSTS:
        assert client.post(f"/projects/{p.pk}/{suffix}", data).status_code == 404, suffix
    assert (
        client.post(
            f"/projects/{p.pk}/approvals/{full['step'].pk}/done/", {"done_on": "2026-06-01"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/projects/{p.pk}/stage/", {"to_stage": "landed", "date": "2026-06-01"}
        ).status_code
        == 404
    )
    for url, text in LISTS:
        resp = client.get(url)
        if who == "enterprise_user" and url != "/projects/":
            # the boards and campaigns are officials' pages (the matrix's
            # projects.board and projects.oversight.view): hidden from enterprise staff
            assert resp.status_code == 404, url
            continue
        assert resp.status_code == 200 and text not in resp.content.decode(), url
    for url in API_LISTS:
        assert client.get(url).json()["count"] == 0, url
    content = client.get("/projects/report/monthly.xlsx").content
    from io import BytesIO

    from openpyxl import load_workbook

    assert load_workbook(BytesIO(content)).active.max_row == 1  # headers only


@pytest.mark.parametrize("who", ["leader", "bob", "head", "supervisor", "observer", "grid_member", "admin"])
def test_in_scope_roles_see_the_project(world, full, login, who):
    client = login(getattr(world, who))
    p = full["project"]
    expected = 200 if who != "grid_member" else 404  # the grid member's grid does not hold the project
    assert client.get(f"/projects/{p.pk}/").status_code == expected


def test_scope_rules(world, full):
    p = full["project"]
    visible = lambda u: Project.objects.visible_to(u).filter(pk=p.pk).exists()  # noqa: E731
    assert visible(world.alice) and visible(world.admin) and visible(world.bob)
    assert not visible(world.charlie) and not visible(world.enterprise_user)
    # the responsible department sees it even from another county; the leader wherever
    Project.objects.filter(pk=p.pk).update(department=world.other_jxj, leader=world.charlie)
    assert visible(world.other_handler) and visible(world.charlie)


def test_enterprise_user_sees_own_enterprise_projects(world, project, login):
    from zhuqi.enterprises.models import Enterprise, EnterpriseUser

    ent = Enterprise.objects.create(
        name="安徽丰原生物材料有限公司", credit_code="91340300MA2TEST001", region=world.park
    )
    EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=ent)
    mine = make_project(world, code="E01", name="丰原聚乳酸项目", owner=ent)
    client = login(world.enterprise_user)
    assert client.get(f"/projects/{mine.pk}/").status_code == 200
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    assert [r["code"] for r in client.get("/api/v1/projects/").json()["results"]] == ["E01"]


def test_record_actual_through_page_changes_light(world, full, login):
    client = login(world.alice)
    p = full["project"]
    page = client.get(f"/projects/{p.pk}/").content.decode()
    assert 'data-light="red"' in page  # 100,000 of 1,200,000 by May: 8.3 − 41.7
    url = f"/projects/{p.pk}/investment/actual/"
    # May already has 100,000: the page asks for a confirmation and a reason first
    resp = client.post(url, {"year": 2026, "month": 5, "amount_wan": "45"})
    assert resp.status_code == 200 and 'data-testid="actual-confirm"' in resp.content.decode()
    resp = client.post(
        url, {"year": 2026, "month": 5, "amount_wan": "45", "reason": "漏报补录", "confirm": "1"}
    )
    assert resp.status_code == 302
    page = client.get(f"/projects/{p.pk}/").content.decode()
    assert 'data-light="green"' in page  # 450,000: 37.5 − 41.7 = −4.2


def test_stage_and_approval_through_pages(world, full, login):
    client = login(world.bob)  # the responsible department's handler
    p = full["project"]
    client.post(
        f"/projects/{p.pk}/stage/", {"to_stage": "landed", "date": "2026-06-01", "evidence": "土地出让合同"}
    )
    p.refresh_from_db()
    assert p.stage == Stage.LANDED
    resp = client.post(
        f"/projects/{p.pk}/stage/",
        {"to_stage": "completed", "date": "2026-06-01", "evidence": "x"},
        follow=True,
    )
    assert "只能转到" in resp.content.decode()
    client.post(f"/projects/{p.pk}/approvals/{full['step'].pk}/done/", {"done_on": "2026-06-05"})
    full["step"].refresh_from_db()
    assert full["step"].status == "done"


def test_observer_cannot_change(world, full, login):
    client = login(world.observer)
    p = full["project"]
    assert (
        client.post(
            f"/projects/{p.pk}/stage/", {"to_stage": "landed", "date": "2026-06-01", "evidence": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/projects/{p.pk}/actual/", {"year": 2026, "month": 5, "amount": "1"}).status_code
        == 403
    )


def test_cycle_message_on_page(world, full, login):
    client = login(world.alice)
    p = full["project"]
    a, m = Task.objects.filter(project=p).order_by("order")
    resp = client.post(
        f"/projects/{p.pk}/dependencies/", {"predecessor": m.pk, "successor": a.pk, "lag": 0}, follow=True
    )
    assert "前置关系形成了循环" in resp.content.decode()


def test_api_stage_move_and_progress(world, full, login):
    client = login(world.alice)
    p = full["project"]
    resp = client.post(
        f"/api/v1/projects/{p.pk}/stage/", {"to_stage": "landed", "date": "2026-06-01", "evidence": "合同"}
    )
    assert resp.status_code == 201 and resp.json()["to_stage"] == "landed"
    resp = client.post(
        f"/api/v1/projects/{p.pk}/stage/", {"to_stage": "producing", "date": "2026-06-01", "evidence": "x"}
    )
    assert resp.status_code == 400 and "只能转到" in str(resp.json())
    prog = client.get(f"/api/v1/projects/{p.pk}/progress/?year=2026&month=5").json()
    assert prog["elapsed"] == "41.7" and prog["light"] == "red"


def test_monthly_report_export_is_audited(world, full, login):
    client = login(world.alice)
    resp = client.get("/projects/report/monthly.xlsx?year=2026&month=5")
    assert resp.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "项目编号" and rows[1][1] == "年产10万吨生物基材料项目"
    assert rows[1][12] == pytest.approx(0.417) and rows[1][14] == "红灯"
    # the rates are numbers with a % format (8.3 % done, 41.7 % of the year elapsed), not text
    done, elapsed = ws.cell(2, 12), ws.cell(2, 13)
    assert done.data_type == "n" and done.value == pytest.approx(0.083) and done.number_format == "0.0%"
    assert elapsed.number_format == "0.0%"
    assert AuditEntry.objects.filter(action="export", object_repr__contains="月报表").exists()


def test_campaign_entry_page_checks_threshold(world, full, login):
    client = login(world.alice)
    c = full["campaign"]
    c.thresholds = {"industrial": 300_000_000}
    c.save()
    small = make_project(world, code="S1", total_investment=Decimal("100000000"))
    resp = client.post(f"/projects/campaigns/{c.pk}/entries/", {"code": "S1", "batch": "start"}, follow=True)
    assert "入库门槛" in resp.content.decode() and not small.campaign_entries.exists()
    big = make_project(world, code="B1")
    client.post(f"/projects/campaigns/{c.pk}/entries/", {"code": "B1", "batch": "start"})
    assert big.campaign_entries.get().batch == "start"
    assert (
        login(world.charlie)
        .post(f"/projects/campaigns/{c.pk}/entries/", {"code": "B1", "batch": "sign"})
        .status_code
        == 404
    )


def test_list_filters(world, login):
    make_project(world, code="T1", name="外资项目甲", tags=["外资", "亿元以上"])
    make_project(world, code="T2", name="技改项目乙", tags=["技改"])
    client = login(world.alice)
    page = client.get("/projects/?tag=外资").content.decode()
    assert "外资项目甲" in page and "技改项目乙" not in page
    page = client.get("/projects/?q=技改").content.decode()
    assert "技改项目乙" in page and "外资项目甲" not in page
    page = client.get("/projects/?light=grey").content.decode()
    assert "外资项目甲" in page


def test_project_list_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    for i in range(30):
        make_project(world, code=f"Q{i:02d}")
    client = login(world.alice)
    with django_assert_max_num_queries(20):
        assert client.get("/projects/").status_code == 200


def test_create_project_page(world, login):
    client = login(world.alice)
    resp = client.post(
        "/projects/new/",
        {
            "code": "GZ-2026-001",
            "name": "新建年产5万吨聚乳酸项目",
            "kind": "industrial",
            "level": "city",
            "region": world.park.pk,
            "total_investment_wan": "50000",
            "year_planned_wan": "12000",
            "tags": ["亿元以上", "招商引资"],
            "department": world.jxj.pk,
            "leader": world.leader.pk,
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    p = Project.objects.get(code="GZ-2026-001")
    assert p.total_investment == Decimal("500000000") and p.tags == ["亿元以上", "招商引资"]
    assert p.approvals.count() == 7
    assert login(world.charlie).get(f"/projects/{p.pk}/").status_code == 404


def test_create_form_marks_the_five_ones_required(world, login):
    """责任单位 and 包抓县领导 carry the required mark (the `required` attribute the label's mark
    and the browser's check follow), as 项目编号 and 项目名称 do; 工作专班 does not."""
    html = login(world.alice).get("/projects/new/").content.decode()

    def tag(field):
        return re.search(rf"<(?:select|input|textarea)[^>]*id=\"id_{field}\"[^>]*>", html).group(0)

    for field in ("department", "leader", "code", "name"):
        assert " required" in tag(field), field
    for field in ("team", "planned_start", "description"):
        assert " required" not in tag(field), field


def test_create_form_shows_the_five_ones_and_dates_under_their_fields(world, login):
    client = login(world.alice)
    resp = client.post(
        "/projects/new/",
        {
            "code": "GZ-2026-002",
            "name": "无责任单位项目",
            "kind": "industrial",
            "level": "county",
            "region": world.park.pk,
            "total_investment_wan": "100",
            "planned_start": "2026-09-01",
            "planned_completion": "2026-03-01",
        },
    )
    assert resp.status_code == 200
    form = resp.context["form"]
    assert form.errors["department"] == ["请选择责任单位（五个一：一个责任单位）"]
    assert form.errors["leader"] == ["请选择包抓县领导（五个一：一名县级领导）"]
    assert form.errors["planned_completion"] == ["计划竣工日期不能早于计划开工日期"]
    assert "计划竣工日期不能早于计划开工日期" in resp.content.decode()
    assert not Project.objects.filter(code="GZ-2026-002").exists()


def test_edit_form_refuses_completion_before_start(world, project, login):
    client = login(world.bob)
    resp = client.post(
        f"/projects/{project.pk}/edit/",
        {
            "name": project.name,
            "kind": "industrial",
            "level": "county",
            "region": world.park.pk,
            "total_investment_wan": "50000",
            "department": world.jxj.pk,
            "leader": world.leader.pk,
            "planned_start": "2026-09-01",
            "planned_completion": "2026-03-01",
        },
    )
    assert resp.status_code == 200
    assert resp.context["form"].errors["planned_completion"] == ["计划竣工日期不能早于计划开工日期"]
    project.refresh_from_db()
    assert project.planned_completion is None


def test_api_refuses_a_project_without_the_five_ones_naming_the_fields(world, project, login):
    client = login(world.alice)
    body = {
        "code": "GZ-API-001",
        "name": "接口新建项目",
        "region": world.park.pk,
        "total_investment": "100000000",
        "planned_start": "2026-09-01",
        "planned_completion": "2026-03-01",
    }
    resp = client.post("/api/v1/projects/", body, content_type="application/json")
    assert resp.status_code == 400
    assert resp.json() == {
        "department": ["请选择责任单位（五个一：一个责任单位）"],
        "leader": ["请选择包抓县领导（五个一：一名县级领导）"],
        "planned_completion": ["计划竣工日期不能早于计划开工日期"],
    }
    assert not Project.objects.filter(code="GZ-API-001").exists()
    body.update(department=world.jxj.pk, leader=world.leader.pk, planned_completion="2027-06-30")
    resp = client.post("/api/v1/projects/", body, content_type="application/json")
    assert resp.status_code == 201, resp.json()
    assert Project.objects.get(code="GZ-API-001").approvals.count() == 7
    resp = client.patch(f"/api/v1/projects/{project.pk}/", {"leader": None}, content_type="application/json")
    assert resp.status_code == 400 and list(resp.json()) == ["leader"]
    # references outside the caller's scope do not exist for it
    resp = client.patch(
        f"/api/v1/projects/{project.pk}/", {"department": world.other_jxj.pk}, content_type="application/json"
    )
    assert resp.status_code == 400 and list(resp.json()) == ["department"]
    project.refresh_from_db()
    assert project.leader == world.leader and project.department == world.jxj
    assert (
        login(world.charlie)
        .patch(f"/api/v1/projects/{project.pk}/", {"name": "x"}, content_type="application/json")
        .status_code
        == 404
    )


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_site_photo_log(world, project, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.bob)
    photo = SimpleUploadedFile("现场核查-0601.png", PNG, content_type="image/png")
    resp = client.post(
        f"/core/attach/projects.project/{project.pk}/", {"file": photo, "next": f"/projects/{project.pk}/"}
    )
    assert resp.status_code == 302
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'alt="现场核查-0601.png"' in page and "2026-06-10" in page
    assert AuditEntry.objects.filter(event="attachment_added", object_type="projects.project").exists()
    other = login(world.charlie)
    assert other.post(f"/core/attach/projects.project/{project.pk}/", {"file": photo}).status_code == 404


def test_edit_project_page(world, project, login):
    client = login(world.bob)  # the responsible department
    resp = client.post(
        f"/projects/{project.pk}/edit/",
        {
            "code": "IGNORED",
            "name": "年产10万吨生物基材料项目（调整）",
            "kind": "industrial",
            "level": "province_dxz",
            "region": world.park.pk,
            "total_investment_wan": "60000",
            "year_planned_wan": "",
            "tags": ["技改"],
            "department": world.jxj.pk,
            "leader": world.leader.pk,
            "team": [world.bob.pk],
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    project.refresh_from_db()
    assert project.code == "P001" and project.level == "province_dxz"
    assert project.total_investment == Decimal("600000000") and list(project.team.all()) == [world.bob]
    assert login(world.observer).get(f"/projects/{project.pk}/edit/").status_code == 404  # like /new/


@pytest.mark.parametrize(
    "query", ["light=red", "light=green", "q=技改", "tag=外资", "light=grey&kind=industrial"]
)
def test_monthly_report_exports_exactly_the_filtered_list(world, login, query):
    import html
    import re
    from io import BytesIO

    from openpyxl import load_workbook

    for code, name, tags, done in [
        ("F1", "外资项目甲", ["外资"], 500000),  # 41.7 % elapsed at May: green
        ("F2", "技改项目乙", ["技改"], 0),  # red
        ("F3", "续建项目丙", ["续建"], None),  # no plan: grey
    ]:
        p = make_project(world, code=code, name=name, tags=tags)
        if done is not None:
            services.plan_year(p, year=2026, amount=Decimal("1200000"), actor=world.alice)
            services.record_actual(p, year=2026, month=5, amount=Decimal(done), actor=world.alice)
    client = login(world.alice)
    listed = [p.code for p in client.get(f"/projects/?{query}").context["page"]]
    assert 0 < len(listed) < 3
    page = client.get(f"/projects/?{query}").content.decode()
    href = html.unescape(re.search(r'href="([^"]*)" data-testid="export-monthly"', page).group(1))
    ws = load_workbook(BytesIO(client.get(href).content)).active  # the link the page offers
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == listed


def test_board_exports_the_projects_it_shows(world, login):
    make_project(world, code="B1", name="技改项目乙", tags=["技改"])
    make_project(world, code="B2", name="外资项目甲", tags=["外资"])
    client = login(world.alice)
    page = client.get("/projects/board/?q=技改").content.decode()
    assert 'href="/projects/report/monthly.xlsx?q=' in page
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(client.get("/projects/report/monthly.xlsx?q=技改").content)).active
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == ["B1"]

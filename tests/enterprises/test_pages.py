"""Registry pages: pinyin search, filters, sorting, export of what is on screen, registering
with a bad code, lists."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.enterprises.helpers import credit_code, make_enterprise
from zhuqi.core.models import AuditEntry
from zhuqi.enterprises.models import Enterprise, EnterpriseList, Industry, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(world):
    c26 = Industry.objects.get(code="26")
    c14 = Industry.objects.get(code="14")
    hs = make_enterprise("恒顺集团有限公司", world.grid, industry=c26, above_scale=True, employees=800)
    fy = make_enterprise("丰原生物化学股份有限公司", world.grid2, industry=c26, employees=1200)
    sp = make_enterprise("城关食品有限公司", world.town, industry=c14, above_scale=True, employees=90)
    hs.tags.add(Tag.objects.get(name="专精特新"))
    return {"hs": hs, "fy": fy, "sp": sp}


def names(response):
    html = response.content.decode()
    return [n for n in ["恒顺集团有限公司", "丰原生物化学股份有限公司", "城关食品有限公司"] if n in html]


def test_pinyin_initials_name_and_code_search(world, registry, login):
    client = login(world.alice)
    url = reverse("enterprises:enterprise_list")
    assert names(client.get(url, {"q": "hsjt"})) == ["恒顺集团有限公司"]
    assert names(client.get(url, {"q": "HSJT"})) == ["恒顺集团有限公司"]
    assert names(client.get(url, {"q": "生物"})) == ["丰原生物化学股份有限公司"]
    assert names(client.get(url, {"q": registry["sp"].credit_code})) == ["城关食品有限公司"]
    assert names(client.get(url, {"q": "xyz"})) == []


def test_filters_and_sorting(world, registry, login):
    client = login(world.alice)
    url = reverse("enterprises:enterprise_list")
    section_c = Industry.objects.get(code="C")
    assert set(names(client.get(url, {"industry": section_c.pk}))) == {
        "恒顺集团有限公司",
        "丰原生物化学股份有限公司",
        "城关食品有限公司",
    }
    assert names(client.get(url, {"industry": Industry.objects.get(code="14").pk})) == ["城关食品有限公司"]
    assert set(names(client.get(url, {"region": world.park.pk}))) == {
        "恒顺集团有限公司",
        "丰原生物化学股份有限公司",
    }
    assert names(client.get(url, {"region": world.grid2.pk})) == ["丰原生物化学股份有限公司"]
    assert names(client.get(url, {"tag": Tag.objects.get(name="专精特新").pk})) == ["恒顺集团有限公司"]
    assert set(names(client.get(url, {"scale": "above"}))) == {"恒顺集团有限公司", "城关食品有限公司"}
    html = client.get(url, {"sort": "-employees"}).content.decode()
    assert html.index("丰原生物") < html.index("恒顺集团") < html.index("城关食品")
    html = client.get(url, {"sort": "employees"}).content.decode()
    assert html.index("城关食品") < html.index("恒顺集团") < html.index("丰原生物")


def test_each_row_shows_its_own_tags_and_the_industry_filter_lists_divisions_under_their_section(
    world, registry, login
):
    registry["fy"].tags.add(Tag.objects.get(name="高新技术企业"), Tag.objects.get(name="专精特新"))
    client = login(world.alice)
    response = client.get(reverse("enterprises:enterprise_list"), {"sort": "name"})
    html = response.content.decode()
    rows = {
        name: html[html.index(name) : html.index("</tr>", html.index(name))]
        for name in ["恒顺集团有限公司", "丰原生物化学股份有限公司", "城关食品有限公司"]
    }
    tag_order = [t.name for t in Tag.objects.all()]
    assert "专精特新" in rows["恒顺集团有限公司"] and "高新技术企业" not in rows["恒顺集团有限公司"]
    fy = rows["丰原生物化学股份有限公司"]
    shown = sorted(["高新技术企业", "专精特新"], key=lambda n: fy.index(n))
    assert shown == [n for n in tag_order if n in shown]  # in the tags' own order
    assert "专精特新" not in rows["城关食品有限公司"] and "高新技术企业" not in rows["城关食品有限公司"]
    # 制造业 (C) then its divisions, 13 before 14 before 26, before the next section D
    options = html[html.index('name="industry"') : html.index("</select>", html.index('name="industry"'))]
    c, c13, c14, c26, d = (
        options.index(f'value="{Industry.objects.get(code=code).pk}"')
        for code in ["C", "13", "14", "26", "D"]
    )
    assert c < c13 < c14 < c26 < d


def test_export_is_exactly_what_is_filtered_and_is_audited(world, registry, login):
    client = login(world.alice)
    response = client.get(
        reverse("enterprises:enterprise_list"), {"scale": "above", "sort": "-employees", "export": "xlsx"}
    )
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "企业名称"
    assert [r[0] for r in rows[1:]] == ["恒顺集团有限公司", "城关食品有限公司"]
    assert rows[1][7] == "专精特新" and rows[1][6] == "是"
    html = client.get(reverse("enterprises:enterprise_list"), {"scale": "above"}).content.decode()
    for header in ("企业名称", "统一社会信用代码", "所在区划", "行业", "从业人数", "标签"):
        assert header in html  # the same columns as on screen
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor == world.alice and entry.changes == {"rows": 2}


def test_register_with_bad_code_shows_chinese_error_and_saves_nothing(world, login):
    client = login(world.alice)
    good = credit_code()
    data = {
        "name": "新企业有限公司",
        "credit_code": good[:-1] + ("0" if good[-1] != "0" else "1"),
        "region": world.grid.pk,
    }
    response = client.post(reverse("enterprises:enterprise_create"), data)
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert not Enterprise.objects.filter(name="新企业有限公司").exists()
    data["credit_code"] = good
    response = client.post(reverse("enterprises:enterprise_create"), data)
    ent = Enterprise.objects.get(name="新企业有限公司")
    assert response.url == reverse("enterprises:enterprise_detail", args=[ent.pk])


def test_admin_confirms_pilot_code_on_the_form(world, login):
    client = login(world.admin)
    bad = "91110000600037341X"
    data = {"name": "试点企业", "credit_code": bad, "region": world.grid.pk, "confirm_unchecked": "on"}
    client.post(reverse("enterprises:enterprise_create"), data)
    ent = Enterprise.objects.get(credit_code=bad)
    page = client.get(reverse("enterprises:enterprise_detail", args=[ent.pk])).content.decode()
    assert "未通过校验·已确认" in page
    assert "确认未通过校验的信用代码" in page  # the override shows in the timeline


def test_handlers_cannot_edit_the_registry(world, registry, login):
    client = login(world.bob)
    assert client.get(reverse("enterprises:enterprise_create")).status_code == 404
    assert client.get(reverse("enterprises:enterprise_edit", args=[registry["hs"].pk])).status_code == 404


def test_pool_page_shows_progress_and_list_filter(world, registry, login):
    pool = EnterpriseList.objects.create(
        name="小升规培育库", kind="pool", pool="small_to_scale", goal=2, region=world.county
    )
    client = login(world.alice)
    client.post(
        reverse("enterprises:list_enter", args=[pool.pk]),
        {"enterprise": registry["fy"].pk, "reason": "营收1800万"},
    )
    membership = pool.memberships.get()
    client.post(reverse("enterprises:membership_exit", args=[membership.pk]), {"achieved": "1"})
    page = client.get(reverse("enterprises:list_detail", args=[pool.pk])).content.decode()
    assert "已达成 <strong>1</strong> 户（50.0%）" in page
    assert names(client.get(reverse("enterprises:enterprise_list"), {"list": pool.pk})) == [
        "丰原生物化学股份有限公司"
    ]
    # a commissioner of the park sees the county's pool
    assert client.get(reverse("enterprises:list_index")).status_code == 200


def test_industries_are_searchable(world, registry, login):
    client = login(world.alice)
    html = client.get(reverse("enterprises:industry_list"), {"q": "化学"}).content.decode()
    assert "化学原料和化学制品制造业" in html and "农业" not in html
    response = client.get("/api/v1/industries/", {"search": "食品"})
    assert {row["code"] for row in response.json()} == {"13", "14"}  # 农副食品加工业, 食品制造业


def test_a_leaders_own_enterprises_come_first(world, registry, login):
    from zhuqi.assistance import services as assistance

    assistance.assign(registry["sp"], year=2026, role="county_leader", user=world.leader, actor=world.alice)
    html = login(world.leader).get(reverse("enterprises:enterprise_list")).content.decode()
    assert html.index("城关食品") < html.index("丰原生物") < html.index("恒顺集团")
    mine = login(world.leader).get(reverse("enterprises:enterprise_list"), {"mine": "1"})
    assert names(mine) == ["城关食品有限公司"]


def test_commissioner_home_shows_my_enterprises_card(world, registry, login):
    from zhuqi.assistance import services as assistance

    assistance.assign(
        registry["fy"], year=2026, role="commissioner", user=world.commissioner, actor=world.alice
    )
    html = login(world.commissioner).get("/").content.decode()
    assert 'data-testid="card-my-enterprises"' in html and "丰原生物化学股份有限公司" in html
    assert 'data-testid="card-my-enterprises"' not in login(world.observer).get("/").content.decode()


def test_edit_enterprise_page(world, registry, login):
    client = login(world.alice)
    url = reverse("enterprises:enterprise_edit", args=[registry["hs"].pk])
    page = client.get(url).content.decode()
    assert 'value="恒顺集团有限公司"' in page
    data = {
        "name": "恒顺集团股份有限公司",
        "credit_code": registry["hs"].credit_code,
        "region": world.grid.pk,
        "registered_capital_wan": "6000",
        "above_scale": "on",
        "above_scale_since": "2019",
        "tier": "lead",
        "tags": [Tag.objects.get(name="高新技术企业").pk],
    }
    assert client.post(url, data).status_code == 302
    hs = Enterprise.objects.get(pk=registry["hs"].pk)
    assert (hs.name, hs.registered_capital, hs.tier, hs.above_scale_since) == (
        "恒顺集团股份有限公司",
        60_000_000,
        "lead",
        2019,
    )
    assert [t.name for t in hs.tags.all()] == ["高新技术企业"]
    detail = client.get(reverse("enterprises:enterprise_detail", args=[hs.pk])).content.decode()
    assert "6000.00 万元" in detail and "头雁" in detail and "2019年入规" in detail


# --- the enterprise page's 诉求 and 重点项目 panels ------------------------------------------
@pytest.fixture
def profile(world):
    from tests.cases.conftest import CaseWorld
    from tests.projects.conftest import make_project
    from zhuqi.cases import services as case_services

    cw = CaseWorld(world)
    signed = cw.to("signed", title="厂区变压器容量不足")
    land = cw.to("accepted", title="新厂房用地指标不足")
    land = case_services.dispatch_case(land, actor=world.alice, lead=world.zrzy)
    closed = cw.to("closed", title="招工难已协调")
    project = make_project(world, owner=cw.ent, name="华丰纺织智能织造技改项目")
    return {"cw": cw, "ent": cw.ent, "signed": signed, "land": land, "closed": closed, "project": project}


def _panel(html, testid):
    start = html.index(f'data-testid="{testid}"')
    end = html.find('class="zq-card', start)
    return html[start : end if end > 0 else len(html)]


def test_enterprise_page_shows_open_cases_due_dates_and_projects(world, profile, login):
    url = reverse("enterprises:enterprise_detail", args=[profile["ent"].pk])
    html = login(world.alice).get(url).content.decode()
    cases = _panel(html, "enterprise-cases")
    assert "厂区变压器容量不足" in cases and "新厂房用地指标不足" in cases
    assert cases.index("open-cases") < cases.index("招工难已协调")  # open first, closed after
    signed = profile["signed"]
    assert "最近期限 " + signed.next_due_at.astimezone().strftime("%Y-%m-%d %H:%M") in cases
    assert signed.get_status_display() in cases
    projects = _panel(html, "enterprise-projects")
    assert "华丰纺织智能织造技改项目" in projects and "data-light=" in projects
    assert profile["project"].get_stage_display() in projects


def test_enterprise_page_panels_follow_the_viewers_scope(world, profile, login):
    url = reverse("enterprises:enterprise_detail", args=[profile["ent"].pk])
    html = login(world.bob).get(url).content.decode()  # 工信局: not the 自然资源局's case
    cases = _panel(html, "enterprise-cases")
    assert "厂区变压器容量不足" in cases and "新厂房用地指标不足" not in cases
    assert login(world.charlie).get(url).status_code == 404


def test_enterprise_user_sees_reply_due_not_internal_clocks(world, profile, login):
    html = (
        login(world.enterprise_user).get(reverse("enterprises:my_enterprise"), follow=True).content.decode()
    )
    cases = _panel(html, "enterprise-cases")
    signed = profile["signed"]
    assert "答复期限 " + signed.reply_due_at.astimezone().strftime("%Y-%m-%d %H:%M") in cases
    assert "最近期限" not in cases
    assert "华丰纺织智能织造技改项目" in _panel(html, "enterprise-projects")


def test_enterprise_page_query_count_does_not_grow(world, profile, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.projects.conftest import make_project

    client = login(world.alice)
    url = reverse("enterprises:enterprise_detail", args=[profile["ent"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    cw = profile["cw"]
    for i in range(4):
        cw.to("signed", title=f"第{i}个诉求")
        cw.to("closed", title=f"第{i}个办结诉求")
        make_project(world, code=f"PX{i}", owner=cw.ent, name=f"第{i}个项目")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "第3个诉求" in html and "第3个项目" in html
    assert len(many) == len(few)


def test_demo_enterprise_user_sees_its_team_with_mobile_numbers(db, login):
    """The demo's 本企业 page: every member of the 五位一体 team with a work mobile to call."""
    from zhuqi.assistance import demo as assistance_demo
    from zhuqi.assistance.models import Assignment
    from zhuqi.core import audit
    from zhuqi.core.demo import DEMO_PASSWORD, load_core

    with audit.acting_as(None, label="命令: zhuqi demo"):
        assistance_demo.load(load_core())
    from zhuqi.core.models import User

    qiye = User.objects.get(username="qiye")
    assert qiye.check_password(DEMO_PASSWORD)
    html = login(qiye).get(reverse("enterprises:my_enterprise"), follow=True).content.decode()
    team = _panel(html, "team")
    ent = qiye.enterprise_membership.enterprise
    members = Assignment.objects.filter(enterprise=ent, ended_on__isnull=True).select_related("user")
    assert members
    for a in members:
        assert a.user.mobile and f'href="tel:{a.user.mobile}"' in team, a.user.username

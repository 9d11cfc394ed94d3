"""Key projects in a real browser: the project page's Gantt and investment chart, recording a
month's actual investment turns the light and the board (观摩 scoring: test_oversight_tours.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from zhuqi.core.models import Department
from zhuqi.oversight.models import RedBlackList
from zhuqi.projects import figures, services
from zhuqi.projects.models import Project, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _project(world):
    today = timezone.localdate()
    year, month = figures.report_period(today)
    p = services.create_project(
        actor=world.admin,
        code="GZ-E2E-001",
        name="年产10万吨聚乳酸及制品项目",
        kind="industrial",
        industry="生物基材料",
        region=world.park,
        department=world.jxj,
        leader=world.leader,
        total_investment=Decimal("3200000000"),
        level="province",
        tags=["10亿元以上", "招商引资"],
        planned_start=dt.date(year, 1, 10),
        planned_completion=dt.date(year + 1, 6, 30),
        team=[world.bob, world.head],
    )
    services.move_stage(
        p, Stage.SIGNED, date=today - dt.timedelta(days=200), evidence="投资合同", actor=world.alice
    )
    services.move_stage(
        p, Stage.LANDED, date=today - dt.timedelta(days=150), evidence="土地成交确认书", actor=world.alice
    )
    services.plan_year(p, year=year, amount=Decimal("1200000"), actor=world.alice)
    for m in range(1, month):
        services.record_actual(p, year=year, month=m, amount=Decimal("50000"), actor=world.alice)
    start = today - dt.timedelta(days=40)
    a = services.add_task(p, name="场地平整", start=start, duration=10, actor=world.alice)
    b = services.add_task(p, name="桩基施工", start=start, duration=15, actor=world.alice, after=a)
    c = services.add_task(p, name="主体结构施工", start=start, duration=30, actor=world.alice, after=b, lag=2)
    services.add_task(
        p, name="主体封顶", start=start, duration=0, kind="milestone", actor=world.alice, after=c
    )
    services.approve_plan(p, actor=world.alice)
    services.backward_schedule(p, target=today + dt.timedelta(days=60), actor=world.alice)
    step = p.approvals.get(step_type__code="land_use")
    services.start_approval(step, started_on=today - dt.timedelta(days=60), actor=world.alice)
    return p, year, month


def test_project_gantt_chart_and_light_changes(page, world):
    project, year, month = _project(world)
    log_in(page, "alice", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    assert page.locator("[data-testid=project-name]").inner_text() == "年产10万吨聚乳酸及制品项目"

    # the Gantt: one bar per task, labelled
    page.wait_for_selector("#gantt[data-ready='1']")
    expect(page.locator("#gantt .bar-wrapper")).to_have_count(4)
    labels = page.locator("#gantt .bar-label").all_text_contents()
    assert "场地平整" in labels and "主体封顶" in labels
    # the investment chart draws into a canvas
    page.wait_for_selector("#invest-chart[data-ready='1'] canvas")
    light = page.locator("[data-testid=light]").first
    assert light.get_attribute("data-light") == "red"  # 50,000 a month against 100,000 planned
    shot(page, "project-detail-before")

    # record this month's actual so the year to date reaches the plan
    done = 50000 * (month - 1)
    needed_wan = (Decimal(100000 * month - done) / 10000).quantize(Decimal("0.01"))
    form = page.locator("[data-testid=actual-form]")
    form.locator("input[name=year]").fill(str(year))
    form.locator("input[name=month]").fill(str(month))
    form.locator("input[name=amount_wan]").fill(str(needed_wan))
    form.locator("button").click()
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=light]").first.get_attribute("data-light") == "green"
    assert (
        page.locator("[data-testid=completion]").inner_text() == f"{float(figures.elapsed_pct(month)):.1f}%"
    )
    page.wait_for_selector("#invest-chart[data-ready='1'] canvas")
    shot(page, "project-detail-after")

    page.goto("/projects/")
    expect(page.locator("[data-testid=project-table] tbody tr")).to_have_count(1)
    shot(page, "project-list")
    page.goto("/projects/board/")
    page.wait_for_selector("#board-chart[data-ready='1'] canvas")
    shot(page, "project-board")
    page.goto("/projects/dispatch/")
    assert "年产10万吨聚乳酸及制品项目" in page.locator("[data-testid=moved]").inner_text()
    shot(page, "project-dispatch")


def test_other_county_cannot_open_project(page, world):
    project, _, _ = _project(world)
    log_in(page, "charlie", PASSWORD)
    resp = page.goto(f"/projects/{project.pk}/")
    assert resp.status == 404
    page.goto("/projects/")
    assert page.locator("[data-testid=project-count]").inner_text() == "0"


def _department_leads(world, percents, depts=None):
    """One project per county department, planned 1,200,000 yuan for the year, `percents` of it
    done by the end of the report month."""
    year, month = figures.report_period(timezone.localdate())
    depts = depts or [world.jxj, world.zrzy, world.power, world.dispatch_office][: len(percents)]
    for i, (dept, pct) in enumerate(zip(depts, percents, strict=True)):
        p = services.create_project(
            actor=world.admin,
            code=f"RK-{i}",
            name=f"排名项目{i}",
            region=world.park,
            department=dept,
            leader=world.leader,
            total_investment=Decimal("500000000"),
        )
        services.plan_year(p, year=year, amount=Decimal("1200000"), actor=world.alice)
        services.record_actual(p, year=year, month=month, amount=Decimal(12000 * pct), actor=world.alice)
    elapsed = figures.elapsed_pct(month)
    return {d.short_name or d.name: Decimal(pct) - elapsed for d, pct in zip(depts, percents, strict=True)}


def test_ranking_lists_follow_the_sign_and_publishing_asks_to_confirm(page, world):
    """The key projects' 红黑榜 is oversight's (docs/oversight.md §6): the old address lands on
    its list; units behind schedule are never on the red list, those ahead never on the black."""
    elapsed = figures.elapsed_pct(figures.report_period(timezone.localdate())[1])
    more = [Department.objects.create(name=f"尉氏县{n}", region=world.county) for n in ("发改委", "住建局")]
    # two units ahead of schedule, two behind
    leads = _department_leads(
        world, [elapsed + 10, elapsed + 2, elapsed - 2, elapsed - 20], depts=[world.jxj, world.zrzy, *more]
    )
    log_in(page, "supervisor", PASSWORD)
    page.goto("/projects/rankings/")
    page.wait_for_url("**/oversight/redblack/")
    page.click("[data-testid=redblack-new]")
    form = page.locator("[data-testid=redblack-form]")
    form.locator("#r-name").fill("责任单位投资进度红黑榜")
    form.locator("#r-seq").select_option("departments")
    form.locator("#r-metric").select_option("projects.lead")
    form.locator("#r-size").fill("3")
    form.locator("#r-period").select_option("M")
    page.click("[data-testid=redblack-submit]")
    page.wait_for_selector("[data-testid=redblack-preview]")
    ahead = {n for n, v in leads.items() if v >= 0}
    rows = page.locator("[data-testid=redblack-preview-row]")
    tagged = {
        rows.nth(i).locator("td").nth(1).inner_text(): rows.nth(i).locator("td").nth(5).inner_text()
        for i in range(rows.count())
    }
    assert {n for n, tag in tagged.items() if "红榜" in tag} == ahead
    assert {n for n, tag in tagged.items() if "黑榜" in tag} == set(leads) - ahead
    # publishing without the tick does nothing
    page.click("[data-testid=redblack-publish]")
    expect(page.locator(".alert").first).to_contain_text("请勾选确认")
    assert not RedBlackList.objects.exists()
    page.check("#rb-confirm")
    shot(page, "projects-ranking-publish")
    page.click("[data-testid=redblack-publish]")
    page.wait_for_selector("[data-testid=redblack-published]")
    lst = RedBlackList.objects.get()
    assert {r["name"] for r in lst.red} == ahead and len(lst.black) == 2
    assert all(Decimal(r["value"]) < 0 for r in lst.black)
    shot(page, "projects-ranking-published")


def test_board_department_chart_draws_negative_red_positive_green(page, world):
    elapsed = figures.elapsed_pct(figures.report_period(timezone.localdate())[1])
    # −2 points is still a green light, but on the lead chart it is behind: red
    leads = _department_leads(world, [elapsed + 5, elapsed - 2])
    log_in(page, "alice", PASSWORD)
    page.goto("/projects/board/")
    page.wait_for_selector("#dept-chart[data-ready='1'] canvas")
    bars = page.evaluate(
        """() => {
            const opt = echarts.getInstanceByDom(document.getElementById('dept-chart')).getOption();
            return opt.yAxis[0].data.map((name, i) => [name, opt.series[0].data[i].value, opt.series[0].data[i].itemStyle.color]);
        }"""
    )
    assert len(bars) == 2
    for name, value, color in bars:
        assert color == ("#d62d20" if value < 0 else "#2e9e44"), (name, value, color)
        assert (value < 0) == (leads[name] < 0)
    shot(page, "projects-board-dept-chart")


def test_history_and_audit_log_show_labels_and_wan(page, world):
    project, year, month = _project(world)
    log_in(page, "alice", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    history = page.locator("[data-testid=timeline]").inner_text()
    assert "5.00 万元" in history and "月份" in history  # 50,000 yuan reported a month
    for code in ("period", "actual", "signed → landed", "landed"):
        assert code not in history
    shot(page, "projects-history-labels")
    page.context.clear_cookies()
    log_in(page, "admin", PASSWORD)
    page.goto("/core/audit/?q=年产10万吨聚乳酸")
    log = page.locator("[data-testid=audit-table]").inner_text()
    assert "重点项目" in log and "projects.project" not in log and "5.00 万元" in log
    shot(page, "core-audit-labels")


def test_new_project_form_shows_five_ones_and_dates_under_the_fields(page, world):
    log_in(page, "alice", PASSWORD)
    page.goto("/projects/new/")
    page.wait_for_selector("#id_department.tomselected")
    mark = "el => getComputedStyle(el, '::after').content"

    def label(field):  # Tom Select points the label at its own input: find it by position
        return page.locator(f"#id_{field}").locator("xpath=preceding-sibling::label[1]")

    for field in ("department", "leader", "code"):  # 五个一 carry the required mark like the others
        assert '"*"' in label(field).evaluate(mark).replace(" ", ""), field
    assert label("team").evaluate(mark) in ("none", "normal", "")
    page.fill("#id_code", "GZ-E2E-FORM")
    page.fill("#id_name", "无责任单位的新建项目")
    page.evaluate(f"document.getElementById('id_region').tomselect.setValue('{world.park.pk}')")
    page.fill("#id_total_investment_wan", "5000")
    page.fill("#id_planned_start", "2026-09-01")
    page.fill("#id_planned_completion", "2026-03-01")
    page.locator("form button.btn-primary").click()
    assert page.evaluate("document.getElementById('id_department').validity.valueMissing")
    assert "/projects/new/" in page.url and not Project.objects.filter(code="GZ-E2E-FORM").exists()
    # a browser that does not check: the server refuses with the fields named
    page.evaluate("document.getElementById('id_code').form.noValidate = true")
    page.locator("form button.btn-primary").click()
    page.wait_for_selector("#id_code")
    for field, message in (
        ("department", "请选择责任单位（五个一：一个责任单位）"),
        ("leader", "请选择包抓县领导（五个一：一名县级领导）"),
        ("planned_completion", "计划竣工日期不能早于计划开工日期"),
    ):
        box = page.locator(f"#id_{field}").locator("xpath=ancestor::div[contains(@class,'col-')][1]")
        assert message in box.inner_text(), field
    shot(page, "projects-form-five-ones-refused")
    assert not Project.objects.filter(code="GZ-E2E-FORM").exists()


def test_project_problem_title_limit_comes_from_the_case_model(page, world):
    """登记项目问题: the title's limit is the case title's (the model), said while typing and
    refused by the server, the text never cut; within the limit the problem becomes a case."""
    from tests.enterprises.helpers import make_enterprise
    from zhuqi.cases.models import Case

    limit = Case._meta.get_field("title").max_length
    owner = make_enterprise("尉氏县恒达生物基新材料有限公司", world.park)
    p = services.create_project(
        actor=world.admin,
        code="GZ-E2E-PROB",
        name="生物基新材料二期",
        region=world.park,
        department=world.jxj,
        leader=world.leader,
        owner=owner,
        total_investment=Decimal("500000000"),
    )
    log_in(page, "alice", PASSWORD)
    page.goto(f"/projects/{p.pk}/")
    form = page.locator("[data-testid=problem-form]")
    title = form.locator("input[name=title]")
    assert title.get_attribute("data-maxlength") == str(limit) and title.get_attribute("maxlength") is None
    long_title = "二期厂房施工用电线路迟迟未接入影响设备调试" * 7
    assert len(long_title) > limit
    title.fill(long_title)
    assert title.input_value() == long_title  # nothing cut
    note = form.locator("input[name=title] + [data-testid=length-note]")
    assert note.is_visible() and f"最多 {limit} 个字，现在是 {len(long_title)} 个字" in note.inner_text()
    form.locator("textarea[name=description]").fill("10kV 专线尚未立杆")
    shot(page, "projects-problem-title-too-long")
    form.locator("button").click()
    page.wait_for_selector(".alert-danger")
    assert f"诉求标题最多 {limit} 个字" in page.locator(".alert-danger").inner_text()
    assert not Case.objects.exists()
    form = page.locator("[data-testid=problem-form]")
    form.locator("input[name=title]").fill("二期厂房施工用电线路未接入")
    form.locator("textarea[name=description]").fill("10kV 专线尚未立杆")
    form.locator("button").click()
    page.wait_for_selector(".alert-success")
    assert Case.objects.get().title == "二期厂房施工用电线路未接入"

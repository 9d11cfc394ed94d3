"""Corrections in a real browser: the dispatch office corrects a case with a reason; an official
withdraws their own visit; an enterprise and a project are archived and the administrator
restores them from the 已归档 pages; a month's completed investment is overwritten only after
the confirmation page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.cases.conftest import CaseWorld
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_assistance import reference_data
from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import services as assistance_services
from zhuqi.assistance.models import Visit
from zhuqi.cases.models import Case
from zhuqi.enterprises.models import Enterprise
from zhuqi.projects import figures
from zhuqi.projects import services as project_services
from zhuqi.projects.models import InvestmentMonth, Project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dispatch_corrects_a_case_with_a_reason(page, world):
    cw = CaseWorld(world)
    case = cw.new(title="变压器容量不足")
    log_in(page, "alice", PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.click("[data-testid=case-correct]")
    form = page.locator("[data-testid=correct-form]")
    form.locator("#id_title").fill("厂区变压器容量不足，需增容 800 千伏安")
    form.locator("#id_enterprise").select_option(str(cw.ent_b.pk))
    page.click("[data-testid=correct-submit]")
    expect(page.locator("[data-testid=error-reason]")).to_have_text("请填写更正原因")
    shot(page, "corrections-case-form-error")
    page.locator("#id_reason").fill("登记时选错企业")
    page.click("[data-testid=correct-submit]")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=case-title]").inner_text() == "厂区变压器容量不足，需增容 800 千伏安"
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert (
        "更正登记信息" in timeline and "登记时选错企业" in timeline and "尉氏县金源食品有限公司" in timeline
    )
    shot(page, "corrections-case-history")
    assert Case.objects.get(pk=case.pk).enterprise == cw.ent_b


def test_official_withdraws_own_visit_on_a_phone(phone, world):
    reference_data()
    ent = make_enterprise("恒顺集团有限公司", world.grid)
    assistance_services.assign(
        ent, year=timezone.localdate().year, role="commissioner", user=world.commissioner, actor=world.alice
    )
    visit = assistance_services.record_visit(ent, actor=world.commissioner, findings="了解生产经营情况")
    log_in(phone, "commissioner", PASSWORD)
    phone.goto(f"/assistance/visits/{visit.pk}/")
    phone.click("[data-testid=visit-amend]")
    phone.on("dialog", lambda d: d.accept())
    phone.locator("[data-testid=visit-withdraw-form] input[name=reason]").fill("记错了企业")
    shot(phone, "corrections-visit-withdraw-phone")
    phone.click("[data-testid=visit-withdraw-submit]")
    phone.wait_for_selector(".alert-success")
    assert "不再计入走访次数和走访考核" in phone.locator(".alert-success").inner_text()
    assert not Visit.objects.exists() and Visit.all_objects.get().withdraw_reason == "记错了企业"
    assert phone.goto(f"/assistance/visits/{visit.pk}/").status == 404


def test_enterprise_archived_and_restored(page, world):
    make_enterprise("恒顺集团有限公司", world.grid)
    dup = make_enterprise("恒顺集团有限公司（重复）", world.grid)
    log_in(page, "alice", PASSWORD)
    page.goto(f"/enterprises/{dup.pk}/")
    page.click("[data-testid=enterprise-archive]")
    page.click("[data-testid=archive-submit]")
    expect(page.locator("[data-testid=error-reason]")).to_have_text("请填写归档原因")
    page.fill("[data-testid=archive-reason]", "与恒顺集团有限公司重复登记")
    shot(page, "corrections-enterprise-archive")
    page.click("[data-testid=archive-submit]")
    page.wait_for_selector(".alert-success")
    assert "（重复）" not in page.locator("[data-testid=enterprise-table]").inner_text()
    assert not Enterprise.objects.filter(pk=dup.pk).exists()

    page.context.clear_cookies()
    log_in(page, "admin", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="已归档企业").click()
    row = page.locator("[data-testid=archived-row]")
    expect(row).to_have_count(1)
    assert "与恒顺集团有限公司重复登记" in row.inner_text()
    shot(page, "corrections-archived-enterprises")
    row.locator("[data-testid=restore]").click()
    page.wait_for_selector(".alert-success")
    assert page.url.endswith(f"/enterprises/{dup.pk}/")
    assert Enterprise.objects.filter(pk=dup.pk).exists()


def test_actual_overwrite_confirmed_and_project_archived(page, world):
    year, month = figures.report_period(timezone.localdate())
    project = project_services.create_project(
        actor=world.admin,
        code="GZ-E2E-009",
        name="年产5万吨可降解材料项目",
        region=world.park,
        department=world.jxj,
        leader=world.leader,
        total_investment=Decimal("500000000"),
        planned_start=dt.date(year, 1, 10),
    )
    project_services.record_actual(
        project, year=year, month=month, amount=Decimal("100000"), actor=world.alice
    )
    log_in(page, "alice", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    form = page.locator("[data-testid=actual-form]")
    form.locator("input[name=year]").fill(str(year))
    form.locator("input[name=month]").fill(str(month))
    form.locator("input[name=amount_wan]").fill("12")
    form.locator("button").click()
    confirm = page.locator("[data-testid=actual-confirm]")
    expect(page.locator("[data-testid=actual-old]")).to_have_text("10.00 万元")
    assert page.locator("[data-testid=actual-new]").inner_text() == "12.00 万元"
    shot(page, "corrections-actual-confirm")
    confirm.locator("[data-testid=actual-reason]").fill("统计局核定后更正")
    page.click("[data-testid=actual-confirm-submit]")  # the box is not ticked yet
    expect(page.locator("[data-testid=error-confirm]")).to_contain_text("请勾选确认修改已填报的数值")
    page.check("[data-testid=actual-confirm-box]")
    page.click("[data-testid=actual-confirm-submit]")
    page.wait_for_selector(".alert-success")
    assert InvestmentMonth.objects.get(project=project, month=month).actual == Decimal("120000")

    page.click("[data-testid=project-archive]")
    page.fill("[data-testid=archive-reason]", "重复录入")
    page.click("[data-testid=archive-submit]")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=project-count]").inner_text() == "0"
    page.context.clear_cookies()
    log_in(page, "admin", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="已归档项目").click()
    page.locator("[data-testid=archived-row] [data-testid=restore]").click()
    page.wait_for_selector(".alert-success")
    assert Project.objects.filter(pk=project.pk).exists()

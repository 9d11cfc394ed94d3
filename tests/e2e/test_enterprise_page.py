"""The enterprise page before a visit: the official sees the enterprise's open 诉求 (status and
nearest deadline), the recently closed ones and its key projects (stage, light); the enterprise's
own 本企业 page shows its 五位一体 team with mobile numbers and the reply deadline of its cases."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.cases.conftest import CaseWorld
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_assistance import reference_data
from tests.projects.conftest import make_project
from zhuqi.assistance import services as assistance_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def visit_ready(world):
    reference_data()
    cw = CaseWorld(world)
    world.leader.mobile = "13912340001"
    world.leader.save(update_fields=["mobile"])
    assistance_services.assign(
        cw.ent, year=cw.ent.created_at.year, role="county_leader", user=world.leader, actor=world.alice
    )
    signed = cw.to("signed", title="厂区变压器容量不足")
    cw.to("closed", title="招工难已协调")
    cw.to("submitted", ent=cw.ent_other, title="通许县企业的诉求", actor=world.charlie)
    make_project(world, owner=cw.ent, name="华丰纺织智能织造技改项目")
    return {"ent": cw.ent, "signed": signed}


def test_official_sees_open_cases_and_projects_before_a_visit(page, world, visit_ready):
    log_in(page, "alice", PASSWORD)
    page.goto(f"/enterprises/{visit_ready['ent'].pk}/")
    cases = page.locator("[data-testid=enterprise-cases]")
    open_case = cases.locator("[data-testid=open-case]", has_text="厂区变压器容量不足")
    expect(open_case).to_have_count(1)
    assert "最近期限" in open_case.inner_text()
    assert "招工难已协调" in cases.locator("[data-testid=closed-cases]").inner_text()
    assert "通许县企业的诉求" not in page.content()
    project = page.locator("[data-testid=enterprise-project]", has_text="华丰纺织智能织造技改项目")
    expect(project.locator("[data-testid=light]")).to_have_count(1)
    shot(page, "enterprise-page-1-official-cases-projects")
    open_case.locator("a").click()
    page.wait_for_selector("[data-testid=clocks]")


def test_enterprise_sees_its_team_phones_and_reply_due_on_a_phone(phone, world, visit_ready):
    log_in(phone, "ent_user", PASSWORD)
    phone.goto("/enterprises/mine/")
    team = phone.locator("[data-testid=team]")
    expect(team.locator('a[href="tel:13912340001"]')).to_have_count(1)
    case = phone.locator("[data-testid=open-case]", has_text="厂区变压器容量不足")
    assert "答复期限" in case.inner_text() and "最近期限" not in case.inner_text()
    shot(phone, "enterprise-page-2-enterprise-team-and-cases")
    case.locator("a").click()
    dues = phone.locator("[data-testid=enterprise-dues]")
    dues.wait_for()
    assert "答复期限" in dues.inner_text() and "签收期限" not in phone.content()
    expect(phone.locator("[data-testid=clocks]")).to_have_count(0)
    shot(phone, "enterprise-page-3-enterprise-case-dues")

"""Links a role is shown work for that role (issue #11): the grid member opens 走访考核 from
the menu and follows the names it may follow (the county leader's is plain text, not a link to
a 404); the observer reads an enterprise's visits but is offered no 记走访; the enterprise user
sees its projects without an 导入完成投资 button."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_assistance import reference_data
from tests.enterprises.helpers import make_enterprise
from tests.projects.conftest import make_project
from zhuqi.assistance import services
from zhuqi.assistance.models import VisitRule
from zhuqi.enterprises.models import EnterpriseUser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ent(world):
    reference_data()
    VisitRule.objects.update_or_create(role="grid_member", defaults={"period": "month", "min_visits": 1})
    hs = make_enterprise("固镇恒顺集团有限公司", world.grid)
    year = hs.created_at.year
    services.assign(hs, year=year, role="county_leader", user=world.leader, actor=world.alice)
    services.assign(hs, year=year, role="grid_member", user=world.grid_member, actor=world.alice)
    EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=hs)
    return hs


def test_grid_member_follows_only_names_that_open(page, world, ent):
    log_in(page, "grid_member", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="走访考核").click()
    table = page.locator("[data-testid=compliance-table]")
    table.wait_for()
    assert "leader" in table.inner_text()
    expect(table.locator("a", has_text="leader")).to_have_count(0)  # the county leader: a name, not a link
    shot(page, "permissions-1-grid-compliance")
    table.locator("a", has_text="grid_member").click()
    page.wait_for_load_state()
    assert "grid_member" in page.locator("h1").inner_text()
    # the team on the enterprise page: the leader's name is not a link either
    page.goto(page.url.split("/assistance/")[0] + f"/enterprises/{ent.pk}/")
    team = page.locator("[data-testid=team]")
    assert "leader" in team.inner_text() and team.locator("a", has_text="leader").count() == 0
    shot(page, "permissions-2-grid-team")


def test_observer_reads_visits_but_is_offered_no_visit_form(page, world, ent):
    log_in(page, "observer", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="走访记录").click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=record-visit-link]")).to_have_count(0)
    expect(page.locator("[data-testid=nav-menu] a", has_text="我的企业")).to_have_count(0)
    expect(page.locator("[data-testid=nav-menu] a", has_text="数据导入")).to_have_count(0)
    shot(page, "permissions-3-observer-visits")


def test_enterprise_user_sees_its_project_without_an_import_button(page, world, ent):
    make_project(world, region=world.grid, owner=ent)
    log_in(page, "ent_user", PASSWORD)
    page.locator("[data-testid=nav-menu] a", has_text="重点项目").click()
    page.wait_for_selector("[data-testid=project-count]")
    assert page.locator("[data-testid=project-count]").inner_text() == "1"
    expect(page.locator("[data-testid=import-investment]")).to_have_count(0)
    assert "导入完成投资" not in page.content()
    shot(page, "permissions-4-enterprise-projects")

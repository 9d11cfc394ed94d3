"""Project problems are cases (诉求) with the project linked, so the cases figures include
them: overdue approvals go to their department as dispatched cases, and anyone who may raise a
problem for the owner enterprise can register one from the project page."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.enterprises.helpers import make_enterprise
from tests.projects.conftest import make_project
from zhuqi.cases.models import Case
from zhuqi.projects import services
from zhuqi.projects.models import ProjectCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(world):
    owner = make_enterprise("尉氏县恒达新材料有限公司", world.park)
    return make_project(world, code="P100", name="恒达生物基新材料二期", owner=owner)


def test_overdue_approval_becomes_a_case_dispatched_to_its_department(world, owned):
    step = owned.approvals.get(step_type__code="land_use")
    step.department = world.zrzy
    step.save()
    with time_machine.travel(dt.datetime(2026, 11, 2, 1, tzinfo=dt.UTC), tick=False):
        services.start_approval(step, started_on=dt.date(2026, 9, 25), actor=world.alice)
        assert services.sweep_overdue_approvals(dt.date(2026, 11, 2)) == 1
        assert services.sweep_overdue_approvals(dt.date(2026, 11, 3)) == 0  # raised once
    link = ProjectCase.objects.get()
    case = link.case
    assert link.project == owned and link.source == "approval_overdue"
    assert case.channel == "project" and case.status == "dispatched"
    assert case.enterprise == owned.owner and case.lead_department == world.zrzy
    assert "恒达生物基新材料二期" in case.description and "用地" in case.title
    # the department sees it in its scope; the other county does not
    assert Case.objects.visible_to(world.zr_handler).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(world.charlie).filter(pk=case.pk).exists()


def test_overdue_approval_of_a_project_without_owner_is_notified_not_a_case(world, project):
    step = project.approvals.get(step_type__code="land_use")
    step.department = world.zrzy
    step.save()
    services.start_approval(step, started_on=dt.date(2026, 9, 25), actor=world.alice)
    assert services.sweep_overdue_approvals(dt.date(2026, 11, 2)) == 1
    assert not Case.objects.exists()
    assert world.zr_handler.notifications.filter(title__startswith="审批逾期").exists()


def test_problem_registered_on_the_project_page_enters_the_case_pool(world, owned, login):
    client = login(world.alice)
    url = reverse("projects:problem_raise", args=[owned.pk])
    response = client.post(
        url, {"title": "施工用电线路未接入", "description": "10kV 专线尚未立杆"}, follow=True
    )
    case = Case.objects.get()
    assert case.status == "submitted" and case.channel == "project" and case.created_by == world.alice
    assert owned.case_links.get().case == case
    page = response.content.decode()
    assert case.no in page and "施工用电线路未接入" in page and "专班办公室将受理交办" in page
    case_page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="source-project"' in case_page and "恒达生物基新材料二期" in case_page


def test_problem_form_refuses_empty_input_and_other_counties(world, owned, login, project):
    client = login(world.alice)
    response = client.post(
        reverse("projects:problem_raise", args=[owned.pk]), {"title": "", "description": "x"}, follow=True
    )
    assert "请填写诉求标题" in response.content.decode() and not Case.objects.exists()
    no_owner = client.post(
        reverse("projects:problem_raise", args=[project.pk]), {"title": "t", "description": "d"}, follow=True
    )
    assert "没有业主企业" in no_owner.content.decode() and not Case.objects.exists()
    charlie = login(world.charlie)
    assert (
        charlie.post(
            reverse("projects:problem_raise", args=[owned.pk]), {"title": "t", "description": "d"}
        ).status_code
        == 404
    )
    assert not Case.objects.exists()


def test_project_cases_count_in_the_case_figures_by_channel(world, owned, login):
    from zhuqi.cases import figures

    services.raise_problem(owned, title="环评批复延迟", description="等待批复", actor=world.alice)
    rows = {r["key"]: r for r in figures.by_dimension(Case.objects.visible_to(world.alice), "channel")}
    assert rows["project"]["label"] == "项目推进"
    assert sum(r["close_rate"]["d"] for r in rows.values()) == 0  # submitted, not yet accepted
    assert figures.by_dimension(Case.objects.visible_to(world.charlie), "channel") == []


def test_problem_title_limit_is_the_case_title_limit_and_nothing_is_cut(world, owned, login):
    """The project page's problem form takes its limits from the case model (no hand-written
    maxlength that silently cuts): the limit is said while typing (data-maxlength) and a title
    over it is refused naming the field, nothing saved."""
    limit = Case._meta.get_field("title").max_length
    client = login(world.alice)
    page = client.get(reverse("projects:project_detail", args=[owned.pk])).content.decode()
    form = page[page.index('data-testid="problem-form"') :]
    form = form[: form.index("</form>")]
    assert f'data-maxlength="{limit}"' in form and 'maxlength="' not in form.replace("data-maxlength", "")
    description_limit = Case._meta.get_field("description").max_length
    assert f'data-maxlength="{description_limit}"' in form
    response = client.post(
        reverse("projects:problem_raise", args=[owned.pk]),
        {"title": "施" * (limit + 1), "description": "10kV 专线尚未立杆"},
        follow=True,
    )
    assert f"诉求标题最多 {limit} 个字，现在是 {limit + 1} 个字" in response.content.decode()
    assert not Case.objects.exists()
    # and the service never cuts a person's title either
    with pytest.raises(ValidationError):
        services.raise_problem(owned, title="施" * (limit + 1), description="d", actor=world.alice)
    assert not Case.objects.exists()

"""The violations issue #11 found, fixed by the permission matrix: the observer recorded visits
and was offered imports, the enterprise user saw an 导入完成投资 button leading to a 404, and the
grid member's 走访考核 names and the people and regions on pages led to 404."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.enterprises.helpers import make_enterprise
from tests.projects.conftest import make_project
from zhuqi.assistance import services as assistance_services
from zhuqi.assistance.models import Assignment, Visit, VisitRule
from zhuqi.enterprises.models import EnterpriseUser
from zhuqi.projects import services as project_services
from zhuqi.projects.importers import ActualImporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def ent(world):
    ent = make_enterprise("恒顺集团有限公司", world.grid)
    year = timezone.localdate().year
    Assignment.objects.create(enterprise=ent, year=year, role="county_leader", user=world.leader)
    Assignment.objects.create(enterprise=ent, year=year, role="grid_member", user=world.grid_member)
    EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=ent)
    return ent


def test_observer_cannot_record_a_visit_anywhere(world, ent, login):
    observer = world.observer
    with pytest.raises(PermissionDenied):
        assistance_services.record_visit(ent, actor=observer, findings="生产正常")
    client = login(observer)
    assert client.get(reverse("assistance:visit_create")).status_code == 404
    r = client.post(
        reverse("assistance:visit_create"),
        {
            "enterprise": ent.pk,
            "kind": "onsite",
            "visited_on": timezone.localdate().isoformat(),
            "findings": "x",
        },
    )
    assert r.status_code == 404
    api = APIClient()
    api.force_authenticate(observer)
    r = api.post(
        "/api/v1/visits/", {"enterprise": ent.pk, "kind": "onsite", "findings": "生产正常"}, format="json"
    )
    assert r.status_code == 403
    assert not Visit.objects.exists()
    # the pages an observer reads offer no 记走访
    for url in (reverse("assistance:visit_list"), reverse("enterprises:enterprise_detail", args=[ent.pk])):
        page = client.get(url)
        assert page.status_code == 200
        assert reverse("assistance:visit_create") not in page.content.decode()


def test_grid_member_still_records_visits(world, ent, login):
    client = login(world.grid_member)
    page = client.get(reverse("enterprises:enterprise_detail", args=[ent.pk])).content.decode()
    assert 'data-testid="record-visit-link"' in page
    r = client.post(
        reverse("assistance:visit_create"),
        {
            "enterprise": ent.pk,
            "kind": "onsite",
            "visited_on": timezone.localdate().isoformat(),
            "findings": "正常",
        },
    )
    assert r.status_code == 302 and Visit.objects.filter(visitor=world.grid_member).count() == 1


def test_observer_of_a_department_is_offered_no_import_and_cannot_edit_its_projects(world, ent, login):
    world.observer.department = world.jxj
    world.observer.save()
    project = make_project(world, region=world.grid, owner=ent)  # the 工信局's project
    assert not project_services.can_edit(world.observer, project)
    assert not ActualImporter.allowed(world.observer)
    client = login(world.observer)
    page = client.get(reverse("projects:project_list")).content.decode()
    assert 'data-testid="import-investment"' not in page
    assert client.get(reverse("core:import", args=["investment"])).status_code == 404
    assert client.get(reverse("core:import_index")).status_code == 404
    assert reverse("core:import_index") not in page  # no 数据导入 in the menu either
    # the 工信局's handler, who may fill in the project, is offered the import and it opens
    handler = login(world.bob)
    page = handler.get(reverse("projects:project_list")).content.decode()
    assert 'data-testid="import-investment"' in page
    assert handler.get(reverse("core:import", args=["investment"])).status_code == 200


def test_enterprise_user_sees_no_import_button(world, ent, login):
    make_project(world, region=world.grid, owner=ent)
    client = login(world.enterprise_user)
    page = client.get(reverse("projects:project_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "导入完成投资" not in body and reverse("core:import", args=["investment"]) not in body
    assert client.get(reverse("core:import", args=["investment"])).status_code == 404


def _links(html: str, prefix: str) -> set[str]:
    return {h for h in re.findall(r'href="([^"]+)"', html) if h.startswith(prefix)}


def test_grid_member_compliance_names_link_only_to_pages_that_open(world, ent, login):
    VisitRule.objects.create(role="grid_member", period="month", min_visits=1)  # the grid member's own row
    client = login(world.grid_member)
    html = client.get(reverse("assistance:compliance")).content.decode()
    # the county leader assigned to an enterprise of the grid is listed by name ...
    assert world.leader.display_name in html
    # ... but not as a link: the grid member may not open the leader's page
    assert reverse("assistance:compliance_official", args=[world.leader.pk]) not in html
    links = _links(html, "/assistance/compliance/people/")
    assert any(
        link.startswith(reverse("assistance:compliance_official", args=[world.grid_member.pk]))
        for link in links
    )
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    # the dispatch office, who may open the leader's page, gets the link
    html = login(world.alice).get(reverse("assistance:compliance")).content.decode()
    assert reverse("assistance:compliance_official", args=[world.leader.pk]) in html


def test_team_on_the_enterprise_page_links_only_people_the_viewer_may_open(world, ent, login):
    client = login(world.grid_member)
    html = client.get(reverse("enterprises:enterprise_detail", args=[ent.pk])).content.decode()
    assert world.leader.display_name in html
    assert reverse("core:user_detail", args=[world.leader.pk]) not in html
    for link in _links(html, "/core/people/"):
        assert client.get(link).status_code == 200, link
    html = login(world.alice).get(reverse("enterprises:enterprise_detail", args=[ent.pk])).content.decode()
    assert reverse("core:user_detail", args=[world.leader.pk]) in html


def test_region_page_links_only_regions_the_viewer_may_open(world, login):
    client = login(world.grid_member)
    html = client.get(reverse("core:region_detail", args=[world.grid.pk])).content.decode()
    assert world.county.name in html  # the path above is shown ...
    assert reverse("core:region_detail", args=[world.county.pk]) not in html  # ... not linked
    for link in _links(html, "/core/regions/"):
        assert client.get(link).status_code == 200, link
    html = login(world.alice).get(reverse("core:region_detail", args=[world.grid.pk])).content.decode()
    assert reverse("core:region_detail", args=[world.park.pk]) in html


def test_observer_adds_no_comment_or_attachment(world, login):
    """#21 item 5: the read-only observer reads a project but writes no comment and no file (the
    pages offer no form, a POST answers 404 and writes nothing, the services refuse); a handler
    of the responsible department still does."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhuqi.core import audit
    from zhuqi.core import services as core_services
    from zhuqi.core.models import Attachment, Comment

    project = make_project(world)

    def pdf():
        return SimpleUploadedFile("观察员意见.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")

    attach_url = reverse("core:attachment_add", args=["projects.project", project.pk])
    comment_url = reverse("core:comment_add", args=["projects.project", project.pk])
    history = len(audit.timeline(project))
    client = login(world.observer)
    page = client.get(f"/projects/{project.pk}/")
    assert page.status_code == 200 and attach_url not in page.content.decode()
    assert client.post(attach_url, {"file": pdf()}).status_code == 404
    assert client.post(comment_url, {"body": "观察员留言", "visibility": "internal"}).status_code == 404
    with pytest.raises(PermissionDenied):
        core_services.add_attachment(project, pdf(), actor=world.observer)
    with pytest.raises(PermissionDenied):
        core_services.add_comment(project, "观察员留言", actor=world.observer)
    assert not Attachment.objects.exists() and not Comment.objects.exists()
    assert len(audit.timeline(project)) == history  # no attachment_added / comment_added entry
    client = login(world.bob)
    assert attach_url in client.get(f"/projects/{project.pk}/").content.decode()
    assert client.post(attach_url, {"file": pdf(), "next": "/"}).status_code == 302
    assert Attachment.objects.count() == 1

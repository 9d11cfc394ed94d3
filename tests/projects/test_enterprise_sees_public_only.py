"""#11 "What an enterprise may see", beyond its case page: every page an enterprise user can open
(its enterprise's registry page and the project pages of its own projects) shows only the files
and comments addressed to it; officials see the internal ones too."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhuqi.core import services as core_services
from zhuqi.enterprises.models import Enterprise, EnterpriseUser

from .conftest import make_project

pytestmark = pytest.mark.django_db

INTERNAL = "内部评审意见稿.pdf"
PUBLIC = "致企业的告知书.pdf"


def _pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def own_project(world):
    ent = Enterprise.objects.create(
        name="安徽丰原生物材料有限公司", credit_code="91340300MA2TEST001", region=world.park
    )
    EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=ent)
    project = make_project(world, code="E01", name="丰原聚乳酸项目", owner=ent)
    core_services.add_attachment(project, _pdf(INTERNAL), actor=world.alice)
    core_services.add_attachment(project, _pdf(PUBLIC), actor=world.alice, public=True)
    return project


def test_enterprise_user_sees_public_files_only(world, own_project, client):
    pages = [f"/projects/{own_project.pk}/", f"/enterprises/{own_project.owner_id}/"]
    client.force_login(world.enterprise_user)
    project_page = client.get(pages[0]).content.decode()
    assert PUBLIC in project_page
    for url in pages:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert INTERNAL not in resp.content.decode(), url
    client.force_login(world.alice)
    page = client.get(pages[0]).content.decode()
    assert INTERNAL in page and PUBLIC in page

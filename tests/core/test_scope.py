"""Data scope: a user of one county cannot see another county's regions, departments or people,
on pages or in the API; outside scope is 404, never 403-with-data."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_dispatch_lists_show_only_own_county(world, login):
    client = login(world.alice)
    page = client.get(reverse("core:department_list"))
    names = [d.name for d in page.context["page"]]
    assert "尉氏县工信局" in names and "通许县工信局" not in names

    regions = [r.name for r in client.get(reverse("core:region_list")).context["page"]]
    assert "尉氏县" in regions and "通许县" not in regions and "开封市" not in regions

    people = [u.username for u in client.get(reverse("core:user_list")).context["page"]]
    assert "bob" in people and "charlie" not in people and "other_handler" not in people


@pytest.mark.parametrize(
    "name, attr",
    [("core:department_detail", "other_jxj"), ("core:region_detail", "other_county")],
)
def test_other_county_detail_is_404(world, login, name, attr):
    client = login(world.alice)
    assert client.get(reverse(name, args=[getattr(world, attr).pk])).status_code == 404


def test_other_county_person_is_404_and_own_is_200(world, login):
    client = login(world.alice)
    assert client.get(reverse("core:user_detail", args=[world.charlie.pk])).status_code == 404
    assert client.get(reverse("core:user_detail", args=[world.bob.pk])).status_code == 200


def test_scope_is_symmetric_for_the_other_county(world, login):
    client = login(world.charlie)
    assert client.get(reverse("core:department_detail", args=[world.jxj.pk])).status_code == 404
    names = [d.name for d in client.get(reverse("core:department_list")).context["page"]]
    assert names == ["通许县工信局"]


def test_grid_member_sees_only_their_grid_subtree(world, login):
    client = login(world.grid_member)
    regions = [r.name for r in client.get(reverse("core:region_list")).context["page"]]
    assert regions == ["经开区一网格"]
    assert client.get(reverse("core:region_detail", args=[world.grid2.pk])).status_code == 404
    assert client.get(reverse("core:user_list")).status_code == 404


def test_enterprise_user_sees_no_government_rows(world, login):
    """Regions and departments are not pages for enterprise staff (core.regions.view and
    core.departments.view in the permission matrix): hidden, as if they did not exist."""
    client = login(world.enterprise_user)
    assert client.get(reverse("core:department_list")).status_code == 404
    assert client.get(reverse("core:region_list")).status_code == 404
    assert client.get(reverse("core:department_detail", args=[world.jxj.pk])).status_code == 404


def test_admin_sees_everything(world, login):
    client = login(world.admin)
    assert client.get(reverse("core:department_detail", args=[world.other_jxj.pk])).status_code == 200
    assert client.get(reverse("core:department_list")).context["page"].paginator.count == 5


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("core:department_list"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


@pytest.mark.parametrize("endpoint", ["region", "department", "user"])
def test_api_lists_and_details_are_scoped(world, login, endpoint):
    client = login(world.alice)
    other = {"region": world.other_county, "department": world.other_jxj, "user": world.charlie}[endpoint]
    own = {"region": world.county, "department": world.jxj, "user": world.bob}[endpoint]
    listing = client.get(f"/api/v1/{endpoint}s/?page_size=500").json()
    ids = {row["id"] for row in listing["results"]}
    assert own.pk in ids and other.pk not in ids
    missing = client.get(f"/api/v1/{endpoint}s/{other.pk}/")
    assert missing.status_code == 404 and missing.json() == {"detail": "未找到该对象"}
    assert client.get(f"/api/v1/{endpoint}s/{own.pk}/").status_code == 200


def test_api_requires_authentication(world, client):
    assert client.get("/api/v1/departments/").status_code in (401, 403)


def test_openapi_schema_is_served(world, login):
    response = login(world.alice).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/departments/" in response.content

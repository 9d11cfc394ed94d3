"""Province-sized lists: capped counts on pages and in the API, keyset (cursor) paging in the API,
and the copied region path that makes scope one indexed prefix match."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.enterprises.helpers import make_enterprise
from zhuqi.core import paging
from zhuqi.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def many(world):
    """Seven enterprises in 尉氏县 (alice's county), two in 通许县 (charlie's)."""
    mine = [make_enterprise(f"尉氏{i}号机械有限公司", world.grid if i % 2 else world.town) for i in range(7)]
    other = [make_enterprise(f"通许{i}号纺织有限公司", world.other_grid) for i in range(2)]
    return mine, other


def test_page_count_stops_at_the_cap_and_says_so(world, many, login, monkeypatch):
    monkeypatch.setattr(paging.CappedPaginator, "cap", 5)
    c = login(world.alice)
    page = c.get(reverse("enterprises:enterprise_list"))
    paginator = page.context["page"].paginator
    assert paginator.count == 5 and paginator.is_capped
    assert "超过 5 条，请用筛选缩小范围" in page.content.decode()
    # a filter that brings the list under the cap shows the exact number again
    small = c.get(reverse("enterprises:enterprise_list"), {"region": world.grid.pk})
    assert small.context["page"].paginator.count == 3
    assert not small.context["page"].paginator.is_capped


def test_api_page_numbers_report_a_capped_count(world, many, monkeypatch):
    monkeypatch.setattr(paging.CappedPaginator, "cap", 5)
    body = api(world.alice).get("/api/v1/enterprises/", {"page_size": 2}).json()
    assert body["count"] == 5 and body["count_capped"] is True
    body = api(world.charlie).get("/api/v1/enterprises/").json()
    assert body["count"] == 2 and body["count_capped"] is False


def test_api_cursor_walks_the_whole_scope_once_in_order(world, many):
    mine, other = many
    c = api(world.alice)
    seen: list[str] = []
    url, params = "/api/v1/enterprises/", {"cursor": "", "page_size": 3}
    for _ in range(10):
        r = c.get(url, params)
        assert r.status_code == 200
        body = r.json()
        assert "count" not in body  # keyset pages never count
        seen += [row["name"] for row in body["results"]]
        if not body["next"]:
            break
        url, params = body["next"], {}
    assert seen == sorted(e.name for e in mine)  # the API's order: by name
    assert not {e.name for e in other} & set(seen)


def test_case_api_cursor_pages_are_scoped(world, many):
    from zhuqi.cases import services

    mine, other = many
    for ent in mine[:4]:
        services.create_case(
            ent, channel="visit", title="用电报装", description="新厂房用电", actor=world.alice
        )
    services.create_case(other[0], channel="visit", title="用工", description="招工难", actor=world.charlie)
    c = api(world.alice)
    first = c.get("/api/v1/cases/", {"cursor": "", "page_size": 3}).json()
    second = c.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(ids) == 4 and len(set(ids)) == 4 and second["next"] is None
    assert api(world.charlie).get("/api/v1/cases/", {"cursor": ""}).json()["results"][0]["title"] == "用工"


def test_region_path_is_copied_on_save_bulk_create_and_bulk_update(world):
    e = make_enterprise("恒顺集团有限公司", world.grid)
    assert Enterprise.objects.get(pk=e.pk).region_path == world.grid.path
    e.region = world.other_grid
    e.save(update_fields=["region"])
    assert Enterprise.objects.get(pk=e.pk).region_path == world.other_grid.path
    # loaded from the database and saved without touching the region: no lookup, same path
    loaded = Enterprise.objects.get(pk=e.pk)
    loaded.address = "迎宾大道 1 号"
    loaded.save()
    assert Enterprise.objects.get(pk=e.pk).region_path == world.other_grid.path
    from tests.enterprises.helpers import credit_code

    made = Enterprise.objects.bulk_create(
        [Enterprise(name=f"批量{i}有限公司", credit_code=credit_code(), region=world.town) for i in range(3)]
    )
    assert set(
        Enterprise.objects.filter(pk__in=[m.pk for m in made]).values_list("region_path", flat=True)
    ) == {world.town.path}
    for m in made:
        m.region = world.grid2
    Enterprise.objects.bulk_update(made, ["region"])
    assert set(
        Enterprise.objects.filter(pk__in=[m.pk for m in made]).values_list("region_path", flat=True)
    ) == {world.grid2.path}


def test_a_moved_enterprise_leaves_one_scope_and_enters_the_other(world):
    e = make_enterprise("恒顺集团有限公司", world.grid)
    assert Enterprise.objects.visible_to(world.alice).filter(pk=e.pk).exists()
    e.region = world.other_grid
    e.save()
    assert not Enterprise.objects.visible_to(world.alice).filter(pk=e.pk).exists()
    assert Enterprise.objects.visible_to(world.charlie).filter(pk=e.pk).exists()


def test_assigned_enterprise_outside_the_region_stays_visible_and_updates_at_once(world):
    """A commissioner's scope is their assignments; the list follows a new assignment
    without a new login (the cached scope re-reads after assignments change)."""
    from django.utils import timezone

    from zhuqi.assistance import services as assistance

    far = make_enterprise("通许装备制造有限公司", world.other_grid)
    assert not Enterprise.objects.visible_to(world.commissioner).filter(pk=far.pk).exists()
    assistance.assign(
        far, year=timezone.localdate().year, role="commissioner", user=world.commissioner, actor=world.admin
    )
    assert Enterprise.objects.visible_to(world.commissioner).filter(pk=far.pk).exists()


def test_region_filter_offers_the_two_levels_below_the_viewer(world, login):
    admin_choices = set(login(world.admin).get(reverse("enterprises:enterprise_list")).context["regions"])
    assert {world.city, world.county, world.other_county} <= admin_choices
    assert world.grid not in admin_choices and world.town not in admin_choices
    county_choices = set(login(world.alice).get(reverse("enterprises:enterprise_list")).context["regions"])
    assert {world.town, world.park, world.grid, world.grid2} == county_choices


def test_deep_pages_look_their_rows_up_by_id_and_keep_the_order(world, many, monkeypatch, login):
    """Past LATE_LOOKUP_FROM rows a page first takes its ids, then those rows: same rows, same
    order, same annotations as the plain slice."""
    from zhuqi.cases import services

    mine, _other = many
    for i, ent in enumerate(mine * 3):
        services.create_case(ent, channel="visit", title=f"诉求{i}", description="用电", actor=world.alice)
    c = login(world.alice)
    plain = [row.pk for row in c.get(reverse("cases:list"), {"page": 1}).context["page"]]
    monkeypatch.setattr(paging, "LATE_LOOKUP_FROM", 0)
    looked_up = c.get(reverse("cases:list"), {"page": 1}).context["page"]
    assert [row.pk for row in looked_up] == plain
    assert all(hasattr(row, "rag") for row in looked_up)  # the list's annotation is kept
    p = paging.CappedPaginator(Enterprise.objects.order_by("-name", "pk"), 4)
    assert [e.pk for e in p.page(2)] == [e.pk for e in Enterprise.objects.order_by("-name", "pk")[4:8]]

"""An enterprise list's member count and progress count only the enterprises the viewer may see:
a grid member sees his grid's members of a county pool, not the county's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.enterprises.helpers import make_enterprise
from zhuqi.enterprises import services
from zhuqi.enterprises.models import EnterpriseList

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world):
    pool = EnterpriseList.objects.create(
        name="2026年小升规培育库", kind="pool", pool="small_to_scale", year=2026, goal=10, region=world.county
    )
    for i in range(2):
        m = services.enter_list(pool, make_enterprise(f"一网格企业{i}", world.grid), actor=world.alice)
        services.mark_achieved(m, actor=world.alice)
    for i in range(4):
        services.enter_list(pool, make_enterprise(f"二网格企业{i}", world.grid2), actor=world.alice)
    return pool


def test_list_index_counts_only_members_in_the_viewers_scope(world, login, pool):
    page = login(world.grid_member).get(reverse("enterprises:list_index")).content.decode()
    assert "2 / 10 户（20.0%），在库 2 户" in page
    page = login(world.alice).get(reverse("enterprises:list_index")).content.decode()
    assert "2 / 10 户（20.0%），在库 6 户" in page


def test_list_detail_counts_only_members_in_the_viewers_scope(world, login, pool):
    page = login(world.grid_member).get(reverse("enterprises:list_detail", args=[pool.pk])).content.decode()
    assert "在库 2 户" in page and "在库 6 户" not in page


def test_api_progress_counts_only_members_in_the_viewers_scope(world, login, pool):
    rows = login(world.grid_member).get("/api/v1/enterprise-lists/").json()["results"]
    assert rows[0]["progress"]["members"] == 2 and rows[0]["progress"]["achieved"] == 2
    one = login(world.alice).get(f"/api/v1/enterprise-lists/{pool.pk}/").json()
    assert one["progress"]["members"] == 6 and one["progress"]["achieved"] == 2


def test_a_viewer_with_no_enterprises_sees_zero(world, login, pool):
    """A commissioner with no assignment sees the county's list (lists are by region) but none
    of its members."""
    assert pool.progress(world.commissioner)["members"] == 0


def test_an_overlong_entry_or_exit_reason_is_refused_naming_it(world):
    """The pages pass the reason as typed: the service, not PostgreSQL, refuses one too long."""
    from django.core.exceptions import ValidationError

    lst = EnterpriseList.objects.create(name="长原因库", kind="pool", region=world.county)
    ent = make_enterprise("长原因企业", world.grid)
    with pytest.raises(ValidationError) as refused:
        services.enter_list(lst, ent, actor=world.alice, reason="原" * 201)
    assert "入库原因" in str(refused.value)
    m = services.enter_list(lst, ent, actor=world.alice, reason="原" * 200)
    with pytest.raises(ValidationError) as refused:
        services.exit_list(m, actor=world.alice, reason="因" * 201)
    assert "出库原因" in str(refused.value)
    assert services.exit_list(m, actor=world.alice, reason=" 已升规 ").exit_reason == "已升规"

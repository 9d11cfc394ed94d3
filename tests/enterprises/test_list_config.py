"""Enterprise lists and cultivation pools as configuration pages: create and edit for the
dispatch office in its own subtree, bad input named, history shown."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from zhuqi.core.models import AuditEntry
from zhuqi.enterprises import services
from zhuqi.enterprises.models import EnterpriseList

pytestmark = pytest.mark.django_db


def test_dispatch_creates_and_edits_a_pool(world):
    pool = services.save_enterprise_list(
        None,
        actor=world.alice,
        name="2026年小升规培育库",
        kind="pool",
        pool="small_to_scale",
        region=world.county,
        year=2026,
        goal=30,
    )
    assert (pool.kind, pool.pool, pool.goal, pool.is_active) == ("pool", "small_to_scale", 30, True)
    services.save_enterprise_list(pool, actor=world.alice, goal=40, is_active=False)
    pool.refresh_from_db()
    assert (pool.goal, pool.is_active) == (40, False)
    events = AuditEntry.objects.filter(object_type="enterprises.enterpriselist", object_id=str(pool.pk))
    assert {"list_created", "list_changed"} <= set(events.values_list("event", flat=True))


def test_bad_input_scope_and_role(world):
    with pytest.raises(ValidationError) as exc:
        services.save_enterprise_list(None, actor=world.alice, name=" ", kind="list", region=world.county)
    assert exc.value.message_dict == {"name": ["请填写名称"]}
    with pytest.raises(ValidationError) as exc:
        services.save_enterprise_list(
            None, actor=world.alice, name="培育库", kind="pool", region=world.county
        )
    assert exc.value.message_dict == {"pool": ["培育库请选择培育方向"]}
    with pytest.raises(ValidationError) as exc:  # another county's region: as if it did not exist
        services.save_enterprise_list(
            None, actor=world.alice, name="清单", kind="list", region=world.other_county
        )
    assert exc.value.message_dict == {"region": ["找不到该区划（或不在您的管辖范围内）"]}
    services.save_enterprise_list(None, actor=world.alice, name="重点清单", kind="list", region=world.county)
    with pytest.raises(ValidationError) as exc:
        services.save_enterprise_list(
            None, actor=world.alice, name="重点清单", kind="list", region=world.county
        )
    assert "已有名为「重点清单」的清单" in exc.value.message_dict["name"][0]
    with pytest.raises(PermissionDenied):
        services.save_enterprise_list(None, actor=world.leader, name="x", kind="list", region=world.county)
    county_list = EnterpriseList.objects.get(name="重点清单")
    with pytest.raises(Http404):
        services.save_enterprise_list(county_list, actor=world.charlie, goal=3)
    assert EnterpriseList.objects.count() == 1


def test_list_pages(world, login):
    client = login(world.alice)
    assert 'data-testid="list-create"' in client.get("/enterprises/lists/").content.decode()
    form = {
        "name": "专精特新培育库",
        "kind": "pool",
        "pool": "",
        "region": world.county.pk,
        "year": 2026,
        "goal": 12,
        "is_active": "on",
    }
    assert "培育库请选择培育方向" in client.post("/enterprises/lists/new/", form).content.decode()
    resp = client.post("/enterprises/lists/new/", {**form, "pool": "specialised"})
    lst = EnterpriseList.objects.get(name="专精特新培育库")
    assert resp.status_code == 302 and resp.url == f"/enterprises/lists/{lst.pk}/"
    resp = client.post(
        f"/enterprises/lists/{lst.pk}/edit/", {**form, "pool": "specialised", "goal": 15, "is_active": "on"}
    )
    assert resp.status_code == 302
    page = client.get(f"/enterprises/lists/{lst.pk}/edit/").content.decode()
    assert 'data-testid="config-history"' in page and "修改清单" in page
    assert login(world.leader).get("/enterprises/lists/new/").status_code == 404
    assert login(world.charlie).get(f"/enterprises/lists/{lst.pk}/edit/").status_code == 404

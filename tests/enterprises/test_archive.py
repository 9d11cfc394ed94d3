"""Archiving a mistaken enterprise: gone from every list, search, count, export and the API,
refused while something still points to it, restored by the administrator, audited."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.enterprises.helpers import credit_code, make_enterprise
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.enterprises import services
from zhuqi.enterprises.models import Enterprise, EnterpriseList, ListMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(world):
    real = make_enterprise("恒顺集团有限公司", world.grid)
    dup = make_enterprise("恒顺集团有限公司（重复）", world.grid)
    return real, dup


def test_archived_enterprise_vanishes_everywhere_and_comes_back(world, twins, login):
    real, dup = twins
    services.archive_enterprise(dup, actor=world.alice, reason="重复登记")
    client = login(world.alice)
    assert "重复" not in client.get("/enterprises/").content.decode()
    assert "重复" not in client.get("/enterprises/", {"q": "恒顺"}).content.decode()
    assert client.get(f"/enterprises/{dup.pk}/").status_code == 404
    api = client.get("/api/v1/enterprises/").json()["results"]
    assert [e["name"] for e in api] == ["恒顺集团有限公司"]
    export = client.get("/enterprises/", {"export": "xlsx"})
    names = [
        r[0] for r in openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    ]
    assert "恒顺集团有限公司（重复）" not in names and "恒顺集团有限公司" in names
    assert Enterprise.objects.visible_to(world.admin).count() == 1
    entry = AuditEntry.objects.get(
        object_type="enterprises.enterprise", object_id=str(dup.pk), event="enterprise_archived"
    )
    assert entry.message == "重复登记" and entry.actor == world.alice
    assert Notification.objects.filter(recipient=world.admin, title__contains="企业已归档").exists()
    # the administrator finds it on the 已归档 page and restores it
    assert client.get("/enterprises/archived/").status_code == 404
    admin = login(world.admin)
    page = admin.get("/enterprises/archived/").content.decode()
    assert "恒顺集团有限公司（重复）" in page and "重复登记" in page
    assert (
        admin.post(f"/enterprises/archived/{dup.pk}/restore/", {"reason": "核实为分公司"}).status_code == 302
    )
    assert Enterprise.objects.visible_to(world.alice).count() == 2
    assert login(world.alice).get(f"/enterprises/{dup.pk}/").status_code == 200
    assert AuditEntry.objects.filter(event="enterprise_restored", object_id=str(dup.pk)).exists()


def test_archive_refused_while_things_point_to_it(world, twins):
    from zhuqi.assistance import services as assistance_services

    real, dup = twins
    lst = EnterpriseList.objects.create(name="小升规培育库", kind="pool", region=world.county)
    services.enter_list(lst, dup, actor=world.alice)
    assistance_services.assign(
        dup, year=2026, role="commissioner", user=world.commissioner, actor=world.alice
    )
    with pytest.raises(ValidationError) as exc:
        services.archive_enterprise(dup, actor=world.alice, reason="重复登记")
    message = exc.value.messages[0]
    assert "1 个清单或培育库" in message and "1 条在岗的包抓责任" in message
    assert Enterprise.objects.filter(pk=dup.pk).exists()


def test_archive_needs_reason_role_and_scope(world, twins):
    real, dup = twins
    with pytest.raises(ValidationError) as exc:
        services.archive_enterprise(dup, actor=world.alice, reason="")
    assert exc.value.message_dict == {"reason": ["请填写归档原因"]}
    with pytest.raises(Http404):
        services.archive_enterprise(dup, actor=world.charlie, reason="x")
    with pytest.raises(PermissionDenied):
        services.archive_enterprise(dup, actor=world.leader, reason="x")
    services.archive_enterprise(dup, actor=world.alice, reason="x")
    with pytest.raises(PermissionDenied):
        services.restore_enterprise(dup, actor=world.alice)
    with pytest.raises(Http404):
        services.restore_enterprise(real, actor=world.admin)  # not archived


def test_list_counts_leave_out_archived_members(world, twins):
    real, dup = twins
    lst = EnterpriseList.objects.create(name="小升规培育库", kind="pool", region=world.county, goal=4)
    m = services.enter_list(lst, dup, actor=world.alice)
    services.enter_list(lst, real, actor=world.alice)
    services.exit_list(m, actor=world.alice, reason="重复登记")
    services.archive_enterprise(dup, actor=world.alice, reason="重复登记")
    assert lst.progress(world.alice)["members"] == 1
    assert list(
        ListMembership.objects.visible_to(world.alice).values_list("enterprise__name", flat=True)
    ) == ["恒顺集团有限公司"]


def test_credit_code_of_an_archived_enterprise_is_named(world, twins):
    real, dup = twins
    services.archive_enterprise(dup, actor=world.alice, reason="重复登记")
    with pytest.raises(ValidationError) as exc:
        services.create_enterprise(
            actor=world.alice, credit_code=dup.credit_code, name="新登记", region=world.grid
        )
    assert "已归档" in exc.value.message_dict["credit_code"][0]
    services.create_enterprise(actor=world.alice, credit_code=credit_code(), name="新登记", region=world.grid)


def test_archive_page(world, twins, login):
    real, dup = twins
    client = login(world.alice)
    assert 'data-testid="enterprise-archive"' in client.get(f"/enterprises/{dup.pk}/").content.decode()
    page = client.post(f"/enterprises/{dup.pk}/archive/", {"reason": ""}).content.decode()
    assert "请填写归档原因" in page
    assert client.post(f"/enterprises/{dup.pk}/archive/", {"reason": "重复登记"}).status_code == 302
    assert not Enterprise.objects.filter(pk=dup.pk).exists()
    assert login(world.leader).get(f"/enterprises/{real.pk}/archive/").status_code == 404

"""The chain map and the 重点目标企业名录表: scoped, saved through the service, exported in the
名录表 layout."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.attraction.conftest import make_lead
from tests.enterprises.helpers import make_enterprise
from zhuqi.attraction import selectors, services
from zhuqi.attraction.models import Chain, ChainNode, Target
from zhuqi.core.models import AuditEntry
from zhuqi.enterprises.models import Industry

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    chain = Chain.objects.create(name="生物基新材料", region=world.county, department=world.jxj)
    ChainNode.objects.create(
        chain=chain, name="聚乳酸", position="mid", industry_codes="2614,2651", gap="strengthen"
    )
    return chain


def test_target_saved_scoped_and_exported(world, chain, login):
    node = chain.nodes.get()
    target = services.save_target(
        None,
        actor=world.alice,
        name="浙江海正生物材料股份有限公司",
        headquarters="浙江台州",
        home_region="浙江",
        tags=["listed", "specialised"],
        products="聚乳酸树脂",
        chain_node=node,
        approach="春季招商推介会上门拜访",
        status="planned",
        region=world.county,
        team=world.jxj,
    )
    assert AuditEntry.objects.filter(event="target_added", object_id=str(target.pk)).exists()
    with pytest.raises(ValidationError):
        services.save_target(
            None, actor=world.alice, name="x", tags=["bogus"], status="planned", region=world.county
        )
    with pytest.raises(PermissionDenied):
        services.save_target(target, actor=world.zr_handler, name="改名", status="planned")
    assert not Target.objects.visible_to(world.charlie).exists()
    client = login(world.alice)
    r = client.get(reverse("attraction:target_list"), {"format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]][:3] == ["企业名称", "标签", "总部所在地"]
    assert [c.value for c in ws[2]][:2] == ["浙江海正生物材料股份有限公司", "上市公司、专精特新"]
    assert AuditEntry.objects.filter(action="export", object_type="attraction.target").exists()
    assert login(world.charlie).get(reverse("attraction:target_edit", args=[target.pk])).status_code == 404


def test_chain_map_counts_targets_leads_and_local_firms(world, chain, login):
    node = chain.nodes.get()
    Industry.objects.get_or_create(
        code="26", defaults={"name": "化学原料和化学制品制造业", "level": "division"}
    )
    make_enterprise("尉氏化工有限公司", world.grid, industry=Industry.objects.get(code="26"))
    make_lead(world, chain_node=node)
    services.save_target(
        None, actor=world.alice, name="甲", status="planned", region=world.county, chain_node=node
    )
    row = selectors.chain_map(world.alice)[0]["rows"][0]
    assert (row["targets"], row["leads"], row["local"]) == (1, 1, 1)
    assert selectors.chain_map(world.charlie) == []
    assert login(world.alice).get(reverse("attraction:chains")).status_code == 200

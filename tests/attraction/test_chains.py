"""Editing the industrial chains (services_chains), the 产业链全景图 counts (the hand-worked example
of attraction-figures.md §产业链全景图), the suggestions, and the 招商路径图 grouping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.enterprises.helpers import make_enterprise
from zhuqi.attraction import selectors_chains, services, services_chains
from zhuqi.attraction.models import Chain, ChainEnterprise, ChainNode
from zhuqi.core.models import AuditEntry
from zhuqi.enterprises.models import Industry

pytestmark = pytest.mark.django_db


def ind(code):
    return Industry.objects.get(code=code)


@pytest.fixture
def chain(world):
    return services_chains.save_chain(
        None,
        actor=world.alice,
        name="生物基新材料",
        region=world.county,
        leader=world.leader,
        department=world.jxj,
    )


def node(world, chain, name, position="mid", codes="", gap="", parent=None):
    return services_chains.save_node(
        None,
        actor=world.alice,
        chain=chain,
        name=name,
        position=position,
        industry_codes=codes,
        gap=gap,
        parent=parent,
    )


# --- services ---------------------------------------------------------------------------------
def test_chain_saved_with_audit_and_permission(world, chain):
    assert (chain.leader, chain.department) == (world.leader, world.jxj)
    assert AuditEntry.objects.filter(event="chain_added", object_id=str(chain.pk)).exists()
    services_chains.save_chain(chain, actor=world.alice, name=" 生物基材料 ", region=world.county)
    chain.refresh_from_db()
    assert (chain.name, chain.leader) == ("生物基材料", None)
    assert AuditEntry.objects.filter(event="chain_changed", object_id=str(chain.pk)).exists()
    # a 招商 team may view chains but not edit them; charlie's area is the other county
    for actor in (world.bob, world.leader):
        with pytest.raises(PermissionDenied):
            services_chains.save_chain(chain, actor=actor, name="x", region=world.county)
    with pytest.raises(PermissionDenied):
        services_chains.save_chain(chain, actor=world.charlie, name="x", region=world.other_county)
    with pytest.raises(PermissionDenied):
        services_chains.save_node(None, actor=world.charlie, chain=chain, name="x", position="up")


def test_chain_bad_input_saves_nothing(world, chain):
    before = Chain.objects.count()
    with pytest.raises(ValidationError) as e:
        services_chains.save_chain(None, actor=world.alice, name="  ", region=world.county)
    assert "name" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services_chains.save_chain(None, actor=world.alice, name="新链", region=world.other_county)
    assert "region" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services_chains.save_chain(None, actor=world.alice, name="生物基新材料", region=world.county)
    assert e.value.message_dict["name"] == ["本区划已有同名的产业链"]
    with pytest.raises(ValidationError) as e:
        services_chains.save_chain(
            None, actor=world.alice, name="新链", region=world.county, department=world.other_jxj
        )
    assert "department" in e.value.message_dict
    assert Chain.objects.count() == before


def test_node_rules(world, chain):
    pla = node(world, chain, "聚乳酸", codes="2614，2651、2614", gap="strengthen")
    assert pla.industry_codes == "2614,2651"
    assert AuditEntry.objects.filter(event="chain_node_added", object_id=str(chain.pk)).exists()
    child = node(world, chain, "改性", codes="26", parent=pla)
    # the same name under another parent is fine, under the same parent it is not
    node(world, chain, "改性", codes="26")
    with pytest.raises(ValidationError) as e:
        node(world, chain, "改性", codes="26", parent=pla)
    assert e.value.message_dict["name"] == ["同一上级下已有名为「改性」的环节"]
    for codes, word in (("26A1", "26A1"), ("C26", "C26"), ("12345", "12345"), ("2", "「2」")):
        with pytest.raises(ValidationError) as e:
            node(world, chain, "新环节", codes=codes)
        assert word in e.value.message_dict["industry_codes"][0]
    with pytest.raises(ValidationError) as e:
        node(world, chain, "新环节", codes="0011")  # no 大类 00 in GB/T 4754
    assert "不存在" in e.value.message_dict["industry_codes"][0]
    with pytest.raises(ValidationError):
        node(world, chain, "新环节", position="side")
    with pytest.raises(ValidationError):
        node(world, chain, "新环节", gap="bogus")
    # a link cannot move under itself or a link below it
    with pytest.raises(ValidationError) as e:
        services_chains.save_node(
            pla, actor=world.alice, chain=chain, name="聚乳酸", position="mid", parent=child
        )
    assert "parent" in e.value.message_dict
    other = services_chains.save_chain(None, actor=world.alice, name="绿色食品", region=world.county)
    with pytest.raises(ValidationError):
        node(world, other, "加工", parent=pla)
    assert ChainNode.objects.filter(name="新环节").count() == 0


def test_switch_off_takes_the_subtree(world, chain):
    pla = node(world, chain, "聚乳酸", codes="2614")
    child = node(world, chain, "改性", codes="26", parent=pla)
    services_chains.switch_node(pla, actor=world.alice, is_active=False)
    assert not ChainNode.objects.get(pk=child.pk).is_active
    with pytest.raises(ValidationError):
        services_chains.switch_node(child, actor=world.alice, is_active=True)  # parent is off
    with pytest.raises(ValidationError):
        node(world, chain, "新", parent=ChainNode.objects.get(pk=pla.pk))
    services_chains.switch_node(pla, actor=world.alice, is_active=True)
    assert ChainNode.objects.get(pk=pla.pk).is_active
    assert AuditEntry.objects.filter(event="chain_node_switched").count() == 2
    with pytest.raises(PermissionDenied):
        services_chains.switch_node(pla, actor=world.bob, is_active=False)


def test_place_enterprise(world, chain):
    pla = node(world, chain, "聚乳酸", codes="2614")
    mine = make_enterprise("尉氏聚乳酸有限公司", world.grid, industry=ind("26"))
    other = make_enterprise("通许化工有限公司", world.other_grid, industry=ind("26"))
    row = services_chains.place_enterprise(pla, mine, actor=world.alice, confirm=True)
    assert row.status == "confirmed"
    assert AuditEntry.objects.filter(event="chain_enterprise_confirmed", object_id=str(chain.pk)).exists()
    services_chains.place_enterprise(pla, mine, actor=world.alice, confirm=False)
    assert ChainEnterprise.objects.get().status == "removed"  # one row, updated
    with pytest.raises(ValidationError):  # not visible to alice: "does not exist"
        services_chains.place_enterprise(pla, other, actor=world.alice, confirm=True)
    with pytest.raises(ValidationError) as e:  # visible to the admin, but outside the chain's region
        services_chains.place_enterprise(pla, other, actor=world.admin, confirm=True)
    assert "不在本产业链所属区划" in e.value.message_dict["enterprise"][0]
    with pytest.raises(PermissionDenied):
        services_chains.place_enterprise(pla, mine, actor=world.bob, confirm=True)
    assert ChainEnterprise.objects.count() == 1


def test_suggestions(world, chain):
    pla = node(world, chain, "聚乳酸", codes="2614,2651")
    a = make_enterprise("甲化工", world.grid, industry=ind("26"))
    b = make_enterprise("乙化工", world.town, industry=ind("26"))
    make_enterprise("丙食品", world.grid, industry=ind("13"))  # another 大类
    make_enterprise("丁化工", world.other_grid, industry=ind("26"))  # another county
    assert set(selectors_chains.suggestions(pla, world.alice)) == {a, b}
    services_chains.place_enterprise(pla, a, actor=world.alice, confirm=True)
    services_chains.place_enterprise(pla, b, actor=world.alice, confirm=False)
    assert list(selectors_chains.suggestions(pla, world.alice)) == []


# --- the 全景图: the hand-worked example of attraction-figures.md ---------------------------------
@pytest.fixture
def example(world, chain):
    """聚乳酸 (甲, 乙; 丙 removed) with 改性 below it (乙, 丁); 可降解制品 (甲); 研发检测 (戊),
    switched off."""
    pla = node(world, chain, "聚乳酸", "mid", "2614", "strengthen")
    mod = node(world, chain, "改性", "mid", "2651", "fill", parent=pla)
    deg = node(world, chain, "可降解制品", "down", "2927", "extend")
    lab = node(world, chain, "研发检测", "mid", "7320")
    e = {n: make_enterprise(f"{n}公司", world.grid, industry=ind("26")) for n in "甲乙丙丁戊"}
    for n, k in ((pla, "甲"), (pla, "乙"), (mod, "乙"), (mod, "丁"), (deg, "甲"), (lab, "戊"), (pla, "丙")):
        services_chains.place_enterprise(n, e[k], actor=world.alice, confirm=True)
    services_chains.place_enterprise(pla, e["丙"], actor=world.alice, confirm=False)
    services_chains.switch_node(lab, actor=world.alice, is_active=False)
    return {"pla": pla, "mod": mod, "deg": deg, "lab": lab, "e": e}


def test_panorama_counts_the_example(world, chain, example):
    data = selectors_chains.panorama(chain, world.alice)
    assert [(r["node"].name, r["depth"], r["count"]) for r in data["rows"]] == [
        ("聚乳酸", 0, 3),
        ("改性", 1, 2),
        ("可降解制品", 0, 1),
    ]
    assert data["count"] == 3
    tree = data["tree"]
    assert (tree["name"], tree["value"]) == ("生物基新材料", 3)
    assert [(c["name"], c["value"], c["gap"]) for c in tree["children"]] == [
        ("聚乳酸", 3, "strengthen"),
        ("可降解制品", 1, "extend"),
    ]
    assert tree["children"][0]["children"][0]["name"] == "改性"
    names = sorted(e.name for e in selectors_chains.node_enterprises(example["pla"], world.alice))
    assert names == ["丁公司", "乙公司", "甲公司"]
    # the chain list shows the same total
    from zhuqi.attraction import selectors

    assert selectors.chain_map(world.alice)[0]["confirmed"] == 3
    # outside the county: no chain, no enterprises
    assert selectors.chain_map(world.charlie) == []


def test_panorama_leaves_out_archived_enterprises(world, chain, example):
    e = example["e"]["丁"]
    e.archived_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    e.save(update_fields=["archived_at"])
    data = selectors_chains.panorama(chain, world.alice)
    assert [r["count"] for r in data["rows"]] == [2, 1, 1]
    assert data["count"] == 2


# --- pages ------------------------------------------------------------------------------------
def test_pages_scope_and_permission(world, chain, example, login):
    urls = [
        reverse("attraction:chain_edit", args=[chain.pk]),
        reverse("attraction:node_new", args=[chain.pk]),
        reverse("attraction:node_edit", args=[example["pla"].pk]),
    ]
    client = login(world.alice)
    for url in urls + [reverse("attraction:chain_map", args=[chain.pk])]:
        assert client.get(url).status_code == 200, url
    client = login(world.charlie)
    for url in urls + [reverse("attraction:chain_map", args=[chain.pk])]:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[2], {"op": "switch"}).status_code == 404
    assert ChainNode.objects.get(pk=example["pla"].pk).is_active
    client = login(world.bob)  # a 招商 team sees the map, edits nothing
    assert client.get(reverse("attraction:chain_map", args=[chain.pk])).status_code == 200
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_map_page_table_and_drill(world, chain, example, login):
    client = login(world.alice)
    url = reverse("attraction:chain_map", args=[chain.pk])
    r = client.get(url)
    html = r.content.decode()
    assert 'id="zq-chain-chart"' in html and "vendor/echarts/echarts.min.js" in html
    assert r.context["count"] == 3
    r = client.get(url, {"node": example["mod"].pk})
    assert sorted(e.name for e in r.context["enterprises"]) == ["丁公司", "乙公司"]
    assert client.get(url, {"node": example["lab"].pk}).status_code == 404  # switched off
    assert client.get(url, {"node": "x"}).status_code == 200


def test_node_page_bad_input_under_field(world, chain, example, login):
    client = login(world.alice)
    url = reverse("attraction:node_edit", args=[example["deg"].pk])
    r = client.post(
        url, {"op": "save", "name": "聚乳酸", "position": "down", "industry_codes": "29x7", "gap": ""}
    )
    assert r.status_code == 200
    assert "「29x7」不是国民经济行业分类" in r.content.decode()
    assert ChainNode.objects.get(pk=example["deg"].pk).name == "可降解制品"
    r = client.post(
        url, {"op": "save", "name": "聚乳酸", "position": "down", "industry_codes": "2927", "gap": ""}
    )
    assert "同一上级下已有名为「聚乳酸」的环节" in r.content.decode()
    other = make_enterprise("通许企业", world.other_grid, industry=ind("29"))
    r = client.post(url, {"op": "add", "credit_code": other.credit_code})
    assert "没有找到该信用代码的企业" in r.content.decode()
    town = make_enterprise("城关塑料制品", world.town, industry=ind("29"))
    r = client.post(url, {"op": "confirm", "enterprise": town.pk})
    assert r.status_code == 302
    assert ChainEnterprise.objects.get(enterprise=town).status == "confirmed"
    r = client.post(url, {"op": "confirm", "enterprise": other.pk})
    assert r.status_code == 404


def test_chain_new_page(world, login):
    client = login(world.alice)
    r = client.post(reverse("attraction:chain_new"), {"name": "", "region": world.county.pk})
    assert "请填写" in r.content.decode() or "这个字段是必填项" in r.content.decode()
    r = client.post(
        reverse("attraction:chain_new"),
        {
            "name": "装备制造",
            "region": world.county.pk,
            "leader": world.leader.pk,
            "department": world.jxj.pk,
        },
    )
    chain = Chain.objects.get(name="装备制造")
    assert r.status_code == 302 and r["Location"] == reverse("attraction:chain_edit", args=[chain.pk])


# --- the 招商路径图 ------------------------------------------------------------------------------
def test_target_paths_group_by_home_region(world, chain, login):
    pla = node(world, chain, "聚乳酸", codes="2614")
    other = services_chains.save_chain(None, actor=world.alice, name="绿色食品", region=world.county)
    food = node(world, other, "食品加工", codes="13")

    def target(name, home, n, on=None, status="planned"):
        return services.save_target(
            None,
            actor=world.alice,
            name=name,
            home_region=home,
            chain_node=n,
            approach="上门拜访",
            approach_on=on,
            status=status,
            region=world.county,
            team=world.jxj,
        )

    target("甲", "浙江", pla, dt.date(2026, 5, 1))
    target("乙", "浙江", pla, dt.date(2026, 4, 1), "contacting")
    target("丙", "江苏", pla)
    target("丁", "", food)
    data = selectors_chains.target_paths(world.alice)
    assert [(g["home"], g["count"]) for g in data["groups"]] == [("浙江", 2), ("江苏", 1), ("未填写", 1)]
    zj = data["groups"][0]
    assert [t.name for t in zj["targets"]] == ["乙", "甲"]
    assert zj["next_on"] == dt.date(2026, 4, 1) and zj["teams"] == ["尉氏县工信局"]
    assert zj["by_status"]["planned"] == 1 and zj["by_status"]["contacting"] == 1
    assert data["chart"]["homes"] == ["浙江", "江苏", "未填写"]
    assert data["total"] == 4
    only = selectors_chains.target_paths(world.alice, chain.pk)
    assert [g["home"] for g in only["groups"]] == ["浙江", "江苏"]
    assert selectors_chains.target_paths(world.charlie)["groups"] == []
    client = login(world.alice)
    r = client.get(reverse("attraction:target_paths"), {"chain": other.pk})
    assert [g["home"] for g in r.context["groups"]] == ["未填写"]
    r = client.get(reverse("attraction:target_paths"), {"chain": 999999})
    assert r.context["chain"] is None and r.context["total"] == 4


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_chain_pages_query_counts_stay_flat(world, chain, example, login):
    client = login(world.alice)
    urls = [
        reverse("attraction:chain_map", args=[chain.pk]),
        reverse("attraction:chain_map", args=[chain.pk]) + f"?node={example['pla'].pk}",
        reverse("attraction:chain_edit", args=[chain.pk]),
        reverse("attraction:node_edit", args=[example["pla"].pk]),
        reverse("attraction:target_paths"),
    ]
    few = [_queries(client, u) for u in urls]
    for i in range(6):
        child = node(world, chain, f"环节{i}", "down", "2927", "extend", parent=example["pla"])
        ent = make_enterprise(f"企业{i}", world.grid, industry=ind("26"))
        services_chains.place_enterprise(child, ent, actor=world.alice, confirm=True)
        services_chains.place_enterprise(example["pla"], ent, actor=world.alice, confirm=i % 2 == 0)
        services.save_target(
            None, actor=world.alice, name=f"目标{i}", home_region=f"省{i}", chain_node=child,
            status="planned", region=world.county, team=world.jxj,
        )  # fmt: skip
    assert [_queries(client, u) for u in urls] == few

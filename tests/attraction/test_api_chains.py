"""The API of the industrial chains and of the 台账's 关账: chains with their links tree and
counts (the 全景图's worked example), links, the enterprises placed on links, and the closes of
the 到位资金台账. Reads are scoped (another county: 404 on a row, no rows in a list; a role
without `attraction.view`: no rows), writes go through the services (a role without the matrix
action: 403), bad input is a 400 naming the field in Chinese with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.attraction.test_api import _api, _rows, _scoped
from tests.attraction.test_chains import chain, example, ind, node  # noqa: F401 - fixtures
from tests.attraction.test_funds import _funds, _signed
from tests.enterprises.helpers import make_enterprise
from zhuqi.attraction import services_chains
from zhuqi.attraction.models import Chain, ChainEnterprise, ChainNode, FundMonth, LedgerClose
from zhuqi.core.models import AuditEntry

pytestmark = pytest.mark.django_db

CHAINS = "/api/v1/attraction-chains/"
LINKS = "/api/v1/attraction-chain-links/"
PLACED = "/api/v1/attraction-chain-enterprises/"
CLOSES = "/api/v1/attraction-ledger-closes/"


# --- chains --------------------------------------------------------------------------------------
def test_chain_list_and_detail_carry_the_panorama_example(world, chain, example):  # noqa: F811
    """attraction-figures.md §产业链全景图: 聚乳酸 3 (改性 2 below it), 可降解制品 1, 全链 3; the
    switched-off 研发检测 is not in the tree."""
    _scoped(world, CHAINS, chain.pk)
    for r in (_rows(_api(world.alice).get(CHAINS))[0], _api(world.alice).get(f"{CHAINS}{chain.pk}/").data):
        assert (r["name"], r["region"], r["leader"], r["department"], r["count"]) == (
            "生物基新材料",
            world.county.pk,
            world.leader.pk,
            world.jxj.pk,
            3,
        )
        links = [(x["name"], x["depth"], x["parent"], x["count"], x["own"], x["gap"]) for x in r["links"]]
        assert links == [
            ("聚乳酸", 0, None, 3, 2, "strengthen"),
            ("改性", 1, example["pla"].pk, 2, 2, "fill"),
            ("可降解制品", 0, None, 1, 1, "extend"),
        ]
        assert r["links"][0]["gap_label"] == "强链" and r["links"][2]["position_label"] == "下游"


def test_chain_list_queries_do_not_grow_with_chains(world, chain, example, django_assert_max_num_queries):  # noqa: F811
    for i in range(4):
        other = Chain.objects.create(name=f"链{i}", region=world.county)
        ChainNode.objects.create(chain=other, name="环节", position="up", industry_codes="26")
    api = _api(world.alice)
    with django_assert_max_num_queries(12):
        assert len(_rows(api.get(CHAINS))) == 5


def test_create_and_change_a_chain(world):
    body = {
        "name": "绿色食品",
        "region": world.county.pk,
        "leader": world.leader.pk,
        "department": world.jxj.pk,
    }
    # a role without attraction.chains.configure: 403, nothing saved
    for user in (world.bob, world.leader, world.grid_member):
        assert _api(user).post(CHAINS, body, format="json").status_code == 403
    assert not Chain.objects.exists()
    r = _api(world.alice).post(CHAINS, {**body, "name": " "}, format="json")
    assert r.status_code == 400 and "请填写产业链名称" in str(r.data["name"])
    r = _api(world.alice).post(CHAINS, {**body, "name": "链" * 41}, format="json")
    assert r.status_code == 400 and "产业链名称不能超过 40 个字" in str(r.data["name"])
    r = _api(world.alice).post(CHAINS, {**body, "region": world.other_county.pk}, format="json")
    assert r.status_code == 400 and "区划不存在或不在您的范围内" in str(r.data["region"])
    r = _api(world.alice).post(CHAINS, {**body, "leader": world.charlie.pk}, format="json")
    assert r.status_code == 400 and "链长不存在或不在您的范围内" in str(r.data["leader"])
    assert not Chain.objects.exists()
    r = _api(world.alice).post(CHAINS, body, format="json")
    assert r.status_code == 201, r.data
    made = Chain.objects.get()
    assert (r.data["id"], r.data["count"], r.data["links"]) == (made.pk, 0, [])
    assert AuditEntry.objects.filter(event="chain_added", object_id=str(made.pk), actor=world.alice).exists()
    r = _api(world.alice).post(CHAINS, body, format="json")  # the same name in the region
    assert r.status_code == 400 and r.data["name"] == ["本区划已有同名的产业链"]
    assert Chain.objects.count() == 1
    url = f"{CHAINS}{made.pk}/"
    r = _api(world.alice).put(url, {"name": "绿色食品加工", "region": world.county.pk}, format="json")
    assert r.status_code == 200 and r.data["leader"] is None
    made.refresh_from_db()
    assert (made.name, made.leader) == ("绿色食品加工", None)
    # another county's office: 404; a 招商 team: 403; PATCH is not offered
    assert _api(world.charlie).put(url, body, format="json").status_code == 404
    assert _api(world.bob).put(url, body, format="json").status_code == 403
    assert _api(world.alice).patch(url, {"name": "x"}, format="json").status_code == 405


# --- links ---------------------------------------------------------------------------------------
def test_links_read_and_scope(world, chain, example):  # noqa: F811
    rows = _rows(_api(world.alice).get(LINKS, {"chain": chain.pk}))
    assert len(rows) == 4  # the switched-off link too, marked
    assert {r["name"]: r["is_active"] for r in rows}["研发检测"] is False
    pla = example["pla"]
    assert _api(world.alice).get(f"{LINKS}{pla.pk}/").data["industry_codes"] == "2614"
    assert _rows(_api(world.charlie).get(LINKS)) == []
    assert _api(world.charlie).get(f"{LINKS}{pla.pk}/").status_code == 404
    assert _rows(_api(world.enterprise_user).get(LINKS)) == []


def test_add_change_and_switch_links(world, chain, example):  # noqa: F811
    pla = example["pla"]
    body = {
        "chain": chain.pk,
        "parent": pla.pk,
        "name": "纤维",
        "position": "mid",
        "industry_codes": "2822、2614",
    }
    before = ChainNode.objects.count()
    for bad, field, message in (
        ({"industry_codes": "26a"}, "industry_codes", "「26a」不是国民经济行业分类（GB/T 4754）代码"),
        ({"industry_codes": "9911"}, "industry_codes", "「9911」的行业大类在 GB/T 4754 中不存在"),
        ({"position": "side"}, "position", "请选择上游、中游或下游"),
        ({"gap": "weak"}, "gap", "请选择缺链类型"),
        ({"name": ""}, "name", "请填写环节名称"),
        ({"name": "改性", "parent": pla.pk}, "name", "同一上级下已有名为「改性」的环节"),
        ({"chain": None}, "chain", "请选择产业链"),
    ):
        r = _api(world.alice).post(LINKS, {**body, **bad}, format="json")
        assert r.status_code == 400 and message in str(r.data[field]), (bad, r.data)
    assert _api(world.bob).post(LINKS, body, format="json").status_code == 403
    assert _api(world.charlie).post(LINKS, body, format="json").status_code == 400  # chain not visible
    assert ChainNode.objects.count() == before
    r = _api(world.alice).post(LINKS, body, format="json")
    assert r.status_code == 201, r.data
    fibre = ChainNode.objects.get(pk=r.data["id"])
    assert (fibre.parent, fibre.industry_codes, fibre.gap) == (pla, "2822,2614", "")
    url = f"{LINKS}{fibre.pk}/"
    r = _api(world.alice).put(url, {**body, "gap": "extend", "parent": None}, format="json")
    assert r.status_code == 200 and r.data["gap_label"] == "延链"
    r = _api(world.alice).put(url, {**body, "parent": fibre.pk}, format="json")  # a loop
    assert r.status_code == 400 and "不能是本环节或其下级环节" in str(r.data["parent"])
    # 聚乳酸 off: 改性 below it goes off too, and both leave the chain's tree and counts
    assert _api(world.charlie).post(f"{LINKS}{pla.pk}/deactivate/").status_code == 404
    assert _api(world.bob).post(f"{LINKS}{pla.pk}/deactivate/").status_code == 403
    r = _api(world.alice).post(f"{LINKS}{pla.pk}/deactivate/")
    assert r.status_code == 200 and r.data["is_active"] is False
    assert not ChainNode.objects.get(pk=example["mod"].pk).is_active
    tree = _api(world.alice).get(f"{CHAINS}{chain.pk}/").data
    assert [x["name"] for x in tree["links"]] == ["纤维", "可降解制品"] and tree["count"] == 1
    r = _api(world.alice).post(f"{LINKS}{example['mod'].pk}/activate/")
    assert r.status_code == 400 and "请先启用上级环节" in str(r.data["is_active"])
    assert _api(world.alice).post(f"{LINKS}{pla.pk}/activate/").data["is_active"] is True


# --- enterprises on links ------------------------------------------------------------------------
def test_placements_list_suggest_confirm_remove(world, chain, example):  # noqa: F811
    pla = example["pla"]
    rows = _rows(_api(world.alice).get(PLACED, {"node": pla.pk}))
    assert sorted((r["enterprise_name"], r["status"]) for r in rows) == [
        ("丙公司", "removed"),
        ("乙公司", "confirmed"),
        ("甲公司", "confirmed"),
    ]
    assert _rows(_api(world.charlie).get(PLACED)) == []
    assert _api(world.charlie).get(f"{PLACED}{rows[0]['id']}/").status_code == 404
    assert _rows(_api(world.enterprise_user).get(PLACED)) == []
    # suggestions: the county's 26 enterprises with no decision on 聚乳酸 (丁 and 戊), not the other county's
    new = make_enterprise("己公司", world.grid, industry=ind("26"))
    far = make_enterprise("庚公司", world.other_grid, industry=ind("26"))
    names = [e["name"] for e in _api(world.alice).get(f"{LINKS}{pla.pk}/suggestions/").data]
    assert names == ["丁公司", "己公司", "戊公司"] or sorted(names) == sorted(["丁公司", "己公司", "戊公司"])
    assert _api(world.bob).get(f"{LINKS}{pla.pk}/suggestions/").data == []  # may not place
    assert _api(world.charlie).get(f"{LINKS}{pla.pk}/suggestions/").status_code == 404
    url = f"{LINKS}{pla.pk}/confirm/"
    assert _api(world.bob).post(url, {"enterprise": new.pk}, format="json").status_code == 403
    assert _api(world.charlie).post(url, {"enterprise": new.pk}, format="json").status_code == 404
    r = _api(world.alice).post(url, {"enterprise": far.pk}, format="json")  # another county's firm
    assert r.status_code == 400 and "企业不存在或不在您的范围内" in str(r.data["enterprise"])
    r = _api(world.alice).post(url, {}, format="json")
    assert r.status_code == 400 and "请选择企业" in str(r.data["enterprise"])
    r = _api(world.alice).post(url, {"enterprise": new.pk}, format="json")
    assert r.status_code == 200 and r.data["status"] == "confirmed" and r.data["chain"] == chain.pk
    assert _api(world.alice).get(f"{CHAINS}{chain.pk}/").data["count"] == 4
    r = _api(world.alice).post(f"{LINKS}{pla.pk}/remove/", {"enterprise": new.pk}, format="json")
    assert r.status_code == 200 and r.data["status"] == "removed"
    assert ChainEnterprise.objects.get(node=pla, enterprise=new).status == "removed"
    assert AuditEntry.objects.filter(event="chain_enterprise_removed", object_id=str(chain.pk)).exists()
    # a switched-off link takes no confirmation
    lab = example["lab"]
    r = _api(world.alice).post(f"{LINKS}{lab.pk}/confirm/", {"enterprise": new.pk}, format="json")
    assert r.status_code == 400 and "该环节已停用" in str(r.data["enterprise"])
    assert not ChainEnterprise.objects.filter(node=lab, enterprise=new).exists()


def test_place_an_enterprise_outside_the_chains_region(world):
    """A chain of the park: an enterprise of the county's town is visible to the office but not
    in the chain's region."""
    park_chain = services_chains.save_chain(None, actor=world.alice, name="园区链", region=world.park)
    link = node(world, park_chain, "环节", codes="26")
    town = make_enterprise("城关公司", world.town, industry=ind("26"))
    r = _api(world.alice).post(f"{LINKS}{link.pk}/confirm/", {"enterprise": town.pk}, format="json")
    assert r.status_code == 400 and "不在本产业链所属区划" in str(r.data["enterprise"])
    assert not ChainEnterprise.objects.exists()


# --- 关账 ------------------------------------------------------------------------------------------
def _at(day: int, hour: int = 9):
    return dt.datetime(2026, 3, day, hour - 8, tzinfo=dt.UTC)


def test_close_and_reopen_a_month(world, rules):
    with time_machine.travel(_at(2), tick=False):
        lead = _signed(world, "甲投资")
    body = {"region": world.county.pk, "year": 2026, "month": 2}
    with time_machine.travel(_at(5), tick=False):
        for user in (world.bob, world.leader, world.grid_member):
            assert _api(user).post(CLOSES, body, format="json").status_code == 403
        for bad, field, message in (
            ({"month": 3}, "month", "2026年3月尚未结束，不能关账"),
            ({"month": 13}, "month", "月份填写不正确"),
            ({"year": "x"}, "year", "年度填写不正确"),
            ({"region": world.other_county.pk}, "region", "区划不存在或不在您的范围内"),
            ({"region": None}, "region", "请选择区划"),
        ):
            r = _api(world.alice).post(CLOSES, {**body, **bad}, format="json")
            assert r.status_code == 400 and message in str(r.data[field]), (bad, r.data)
        assert _api(world.charlie).post(CLOSES, body, format="json").status_code == 400  # not its region
        assert not LedgerClose.objects.exists()
        r = _api(world.alice).post(CLOSES, body, format="json")
        assert r.status_code == 201 and r.data["is_closed"] is True, r.data
        close = LedgerClose.objects.get()
        assert (r.data["id"], close.closed_by) == (close.pk, world.alice)
        r = _api(world.alice).post(CLOSES, body, format="json")  # twice
        assert r.status_code == 400 and "2026年2月的台账已经关账" in str(r.data["month"])
        assert LedgerClose.objects.count() == 1
        assert AuditEntry.objects.filter(event="ledger_closed").count() == 1
    _scoped(world, CLOSES, close.pk)
    url = f"{CLOSES}{close.pk}/reopen/"
    with time_machine.travel(_at(12), tick=False):
        assert _api(world.charlie).post(url, {"reason": "补录"}, format="json").status_code == 404
        assert _api(world.bob).post(url, {"reason": "补录"}, format="json").status_code == 403
        r = _api(world.alice).post(url, {"reason": " "}, format="json")
        assert r.status_code == 400 and "请填写重新开账的原因" in str(r.data["reason"])
        r = _api(world.alice).post(url, {}, format="json")
        assert r.status_code == 400 and "请填写重新开账的原因" in str(r.data["reason"])
        close.refresh_from_db()
        assert close.is_closed and not AuditEntry.objects.filter(event="ledger_reopened").exists()
        r = _api(world.alice).post(url, {"reason": "补录2月到位资金分割证明"}, format="json")
        assert r.status_code == 200 and r.data["is_closed"] is False
        assert r.data["reopen_reason"] == "补录2月到位资金分割证明"
        r = _api(world.alice).post(url, {"reason": "再次"}, format="json")
        assert r.status_code == 400 and "没有关账" in str(r.data["month"])
        _funds(lead, world, 2026, 2, "300")  # open again
    with time_machine.travel(_at(13), tick=False):
        r = _api(world.alice).post(CLOSES, body, format="json")  # closes the reopened month again
        assert r.status_code == 201 and r.data["id"] == close.pk and r.data["is_closed"] is True
    assert FundMonth.objects.filter(lead=lead, year=2026, month=2).count() == 1
    rows = _rows(_api(world.alice).get(CLOSES, {"year": 2026, "month": 2}))
    assert [(x["region_name"], x["is_closed"]) for x in rows] == [("尉氏县", True)]
    assert _rows(_api(world.alice).get(CLOSES, {"month": 1})) == []

"""The 延链补链 qualifier of the annual target (attraction-figures.md §延链补链): the worked
example, the refusal, the drill-down to the lead list, the page and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.attraction.conftest import make_lead
from tests.attraction.test_api import _api, _rows
from tests.attraction.test_chains import chain, node  # noqa: F401 - fixtures
from tests.attraction.test_targets_annual import _signed, example  # noqa: F401 - fixtures
from zhuqi.attraction import figures, services
from zhuqi.attraction.models import AnnualTarget, Lead
from zhuqi.core.models import AuditEntry
from zhuqi.core.units import YI

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(world, example, chain):  # noqa: F811
    """E joins the example; A and B on 改性 (补链), C and E on 可降解制品 (延链), D on 聚乳酸 (强链);
    尉氏县 asks 3 延链补链 of 4, 工信局 2 of 3."""
    e = make_lead(world, investor="投资方E", title="E", amount_wan="250000")
    _signed(e, world, dt.date(2026, 6, 1))
    pla = node(world, chain, "聚乳酸", "mid", "2614", "strengthen")
    mod = node(world, chain, "改性", "mid", "2651", "fill", parent=pla)
    deg = node(world, chain, "可降解制品", "down", "2927", "extend")
    for title, link in (("A", mod), ("B", mod), ("C", deg), ("E", deg), ("D", pla)):
        Lead.objects.filter(title=title).update(chain_node=link)
    for team, count, amount, funds, chain_count in ((None, 4, 20, 5, 3), (world.jxj, 3, 15, 3, 2)):
        services.save_annual_target(
            actor=world.alice,
            year=2026,
            region=world.county,
            team=team,
            signed_count=count,
            signed_amount=Decimal(amount) * YI,
            funds=Decimal(funds) * YI,
            signed_chain=chain_count,
        )
    return {"pla": pla, "mod": mod, "deg": deg}


def test_worked_example(world, placed):
    rows = {
        (r["unit"], r["metric"]): (r["actual"], r["target"], r["rate"])
        for r in figures.target_progress(world.county, 2026)
    }
    assert rows[("尉氏县", "signed_chain")] == (2, 3, Decimal("66.7"))  # A, E
    assert rows[("尉氏县工信局", "signed_chain")] == (2, 2, Decimal("100.0"))
    assert rows[("尉氏县自然资源局", "signed_chain")] == (0, 0, None)  # D is on 强链
    # the qualifier is not a size: E (25 亿, 延链) also counts in the 5 and 20 亿元 bands
    assert rows[("尉氏县", "signed_20")][0] == 1
    # the ranking is unchanged; the qualifier rides along after the size bands
    ranking = figures.target_ranking(world.county, 2026)
    assert [u["unit"] for u in ranking] == ["尉氏县自然资源局", "尉氏县", "尉氏县工信局"]
    county = next(u for u in ranking if u["unit"] == "尉氏县")
    assert [c["metric"] for c in county["bands"]] == ["signed_5", "signed_20", "signed_50", "signed_chain"]
    entry = AuditEntry.objects.filter(event="annual_target_set").latest("pk")
    assert entry.changes["其中延链补链亿元以上（个）"] == 2


def test_refused_when_it_asks_more_than_the_signed_count(world):
    for value, message in ((5, "不能多于"), (-1, "目标不能为负数")):
        with pytest.raises(ValidationError) as e:
            services.save_annual_target(
                actor=world.alice, year=2026, region=world.county, signed_count=4, signed_chain=value
            )
        assert message in e.value.message_dict["signed_chain"][0]
    assert not AnnualTarget.objects.exists()


def test_page_drills_down_to_exactly_its_leads(world, placed, login):
    client = login(world.alice)
    html = client.get(reverse("attraction:annual_targets"), {"year": 2026}).content.decode()
    assert "其中延链补链（1 亿元及以上）：" in html
    link = f"signed_from=2026-01-01&amp;signed_to=2026-12-31&amp;size=1&amp;chain_gap=1&amp;region={world.county.pk}"
    assert link in html
    query = {"signed_from": "2026-01-01", "signed_to": "2026-12-31", "size": "1", "chain_gap": "1"}
    r = client.get(reverse("attraction:lead_list"), {**query, "region": world.county.pk})
    assert sorted(lead.title for lead in r.context["page"]) == ["A", "E"] and r.context["chosen"]["chain_gap"]
    r = client.get(reverse("attraction:lead_list"), {"chain_gap": "1"})  # every lead on such a link
    assert sorted(lead.title for lead in r.context["page"]) == ["A", "B", "C", "E"]
    r = client.get(reverse("attraction:lead_list"), {"chain_gap": "x"})  # ignored, never a 500
    assert r.status_code == 200 and "chain_gap" not in r.context["chosen"]
    r = login(world.charlie).get(reverse("attraction:lead_list"), query)
    assert list(r.context["page"]) == []
    # the form sets it
    r = login(world.alice).post(
        reverse("attraction:annual_targets"),
        {
            "year": 2026,
            "region": world.county.pk,
            "signed_count": 4,
            "signed_chain": 5,
            "signed_amount": "200000",
            "funds": "50000",
        },
    )
    assert r.status_code == 200 and "不能多于" in r.content.decode()
    assert AnnualTarget.objects.get(team=None).signed_chain == 3


def test_api_lists_it(world, placed):
    rows = _rows(_api(world.alice).get("/api/v1/attraction-annual-targets/", {"team": world.jxj.pk}))
    assert [(r["signed_count"], r["signed_chain"]) for r in rows] == [(3, 2)]
    r = _api(world.alice).get("/api/v1/attraction-annual-targets/progress/", {"year": 2026})
    got = {(x["unit"], x["metric"]): (x["actual"], x["target"], x["rate"]) for x in r.data}
    assert got[("尉氏县", "signed_chain")] == ("2.00", "3.00", 66.7)
    assert _rows(_api(world.charlie).get("/api/v1/attraction-annual-targets/")) == []

"""Annual targets (attraction-figures.md §年度目标): progress and 完成率 per region and team, the
ranking, the page and the refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.attraction.conftest import make_lead, stage
from zhuqi.attraction import figures, services
from zhuqi.attraction.models import AnnualTarget, Contract, FundMonth, StageChange
from zhuqi.core.units import WAN, YI
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = pytest.mark.django_db


def _signed(lead, world, day: dt.date, contract_yi: str | None = None):
    StageChange.objects.create(
        lead=lead,
        from_stage=stage("prereview"),
        to_stage=stage("signed"),
        actor=world.alice,
        at=dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI),
    )
    if contract_yi:
        Contract.objects.create(
            lead=lead, kind="formal", signed_on=day, amount=Decimal(contract_yi) * YI, created_by=world.alice
        )


def _funds(lead, world, year, yi):
    FundMonth.objects.create(
        lead=lead,
        year=year,
        month=6,
        source="out_province",
        amount=Decimal(yi) * YI,
        recognised=True,
        recorded_by=world.alice,
    )


@pytest.fixture
def example(world):
    a = make_lead(world, investor="投资方A", title="A", amount_wan="50000")
    b = make_lead(world, investor="投资方B", title="B", amount_wan="30000")
    c = make_lead(world, investor="投资方C", title="C", amount_wan="8000")
    d = make_lead(world, investor="投资方D", title="D", amount_wan="20000", team=world.zrzy)
    _signed(a, world, dt.date(2026, 3, 10), "6")
    _signed(b, world, dt.date(2025, 11, 1), "3")
    _signed(c, world, dt.date(2026, 4, 1), "0.8")
    _signed(d, world, dt.date(2026, 5, 20), "2")
    _funds(a, world, 2026, "2")
    _funds(a, world, 2025, "1")
    for team, count, amount, funds in (
        (None, 4, 20, 5),
        (world.jxj, 3, 15, 3),
        (world.zrzy, 1, 3, 0),
    ):
        services.save_annual_target(
            actor=world.alice,
            year=2026,
            region=world.county,
            team=team,
            signed_count=count,
            signed_amount=Decimal(amount) * YI,
            funds=Decimal(funds) * YI,
        )


def test_worked_example(world, example):
    rows = {
        (r["unit"], r["metric"]): (r["actual"], r["rate"])
        for r in figures.target_progress(world.county, 2026)
    }
    assert rows[("尉氏县", "signed_count")] == (2, Decimal("50.0"))
    assert rows[("尉氏县", "signed_amount")] == (Decimal("8.8") * YI, Decimal("44.0"))
    assert rows[("尉氏县", "funds")] == (2 * YI, Decimal("40.0"))
    assert rows[("尉氏县工信局", "signed_count")] == (1, Decimal("33.3"))
    assert rows[("尉氏县工信局", "signed_amount")] == (Decimal("6.8") * YI, Decimal("45.3"))
    assert rows[("尉氏县工信局", "funds")] == (2 * YI, Decimal("66.7"))
    assert rows[("尉氏县自然资源局", "signed_count")] == (1, Decimal("100.0"))
    assert rows[("尉氏县自然资源局", "funds")] == (0, None)
    ranking = figures.target_ranking(world.county, 2026)
    assert [u["unit"] for u in ranking] == ["尉氏县自然资源局", "尉氏县", "尉氏县工信局"]
    # another county's targets and leads are not there; a viewer there sees no actuals of ours
    assert figures.target_progress(world.other_county, 2026) == []
    assert {r["actual"] for r in figures.target_progress(world.county, 2026, world.charlie)} == {0}


def test_setting_again_changes_it_and_refusals(world, example):
    services.save_annual_target(actor=world.alice, year=2026, region=world.county, signed_count=6)
    assert AnnualTarget.objects.filter(year=2026, team=None).get().signed_count == 6
    with pytest.raises(PermissionDenied):
        services.save_annual_target(actor=world.bob, year=2026, region=world.county, signed_count=1)
    with pytest.raises(ValidationError):
        services.save_annual_target(actor=world.charlie, year=2026, region=world.county, signed_count=1)
    with pytest.raises(ValidationError) as e:
        services.save_annual_target(
            actor=world.alice, year=2026, region=world.county, signed_amount=Decimal(200_000_000) * WAN
        )
    assert "万元" in str(e.value)
    assert AnnualTarget.objects.count() == 3


def test_page(world, example, login):
    r = login(world.alice).get(reverse("attraction:annual_targets"), {"year": 2026})
    html = r.content.decode()
    assert r.status_code == 200 and "100.0%" in html and "45.3%" in html
    r = login(world.alice).post(
        reverse("attraction:annual_targets"),
        {
            "year": 2027,
            "region": world.county.pk,
            "signed_count": 8,
            "signed_amount": "300000",
            "funds": "80000",
        },
    )
    assert r.status_code == 302
    assert AnnualTarget.objects.get(year=2027).signed_amount == Decimal(300000) * WAN
    assert login(world.bob).post(reverse("attraction:annual_targets"), {"year": 2027}).status_code == 404
    assert (
        len(login(world.charlie).get(reverse("attraction:annual_targets"), {"year": 2026}).context["ranking"])
        == 0
    )


def test_size_bands_worked_example(world, example, login):
    """§年度目标, size bands: E (25 亿元, 工信局, first signed 2026-06-01) joins the example and
    尉氏县 asks, of its 4 亿元以上 projects, 2 of 5 亿 or more and 1 of 20 亿 or more."""
    e = make_lead(world, investor="投资方E", title="E", amount_wan="250000")
    _signed(e, world, dt.date(2026, 6, 1))
    services.save_annual_target(
        actor=world.alice,
        year=2026,
        region=world.county,
        signed_count=4,
        signed_5=2,
        signed_20=1,
        signed_amount=20 * YI,
        funds=5 * YI,
    )
    rows = {
        (r["unit"], r["metric"]): (r["actual"], r["target"], r["rate"])
        for r in figures.target_progress(world.county, 2026)
    }
    assert rows[("尉氏县", "signed_count")] == (3, 4, Decimal("75.0"))
    assert rows[("尉氏县", "signed_5")] == (2, 2, Decimal("100.0"))  # A (5 亿, floor included), E
    assert rows[("尉氏县", "signed_20")] == (1, 1, Decimal("100.0"))  # E
    assert rows[("尉氏县", "signed_50")] == (0, 0, None)
    assert rows[("尉氏县工信局", "signed_count")] == (2, 3, Decimal("66.7"))
    assert rows[("尉氏县工信局", "signed_5")] == (2, 0, None)
    # the ranking still orders by 亿元以上, 签约额, 到位资金 only; bands ride along
    ranking = figures.target_ranking(world.county, 2026)
    county = next(u for u in ranking if u["unit"] == "尉氏县")
    assert [c["metric"] for c in county["bands"]] == ["signed_5", "signed_20", "signed_50", "signed_chain"]
    # the page shows each band's numerator / denominator and drills down to exactly its leads
    client = login(world.alice)
    html = client.get(reverse("attraction:annual_targets"), {"year": 2026}).content.decode()
    assert "5 亿元及以上：" in html and "（未设目标）" in html
    link = f"signed_from=2026-01-01&amp;signed_to=2026-12-31&amp;size=5&amp;region={world.county.pk}"
    assert link in html
    r = client.get(
        reverse("attraction:lead_list"),
        {"signed_from": "2026-01-01", "signed_to": "2026-12-31", "size": "5", "region": world.county.pk},
    )
    assert sorted(lead.title for lead in r.context["page"]) == ["A", "E"]
    r = client.get(
        reverse("attraction:lead_list"),
        {"signed_from": "2026-01-01", "signed_to": "2026-12-31", "size": "20", "region": world.county.pk},
    )
    assert [lead.title for lead in r.context["page"]] == ["E"]
    # a size that is no band's floor is ignored, never a 500
    r = client.get(reverse("attraction:lead_list"), {"size": "7"})
    assert r.status_code == 200 and "size" not in r.context["chosen"]
    # Charlie (通许县) sees none of it
    r = login(world.charlie).get(
        reverse("attraction:lead_list"), {"signed_from": "2026-01-01", "signed_to": "2026-12-31", "size": "5"}
    )
    assert list(r.context["page"]) == []


def test_size_bands_refused_when_a_band_asks_more_than_a_lower_one(world):
    with pytest.raises(ValidationError) as e:
        services.save_annual_target(
            actor=world.alice, year=2026, region=world.county, signed_count=20, signed_5=2, signed_20=3
        )
    assert "signed_20" in e.value.message_dict and "5 亿元以上" in e.value.message_dict["signed_20"][0]
    with pytest.raises(ValidationError) as e:  # 固镇: 20 亿元以上 set, 5 亿 not set: compared with 亿元以上
        services.save_annual_target(
            actor=world.alice, year=2026, region=world.county, signed_count=1, signed_20=2
        )
    assert "亿元以上项目" in e.value.message_dict["signed_20"][0]
    with pytest.raises(ValidationError):
        services.save_annual_target(actor=world.alice, year=2026, region=world.county, signed_50=-1)
    assert not AnnualTarget.objects.exists()
    # 固镇's own target: 20 亿元以上 projects, 2 of 20 亿 or more, 1 of 50 亿 (5 亿: none)
    t = services.save_annual_target(
        actor=world.alice, year=2026, region=world.county, signed_count=20, signed_20=2, signed_50=1
    )
    assert (t.signed_count, t.signed_5, t.signed_20, t.signed_50) == (20, 0, 2, 1)

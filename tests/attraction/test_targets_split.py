"""Annual targets decomposed over the year (attraction-figures.md §分解 and §时序进度): the split
(whole numbers, exact sums), the service's refusals and scope, the page, and the worked example
of 时序进度."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from tests.attraction.conftest import make_lead
from tests.attraction.test_targets_annual import _funds, _signed
from zhuqi.attraction import figures, services, services_targets
from zhuqi.attraction.models import AnnualTargetPart
from zhuqi.core.models import AuditEntry
from zhuqi.core.progress import split, split_cumulative
from zhuqi.core.units import WAN, YI

pytestmark = pytest.mark.django_db

D = Decimal


def _target(world, team=None, count=10, amount_yi=20, funds_yi=5, year=2026):
    return services.save_annual_target(
        actor=world.alice,
        year=year,
        region=world.county,
        team=team,
        signed_count=count,
        signed_amount=D(amount_yi) * YI,
        funds=D(funds_yi) * YI,
    )


def _parts(target, metric, type_="Q"):
    return list(
        AnnualTargetPart.objects.filter(target=target, metric=metric, period_type=type_)
        .order_by("period")
        .values_list("amount", flat=True)
    )


# --- the split ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "whole, n, expected",
    [
        (50, 4, [13, 12, 13, 12]),
        (10, 4, [3, 2, 3, 2]),
        (10, 12, [1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1]),
        (3, 4, [1, 1, 0, 1]),
        (0, 4, [0, 0, 0, 0]),
        (8, 4, [2, 2, 2, 2]),
    ],
)
def test_split_cumulative_whole_numbers(db, whole, n, expected):
    parts = split_cumulative(D(whole), [D(1)] * n, 0)
    assert parts == [D(x) for x in expected]
    assert sum(parts) == whole and all(p >= 0 and p == p.to_integral_value() for p in parts)


def test_split_cumulative_money_and_weights(db):
    parts = split_cumulative(D(100), [D(1)] * 3, 2)
    assert parts == [D("33.33"), D("33.34"), D("33.33")] and sum(parts) == 100
    assert split_cumulative(D(10), [D(0), D(3), D(1)], 0) == [D(0), D(8), D(2)]
    with pytest.raises(ValueError):
        split_cumulative(D(10), [D(0), D(0)], 0)
    # the indicators' split (moved to core unchanged): the remainder on the last part
    assert split(D(100), [D(1)] * 3, 2) == [D("33.33"), D("33.33"), D("33.34")]


def test_equal_by_quarter_and_by_month(world):
    t = _target(world, count=50, amount_yi=60, funds_yi=25)
    services_targets.split_target(t, actor=world.alice, method="equal", split_to="Q")
    assert _parts(t, "signed_count") == [13, 12, 13, 12]
    assert _parts(t, "signed_amount") == [15 * YI] * 4
    assert _parts(t, "funds") == [D("6.25") * YI] * 4
    t.refresh_from_db()
    assert (t.split_method, t.split_to) == ("equal", "Q")
    entry = AuditEntry.objects.filter(event="annual_target_split").get()
    assert entry.changes["分解值"]["signed_count"]["2026Q1"] == "13"
    # months (quarters derived from them): 50 over 12 months
    services_targets.split_target(t, actor=world.alice, method="equal", split_to="M")
    months = _parts(t, "signed_count", "M")
    assert len(months) == 12 and sum(months) == 50 and all(m in (4, 5) for m in months)
    quarters = _parts(t, "signed_count", "Q")
    assert quarters == [sum(months[i : i + 3]) for i in (0, 3, 6, 9)] and sum(quarters) == 50
    assert sum(_parts(t, "funds", "M")) == 25 * YI


def test_manual_parts_checked_and_nothing_half_saved(world):
    t = _target(world)
    services_targets.split_target(t, actor=world.alice, method="equal", split_to="Q")
    before = (list(AnnualTargetPart.objects.values_list("pk", "amount")), AuditEntry.objects.count())
    good = {
        "signed_count": {"2026Q1": "4", "2026Q2": "3", "2026Q3": "2", "2026Q4": "1"},
        "signed_amount": {"2026Q1": "50000", "2026Q2": "50000", "2026Q3": "50000", "2026Q4": "50000"},
        "funds": {"2026Q1": "10000", "2026Q2": "10000", "2026Q3": "15000", "2026Q4": "15000"},
    }

    def refused(**change):
        parts = {m: dict(v) for m, v in good.items()}
        for m, v in change.items():
            parts[m].update(v)
        with pytest.raises(ValidationError) as e:
            services_targets.split_target(
                t, actor=world.alice, method="manual", split_to="Q", parts=parts, money_unit=WAN
            )
        return " ".join(e.value.messages)

    msg = refused(signed_count={"2026Q4": "0"})
    assert "签约亿元以上项目（个）" in msg and "合计 9" in msg and "年度目标 10" in msg and "相差 -1" in msg
    msg = refused(funds={"2026Q4": "14000"})
    assert "省外到位资金" in msg and "相差 -1000" in msg
    msg = refused(signed_count={"2026Q2": "2.5"})
    assert "2026年第二季度" in msg and "整数" in msg
    msg = refused(signed_amount={"2026Q3": "abc"})
    assert "签约额" in msg and "2026年第三季度" in msg and "不是数字" in msg
    msg = refused(signed_count={"2026Q1": "-1"})
    assert "负数" in msg
    msg = refused(signed_amount={"2026Q1": ""})
    assert "请填写" in msg and "2026年第一季度" in msg
    assert (list(AnnualTargetPart.objects.values_list("pk", "amount")), AuditEntry.objects.count()) == before
    services_targets.split_target(
        t, actor=world.alice, method="manual", split_to="Q", parts=good, money_unit=WAN
    )
    assert _parts(t, "signed_count") == [4, 3, 2, 1]
    assert _parts(t, "funds") == [1 * YI, 1 * YI, D("1.5") * YI, D("1.5") * YI]


def test_bad_method_and_type(world):
    t = _target(world)
    with pytest.raises(ValidationError, match="分解方式"):
        services_targets.split_target(t, actor=world.alice, method="x", split_to="Q")
    with pytest.raises(ValidationError, match="季度或月"):
        services_targets.split_target(t, actor=world.alice, method="equal", split_to="X")


def test_permission_and_scope(world):
    t = _target(world)
    with pytest.raises(PermissionDenied):
        services_targets.split_target(t, actor=world.bob, method="equal", split_to="Q")
    with pytest.raises(Http404):
        services_targets.split_target(t, actor=world.charlie, method="equal", split_to="Q")
    assert not AnnualTargetPart.objects.exists()


def test_by_last_years_progress(world):
    t = _target(world, count=4, amount_yi=8, funds_yi=0)
    with pytest.raises(ValidationError, match="2025年该单位没有"):
        services_targets.split_target(t, actor=world.alice, method="profile", split_to="Q")
    for i, day in enumerate([dt.date(2025, 2, 1), dt.date(2025, 2, 9), dt.date(2025, 8, 1)]):
        _signed(make_lead(world, investor=f"投资方{i}", title=f"P{i}"), world, day, "2")
    services_targets.split_target(t, actor=world.alice, method="profile", split_to="Q")
    # 2025: two signed in Q1, one in Q3 → 4 × (2, 0, 1, 0) ÷ 3 cumulative 2.67 → 3, 3, 4, 4
    assert _parts(t, "signed_count") == [3, 0, 1, 0]
    # 8 亿 × 4 ÷ 6 = 533,333,333.33 yuan to the end of Q1 and Q2, the whole by Q3
    assert _parts(t, "signed_amount") == [D("533333333.33"), 0, D("266666666.67"), 0]
    assert _parts(t, "funds") == [0, 0, 0, 0]


def test_changing_the_whole_splits_again_or_drops_manual_parts(world):
    t = _target(world, count=10)
    services_targets.split_target(t, actor=world.alice, method="equal", split_to="Q")
    t = _target(world, count=50)
    assert _parts(t, "signed_count") == [13, 12, 13, 12]
    parts = {
        "signed_count": {"2026Q1": "50", "2026Q2": "0", "2026Q3": "0", "2026Q4": "0"},
        "signed_amount": {"2026Q1": "200000", "2026Q2": "0", "2026Q3": "0", "2026Q4": "0"},
        "funds": {"2026Q1": "50000", "2026Q2": "0", "2026Q3": "0", "2026Q4": "0"},
    }
    services_targets.split_target(
        t, actor=world.alice, method="manual", split_to="Q", parts=parts, money_unit=WAN
    )
    t = _target(world, count=50)  # the same whole: the manual parts stay
    assert _parts(t, "signed_count") == [50, 0, 0, 0]
    t = _target(world, count=40)
    assert not AnnualTargetPart.objects.filter(target=t).exists() and t.split_method == ""


# --- 时序进度: the worked example of attraction-figures.md §时序进度 --------------------------------------
@pytest.fixture
def schedule_example(world):
    a = make_lead(world, investor="投资方A", title="A", amount_wan="50000")
    c = make_lead(world, investor="投资方C", title="C", amount_wan="8000")
    d = make_lead(world, investor="投资方D", title="D", amount_wan="20000", team=world.zrzy)
    late = make_lead(world, investor="投资方E", title="E", amount_wan="30000")
    _signed(a, world, dt.date(2026, 3, 10), "6")
    _signed(c, world, dt.date(2026, 4, 1), "0.8")
    _signed(d, world, dt.date(2026, 5, 20), "2")
    _signed(late, world, dt.date(2026, 5, 21), "3")
    _funds(a, world, 2026, "2")  # June
    county = _target(world, count=10, amount_yi=20, funds_yi=5)
    services_targets.split_target(county, actor=world.alice, method="equal", split_to="Q")
    team = _target(world, team=world.jxj, count=3, amount_yi=15, funds_yi=3)
    return county, team


def test_schedule_worked_example(world, schedule_example):
    county, team = schedule_example
    day = dt.date(2026, 5, 20)
    rows = {r["metric"]: r for r in figures.target_schedule(county, day)["rows"]}
    c = rows["signed_count"]
    assert (c["to_date"], c["actual"], c["rate"], c["elapsed"], c["lead"], c["behind"]) == (
        4,
        2,
        D("20.0"),
        D("40.0"),
        D("-20.0"),
        True,
    )
    a = rows["signed_amount"]
    assert a["to_date"] == D("833333333.33") and a["actual"] == D("8.8") * YI
    assert (a["rate"], a["elapsed"], a["lead"], a["behind"]) == (D("44.0"), D("41.7"), D("2.3"), False)
    f = rows["funds"]
    assert f["to_date"] == D("208333333.33") and f["actual"] == 0
    assert (f["rate"], f["elapsed"], f["lead"], f["behind"]) == (D("0.0"), D("41.7"), D("-41.7"), True)
    # the team's target is not decomposed: months ÷ 12
    t = {r["metric"]: r for r in figures.target_schedule(team, day)["rows"]}["signed_count"]
    assert (t["to_date"], t["actual"], t["rate"], t["elapsed"], t["lead"]) == (
        1,
        1,
        D("33.3"),
        D("41.7"),
        D("-8.4"),
    )
    # a past year is whole, a year not begun has nothing to date
    assert figures.target_schedule(county, dt.date(2027, 1, 5))["rows"][0]["to_date"] == 10
    assert figures.target_schedule(county, dt.date(2025, 12, 31))["rows"][0]["elapsed"] == D("0.0")


def test_schedule_drills_to_the_lead_list(world, schedule_example, login):
    r = login(world.alice).get(
        reverse("attraction:lead_list"),
        {"signed_from": "2026-01-01", "signed_to": "2026-05-20", "region": world.county.pk},
    )
    assert sorted(lead.title for lead in r.context["page"]) == ["A", "D"]


def test_pages(world, schedule_example, login, monkeypatch):
    county, team = schedule_example
    url = reverse("attraction:annual_split", args=[county.pk])
    assert login(world.bob).get(url).status_code == 404
    assert login(world.charlie).get(url).status_code == 404
    r = login(world.alice).get(url)
    assert r.status_code == 200 and len(r.context["grid"]) == 3
    assert [c["value"] for c in r.context["grid"][0]["cells"]] == ["3", "2", "3", "2"]
    # a manual preview keeps the typed cells; a bad sum names the metric; nothing saved
    data = {"method": "manual", "split_to": "Q", "save": "1"}
    data.update({f"p_signed_count_2026Q{i}": v for i, v in enumerate(["5", "5", "0", "1"], 1)})
    data.update({f"p_signed_amount_2026Q{i}": "50000" for i in range(1, 5)})
    data.update({f"p_funds_2026Q{i}": "12500" for i in range(1, 5)})
    r = login(world.alice).post(url, data)
    assert r.status_code == 200 and "合计 11" in r.content.decode()
    assert _parts(county, "signed_count") == [3, 2, 3, 2]
    data["p_signed_count_2026Q4"] = "0"
    r = login(world.alice).post(url, data)
    assert r.status_code == 302 and _parts(county, "signed_count") == [5, 5, 0, 0]
    # months preview: 12 cells per metric and the derived quarters
    r = login(world.alice).post(url, {"method": "equal", "split_to": "M", "preview": "1"})
    assert len(r.context["grid"][0]["cells"]) == 12 and len(r.context["grid"][0]["quarters"]) == 4
    # the annual page shows the schedule with a link to split
    r = login(world.alice).get(reverse("attraction:annual_targets"), {"year": 2026})
    html = r.content.decode()
    assert 'data-testid="annual-schedule"' in html and url in html
    assert (
        "annual-schedule"
        not in login(world.charlie).get(reverse("attraction:annual_targets")).content.decode()
    )


def test_api_parts(world, schedule_example):
    from rest_framework.test import APIClient

    county, _team = schedule_example
    client = APIClient()
    client.force_authenticate(world.alice)
    data = client.get(f"/api/v1/attraction-annual-targets/{county.pk}/").data
    assert data["split_method"] == "equal" and data["split_to"] == "Q"
    counts = [p["amount"] for p in data["parts"] if p["metric"] == "signed_count"]
    assert [D(x) for x in counts] == [3, 2, 3, 2]

"""The API of the newer attraction models: clocks, weekly reports and their board, judging
meetings, annual targets with progress, contracts with obligations, fund months. Each read is
scoped (another county: 404 on a row, no rows in a list; a role without `attraction.view`: 200
with no rows); each write goes through its service, with its audit entry, and bad input is a
400 naming the field in Chinese."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.attraction.conftest import make_lead
from tests.attraction.test_funds import MARCH, _signed
from zhuqi.attraction.models import (
    AbroadTeam,
    AnnualTarget,
    Contract,
    FundMonth,
    JudgingItem,
    JudgingMeeting,
    LeadClock,
    Obligation,
    WeeklyReport,
)
from zhuqi.core.models import AuditEntry
from zhuqi.core.units import WAN, YI
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 10, 9, 10, tzinfo=SHANGHAI)  # a Friday, ISO week 41


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _rows(r) -> list:
    assert r.status_code == 200, r.content
    return r.data["results"] if isinstance(r.data, dict) else r.data


def _scoped(world, url: str, pk: int) -> None:
    """alice sees the row; charlie (another county) 404 and no rows; the enterprise user (no
    `attraction.view`) an empty list."""
    assert [x["id"] for x in _rows(_api(world.alice).get(url))] == [pk]
    assert _api(world.alice).get(f"{url}{pk}/").status_code == 200
    assert _rows(_api(world.charlie).get(url)) == []
    assert _api(world.charlie).get(f"{url}{pk}/").status_code == 404
    assert _rows(_api(world.enterprise_user).get(url)) == []
    assert _rows(_api(world.grid_member).get(url)) == []


# --- clocks --------------------------------------------------------------------------------------
def test_clocks_read_filter_and_scope(world):
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI), tick=False):
        lead = make_lead(world)
    other = make_lead(world, investor="另一家投资方", title="另一个项目", amount_wan="3000")  # no clocks
    with time_machine.travel(AT, tick=False):  # 9 October: 响应 (due 8 October) is late
        rows = _rows(_api(world.alice).get("/api/v1/attraction-clocks/", {"lead": lead.pk}))
        assert {r["kind"] for r in rows} == {"respond", "judge", "feedback", "progress"}
        late = _rows(_api(world.alice).get("/api/v1/attraction-clocks/", {"overdue": "true"}))
        assert [(r["kind"], r["late_by"]) for r in late] == [("respond", 1)]
        on_time = _rows(_api(world.alice).get("/api/v1/attraction-clocks/", {"overdue": "false"}))
        assert len(on_time) == 3
        assert _rows(_api(world.alice).get("/api/v1/attraction-clocks/", {"lead": other.pk})) == []
        clock = LeadClock.objects.get(lead=lead, kind="respond")
        assert _rows(_api(world.charlie).get("/api/v1/attraction-clocks/")) == []
        assert _api(world.charlie).get(f"/api/v1/attraction-clocks/{clock.pk}/").status_code == 404
        assert _rows(_api(world.enterprise_user).get("/api/v1/attraction-clocks/")) == []


def test_stop_a_clock_through_the_service(world):
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI), tick=False):
        lead = make_lead(world)
    clock = LeadClock.objects.get(lead=lead, kind="respond")
    url = f"/api/v1/attraction-clocks/{clock.pk}/stop/"
    with time_machine.travel(AT, tick=False):
        r = _api(world.bob).post(url, {"note": ""}, format="json")
        assert r.status_code == 400 and "请填写办理情况说明" in str(r.data["note"])
        assert _api(world.leader).post(url, {"note": "已联系"}, format="json").status_code == 403
        assert _api(world.charlie).post(url, {"note": "已联系"}, format="json").status_code == 404
        r = _api(world.bob).post(url, {"note": "已电话联系投资方"}, format="json")
        assert r.status_code == 200 and r.data["done_at"] and r.data["late_by"] == 1
        entry = AuditEntry.objects.get(event="clock_stopped", object_id=str(lead.pk))
        assert entry.actor == world.bob and entry.message == "已电话联系投资方"
        r = _api(world.bob).post(url, {"note": "再次"}, format="json")
        assert r.status_code == 400 and "已办理" in str(r.data["kind"])


# --- weekly reports --------------------------------------------------------------------------------
@pytest.fixture
def team(world):
    return AbroadTeam.objects.create(department=world.jxj, station="上海", created_on=dt.date(2026, 9, 1))


def test_file_a_weekly_report_and_read_the_board(world, team):
    url = "/api/v1/attraction-weekly-reports/"
    body = {"team": team.pk, "year": 2026, "week": 41, "met": "拜访两家企业", "next_week": "邀请考察"}
    with time_machine.travel(AT, tick=False):
        r = _api(world.bob).post(url, {**body, "week": 60}, format="json")
        assert r.status_code == 400 and "周次填写不正确" in str(r.data["week"])
        r = _api(world.bob).post(url, {**body, "met": ""}, format="json")
        assert r.status_code == 400 and "请填写本周对接拜访情况" in str(r.data["met"])
        r = _api(world.bob).post(url, {**body, "week": 42}, format="json")  # not begun: the service
        assert r.status_code == 400 and "还没有开始" in str(r.data["week"])
        assert _api(world.alice).post(url, body, format="json").status_code == 403  # not a team's
        r = _api(world.zr_handler).post(url, body, format="json")  # another team's people
        assert r.status_code == 400 and "team" in r.data
        r = _api(world.bob).post(url, body, format="json")
        assert r.status_code == 201, r.data
        report = WeeklyReport.objects.get(team=team, year=2026, week=41)
        assert r.data["id"] == report.pk and report.submitted_by == world.bob
        assert AuditEntry.objects.filter(event="weekly_report_filed", object_id=str(report.pk)).exists()
        # filing again changes it
        r = _api(world.bob).post(url, {**body, "met": "拜访三家企业"}, format="json")
        assert r.status_code == 201 and WeeklyReport.objects.get(pk=report.pk).met == "拜访三家企业"
        assert AuditEntry.objects.filter(event="weekly_report_changed").count() == 1

        _scoped(world, url, report.pk)
        assert [x["id"] for x in _rows(_api(world.alice).get(url, {"team": team.pk, "week": 41}))] == [
            report.pk
        ]
        assert _rows(_api(world.alice).get(url, {"week": 40})) == []

        board = _api(world.alice).get(f"{url}board/").data
        assert board["weeks"][0] == {"year": 2026, "week": 41, "monday": "2026-10-05"}
        (row,) = board["rows"]
        assert row["team_name"] == "尉氏县工信局" and row["station"] == "上海"
        assert row["cells"][0]["state"] == "filed" and row["cells"][0]["report"] == report.pk
        assert row["cells"][1]["state"] == "missing"  # week 40: not filed, its Friday passed
        assert _api(world.charlie).get(f"{url}board/").data["rows"] == []
        assert _api(world.enterprise_user).get(f"{url}board/").data == {"weeks": [], "rows": []}


# --- judging meetings, annual targets, contracts ---------------------------------------------------
def test_meetings_with_their_items(world):
    lead = make_lead(world)
    meeting = JudgingMeeting.objects.create(
        region=world.county, title="10月线索研判会", held_on=dt.date(2026, 10, 9), created_by=world.alice
    )
    JudgingItem.objects.create(meeting=meeting, lead=lead, industry=8, market=7)
    _scoped(world, "/api/v1/attraction-meetings/", meeting.pk)
    data = _api(world.alice).get(f"/api/v1/attraction-meetings/{meeting.pk}/").data
    (item,) = data["items"]
    assert item["lead_title"] == lead.title and item["industry"] == 8 and item["total"] is None


def test_annual_targets_and_progress(world):
    target = AnnualTarget.objects.create(
        year=2026,
        region=world.county,
        signed_count=4,
        signed_amount=20 * YI,
        funds=5 * YI,
        created_by=world.alice,
    )
    _scoped(world, "/api/v1/attraction-annual-targets/", target.pk)
    url = "/api/v1/attraction-annual-targets/progress/"
    rows = _api(world.alice).get(url, {"year": 2026}).data
    assert [(r["metric"], r["unit"], r["rate"]) for r in rows] == [
        ("signed_count", "尉氏县", 0.0),
        ("signed_amount", "尉氏县", 0.0),
        ("funds", "尉氏县", 0.0),
        # the size bands (规模档): no band target set, so no rate
        ("signed_5", "尉氏县", None),
        ("signed_20", "尉氏县", None),
        ("signed_50", "尉氏县", None),
        # the 延链补链 qualifier (§延链补链): no target, no rate
        ("signed_chain", "尉氏县", None),
    ]
    assert _api(world.alice).get(url, {"year": 2026, "region": world.county.pk}).data == rows
    r = _api(world.alice).get(url, {"year": "abc"})
    assert r.status_code == 400 and "年度填写不正确" in str(r.data["year"])
    assert _api(world.alice).get(url, {"year": 2026, "region": world.other_county.pk}).status_code == 404
    assert _api(world.charlie).get(url, {"year": 2026}).data == []
    assert _api(world.enterprise_user).get(url, {"year": 2026}).data == []


def test_contracts_with_obligations(world):
    lead = make_lead(world)
    contract = Contract.objects.create(
        lead=lead, kind="formal", signed_on=dt.date(2026, 5, 1), amount=5 * YI, created_by=world.alice
    )
    Obligation.objects.create(contract=contract, kind="start", due_on=dt.date(2026, 12, 31))
    _scoped(world, "/api/v1/attraction-contracts/", contract.pk)
    data = _api(world.alice).get(f"/api/v1/attraction-contracts/{contract.pk}/").data
    assert [(o["kind"], o["status"]) for o in data["obligations"]] == [("start", "due")]
    assert _rows(_api(world.zr_handler).get("/api/v1/attraction-contracts/")) == []  # not its team's


# --- fund months ---------------------------------------------------------------------------------
def test_record_a_fund_month_through_the_service(world, rules):
    lead = _signed(world, "河南某某新材料有限公司")
    url = "/api/v1/attraction-fund-months/"
    body = {"lead": lead.pk, "year": 2026, "month": 2, "source": "out_province", "amount": str(3000 * WAN)}
    with time_machine.travel(MARCH, tick=False):
        r = _api(world.bob).post(url, {**body, "month": 13}, format="json")
        assert r.status_code == 400 and "月份填写不正确" in str(r.data["month"])
        r = _api(world.bob).post(url, {**body, "source": "x"}, format="json")
        assert r.status_code == 400 and "请选择资金来源" in str(r.data["source"])
        r = _api(world.bob).post(url, {**body, "month": 4}, format="json")  # the service: a future month
        assert r.status_code == 400 and "未来月份" in str(r.data["month"])
        assert _api(world.leader).post(url, body, format="json").status_code == 403
        r = _api(world.charlie).post(url, body, format="json")  # another county's lead
        assert r.status_code == 400 and "线索不存在或不在您的范围内" in str(r.data["lead"])
        r = _api(world.bob).post(url, body, format="json")
        assert r.status_code == 201, r.data
        fund = FundMonth.objects.get(lead=lead)
        assert fund.amount == Decimal(3000) * WAN and fund.recorded_by == world.bob
        assert r.data["recognised"] == fund.recognised
        assert AuditEntry.objects.filter(
            event="funds_recorded", object_id=str(lead.pk), actor=world.bob
        ).exists()
        r = _api(world.bob).post(url, body, format="json")
        assert r.status_code == 400 and "已登记" in str(r.data["month"])
    _scoped(world, url, fund.pk)
    assert [x["id"] for x in _rows(_api(world.alice).get(url, {"lead": lead.pk, "month": 2}))] == [fund.pk]

"""The attraction demo: 固镇's chains, reviewers and 40 leads across the stages, each with history."""

import pytest

from tests.demo_loading import demo_loaded
from zhuqi.assistance import demo as assistance_demo
from zhuqi.attraction import demo as attraction_demo
from zhuqi.attraction.models import (
    Chain,
    ChainEnterprise,
    ChainNode,
    FundMonth,
    Lead,
    Obligation,
    Opinion,
    ReviewRule,
    StageChange,
    Target,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, assistance_demo.load, attraction_demo.load_demo) as context:
        yield context


def test_demo_leads_chains_and_reviewers(demo):
    assert Chain.objects.count() == 4
    assert Target.objects.count() == 40
    assert Lead.objects.filter(is_demo=True).count() == 40
    assert ReviewRule.objects.filter(industry_prefix="").count() == 12
    assert StageChange.objects.filter(lead__is_demo=True).count() > 40
    assert Opinion.objects.filter(prereview__status="open").exclude(verdict="").count() == 1
    assert Lead.objects.filter(stage__code="lost").count() == 2
    # five leads reviewed and signed, two registered, one started with recognised funds and a project
    assert Lead.objects.filter(stage__needs_prereview=True).count() == 5
    assert FundMonth.objects.filter(recognised=True).count() == 1
    assert FundMonth.objects.filter(recognised=False).count() == 1
    assert Lead.objects.filter(project__isnull=False).count() == 1
    assert Obligation.objects.count() == 15


def test_demo_chains_have_local_firms_but_not_on_gaps(demo):
    """The 全景图 of the demo shows local firms on the links that have them; a 补链 link is a gap."""
    placed = ChainEnterprise.objects.filter(status=ChainEnterprise.Status.CONFIRMED)
    assert placed.exists()
    assert not placed.filter(node__gap=ChainNode.Gap.FILL).exists()
    for row in placed.select_related("node__chain__region", "enterprise"):
        assert row.enterprise.region_path.startswith(row.node.chain.region.path)
        assert row.enterprise.industry.code in row.node.divisions()


def test_demo_clocks_and_weekly_reports(demo):
    from zhuqi.attraction import selectors
    from zhuqi.attraction.models import AbroadTeam, LeadClock, WeeklyReport
    from zhuqi.core.models import User

    # the big leads still in 线索 count from their registration: some are late, one was judged
    assert Lead.objects.filter(selectors.overdue_lead_q()).exists()
    assert (
        LeadClock.objects.filter(kind="judge", done_at__isnull=False, lead__stage__code="lead").count() == 1
    )
    assert AbroadTeam.objects.count() == 2
    assert WeeklyReport.objects.count() == 15
    board = selectors.report_board(User.objects.get(username="dispatch"))
    states = {row["team"].station: [c["state"] for c in row["cells"]] for row in board["rows"]}
    assert states["上海"][1:] == ["filed"] * 7
    assert states["深圳"][1:] == ["filed", "filed", "missing", "filed", "late", "filed", "filed"]


def test_demo_judging_meeting(demo):
    from zhuqi.attraction.models import JudgingMeeting

    meeting = JudgingMeeting.objects.get()
    assert meeting.status == "open" and meeting.items.count() == 5
    assert [i.total for i in meeting.items.order_by("order")][:3] == [47, 27, None]


def test_demo_annual_targets(demo):
    from zhuqi.attraction.models import AnnualTarget

    assert AnnualTarget.objects.count() == 2
    # 固镇县's 50 亿元以上 projects decomposed by quarter (attraction-figures.md §分解)
    county = AnnualTarget.objects.get(team=None)
    assert (county.signed_count, county.split_method, county.split_to) == (50, "equal", "Q")
    parts = county.parts.filter(metric="signed_count").order_by("period").values_list("amount", flat=True)
    assert list(parts) == [13, 12, 13, 12]

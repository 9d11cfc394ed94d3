"""Work-first home pages: each role opens on its queue, most urgent first; every figure of a
queue card counts exactly the rows of the list it links to, and every item links to its row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from zhuqi.assistance.models import Assignment
from zhuqi.cases import services
from zhuqi.cases.models import Case, EscalationLevel

from ..cases.conftest import CaseWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(world):
    """Cases in every state the queues look at, the leader's and the grid member's 包抓."""
    cw = CaseWorld(world)
    year = timezone.localdate().year
    for user, role in ((world.leader, "county_leader"), (world.grid_member, "grid_member")):
        Assignment.objects.create(enterprise=cw.ent, year=year, role=role, user=user)
    cw.to("submitted")
    cw.to("accepted", title="用地指标迟迟未批")
    cw.to("dispatched", title="招工难")
    cw.to("sent_back", title="退回的诉求")
    cw.to("in_progress", title="办理中的诉求")
    cw.to("replied", title="已答复待回访")
    escalated = cw.to("in_progress", title="需县级协调的诉求", ent=cw.ent_b, actor=world.alice)
    Case.objects.filter(pk=escalated.pk).update(escalation_level=EscalationLevel.COUNTY)
    overdue = cw.to("in_progress", title="已超时的诉求")
    Case.objects.filter(pk=overdue.pk).update(next_due_at=timezone.now() - dt.timedelta(days=2))
    return cw


def _home(client):
    r = client.get(reverse("home"))
    assert r.status_code == 200
    return r


def _rows_on(client, url) -> int | None:
    """The number of rows the linked page lists (a paginated list), None for other pages."""
    r = client.get(url)
    assert r.status_code == 200, url
    page = r.context.get("page") if r.context else None
    return page.paginator.count if page is not None and hasattr(page, "paginator") else None


PERSONAS = ["alice", "bob", "head", "leader", "supervisor", "grid_member", "enterprise_user", "observer"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_figure_counts_the_rows_of_its_list(busy, login, persona):
    client = login(getattr(busy.w, persona))
    cards = _home(client).context["cards"]
    checked = 0
    for card in cards:
        for label, n, url, _tone in card.get("stats", []):
            rows = _rows_on(client, url)
            if rows is not None:
                assert rows == n, (persona, str(label), url)
                checked += 1
        for item in card.get("items", []):
            url = item["url"] if isinstance(item, dict) else item.get_absolute_url()
            assert client.get(url).status_code == 200, url
    assert checked, persona  # every persona's home has at least one case figure with its rows


def test_pages_open_on_the_roles_queue_most_urgent_first(busy, login):
    w = busy.w
    # dispatch: cases to accept and dispatch first, the nearest deadline on top
    cards = _home(login(w.alice)).context["cards"]
    assert cards[0]["testid"] == "cases-card"
    stats = {str(s[0]): s[1] for s in cards[0]["stats"]}
    assert stats["待受理"] == 1 and stats["待交办"] == 2 and stats["其中退单"] == 1
    titles = [i["title"] for i in cards[0]["items"]]
    assert any("用地指标迟迟未批" in t for t in titles) and any("退回的诉求" in t for t in titles)
    dues = [i["due"] for i in cards[0]["items"] if i["due"]]
    assert dues == sorted(dues)
    # handler: cases to sign and the overdue one
    cards = _home(login(w.bob)).context["cards"]
    assert cards[0]["testid"] == "cases-card"
    titles = " ".join(i["title"] for i in cards[0]["items"])
    assert "招工难" in titles and "已超时的诉求" in titles
    assert cards[0]["items"][0]["tone"] == "danger"  # the overdue one first
    # leader: the escalated case first, then their 包抓 enterprise's open cases
    cards = _home(login(w.leader)).context["cards"]
    assert cards[0]["testid"] == "cases-card"
    assert "需县级协调的诉求" in cards[0]["items"][0]["title"] and cards[0]["items"][0]["badge"]
    assert all(("需县级协调" in i["title"]) or busy.ent.name in i["meta"] for i in cards[0]["items"])
    # 督查: the overdue cases beside the supervision queue
    cards = _home(login(w.supervisor)).context["cards"]
    case_card = next(c for c in cards if c.get("testid") == "cases-card")
    assert [i["title"] for i in case_card["items"]] == [f"{c.no} {c.title}" for c in _overdue(w.supervisor)]
    # enterprise: its open cases with their deadlines
    cards = _home(login(w.enterprise_user)).context["cards"]
    assert cards[0]["testid"] == "cases-card" and all(i["due"] for i in cards[0]["items"])


def _overdue(user):
    return Case.objects.visible_to(user).filter(next_due_at__lt=timezone.now()).order_by("next_due_at")


def test_no_tile_only_counts_regions_departments_or_people(busy, login):
    for persona in PERSONAS:
        r = _home(login(getattr(busy.w, persona)))
        page = r.content.decode()
        for label in ("区划", "部门", "人员"):
            assert f'<div class="label">{label}</div>' not in page, (persona, label)
        lists = {reverse(n) for n in ("core:region_list", "core:department_list", "core:user_list")}
        assert not [s for c in r.context["cards"] for s in c.get("stats", []) if s[2] in lists]


def test_the_cards_are_scoped(busy, login):
    w = busy.w
    services.accept_case(busy.new(ent=busy.ent_other, actor=w.charlie), actor=w.charlie)
    cards = _home(login(w.alice)).context["cards"]
    assert all("通许县" not in i["meta"] for c in cards for i in c.get("items", []) if isinstance(i, dict))
    charlie = _home(login(w.charlie)).context["cards"][0]
    assert {str(s[0]): s[1] for s in charlie["stats"]}["待交办"] == 1


def test_a_departments_supervision_items_are_on_its_home(world, login):
    from zhuqi.oversight import services as ov_services

    ov_services.create_item(
        actor=world.supervisor, title="标准化厂房主体完工", lead_department=world.jxj, working_days=5
    )
    ov_services.create_item(
        actor=world.supervisor, title="别的部门的事项", lead_department=world.zrzy, working_days=5
    )
    client = login(world.bob)
    card = next(c for c in _home(client).context["cards"] if c.get("testid") == "oversight-department-card")
    assert [i["title"] for i in card["items"]] == ["标准化厂房主体完工"]
    (_label, n, url, _tone) = card["stats"][0]
    assert n == 1 == _rows_on(client, url)
    assert all(
        c.get("testid") != "oversight-department-card" for c in _home(login(world.alice)).context["cards"]
    )


def test_the_cockpit_definitions_open(world, login):
    r = login(world.leader).get(reverse("core:doc", args=["cockpit-figures"]))
    assert r.status_code == 200 and "驾驶舱的数字" in r.content.decode()

"""Data scope on every list, detail page and API endpoint of the registry and assistance apps:
a grid member sees their grid, a commissioner their assigned enterprises, an enterprise user
their own enterprise; everything else answers 404 (or is simply absent from lists)."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.enterprises.helpers import enterprises
from zhuqi.assistance.models import Assignment, AssistancePlan, PlanMeasure, Visit
from zhuqi.enterprises.models import EnterpriseList, EnterpriseUser, ListMembership

pytestmark = pytest.mark.django_db

CITY_WIDE = {"grid1", "grid2", "town"}
EXPECTED = {
    "admin": {"grid1", "grid2", "town", "other"},
    "dispatch": CITY_WIDE,
    "leader": CITY_WIDE,
    "dept_head": CITY_WIDE,
    "handler": CITY_WIDE,
    "supervisor": CITY_WIDE,
    "observer": CITY_WIDE,
    "grid": {"grid1"},
    "commissioner": {"grid2"},
    "enterprise": {"town"},
    "charlie": {"other"},
}


@pytest.fixture
def scene(world):
    ents = enterprises(world)
    Assignment.objects.create(
        enterprise=ents["grid2"], year=2026, role="commissioner", user=world.commissioner
    )
    EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=ents["town"])
    county_list = EnterpriseList.objects.create(name="小升规培育库", kind="pool", region=world.county, goal=3)
    other_list = EnterpriseList.objects.create(name="通许重点清单", region=world.other_county)
    objs = {}
    for key, ent in ents.items():
        visit = Visit.objects.create(enterprise=ent, visitor=world.admin, findings=f"走访{key}")
        plan = AssistancePlan.objects.create(enterprise=ent, year=2026, goals="产值增长")
        measure = PlanMeasure.objects.create(plan=plan, title="协调用地", deadline=dt.date(2026, 12, 31))
        membership = ListMembership.objects.create(
            list=other_list if key == "other" else county_list, enterprise=ent, entered_on=dt.date(2026, 1, 1)
        )
        leader = world.other_handler if key == "other" else world.leader
        assignment = Assignment.objects.create(enterprise=ent, year=2026, role="county_leader", user=leader)
        objs[key] = {
            "enterprise": ent,
            "visit": visit,
            "plan": plan,
            "measure": measure,
            "membership": membership,
            "assignment": assignment,
        }
    return objs


def persona(world, name):
    return world.charlie if name == "charlie" else world.roles()[name]


PAGE_DETAILS = [
    ("enterprises:enterprise_detail", "enterprise", True),
    ("assistance:visit_detail", "visit", False),
    ("assistance:compliance_enterprise", "enterprise", False),
]
API_DETAILS = [
    ("enterprise-detail", "enterprise", True),
    ("visit-detail", "visit", False),
    ("assignment-detail", "assignment", True),
    ("plan-detail", "plan", True),
    ("plan-measure-detail", "measure", True),
    ("list-membership-detail", "membership", True),
]


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_detail_pages_and_api_answer_404_outside_scope(world, scene, login, who):
    client = login(persona(world, who))
    for key, objs in scene.items():
        visible = key in EXPECTED[who]
        for url_name, obj_key, for_enterprise_users in PAGE_DETAILS + [
            ("api:" + n, k, e) for n, k, e in API_DETAILS
        ]:
            allowed = visible and (who != "enterprise" or for_enterprise_users)
            if url_name.startswith("api:"):
                url = f"/api/v1/{url_name[4:].removesuffix('-detail')}s/{objs[obj_key].pk}/"
            else:
                url = reverse(url_name, args=[objs[obj_key].pk])
            status = client.get(url).status_code
            assert status == (200 if allowed else 404), (who, key, url, status)


LIST_PAGES = [
    "enterprises:enterprise_list",
    "assistance:visit_list",
    "assistance:plan_list",
    "assistance:assignment_list",
]


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_list_pages_show_only_what_is_in_scope(world, scene, login, who):
    client = login(persona(world, who))
    for url_name in LIST_PAGES:
        response = client.get(reverse(url_name))
        if who == "enterprise":
            assert response.status_code == 404, url_name
            continue
        assert response.status_code == 200, url_name
        html = response.content.decode()
        shown = {key for key, objs in scene.items() if objs["enterprise"].name in html}
        assert shown == EXPECTED[who], (who, url_name)


API_LISTS = {
    "/api/v1/enterprises/": lambda row: row["id"],
    "/api/v1/visits/": lambda row: row["enterprise"],
    "/api/v1/assignments/": lambda row: row["enterprise"],
    "/api/v1/plans/": lambda row: row["enterprise"],
    "/api/v1/list-memberships/": lambda row: row["enterprise"],
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_api_lists_show_only_what_is_in_scope(world, scene, login, who):
    client = login(persona(world, who))
    ids = {objs["enterprise"].pk: key for key, objs in scene.items()}
    for url, enterprise_of in API_LISTS.items():
        response = client.get(url)
        assert response.status_code == 200, url
        shown = {ids[enterprise_of(row)] for row in response.json()["results"]}
        expected = set() if (who == "enterprise" and "visits" in url) else EXPECTED[who]
        assert shown == expected, (who, url)
    measures = client.get("/api/v1/plan-measures/").json()["results"]
    assert len(measures) == len(EXPECTED[who])


def test_anonymous_gets_nothing(client, scene):
    assert client.get("/api/v1/enterprises/").status_code in (401, 403)
    assert client.get(reverse("enterprises:enterprise_list")).status_code == 302


def test_meetings_lists_and_people_pages_are_scoped(world, scene, login):
    from zhuqi.assistance.models import Meeting

    mine = Meeting.objects.create(
        kind="breakfast",
        title="尉氏早餐会",
        held_on=dt.date(2026, 3, 1),
        host=world.leader,
        region=world.county,
    )
    theirs = Meeting.objects.create(
        kind="forum",
        title="通许座谈会",
        held_on=dt.date(2026, 3, 2),
        host=world.charlie,
        region=world.other_county,
    )
    county_list = EnterpriseList.objects.get(name="小升规培育库")
    other_list = EnterpriseList.objects.get(name="通许重点清单")
    cases = [
        (world.alice, {mine.pk}, {county_list.pk}),
        (world.charlie, {theirs.pk}, {other_list.pk}),
        (world.commissioner, set(), {county_list.pk}),  # the park sees the county's list
        (world.grid_member, set(), {county_list.pk}),
    ]
    for user, meetings, lists in cases:
        client = login(user)
        assert {r["id"] for r in client.get("/api/v1/meetings/").json()["results"]} == meetings
        assert {r["id"] for r in client.get("/api/v1/enterprise-lists/").json()["results"]} == lists
        for m in (mine, theirs):
            expected = 200 if m.pk in meetings else 404
            assert client.get(reverse("assistance:meeting_detail", args=[m.pk])).status_code == expected
            assert client.get(f"/api/v1/meetings/{m.pk}/").status_code == expected
        for lst in (county_list, other_list):
            expected = 200 if lst.pk in lists else 404
            assert client.get(reverse("enterprises:list_detail", args=[lst.pk])).status_code == expected
    # the list page shows only members in the viewer's scope
    html = (
        login(world.commissioner)
        .get(reverse("enterprises:list_detail", args=[county_list.pk]))
        .content.decode()
    )
    assert scene["grid2"]["enterprise"].name in html and scene["grid1"]["enterprise"].name not in html
    # an enterprise user gets 404 on every official page
    client = login(world.enterprise_user)
    for url in [
        reverse("assistance:meeting_list"),
        reverse("assistance:compliance"),
        reverse("assistance:my_enterprises"),
        reverse("assistance:visit_create"),
        reverse("enterprises:list_index"),
        reverse("enterprises:industry_list"),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("enterprises:my_enterprise")).url == reverse(
        "enterprises:enterprise_detail", args=[scene["town"]["enterprise"].pk]
    )
    assert client.get("/api/v1/visit-compliance/").json()["rows"] == []
    # their own page shows the team that serves them, but no links into officials' pages
    html = client.get(
        reverse("enterprises:enterprise_detail", args=[scene["town"]["enterprise"].pk])
    ).content.decode()
    assert 'data-testid="team"' in html and "/core/people/" not in html and 'data-testid="visits"' not in html


def test_hand_over_and_drill_down_pages_are_scoped(world, scene, login):
    a_other = scene["other"]["assignment"]
    a_mine = scene["grid1"]["assignment"]
    alice = login(world.alice)
    assert alice.get(reverse("assistance:hand_over", args=[a_other.pk])).status_code == 404
    assert alice.get(reverse("assistance:hand_over", args=[a_mine.pk])).status_code == 200
    assert (
        alice.get(reverse("assistance:compliance_official", args=[world.other_handler.pk])).status_code == 404
    )
    assert (
        alice.get(
            reverse("assistance:visit_create"), {"enterprise": scene["other"]["enterprise"].pk}
        ).status_code
        == 404
    )
    # a handler sees the assignment but may not hand it over
    assert login(world.bob).get(reverse("assistance:hand_over", args=[a_mine.pk])).status_code == 404

"""观摩 (inspection tours): the hand-worked example of docs/oversight.md §观摩 (trimmed means,
weighted totals, shared ranks), organising a round, a judge's scores, publishing, the Word
bulletin, and scope (the 观摩得分 metric of the 红黑榜: test_redblack_projects.py)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.cases.conftest import credit_code
from tests.projects.conftest import make_project
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.enterprises.models import Enterprise, EnterpriseUser
from zhuqi.oversight import services_tours as services
from zhuqi.oversight import tours
from zhuqi.oversight.models import TourRound, TourScore, TourSite

pytestmark = pytest.mark.django_db

D = Decimal
CRITERIA = [("建设进度", D(60), 100), ("现场管理", D(40), 50)]


@pytest.fixture
def five(world):
    """Five judges of 尉氏县 (the dispatch office, the leader, 督查, the observer, the 工信局 head)."""
    return [world.alice, world.leader, world.supervisor, world.observer, world.head]


@pytest.fixture
def sites(world):
    a = make_project(world, code="A01", name="甲项目")
    b = make_project(world, code="B01", name="乙项目")
    c = Enterprise.objects.create(name="尉氏县丙机械有限公司", credit_code=credit_code(), region=world.grid)
    return [a, b, c]


def make_round(world, sites, judges, criteria=CRITERIA, **kw):
    kw.setdefault("name", "2026年上半年重点项目观摩")
    kw.setdefault("period", "2026年上半年")
    kw.setdefault("held_on", dt.date(2026, 6, 20))
    kw.setdefault("region", world.county)
    return services.save_round(
        None, actor=kw.pop("actor", world.supervisor), sites=sites, judges=judges, criteria=criteria, **kw
    )


def score_all(rnd, table, judges):
    """table: {site name: {criterion name: [one score per judge]}}."""
    crit = {c.name: c for c in rnd.criteria.all()}
    for site in rnd.sites.all():
        per = table[site.name]
        for i, judge in enumerate(judges):
            services.score_site(rnd, site, {crit[n].pk: str(v[i]) for n, v in per.items()}, actor=judge)


# the example of docs/oversight.md §观摩
EXAMPLE = {
    "甲项目": {"建设进度": [90, 85, 80, 70, 95], "现场管理": [40, 42, 44, 46, 48]},
    "乙项目": {"建设进度": [80, 83, 86, 60, 100], "现场管理": [45, 46, "45.5", 50, 30]},
    "尉氏县丙机械有限公司": {"建设进度": [70, 72, 74, 76, 78], "现场管理": [35, 36, 36, 30, 40]},
}


def test_the_hand_worked_example(world, sites, five):
    rnd = make_round(world, sites, five)
    score_all(rnd, EXAMPLE, five)
    rows = tours.results(rnd)
    got = [(r.site.name, r.cells, r.total, r.rank) for r in rows]
    assert got == [
        # 建设进度 (90+85+80)/3 = 85; 现场管理 (42+44+46)/3 = 44 → 88 %; 0.6×85 + 0.4×88 = 86.20
        ("甲项目", [D("85.00"), D("44.00")], D("86.20"), 1),
        # (80+83+86)/3 = 83 (all five: 81.8); (45+46+45.5)/3 = 45.5 → 91 %; 49.8 + 36.4 = 86.20: a tie
        ("乙项目", [D("83.00"), D("45.50")], D("86.20"), 1),
        # (72+74+76)/3 = 74; (35+36+36)/3 = 35.67 → 71.33 %; 44.4 + 28.53 = 72.93; rank 3, not 2
        ("尉氏县丙机械有限公司", [D("74.00"), D("35.67")], D("72.93"), 3),
    ]
    assert all(r.done == 5 for r in rows)


def test_fewer_than_five_judges_are_all_averaged():
    assert tours.TRIM_MIN_JUDGES == 5
    assert tours.trimmed_mean([D(90), D(80), D(70), D(60)]) == D(75)
    assert tours.trimmed_mean([D(90), D(80), D(70), D(60), D(0)]) == D(70)
    assert tours.trimmed_mean([]) is None


def test_a_site_missing_a_criterion_has_no_total_yet(world, sites, five):
    rnd = make_round(world, sites[:2], five[:2])
    a = rnd.sites.get(project=sites[0])
    c1, c2 = rnd.criteria.all()
    services.score_site(rnd, a, {c1.pk: "80", c2.pk: "40"}, actor=world.alice)
    rows = tours.results(rnd)
    assert [(r.site.name, r.total, r.rank, r.done) for r in rows] == [
        ("甲项目", D("80.00"), 1, 1),  # one judge: 0.6×80 + 0.4×80
        ("乙项目", None, 0, 0),
    ]


def test_organising_a_round(world, sites, five):
    rnd = make_round(world, [sites[2], sites[0]], five)
    assert [(s.name, s.order) for s in rnd.sites.all()] == [("尉氏县丙机械有限公司", 1), ("甲项目", 2)]
    assert rnd.judges.count() == 5 and rnd.created_by == world.supervisor
    assert AuditEntry.objects.filter(event="tour_created", object_id=str(rnd.pk)).exists()
    # the judges are told, the organiser is not
    assert Notification.objects.filter(recipient=world.leader, title__contains="观摩").exists()
    assert not Notification.objects.filter(recipient=world.supervisor).exists()
    # reordered, one site more: the scored sites keep their scores
    c1, c2 = rnd.criteria.all()
    site_c = rnd.sites.get(enterprise=sites[2])
    services.score_site(rnd, site_c, {c1.pk: "80", c2.pk: "40"}, actor=world.leader)
    kw = dict(name="观摩", region=world.county, held_on=rnd.held_on, judges=five, criteria=CRITERIA)
    services.save_round(rnd, actor=world.alice, sites=[sites[0], sites[1], sites[2]], **kw)
    assert [s.name for s in rnd.sites.order_by("order")] == ["甲项目", "乙项目", "尉氏县丙机械有限公司"]
    assert TourScore.objects.filter(site=site_c).count() == 2


@pytest.mark.parametrize(
    "criteria, message",
    [
        ([("建设进度", D(60), 100), ("现场管理", D(30), 50)], "各评分项的权重之和应为 100，现在是 90"),
        ([("建设进度", D(100), 100), ("建设进度", D(0), 50)], "评分项「建设进度」重复"),
        ([("建设进度", D(110), 100), ("现场管理", D(-10), 50)], "评分项「现场管理」的权重应大于 0"),
        ([("建设进度", D(100), 0)], "评分项「建设进度」的满分应在 1–1000 之间"),
        ([], "请至少填写一个评分项"),
    ],
)
def test_bad_criteria_are_refused_and_nothing_is_saved(world, sites, five, criteria, message):
    with pytest.raises(ValidationError) as exc:
        make_round(world, sites, five, criteria=criteria)
    assert message in exc.value.message_dict["criteria"][0]
    assert not TourRound.objects.exists()


def test_sites_and_judges_must_be_in_scope(world, sites, five):
    other_project = make_project(
        world,
        code="P900",
        name="通许县项目",
        region=world.other_county,
        department=world.other_jxj,
        leader=world.charlie,
    )
    with pytest.raises(ValidationError) as exc:  # the other county's project: as if it did not exist
        make_round(world, [sites[0], other_project], five)
    assert exc.value.message_dict == {"sites": ["有观摩点不存在或不在本次观摩的区划内"]}
    with pytest.raises(ValidationError) as exc:
        make_round(world, sites, [world.leader, world.charlie])
    assert exc.value.message_dict == {"judges": ["有评委不存在或不在您的范围内"]}
    with pytest.raises(ValidationError) as exc:
        make_round(world, [sites[0], sites[0]], five)
    assert exc.value.message_dict == {"sites": ["同一个观摩点选了两次"]}
    with pytest.raises(PermissionDenied):  # a department handler does not organise 观摩
        make_round(world, sites, five, actor=world.bob)
    with pytest.raises(ValidationError):  # 通许县's dispatch office cannot organise in 尉氏县
        make_round(world, sites, five, actor=world.charlie)
    rnd = make_round(world, sites, five)
    with pytest.raises(Http404):
        services.save_round(
            rnd,
            actor=world.charlie,
            name="x",
            region=world.other_county,
            held_on=rnd.held_on,
            sites=[other_project],
            judges=[world.charlie],
            criteria=CRITERIA,
        )
    assert TourRound.objects.count() == 1


def test_the_criteria_stay_once_scored(world, sites, five):
    rnd = make_round(world, sites, five)
    c1, c2 = rnd.criteria.all()
    site = rnd.sites.first()
    services.score_site(rnd, site, {c1.pk: "80", c2.pk: "40"}, actor=world.leader)
    kw = dict(name="观摩", region=world.county, held_on=rnd.held_on, sites=sites)
    with pytest.raises(ValidationError) as exc:
        services.save_round(rnd, actor=world.alice, judges=five, criteria=[("建设进度", D(100), 100)], **kw)
    assert exc.value.message_dict == {"criteria": ["已有评分，不能再修改评分项"]}
    with pytest.raises(ValidationError) as exc:
        services.save_round(rnd, actor=world.alice, judges=[world.alice], criteria=CRITERIA, **kw)
    assert exc.value.message_dict == {"judges": ["已评分的评委不能移出本轮观摩"]}


@pytest.mark.parametrize(
    "value, message",
    [
        ("101", "「建设进度」的得分必须在 0–100 之间"),
        ("-1", "「建设进度」的得分必须在 0–100 之间"),
        ("九十", "「建设进度」的得分不是数字"),
        ("NaN", "「建设进度」的得分必须在 0–100 之间"),
        ("88.125", "「建设进度」的得分最多两位小数"),
        ("", "请为「建设进度」打分"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_saved(world, sites, five, value, message):
    rnd = make_round(world, sites, five)
    c1, c2 = rnd.criteria.all()
    with pytest.raises(ValidationError) as exc:
        services.score_site(rnd, rnd.sites.first(), {c1.pk: value, c2.pk: "40"}, actor=world.leader)
    assert exc.value.message_dict == {f"c{c1.pk}": [message]}
    assert not TourScore.objects.exists()


def test_score_above_the_criterions_own_maximum(world, sites, five):
    rnd = make_round(world, sites, five)
    c1, c2 = rnd.criteria.all()
    with pytest.raises(ValidationError) as exc:
        services.score_site(rnd, rnd.sites.first(), {c1.pk: "90", c2.pk: "50.5"}, actor=world.leader)
    assert exc.value.message_dict == {f"c{c2.pk}": ["「现场管理」的得分必须在 0–50 之间"]}


def test_only_judges_score_and_rescoring_replaces(world, sites, five):
    rnd = make_round(world, sites, five[:2])
    c1, c2 = rnd.criteria.all()
    site = rnd.sites.first()
    with pytest.raises(PermissionDenied, match="不是本轮观摩的评委"):
        services.score_site(rnd, site, {c1.pk: "80", c2.pk: "40"}, actor=world.supervisor)
    with pytest.raises(Http404):  # the other county's official cannot even see the round
        services.score_site(rnd, site, {c1.pk: "80", c2.pk: "40"}, actor=world.charlie)
    services.score_site(rnd, site, {c1.pk: "80", c2.pk: "40"}, actor=world.leader)
    services.score_site(rnd, site, {c1.pk: "90.5", c2.pk: "45"}, actor=world.leader)
    assert sorted(TourScore.objects.values_list("score", flat=True)) == [D("45.00"), D("90.50")]
    assert AuditEntry.objects.filter(event="tour_scored").count() == 2


def test_publishing(world, sites, five):
    rnd = make_round(world, sites[:2], five)
    c1, c2 = rnd.criteria.all()
    with pytest.raises(ValidationError, match="还没有任何观摩点评分完成"):
        services.publish_round(rnd, actor=world.supervisor)
    for judge in five[:4]:
        for site in rnd.sites.all():
            services.score_site(rnd, site, {c1.pk: "80", c2.pk: "40"}, actor=judge)
    with pytest.raises(ValidationError) as exc:  # the fifth judge has not scored
        services.publish_round(rnd, actor=world.supervisor)
    assert "以下评委尚未完成评分：head（2 个观摩点）" in exc.value.message_dict["note"][0]
    with pytest.raises(PermissionDenied):
        services.publish_round(rnd, actor=world.leader)
    services.publish_round(rnd, actor=world.supervisor, note="一名评委因公缺席")
    rnd.refresh_from_db()
    assert rnd.status == TourRound.Status.PUBLISHED and rnd.publish_note == "一名评委因公缺席"
    assert Notification.objects.filter(recipient=world.head, title__contains="观摩结果已公布").exists()
    with pytest.raises(ValidationError, match="不能重复公布"):
        services.publish_round(rnd, actor=world.supervisor)
    with pytest.raises(ValidationError, match="不能再评分"):
        services.score_site(rnd, rnd.sites.first(), {c1.pk: "80", c2.pk: "40"}, actor=world.head)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.save_round(
            rnd,
            actor=world.alice,
            name="x",
            region=world.county,
            held_on=rnd.held_on,
            sites=sites,
            judges=five,
        )


def test_the_word_bulletin(world, sites, five):
    from docx import Document

    rnd = make_round(world, sites, five)
    score_all(rnd, EXAMPLE, five)
    with pytest.raises(ValidationError, match="公布后才能下载"):
        services.tour_bulletin(rnd, actor=world.alice)
    services.publish_round(rnd, actor=world.supervisor)
    doc = Document(io.BytesIO(services.tour_bulletin(rnd, actor=world.alice)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于2026年上半年重点项目观摩结果的通报" in text and "5名评委对3个观摩点" in text
    table = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert table[0] == ["名次", "观摩点", "建设进度（满分 100）", "现场管理（满分 50）", "综合得分"]
    assert table[1:] == [
        ["1", "甲项目", "85.00", "44.00", "86.20"],
        ["1", "乙项目", "83.00", "45.50", "86.20"],
        ["3", "尉氏县丙机械有限公司", "74.00", "35.67", "72.93"],
    ]
    assert AuditEntry.objects.filter(action="export", object_id=str(rnd.pk)).exists()
    with pytest.raises(Http404):
        services.tour_bulletin(rnd, actor=world.charlie)


# --- scope and pages ----------------------------------------------------------------------------
def test_scope(world, sites, five, login):
    rnd = make_round(world, sites, [world.leader, world.bob])
    site = rnd.sites.first()
    # 通许县: 404 and no rows
    charlie = login(world.charlie)
    assert charlie.get(f"/oversight/tours/{rnd.pk}/").status_code == 404
    assert charlie.get(f"/oversight/tours/{rnd.pk}/word/").status_code == 404
    assert rnd.name not in charlie.get("/oversight/tours/").content.decode()
    assert charlie.get(f"/oversight/tours/{rnd.pk}/sites/{site.pk}/").status_code == 404
    assert charlie.get(f"/api/v1/tours/{rnd.pk}/").status_code == 404
    assert charlie.get("/api/v1/tours/").json()["count"] == 0
    # a handler who judges: his own rounds on "我的观摩评分", nothing else
    other = make_round(world, sites[:1], [world.leader], name="另一轮观摩")
    bob = login(world.bob)
    page = bob.get("/oversight/tours/mine/").content.decode()
    assert rnd.name in page and "另一轮观摩" not in page
    assert bob.get(f"/oversight/tours/{rnd.pk}/sites/{site.pk}/").status_code == 200
    assert bob.get(f"/oversight/tours/{other.pk}/sites/{other.sites.first().pk}/").status_code == 404
    assert bob.get("/oversight/tours/").status_code == 404
    assert set(TourRound.objects.visible_to(world.bob)) == {rnd}
    # the county's organisers see both; enterprise users nothing
    assert set(TourRound.objects.visible_to(world.observer)) == {rnd, other}
    EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=sites[2])
    ent = login(world.enterprise_user)
    for url in ("/oversight/tours/", "/oversight/tours/mine/", f"/oversight/tours/{rnd.pk}/"):
        assert ent.get(url).status_code == 404, url
    assert not TourRound.objects.visible_to(world.enterprise_user).exists()


def test_the_round_form(world, sites, login):
    client = login(world.alice)
    assert 'data-testid="tour-new"' in client.get("/oversight/tours/").content.decode()
    form = {
        "name": "下半年观摩",
        "period": "2026年下半年",
        "region": world.county.pk,
        "held_on": "2026-11-20",
        "sites": [f"e-{sites[2].pk}", f"p-{sites[0].pk}"],
        "judges": [world.leader.pk, world.head.pk],
        "criteria": "建设进度 60\n现场管理 30 50",
    }
    page = client.post("/oversight/tours/new/", form).content.decode()
    assert "各评分项的权重之和应为 100，现在是 90" in page
    page = client.post("/oversight/tours/new/", {**form, "criteria": "建设进度 六十"}).content.decode()
    assert "第 1 行应为「名称 权重 满分」" in page
    page = client.post("/oversight/tours/new/", {**form, "sites": ["p-999999"]}).content.decode()
    assert "sites" in page and not TourRound.objects.exists()
    resp = client.post("/oversight/tours/new/", {**form, "criteria": "建设进度 60\n现场管理 40 50"})
    rnd = TourRound.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/oversight/tours/{rnd.pk}/"
    assert [s.name for s in rnd.sites.all()] == ["尉氏县丙机械有限公司", "甲项目"]
    page = client.get(f"/oversight/tours/{rnd.pk}/edit/").content.decode()
    assert "现场管理 40 50" in page
    assert login(world.leader).get(f"/oversight/tours/{rnd.pk}/edit/").status_code == 404
    assert client.get("/projects/inspections/")["Location"] == "/oversight/tours/"


def test_the_phone_page_goes_to_the_next_site(world, sites, five, login):
    rnd = make_round(world, sites, five)
    c1, c2 = rnd.criteria.all()
    first, second, third = rnd.sites.all()
    client = login(world.leader)
    page = client.get(f"/oversight/tours/{rnd.pk}/sites/{first.pk}/").content.decode()
    assert "第 1 / 3 个观摩点" in page and 'inputmode="decimal"' in page
    page = client.post(
        f"/oversight/tours/{rnd.pk}/sites/{first.pk}/", {f"c{c1.pk}": "120", f"c{c2.pk}": "40"}
    )
    assert "「建设进度」的得分必须在 0–100 之间" in page.content.decode() and not TourScore.objects.exists()
    resp = client.post(f"/oversight/tours/{rnd.pk}/sites/{first.pk}/", {f"c{c1.pk}": "88", f"c{c2.pk}": "40"})
    assert resp["Location"] == f"/oversight/tours/{rnd.pk}/sites/{second.pk}/"
    client.post(f"/oversight/tours/{rnd.pk}/sites/{third.pk}/", {f"c{c1.pk}": "80", f"c{c2.pk}": "40"})
    resp = client.post(
        f"/oversight/tours/{rnd.pk}/sites/{second.pk}/", {f"c{c1.pk}": "80", f"c{c2.pk}": "40"}
    )
    assert resp["Location"] == "/oversight/tours/mine/"  # every site scored
    detail = login(world.alice).get(f"/oversight/tours/{rnd.pk}/").content.decode()
    assert "1 / 5" in detail and 'data-testid="tour-ranking"' not in detail  # progress, no ranking yet


def test_api_results(world, sites, five, login):
    rnd = make_round(world, sites, five)
    score_all(rnd, EXAMPLE, five)
    client = login(world.alice)
    rows = client.get(f"/api/v1/tours/{rnd.pk}/results/").json()
    assert [(r["name"], r["total"], r["judges_done"]) for r in rows][0] == ("甲项目", None, 5)
    services.publish_round(rnd, actor=world.supervisor)
    rows = client.get(f"/api/v1/tours/{rnd.pk}/results/").json()
    assert [(r["name"], r["total"], r["rank"]) for r in rows] == [
        ("甲项目", "86.20", 1),
        ("乙项目", "86.20", 1),
        ("尉氏县丙机械有限公司", "72.93", 3),
    ]
    assert TourSite.objects.filter(round=rnd).count() == 3


def test_query_counts_do_not_grow_with_rows(world, five, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts(n):
        TourRound.objects.all().delete()
        projects = [make_project(world, code=f"Q{n}{i:02d}", name=f"项目{n}-{i}") for i in range(n)]
        rnd = make_round(world, projects, five, name=f"观摩{n}")
        c1, c2 = rnd.criteria.all()
        for site in rnd.sites.all():
            for judge in five:
                services.score_site(rnd, site, {c1.pk: "80", c2.pk: "40"}, actor=judge)
        out = []
        for user, url in (
            (world.alice, "/oversight/tours/"),
            (world.alice, f"/oversight/tours/{rnd.pk}/"),
            (world.leader, "/oversight/tours/mine/"),
            (world.leader, f"/oversight/tours/{rnd.pk}/sites/{rnd.sites.first().pk}/"),
        ):
            client = login(user)
            client.get(url)  # warm the session and caches
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    assert counts(1) == counts(4)

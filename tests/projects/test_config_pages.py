"""三个一批 rounds and red/black list rules as configuration pages: create and edit for the
dispatch office in its own area, bad input named, history shown; the visit-rule page's history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from zhuqi.assistance import services as assistance_services
from zhuqi.core.models import AuditEntry
from zhuqi.projects import services
from zhuqi.projects.models import Campaign, RankingRule

pytestmark = pytest.mark.django_db


def test_campaign_service(world):
    c = services.save_campaign(
        None,
        actor=world.alice,
        name="2026年第一期",
        region=world.county,
        year=2026,
        thresholds={"industrial": Decimal("300000000")},
    )
    assert c.thresholds == {"industrial": "300000000"}
    services.save_campaign(
        c, actor=world.alice, name="2026年第一期（调整）", region=world.county, year=2026, thresholds={}
    )
    c.refresh_from_db()
    assert (c.name, c.thresholds) == ("2026年第一期（调整）", {})
    assert set(
        AuditEntry.objects.filter(object_type="projects.campaign").values_list("event", flat=True)
    ) >= {
        "campaign_created",
        "campaign_changed",
    }
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(None, actor=world.alice, name="重复", region=world.county, year=2026)
    assert "第 1 期已存在" in exc.value.message_dict["round_no"][0]
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(None, actor=world.alice, name="x", region=world.other_county, year=2026)
    assert exc.value.message_dict == {"region": ["找不到该区划（或不在您的管辖范围内）"]}
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(
            None,
            actor=world.alice,
            name="x",
            region=world.county,
            year=2026,
            round_no=2,
            thresholds={"industrial": -1},
        )
    assert exc.value.message_dict == {"thresholds": ["入库门槛不能为负数"]}
    with pytest.raises(PermissionDenied):
        services.save_campaign(None, actor=world.leader, name="x", region=world.county, year=2026, round_no=3)
    with pytest.raises(Http404):
        services.save_campaign(c, actor=world.charlie, name="x", region=world.other_county, year=2026)
    assert Campaign.objects.count() == 1


def test_campaign_pages(world, login):
    client = login(world.alice)
    assert 'data-testid="campaign-create"' in client.get("/projects/campaigns/").content.decode()
    form = {
        "name": "",
        "region": world.county.pk,
        "year": 2026,
        "round_no": 1,
        "threshold_industrial": "30000",
    }
    assert "请填写名称" in client.post("/projects/campaigns/new/", form).content.decode()
    resp = client.post("/projects/campaigns/new/", {**form, "name": "2026年第一期"})
    c = Campaign.objects.get()
    assert resp.status_code == 302 and c.thresholds == {"industrial": "300000000"}
    page = client.get(f"/projects/campaigns/{c.pk}/edit/").content.decode()
    assert 'value="30000.00"' in page and "新建三个一批期次" in page  # the history
    assert login(world.leader).get("/projects/campaigns/new/").status_code == 404
    assert login(world.charlie).get(f"/projects/campaigns/{c.pk}/edit/").status_code == 404


def test_ranking_rule_service_and_pages(world, login):
    rule = services.save_ranking_rule(
        None,
        actor=world.alice,
        name="项目超时序进度榜",
        region=world.county,
        subject="project",
        metric="lead",
        size=3,
    )
    with pytest.raises(ValidationError) as exc:
        services.save_ranking_rule(
            rule, actor=world.alice, name="x", region=world.county, subject="project", metric="lead", size=0
        )
    assert exc.value.message_dict == {"size": ["上榜数量应在 1–50 之间"]}
    with pytest.raises(Http404):
        services.save_ranking_rule(
            rule,
            actor=world.charlie,
            name="x",
            region=world.other_county,
            subject="project",
            metric="lead",
            size=3,
        )
    client = login(world.alice)
    resp = client.post(
        f"/projects/rankings/{rule.pk}/edit/",
        {
            "name": "项目超时序进度榜",
            "region": world.county.pk,
            "subject": "department",
            "metric": "overdue",
            "size": 5,
        },
    )
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert (rule.subject, rule.metric, rule.size) == ("department", "overdue", 5)
    page = client.get(f"/projects/rankings/{rule.pk}/edit/").content.decode()
    assert "修改红黑榜规则" in page and 'data-testid="config-history"' in page
    assert 'data-testid="ranking-rule-create"' in client.get("/projects/rankings/").content.decode()
    assert login(world.leader).get(f"/projects/rankings/{rule.pk}/edit/").status_code == 404
    assert RankingRule.objects.count() == 1


def test_visit_rule_page_shows_its_history(world, login):
    assistance_services.set_visit_rule("commissioner", period="month", min_visits=2, actor=world.admin)
    assistance_services.set_load_limit("commissioner", min_count=2, max_count=3, actor=world.admin)
    page = login(world.alice).get("/assistance/rules/").content.decode()
    assert 'data-testid="config-history"' in page
    assert "修改走访频次" in page and "修改包抓数量" in page


def test_inspection_round_service(world, project, other_project):
    from decimal import Decimal as D

    from zhuqi.projects.models import InspectionRound

    crit = [("建设进度", D(60), 100), ("现场管理", D(40), 50)]
    rnd = services.save_inspection_round(
        None,
        actor=world.alice,
        name="上半年观摩",
        region=world.county,
        held_on=dt.date(2026, 6, 20),
        projects=[project],
        scorers=[world.leader, world.head],
        criteria=crit,
    )
    assert [c.name for c in rnd.criteria.all()] == ["建设进度", "现场管理"]
    assert set(rnd.scorers.all()) == {world.leader, world.head}
    kw = dict(name="上半年观摩", region=world.county, held_on=rnd.held_on, scorers=[world.leader])
    with pytest.raises(ValidationError) as exc:  # a project of the other county: as if it did not exist
        services.save_inspection_round(
            rnd, actor=world.alice, projects=[project, other_project], criteria=crit, **kw
        )
    assert exc.value.message_dict == {"projects": ["有项目不存在或不在本次观摩的区划内"]}
    with pytest.raises(ValidationError) as exc:
        services.save_inspection_round(
            rnd, actor=world.alice, projects=[project], criteria=crit, **{**kw, "scorers": [world.charlie]}
        )
    assert exc.value.message_dict == {"scorers": ["有评分人不存在或不在您的范围内"]}
    with pytest.raises(ValidationError) as exc:
        services.save_inspection_round(
            rnd, actor=world.alice, projects=[project], criteria=[("进度", D(0), 100)], **kw
        )
    assert "权重应大于 0" in exc.value.message_dict["criteria"][0]
    # once scored, the criteria stay; the rest can change
    c1, c2 = rnd.criteria.all()
    services.submit_scores(rnd, project, {c1.pk: 90, c2.pk: 45}, actor=world.leader)
    with pytest.raises(ValidationError) as exc:
        services.save_inspection_round(rnd, actor=world.alice, projects=[project], criteria=crit[:1], **kw)
    assert exc.value.message_dict == {"criteria": ["已有评分，不能再修改评分项"]}
    services.save_inspection_round(
        rnd, actor=world.alice, projects=[project], criteria=crit, **{**kw, "name": "上半年观摩（改）"}
    )
    assert InspectionRound.objects.get().name == "上半年观摩（改）" and rnd.criteria.count() == 2
    with pytest.raises(Http404):
        services.save_inspection_round(rnd, actor=world.charlie, projects=[project], criteria=crit, **kw)


def test_inspection_pages(world, project, login):
    client = login(world.alice)
    assert 'data-testid="inspection-create"' in client.get("/projects/inspections/").content.decode()
    form = {
        "name": "下半年观摩",
        "region": world.county.pk,
        "held_on": "2026-11-20",
        "projects": [project.pk],
        "scorers": [world.leader.pk],
        "criteria": "建设进度 60\n现场管理",
    }
    page = client.post("/projects/inspections/new/", form).content.decode()
    assert "第 2 行应为「名称 权重 满分」" in page
    resp = client.post("/projects/inspections/new/", {**form, "criteria": "建设进度 60\n现场管理 40 50"})
    assert resp.status_code == 302
    from zhuqi.projects.models import InspectionRound

    rnd = InspectionRound.objects.get()
    assert [(c.name, c.max_score) for c in rnd.criteria.all()] == [("建设进度", 100), ("现场管理", 50)]
    page = client.get(f"/projects/inspections/{rnd.pk}/edit/").content.decode()
    assert "现场管理 40 50" in page and "新建观摩评比" in page
    assert login(world.leader).get(f"/projects/inspections/{rnd.pk}/edit/").status_code == 404

"""线索研判会: the office calls a meeting with the leads to judge, scores them and decides; the
decisions move the leads through `move_lead` (history kept), stop their 研判 clocks, and the
minutes are a Word document."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document

from tests.attraction.conftest import make_lead, stage, walk
from zhuqi.attraction import services, services_judging
from zhuqi.attraction.models import JudgingItem, JudgingMeeting, StageChange
from zhuqi.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SCORES = {"industry": 8, "market": 7, "technology": 6, "environment": 9, "energy": 8, "benefit": 7}


@pytest.fixture
def leads(world):
    return [
        make_lead(world, investor=f"投资方{n}有限公司", title=f"项目{n}", amount_wan=amount)
        for n, amount in (("甲", "50000"), ("乙", "8000"), ("丙", "20000"))
    ]


def _meeting(world, leads):
    return services_judging.call_meeting(
        actor=world.alice,
        region=world.county,
        title="2026年10月招商线索研判会",
        held_on=dt.date(2026, 10, 20),
        leads=leads,
        place="县政府三楼会议室",
        chair="县委常委、常务副县长",
    )


def _rows(meeting, decisions):
    items = meeting.items.order_by("order")
    return {
        item.pk: {**SCORES, "tax_per_mu": "25", "decision": d, "reason": r}
        for item, (d, r) in zip(items, decisions, strict=True)
    }


def test_candidates_and_call(world, leads):
    signed = make_lead(world, investor="已签约投资方有限公司", title="已签约项目")
    walk(signed, ["negotiating"], world.alice)
    assert {lead.title for lead in services_judging.candidates(world.alice, world.county)} == {
        "项目甲",
        "项目乙",
        "项目丙",
        "已签约项目",
    }
    meeting = _meeting(world, leads)
    assert [i.lead.title for i in meeting.items.order_by("order")] == ["项目甲", "项目乙", "项目丙"]
    assert AuditEntry.objects.filter(event="judging_called").count() == 1


def test_call_refusals(world, leads):
    with pytest.raises(ValidationError) as e:
        services_judging.call_meeting(
            actor=world.alice, region=world.county, title="研判会", held_on=dt.date(2026, 10, 20), leads=[]
        )
    assert "至少选择一条" in str(e.value)
    other = make_lead(world, actor=world.charlie, investor="通许投资方", region=world.other_county, team=None)
    with pytest.raises(ValidationError) as e:
        _meeting(world, [*leads, other])
    assert "所选的记录不存在" in str(e.value) and other.title not in str(e.value)
    lost = make_lead(world, investor="流失投资方有限公司", title="流失项目")
    services.move_lead(lost, stage("lost"), actor=world.alice, reason="投资方放弃")
    with pytest.raises(ValidationError) as e:
        _meeting(world, [*leads, lost])
    assert "已不在待研判阶段：流失项目" in str(e.value)
    with pytest.raises(PermissionDenied):
        services_judging.call_meeting(
            actor=world.bob, region=world.county, title="研判会", held_on=dt.date(2026, 10, 20), leads=leads
        )
    assert not JudgingMeeting.objects.exists()


def test_decisions_move_the_leads_with_history(world, leads):
    meeting = _meeting(world, leads)
    rows = _rows(meeting, [("follow", ""), ("park", "投资方资金未落实"), ("drop", "能耗指标不符合要求")])
    services_judging.record_judgements(meeting, rows, actor=world.alice, decide=True)
    meeting.refresh_from_db()
    assert meeting.status == "decided"
    stages = {lead.title: type(lead).objects.get(pk=lead.pk).stage.code for lead in leads}
    assert stages == {"项目甲": "lead", "项目乙": "shelved", "项目丙": "lost"}
    change = StageChange.objects.get(lead=leads[2], to_stage__code="lost")
    assert change.reason == "2026年10月招商线索研判会：能耗指标不符合要求"
    # the 研判 clocks of the big leads stop (乙, under 1 亿元, has none)
    assert leads[0].clocks.get(kind="judge").done_at is not None
    assert not leads[1].clocks.exists()
    assert JudgingItem.objects.get(meeting=meeting, lead=leads[0]).total == 45
    with pytest.raises(ValidationError):
        services_judging.record_judgements(meeting, rows, actor=world.alice)


def test_decide_is_all_or_nothing(world, leads):
    meeting = _meeting(world, leads)
    rows = _rows(meeting, [("follow", ""), ("park", ""), ("drop", "不符合产业方向")])
    with pytest.raises(ValidationError) as e:
        services_judging.record_judgements(meeting, rows, actor=world.alice, decide=True)
    assert "「项目乙」" in str(e.value) and "理由" in str(e.value)
    rows = _rows(meeting, [("follow", ""), ("park", "x"), ("drop", "y")])
    rows[next(iter(rows))]["market"] = "11"
    with pytest.raises(ValidationError) as e:
        services_judging.record_judgements(meeting, rows, actor=world.alice, decide=True)
    assert "「项目甲」的“市场前景”应为 0 到 10 的整数" in str(e.value)
    assert not JudgingItem.objects.exclude(decision="").exists()
    assert {type(lead).objects.get(pk=lead.pk).stage.code for lead in leads} == {"lead"}
    with pytest.raises(PermissionDenied):
        services_judging.record_judgements(meeting, {}, actor=world.charlie)


def test_minutes_and_pages(world, leads, login):
    meeting = _meeting(world, leads)
    client = login(world.alice)
    url = reverse("attraction:meeting_detail", args=[meeting.pk])
    data = {"action": "decide"}
    for item, (d, r) in zip(
        meeting.items.order_by("order"), [("follow", ""), ("park", "资金未落实"), ("follow", "")], strict=True
    ):
        data.update({f"i{item.pk}-{k}": v for k, v in SCORES.items()})
        data.update({f"i{item.pk}-tax_per_mu": "30", f"i{item.pk}-decision": d, f"i{item.pk}-reason": r})
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "decided"
    r = client.get(reverse("attraction:meeting_minutes", args=[meeting.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2026年10月招商线索研判会会议纪要" in text
    assert "项目乙：暂缓（搁置）。资金未落实" in text
    cells = [c.text for c in doc.tables[0].rows[1].cells]
    assert cells[:3] == ["1", "项目甲", "投资方甲有限公司"] and cells[-3:] == ["45", "30.00", "继续跟进"]
    assert AuditEntry.objects.filter(action="export", object_id=str(meeting.pk)).exists()
    other = login(world.charlie)
    assert other.get(url).status_code == 404
    assert other.get(reverse("attraction:meeting_minutes", args=[meeting.pk])).status_code == 404
    assert len(other.get(reverse("attraction:meeting_list")).context["page"]) == 0

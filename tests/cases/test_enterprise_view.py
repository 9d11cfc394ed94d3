"""#11 "What an enterprise may see": an enterprise's view of its case is a public timeline — what
was received, which department handles it, messages addressed to it, the answer, the due dates,
the rating. It never shows officials' IP addresses or names, send-back reasons, supervision
texts, escalation notes, extension requests or internal comments and files.

Every event type of the cases event table is written with distinctive internal text under every
change key the services write (and one nobody writes), with a message and an IP address; the
enterprise's page and API show none of it and do show the public items."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from zhuqi.cases import selectors, services
from zhuqi.cases.apps import EVENT_LABELS
from zhuqi.core import audit
from zhuqi.core import services as core_services
from zhuqi.core.models import Attachment, Comment

pytestmark = pytest.mark.django_db

# core's events that land on a case (comments and files), beside the cases app's own
ALL_EVENTS = sorted(set(EVENT_LABELS) | {"comment_added", "attachment_added"})
IP = "203.0.113.77"
OFFICIAL_NAME = "钱守密"

# every change key a case's services, sweep and core write (tests below keep it honest: a real
# flow must write no key outside it), and one key nobody writes
WRITTEN_KEYS = [
    "channel", "external_no", "partner", "category", "urgency", "refuse_reason", "lead_department",
    "协办部门", "签收部门", "退单理由", "退单部门", "办理进展", "需企业补充", "暂停工作时长（小时）",
    "说明", "reply_due_at", "accept_due_at", "reply", "resolved", "satisfaction", "enterprise_solved",
    "回访记录", "close_working_days", "合并至", "合并自", "撤回原因", "延期工作日", "理由", "审批意见",
    "escalation_level", "原因", "sendback_count", "reopen_count", "参会人员", "议定事项", "责任单位",
    "督办部门", "督办内容", "书面回复", "超时时限", "时限", "期限", "comment", "attachment", "size",
    "visibility", "会议时间", "地点", "主持领导", "参会部门",
]  # fmt: skip
ALL_KEYS = [*WRITTEN_KEYS, "anything_else"]


def _enterprise_views(case, user):
    """The enterprise's case page and its API answers (detail, timeline, clocks, supervisions)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    api = APIClient()
    api.force_authenticate(user)
    answers = []
    for url in (
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/timeline/",
        f"/api/v1/cases/{case.pk}/clocks/",
        "/api/v1/cases/",
        "/api/v1/case-supervisions/",
    ):
        r = api.get(url)
        assert r.status_code == 200, url
        answers.append(json.dumps(r.json(), ensure_ascii=False))
    return page.content.decode(), "\n".join(answers)


def test_every_event_is_classified_public_or_internal():
    public, internal = set(selectors.PUBLIC_EVENTS), set(selectors.INTERNAL_EVENTS)
    assert not public & internal
    assert set(ALL_EVENTS) == public | internal, "a new event must be declared public or internal"


@pytest.mark.parametrize("event", ALL_EVENTS)
def test_no_internal_field_of_any_event_reaches_the_enterprise(cw, event):
    w = cw.w
    w.bob.full_name = OFFICIAL_NAME
    w.bob.save()
    case = cw.to("replied")
    public_keys = selectors.PUBLIC_EVENTS.get(event, ())
    changes = {
        key: (f"公开{event}{i}" if key in public_keys else f"机密{event}{i}")
        for i, key in enumerate(ALL_KEYS)
    }
    with audit.acting_as(w.bob, ip=IP):
        audit.record("event", case, event=event, changes=changes, message=f"机密说明{event}", actor=w.bob)
    page, api = _enterprise_views(case, w.enterprise_user)
    for shown in (page, api):
        assert "机密" not in shown
        assert IP not in shown and OFFICIAL_NAME not in shown
    if event in selectors.PUBLIC_EVENTS:
        assert f'data-event="{event}"' in page
        for i, key in enumerate(ALL_KEYS):
            if key in public_keys:
                assert f"公开{event}{i}" in page and f"公开{event}{i}" in api, key
        assert "工信局" in page  # who acted: the department, not the official
    else:
        assert f'data-event="{event}"' not in page and f'"event": "{event}"' not in api
    # the officials still see all of it, with the IP address
    from django.test import Client

    official = Client()
    official.force_login(w.alice)
    html = official.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"机密说明{event}" in html and IP in html


def _act(case, action, actor, **data):
    with audit.acting_as(actor, ip=IP):
        return services.fire(case, action, actor=actor, data=data)


def test_a_case_through_every_step_shows_the_enterprise_only_its_public_timeline(cw, settings):
    """A real case through the services, every internal step written with a text that must not
    reach the enterprise and every public one with a text that must."""
    w = cw.w
    w.bob.full_name = OFFICIAL_NAME
    w.bob.save()
    ent = w.enterprise_user
    case = cw.new(title="二期厂房用电增容", description="变压器容量不足，影响新生产线投产")
    case = _act(case, "accept", w.alice, category=cw.power.pk)
    case = _act(case, "dispatch", w.alice, lead=w.zrzy.pk)
    case = _act(case, "send_back", w.zr_handler, reason="机密退单：不属于本局职责")
    case = _act(case, "dispatch", w.alice, lead=w.jxj.pk, assisting=[w.zrzy.pk])
    case = _act(case, "sign", w.bob)
    _act(case, "request_extension", w.bob, days=2, reason="机密延期理由：等待供电公司排期")
    ext = case.extensions.get()
    _act(case, "decide_extension", w.alice, extension=ext.pk, approve=True, note="机密审批意见")
    sup = _act(case, "supervise", w.alice, body="机密督办：三日内书面说明")
    with audit.acting_as(w.bob, ip=IP):
        services.respond_supervision(sup, actor=w.bob, response="机密书面回复：已约供电公司")
    _act(case, "escalate", w.alice, note="机密提级说明")
    _act(case, "beyond_local", w.bob, reason="机密属地原因：涉及市级电网规划")
    _act(
        case, "hold_meeting", w.leader, attendees="机密参会人员", decisions="机密议定事项", owners="机密责任"
    )
    with audit.acting_as(w.alice, ip=IP):
        core_services.add_comment(case, "机密内部留言：企业负责人难沟通", actor=w.alice)
        core_services.add_comment(case, "公开留言：已安排现场查看", actor=w.alice, public=True)
        core_services.add_attachment(
            case, SimpleUploadedFile("机密会议纪要.pdf", b"%PDF-1.4 x"), actor=w.alice
        )
        core_services.add_attachment(
            case, SimpleUploadedFile("公开答复函.pdf", b"%PDF-1.4 y"), actor=w.alice, public=True
        )
    with audit.acting_as(ent, ip=IP):
        core_services.add_comment(case, "公开企业留言：请尽快", actor=ent)
    case = _act(case, "report_progress", w.bob, note="公开进展：供电公司已勘察现场")
    case = _act(case, "pause", w.bob, reason="公开请补充：用电申请表")
    case = _act(case, "resume", ent, note="公开已补充申请表")
    case = _act(case, "reply", w.bob, reply="公开答复：已完成增容", resolved="1")
    case = _act(case, "follow_up", ent, result="satisfied", solved="1", note="机密回访记录")
    written = {k for e in audit.timeline(case) for k in (e.changes or {})} - {"id"}
    row_diffs = {k for e in audit.timeline(case) if e.action in ("create", "update") for k in e.changes}
    assert written - row_diffs <= set(WRITTEN_KEYS), sorted(written - row_diffs - set(WRITTEN_KEYS))

    page, api = _enterprise_views(case, ent)
    for shown in (page, api):
        assert "机密" not in shown
        assert IP not in shown and OFFICIAL_NAME not in shown
    for public in (
        "公开进展：供电公司已勘察现场",
        "公开请补充：用电申请表",
        "公开答复：已完成增容",
        "公开留言：已安排现场查看",
        "公开企业留言：请尽快",
    ):
        assert public in page and public in api, public
    assert "公开答复函.pdf" in page
    assert "工信局" in page and "自然资源局" in page  # who handles it (lead, assisting)
    events = {e.event for e in selectors.public_timeline(case)}
    assert {"submitted", "accepted", "dispatched", "signed", "progress", "paused", "resumed"} <= events
    assert {"replied", "followed_up", "extension_approved", "comment_added"} <= events
    # no internal panel, and no internal file to download
    for testid in ("clocks", "supervisions", "escalations", "extensions"):
        assert f'data-testid="{testid}"' not in page
    internal_file = Attachment.objects.get(name="机密会议纪要.pdf")
    assert internal_file.visibility == Attachment.Visibility.INTERNAL
    from django.test import Client

    client = Client()
    client.force_login(ent)
    assert client.get(reverse("core:attachment_download", args=[internal_file.pk])).status_code == 404
    public_file = Attachment.objects.get(name="公开答复函.pdf")
    assert client.get(reverse("core:attachment_download", args=[public_file.pk])).status_code == 200
    # the officials see everything
    client.force_login(w.alice)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    for internal in ("机密退单", "机密督办", "机密提级说明", "机密内部留言", "机密会议纪要.pdf", IP):
        assert internal in html, internal


def test_comments_are_internal_unless_addressed_to_the_enterprise(cw, login):
    w = cw.w
    case = cw.to("signed")
    client = login(w.bob)
    form = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="comment-visibility"' in form and '<option value="internal" selected>' in form
    url = reverse("core:comment_add", args=["cases.case", case.pk])
    client.post(url, {"body": "默认内部", "next": "/"})
    client.post(url, {"body": "写给企业", "visibility": "public", "next": "/"})
    ent = login(w.enterprise_user)
    ent.post(url, {"body": "企业说明", "visibility": "internal", "next": "/"})  # its own: always public
    seen = {c.body: c.visibility for c in Comment.objects.all()}
    assert seen == {"默认内部": "internal", "写给企业": "public", "企业说明": "public"}
    entry = [e for e in audit.timeline(case) if e.event == "comment_added"][0]
    assert entry.changes["visibility"] == "内部（仅工作人员可见）"
    page = ent.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "写给企业" in page and "企业说明" in page and "默认内部" not in page
    # the comment addressed to it reaches the enterprise's inbox; the internal one does not
    inbox = [n.body for n in w.enterprise_user.notifications.all()]
    assert "写给企业" in inbox and "默认内部" not in inbox
    assert 'name="visibility"' not in page  # the enterprise is not offered the choice


def test_supervision_and_internal_clocks_are_not_in_the_enterprise_api(cw):
    w = cw.w
    case = cw.to("signed")
    services.supervise_case(case, actor=w.alice, body="三日内书面说明")
    api = APIClient()
    api.force_authenticate(w.enterprise_user)
    assert api.get("/api/v1/case-supervisions/").json()["results"] == []
    assert {c["kind"] for c in api.get(f"/api/v1/cases/{case.pk}/clocks/").json()} <= {"accept", "reply"}
    detail = api.get(f"/api/v1/cases/{case.pk}/").json()
    for internal in ("escalation_level", "sendback_count", "sign_due_at", "next_due_at", "is_problem_case"):
        assert internal not in detail
    assert detail["lead_department_name"] == "工信局" and detail["reply_due_at"]
    # officials keep the full record
    api.force_authenticate(w.alice)
    assert len(api.get("/api/v1/case-supervisions/").json()["results"]) == 1
    assert "escalation_level" in api.get(f"/api/v1/cases/{case.pk}/").json()


def test_the_enterprise_cannot_infer_internal_fields_from_api_filters(cw):
    """Filtering or sorting by the escalation level would tell the enterprise which of its cases
    were escalated: its API offers only the filters of its public view."""
    w = cw.w
    escalated, plain = cw.to("signed"), cw.to("signed")
    services.escalate_case(escalated, actor=w.alice, note="内部")
    api = APIClient()
    api.force_authenticate(w.enterprise_user)
    everything = {c["id"] for c in api.get("/api/v1/cases/").json()["results"]}
    assert {escalated.pk, plain.pk} <= everything
    filtered = {c["id"] for c in api.get("/api/v1/cases/?escalation_level=2").json()["results"]}
    assert filtered == everything  # the filter does not exist for it
    ordered = [c["id"] for c in api.get("/api/v1/cases/?ordering=-escalation_level").json()["results"]]
    assert ordered == [c["id"] for c in api.get("/api/v1/cases/").json()["results"]]
    api.force_authenticate(w.alice)
    assert {c["id"] for c in api.get("/api/v1/cases/?escalation_level=2").json()["results"]} == {escalated.pk}

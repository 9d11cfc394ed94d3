"""The county leader's 协调会 queue: which cases wait (level 3/4, open, no decision since the
last escalation, not on a scheduled meeting), in which order; scheduling a meeting for several
cases, recording its outcome into the cases (decision, responsible department, new deadline),
cancelling it; the refusals, the scope, the pages and the minutes (docs: cases-coordination.md)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhuqi.cases import selectors, services
from zhuqi.cases import services_coordination as coord
from zhuqi.cases.models import (
    Case,
    CaseClock,
    CaseDepartment,
    CoordinationMeeting,
    CoordinationSession,
    EscalationLevel,
    Urgency,
)
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.core.workcalendar import SHANGHAI, end_of_day, shift_working_days

NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
MEETING = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def county_case(cw, *, level=EscalationLevel.COUNTY, status="in_progress", **kw) -> Case:
    """A case of 尉氏县 led by 工信局, escalated by the dispatch office (Alice) to `level`."""
    case = cw.to(status, **kw)
    while case.escalation_level < level:
        case = services.escalate_case(case, actor=cw.w.alice, note="部门层面难以解决")
    return case


def other_county_case(cw) -> Case:
    w = cw.w
    case = cw.new(ent=cw.ent_other, actor=w.charlie)
    case = services.accept_case(case, actor=w.charlie)
    case = services.dispatch_case(case, actor=w.charlie, lead=w.other_jxj)
    case = services.sign_case(case, actor=w.other_handler)
    while case.escalation_level < EscalationLevel.COUNTY:
        case = services.escalate_case(case, actor=w.charlie)
    return case


def queue_nos(user) -> list[str]:
    return list(selectors.coordination_queue(user).values_list("no", flat=True))


def schedule(cw, cases, actor=None, **kw):
    kw.setdefault("scheduled_at", MEETING)
    kw.setdefault("place", "县政府三楼会议室")
    return coord.schedule_coordination(actor=actor or cw.w.leader, cases=cases, **kw)


# --- the queue ----------------------------------------------------------------------------------
def test_queue_holds_open_cases_at_level_3_or_4_most_urgent_first(cw, now):
    w = cw.w
    low = county_case(cw, level=EscalationLevel.DEPARTMENT, title="只到部门层级")
    normal = county_case(cw, title="一般")
    major = county_case(cw, title="重大复杂", urgency=Urgency.MAJOR)
    top = county_case(cw, level=EscalationLevel.LEADING_GROUP, title="领导小组")
    overdue = county_case(cw, title="已超时")
    Case.objects.filter(pk=overdue.pk).update(next_due_at=NOW - dt.timedelta(days=2))
    closed = county_case(cw, level=EscalationLevel.GRID, status="closed", title="已销号")
    Case.objects.filter(pk=closed.pk).update(escalation_level=EscalationLevel.COUNTY)
    other = other_county_case(cw)
    # level 4 first; then 重大复杂; then the earliest (here: missed) deadline; then the rest
    assert queue_nos(w.leader) == [top.no, major.no, overdue.no, normal.no]
    assert low.no not in queue_nos(w.leader) and closed.no not in queue_nos(w.leader)
    assert queue_nos(w.alice) == queue_nos(w.leader)
    assert queue_nos(w.charlie) == [other.no]  # each county its own


def test_a_decided_case_leaves_the_queue_until_it_is_escalated_again(cw, now):
    w = cw.w
    case = county_case(cw)
    services.hold_meeting(case, actor=w.leader, held_at=NOW, attendees="县长、工信局", decisions="三日内增容")
    assert case.no not in queue_nos(w.leader)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        services.escalate_case(Case.objects.get(pk=case.pk), actor=w.leader, note="县级协调后仍未解决")
    assert queue_nos(w.leader) == [case.no]  # the leading group's meeting is still to come


# --- scheduling ---------------------------------------------------------------------------------
def test_schedule_takes_the_cases_off_the_queue_and_tells_the_departments(
    cw, now, django_capture_on_commit_callbacks
):
    w = cw.w
    a, b, c = county_case(cw, title="甲"), county_case(cw, title="乙"), county_case(cw, title="丙")
    with django_capture_on_commit_callbacks(execute=True):
        session = schedule(cw, [a, b], departments=[w.zrzy], attendees="企业负责人")
    assert session.status == CoordinationSession.Status.SCHEDULED
    assert session.convener == w.leader and session.region == w.county
    assert set(session.cases.all()) == {a, b}
    assert queue_nos(w.leader) == [c.no]
    assert AuditEntry.objects.filter(event="meeting_scheduled", object_id=str(a.pk)).exists()
    assert AuditEntry.objects.filter(event="coordination_scheduled", object_id=str(session.pk)).exists()
    # the attending department and the cases' lead department are told; not the one who scheduled
    told = set(
        Notification.objects.filter(title__startswith="协调会通知").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"zr_handler", "bob", "head"} <= told and "leader" not in told


def test_schedule_refusals_name_the_field_and_save_nothing(cw, now):
    w = cw.w
    case = county_case(cw)
    low = county_case(cw, level=EscalationLevel.DEPARTMENT)
    cases = [
        ({"cases": []}, "cases", "请至少选择一件待协调的诉求"),
        ({"place": " "}, "place", "请填写会议地点"),
        ({"scheduled_at": None}, "scheduled_at", "请填写会议时间"),
        ({"cases": [case, low]}, "cases", f"诉求 {low.no} 不在待协调队列中"),
        ({"departments": [w.other_jxj]}, "departments", "所选的记录不存在"),
        ({"convener": w.alice}, "convener", "主持领导须为县级领导"),
    ]
    for kw, field, message in cases:
        kw.setdefault("cases", [case])
        with pytest.raises(ValidationError) as exc:
            schedule(cw, **kw)
        assert message in " ".join(exc.value.message_dict[field]), (kw, exc.value)
    # already on a scheduled meeting: not waiting any more
    schedule(cw, [case])
    with pytest.raises(ValidationError):
        schedule(cw, [case])
    assert CoordinationSession.objects.count() == 1


def test_only_the_leader_and_the_dispatch_office_of_the_county_schedule(cw, now):
    w = cw.w
    case = county_case(cw)
    for person in (w.bob, w.head, w.supervisor, w.observer, w.commissioner):
        with pytest.raises(PermissionDenied):
            schedule(cw, [case], actor=person)
    with pytest.raises(PermissionDenied):  # another county's dispatch office
        schedule(cw, [case], actor=w.charlie)
    assert schedule(cw, [case], actor=w.alice).convener is None  # the office may leave it open
    assert CoordinationSession.objects.count() == 1


# --- recording the outcome ----------------------------------------------------------------------
def test_record_writes_each_decision_into_its_case(cw, now, django_capture_on_commit_callbacks):
    w = cw.w
    a, b = county_case(cw, title="甲"), county_case(cw, title="乙")
    session = schedule(cw, [a, b], departments=[w.zrzy])
    due = dt.date(2026, 3, 20)
    with django_capture_on_commit_callbacks(execute=True):
        coord.record_coordination(
            session,
            actor=w.leader,
            held_at=MEETING,
            attendees="县长、工信局、自然资源局",
            summary="会议研究了两件诉求",
            decisions=[
                coord.Decision(
                    case=a, decision="自然资源局十日内完成用地指标调剂", department=w.zrzy, due_on=due
                ),
                coord.Decision(case=b, decision=""),  # not reached: back to the queue
            ],
        )
    session.refresh_from_db()
    assert session.status == CoordinationSession.Status.HELD and session.held_at == MEETING
    m = CoordinationMeeting.objects.get(case=a)
    assert (m.session, m.department, m.due_on, m.decisions) == (
        session,
        w.zrzy,
        due,
        "自然资源局十日内完成用地指标调剂",
    )
    assert not CoordinationMeeting.objects.filter(case=b).exists()
    # the case's 办结 clock moves to the end of the new day; the 销号 clock follows it
    a.refresh_from_db()
    assert a.reply_due_at == end_of_day(due)
    reply = CaseClock.objects.get(case=a, kind="reply", state="running")
    assert reply.due_at == end_of_day(due)
    assert a.close_due_at == shift_working_days(end_of_day(due), a.sla.followup_days)
    # the responsible department joins the case and sees it; it is told
    assert CaseDepartment.objects.filter(case=a, department=w.zrzy, role="assist", active=True).exists()
    assert Case.objects.visible_to(w.zr_handler).filter(pk=a.pk).exists()
    assert Notification.objects.filter(recipient=w.zr_handler, title__startswith="协调会议定事项").exists()
    entry = AuditEntry.objects.get(event="meeting_held", object_id=str(a.pk))
    assert entry.changes["责任单位"] == w.zrzy.name
    # decided case gone, undecided back
    assert queue_nos(w.leader) == [b.no]


def test_record_refusals_name_the_case_and_save_nothing(cw, now):
    w = cw.w
    a, b = county_case(cw, title="甲"), county_case(cw, title="乙")
    session = schedule(cw, [a, b])
    good = coord.Decision(case=a, decision="限期解决", department=w.jxj)

    def record(decisions, **kw):
        kw.setdefault("held_at", MEETING)
        kw.setdefault("attendees", "县长")
        with pytest.raises(ValidationError) as exc:
            coord.record_coordination(session, actor=w.leader, summary="", decisions=decisions, **kw)
        return " ".join(exc.value.messages)

    assert f"诉求 {b.no}：请选择责任单位" in record([good, coord.Decision(case=b, decision="研究")])
    assert f"诉求 {b.no}：新的办结期限不能早于会议日期" in record(
        [good, coord.Decision(case=b, decision="研究", department=w.jxj, due_on=dt.date(2026, 3, 9))]
    )
    assert "召开时间不能晚于现在" in record([good], held_at=NOW + dt.timedelta(days=1))
    assert "请填写参会人员" in record([good], attendees=" ")
    assert "请至少填写一件诉求的议定事项" in record([coord.Decision(case=a)])
    assert "所选的记录不存在" in record([coord.Decision(case=a, decision="研究", department=w.other_jxj)])
    closed = Case.objects.get(pk=b.pk)
    Case.objects.filter(pk=closed.pk).update(status="closed")
    assert f"诉求 {b.no} 当前为「已销号」" in record(
        [good, coord.Decision(case=b, decision="研究", department=w.jxj)]
    )
    # nothing half-saved: no decision written, the meeting still scheduled
    assert not CoordinationMeeting.objects.exists()
    session.refresh_from_db()
    assert session.status == CoordinationSession.Status.SCHEDULED
    with pytest.raises(PermissionDenied):
        coord.record_coordination(
            session, actor=w.charlie, held_at=MEETING, attendees="x", summary="", decisions=[good]
        )


def test_cancel_returns_the_cases_to_the_queue(cw, now):
    w = cw.w
    case = county_case(cw)
    session = schedule(cw, [case])
    with pytest.raises(ValidationError):
        coord.cancel_coordination(session, actor=w.leader, reason="")
    coord.cancel_coordination(session, actor=w.alice, reason="县长临时出差")
    session.refresh_from_db()
    assert session.status == CoordinationSession.Status.CANCELLED
    assert queue_nos(w.leader) == [case.no]
    with pytest.raises(ValidationError):  # no outcome for a cancelled meeting
        coord.record_coordination(
            session,
            actor=w.leader,
            held_at=MEETING,
            attendees="x",
            summary="",
            decisions=[coord.Decision(case=case, decision="x", department=w.jxj)],
        )


def test_minutes_list_every_case_with_its_decision(cw, now):
    from docx import Document

    w = cw.w
    a, b = county_case(cw, title="甲"), county_case(cw, title="乙")
    session = schedule(cw, [a, b])
    coord.record_coordination(
        session,
        actor=w.leader,
        held_at=MEETING,
        attendees="县长",
        summary="",
        decisions=[
            coord.Decision(case=a, decision="限期解决", department=w.zrzy, due_on=dt.date(2026, 3, 20))
        ],
    )
    doc = Document(io.BytesIO(coord.minutes_docx(session)))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows[1:]]
    assert [a.no, "限期解决", w.zrzy.name, "2026-03-20"] == [
        rows[0][1],
        rows[0][4],
        rows[0][5],
        rows[0][6],
    ] or [
        a.no,
        "限期解决",
        w.zrzy.name,
        "2026-03-20",
    ] == [rows[1][1], rows[1][4], rows[1][5], rows[1][6]]
    assert any(r[1] == b.no and r[4] == "未议定，继续待协调" for r in rows)


# --- pages --------------------------------------------------------------------------------------
def test_pages_scope_and_roles(cw, client, now):
    w = cw.w
    case = county_case(cw)
    other = other_county_case(cw)
    url = reverse("cases:coordination")
    for person, status in [
        ("leader", 200),
        ("alice", 200),
        ("supervisor", 200),
        ("bob", 404),
        ("observer", 404),
    ]:
        client.force_login(getattr(w, person))
        assert client.get(url).status_code == status, person
    client.force_login(w.leader)
    page = client.get(url).content.decode()
    assert case.no in page and other.no not in page
    # another county's case: 404, nothing scheduled
    data = {"case": [case.pk, other.pk], "scheduled_at": "2026-03-10T09:00", "place": "会议室"}
    assert client.post(url, data).status_code == 404
    assert not CoordinationSession.objects.exists()
    # bad input: the message on the form, nothing saved
    r = client.post(url, {"case": [case.pk], "scheduled_at": "2026-03-10T09:00", "place": ""})
    assert r.status_code == 200 and "请填写会议地点" in r.content.decode()
    r = client.post(url, {"case": [case.pk], "scheduled_at": "2026-03-10T09:00", "place": "会议室"})
    session = CoordinationSession.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("cases:coordination_detail", args=[session.pk])
    detail = reverse("cases:coordination_detail", args=[session.pk])
    # a date that is not a date: named, nothing written
    r = client.post(
        detail,
        {
            "held_at": "2026-03-10T09:00",
            "attendees": "县长",
            f"decision_{case.pk}": "限期解决",
            f"department_{case.pk}": w.zrzy.pk,
            f"due_on_{case.pk}": "2026-02-30",
        },
    )
    assert r.status_code == 200 and f"诉求 {case.no}：新的办结期限不是有效日期" in r.content.decode()
    assert not CoordinationMeeting.objects.exists()
    r = client.post(
        detail,
        {
            "held_at": "2026-03-10T09:00",
            "attendees": "县长",
            f"decision_{case.pk}": "限期解决",
            f"department_{case.pk}": w.zrzy.pk,
            f"due_on_{case.pk}": "2026-03-20",
        },
    )
    assert r.status_code == 302
    assert CoordinationMeeting.objects.get(case=case).due_on == dt.date(2026, 3, 20)
    r = client.get(reverse("cases:coordination_minutes", args=[session.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action="export", object_id=str(session.pk)).exists()
    # another county's dispatch office: the meeting and its minutes do not exist
    client.force_login(w.charlie)
    for name in ("cases:coordination_detail", "cases:coordination_minutes"):
        assert client.get(reverse(name, args=[session.pk])).status_code == 404
    assert (
        client.post(reverse("cases:coordination_cancel", args=[session.pk]), {"reason": "x"}).status_code
        == 404
    )


def test_leader_home_shows_the_queue_card(cw, client, now):
    w = cw.w
    case = county_case(cw)
    client.force_login(w.leader)
    page = client.get("/").content.decode()
    assert 'data-testid="coordination-card"' in page and case.no in page
    client.force_login(w.bob)
    assert 'data-testid="coordination-card"' not in client.get("/").content.decode()

"""Pages: scope (404 outside), every list page for every role, the case page's actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhuqi.cases import services
from zhuqi.cases.models import Case
from zhuqi.core.channels import SmsChannel
from zhuqi.core.models import Notification

LIST_PAGES = [
    "cases:list",
    "cases:board",
    "cases:inbox",
    "cases:leader",
    "cases:portal",
    "cases:figures",
    "cases:rules",
    "cases:import",
    "cases:new",
]


@pytest.mark.parametrize(
    "persona",
    [
        "admin",
        "alice",
        "leader",
        "head",
        "bob",
        "zr_handler",
        "commissioner",
        "grid_member",
        "supervisor",
        "observer",
        "enterprise_user",
        "charlie",
        "other_handler",
    ],
)
def test_every_page_renders_or_404_for_every_role(cw, login, persona):
    cw.to("in_progress")
    cw.to("submitted", ent=cw.ent_b, actor=cw.w.alice, channel="visit")
    client = login(getattr(cw.w, persona))
    for name in LIST_PAGES:
        r = client.get(reverse(name))
        assert r.status_code in (200, 302, 404), (name, r.status_code)
    r = client.get(reverse("home"))
    assert r.status_code == 200


def _visible_nos(client, url):
    r = client.get(url)
    if r.status_code != 200:
        return None
    return {c.no for c in r.context["page"]}


def test_scope_on_lists_and_detail(cw, login):
    w = cw.w
    mine = cw.to("in_progress")  # 华丰 (enterprise_user's), lead 工信局
    other_ent = cw.to("submitted", ent=cw.ent_b, actor=w.alice, channel="visit")
    other_county = cw.new(ent=cw.ent_other, actor=w.charlie, channel="visit")
    expect = {
        "admin": {mine.no, other_ent.no, other_county.no},
        "alice": {mine.no, other_ent.no},
        "leader": {mine.no, other_ent.no},
        "supervisor": {mine.no, other_ent.no},
        "observer": {mine.no, other_ent.no},
        "head": {mine.no},
        "bob": {mine.no},
        "zr_handler": set(),
        "grid_member": {mine.no},  # 华丰 sits in grid_member's grid
        "commissioner": set(),
        "enterprise_user": {mine.no},
        "charlie": {other_county.no},
        "other_handler": set(),
    }
    for persona, nos in expect.items():
        user = getattr(w, persona)
        assert set(Case.objects.visible_to(user).values_list("no", flat=True)) == nos, persona
        client = login(user)
        for case in (mine, other_ent, other_county):
            r = client.get(reverse("cases:detail", args=[case.pk]))
            assert r.status_code == (200 if case.no in nos else 404), (persona, case.no)
        listed = _visible_nos(client, reverse("cases:list"))
        if listed is not None:
            assert listed <= nos, persona
        client.logout()


def test_action_outside_scope_is_404(cw, login):
    case = cw.to("submitted")
    r = login(cw.w.charlie).post(reverse("cases:act", args=[case.pk, "accept"]))
    assert r.status_code == 404
    case.refresh_from_db()
    assert case.status == "submitted"


def test_full_loop_through_pages(cw, login):
    w = cw.w
    c = login(w.enterprise_user)
    r = c.post(
        reverse("cases:portal_new"),
        {"title": "申请增加用电容量", "description": "新生产线投产需要变压器增容，请协调供电公司"},
    )
    case = Case.objects.get(title="申请增加用电容量")
    assert r.status_code == 302 and case.channel == "portal"
    c = login(w.alice)
    page = c.get(reverse("cases:detail", args=[case.pk]))
    assert "act-accept" in page.content.decode()
    c.post(reverse("cases:act", args=[case.pk, "accept"]), {"category": cw.power.pk, "urgency": "normal"})
    c.post(
        reverse("cases:act", args=[case.pk, "dispatch"]),
        {"category": cw.power.pk, "lead": w.jxj.pk, "assisting": [w.power.pk]},
    )
    case.refresh_from_db()
    assert case.status == "dispatched" and case.lead_department == w.jxj
    c = login(w.bob)
    assert case.no in _visible_nos(c, reverse("cases:inbox") + "?tab=sign")
    c.post(reverse("cases:act", args=[case.pk, "sign"]))
    c.post(
        reverse("cases:act", args=[case.pk, "reply"]), {"reply": "已协调供电公司完成增容", "resolved": "1"}
    )
    case.refresh_from_db()
    assert case.status == "replied"
    c = login(w.enterprise_user)
    c.post(reverse("cases:act", args=[case.pk, "follow_up"]), {"result": "satisfied"})
    c = login(w.alice)
    c.post(reverse("cases:act", args=[case.pk, "close"]))
    case.refresh_from_db()
    assert case.status == "closed"
    r = c.get(reverse("cases:detail", args=[case.pk]))
    assert "销号" in r.content.decode()


def test_wrong_state_action_shows_message(cw, login):
    case = cw.to("closed")
    r = login(cw.w.alice).post(reverse("cases:act", args=[case.pk, "accept"]), follow=True)
    assert "不能受理" in r.content.decode()


def test_rate_link_one_time(cw, client):
    case = cw.to("replied")
    url = reverse("cases:rate", args=[case.pk, case.followup_token])
    assert client.get(url).status_code == 200
    client.post(url, {"result": "basic"})
    case.refresh_from_db()
    assert case.status == "followed_up" and case.satisfaction == "basic"
    r = client.post(url, {"result": "unsatisfied"})
    assert "链接已失效" in r.content.decode()
    case.refresh_from_db()
    assert case.satisfaction == "basic"


class FakeSms(SmsChannel):
    """The SMS channel with its gateway replaced by a list."""

    sent: list[tuple[str, str, str, str]] = []

    def post(self, to, title, body="", url=""):
        if to:
            FakeSms.sent.append((to, title, body, url))


def test_rate_link_is_absolute_and_texted_to_the_contact(
    cw, settings, login, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://zhuqi.wsx.gov.example"
    settings.NOTIFY_CHANNELS = ["tests.cases.test_pages.FakeSms", "zhuqi.core.channels.ConsoleChannel"]
    FakeSms.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = cw.to("replied", contact_phone="13800001111")
    link = "https://zhuqi.wsx.gov.example" + reverse("cases:rate", args=[case.pk, case.followup_token])
    note = Notification.objects.get(recipient=cw.w.alice, title__startswith="诉求已答复，待回访")
    assert link in note.body and "13800001111" in note.body
    texts = [row for row in FakeSms.sent if row[0] == "13800001111"]
    assert len(texts) == 1 and link in texts[0][2] and texts[0][3] == link
    # the dispatch office can copy it from the case page; the enterprise never sees it there
    assert (
        f'value="{link}"' in login(cw.w.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    assert (
        link not in login(cw.w.enterprise_user).get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    # without an SMS channel nothing is texted
    settings.NOTIFY_CHANNELS = ["zhuqi.core.channels.ConsoleChannel"]
    FakeSms.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cw.to("replied", contact_phone="13800002222", title="另一诉求")
    assert FakeSms.sent == []


def test_duplicate_offered_for_merge(cw, login):
    w = cw.w
    a = cw.new(title="厂区变压器容量不足需要增容", description="新生产线投产变压器容量不足")
    b = cw.new(title="变压器增容问题", description="生产线投产变压器容量不足，需要增容")
    r = login(w.alice).get(reverse("cases:detail", args=[b.pk]))
    assert "疑似重复" in r.content.decode() and a.no in r.content.decode()
    login(w.alice).post(reverse("cases:act", args=[b.pk, "merge"]), {"into": a.pk})
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into == a


def test_routing_rules_page(cw, login):
    w = cw.w
    c = login(w.alice)
    r = c.post(
        reverse("cases:rules"), {"category": cw.labor.pk, "region": w.county.pk, "lead_department": w.jxj.pk}
    )
    assert r.status_code == 302
    case = cw.to("accepted")
    case = services.dispatch_case(case, actor=w.alice, category=cw.labor)
    assert case.lead_department == w.jxj
    assert login(w.bob).get(reverse("cases:rules")).status_code == 404


@pytest.mark.parametrize("url_name", ["cases:board", "cases:list", "cases:leader", "cases:inbox"])
def test_query_count_does_not_grow_with_rows(cw, login, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = cw.w
    user = w.bob if url_name == "cases:inbox" else (w.leader if url_name == "cases:leader" else w.alice)
    client = login(user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(
                reverse(url_name) + ("?tab=sign" if url_name == "cases:inbox" else "?tab=unrouted")
            )
        assert r.status_code == 200
        return len(ctx.captured_queries)

    from zhuqi.cases.models import Case, Category

    # sub-categories print as "parent·child": their parents must not cost a query per row
    parent = Category.objects.create(code="qc_parent", name="水电气")
    child = Category.objects.create(code="qc_child", name="用电", parent=parent)
    for _ in range(2):
        services.dispatch_case(
            cw.to("accepted"), actor=w.alice, lead=w.jxj
        ) if url_name == "cases:inbox" else cw.to("accepted")
    Case.objects.update(category=child)
    few = count()
    for _ in range(8):
        services.dispatch_case(
            cw.to("accepted"), actor=w.alice, lead=w.jxj
        ) if url_name == "cases:inbox" else cw.to("accepted")
    Case.objects.update(category=child)
    assert count() == few


def test_leader_mine_filter(cw, login):
    r = login(cw.w.leader).get(reverse("cases:leader") + "?mine=1")
    assert r.status_code == 200 and r.context["mine"] is True


@pytest.mark.parametrize(
    "persona",
    ["admin", "alice", "leader", "head", "bob", "supervisor", "observer", "enterprise_user", "grid_member"],
)
def test_home_card_links_open(cw, login, persona):
    from zhuqi.cases.cards import cases_card as home_card

    cw.to("in_progress")
    client = login(getattr(cw.w, persona))
    r = client.get(reverse("home"))
    assert r.status_code == 200
    card = home_card(r.wsgi_request)
    if card is None:
        return
    for _label, _n, url, _red in card["stats"]:
        assert client.get(url).status_code == 200, url
    assert client.get(card["link"]).status_code == 200


def test_comments_on_case_follow_scope(cw, login):
    case = cw.to("signed")
    c = login(cw.w.enterprise_user)
    r = c.post(
        reverse("core:comment_add", args=["cases.case", case.pk]),
        {"body": "请问什么时候能送电？", "next": "/"},
    )
    assert r.status_code == 302
    page = login(cw.w.bob).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "请问什么时候能送电" in page
    r = login(cw.w.charlie).post(reverse("core:comment_add", args=["cases.case", case.pk]), {"body": "x"})
    assert r.status_code == 404


def test_capped_count(cw, login, monkeypatch):
    from zhuqi.core import paging

    monkeypatch.setattr(paging.CappedPaginator, "cap", 3)
    for _ in range(5):
        cw.to("submitted")
    r = login(cw.w.alice).get(reverse("cases:list"))
    assert r.context["page"].paginator.count == 3
    assert r.context["page"].paginator.is_capped


def test_enterprise_case_page_shows_the_dues_that_concern_it(cw, login):
    client = login(cw.w.enterprise_user)
    submitted = cw.new(title="待受理的诉求")
    html = client.get(reverse("cases:detail", args=[submitted.pk])).content.decode()
    accept_due = submitted.accept_due_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert 'data-testid="enterprise-dues"' in html and f"受理期限：<strong>{accept_due}</strong>" in html
    case = cw.to("dispatched")  # the sign clock runs: internal, never shown to the enterprise
    assert case.sign_due_at and case.reply_due_at
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    reply_due = case.reply_due_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert f"答复期限：<strong>{reply_due}</strong>" in html
    assert "签收期限" not in html and 'data-testid="clocks"' not in html
    assert case.sign_due_at.astimezone().strftime("%Y-%m-%d %H:%M") not in html
    portal = client.get(reverse("cases:portal")).content.decode()
    assert "答复期限 " + case.reply_due_at.astimezone().strftime("%Y-%m-%d") in portal

"""The leaders' 提级汇总 (issue #19): one notification per leader per sweep run listing every case
that reached level 3 or 4, while the lead department and the dispatch offices keep their
per-case notification; the audit chain verifies after a sweep; a second sweep changes nothing."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from zhuqi.cases import services
from zhuqi.cases.models import Case, CaseClock, Escalation, Supervision
from zhuqi.cases.sweep import LeaderDigest, sweep
from zhuqi.core import audit
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.core.workcalendar import SHANGHAI

DIGEST = "诉求提级汇总"


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def _beyond_local(cw, n: int) -> list[Case]:
    """n dispatched cases flagged 属地难以解决 directly (the sweep's level-3 rule catches them)."""
    cases = []
    with time_machine.travel(at(2026, 10, 9, 9), tick=False):
        for i in range(n):
            case = cw.new(title=f"跨层级用地问题 {i}")
            case = services.accept_case(case, actor=cw.w.alice)
            cases.append(services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj))
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(beyond_local=True)
    return cases


def _digests(user):
    return Notification.objects.filter(recipient=user, title__startswith=DIGEST)


def test_a_leader_gets_one_digest_listing_all_the_cases(cw, client):
    w = cw.w
    cases = _beyond_local(cw, 4)
    with time_machine.travel(at(2026, 10, 9, 12), tick=False):
        result = sweep()
    assert result.escalated[3] == 4 and result.digests == 1
    digest = _digests(w.leader).get()
    assert digest.title == f"{DIGEST}：4 件诉求升至第三、四级调度"
    assert digest.level == "danger"
    lines = digest.body.splitlines()
    assert len(lines) == 4
    for case, line in zip(sorted(cases, key=lambda c: c.no), lines, strict=True):  # by case number
        assert line == f"{case.no} {case.title}（第3级：属地难以解决）"
    # no per-case copy for the leader; the handlers still get theirs, one per case
    assert not Notification.objects.filter(recipient=w.leader, title__startswith="诉求提级至").exists()
    per_case = Notification.objects.filter(recipient=w.alice, title__startswith="诉求提级至第3级调度")
    assert per_case.count() == 4
    assert set(per_case.values_list("url", flat=True)) == {c.get_absolute_url() for c in cases}
    # the link opens the case list filtered to open cases at level 3 and above: all four are there
    assert digest.url == reverse("cases:list") + "?open=1&level=3"
    client.force_login(w.leader)
    page = client.get(digest.url).content.decode()
    assert all(case.title in page for case in cases)


def test_a_long_digest_lists_the_first_cases_and_counts_the_rest(cw, monkeypatch):
    monkeypatch.setattr(LeaderDigest, "LISTED", 2)
    _beyond_local(cw, 3)
    with time_machine.travel(at(2026, 10, 9, 12), tick=False):
        sweep()
    digest = _digests(cw.w.leader).get()
    assert digest.title == f"{DIGEST}：3 件诉求升至第三、四级调度"
    lines = digest.body.splitlines()
    assert len(lines) == 3 and lines[-1] == "……另有 1 件，见链接中的诉求列表"


def test_no_digest_when_nothing_reaches_level_3(cw):
    with time_machine.travel(at(2026, 9, 30), tick=False):
        case = services.accept_case(cw.new(), actor=cw.w.alice)
        services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj)
    with time_machine.travel(at(2026, 10, 9, 8), tick=False):
        result = sweep()
    assert result.escalated[2] == 1 and result.digests == 0
    assert not Notification.objects.filter(title__startswith=DIGEST).exists()


def _counts():
    return (
        AuditEntry.objects.count(),
        Notification.objects.count(),
        Escalation.objects.count(),
        Supervision.objects.count(),
        list(Case.objects.order_by("pk").values_list("escalation_level", "escalated_at")),
        list(CaseClock.objects.order_by("pk").values_list("overdue_flagged_at", "reminded_at")),
    )


def test_the_chain_verifies_after_a_sweep_and_a_second_sweep_changes_nothing(cw):
    _beyond_local(cw, 2)
    with time_machine.travel(at(2026, 9, 28), tick=False):
        for i in range(3):
            case = services.accept_case(cw.new(title=f"用工问题 {i}"), actor=cw.w.alice)
            case = services.dispatch_case(case, actor=cw.w.alice, lead=cw.w.jxj)
            services.sign_case(case, actor=cw.w.bob)
    with time_machine.travel(at(2026, 10, 21, 8), tick=False):
        before = AuditEntry.objects.count()
        first = sweep()
        assert first.missed and first.escalated[2] and first.escalated[3] and first.digests == 1
        assert AuditEntry.objects.count() > before
        checked, bad, why = audit.verify()
        assert bad is None, why
        assert checked == AuditEntry.objects.count()
        state = _counts()
        second = sweep()
    assert (second.missed, second.reminded, second.digests) == (0, 0, 0)
    assert second.escalated == {2: 0, 3: 0, 4: 0}
    assert _counts() == state
    _, bad, why = audit.verify()
    assert bad is None, why

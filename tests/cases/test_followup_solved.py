"""#12 item 8: the enterprise's own answer to "is the problem solved?" at the follow-up (回访) is
kept apart from the department's judgement (已解决 in the reply): on the follow-up, on the case,
in the history, from the page, the one-time link and the API, and in 企业认可解决率."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from zhuqi.cases import figures as F
from zhuqi.cases import services
from zhuqi.cases.models import FollowUp
from zhuqi.core import audit

pytestmark = pytest.mark.django_db


def test_the_enterprise_says_unsolved_while_the_department_said_solved(cw):
    w = cw.w
    case = cw.to("replied")  # the department replied 已解决
    assert case.resolved is True
    case = services.follow_up_case(
        case, actor=w.alice, result="basic", solved=False, note="电已通，但容量仍不够"
    )
    f = FollowUp.objects.get(case=case)
    assert (f.result, f.solved) == ("basic", False)
    case.refresh_from_db()
    assert case.resolved is True and case.enterprise_solved is False
    entry = [e for e in audit.timeline(case) if e.event == "followed_up"][-1]
    assert entry.changes["enterprise_solved"] == "否"


def test_not_answered_stays_unknown_and_a_reopened_case_keeps_the_answer(cw):
    w = cw.w
    a = services.follow_up_case(cw.to("replied"), actor=w.alice, result="satisfied")
    assert FollowUp.objects.get(case=a).solved is None and a.enterprise_solved is None
    b = services.follow_up_case(cw.to("replied"), actor=w.alice, result="unsatisfied", solved=False)
    b.refresh_from_db()
    assert b.status == "reopened" and b.resolved is None and b.enterprise_solved is False
    # answered again after the second reply: the latest answer is the case's
    b = services.reply_case(b, actor=w.bob, reply="已增容")
    b = services.follow_up_case(b, actor=w.alice, result="satisfied", solved=True)
    assert list(b.followups.values_list("solved", flat=True)) == [False, True]
    b.refresh_from_db()
    assert b.enterprise_solved is True


def test_the_page_form_the_link_and_the_api_record_the_answer(cw, login):
    w = cw.w
    # the dispatch office records the phone call from the case page
    case = cw.to("replied")
    page = login(w.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="followup-solved"' in page and 'name="solved"' in page
    login(w.alice).post(
        reverse("cases:act", args=[case.pk, "follow_up"]), {"result": "satisfied", "solved": "0"}
    )
    case.refresh_from_db()
    assert case.enterprise_solved is False and case.status == "followed_up"
    page = login(w.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "企业认为未解决" in page  # the follow-up list and the latest answer
    # the one-time link
    case = cw.to("replied")
    client = login(w.observer)
    client.logout()  # the link needs no login
    url = reverse("cases:rate", args=[case.pk, case.followup_token])
    assert 'name="solved"' in client.get(url).content.decode()
    client.post(url, {"result": "basic", "solved": "1"})
    case.refresh_from_db()
    assert (case.satisfaction, case.enterprise_solved) == ("basic", True)
    # the API, as the enterprise itself
    case = cw.to("replied")
    api = APIClient()
    api.force_authenticate(w.enterprise_user)
    r = api.post(
        f"/api/v1/cases/{case.pk}/follow_up/", {"result": "satisfied", "solved": False}, format="json"
    )
    assert r.status_code == 200, r.json()
    assert r.json()["enterprise_solved"] is False and r.json()["resolved"] is True


def test_an_answer_that_is_neither_yes_nor_no_is_refused_naming_the_question(cw):
    case = cw.to("replied")
    with pytest.raises(ValidationError) as exc:
        services.fire(case, "follow_up", actor=cw.w.alice, data={"result": "satisfied", "solved": "maybe"})
    assert "是否已解决" in str(exc.value)
    case.refresh_from_db()
    assert case.status == "replied" and not case.followups.exists()


def test_enterprise_recognised_solve_rate(cw):
    """Closed: c1 department 已解决, enterprise 已解决; c2 department 已解决, enterprise 未解决;
    c3 department 已解决, enterprise not asked. 解决率 (department) = 3 ÷ 3 = 100.0 %;
    企业认可解决率 = 1 ÷ 2 answered = 50.0 %; the drill-down lists c1 of c1, c2."""
    w = cw.w
    done = []
    for solved in (True, False, None):
        c = services.follow_up_case(cw.to("replied"), actor=w.alice, result="satisfied", solved=solved)
        done.append(services.close_case(c, actor=w.alice))
    qs = F.base(w.alice)
    t = F.totals(qs)
    assert t["solve_rate"] == {"n": 3, "d": 3, "rate": D("100.0")}
    assert t["solve_enterprise"] == {"n": 1, "d": 2, "rate": D("50.0")}
    assert {c.pk for c in F.drill(qs, "solve_enterprise", "d")} == {done[0].pk, done[1].pk}
    assert {c.pk for c in F.drill(qs, "solve_enterprise", "n")} == {done[0].pk}

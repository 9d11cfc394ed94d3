"""The reads of the cases pages (cases/selectors.py) agree with the plain counts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhuqi.cases import selectors
from zhuqi.cases.models import OPEN_STATUSES, Case

pytestmark = pytest.mark.django_db


def test_home_counts_agree_with_plain_counts(cw):
    w = cw.w
    for status in ("submitted", "accepted", "dispatched", "in_progress", "replied", "closed"):
        cw.to(status)
    now = timezone.now()
    mine = Case.objects.visible_to(w.enterprise_user)
    assert selectors.home_counts(w.enterprise_user, "enterprise", now) == {
        "open": mine.filter(status__in=OPEN_STATUSES).count(),
        "replied": mine.filter(status="replied").count(),
        "closed": mine.filter(status="closed").count(),
    }
    lead = Case.objects.visible_to(w.bob).filter(status__in=OPEN_STATUSES, lead_department=w.jxj)
    counts = selectors.home_counts(w.bob, "department", now)
    assert counts["sign"] == lead.filter(status="dispatched").count() == 1
    assert counts["work"] == lead.filter(status="in_progress").count() == 1
    counts = selectors.home_counts(w.alice, "dispatch", now)
    board, _qs = selectors.board(w.alice, "new", now)
    tabs = ("new", "unrouted", "overdue", "escalated", "extension")  # the board's, counted the same way
    assert {k: counts[k] for k in tabs} == {k: board[k] for k in tabs}
    assert counts["sent_back"] == Case.objects.visible_to(w.alice).filter(status="sent_back").count()
    assert counts["new"] == 1 and counts["unrouted"] == 1
    counts = selectors.home_counts(w.leader, "other", now)
    assert counts["open"] == Case.objects.visible_to(w.leader).filter(status__in=OPEN_STATUSES).count()

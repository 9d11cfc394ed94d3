"""The demo loader: 60 key enterprises with valid credit codes in the lead industries, teams
with 2–3 enterprises per commissioner, a year of visits with laggards, the `qiye` login;
running it twice adds nothing."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from zhuqi.assistance import compliance
from zhuqi.assistance import demo as assistance_demo
from zhuqi.assistance.models import Assignment, Visit
from zhuqi.core import audit
from zhuqi.core.demo import DEMO_PASSWORD, load_core
from zhuqi.core.models import User
from zhuqi.enterprises.models import Enterprise, KeyDesignation
from zhuqi.enterprises.services import check_credit_code

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC), tick=False)
def test_demo_loads_once_with_laggards():
    with audit.acting_as(None, label="命令: zhuqi demo"):
        context = load_core()
        assistance_demo.load(context)
        counts = (Enterprise.objects.count(), Assignment.objects.count(), Visit.objects.count())
        assistance_demo.load(context)
    assert (Enterprise.objects.count(), Assignment.objects.count(), Visit.objects.count()) == counts
    year = timezone.localdate().year
    keys = Enterprise.objects.filter(key_designations__year=year)
    assert keys.count() == 60 == KeyDesignation.objects.count()
    for ent in Enterprise.objects.all():
        assert check_credit_code(ent.credit_code) == ent.credit_code
    assert Enterprise.objects.filter(name="固镇恒顺集团有限公司", name_initials__contains="hsjt").exists()
    assert {e.industry.code for e in keys} <= {
        "13",
        "14",
        "15",
        "26",
        "28",
        "29",
        "34",
        "35",
        "36",
        "38",
        "44",
    }
    for n in range(1, 26):
        held = Assignment.objects.filter(
            user__username=f"zy{n:02d}", role="commissioner", enterprise__in=keys
        ).count()
        assert 2 <= held <= 4, (n, held)  # 2–3, plus one hand-over inherited in the summer
    qiye = User.objects.get(username="qiye")
    assert qiye.role == "enterprise" and qiye.check_password(DEMO_PASSWORD)
    assert list(Enterprise.objects.visible_to(qiye)) == [qiye.enterprise_membership.enterprise]
    today = timezone.localdate()
    start, end = compliance.period_bounds("quarter", today)
    rows = compliance.compute(Assignment.objects.all(), start, end, today=today)
    ranking = compliance.by_official(rows)
    rated = [s for s in ranking if s.rate is not None]
    assert rated[0].rate >= 80
    assert any(s.key.username in {"zy07", "zy19", "zy23"} and s.rate < 60 for s in rated)

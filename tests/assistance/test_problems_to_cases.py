"""Problems raised on a visit or at a meeting become real cases (诉求) in the pool."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.enterprises.helpers import make_enterprise
from zhuqi.assistance import services
from zhuqi.assistance.models import Meeting, Visit
from zhuqi.cases.models import Case, Category
from zhuqi.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def hs(world):
    ent = make_enterprise("恒顺集团有限公司", world.grid)
    with time_machine.travel(dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC), tick=False):
        services.assign(ent, year=2026, role="commissioner", user=world.commissioner, actor=world.alice)
    return ent


def test_visit_problem_becomes_a_submitted_case_linked_both_ways(world, hs, login):
    labour, _ = Category.objects.get_or_create(code="labour_test", defaults={"name": "用工"})
    with time_machine.travel(dt.datetime(2026, 1, 14, 2, tzinfo=dt.UTC), tick=False):
        client = login(world.commissioner)
        client.post(
            reverse("assistance:visit_create"),
            {
                "enterprise": hs.pk,
                "visited_on": "2026-01-14",
                "kind": "onsite",
                "findings": "二期车间设备安装中",
                "problems-TOTAL_FORMS": "1",
                "problems-INITIAL_FORMS": "0",
                "problems-0-category": labour.pk,
                "problems-0-description": "缺少熟练焊工约30人",
            },
        )
    visit = Visit.objects.get()
    case = Case.objects.get()
    assert case.enterprise == hs and case.channel == "visit" and case.status == "submitted"
    assert case.visit_id == visit.pk and case.category.name == "用工"
    assert case.description == "缺少熟练焊工约30人" and case.created_by == world.commissioner
    assert visit.problems.get().case == case
    # the dispatch office hears about it, and the visit page links to the case
    assert Notification.objects.filter(recipient=world.alice, title__contains="新诉求").exists()
    detail = (
        login(world.commissioner).get(reverse("assistance:visit_detail", args=[visit.pk])).content.decode()
    )
    assert case.no in detail and reverse("cases:detail", args=[case.pk]) in detail


def test_visit_without_problems_creates_no_case(world, hs, login):
    login(world.commissioner).post(
        reverse("assistance:visit_create"),
        {
            "enterprise": hs.pk,
            "visited_on": dt.date.today().isoformat(),
            "kind": "phone",
            "findings": "生产正常",
        },
    )
    assert Visit.objects.count() == 1 and not Case.objects.exists()


def test_meeting_problem_of_an_enterprise_becomes_a_case_general_remark_does_not(world, hs, login):
    login(world.leader).post(
        reverse("assistance:meeting_create"),
        {
            "kind": "breakfast",
            "title": "第12期企业家早餐会",
            "held_on": dt.date.today().isoformat(),
            "enterprises": [hs.pk],
            "problems": "恒顺集团有限公司：希望协调银行续贷\n园区道路照明不足",
        },
    )
    meeting = Meeting.objects.get()
    case = Case.objects.get()
    assert case.channel == "meeting" and case.enterprise == hs and "银行续贷" in case.description
    linked = {p.description: p.case_id for p in meeting.problems.all()}
    assert linked == {"希望协调银行续贷": case.pk, "园区道路照明不足": None}

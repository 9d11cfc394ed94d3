"""The return form (portal and on behalf), the completeness board with its drill-down and 催报,
approvals and unlocks through the pages; scope (another county: 404; an enterprise: its own)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from zhuqi.core.models import Notification
from zhuqi.indicators import services
from zhuqi.indicators.models import Approval, Report, Value
from zhuqi.indicators.periods import Period

pytestmark = pytest.mark.django_db


def form_url(iw, code, ent=None):
    return reverse("indicators:return_form", args=[iw.monthly.pk, code, (ent or iw.ent).pk])


def fill(iw, output="1200", tax="80", profit="-5", employees="320", **notes):
    data = {
        f"v_{iw.output.pk}": output,
        f"v_{iw.tax.pk}": tax,
        f"v_{iw.profit.pk}": profit,
        f"v_{iw.employees.pk}": employees,
    }
    data.update({f"note_{getattr(iw, k).pk}": v for k, v in notes.items()})
    return data


@time_machine.travel(dt.datetime(2026, 11, 3, 9, 0), tick=False)
def test_enterprise_reports_on_time_and_sees_it_listed(iw, login):
    c = login(iw.world.enterprise_user)
    page = c.get(reverse("indicators:my_returns")).content.decode()
    assert "2026年10月" in page and "待报送" in page
    r = c.post(form_url(iw, "202610"), fill(iw))
    assert r.status_code == 302
    report = Report.objects.get(enterprise=iw.ent, period="202610")
    assert not report.late and report.source == "portal"
    assert Value.objects.get(enterprise=iw.ent, indicator=iw.output, period="202610").cumulative == D(1200)
    assert "已报送" in c.get(reverse("indicators:my_returns")).content.decode()


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0), tick=False)
def test_after_the_due_date_the_return_is_accepted_and_late(iw, login):
    r = login(iw.world.enterprise_user).post(form_url(iw, "202610"), fill(iw))
    assert r.status_code == 302
    assert Report.objects.get(enterprise=iw.ent, period="202610").late


@time_machine.travel(dt.datetime(2026, 11, 3, 9, 0), tick=False)
def test_bad_input_names_the_indicator_and_saves_nothing(iw, login):
    c = login(iw.world.enterprise_user)
    r = c.post(form_url(iw, "202610"), fill(iw, output="一千二"))
    body = r.content.decode()
    assert r.status_code == 200 and "“一千二”不是数字" in body
    assert not Value.objects.exists() and not Report.objects.exists()
    r = c.post(form_url(iw, "202610"), fill(iw, tax=""))
    assert "请填写“入库税收”" in r.content.decode() and not Value.objects.exists()


@time_machine.travel(dt.datetime(2026, 11, 3, 9, 0), tick=False)
def test_a_swing_asks_for_an_explanation_on_the_row(iw, login):
    services.record_values(
        [services.Entry(iw.output, Period.parse("202510"), enterprise=iw.ent, cumulative=D(500), row="x")],
        actor=iw.world.alice,
        source="behalf",
    )
    c = login(iw.world.enterprise_user)
    body = c.post(form_url(iw, "202610"), fill(iw)).content.decode()
    assert "请填写情况说明" in body and not Report.objects.exists()
    data = fill(iw)
    data[f"note_{iw.output.pk}"] = "新产线投产"
    assert c.post(form_url(iw, "202610"), data).status_code == 302
    assert (
        Value.objects.get(enterprise=iw.ent, indicator=iw.output, period="202610").explanation == "新产线投产"
    )


def test_scope_of_the_return_form(iw, login):
    other_form = reverse("indicators:return_form", args=[iw.monthly.pk, "202610", iw.other.pk])
    assert login(iw.world.enterprise_user).get(other_form).status_code == 404
    assert login(iw.world.charlie).get(form_url(iw, "202610")).status_code == 404
    assert login(iw.world.alice).get(form_url(iw, "202610")).status_code == 200
    assert login(iw.world.alice).get(form_url(iw, "202610", iw.small)).status_code == 404  # not 规上
    assert login(iw.world.alice).get(form_url(iw, "202601")).status_code == 404  # merged into 1—2月


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0), tick=False)
def test_completeness_board_counts_and_drills_to_rows_and_reminds(iw, login):
    services.submit_return(
        iw.monthly,
        iw.ent,
        Period.parse("202610"),
        {
            iw.output.pk: {"cumulative": D(1)},
            iw.tax.pk: {"cumulative": D(1)},
            iw.profit.pk: {"cumulative": D(1)},
            iw.employees.pk: {"value": D(9)},
        },
        actor=iw.world.alice,
        source="behalf",
    )
    c = login(iw.world.alice)
    r = c.get(reverse("indicators:dataset_detail", args=[iw.monthly.pk]) + "?period=202610")
    total = r.context["total"]
    assert (total.expected, total.submitted, total.on_time, total.late, total.missing) == (2, 1, 0, 1, 1)
    assert (str(total.rate), str(total.on_time_rate)) == ("50.0", "0.0")  # the doc's example (§9)
    assert r.context["due"] == dt.date(2026, 11, 6)
    assert [e.name for e in r.context["listed"]] == [iw.ent2.name]
    late = c.get(reverse("indicators:dataset_detail", args=[iw.monthly.pk]) + "?period=202610&show=late")
    assert [x.enterprise.name for x in late.context["listed"]] == [iw.ent.name]
    c.post(reverse("indicators:remind", args=[iw.monthly.pk]), {"period": "202610"})
    reminded = Notification.objects.filter(title__contains="规上工业企业月报")
    assert reminded.count() == 0  # ent2 has no enterprise account yet, and no 包抓 official
    from zhuqi.core.models import Role, User
    from zhuqi.enterprises.models import EnterpriseUser

    staff = User.objects.create_user("ent2_user", password="x", role=Role.ENTERPRISE)
    EnterpriseUser.objects.create(user=staff, enterprise=iw.ent2, is_primary=True)
    c.post(reverse("indicators:remind", args=[iw.monthly.pk]), {"period": "202610"})
    assert list(reminded.values_list("recipient__username", flat=True)) == ["ent2_user"]
    # the enterprise's 包抓 official is reminded too
    from zhuqi.assistance.models import Assignment

    Assignment.objects.create(enterprise=iw.ent2, year=2026, role="commissioner", user=iw.world.commissioner)
    c.post(reverse("indicators:remind", args=[iw.monthly.pk]), {"period": "202610"})
    assert reminded.filter(recipient=iw.world.commissioner, title__contains=iw.ent2.name).count() == 1
    charlie = login(iw.world.charlie).get(reverse("indicators:dataset_detail", args=[iw.monthly.pk]))
    assert charlie.status_code == 404


def test_approve_and_unlock_through_the_pages(iw, login):
    c = login(iw.world.alice)
    c.post(
        reverse("indicators:approve", args=[iw.monthly.pk]),
        {"period": "202609", "region": iw.world.county.pk},
    )
    approval = Approval.objects.get(period="202609", region=iw.world.county)
    assert approval.status == "approved"
    assert "已审核锁定" in c.get(reverse("indicators:approvals")).content.decode()
    c.post(reverse("indicators:unlock_request", args=[approval.pk]), {"reason": "企业更正产值"})
    admin = login(iw.world.admin)
    req = approval.unlock_requests.get()
    admin.post(reverse("indicators:unlock_decide", args=[req.pk]), {"decision": "grant"})
    approval.refresh_from_db()
    assert approval.status == "reopened"
    assert Notification.objects.filter(recipient=iw.world.alice, title__contains="已同意").exists()


@time_machine.travel(dt.datetime(2026, 11, 3, 9, 0), tick=False)
def test_enterprise_page_shows_its_own_series_and_growth(iw, login):
    for code, cum in (("202510", 1000), ("202609", 1100), ("202610", 1200)):
        services.record_values(
            [services.Entry(iw.output, Period.parse(code), enterprise=iw.ent, cumulative=D(cum), row="x")],
            actor=iw.world.alice,
            source="behalf",
        )
    page = (
        login(iw.world.alice).get(reverse("enterprises:enterprise_detail", args=[iw.ent.pk])).content.decode()
    )
    assert 'data-testid="enterprise-indicators"' in page
    assert ">20.0%<" in page  # 1—10月: 1,200 against 1,000 last year
    assert (
        "enterprise-indicators"
        not in login(iw.world.charlie)
        .get(reverse("enterprises:enterprise_detail", args=[iw.ent.pk]))
        .content.decode()
    )

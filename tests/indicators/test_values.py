"""Values: cumulative and period numbers derived from each other, last year's pair kept beside,
validation (inconsistent, falling cumulative, ±50 % needs an explanation), locks, scope."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhuqi.core.models import AuditEntry
from zhuqi.indicators import services
from zhuqi.indicators.models import Flag, Value
from zhuqi.indicators.periods import Period
from zhuqi.indicators.services import Entry, ValueErrors

pytestmark = pytest.mark.django_db
P = Period.parse


def put(iw, ent, ind, code, cum=None, val=None, actor=None, **kw):
    return services.record_values(
        [Entry(ind, P(code), enterprise=ent, cumulative=cum, value=val, row="第1行", **kw)],
        actor=actor or iw.world.alice,
        source="behalf",
    )


def test_cumulative_reports_derive_the_month(iw):
    put(iw, iw.ent, iw.output, "202601", cum=D(100))
    put(iw, iw.ent, iw.output, "202602", cum=D(250))
    feb = Value.objects.get(enterprise=iw.ent, indicator=iw.output, period="202602")
    assert (feb.cumulative, feb.value) == (D(250), D(150))
    assert AuditEntry.objects.filter(event="indicator_values", object_id=str(iw.ent.pk)).count() == 2


def test_period_reports_derive_the_cumulative_and_flag_disagreement(iw):
    put(iw, iw.ent, iw.output, "202601", cum=D(100))
    put(iw, iw.ent, iw.output, "202602", cum=D(260), val=D(150))
    feb = Value.objects.get(enterprise=iw.ent, indicator=iw.output, period="202602")
    assert Flag.INCONSISTENT in feb.flag_list


def test_a_falling_cumulative_is_refused_but_profit_may_fall(iw):
    put(iw, iw.ent, iw.output, "202601", cum=D(100))
    with pytest.raises(ValueErrors) as exc:
        put(iw, iw.ent, iw.output, "202602", cum=D(90))
    assert "小于上期累计" in exc.value.rows[0][2] and exc.value.rows[0][1] == "累计值"
    assert not Value.objects.filter(period="202602").exists()
    put(iw, iw.ent, iw.profit, "202601", cum=D(10))
    put(iw, iw.ent, iw.profit, "202602", cum=D(-5))
    assert Value.objects.get(indicator=iw.profit, period="202602").value == D(-15)


def test_last_year_is_kept_beside_and_refreshed_when_corrected(iw):
    put(iw, iw.ent, iw.output, "202503", cum=D(300))
    put(iw, iw.ent, iw.output, "202603", cum=D(330))
    v = Value.objects.get(enterprise=iw.ent, indicator=iw.output, period="202603")
    assert v.last_year_cumulative == D(300)
    put(iw, iw.ent, iw.output, "202503", cum=D(310))
    v.refresh_from_db()
    assert v.last_year_cumulative == D(310)


def test_a_swing_beyond_50_percent_needs_an_explanation(iw):
    put(iw, iw.ent, iw.output, "202503", cum=D(100))
    with pytest.raises(ValueErrors) as exc:
        put(iw, iw.ent, iw.output, "202603", cum=D(151))
    assert exc.value.rows[0][1] == "情况说明" and "51.0%" in exc.value.rows[0][2]
    put(iw, iw.ent, iw.output, "202603", cum=D(151), explanation="新生产线投产")
    assert Flag.SWING in Value.objects.get(period="202603").flag_list


def test_duplicates_and_official_indicators_are_refused_naming_the_row(iw):
    entries = [
        Entry(iw.output, P("202603"), enterprise=iw.ent, cumulative=D(1), row="第2行"),
        Entry(iw.output, P("202603"), enterprise=iw.ent, cumulative=D(2), row="第3行"),
        Entry(iw.growth, P("202603"), enterprise=iw.ent, cumulative=D(2), row="第4行"),
    ]
    with pytest.raises(ValueErrors) as exc:
        services.record_values(entries, actor=iw.world.alice, source="import")
    rows = {r[0]: r[2] for r in exc.value.rows}
    assert "与第2行重复" in rows["第3行"] and "统计部门发布" in rows["第4行"]
    assert not Value.objects.exists()


def test_scope_and_matrix(iw):
    with pytest.raises(Http404):
        put(iw, iw.other, iw.output, "202603", cum=D(1))
    with pytest.raises(PermissionDenied):
        put(iw, iw.ent, iw.output, "202603", cum=D(1), actor=iw.world.observer)


def test_approval_locks_and_a_granted_unlock_reopens(iw):
    put(iw, iw.ent, iw.output, "202603", cum=D(1))
    approval = services.approve_period(iw.monthly, P("202603"), iw.world.county, actor=iw.world.alice)
    with pytest.raises(ValueErrors) as exc:
        put(iw, iw.ent, iw.output, "202603", cum=D(2))
    assert "已审核锁定" in exc.value.rows[0][2]
    req = services.request_unlock(approval, reason="企业更正产值", actor=iw.world.alice)
    with pytest.raises(PermissionDenied):  # the county does not decide its own request
        services.decide_unlock(req, grant=True, actor=iw.world.alice)
    services.decide_unlock(req, grant=True, actor=iw.world.admin)
    put(iw, iw.ent, iw.output, "202603", cum=D(2))
    assert Value.objects.get(period="202603").cumulative == D(2)


def test_an_archived_enterprise_leaves_the_values_everyone_sees(iw):
    from django.utils import timezone

    from zhuqi.enterprises.models import Enterprise

    put(iw, iw.ent, iw.output, "202603", cum=D(5))
    put(iw, iw.ent2, iw.output, "202603", cum=D(7))
    Enterprise.all_objects.filter(pk=iw.ent.pk).update(archived_at=timezone.now())
    for viewer in (iw.world.admin, iw.world.alice):
        seen = Value.objects.visible_to(viewer).filter(period="202603")
        assert list(seen.values_list("enterprise", flat=True)) == [iw.ent2.pk]


def test_a_month_still_being_reported_cannot_be_approved_until_due_or_complete(iw):
    """Approving locks the month: while its returns are not yet due (5 working days after the
    month, November 2026 → 7 December) and an expected enterprise has not reported, the county
    is told how many are missing and when reporting closes; once due, or once everyone has
    reported, it may approve."""
    import datetime as dt

    import time_machine
    from django.core.exceptions import ValidationError

    nov = P("202611")
    figures = {item.indicator_id: {"cumulative": D(100)} for item in iw.monthly.items.all()}
    with time_machine.travel(dt.datetime(2026, 12, 3, 2, tzinfo=dt.UTC), tick=False):
        services.submit_return(iw.monthly, iw.ent, nov, figures, actor=iw.world.alice, source="behalf")
        assert services.still_reporting(iw.monthly, nov, iw.world.county) == (dt.date(2026, 12, 7), 1)
        with pytest.raises(ValidationError) as exc:
            services.approve_period(iw.monthly, nov, iw.world.county, actor=iw.world.alice)
        assert "截止 2026-12-07" in str(exc.value) and "尚有 1 户未报" in str(exc.value)
        # the town whose one enterprise has reported may approve its own part already
        assert services.still_reporting(iw.monthly, nov, iw.ent.region) == (dt.date(2026, 12, 7), 0)
    with time_machine.travel(dt.datetime(2026, 12, 8, 2, tzinfo=dt.UTC), tick=False):
        assert services.still_reporting(iw.monthly, nov, iw.world.county)[1] == 0
        approval = services.approve_period(iw.monthly, nov, iw.world.county, actor=iw.world.alice)
    assert approval.status == "approved"

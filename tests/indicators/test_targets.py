"""Targets: decomposition equal / seasonal / manual to months and 旬 with quarters derived, the parts
adding up exactly, the cumulative target at a period, permission, scope, audit (the examples of
src/zhuqi/docs/indicators-figures.md §3)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.indicators.helpers import val
from zhuqi.core.models import AuditEntry
from zhuqi.indicators import services_targets as st
from zhuqi.indicators.models import Target, TargetPart
from zhuqi.indicators.periods import Period

pytestmark = pytest.mark.django_db
P = Period.parse


def parts(target, type_):
    return [p.amount for p in TargetPart.objects.filter(target=target, period_type=type_).order_by("period")]


def test_equal_to_months_puts_the_remainder_on_december(iw):
    w = iw.world
    t = st.set_target(iw.output, 2026, region=w.county, amount=D(1000), actor=w.alice)
    months = parts(t, "M")
    assert months[:11] == [D("83.3")] * 11 and months[11] == D("83.7")
    assert sum(months) == D(1000)
    assert parts(t, "Q") == [D("249.9"), D("249.9"), D("249.9"), D("250.3")]
    assert st.cumulative_target(t, P("202610")) == D("833.0")
    assert st.cumulative_target(t, P("2026Q3")) == D("749.7")
    assert st.cumulative_target(t, P("2026H1")) == D("499.8")
    assert st.cumulative_target(t, P("202610X2")) == D("805.2")  # 9 × 83.3 + 83.3 × 2/3 → 55.5
    entry = AuditEntry.objects.get(event="indicator_target_set")
    assert entry.object_id == str(t.pk)


def test_equal_to_xun_derives_months_and_quarters(iw):
    w = iw.world
    t = st.set_target(iw.output, 2026, region=w.county, amount=D(360), decomposed_to="X", actor=w.alice)
    assert parts(t, "X") == [D(10)] * 36
    assert parts(t, "M") == [D(30)] * 12
    assert parts(t, "Q") == [D(90)] * 4
    assert st.cumulative_target(t, P("202610X2")) == D(290)
    assert st.cumulative_target(t, P("202610")) == D(300)


def test_seasonal_by_last_years_profile(iw):
    w = iw.world
    for m in range(1, 13):
        val(iw.output, f"2025{m:02d}", m, ent=iw.ent)  # period values 1, 2, …, 12 (Σ 78)
    t = st.set_target(iw.output, 2026, region=w.county, amount=D(1000), method="seasonal", actor=w.alice)
    months = parts(t, "M")
    assert months[:3] == [D("12.8"), D("25.6"), D("38.5")]
    assert months[10] == D("141.0") and months[11] == D("153.9")
    assert sum(months) == D(1000)


def test_seasonal_without_last_year_is_refused(iw):
    w = iw.world
    with pytest.raises(ValidationError) as exc:
        st.set_target(iw.output, 2026, region=w.county, amount=D(1000), method="seasonal", actor=w.alice)
    assert "2025年没有" in str(exc.value)


def test_manual_parts_must_add_up_exactly(iw):
    w = iw.world
    given = {f"2026{m:02d}": "83.3" for m in range(1, 13)}
    with pytest.raises(ValidationError) as exc:
        st.set_target(
            iw.output, 2026, region=w.county, amount=D(1000), method="manual", parts=given, actor=w.alice
        )
    assert "2026年各月分解值合计 999.6，与年度目标 1000 不符（相差 -0.4）" in str(exc.value)
    given["202612"] = "83.7"
    t = st.set_target(
        iw.output, 2026, region=w.county, amount=D(1000), method="manual", parts=given, actor=w.alice
    )
    assert t.method == "manual" and sum(parts(t, "M")) == D(1000)
    del given["202603"]
    with pytest.raises(ValidationError) as exc:
        st.set_target(
            iw.output, 2026, region=w.county, amount=D(1000), method="manual", parts=given, actor=w.alice
        )
    assert "请填写2026年3月的分解值" in str(exc.value)


def test_edit_parts_keeps_the_whole(iw):
    w = iw.world
    t = st.set_target(iw.output, 2026, region=w.county, amount=D(1200), actor=w.alice)
    new = {f"2026{m:02d}": "100" for m in range(1, 13)}
    new["202601"], new["202602"] = "50", "150"
    st.edit_parts(t, new, actor=w.alice)
    t.refresh_from_db()
    assert t.method == "manual" and parts(t, "M")[:2] == [D(50), D(150)]
    new["202612"] = "101"
    with pytest.raises(ValidationError) as exc:
        st.edit_parts(t, new, actor=w.alice)
    assert "相差 1" in str(exc.value)
    assert parts(t, "M")[11] == D(100)
    assert AuditEntry.objects.filter(event="indicator_target_parts").count() == 1


def test_growth_only_derives_the_amount_from_last_year(iw):
    w = iw.world
    val(iw.output, "202512", 1000, ent=iw.ent)
    t = st.set_target(iw.output, 2026, region=w.county, growth=D(15), actor=w.alice)
    assert t.amount == D(1150) and sum(parts(t, "M")) == D(1150)


def test_department_and_leader_targets(iw):
    w = iw.world
    t = st.set_target(iw.tax, 2026, department=w.jxj, amount=D(120), actor=w.alice)
    assert t.region == w.county and t.department == w.jxj
    t2 = st.set_target(iw.tax, 2026, leader=w.leader, amount=D(60), actor=w.alice)
    assert t2.leader == w.leader
    again = st.set_target(iw.tax, 2026, department=w.jxj, amount=D(240), actor=w.alice)
    assert again.pk == t.pk and Target.objects.filter(department=w.jxj).count() == 1


def test_permission_and_scope(iw):
    w = iw.world
    with pytest.raises(PermissionDenied):
        st.set_target(iw.output, 2026, region=w.county, amount=D(1), actor=w.bob)
    with pytest.raises(Http404):
        st.set_target(iw.output, 2026, region=w.other_county, amount=D(1), actor=w.alice)
    with pytest.raises(ValidationError):
        st.set_target(iw.output, 2026, department=w.other_jxj, amount=D(1), actor=w.alice)
    assert not Target.objects.exists()

"""Configuring report forms (the dispatch office, its subtree) and the indicator catalogue
(system administrators) through the 系统设置 pages; bad input is named and nothing is saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhuqi.core.models import AuditEntry
from zhuqi.indicators import services
from zhuqi.indicators.models import DataSet, Indicator

pytestmark = pytest.mark.django_db


def form_data(iw, **over):
    data = {
        "code": "wsx_power",
        "name": "重点企业用电月报",
        "region": iw.world.county.pk,
        "period_type": "M",
        "audience": "above_scale",
        "due_working_days": "3",
        "merge_jan_feb": "on",
        "indicators": [iw.output.pk, Indicator.objects.get(code="power").pk],
        "required": [iw.output.pk],
        "is_active": "on",
    }
    data.update(over)
    return data


def test_dispatch_creates_a_form_with_its_indicators(iw, login):
    r = login(iw.world.alice).post(reverse("indicators:settings_datasets"), form_data(iw))
    assert r.status_code == 302
    ds = DataSet.objects.get(code="wsx_power")
    assert [(i.indicator.code, i.required) for i in ds.items.all()] == [
        ("gross_output", True),
        ("power", False),
    ]
    assert AuditEntry.objects.filter(event="indicator_dataset_created").exists()
    assert set(services.expected_enterprises(ds, 2026)) == {iw.ent, iw.ent2}  # 规上 of the county


def test_bad_forms_are_named_and_not_saved(iw, login):
    c = login(iw.world.alice)
    r = c.post(reverse("indicators:settings_datasets"), form_data(iw, indicators=[]))
    assert "indicators" in r.context["form"].errors
    r = c.post(reverse("indicators:settings_datasets"), form_data(iw, audience="list"))
    assert "请至少选择一家企业" in r.content.decode()
    r = c.post(reverse("indicators:settings_datasets"), form_data(iw, code="wsx_monthly"))
    assert "已被使用" in r.content.decode()
    r = c.post(reverse("indicators:settings_datasets"), form_data(iw, region=iw.world.other_county.pk))
    assert "region" in r.context["form"].errors
    assert not DataSet.objects.filter(code="wsx_power").exists()


def test_official_indicators_and_other_counties_enterprises_are_refused(iw):
    with pytest.raises(ValidationError) as exc:
        services.save_dataset(
            None,
            actor=iw.world.alice,
            code="x",
            name="x",
            region=iw.world.county,
            period_type="M",
            audience="list",
            due_working_days=5,
            merge_jan_feb=True,
            indicators=[iw.growth],
            enterprises=[iw.ent],
        )
    assert "不由企业填报" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.save_dataset(
            None,
            actor=iw.world.alice,
            code="x",
            name="x",
            region=iw.world.county,
            period_type="M",
            audience="list",
            due_working_days=5,
            merge_jan_feb=True,
            indicators=[iw.output],
            enterprises=[iw.other],
        )
    assert "不在所属区划内" in str(exc.value)


def test_changing_the_period_after_reports_is_refused(iw):
    from decimal import Decimal as D

    from zhuqi.indicators.periods import Period

    services.submit_return(
        iw.monthly,
        iw.ent,
        Period.parse("202609"),
        {
            iw.output.pk: {"cumulative": D(1)},
            iw.tax.pk: {"cumulative": D(1)},
            iw.profit.pk: {"cumulative": D(1)},
            iw.employees.pk: {"value": D(1)},
        },
        actor=iw.world.alice,
        source="behalf",
    )
    with pytest.raises(ValidationError) as exc:
        services.save_dataset(
            iw.monthly,
            actor=iw.world.alice,
            code="wsx_monthly",
            name="月报",
            region=iw.world.county,
            period_type="X",
            audience="above_scale",
            due_working_days=5,
            merge_jan_feb=True,
            indicators=[iw.output],
        )
    assert "不能再改报送周期" in str(exc.value)


def test_catalogue_is_for_administrators(iw, login):
    data = {
        "code": "exports",
        "name": "出口交货值",
        "unit": "wan_yuan",
        "aggregation": "sum",
        "cumulative": "on",
        "kind": "entered",
        "decimals": "1",
        "is_active": "on",
    }
    assert login(iw.world.alice).post(reverse("indicators:settings_indicators"), data).status_code == 404
    assert login(iw.world.alice).get(reverse("indicators:settings_indicators")).status_code == 200
    r = login(iw.world.admin).post(reverse("indicators:settings_indicators"), data)
    assert r.status_code == 302 and Indicator.objects.get(code="exports").name == "出口交货值"
    ratio = dict(data, code="export_share", name="出口占比", unit="percent", aggregation="ratio")
    r = login(iw.world.admin).post(reverse("indicators:settings_indicators"), ratio)
    assert "请选择分子和分母指标" in r.content.decode()
    edit = reverse("indicators:settings_indicator", args=[iw.output.pk])
    from decimal import Decimal as D

    from zhuqi.indicators.periods import Period

    services.record_values(
        [services.Entry(iw.output, Period.parse("202609"), enterprise=iw.ent, cumulative=D(1), row="x")],
        actor=iw.world.alice,
        source="behalf",
    )
    r = login(iw.world.admin).post(edit, dict(data, code="gross_output", name="工业总产值", unit="yi_yuan"))
    assert "不能改单位" in r.content.decode()

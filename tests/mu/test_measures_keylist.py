"""Differentiated measures per class (data per scheme, on the result page) and the proposed
包保联系名单 (mu-evaluation.md §8), on 例一 published: A 乙, B 甲, C 丁 and 丙."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook

from tests.mu.conftest import publish
from zhuqi.core.models import AuditEntry
from zhuqi.enterprises.models import KeyDesignation
from zhuqi.mu import selectors, services
from zhuqi.mu.models import ClassMeasure, Result

pytestmark = pytest.mark.django_db


def test_the_shipped_measures_and_their_validity(mw):
    run = mw.compute()
    d = selectors.class_measures(run, dt.date(2026, 6, 1), "D")
    assert [(m.category, m.amount_shown, m.unit) for m in d][:2] == [
        ("electricity", "0.1", "元/千瓦时"),
        ("water", "0.5", "元/吨"),
    ]
    m = ClassMeasure.objects.filter(scheme=mw.scheme, klass="C", category="electricity").get()
    m.valid_to = dt.date(2026, 5, 31)
    m.save()
    assert m not in selectors.class_measures(run, dt.date(2026, 6, 1), "C")
    assert m in selectors.class_measures(run, dt.date(2026, 5, 31), "C")


def test_the_result_page_shows_the_measures_of_its_class(mw, world, login):
    run = mw.compute()
    publish(run, world.alice)
    ding = Result.objects.get(run=run, enterprise=mw.ents["丁"])
    page = login(world.enterprise_user).get(reverse("mu:result_detail", args=[ding.pk]))
    assert {m.klass for m in page.context["measures"]} == {"C"}
    body = page.content.decode()
    assert "差别电价：每千瓦时加价 0.05 元/千瓦时" in body


def test_key_list_proposal_export_and_confirmation(mw, world, login):
    run = mw.compute()
    assert [r.enterprise.name for r in selectors.key_list(world.alice, run)] == ["乙公司", "甲公司"]
    assert [r.enterprise.name for r in selectors.key_list(world.alice, run, top=1)] == ["乙公司"]
    abc = selectors.key_list(world.alice, run, classes=["A", "B", "C"])
    assert [r.enterprise.name for r in abc] == ["乙公司", "甲公司", "丁公司", "丙公司"]
    c = login(world.alice)
    url = reverse("mu:run_keylist", args=[run.pk])
    assert not c.get(url).context["can_confirm"]  # a trial run: proposal only
    with pytest.raises(ValidationError, match="正式发布后"):
        services.confirm_key_list(run, [mw.ents["乙"].pk], actor=world.alice)
    publish(run, world.alice)
    export = c.get(url, {"klass": ["A", "B"], "format": "xlsx"})
    sheet = load_workbook(BytesIO(export.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["乙公司", "甲公司"]
    assert AuditEntry.objects.filter(action="export").exists()
    c.post(url, {"id": [mw.ents["乙"].pk, mw.ents["甲"].pk, mw.other.pk]})
    keys = KeyDesignation.objects.filter(year=2026)
    assert {k.enterprise.name for k in keys} == {"乙公司", "甲公司"}  # 通许县's is not in the run
    assert AuditEntry.objects.filter(event="mu_key_list_confirmed").exists()
    with pytest.raises(PermissionDenied):
        services.confirm_key_list(run, [mw.ents["丁"].pk], actor=world.bob)
    assert login(world.charlie).get(url).status_code == 404


def test_class_lists_for_departments_and_utilities_after_publication(mw, world, login):
    """分类名单: refused while the run is a trial; once published, every enterprise with its
    class and its account numbers, and the power company's list with one line per 电力用户编号
    and the class's electricity measure."""
    from zhuqi.mu.models import UtilityAccount

    run = mw.compute()
    UtilityAccount.objects.create(enterprise=mw.ents["丁"], kind="power", number="3400100001")
    UtilityAccount.objects.create(enterprise=mw.ents["丁"], kind="power", number="3400100002")
    UtilityAccount.objects.create(enterprise=mw.ents["甲"], kind="water", number="W0001")
    c = login(world.alice)
    url = reverse("mu:run_detail", args=[run.pk])
    r = c.get(url, {"format": "xlsx"})
    assert r.status_code == 302 and not AuditEntry.objects.filter(action="export").exists()
    publish(run, world.alice)
    sheet = load_workbook(BytesIO(c.get(url, {"format": "xlsx"}).content)).active
    rows = {row[2]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["丁公司"][0] == "C" and rows["丁公司"][7] == "3400100001、3400100002"
    assert rows["甲公司"][0] == "B" and rows["甲公司"][8] == "W0001"
    power = load_workbook(BytesIO(c.get(url, {"format": "xlsx", "for": "power"}).content)).active
    lines = list(power.iter_rows(min_row=2, values_only=True))
    assert [(line[0], line[1], line[3]) for line in lines] == [
        ("3400100001", "C", "丁公司"),
        ("3400100002", "C", "丁公司"),
    ]
    assert "每千瓦时加价" in lines[0][-1]
    only_a = load_workbook(BytesIO(c.get(url, {"format": "xlsx", "klass": "A"}).content)).active
    assert [row[2] for row in only_a.iter_rows(min_row=2, values_only=True)] == ["乙公司"]
    assert AuditEntry.objects.filter(action="export").count() == 3


def test_the_registry_list_filters_by_the_published_class(mw, world, login):
    """企业库 offers 亩均类别 once a run is published (its data year named) and lists exactly
    the enterprises of that class; a trial run offers nothing; an unknown class is ignored."""
    run = mw.compute()
    c = login(world.alice)
    url = reverse("enterprises:enterprise_list")
    assert 'data-testid="enterprise-filter-mu"' not in c.get(url).content.decode()
    publish(run, world.alice)
    page = c.get(url).content.decode()
    assert 'data-testid="enterprise-filter-mu"' in page and "C类（2025年度）" in page
    names = [e.name for e in c.get(url, {"mu": "C"}).context["page"]]
    assert sorted(names) == ["丁公司", "丙公司"]
    assert [e.name for e in c.get(url, {"mu": "A"}).context["page"]] == ["乙公司"]
    everyone = c.get(url, {"mu": "Z"}).context["page"].paginator.count
    assert everyone == c.get(url).context["page"].paginator.count
    # an official who may not see evaluations is not offered the filter, and it does nothing
    r = login(world.enterprise_user).get(url)
    assert r.status_code in (302, 404)


def test_a_county_keeps_its_own_measures_in_place_of_the_sample(mw, world, login):
    """差别化措施 per region: 尉氏县's dispatch office starts its own list from the scheme's
    sample, changes 差别电价 for C to 0.08, adds one; its runs show its list, 通许县's the sample.
    Bad input is refused naming the field; another county's measure cannot be touched."""
    from zhuqi.mu.models import ClassMeasure

    run = mw.compute()
    c = login(world.alice)
    url = reverse("mu:measures") + f"?scheme={mw.scheme.pk}"
    page = c.get(url)
    assert "方案自带的示例措施" in page.content.decode() and not page.context["own"]
    sample = ClassMeasure.objects.filter(scheme=mw.scheme, region__isnull=True).count()
    c.post(url, {"scheme": mw.scheme.pk, "op": "start"})
    own = ClassMeasure.objects.filter(scheme=mw.scheme, region=world.county)
    assert own.count() == sample
    elec = own.get(klass="C", category="electricity")
    data = {
        "scheme": mw.scheme.pk,
        "id": elec.pk,
        "klass": "C",
        "category": "electricity",
        "description": "差别电价：每千瓦时加价",
        "amount": "0.08",
        "unit": "元/千瓦时",
    }
    c.post(url, {**data, "op": "edit"})
    for bad, message in [
        ({"amount": "很多"}, "幅度：应为数字"),
        ({"amount": "0.1", "unit": ""}, "单位：填写了幅度时请写明单位"),
        ({"description": ""}, "措施：请填写内容"),
        ({"klass": "T"}, "评价类别：请选择"),
        ({"valid_from": "2026-06-01", "valid_to": "2026-01-01"}, "截止日期不能早于起始日期"),
    ]:
        r = c.post(url, {**data, "op": "add", **bad}, follow=True)
        assert message in r.content.decode(), message
    assert own.count() == sample
    c.post(
        url, {**data, "op": "add", "klass": "D", "description": "限制新增用能指标", "amount": "", "unit": ""}
    )
    assert own.count() == sample + 1
    elec.refresh_from_db()
    assert elec.amount_shown == "0.08"
    shown = selectors.class_measures(run, dt.date(2026, 6, 1), "C")
    assert "0.08" in [m.amount_shown for m in shown if m.category == "electricity"]
    assert AuditEntry.objects.filter(event="mu_measure_changed").exists()
    # 通许县 still reads the sample; it cannot edit 尉氏县's list
    assert {m.region_id for m in selectors.measures_for_region(mw.scheme.pk, world.other_county)} == {None}
    with pytest.raises(Http404):
        services.delete_measure(elec, actor=world.charlie)
    assert login(world.bob).get(url).status_code == 404  # a department handler does not maintain them


def test_the_provinces_list_applies_below_it_until_a_county_has_its_own(mw, world):
    """The province's administrator keeps the province's list: every county without a list of
    its own reads it (the nearest region up the tree with a list wins)."""
    m = services.save_measure(
        mw.scheme, actor=world.admin, klass="A", category="policy", description="优先推荐评优评先"
    )
    assert m.region == world.province
    assert list(selectors.measures_for_region(mw.scheme.pk, world.other_county)) == [m]
    services.start_region_measures(mw.scheme, actor=world.charlie)
    mine = selectors.measures_for_region(mw.scheme.pk, world.other_county)
    assert {x.region_id for x in mine} == {world.other_county.pk} and mine.count() == 1

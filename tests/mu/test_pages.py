"""The pages: runs (with the trial computation), a run, publishing, the explanation, the panel on
the enterprise page; who sees what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.mu.conftest import YEAR, publish
from zhuqi.mu import services
from zhuqi.mu.models import Result, Run

pytestmark = pytest.mark.django_db


def test_dispatch_computes_from_the_runs_page(mw, world, login):
    c = login(world.alice)
    page = c.get(reverse("mu:run_list"))
    assert page.status_code == 200 and mw.scheme in page.context["schemes"]
    response = c.post(reverse("mu:run_list"), {"scheme": mw.scheme.pk, "year": YEAR})
    run = Run.objects.get()
    assert response.status_code == 302 and response.url == reverse("mu:run_detail", args=[run.pk])
    detail = c.get(response.url)
    assert {d["klass"]: d["n"] for d in detail.context["distribution"]} == {
        "A": 1,
        "B": 1,
        "C": 2,
        "D": 0,
        "T": 0,
    }
    assert [r.enterprise.name for r in detail.context["page"]] == ["乙公司", "甲公司", "丁公司", "丙公司"]
    assert detail.context["actions"] == ["announce"]


def test_a_refused_computation_shows_its_message(mw, world, login):
    item = mw.scheme.items.get(measure="rnd_ratio")
    item.weight = 5
    item.save()
    response = login(world.alice).post(
        reverse("mu:run_list"), {"scheme": mw.scheme.pk, "year": YEAR}, follow=True
    )
    assert "权重合计为 95" in response.content.decode()
    assert not Run.objects.exists()


def test_announce_from_the_page(mw, world, login):
    run = mw.compute()
    assert login(world.bob).post(reverse("mu:run_announce", args=[run.pk])).status_code == 404
    login(world.alice).post(reverse("mu:run_announce", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == Run.Status.PUBLICITY


def test_explanation_page(mw, world, login):
    run = mw.compute()
    ding = Result.objects.get(run=run, enterprise=mw.ents["丁"])
    body = login(world.leader).get(reverse("mu:result_detail", args=[ding.pk])).content.decode()
    assert "101.26" in body and "34.8603" in body and "348.60" in body


def test_enterprise_sees_only_its_own_published_result(mw, world, login):
    run = mw.compute()
    ding = Result.objects.get(run=run, enterprise=mw.ents["丁"])
    jia = Result.objects.get(run=run, enterprise=mw.ents["甲"])
    c = login(world.enterprise_user)
    assert c.get(reverse("mu:result_detail", args=[ding.pk])).status_code == 404  # trial
    services.announce(run, actor=world.alice)
    assert c.get(reverse("mu:result_detail", args=[ding.pk])).status_code == 200  # 公示
    publish(run, actor=world.alice)
    assert c.get(reverse("mu:result_detail", args=[ding.pk])).status_code == 200
    assert c.get(reverse("mu:result_detail", args=[jia.pk])).status_code == 404
    assert c.get(reverse("mu:run_detail", args=[run.pk])).status_code == 404
    assert c.get(reverse("mu:run_list")).status_code == 404
    page = c.get(reverse("enterprises:enterprise_detail", args=[mw.ents["丁"].pk])).content.decode()
    assert 'data-testid="enterprise-mu-class"' in page and "C类" in page


def test_other_county_sees_nothing(mw, world, login):
    run = mw.compute()
    c = login(world.charlie)
    assert c.get(reverse("mu:run_detail", args=[run.pk])).status_code == 404
    assert c.get(reverse("mu:result_detail", args=[run.results.first().pk])).status_code == 404
    assert list(c.get(reverse("mu:run_list")).context["page"]) == []


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_run_and_result_pages_read_in_a_fixed_number_of_queries(mw, world, login):
    from decimal import Decimal as D

    from tests.enterprises.helpers import make_enterprise

    c = login(world.alice)
    few = mw.compute()
    few_result = few.results.get(enterprise=mw.ents["丁"])
    counts = (
        _queries(c, reverse("mu:run_detail", args=[few.pk])),
        _queries(c, reverse("mu:result_detail", args=[few_result.pk])),
    )
    for i in range(8):
        e = make_enterprise(f"新增{i}公司", world.grid, above_scale=True)
        services.import_facts(
            [{"enterprise": e, "year": YEAR, "facts": {"tax": D(i + 1), "land_mu": D(1)}}], actor=world.alice
        )
    many = mw.compute()
    many_result = many.results.get(enterprise=mw.ents["丁"])
    assert (
        _queries(c, reverse("mu:run_detail", args=[many.pk])),
        _queries(c, reverse("mu:result_detail", args=[many_result.pk])),
    ) == counts


def test_adjustments_page_corrects_a_fact_and_registers_an_adjustment(mw, world, login):
    from decimal import Decimal as D

    from zhuqi.core.models import AuditEntry
    from zhuqi.mu.models import Adjustment, Fact, FactCorrection

    c = login(world.alice)
    url = reverse("mu:adjustments") + f"?year={YEAR}"
    code = mw.ents["丙"].credit_code
    c.post(
        url, {"form": "correction", "credit_code": code, "kind": "tax", "value": "180", "reason": "补缴税款"}
    )
    correction = FactCorrection.objects.get()
    assert (correction.old_value, correction.new_value) == (D(150) * 10_000, D(180) * 10_000)
    assert Fact.objects.get(enterprise=mw.ents["丙"], kind="tax").value == D(180) * 10_000
    assert AuditEntry.objects.filter(event="mu_fact_corrected").exists()
    c.post(
        url, {"form": "adjustment", "credit_code": code, "kind": "bonus", "points": "2", "reason": "绿色工厂"}
    )
    assert Adjustment.objects.get().reason == "绿色工厂"
    page = c.get(url)
    rows = page.context["corrections"]
    assert [(r.old_shown, r.new_shown) for r in rows] == [(D(150), D(180))]
    assert [a.reason for a in page.context["adjustments"]] == ["绿色工厂"]
    # bad input: a clear message naming the field, nothing saved
    bad = c.post(
        url,
        {"form": "correction", "credit_code": code, "kind": "tax", "value": "多", "reason": "x"},
        follow=True,
    )
    assert "更正值：应为数字" in bad.content.decode()
    missing = c.post(
        url,
        {"form": "correction", "credit_code": "X", "kind": "tax", "value": "1", "reason": "x"},
        follow=True,
    )
    assert "统一社会信用代码" in missing.content.decode()
    assert FactCorrection.objects.count() == 1
    # the observer reads, may not write; the other county sees none of it
    assert login(world.observer).post(url, {"form": "adjustment"}).status_code == 404
    assert list(login(world.charlie).get(url).context["corrections"]) == []


def test_region_keylist_and_objection_pages_read_in_a_fixed_number_of_queries(mw, world, login):
    from decimal import Decimal as D

    from tests.enterprises.helpers import make_enterprise

    c = login(world.alice)

    def counts(run):
        publish(run, world.alice)
        return (
            _queries(c, reverse("mu:run_regions", args=[run.pk])),
            _queries(c, reverse("mu:run_keylist", args=[run.pk]) + "?klass=A&klass=B&klass=C&klass=D"),
            _queries(c, reverse("mu:objection_list")),
            _queries(c, reverse("mu:adjustments") + f"?year={YEAR}"),
        )

    few = counts(mw.compute())
    for i in range(8):
        e = make_enterprise(f"新增{i}公司", world.town if i % 2 else world.grid2, above_scale=True)
        services.import_facts(
            [{"enterprise": e, "year": YEAR, "facts": {"tax": D(i + 1), "land_mu": D(1)}}], actor=world.alice
        )
        services.correct_fact(e, year=YEAR, kind="tax", value=D(i + 2), reason="更正", actor=world.alice)
    many = counts(mw.compute())
    assert many == few

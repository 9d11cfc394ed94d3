"""The pages: runs (with the trial computation), a run, publishing, the explanation, the panel on
the enterprise page; who sees what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.mu.conftest import YEAR
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
    assert detail.context["can_publish"]


def test_a_refused_computation_shows_its_message(mw, world, login):
    item = mw.scheme.items.get(measure="rnd_ratio")
    item.weight = 5
    item.save()
    response = login(world.alice).post(
        reverse("mu:run_list"), {"scheme": mw.scheme.pk, "year": YEAR}, follow=True
    )
    assert "权重合计为 95" in response.content.decode()
    assert not Run.objects.exists()


def test_publish_from_the_page(mw, world, login):
    run = mw.compute()
    assert login(world.bob).post(reverse("mu:run_publish", args=[run.pk])).status_code == 404
    login(world.alice).post(reverse("mu:run_publish", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == Run.Status.PUBLISHED


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
    services.publish(run, actor=world.alice)
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

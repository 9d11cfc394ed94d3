"""The 亩均 API, read-only and scoped: officials read runs and results with every item's
intermediate; the enterprise user reads only its own result, and only once the run is in 公示
or published; another county's official gets nothing."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from tests.mu.conftest import publish

pytestmark = pytest.mark.django_db


def _client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_officials_read_runs_and_results_with_their_items(mw, world):
    run = mw.compute()
    c = _client(world.alice)
    runs = c.get("/api/v1/mu-runs/").json()["results"]
    assert [r["id"] for r in runs] == [run.pk] and runs[0]["status"] == "trial" and runs[0]["evaluated"] == 4
    results = c.get("/api/v1/mu-results/", {"run": run.pk}).json()["results"]
    assert [(r["enterprise_name"], r["klass"]) for r in results] == [
        ("乙公司", "A"),
        ("甲公司", "B"),
        ("丁公司", "C"),
        ("丙公司", "C"),
    ]
    yi = results[0]
    assert D(yi["tax_per_mu"]) == D("60") and D(yi["total"]) == D("115.58")
    assert {i["measure"] for i in yi["items"]} >= {"tax_per_mu"}
    only_c = c.get("/api/v1/mu-results/", {"run": run.pk, "klass": "C"}).json()["results"]
    assert [r["enterprise_name"] for r in only_c] == ["丁公司", "丙公司"]


def test_the_enterprise_reads_its_own_published_result_only(mw, world):
    run = mw.compute()
    c = _client(world.enterprise_user)  # 丁's user
    assert c.get("/api/v1/mu-results/").json()["results"] == []  # a trial is not shown
    assert c.get("/api/v1/mu-runs/").json()["results"] == []
    publish(run, world.alice)
    mine = c.get("/api/v1/mu-results/").json()["results"]
    assert [r["enterprise_name"] for r in mine] == ["丁公司"]
    other = next(
        r
        for r in _client(world.alice).get("/api/v1/mu-results/").json()["results"]
        if r["enterprise_name"] == "乙公司"
    )
    assert c.get(f"/api/v1/mu-results/{other['id']}/").status_code == 404


def test_another_countys_official_sees_nothing_of_it(mw, world):
    run = mw.compute()
    c = _client(world.charlie)
    assert c.get("/api/v1/mu-runs/").json()["results"] == []
    assert c.get(f"/api/v1/mu-runs/{run.pk}/").status_code == 404
    assert c.get("/api/v1/mu-results/", {"run": run.pk}).json()["results"] == []

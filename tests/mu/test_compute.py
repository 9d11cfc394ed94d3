"""services.compute and publish: the example end to end from facts, the refusals, trial runs
never overwriting a published one, exclusions, vetoes and protections, the audit."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tests.enterprises.helpers import make_enterprise
from tests.mu.conftest import YEAR, publish
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.mu import selectors, services
from zhuqi.mu.models import Adjustment, Fact, FactKind, Result, ResultItem, Run

pytestmark = pytest.mark.django_db


def _by_name(run):
    return {r.enterprise.name[0]: r for r in Result.objects.filter(run=run).select_related("enterprise")}


def test_compute_reproduces_example_one_and_keeps_every_intermediate(mw, world):
    run = mw.compute()
    assert run.status == Run.Status.TRIAL and run.region == world.county
    assert run.evaluated == 4  # 通许县's enterprise is not in 尉氏县's pool
    assert run.batch_ids == sorted(
        Fact.objects.filter(enterprise__in=mw.ents.values()).values_list("batch_id", flat=True).distinct()
    )
    r = _by_name(run)
    assert [(k, r[k].total, r[k].rank, r[k].klass) for k in "乙甲丁丙"] == [
        ("乙", D("115.58"), 1, "A"),
        ("甲", D("114.78"), 2, "B"),
        ("丁", D("101.26"), 3, "C"),
        ("丙", D("36.26"), 4, "C"),
    ]
    tax = ResultItem.objects.get(result=r["乙"], measure="tax_per_mu")
    assert (tax.value, tax.benchmark, tax.ratio, tax.weight, tax.points, tax.capped) == (
        D("60"),
        D("24.097"),
        D("2.4899"),
        D(30),
        D("45"),
        True,
    )
    assert ResultItem.objects.get(result=r["乙"], measure="value_added_per_emission").missing
    assert AuditEntry.objects.filter(event="mu_computed", object_id=str(run.pk)).exists()


def test_explanation_says_what_it_takes_to_reach_b(mw):
    run = mw.compute()
    ding = _by_name(run)["丁"]
    ex = selectors.explanation(ding)
    assert ex["target"]["klass"] == "B" and ex["gap"] == D("13.52")
    tax_path = next(p for p in ex["paths"] if p["item"].measure == "tax_per_mu")
    assert tax_path["need"] == D("34.8603") and tax_path["tax_needed"] == D("348.60")


def test_compute_reads_the_pool_in_a_fixed_number_of_queries(mw, world):
    mw.compute()
    with CaptureQueriesContext(connection) as few:
        mw.compute()
    for i in range(6):
        e = make_enterprise(f"新增{i}公司", world.grid, above_scale=True)
        services.import_facts(
            [{"enterprise": e, "year": YEAR, "facts": {"tax": D(1), "land_mu": D(1)}}], actor=world.alice
        )
    with CaptureQueriesContext(connection) as many:
        mw.compute()
    assert len(many) == len(few)


def test_weights_not_summing_to_100_are_refused(mw):
    item = mw.scheme.items.get(measure="rnd_ratio")
    item.weight = D(5)
    item.save()
    with pytest.raises(ValidationError, match="权重合计为 95"):
        mw.compute()
    assert not Run.objects.exists()


def test_missing_land_is_refused_naming_the_enterprise(mw, world):
    make_enterprise("缺地公司", world.grid, above_scale=True)
    with pytest.raises(ValidationError, match="缺少用地面积.*缺地公司"):
        mw.compute()


def test_zero_denominator_is_refused(mw, world):
    Fact.objects.filter(enterprise=mw.ents["甲"], kind=FactKind.ENERGY).update(value=0)
    with pytest.raises(ValidationError, match="甲公司"):
        mw.compute()


def test_negative_value_is_refused(mw):
    Fact.objects.filter(enterprise=mw.ents["甲"], kind=FactKind.TAX).update(value=-1)
    with pytest.raises(ValidationError, match="负数.*甲公司"):
        mw.compute()


def test_the_same_fact_from_two_departments_is_a_duplicate(mw, world):
    services.import_facts(
        [{"enterprise": mw.ents["甲"], "year": YEAR, "facts": {"tax": D(1)}}], actor=world.bob
    )
    with pytest.raises(ValidationError, match="重复.*甲公司"):
        mw.compute()


def test_a_department_importing_again_corrects_its_own_fact(mw, world):
    services.import_facts(
        [{"enterprise": mw.ents["甲"], "year": YEAR, "facts": {"tax": D(7)}}], actor=world.alice
    )
    assert Fact.objects.get(enterprise=mw.ents["甲"], year=YEAR, kind="tax").value == D(7)


def test_publish_and_trial_runs_never_overwrite_it(mw, world):
    first = mw.compute()
    publish(first, actor=world.alice)
    trial = mw.compute()
    first.refresh_from_db()
    assert first.status == Run.Status.PUBLISHED and trial.status == Run.Status.TRIAL
    # the enterprise user sees the published result only
    assert selectors.latest_result(world.enterprise_user, mw.ents["丁"]).run == first
    assert Notification.objects.filter(recipient=world.enterprise_user).exists()
    publish(trial, actor=world.alice)
    first.refresh_from_db()
    assert first.status == Run.Status.SUPERSEDED
    with pytest.raises(ValidationError):
        services.publish(trial, actor=world.alice)


def test_who_may_compute_and_publish(mw, world):
    with pytest.raises(PermissionDenied):
        services.compute(mw.scheme, YEAR, actor=world.bob)
    run = mw.compute()
    with pytest.raises(PermissionDenied):
        services.announce(run, actor=world.bob)
    with pytest.raises(Http404):
        services.announce(run, actor=world.charlie)


def test_exclusion_veto_and_protection(mw, world):
    services.add_adjustment(
        mw.ents["丙"], year=YEAR, kind=Adjustment.Kind.EXCLUDE, reason="投产不满一年", actor=world.alice
    )
    services.add_adjustment(
        mw.ents["乙"], year=YEAR, kind=Adjustment.Kind.VETO_AB, reason="重大环境事件", actor=world.alice
    )
    run = mw.compute()
    r = _by_name(run)
    assert (r["丙"].klass, r["丙"].rank, r["丙"].excluded_reason) == ("T", None, "投产不满一年")
    assert (r["乙"].rank_class, r["乙"].klass) == ("A", "C")
    assert run.evaluated == 3 and run.excluded == 1


def test_a_firm_new_to_above_scale_is_never_d(mw, world):
    scheme = mw.scheme
    scheme.min_d = 1
    scheme.save()
    mw.ents["丙"].above_scale_since = YEAR
    mw.ents["丙"].save()
    r = _by_name(mw.compute())
    assert (r["丙"].rank_class, r["丙"].klass) == ("D", "C")
    assert any("新入规" in n for n in r["丙"].notes)


def test_result_scope(mw, world):
    run = mw.compute()
    ding = _by_name(run)["丁"]
    assert not Result.objects.visible_to(world.enterprise_user).exists()  # trial: nothing
    publish(run, actor=world.alice)
    assert list(Result.objects.visible_to(world.enterprise_user)) == [ding]
    assert not Result.objects.visible_to(world.charlie).filter(run=run).exists()
    assert not Run.objects.visible_to(world.charlie).exists()


def test_a_large_pool_is_written_without_model_instances_with_the_same_results(mw, world, monkeypatch):
    """From `COPY_FROM` rows on the results go in with COPY (PostgreSQL) or one executemany."""
    services.add_adjustment(
        mw.ents["丙"], year=YEAR, kind=Adjustment.Kind.EXCLUDE, reason="投产不满一年", actor=world.alice
    )
    services.add_adjustment(
        mw.ents["乙"],
        year=YEAR,
        kind=Adjustment.Kind.BONUS,
        points=D(2),
        reason="绿色工厂",
        actor=world.alice,
    )
    monkeypatch.setattr(services, "COPY_FROM", 1)
    run = mw.compute()
    r = _by_name(run)
    assert [(k, r[k].total, r[k].rank, r[k].klass) for k in "乙甲丁"] == [
        ("乙", D("119.95"), 1, "A"),  # 丙 out: the missing item's average is 12.17, + bonus 2
        ("甲", D("114.78"), 2, "B"),
        ("丁", D("101.26"), 3, "C"),
    ]
    assert (r["丙"].klass, r["丙"].excluded_reason, r["丙"].notes) == ("T", "投产不满一年", [])
    assert r["乙"].notes == ["加分 2.00：绿色工厂"] and r["乙"].bonus == D(2)
    assert ResultItem.objects.filter(result__run=run).count() == 18
    assert ResultItem.objects.get(result=r["乙"], measure="value_added_per_emission").missing


@pytest.mark.parametrize("points", ["-1", "100.01", "1" * 20, "1E+309", "NaN", "Infinity", "2.345"])
def test_an_adjustment_outside_its_range_is_refused_naming_the_points(mw, world, points):
    with pytest.raises(ValidationError) as exc:
        services.add_adjustment(
            mw.ents["甲"],
            year=YEAR,
            kind=Adjustment.Kind.BONUS,
            reason="高新",
            points=D(points),
            actor=world.alice,
        )
    assert "分值" in str(exc.value)
    assert not Adjustment.objects.filter(enterprise=mw.ents["甲"]).exists()

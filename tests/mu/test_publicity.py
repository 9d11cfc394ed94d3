"""公示 and objections (mu-evaluation.md §7), on 例一: the run goes to 公示 for 5 working days,
丁 objects to its 评价税收 with evidence, the office upholds it (240 → 400 万元) — the fact is
corrected and the run recomputed, 丁 moves from C to A and 甲 from B to C —, a second objection
is not upheld, and once the period is over the run is published, final."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from zhuqi.core.models import AuditEntry, Notification
from zhuqi.core.services import attachments_of
from zhuqi.core.units import WAN
from zhuqi.mu import selectors, services, workflow
from zhuqi.mu.models import Fact, FactCorrection, Objection, Result, Run

pytestmark = pytest.mark.django_db

MON = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _at(day: dt.datetime):
    return time_machine.travel(day, tick=False)


def _classes(run):
    return {
        r.enterprise.name[0]: (r.total, r.rank, r.klass) for r in run.results.select_related("enterprise")
    }


def _ding(run, mw):
    return Result.objects.get(run=run, enterprise=mw.ents["丁"])


def test_publicity_objection_upheld_recomputed_then_published(mw, world):
    with _at(MON):
        run = services.announce(mw.compute(), actor=world.alice)
        assert run.status == Run.Status.PUBLICITY
        assert (run.publicity_start, run.publicity_end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 9))
        assert Notification.objects.filter(recipient=world.enterprise_user, title__contains="公示").exists()
        # the enterprise sees its own result in 公示, and objects to its 评价税收 with evidence
        ding = _ding(run, mw)
        assert selectors.latest_result(world.enterprise_user, mw.ents["丁"]) == ding
        evidence = SimpleUploadedFile("完税证明.pdf", b"%PDF-1.4 tax")
        o = services.raise_objection(
            ding,
            actor=world.enterprise_user,
            reason="漏计了城镇土地使用税",
            fact_kind="tax",
            files=[evidence],
        )
        assert (o.status, o.deadline, o.department) == ("open", dt.date(2026, 3, 9), world.dispatch_office)
        assert [f.name for f in attachments_of(o, world.enterprise_user)] == ["完税证明.pdf"]
        assert Notification.objects.filter(recipient=world.alice, title__contains="异议").exists()
        with pytest.raises(ValidationError, match="正在处理"):
            services.raise_objection(ding, actor=world.enterprise_user, reason="再提一次")
        with pytest.raises(ValidationError, match="期满后"):
            services.publish(run, actor=world.alice)

    with _at(MON + dt.timedelta(days=1)):
        services.decide_objection(
            o,
            actor=world.alice,
            uphold=True,
            decision="税务局核实：评价税收应为 400 万元",
            new_value=400 * WAN,
        )
    o.refresh_from_db()
    run.refresh_from_db()
    assert o.status == "upheld" and run.status == Run.Status.SUPERSEDED
    new = Run.objects.get(status=Run.Status.PUBLICITY)
    assert (new.replaces, new.publicity_end) == (run, run.publicity_end)
    fact = Fact.objects.get(enterprise=mw.ents["丁"], kind="tax")
    assert fact.value == 400 * WAN and fact.batch_id in new.batch_ids
    correction = FactCorrection.objects.get()
    assert (correction.old_value, correction.new_value, correction.objection) == (240 * WAN, 400 * WAN, o)
    # 丁: 400 ÷ 10 = 40.0000 → 1.6600 × 30 = 49.80, capped at 45.00: 101.26 − 29.88 + 45.00 = 116.38
    assert _classes(new) == {
        "丁": (D("116.38"), 1, "A"),
        "乙": (D("115.58"), 2, "B"),
        "甲": (D("114.78"), 3, "C"),
        "丙": (D("36.26"), 4, "C"),
    }
    assert _classes(run)["丁"] == (D("101.26"), 3, "C")  # the old run is kept as it was
    assert AuditEntry.objects.filter(event="mu_fact_corrected").exists()
    recomputed = AuditEntry.objects.get(event="mu_recomputed")
    assert "丁公司: C → A" in str(recomputed.changes)

    with _at(MON + dt.timedelta(days=2)):
        second = services.raise_objection(
            _ding(new, mw), actor=world.enterprise_user, reason="用地面积应扣除代征道路", fact_kind="land_mu"
        )
        services.decide_objection(second, actor=world.alice, uphold=False, decision="不动产证载面积为准")
    second.refresh_from_db()
    assert second.status == "rejected" and second.decision == "不动产证载面积为准"
    assert Notification.objects.filter(recipient=world.enterprise_user, title__contains="未予采纳").exists()

    with _at(MON + dt.timedelta(days=8)):  # Tuesday 10 March: the period is over
        with pytest.raises(ValidationError, match="公示期已于"):
            services.raise_objection(_ding(new, mw), actor=world.enterprise_user, reason="晚了")
        services.publish(new, actor=world.alice)
    new.refresh_from_db()
    assert new.status == Run.Status.PUBLISHED
    assert selectors.latest_result(world.enterprise_user, mw.ents["丁"]).klass == "A"


def test_an_open_objection_holds_the_publication(mw, world):
    with _at(MON):
        run = services.announce(mw.compute(), actor=world.alice)
        services.raise_objection(_ding(run, mw), actor=world.enterprise_user, reason="有误")
    with _at(MON + dt.timedelta(days=10)), pytest.raises(ValidationError, match="1 件异议未处理"):
        services.publish(run, actor=world.alice)


def test_who_may_object_and_decide(mw, world):
    with _at(MON):
        run = mw.compute()
        with pytest.raises(Http404):  # a trial run does not exist for the enterprise
            services.raise_objection(_ding(run, mw), actor=world.enterprise_user, reason="x")
        services.announce(run, actor=world.alice)
        jia = Result.objects.get(run=run, enterprise=mw.ents["甲"])
        with pytest.raises(Http404):  # not its own
            services.raise_objection(jia, actor=world.enterprise_user, reason="x")
        with pytest.raises(PermissionDenied):
            services.raise_objection(jia, actor=world.alice, reason="x")
        with pytest.raises(ValidationError):
            services.raise_objection(_ding(run, mw), actor=world.enterprise_user, reason="  ")
        o = services.raise_objection(_ding(run, mw), actor=world.enterprise_user, reason="x")
        with pytest.raises(PermissionDenied):
            services.decide_objection(o, actor=world.bob, uphold=False, decision="否")
        with pytest.raises(Http404):
            services.decide_objection(o, actor=world.charlie, uphold=False, decision="否")
        with pytest.raises(ValidationError, match="未指明数据项"):
            services.decide_objection(o, actor=world.alice, uphold=True, decision="是", new_value=D(1))
        assert Objection.objects.get().status == "open" and not FactCorrection.objects.exists()
    assert workflow.allowed_actions(o, world.alice) == ["uphold", "reject"]
    assert workflow.allowed_actions(o, world.enterprise_user) == []


def test_a_correction_that_breaks_the_computation_changes_nothing(mw, world):
    with _at(MON):
        run = services.announce(mw.compute(), actor=world.alice)
        o = services.raise_objection(
            _ding(run, mw), actor=world.enterprise_user, reason="x", fact_kind="energy"
        )
        with pytest.raises(ValidationError, match="丁公司"):  # energy 0: a zero denominator
            services.decide_objection(o, actor=world.alice, uphold=True, decision="能耗为 0", new_value=D(0))
    o.refresh_from_db()
    run.refresh_from_db()
    assert o.status == "open" and run.status == Run.Status.PUBLICITY
    assert Fact.objects.get(enterprise=mw.ents["丁"], kind="energy").value == D(400)
    assert not FactCorrection.objects.exists()


def test_pages_of_the_workflow(mw, world, login):
    with _at(MON):
        run = services.announce(mw.compute(), actor=world.alice)
        ent = login(world.enterprise_user)
        ding = _ding(run, mw)
        page = ent.get(reverse("mu:result_detail", args=[ding.pk]))
        assert page.context["can_object"]
        response = ent.post(
            reverse("mu:result_object", args=[ding.pk]),
            {
                "reason": "漏计税收",
                "fact_kind": "tax",
                "files": [SimpleUploadedFile("证明.pdf", b"%PDF-1.4")],
            },
        )
        o = Objection.objects.get()
        assert response.url == reverse("mu:objection_detail", args=[o.pk])
        assert ent.get(response.url).status_code == 200
        assert ent.get(reverse("mu:objection_list")).status_code == 404
        office = login(world.alice)
        detail = office.get(reverse("mu:objection_detail", args=[o.pk]))
        assert detail.context["current"] == D(240) and detail.context["actions"] == ["uphold", "reject"]
        office.post(
            reverse("mu:objection_decide", args=[o.pk]),
            {"decision_kind": "uphold", "new_value": "400", "decision": "核实"},
        )
        assert Fact.objects.get(enterprise=mw.ents["丁"], kind="tax").value == 400 * WAN
        new = Run.objects.get(status=Run.Status.PUBLICITY)
        listing = office.get(reverse("mu:objection_list"), {"status": "upheld"})
        assert [x.pk for x in listing.context["page"]] == [o.pk]
        body = office.get(reverse("mu:run_detail", args=[new.pk])).content.decode()
        assert 'data-testid="mu-objections"' in body and 'data-testid="mu-recompute"' in body
        assert login(world.charlie).get(reverse("mu:objection_detail", args=[o.pk])).status_code == 404
    assert timezone.now() > MON


def test_the_department_that_supplied_the_figure_is_told(mw, world):
    Fact.objects.filter(enterprise=mw.ents["丁"], kind="tax").update(department=world.jxj)
    with _at(MON):
        run = services.announce(mw.compute(), actor=world.alice)
        o = services.raise_objection(
            _ding(run, mw), actor=world.enterprise_user, reason="漏计", fact_kind="tax"
        )
    assert o.department == world.jxj
    for user in (world.alice, world.head, world.bob):
        assert Notification.objects.filter(recipient=user, url__contains=f"/objections/{o.pk}/").exists()
    assert not Notification.objects.filter(recipient=world.zr_handler, url__contains="/objections/").exists()

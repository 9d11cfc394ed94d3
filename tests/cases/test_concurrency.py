"""Two handlers acting on one case at once cannot both succeed; two sweeps at once escalate
nothing twice. On PostgreSQL with real threads and row locks; on SQLite (one writer, no row
locks) the second attempt, made from a stale copy, is refused by the state check."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from zhuqi.cases import services
from zhuqi.cases.models import Case, Escalation
from zhuqi.cases.sweep import sweep
from zhuqi.core.workcalendar import SHANGHAI

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(fns):
    barrier = threading.Barrier(len(fns))
    results: list = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except (ValidationError, PermissionDenied) as exc:
            results[i] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_handlers_sign_at_once(cw):
    w = cw.w
    case = cw.to("dispatched")
    if connection.vendor == "postgresql":
        results = _race(
            [
                lambda: services.sign_case(Case.objects.get(pk=case.pk), actor=w.bob),
                lambda: services.sign_case(Case.objects.get(pk=case.pk), actor=w.head),
            ]
        )
        kinds = sorted(r[0] for r in results)
        assert kinds == ["ok", "refused"], results
    else:
        stale_a, stale_b = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
        services.sign_case(stale_a, actor=w.bob)
        assert stale_b.status == "dispatched"
        with pytest.raises(ValidationError, match="不能签收"):
            services.sign_case(stale_b, actor=w.head)
    case.refresh_from_db()
    assert case.status == "signed"
    assert case.clocks.filter(kind="sign").count() == 1


def test_reply_and_send_back_race(cw):
    w = cw.w
    case = cw.to("dispatched")
    if connection.vendor == "postgresql":
        results = _race(
            [
                lambda: services.sign_case(Case.objects.get(pk=case.pk), actor=w.bob),
                lambda: services.send_back_case(
                    Case.objects.get(pk=case.pk), actor=w.head, reason="非本部门"
                ),
            ]
        )
        assert sorted(r[0] for r in results) == ["ok", "refused"], results
    else:
        stale = Case.objects.get(pk=case.pk)
        services.sign_case(Case.objects.get(pk=case.pk), actor=w.bob)
        with pytest.raises(ValidationError):
            services.send_back_case(stale, actor=w.head, reason="非本部门")
    case.refresh_from_db()
    assert case.status in {"signed", "sent_back"}


def test_two_sweeps_at_once_escalate_once(cw):
    w = cw.w
    when = dt.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI)
    with time_machine.travel(when, tick=False):
        cases = []
        for i in range(6):
            c = cw.new(title=f"问题 {i}", description=f"描述 {i} 用电 变压器")
            c = services.accept_case(c, actor=w.alice)
            cases.append(services.dispatch_case(c, actor=w.alice, lead=w.jxj))
    later = dt.datetime(2026, 10, 9, 8, tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        if connection.vendor == "postgresql":
            results = _race([sweep, sweep, sweep])
            assert all(r[0] == "ok" for r in results), results
            assert sum(r[1].escalated[2] for r in results) == 6
        else:
            assert sweep().escalated[2] == 6
            assert sweep().escalated[2] == 0
    assert Escalation.objects.filter(to_level=2).count() == 6
    assert set(Case.objects.values_list("escalation_level", flat=True)) == {2}

"""The set-based sweep writes exactly what the per-case sweep wrote (same audit entries in the
same order, same notifications, supervision notices, escalations and clock marks), and its
query count does not grow with the number of cases it changes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhuqi.cases import rollups, services
from zhuqi.cases.models import Case, CaseClock, Escalation, Supervision
from zhuqi.cases.sweep import sweep
from zhuqi.core import audit
from zhuqi.core.models import AuditEntry, Notification
from zhuqi.core.workcalendar import SHANGHAI

from . import sweep_reference


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


class _Rollback(Exception):
    pass


def _marks():
    return {
        "audit": AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        "notification": Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        "supervision": Supervision.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        "escalation": Escalation.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    }


def _snapshot(marks, result) -> dict:
    """Everything a sweep wrote after `marks`, with the ids of new rows replaced by their rank
    (a rolled-back savepoint does not give PostgreSQL's sequences back)."""
    new_ids: dict[str, dict[str, int]] = {"cases.supervision": {}, "cases.escalation": {}}

    def obj_id(entry):
        table = new_ids.get(entry.object_type)
        if table is None:
            return entry.object_id
        return "new-" + str(table.setdefault(entry.object_id, len(table)))

    audit = [
        (
            e.action,
            e.event,
            e.object_type,
            obj_id(e),
            e.object_repr if e.object_type not in new_ids else re.sub(r"\d+", "#", e.object_repr),
            {k: v for k, v in e.changes.items() if k != "id"},
            e.message,
            e.actor_id,
            e.actor_label,
            e.ip,
        )
        for e in AuditEntry.objects.filter(id__gt=marks["audit"]).order_by("id")
    ]
    return {
        "result": (result.missed, result.reminded, result.escalated),
        "audit": audit,
        "notifications": list(
            Notification.objects.filter(id__gt=marks["notification"])
            .order_by("id")
            .values_list("recipient_id", "title", "body", "url", "level", "read_at")
        ),
        "supervisions": list(
            Supervision.objects.filter(id__gt=marks["supervision"])
            .order_by("id")
            .values_list("case_id", "kind", "department_id", "body", "issued_by_id", "issued_at")
        ),
        "escalations": list(
            Escalation.objects.filter(id__gt=marks["escalation"])
            .order_by("id")
            .values_list("case_id", "from_level", "to_level", "reason", "note", "by_id", "at")
        ),
        "cases": list(Case.objects.order_by("pk").values_list("pk", "escalation_level", "escalated_at")),
        "clocks": list(
            CaseClock.objects.order_by("pk").values_list("pk", "overdue_flagged_at", "reminded_at")
        ),
    }


def _both(now=None) -> tuple[dict, dict]:
    """Run the per-case sweep and roll it back, then the set-based sweep (kept)."""
    marks = _marks()
    reference: dict = {}
    try:
        with transaction.atomic():
            reference = _snapshot(marks, sweep_reference.sweep(now))
            raise _Rollback
    except _Rollback:
        pass
    return reference, _snapshot(marks, sweep(now))


def _dispatched(cw, when, *, sign=False, ent=None, lead=None, title="厂区变压器容量不足"):
    w = cw.w
    with time_machine.travel(when, tick=False):
        case = cw.new(ent=ent, title=title)
        case = services.accept_case(case, actor=w.alice)
        case = services.dispatch_case(case, actor=w.alice, lead=lead or w.jxj)
        if sign:
            case = services.sign_case(case, actor=w.bob)
            services.report_progress(case, actor=w.bob, note="已现场查看")
    return case


_DIGEST = "诉求提级汇总"
_ESCALATED = "诉求提级至第"


def _case_no(url: str) -> str:
    return Case.objects.get(pk=int(re.search(r"/(\d+)/$", url).group(1))).no


def assert_same_but_digests(reference: dict, ours: dict) -> int:
    """`ours` is `reference` except that the per-case level-3/4 notifications to leaders are
    replaced by one 提级汇总 per leader listing those cases (the sweep's LeaderDigest). Returns
    the number of digests."""
    from zhuqi.core.models import User

    leaders = set(User.objects.filter(role="leader").values_list("pk", flat=True))
    for key in reference:
        if key != "notifications":
            assert ours[key] == reference[key], key
    kept, expected = [], {}
    for row in reference["notifications"]:
        if row[0] in leaders and row[1].startswith(_ESCALATED) and row[1][6] in "34":
            expected.setdefault(row[0], set()).add(_case_no(row[3]))
        else:
            kept.append(row)
    digests = [row for row in ours["notifications"] if row[1].startswith(_DIGEST)]
    assert [row for row in ours["notifications"] if not row[1].startswith(_DIGEST)] == kept
    got = {}
    for recipient, title, body, url, level, read_at in digests:
        assert recipient not in got, "one digest per leader per run"
        got[recipient] = {line.split(" ")[0] for line in body.splitlines()}
        assert title == f"{_DIGEST}：{len(got[recipient])} 件诉求升至第三、四级调度"
        assert url.startswith("/cases/?open=1&level=") and level == "danger" and read_at is None
    assert got == expected
    return len(digests)


def test_set_based_sweep_writes_what_the_per_case_sweep_wrote(cw):
    w = cw.w
    signed = [_dispatched(cw, at(2026, 9, 28), sign=True, title=f"用地问题 {i}") for i in range(3)]
    unsigned = [_dispatched(cw, at(2026, 9, 28), title=f"用工问题 {i}") for i in range(2)]
    with time_machine.travel(at(2026, 9, 28), tick=False):
        # accepted but not dispatched, in the other county: its dispatch office is reminded
        other = services.accept_case(
            cw.new(ent=cw.ent_other, actor=w.charlie, title="外县诉求"), actor=w.charlie
        )
        # waiting for the enterprise: never swept
        paused = _dispatched(cw, at(2026, 9, 28), sign=True, title="暂停的诉求")
        services.pause_case(paused, actor=w.bob, reason="请补充材料")
    # beyond local (set directly: the service escalates at once, the sweep catches stragglers)
    Case.objects.filter(pk=unsigned[1].pk).update(beyond_local=True)
    Case.objects.filter(pk=signed[2].pk).update(is_problem_case=True)
    late = _dispatched(cw, at(2026, 10, 9, 9), title="临近期限")  # reminders on 10-09
    assert other and late
    times = [at(2026, 10, 9, 8), at(2026, 10, 9, 18), at(2026, 10, 14, 8), at(2026, 10, 21, 8)]
    times += [at(2026, 11, 5, 8), at(2026, 11, 6, 8)]
    wrote_something = digests = 0
    for when in times:
        with time_machine.travel(when, tick=False):
            reference, ours = _both()
        digests += assert_same_but_digests(reference, ours)
        wrote_something += bool(ours["audit"])
    assert wrote_something >= 4
    assert digests >= 2  # level 3 and level 4 reached leaders
    # every path was taken at least once
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {"deadline_missed", "reminded", "escalated"} <= events
    assert set(Escalation.objects.values_list("to_level", flat=True)) == {2, 3, 4}
    assert set(Supervision.objects.values_list("kind", flat=True)) == {"notice", "reminder"}
    assert not Escalation.objects.filter(case=paused).exists()
    _, bad, why = audit.verify()
    assert bad is None, why


def test_explicit_now_matches_too(cw):
    for i in range(3):
        _dispatched(cw, at(2026, 9, 28), sign=True, title=f"用地问题 {i}")
    with time_machine.travel(at(2026, 10, 14, 8), tick=False):
        reference, ours = _both(now=at(2026, 10, 21, 8))
    assert_same_but_digests(reference, ours)


_INSERT = re.compile(r'^\s*INSERT INTO "?(\w+)"?', re.I)
_BULK_UPDATE = re.compile(r'^\s*UPDATE "?(\w+)"? SET .* CASE WHEN', re.I | re.S)


def _statements(queries) -> list[str]:
    """The statements run, with the batches of one bulk INSERT or bulk UPDATE counted once:
    SQLite allows 999 parameters a statement, so Django splits a bulk_create of a few hundred
    rows into several INSERTs there (PostgreSQL takes them in one)."""
    out: list[str] = []
    for q in queries:
        sql = q["sql"]
        m = _INSERT.match(sql) or _BULK_UPDATE.match(sql)
        key = f"{sql.split()[0].upper()} {m.group(1)}" if m else sql
        if m and out and out[-1] == key:
            continue
        out.append(key)
    return out


def _sweep_queries(cw, n: int, when) -> tuple[list[dict], object]:
    for i in range(n):
        _dispatched(cw, at(2026, 9, 28), sign=True, title=f"诉求 {i}")
    # the yearly case counts brought up to date first: the sweep's own refresh of them then
    # costs the same few statements in both runs (cases/rollups.py)
    rollups.refresh()
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as ctx:
        result = sweep()
    return ctx.captured_queries, result


@pytest.mark.parametrize("when", [at(2026, 10, 14, 8), at(2026, 10, 21, 8)])
def test_query_count_does_not_grow_with_overdue_cases(cw, when):
    few, r_few = _sweep_queries(cw, 3, when)
    many, r_many = _sweep_queries(cw, 30, when)  # the first 3 are done: only the 30 change
    assert r_few.missed == 3 * (r_many.missed // 30) and r_many.missed >= 30
    assert sum(r_many.escalated.values()) >= 30
    assert len(_statements(few)) == len(_statements(many)), (
        _statements(few),
        _statements(many),
    )
    if connection.vendor == "postgresql":
        assert len(few) == len(many)


def test_small_batches_write_what_one_batch_writes(cw, monkeypatch):
    """A sweep that meets more cases than one batch holds takes them batch after batch (each
    batch's candidates read without an ORDER BY, then put in the cases' order): with batches of
    2 it writes the same rows, entries and notifications as with one batch, only in another
    order, and touches every case once."""
    from zhuqi.cases import sweep as sweep_module

    for i in range(5):
        _dispatched(cw, at(2026, 9, 28), sign=True, title=f"分批诉求 {i}")
    _dispatched(cw, at(2026, 9, 28), title="未签收的诉求")

    def unordered(snapshot: dict) -> dict:
        out = dict(snapshot)
        out["audit"] = sorted(
            (a[0], a[1], a[2], a[3] if not str(a[3]).startswith("new-") else "new", a[4], repr(a[5]), a[6])
            for a in snapshot["audit"]
        )
        for key in ("notifications", "supervisions", "escalations"):
            out[key] = sorted(snapshot[key], key=repr)
        return out

    with time_machine.travel(at(2026, 10, 21, 8), tick=False):
        marks = _marks()
        try:
            with transaction.atomic():
                whole = _snapshot(marks, sweep())
                raise _Rollback
        except _Rollback:
            pass
        monkeypatch.setattr(sweep_module, "BATCH", 2)
        batched = _snapshot(marks, sweep())
    assert batched["result"] == whole["result"] and whole["result"][0] >= 6
    assert unordered(batched) == unordered(whole)
    escalated = [e[0] for e in batched["escalations"] if e[2] == 2]
    assert len(escalated) == len(set(escalated)) == 6  # every case raised to level 2 once
    _, bad, why = audit.verify()
    assert bad is None, why

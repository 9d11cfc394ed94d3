"""The set-based enterprise import writes exactly what the per-row import wrote (rows, tags,
audit entries in the same order), its query count does not grow with its rows, and a bad row
anywhere in a large file still saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.enterprises.helpers import credit_code, make_enterprise
from zhuqi.core import audit
from zhuqi.core.excel import write_workbook
from zhuqi.core.models import AuditEntry
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.enterprises.importers import EnterpriseImporter
from zhuqi.enterprises.models import Enterprise, Tag

from .import_reference import PerRowEnterpriseImporter

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in EnterpriseImporter.columns]
WHEN = dt.datetime(2026, 11, 20, 10, tzinfo=SHANGHAI)


def row(name, code, region="410223P1G1", **extra):
    values = {h: "" for h in HEADERS}
    values.update({"企业名称": name, "统一社会信用代码": code, "所在区划": region})
    values.update(extra)
    return [values[h] for h in HEADERS]


class _Rollback(Exception):
    pass


def _snapshot(mark: int, result) -> dict:
    new_ids: dict[str, dict[str, int]] = {}

    def obj_id(e):
        if e.object_type != "enterprises.enterprise" or e.action != "create" and e.object_id not in new_ids:
            return e.object_id
        table = new_ids.setdefault("e", {})
        return "new-" + str(table.setdefault(e.object_id, len(table)))

    entries = list(AuditEntry.objects.filter(id__gt=mark).order_by("id"))
    created = {e.object_id for e in entries if e.action == "create"}
    new_ids.update(dict.fromkeys(created, 0))
    ents = Enterprise.objects.order_by("credit_code")
    return {
        "result": (result.ok, result.created, result.updated, [str(e) for e in result.errors]),
        "audit": [
            (
                e.action,
                e.event,
                e.object_type,
                obj_id(e),
                e.object_repr,
                {k: v for k, v in e.changes.items() if k != "id"},
                e.message,
                e.actor_id,
                e.actor_label,
            )
            for e in entries
        ],
        "enterprises": [
            {k: v for k, v in audit.field_values(e).items() if k != "id"}
            | {"tags": sorted(e.tags.values_list("name", flat=True))}
            for e in ents
        ],
    }


def _both(actor, data) -> tuple[dict, dict]:
    mark = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    reference: dict = {}
    with time_machine.travel(WHEN, tick=False):
        try:
            with transaction.atomic():
                reference = _snapshot(mark, PerRowEnterpriseImporter(actor).run(data, dry_run=False))
                raise _Rollback
        except _Rollback:
            pass
        ours = _snapshot(mark, EnterpriseImporter(actor).run(data, dry_run=False))
    return reference, ours


def test_set_based_import_writes_what_the_per_row_import_wrote(world):
    tags = {t.name: t for t in Tag.objects.all()}
    assert {"专精特新", "外贸"} <= set(tags)
    keep = make_enterprise("保留标签有限公司", world.grid, registered_capital=5_000_000)
    keep.tags.set([tags["专精特新"]])
    drop = make_enterprise("去掉标签有限公司", world.grid)
    drop.tags.set([tags["专精特新"], tags["外贸"]])
    plain = make_enterprise("原样有限公司", world.town, employees=10)
    rows = [
        row(
            "恒顺集团有限公司",
            credit_code(),
            **{
                "行业代码": "26",
                "注册资本（万元）": 5000,
                "规上企业": "是",
                "入规年份": 2019,
                "标签": "专精特新、外贸",
                "梯队": "强雁",
                "成立日期": "2016-05-01",
            },
        ),
        row("保留标签有限公司", keep.credit_code, **{"注册资本（万元）": 500, "标签": "专精特新、外贸"}),
        row("去掉标签新名称有限公司", drop.credit_code, "经开区二网格", **{"标签": "外贸"}),
        row("新企业二有限公司", credit_code(), "410223100", **{"从业人数": 40, "用地面积（亩）": 12.5}),
        row("原样有限公司", plain.credit_code, "410223100", **{"从业人数": 10}),
    ]
    reference, ours = _both(world.alice, write_workbook(HEADERS, rows))
    assert reference["result"][:3] == (True, 2, 3)
    for key in reference:
        assert ours[key] == reference[key], key
    events = [a[:2] for a in ours["audit"]]
    assert ("event", "tags_changed") in events and ("update", "") in events
    assert ("event", "enterprise_registered") in events and ("import", "") in events
    _, bad, why = audit.verify()
    assert bad is None, why


def _applied_queries(world, n: int, offset: int) -> list[dict]:
    existing = [make_enterprise(f"已有企业{offset + i}有限公司", world.grid) for i in range(n // 2)]
    rows = [row(f"已有企业{offset + i}新名称有限公司", e.credit_code) for i, e in enumerate(existing)]
    rows += [
        row(f"新企业{offset + i}有限公司", credit_code(), **{"标签": "外贸"}) for i in range(n - len(rows))
    ]
    data = write_workbook(HEADERS, rows)
    # a fresh user object, as each request has (its scope is computed once per object)
    actor = type(world.alice).objects.get(pk=world.alice.pk)
    with CaptureQueriesContext(connection) as ctx:
        result = EnterpriseImporter(actor).run(data, dry_run=False)
    assert result.ok and result.created + result.updated == n, result.errors[:3]
    return ctx.captured_queries


def test_query_count_of_an_applied_import_does_not_grow_with_rows(world):
    from tests.cases.test_sweep_bulk import _statements

    few = _applied_queries(world, 6, 0)
    many = _applied_queries(world, 50, 100)
    assert len(_statements(few)) == len(_statements(many)), (_statements(few), _statements(many))
    if connection.vendor == "postgresql":
        assert len(few) == len(many)


def test_a_bad_row_in_a_large_file_saves_nothing(world, monkeypatch):
    from zhuqi.enterprises import importers

    monkeypatch.setattr(importers, "CHUNK", 100)  # several write batches
    before = (Enterprise.objects.count(), AuditEntry.objects.count())
    rows = [row(f"批量企业{i:04d}有限公司", credit_code()) for i in range(1200)]
    rows[1100] = row("坏代码有限公司", "91410223000000001X")
    result = EnterpriseImporter(world.alice).run(write_workbook(HEADERS, rows), dry_run=False)
    assert not result.applied
    assert [str(e) for e in result.errors] == [
        next(str(e) for e in result.errors if e.row == 1102)
    ] and "校验位" in str(result.errors[0])
    assert (Enterprise.objects.count(), AuditEntry.objects.count()) == before
    # the same file without the bad row goes in whole, in several batches
    del rows[1100]
    result = EnterpriseImporter(world.alice).run(write_workbook(HEADERS, rows), dry_run=False)
    assert result.applied and result.created == 1199
    assert Enterprise.objects.count() == before[0] + 1199


def test_a_failure_while_writing_rolls_back_every_batch(world, monkeypatch):
    from zhuqi.enterprises import importers

    monkeypatch.setattr(importers, "CHUNK", 10)
    before = (Enterprise.objects.count(), AuditEntry.objects.count())
    rows = [row(f"批量企业{i:03d}有限公司", credit_code()) for i in range(35)]
    data = write_workbook(HEADERS, rows)
    calls = {"n": 0}
    original = audit.record_many

    def failing(items):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("磁盘已满")
        return original(items)

    monkeypatch.setattr(audit, "record_many", failing)  # the write is in enterprises.services
    with pytest.raises(RuntimeError):
        EnterpriseImporter(world.alice).run(data, dry_run=False)
    assert (Enterprise.objects.count(), AuditEntry.objects.count()) == before


def test_rows_changed_by_someone_else_since_the_check_stop_the_import(world, monkeypatch):
    from zhuqi.core.excel import RowInvalid

    gone = make_enterprise("将被删除有限公司", world.grid)
    taken = credit_code()
    data = write_workbook(HEADERS, [row("已删除有限公司", gone.credit_code), row("新企业有限公司", taken)])
    original = EnterpriseImporter.prepare

    def prepare_then_race(self, rows):
        original(self, rows)
        Enterprise.objects.filter(pk=gone.pk).delete()
        Enterprise.objects.create(name="抢先登记有限公司", credit_code=taken, region=world.grid)

    monkeypatch.setattr(EnterpriseImporter, "prepare", prepare_then_race)
    before = Enterprise.objects.count()
    with pytest.raises(RowInvalid, match="已被删除|已登记"):
        EnterpriseImporter(world.alice).run(data, dry_run=False)
    assert Enterprise.objects.count() == before  # one deleted, one registered by the race; none imported
    assert not Enterprise.objects.filter(name__in=["已删除有限公司", "新企业有限公司"]).exists()

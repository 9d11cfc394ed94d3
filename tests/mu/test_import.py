"""The facts import through the one import flow: preview, all-or-nothing, named errors."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest

from tests.enterprises.helpers import make_enterprise
from zhuqi.core.excel import write_workbook
from zhuqi.mu.importers import FactImporter
from zhuqi.mu.models import Fact, FactBatch

pytestmark = pytest.mark.django_db

HEAD = ["统一社会信用代码", "年度", "评价税收（万元）", "用地面积（亩）"]


def xlsx(rows, head=HEAD):
    return io.BytesIO(write_workbook(head, rows))


def test_import_writes_one_batch_of_the_department(world):
    ent = make_enterprise("甲公司", world.grid, above_scale=True)
    preview = FactImporter(world.zr_handler).run(xlsx([[ent.credit_code, 2025, "240.97", 10]]))
    assert not preview.errors and not Fact.objects.exists()
    result = FactImporter(world.zr_handler).run(xlsx([[ent.credit_code, 2025, "240.97", 10]]), dry_run=False)
    assert not result.errors
    batch = FactBatch.objects.get()
    assert batch.department == world.zrzy
    facts = dict(Fact.objects.values_list("kind", "value"))
    assert facts == {"tax": D("2409700"), "land_mu": D(10)}


def test_errors_name_row_and_column_and_nothing_is_written(world):
    ent = make_enterprise("甲公司", world.grid, above_scale=True)
    other = make_enterprise("通许公司", world.other_grid, above_scale=True)
    rows = [
        [ent.credit_code, 2025, "1", 10],
        [ent.credit_code, 2025, "2", 10],  # duplicate of row 2
        [other.credit_code, 2025, "1", 5],  # not in scope
        [ent.credit_code, 2024, "-1", 0],  # negative
    ]
    result = FactImporter(world.alice).run(xlsx(rows), dry_run=False)
    found = {(e.row, e.column) for e in result.errors}
    assert (3, "统一社会信用代码") in found
    assert (4, "统一社会信用代码") in found
    assert (5, "评价税收（万元）") in found
    assert not Fact.objects.exists()


def test_zero_land_is_a_row_error(world):
    ent = make_enterprise("甲公司", world.grid, above_scale=True)
    result = FactImporter(world.alice).run(xlsx([[ent.credit_code, 2025, "1", 0]]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "用地面积（亩）")]


def test_who_may_import(world):
    assert FactImporter.allowed(world.zr_handler) and FactImporter.allowed(world.alice)
    assert not FactImporter.allowed(world.leader) and not FactImporter.allowed(world.enterprise_user)

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


def test_utility_account_numbers_come_with_the_utilitys_figures(world):
    """The power company's file carries each enterprise's 电力用户编号 (several separated by 、);
    a later file replaces them; a number already registered to another enterprise, repeated in
    the file, or not a number is a row error naming the column, and nothing is written."""
    from zhuqi.mu.models import UtilityAccount

    jia = make_enterprise("甲公司", world.grid, above_scale=True)
    yi = make_enterprise("乙公司", world.grid2, above_scale=True)
    head = ["统一社会信用代码", "年度", "用电量（万千瓦时）", "电力用户编号"]
    result = FactImporter(world.alice).run(
        xlsx(
            [
                [jia.credit_code, 2025, "505.4", "3400123456、3400123457"],
                [yi.credit_code, 2025, "", "3400200001"],
            ],
            head,
        ),
        dry_run=False,
    )
    assert not result.errors
    got = sorted(UtilityAccount.objects.values_list("enterprise__name", "kind", "number"))
    assert got == [
        ("乙公司", "power", "3400200001"),
        ("甲公司", "power", "3400123456"),
        ("甲公司", "power", "3400123457"),
    ]
    bad = FactImporter(world.alice).run(
        xlsx(
            [
                [jia.credit_code, 2025, "", "3400200001"],  # 乙's
                [yi.credit_code, 2025, "", "34-00?"],  # not a number
                [make_enterprise("丙公司", world.town).credit_code, 2025, "", "3400999999"],
                [make_enterprise("丁公司", world.town).credit_code, 2025, "", "3400999999"],  # repeated
            ],
            head,
        ),
        dry_run=False,
    )
    messages = {(e.row, e.column): e.message for e in bad.errors}
    assert "已登记在「乙公司」名下" in messages[(2, "电力用户编号")]
    assert "应为 4–30 位字母或数字" in messages[(3, "电力用户编号")]
    assert "与第 4 行重复" in messages[(5, "电力用户编号")]
    assert UtilityAccount.objects.count() == 3
    # the next year's file: 甲's meter was replaced
    FactImporter(world.alice).run(xlsx([[jia.credit_code, 2026, "600", "3400123999"]], head), dry_run=False)
    assert sorted(UtilityAccount.objects.filter(enterprise=jia).values_list("number", flat=True)) == [
        "3400123999"
    ]

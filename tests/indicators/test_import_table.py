"""A department's whole table through the import (issue #13's ≤ 3× budget): the set-based paths a
large table takes (stored values read by (indicator, period) pairs, one `import` audit entry
naming the batch) behave as the small paths do: all or nothing with the row and column named,
a re-import updates, last year's pair and next year's 上年同期 follow, the rollups are marked
stale in the same transaction."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.enterprises.helpers import make_enterprise
from zhuqi.core.excel import write_workbook
from zhuqi.core.models import AuditEntry
from zhuqi.indicators import rollups, services
from zhuqi.indicators.importers import EnterpriseValuesImporter
from zhuqi.indicators.models import RollupStale, Value
from zhuqi.indicators.periods import Period
from zhuqi.indicators.services import Entry

pytestmark = pytest.mark.django_db
HEAD = ["统一社会信用代码", "企业名称", "期间", "工业总产值", "入库税收"]


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.ZHUQI_IMPORT_DIR = str(tmp_path / "imports")


@pytest.fixture(params=["by enterprise", "by pair"])
def path(request, monkeypatch):
    """Both ways of reading the stored values: by the enterprises (a return, a small table) and
    by the (indicator, period) pairs (from PAIR_SCAN_FROM enterprises: a department's table),
    the latter with one `import` audit entry instead of one per enterprise."""
    if request.param == "by pair":
        monkeypatch.setattr(services, "PAIR_SCAN_FROM", 1)
        monkeypatch.setattr(services, "AUDIT_EACH_UP_TO", 1)
    return request.param


def run(user, rows, dry_run=False):
    return EnterpriseValuesImporter(user).run(write_workbook(HEAD, rows), dry_run=dry_run)


def test_a_table_with_one_bad_row_saves_nothing_and_names_it(iw, path):
    ents = [make_enterprise(f"表内企业{i}", iw.world.grid, above_scale=True) for i in range(50)]
    rows = [[e.credit_code, e.name, "202503", 100 + i, 5] for i, e in enumerate(ents)]
    rows[29][4] = "五万"  # sheet row 31: text in a number cell
    for dry_run in (True, False):
        result = run(iw.world.alice, rows, dry_run=dry_run)
        assert [(e.row, e.column) for e in result.errors] == [(31, "入库税收")]
        assert "“五万”不是数字" in result.errors[0].message
    assert not Value.objects.exists()
    assert not RollupStale.objects.exists()
    assert not AuditEntry.objects.filter(action="import").exists()

    rows[29][4] = 5
    result = run(iw.world.alice, rows)
    assert result.ok and (result.created, result.updated) == (100, 0)
    assert Value.objects.count() == 100


def test_a_reimport_updates_and_keeps_the_pairs_and_marks(iw, path):
    P = Period.parse
    alice = iw.world.alice
    services.record_values(
        [
            Entry(iw.output, P("202403"), enterprise=iw.ent, cumulative=D(100)),
            Entry(iw.output, P("202603"), enterprise=iw.ent, cumulative=D(150)),
        ],
        actor=alice,
        source="behalf",
    )
    RollupStale.objects.all().delete()
    log = AuditEntry.objects.filter(id__gt=AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0])
    rows = [
        [iw.ent.credit_code, iw.ent.name, "202503", 120, 5],
        [iw.ent2.credit_code, iw.ent2.name, "202503", 300, 7],
    ]
    preview = run(alice, rows, dry_run=True)
    assert preview.ok and [r["_action"] for r in preview.rows] == ["新增", "新增"]
    result = run(alice, rows)
    assert result.ok and (result.created, result.updated) == (4, 0)
    v = Value.objects.get(enterprise=iw.ent, indicator=iw.output, period="202503")
    assert (v.cumulative, v.last_year_cumulative) == (D(120), D(100))
    # next year's 同期 takes the new value as its 上年同期
    after = Value.objects.get(enterprise=iw.ent, indicator=iw.output, period="202603")
    assert after.last_year_cumulative == D(120)
    # the rollups of the periods written and of next year's 同期 are stale
    marks = set(RollupStale.objects.values_list("indicator_id", "period"))
    assert {(iw.output.pk, "202503"), (iw.output.pk, "202603"), (iw.tax.pk, "202503")} <= marks
    flow = log.get(action="import", object_type="indicators.value")
    assert flow.changes == {"created": 4, "updated": 0}
    if path == "by pair":  # one entry for the write, naming its batch
        entry = log.get(action="import", event="indicator_values")
        assert entry.changes["导入批次"] == v.import_job and entry.changes["行数"] == 4
    else:  # one entry per enterprise
        assert log.filter(event="indicator_values", action="event").count() == 2

    # the same table again, corrected: updated in place, nothing duplicated
    rows[0][3], rows[1][4] = 130, 8
    preview = run(alice, rows, dry_run=True)
    assert [r["_action"] for r in preview.rows] == ["更新", "更新"]
    result = run(alice, rows)
    assert result.ok and (result.created, result.updated) == (0, 4)
    assert Value.objects.filter(period="202503").count() == 4
    v.refresh_from_db()
    after.refresh_from_db()
    assert (v.cumulative, v.last_year_cumulative, after.last_year_cumulative) == (D(130), D(100), D(130))
    assert Value.objects.get(enterprise=iw.ent2, indicator=iw.tax, period="202503").cumulative == D(8)


def test_the_checks_read_the_stored_values_on_either_path(iw, path):
    """February's cumulative and last year's, read by pairs or by enterprises, still refuse a
    falling cumulative and an unexplained swing, naming row and column."""
    P = Period.parse
    services.record_values(
        [
            Entry(iw.output, P("202502"), enterprise=iw.ent2, cumulative=D(500)),
            Entry(iw.output, P("202403"), enterprise=iw.small, cumulative=D(100)),
        ],
        actor=iw.world.alice,
        source="behalf",
    )
    before = Value.objects.count()
    rows = [
        [iw.ent2.credit_code, "", "202503", 400, None],  # 2: below February's 500
        [iw.small.credit_code, "", "202503", 151, None],  # 3: +51 % on last year, no explanation
        [iw.ent.credit_code, "", "202503", 10, 1],
    ]
    for dry_run in (True, False):
        found = {(e.row, e.column): e.message for e in run(iw.world.bob, rows, dry_run=dry_run).errors}
        assert "小于上期累计" in found[(2, "工业总产值")]
        assert "情况说明" in found[(3, "情况说明")]
    assert Value.objects.count() == before


def test_the_stale_marks_are_written_inside_the_import(iw, path, monkeypatch):
    """A write refused after the marks (here: the audit failing) leaves no mark behind: they are
    part of the import's transaction."""
    seen = []
    real = rollups.mark_stale
    monkeypatch.setattr(rollups, "mark_stale", lambda pairs: seen.append(set(pairs)) or real(pairs))

    def boom(*a, **k):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services.audit, "record", boom)
    monkeypatch.setattr(services.audit, "record_many", boom)
    with pytest.raises(RuntimeError):
        run(iw.world.alice, [[iw.ent.credit_code, "", "202503", 120, 5]])
    assert seen and (iw.output.pk, "202503") in seen[0]
    assert not RollupStale.objects.exists() and not Value.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        "91410223ma0000001x",
        " 91410223 MA0000001X ",
        "９１４１０２２３ＭＡ００００００１Ｘ",
        "91410223MA0000001Ｘ",
        12345,
        1.0e3,
    ],
)
def test_a_credit_code_reads_the_same_on_the_ascii_shortcut(raw):
    """`parse_credit_code` skips NFKC for plain ASCII text (issue #13): the same code either way."""
    import unicodedata

    from zhuqi.core.excel import _text
    from zhuqi.indicators.importers import parse_credit_code

    assert parse_credit_code(raw) == unicodedata.normalize("NFKC", _text(raw)).replace(" ", "").upper()


def test_a_table_with_bad_rows_names_each_row_and_column(iw, path):
    """The per-column parse read from the file's columns once (issue #13) names every bad cell as
    the column-by-column one did: row, column and a Chinese message, in the preview and the run."""
    ents = [make_enterprise(f"坏行企业{i}", iw.world.grid, above_scale=True) for i in range(8)]
    rows = [[e.credit_code, e.name, "202503", 100 + i, 5] for i, e in enumerate(ents)]
    rows[0][0] = ""  # row 2: no credit code
    rows[1][2] = "2025年13月"  # row 3: no such month
    rows[2][3] = "一百"  # row 4: text in a number cell
    rows[3][1] = "名" * 101  # row 5: a name over 100 characters
    rows[4][0] = "91000000000000000X"  # row 6: no such enterprise
    rows[5][0] = rows[6][0].lower()  # row 7: the same enterprise and period as row 8
    for dry_run in (True, False):
        result = run(iw.world.alice, rows, dry_run=dry_run)
        assert [(e.row, e.column) for e in result.errors] == [
            (2, "统一社会信用代码"),
            (3, "期间"),
            (4, "工业总产值"),
            (5, "企业名称"),
            (6, "统一社会信用代码"),
            (8, "统一社会信用代码"),
        ], [str(e) for e in result.errors]
        messages = [e.message for e in result.errors]
        assert messages[0] == "不能为空"
        assert "“一百”不是数字" in messages[2]
        assert messages[3] == "不能超过 100 个字符"
        assert "91000000000000000X" in messages[4]
        assert "与第 7 行重复" in messages[5]
        assert str(result.errors[0]) == "第 2 行「统一社会信用代码」：不能为空"
    assert not Value.objects.exists()

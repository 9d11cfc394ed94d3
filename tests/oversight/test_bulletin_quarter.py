"""Quarterly bulletins (docs/oversight.md §4 季度通报): the hand-worked first quarter (cases of
February and March, the 工业总产值 against its target, a lead), one numbering sequence with the
monthly ones, the archive filtered by kind and searched by text; the Word file on the zh-CN
template (fonts by setting, no Japanese theme, the chart as an image, 版记); the PDF."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from tests.cases.conftest import CaseWorld
from tests.enterprises.helpers import make_enterprise
from tests.oversight.conftest import at
from zhuqi.indicators import services_targets
from zhuqi.indicators.models import Indicator, Value
from zhuqi.indicators.periods import Period
from zhuqi.oversight import bulletin as gen
from zhuqi.oversight import services_bulletin as sb
from zhuqi.oversight.models import Bulletin

pytestmark = pytest.mark.django_db


def val(ind, code, cum, ly, ent):
    p = Period.parse(code)
    return Value.objects.create(
        indicator=ind,
        period=code,
        year=p.year,
        period_type=p.type,
        enterprise=ent,
        region=ent.region,
        region_path=ent.region_path,
        cumulative=D(cum),
        value=D(cum),
        last_year_cumulative=D(ly),
        source="behalf",
    )


@pytest.fixture
def q1(world):
    """The example: 工信局's cases — one of February (closed), three of March (two closed, one
    signed); 工业总产值 1—3月 300 + 150 = 450 (last year 250 + 150 = 400) against 1500 for the
    year."""
    cw = CaseWorld(world)
    with time_machine.travel(at(2026, 2, 10), tick=False):
        cw.to("closed", title="二月诉求")
    with time_machine.travel(at(2026, 3, 10), tick=False):
        cw.to("closed")
        cw.to("closed", title="用工招聘")
        cw.to("signed", title="土地指标")
    output = Indicator.objects.get(code="gross_output")
    val(output, "202603", 300, 250, make_enterprise("恒顺集团有限公司", world.grid, above_scale=True))
    val(
        output, "202603", 150, 150, make_enterprise("丰原生物化学股份有限公司", world.grid2, above_scale=True)
    )
    services_targets.set_target(output, 2026, region=world.county, amount=D(1500), actor=world.alice)
    return output


def test_quarter_figures_of_the_example(world, q1):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, actor=world.supervisor, quarter=1)
    assert (b.kind, b.month, b.quarter, b.period_label) == ("quarter", 3, 1, "2026年第一季度")
    assert b.title == "关于2026年第一季度助企工作情况的通报"
    c = b.figures["cases"]
    assert (c["accepted"], c["closed"], c["close_rate"]) == (4, 3, "75.0")
    assert (b.figures["start"], b.figures["end"]) == ("2026-01-01", "2026-03-31")
    (row,) = b.figures["indicators"]
    assert row["name"] == "工业总产值"
    assert (row["actual"], row["target"], row["completion"]) == ("450.00", "1500.00", "30.0")
    assert (row["elapsed"], row["lead"], row["growth"]) == ("25.0", "5.0", "12.5")
    assert b.intro.startswith("一季度，全县共受理企业诉求 4 件，办结 3 件，办结率 75.0%")
    # the monthly bulletin of March counts March only
    with time_machine.travel(at(2026, 4, 2), tick=False):
        march = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
    assert (march.figures["cases"]["accepted"], march.figures["cases"]["close_rate"]) == (3, "66.7")


def test_attraction_block_reuses_the_cockpit_figures(world):
    from tests.attraction.conftest import make_lead

    with time_machine.travel(at(2026, 5, 12), tick=False):
        make_lead(world)
    with time_machine.travel(at(2026, 7, 3), tick=False):
        b = sb.draft_bulletin(world.county, 2026, actor=world.supervisor, quarter=2)
    a = b.figures["attraction"]
    assert (a["registered"], a["signed"], a["converted"], a["funds"]) == (1, 0, 0, "0.00")
    assert b.figures["cases"]["accepted"] == 0  # drafted on the lead alone


def test_one_numbering_sequence_and_the_refusals(world, q1):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        march = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
        quarter = sb.draft_bulletin(world.county, 2026, actor=world.supervisor, quarter=1)
        for b in (march, quarter):
            sb.approve_bulletin(b, actor=world.leader)
        assert sb.publish_bulletin(march, actor=world.supervisor).issued_number == "〔2026〕1号"
        assert sb.publish_bulletin(quarter, actor=world.supervisor).issued_number == "〔2026〕2号"
        with pytest.raises(ValidationError) as exc:
            sb.draft_bulletin(world.county, 2026, actor=world.supervisor, quarter=1)
        assert "2026年第一季度的通报已经起草" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            sb.draft_bulletin(world.county, 2026, actor=world.supervisor, quarter=3)
        assert "不能为未来的2026年第三季度起草通报" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            sb.draft_bulletin(world.county, 2025, actor=world.supervisor, quarter=4)
        assert "2025年第四季度没有可通报的数据" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            sb.draft_bulletin(world.county, 2026, actor=world.supervisor, quarter=5)
        assert "请选择正确的年份和季度" in str(exc.value)
    assert Bulletin.objects.count() == 2


def test_archive_filters_by_kind_and_searches_the_text(world, q1, login):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        march = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
        quarter = sb.draft_bulletin(world.county, 2026, actor=world.supervisor, quarter=1)
        sb.edit_bulletin(
            quarter,
            actor=world.supervisor,
            title=quarter.title,
            intro=quarter.intro,
            problems="城关镇用地报批滞后。",
            requirements="限期整改。",
        )
    client = login(world.supervisor)
    url = reverse("oversight:bulletin_list")

    def titles(**params):
        page = client.get(url, params).content.decode()
        return [b.title for b in (march, quarter) if b.title in page]

    assert titles(kind="quarter") == [quarter.title]
    assert titles(kind="month") == [march.title]
    assert titles(q="用地报批") == [quarter.title]
    assert titles(q="用地报批", kind="month") == []
    assert titles(year=2026) == [march.title, quarter.title]


def test_the_quarter_form_on_the_page(world, q1, login):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        client = login(world.supervisor)
        r = client.post(reverse("oversight:bulletin_list"), {"kind": "quarter", "year": 2026, "quarter": 1})
        b = Bulletin.objects.get()
        assert r.url == b.get_absolute_url() and b.kind == "quarter"
        page = client.get(b.get_absolute_url()).content.decode()
        assert "季度通报 · 2026年第一季度" in page and "工业总产值" in page
        r = client.post(reverse("oversight:bulletin_list"), {"kind": "quarter", "year": 2026}, follow=True)
        assert "请选择年份和季度" in r.content.decode()


def _published(world):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, actor=world.supervisor, quarter=1)
        sb.approve_bulletin(b, actor=world.leader)
        return sb.publish_bulletin(b, actor=world.supervisor)


def test_word_on_the_zh_cn_template(world, q1, login):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    b = _published(world)
    fonts = {
        "title": "方正小标宋_GBK",
        "body": "仿宋",
        "heading1": "黑体",
        "heading2": "楷体",
        "number": "宋体",
    }
    with override_settings(ZHUQI_BULLETIN_FONTS=fonts):
        r = login(world.bob).get(reverse("oversight:bulletin_docx", args=[b.pk]))
    assert r["Content-Disposition"] == 'attachment; filename="bulletin-2026Q1.docx"'
    doc = Document(io.BytesIO(r.content))
    s = doc.sections[0]
    assert (round(s.page_width / Mm(1)), round(s.page_height / Mm(1))) == (210, 297)
    assert (round(s.top_margin / Mm(1)), round(s.left_margin / Mm(1))) == (37, 28)
    assert (round(s.bottom_margin / Mm(1)), round(s.right_margin / Mm(1))) == (35, 26)
    # 22 lines: the grid's pitch is 225 mm ÷ 22 in twentieths of a point
    assert int(s._sectPr.find(qn("w:docGrid")).get(qn("w:linePitch"))) == round(225 / 22 / 25.4 * 72 * 20)
    # the theme names Chinese East-Asian fonts and no Japanese one; docDefaults say zh-CN 仿宋
    theme = next(p for p in doc.part.package.iter_parts() if "theme" in str(p.partname)).blob.decode()
    assert 'script="Jpan"' not in theme and '<a:ea typeface="仿宋"/>' in theme
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"
    paras = [p for p in doc.paragraphs if p.text]

    def east_asian(p):
        return p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))

    title = next(p for p in paras if p.text == b.title)
    assert east_asian(title) == "方正小标宋_GBK"  # the deployment's font, by setting
    body = next(p for p in paras if p.text.startswith("一季度，全县共受理企业诉求"))
    assert east_asian(body) == "仿宋" and body.runs[0].font.size.pt == 16
    assert east_asian(next(p for p in paras if p.text == "一、总体情况")) == "黑体"
    assert east_asian(next(p for p in paras if p.text == "（一）企业诉求办理情况")) == "楷体"
    assert east_asian(next(p for p in paras if p.text == "1. 办结率排名")) == "仿宋"
    assert [p.text for p in paras if p.text.startswith(("1. 红榜", "（1）", "2. 黑榜"))] == [
        "1. 红榜",
        "（1）工信局，办结率 75.0%",
        "2. 黑榜：无",
    ]
    assert east_asian(next(p for p in paras if p.text.startswith("（1）"))) == "仿宋"
    # 版记: 抄送, then the 印发机关 and 印发日期
    assert any(p.text.startswith("抄送：") for p in paras)
    assert paras[-1].text == f"{b.issuer}\t2026年4月2日印发"
    # the indicator table and the chart (an embedded PNG)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "工业总产值（万元）" in cells and "30.0%" in cells
    images = [r for r in doc.part.rels.values() if r.reltype.endswith("/image")]
    assert len(images) == 1 and images[0].target_part.blob[:4] == b"\x89PNG"


def test_the_chart_is_left_out_without_a_cjk_font(world, q1, monkeypatch):
    b = _published(world)
    monkeypatch.setattr(gen, "_chart_font", lambda: None)
    assert gen.chart_png(b.figures) is None
    assert not [blk for blk in gen.document(b)["blocks"] if blk["kind"] == "image"]


def test_pdf_has_the_title_and_number(world, q1, login):
    from pypdf import PdfReader

    b = _published(world)
    r = login(world.bob).get(reverse("oversight:bulletin_pdf", args=[b.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(r.content))
    assert len(pdf.pages) >= 1
    box = pdf.pages[0].mediabox  # A4 in points
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "").replace("\n", "")
    assert b.title in text and "〔2026〕1号" in text and "印发" in text
    # out of scope: the other county's people get 404
    assert login(world.charlie).get(reverse("oversight:bulletin_pdf", args=[b.pk])).status_code == 404

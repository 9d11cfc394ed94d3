"""Bulletins (docs/oversight.md §4): the monthly figures of the hand-worked example, draft →
approve → publish with the issued number and the inboxes, the refusals, the Word format."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.cases.conftest import CaseWorld
from tests.oversight.conftest import at, make_item
from zhuqi.core.models import Notification
from zhuqi.oversight import services_bulletin as sb
from zhuqi.oversight.bulletin import LINE_PITCH_PT
from zhuqi.oversight.models import Bulletin

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(world):
    """The example: three cases of 工信局 submitted in March 2026, two closed, one signed and
    past its reply deadline at the month's end; one supervision item overdue (red)."""
    cw = CaseWorld(world)
    with time_machine.travel(at(2026, 3, 10), tick=False):
        cw.to("closed")
        cw.to("closed", title="用工招聘")
        cw.to("signed", title="土地指标")
    make_item(world, at(2026, 3, 2), title="标准化厂房主体完工", working_days=5)
    from zhuqi.oversight.sweep import sweep

    with time_machine.travel(at(2026, 3, 20), tick=False):
        sweep()
    return cw


def test_figures_of_the_example(world, march):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
    c = b.figures["cases"]
    assert (c["accepted"], c["closed"], c["close_rate"]) == (3, 2, "66.7")
    assert c["rows"] == [
        {"department": "工信局", "accepted": 3, "closed": 2, "close_rate": "66.7", "overdue": 1, "rank": 1}
    ]
    assert c["top"] == ["工信局"] and c["bottom"] == []
    assert b.figures["items"] == [{"department": "工信局", "open": 1, "red": 1, "orange": 0, "closed": 0}]
    assert "办结率 66.7%" in b.intro and "工信局有红色督办事项" in b.problems
    assert b.status == Bulletin.Status.DRAFT and b.number is None


def test_draft_approve_publish_numbers_and_sends(world, march):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
        sb.edit_bulletin(
            b,
            actor=world.supervisor,
            title=b.title,
            intro="总体平稳。",
            problems="",
            requirements="按时整改。",
        )
        with pytest.raises(PermissionDenied):
            sb.approve_bulletin(b, actor=world.supervisor)
        with pytest.raises(ValidationError) as exc:
            sb.publish_bulletin(b, actor=world.supervisor)
        assert "须先审核" in str(exc.value)
        sb.approve_bulletin(b, actor=world.leader)
        with pytest.raises(ValidationError):
            sb.edit_bulletin(b, actor=world.supervisor, title="改", intro="", problems="", requirements="")
        b = sb.publish_bulletin(b, actor=world.supervisor)
    assert (b.number, b.issued_number) == (1, "〔2026〕1号")
    assert Notification.objects.filter(recipient=world.bob, title__startswith="通报 〔2026〕1号").exists()
    assert Notification.objects.filter(recipient=world.leader, title__startswith="通报").exists()
    assert not Notification.objects.filter(recipient=world.other_handler, title__startswith="通报").exists()
    with pytest.raises(ValidationError) as exc:
        sb.publish_bulletin(b, actor=world.supervisor)
    assert "已经发布，文号 〔2026〕1号" in str(exc.value)
    # the next bulletin of the year takes the next number
    with time_machine.travel(at(2026, 4, 3), tick=False):
        make_item(world, at(2026, 4, 1), title="四月事项")
    with time_machine.travel(at(2026, 5, 6), tick=False):
        april = sb.draft_bulletin(world.county, 2026, 4, actor=world.supervisor)
        sb.approve_bulletin(april, actor=world.leader)
        assert sb.publish_bulletin(april, actor=world.alice).issued_number == "〔2026〕2号"


def test_refusals_write_nothing(world, march):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        with pytest.raises(ValidationError) as exc:
            sb.draft_bulletin(world.county, 2026, 1, actor=world.supervisor)
        assert "2026年1月没有可通报的数据" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            sb.draft_bulletin(world.county, 2026, 5, actor=world.supervisor)
        assert "不能为未来的2026年5月起草通报" in str(exc.value)
        sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
        with pytest.raises(ValidationError) as exc:
            sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
        assert "已经起草" in str(exc.value)
        with pytest.raises(PermissionDenied):
            sb.draft_bulletin(world.county, 2026, 2, actor=world.bob)
    assert Bulletin.objects.count() == 1


def test_departments_see_only_published_bulletins(world, march, login):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
    assert login(world.bob).get(b.get_absolute_url()).status_code == 404
    assert login(world.charlie).get(b.get_absolute_url()).status_code == 404
    sb.approve_bulletin(b, actor=world.leader)
    sb.publish_bulletin(b, actor=world.supervisor)
    assert login(world.bob).get(b.get_absolute_url()).status_code == 200
    assert login(world.other_handler).get(b.get_absolute_url()).status_code == 404


def test_word_follows_gb_t_9704(world, march, login):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
    sb.approve_bulletin(b, actor=world.leader)
    sb.publish_bulletin(b, actor=world.supervisor)
    r = login(world.bob).get(reverse("oversight:bulletin_docx", args=[b.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(r.content))
    s = doc.sections[0]

    def mm(length):  # Word keeps lengths in twips (1/1440 inch): compare to 0.1 mm
        return round(length / Mm(1), 1)

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert (mm(s.top_margin), mm(s.left_margin)) == (37, 28)
    assert mm(s.page_width - s.left_margin - s.right_margin) == 156
    assert mm(s.page_height - s.top_margin - s.bottom_margin) == 225
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    # 22 lines in 225 mm: 28.9 pt a line; 28 characters of 3号 (16 pt) in 156 mm
    assert int(grid.get(qn("w:linePitch"))) * 22 == pytest.approx(225 / 25.4 * 72 * 20, abs=22)
    assert (16 + int(grid.get(qn("w:charSpace"))) / 4096) * 28 == pytest.approx(156 / 25.4 * 72, abs=0.1)
    paras = [p for p in doc.paragraphs if p.text]
    issuer, number, title = paras[0], paras[1], paras[2]
    assert issuer.text == b.issuer and issuer.alignment == 1  # 版头: the issuing office, centred
    assert number.text == "〔2026〕1号" and number.alignment == 1
    assert title.text == b.title and title.alignment == 1  # centred
    assert title.runs[0].font.size.pt == 22
    assert title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body = next(p for p in paras if p.text.startswith("4月") or "受理企业诉求" in p.text)
    assert body.runs[0].font.size.pt == 16
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert body.paragraph_format.line_spacing.pt == pytest.approx(float(LINE_PITCH_PT), abs=0.05)
    assert any(p.text.startswith("一、") for p in paras) and any("印发" in p.text for p in paras)
    # page numbers "— 1 —" on alternate sides
    odd, even = s.footer.paragraphs[0], s.even_page_footer.paragraphs[0]
    assert odd.text.replace(" ", "") == "——" and "PAGE" in odd._element.xml
    assert (odd.alignment, even.alignment) == (2, 0)
    assert doc.settings.odd_and_even_pages_header_footer
    assert Decimal(str(LINE_PITCH_PT)) > 0


def test_pages_draft_edit_approve_publish(world, march, login):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        client = login(world.supervisor)
        r = client.post(reverse("oversight:bulletin_list"), {"year": 2026, "month": 3})
        b = Bulletin.objects.get()
        assert r.url == b.get_absolute_url()
        client.post(
            reverse("oversight:bulletin_edit", args=[b.pk]),
            {
                "title": b.title,
                "intro": "总体平稳。",
                "problems": "个别单位超期。",
                "requirements": "限期整改。",
            },
        )
        login(world.leader).post(reverse("oversight:bulletin_approve", args=[b.pk]))
        client = login(world.supervisor)
        client.post(reverse("oversight:bulletin_publish", args=[b.pk]))  # without the confirmation
        b.refresh_from_db()
        assert b.status == Bulletin.Status.APPROVED and b.problems == "个别单位超期。"
        client.post(reverse("oversight:bulletin_publish", args=[b.pk]), {"confirm": "1"})
        b.refresh_from_db()
        assert b.status == Bulletin.Status.PUBLISHED and b.number == 1
        page = client.get(b.get_absolute_url()).content.decode()
        assert "〔2026〕1号" in page and "66.7%" in page


def test_the_archive_is_searchable(world, march, login):
    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
    sb.approve_bulletin(b, actor=world.leader)
    sb.publish_bulletin(b, actor=world.supervisor)
    client = login(world.bob)
    url = reverse("oversight:bulletin_list")
    for q, found in (
        ("〔2026〕1号", True),
        ("1", True),
        ("3月", True),
        ("红黑榜", False),
        ("〔2026〕2号", False),
    ):
        page = client.get(url, {"q": q}).content.decode()
        assert (b.title in page) == found, q
    assert b.title not in client.get(url, {"year": 2025}).content.decode()


def test_addressees_and_cc_follow_the_level_and_are_edited_into_the_word(world, march, login):
    """主送 and 抄送 are drafted for a county (a city's bulletin gets the city's offices), the
    drafter changes them on the page, and the Word document prints what was saved."""
    from docx import Document

    from zhuqi.oversight.bulletin import default_addressing

    assert default_addressing(world.city)["cc"] == "市委办公室，市政府办公室"
    with time_machine.travel(at(2026, 4, 2), tick=False):
        b = sb.draft_bulletin(world.county, 2026, 3, actor=world.supervisor)
    assert (b.addressees, b.cc) == ("各乡镇（街道）、园区，县直各单位", "县委办公室，县政府办公室")
    client = login(world.supervisor)
    form = {"title": b.title, "intro": b.intro, "problems": b.problems, "requirements": b.requirements}
    page = client.post(
        reverse("oversight:bulletin_edit", args=[b.pk]), {**form, "addressees": "各乡镇", "cc": "长" * 201}
    )
    assert "抄送不能超过 200 字" in client.get(page["Location"]).content.decode()
    b.refresh_from_db()
    assert b.addressees.startswith("各乡镇（街道）")  # nothing half-saved
    client.post(
        reverse("oversight:bulletin_edit", args=[b.pk]),
        {**form, "addressees": "各乡镇人民政府，县直各单位", "cc": "县人大常委会办公室，县政协办公室"},
    )
    sb.approve_bulletin(b, actor=world.leader)
    sb.publish_bulletin(b, actor=world.supervisor)
    r = login(world.bob).get(reverse("oversight:bulletin_docx", args=[b.pk]))
    texts = [p.text for p in Document(io.BytesIO(r.content)).paragraphs]
    assert "各乡镇人民政府，县直各单位：" in texts
    assert "抄送：县人大常委会办公室，县政协办公室。" in texts

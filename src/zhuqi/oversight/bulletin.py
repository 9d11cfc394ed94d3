"""A monthly bulletin's figures, generated from the live data of each app that has them, and
its Word document in the official format (GB/T 9704-2012). Definitions: docs/oversight.md §4.

Figures are read over the bulletin's region subtree for the calendar month:
* 诉求办理 by lead department — `cases.figures.summary` (受理数, 办结数, 办结率 = 办结 ÷ 受理), plus
  the cases still open past their reply deadline at the end of the month (`reply_overdue_q`);
  departments ranked by 办结率 (half up, 0.1), the top and bottom three named;
* 督办事项 by lead department — open at the month's end, red and orange among them;
* 重点项目 — the lights of the projects' investment against 时序进度 (`projects.figures.light_counts`);
* 走访 — visits recorded in the month.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuqi.core.models import Region
from zhuqi.core.workcalendar import SHANGHAI

from .models import Item, Slip, Status

RANK_N = 3


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _pct(value) -> str:
    return "—" if value is None else f"{Decimal(value):.1f}%"


def generate(region: Region, year: int, month: int, now: dt.datetime | None = None) -> dict:
    """The figures of `region`'s bulletin for `year`-`month` as plain JSON (kept on the draft)."""
    from zhuqi.assistance.models import Visit
    from zhuqi.cases import figures as case_figures
    from zhuqi.cases.models import Case
    from zhuqi.projects import figures as project_figures
    from zhuqi.projects.models import Project

    start, end = month_bounds(year, month)
    month_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    now = min(now or timezone.now(), month_end)
    path = region.path

    cases = Case.objects.filter(region_path__startswith=path).filter(case_figures.period_q(start, end))
    total, rows = case_figures.summary(cases, "department")
    overdue = dict(
        Case.objects.filter(region_path__startswith=path)
        .filter(case_figures.reply_overdue_q(now))
        .values_list("lead_department_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    case_rows = []
    for r in rows:
        dept_id = int(r["key"]) if r["key"].isdigit() else None
        case_rows.append(
            {
                "department": str(r["label"]),
                "accepted": r["accepted"]["n"],
                "closed": r["closed"]["n"],
                "close_rate": None if r["close_rate"]["rate"] is None else str(r["close_rate"]["rate"]),
                "overdue": overdue.get(dept_id, 0),
            }
        )
    ranked = [r for r in case_rows if r["close_rate"] is not None]
    ranked.sort(key=lambda r: (-Decimal(r["close_rate"]), r["department"]))
    top = [r["department"] for r in ranked[:RANK_N]]
    bottom = [r["department"] for r in ranked[::-1][:RANK_N] if r["department"] not in top]

    items = (
        Item.objects.filter(region__path__startswith=path, assigned_on__lte=end)
        .exclude(status=Status.CANCELLED)
        .values("lead_department__name", "lead_department__short_name")
        .annotate(
            open=Count("pk", filter=~Q(status=Status.CLOSED)),
            red=Count("pk", filter=~Q(status=Status.CLOSED) & Q(slip=Slip.RED)),
            orange=Count("pk", filter=~Q(status=Status.CLOSED) & Q(slip=Slip.ORANGE)),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
        )
        .order_by("-red", "-orange", "lead_department__name")
    )
    item_rows = [
        {
            "department": r["lead_department__short_name"] or r["lead_department__name"],
            "open": r["open"],
            "red": r["red"],
            "orange": r["orange"],
            "closed": r["closed"],
        }
        for r in items
    ]
    projects = Project.objects.filter(region_path__startswith=path, archived_at__isnull=True)
    lights = project_figures.light_counts(projects, year, month) if projects.exists() else {}
    visits = Visit.objects.filter(
        enterprise__region_path__startswith=path, visited_on__range=(start, end)
    ).count()
    return {
        "period": f"{year}-{month:02d}",
        "cases": {
            "accepted": total["accepted"]["n"],
            "closed": total["closed"]["n"],
            "close_rate": None if total["close_rate"]["rate"] is None else str(total["close_rate"]["rate"]),
            "rows": case_rows,
            "top": top,
            "bottom": bottom,
        },
        "items": item_rows,
        "projects": {k: lights.get(k, 0) for k in ("green", "yellow", "red", "grey")} if lights else {},
        "visits": visits,
    }


def has_data(figures: dict) -> bool:
    return bool(
        figures["cases"]["accepted"]
        or figures["items"]
        or any(figures["projects"].values())
        or figures["visits"]
    )


def default_texts(region: Region, year: int, month: int, figures: dict) -> dict:
    """The draft's text around the tables, from the figures; the drafter edits it."""
    c = figures["cases"]
    intro = _(
        "%(month)s月，全%(kind)s共受理企业诉求 %(accepted)s 件，办结 %(closed)s 件，办结率 %(rate)s；"
        "开展走访 %(visits)s 次。"
    ) % {
        "month": month,
        "kind": _("县") if region.kind == Region.Kind.COUNTY else "",
        "accepted": c["accepted"],
        "closed": c["closed"],
        "rate": _pct(c["close_rate"]),
        "visits": figures["visits"],
    }
    if c["top"]:
        intro += _("办结率靠前的单位：%(names)s。") % {"names": "、".join(c["top"])}
    if c["bottom"]:
        intro += _("办结率靠后的单位：%(names)s。") % {"names": "、".join(c["bottom"])}
    red = [r["department"] for r in figures["items"] if r["red"]]
    problems = (
        _("%(names)s有红色督办事项，超过办理时限或督办后未响应。") % {"names": "、".join(red)} if red else ""
    )
    requirements = _("各单位要对照通报问题逐项整改，于下月 5 日前将整改情况报送督查考核办公室。")
    return {"intro": intro, "problems": problems, "requirements": requirements}


# --- Word (GB/T 9704-2012) --------------------------------------------------------------------
#: fonts a deployment may have (licensed) and the free fallbacks named after them
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
NUMBER_FONT = "宋体"
PT_3HAO, PT_2HAO, PT_4HAO = 16, 22, 14  # 3号, 2号, 4号 in points
#: 225 mm ÷ 22 lines, in points
LINE_PITCH_PT = Decimal(225) / 22 / Decimal("25.4") * 72


def _fonts(run, east_asian: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:ascii"), "Times New Roman")
    fonts.set(qn("w:hAnsi"), "Times New Roman")


def _para(doc, text: str, font: str, size: float, *, align=None, indent=True, bold=False):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(float(LINE_PITCH_PT))
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(PT_3HAO * 2)  # two characters
    if align is not None:
        p.alignment = align
    _fonts(p.add_run(text), font, size, bold)
    return p


def _page_number_footer(section, *, right: bool) -> None:
    """ "— 1 —" in 4号 宋体 at the outer edge: right on odd pages, left on even ones."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    footer = section.footer if right else section.even_page_footer
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    _fonts(p.add_run("— "), NUMBER_FONT, PT_4HAO)
    run = p.add_run()
    _fonts(run, NUMBER_FONT, PT_4HAO)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _fonts(p.add_run(" —"), NUMBER_FONT, PT_4HAO)


def _table(doc, headers: list[str], rows: list[list]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 12)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _fonts(cell.paragraphs[0].add_run(str(value)), BODY_FONT, 12)


def new_document():
    """An empty official document (GB/T 9704-2012): A4; margins top 37 mm, left 28 mm, text
    block 156 × 225 mm; body 3号 仿宋 on a grid of 22 lines × 28 characters; page numbers
    "— 1 —" in 4号 on alternate sides. Bulletins and the 观摩 results (tours.py) start here."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    doc = Document()
    # the default template's East-Asian theme font is Japanese: name Chinese fonts explicitly
    normal = doc.styles["Normal"]
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(297 - 37 - 225)
    section.left_margin, section.right_margin = Mm(28), Mm(210 - 28 - 156)
    section.footer_distance = Mm(28 - 7)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))  # twentieths of a point
    # 28 characters of 3号 in 156 mm: the extra space per character in 1/4096 pt
    char_pt = Decimal(156) / Decimal("25.4") * 72 / 28
    grid.set(qn("w:charSpace"), str(round((char_pt - PT_3HAO) * 4096)))
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section, right=True)
    _page_number_footer(section, right=False)
    return doc


def docx_bytes(bulletin) -> bytes:
    """The bulletin as a .docx: A4; margins top 37 mm, left 28 mm, text block 156 × 225 mm
    (so bottom 35 mm, right 26 mm); body 3号 仿宋 on a grid of 22 lines × 28 characters; title
    2号 小标宋 centred; 发文字号 centred above it; headings 一、in 黑体, （一）in 楷体; page
    numbers "— 1 —" in 4号 on alternate sides; 版记 with 抄送 and 印发."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = new_document()

    if bulletin.issued_number:
        _para(doc, bulletin.issued_number, BODY_FONT, PT_3HAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, "", BODY_FONT, PT_3HAO, indent=False)
    _para(doc, bulletin.title, TITLE_FONT, PT_2HAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, "", BODY_FONT, PT_3HAO, indent=False)
    f = bulletin.figures
    sections = [
        (_("一、总体情况"), bulletin.intro),
        (_("二、存在问题"), bulletin.problems),
        (_("三、下步要求"), bulletin.requirements),
    ]
    for i, (heading, text) in enumerate(sections):
        _para(doc, heading, HEADING_FONT, PT_3HAO)
        for line in (text or "").splitlines():
            if line.strip():
                _para(doc, line.strip(), BODY_FONT, PT_3HAO)
        if i == 0:
            _para(doc, _("（一）企业诉求办理情况"), KAI_FONT, PT_3HAO)
            _table(
                doc,
                [_("主办单位"), _("受理"), _("办结"), _("办结率"), _("超期未办结")],
                [
                    [r["department"], r["accepted"], r["closed"], _pct(r["close_rate"]), r["overdue"]]
                    for r in f["cases"]["rows"]
                ],
            )
            if f["items"]:
                _para(doc, _("（二）督办事项办理情况"), KAI_FONT, PT_3HAO)
                _table(
                    doc,
                    [_("牵头单位"), _("在办"), _("红色督办"), _("橙色督办"), _("已销号")],
                    [[r["department"], r["open"], r["red"], r["orange"], r["closed"]] for r in f["items"]],
                )
    _para(doc, "", BODY_FONT, PT_3HAO, indent=False)
    date = bulletin.published_at or timezone.now()
    local = timezone.localtime(date).date()
    day = _("%(y)s年%(m)s月%(d)s日") % {"y": local.year, "m": local.month, "d": local.day}
    _para(doc, bulletin.issuer, BODY_FONT, PT_3HAO, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(
        doc,
        day,
        BODY_FONT,
        PT_3HAO,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        indent=False,
    )
    # 版记: 抄送 and 印发, 4号 仿宋
    _para(doc, _("抄送：县委办公室，县政府办公室。"), BODY_FONT, PT_4HAO, indent=False)
    _para(
        doc,
        _("%(issuer)s　　%(date)s印发") % {"issuer": bulletin.issuer, "date": day},
        BODY_FONT,
        PT_4HAO,
        indent=False,
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

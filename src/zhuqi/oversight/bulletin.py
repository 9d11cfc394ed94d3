"""A bulletin's figures, generated from the live data of each app that has them, and its
document in the official format (GB/T 9704-2012) as Word and as PDF. Definitions:
docs/oversight.md §4.

Figures are read over the bulletin's region subtree for its period (a calendar month, or a
quarter's three months):
* 诉求办理 by lead department — `cases.figures.summary` (受理数, 办结数, 办结率 = 办结 ÷ 受理), plus
  the cases still open past their reply deadline at the end of the period (`reply_overdue_q`);
  departments ranked by 办结率 (half up, 0.1), the top and bottom three named (红榜, 黑榜);
* 督办事项 by lead department — open at the period's end, red and orange among them;
* 经济指标 — each active indicator's 1—N月 cumulative against its target at the period's last
  month (`indicators.figures.compute`, the 经济指标调度's own figures);
* 招商引资 — the leads registered in the period, signed, and the recognised funds in place of
  the year to the period's end (`attraction.figures.region_figures`, the cockpit's figures);
* 重点项目 — the lights of the projects' investment against 时序进度 (`projects.figures.light_counts`);
* 走访 — visits recorded in the period.

The document is one list of blocks (`document`) that both `docx_bytes` (on the zh-CN reference
template, `docx_template`) and `pdf_bytes` (WeasyPrint from `oversight/bulletin_pdf.html`)
render, so the Word and the PDF say the same.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import io
import logging
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuqi.core.models import Region
from zhuqi.core.workcalendar import SHANGHAI

from .docx_template import LINE_PITCH_PT, TEMPLATE
from .models import Bulletin, Item, Slip, Status

log = logging.getLogger(__name__)
RANK_N = 3
MONTH, QUARTER = Bulletin.Kind.MONTH.value, Bulletin.Kind.QUARTER.value

__all__ = ["LINE_PITCH_PT", "generate", "has_data", "default_texts", "docx_bytes", "pdf_bytes"]


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def period_bounds(kind: str, year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of the period ending with `month` (a quarter: its three months)."""
    first = month - 2 if kind == QUARTER else month
    return dt.date(year, first, 1), month_bounds(year, month)[1]


def period_label(kind: str, year: int, month: int) -> str:
    return Bulletin(kind=kind, year=year, month=month).period_label


def _pct(value) -> str:
    return "—" if value is None else f"{Decimal(value):.1f}%"


def _s(value) -> str | None:
    return None if value is None else str(value)


def _indicators(user, region: Region, kind: str, year: int, month: int) -> list[dict]:
    """Every active indicator of the region at the period: the 经济指标调度's figures."""
    from zhuqi.indicators import figures as ind_figures
    from zhuqi.indicators.models import Indicator
    from zhuqi.indicators.periods import Period

    period = Period(year, "Q", (month + 2) // 3) if kind == QUARTER else Period.month(year, month)
    entity = ind_figures.Entity.of(region=region)
    inds = list(Indicator.objects.filter(is_active=True).order_by("sort", "code"))
    figs = ind_figures.compute(user, inds, period, [entity])
    rows = []
    for ind in inds:
        f = figs[(entity.key, ind.pk)]
        if f.actual is None and f.official is None:
            continue
        growth = f.official if f.is_official else f.panel_growth
        rows.append(
            {
                "name": ind.name,
                "unit": str(ind.get_unit_display()),
                "actual": _s(None if f.actual is None else f.actual.quantize(Decimal("0.01"))),
                "target": _s(None if f.target_year is None else f.target_year.quantize(Decimal("0.01"))),
                "completion": _s(f.completion),
                "elapsed": _s(f.elapsed),
                "lead": _s(f.lead),
                "growth": _s(growth),
            }
        )
    return rows


def _attraction(user, region: Region, start: dt.date, end: dt.date) -> dict:
    from zhuqi.attraction import figures as attraction_figures

    f = attraction_figures.region_figures(user, region, start, end)
    return {
        "registered": f["registered"],
        "signed": f["signed"],
        "converted": f["converted"],
        "sign_rate": _s(f["sign_rate"]),
        "funds": str(Decimal(f["funds"]).quantize(Decimal("0.01"))),
    }


def generate(
    region: Region,
    year: int,
    month: int,
    now: dt.datetime | None = None,
    *,
    kind: str = MONTH,
    user=None,
) -> dict:
    """The figures of `region`'s bulletin for the period ending `year`-`month` as plain JSON
    (kept on the draft). The indicators and attraction figures are those `user` (the drafter)
    sees; without a user they are left out."""
    from zhuqi.assistance.models import Visit
    from zhuqi.cases import figures as case_figures
    from zhuqi.cases.models import Case
    from zhuqi.projects import figures as project_figures
    from zhuqi.projects.models import Project

    start, end = period_bounds(kind, year, month)
    period_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    now = min(now or timezone.now(), period_end)
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
    # the table in ranking order (departments without a rate last), each with its place
    case_rows = ranked + [r for r in case_rows if r["close_rate"] is None]
    for i, r in enumerate(case_rows):
        r["rank"] = i + 1 if r["close_rate"] is not None else None

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
        "kind": kind,
        "start": start.isoformat(),
        "end": end.isoformat(),
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
        "indicators": _indicators(user, region, kind, year, month) if user is not None else [],
        "attraction": _attraction(user, region, start, end) if user is not None else {},
    }


def has_data(figures: dict) -> bool:
    a = figures.get("attraction") or {}
    return bool(
        figures["cases"]["accepted"]
        or figures["items"]
        or any(figures["projects"].values())
        or figures["visits"]
        or figures.get("indicators")
        or a.get("registered")
        or Decimal(a.get("funds") or 0)
    )


def default_texts(region: Region, year: int, month: int, figures: dict, kind: str = MONTH) -> dict:
    """The draft's text around the tables, from the figures; the drafter edits it."""
    c = figures["cases"]
    quarters = (_("一季度"), _("二季度"), _("三季度"), _("四季度"))
    when = quarters[(month - 1) // 3] if kind == QUARTER else _("%(m)s月") % {"m": month}
    intro = _(
        "%(when)s，全%(kind)s共受理企业诉求 %(accepted)s 件，办结 %(closed)s 件，办结率 %(rate)s；"
        "开展走访 %(visits)s 次。"
    ) % {
        "when": when,
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
    problems = []
    if red:
        problems.append(
            _("%(names)s有红色督办事项，超过办理时限或督办后未响应。") % {"names": "、".join(red)}
        )
    behind = [
        r["name"] for r in figures.get("indicators", []) if r["lead"] is not None and Decimal(r["lead"]) < 0
    ]
    if behind:
        problems.append(_("%(names)s落后于时序进度。") % {"names": "、".join(behind)})
    requirements = _("各单位要对照通报问题逐项整改，于下月 5 日前将整改情况报送督查考核办公室。")
    return {
        "intro": intro,
        "problems": "\n".join(problems),
        "requirements": requirements,
        **default_addressing(region),
    }


def default_addressing(region: Region) -> dict:
    """主送 and 抄送 of a bulletin by the level of the region that issues it; the drafter edits
    both (a town or park issuing its own: its villages and offices, its Party and government
    offices)."""
    if region.kind == Region.Kind.PROVINCE:
        to, cc = _("各市（州）人民政府，省直各有关部门"), _("省委办公厅，省政府办公厅")
    elif region.kind == Region.Kind.CITY:
        to, cc = _("各县（市、区）人民政府，市直各有关部门"), _("市委办公室，市政府办公室")
    elif region.kind == Region.Kind.COUNTY:
        to, cc = _("各乡镇（街道）、园区，县直各单位"), _("县委办公室，县政府办公室")
    else:
        to, cc = _("各村（社区）、各站所"), _("党（工）委办公室，政府（管委会）办公室")
    return {"addressees": to, "cc": cc}


# --- the chart -----------------------------------------------------------------------------------
#: free CJK fonts tried after the deployment's heading font (fonts-noto-cjk, then common others)
CHART_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei"]


def _chart_font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in [settings.ZHUQI_BULLETIN_FONTS["heading1"], *CHART_FONTS]:
        if name in names:
            return name
    return None


def chart_png(figures: dict) -> bytes | None:
    """办结率 by lead department as a bar chart (PNG, 156 mm wide at 200 dpi); None when there is
    no rate to draw, matplotlib is missing, or no CJK font is installed (the labels would be
    empty boxes: the document goes without the chart rather than with an unreadable one)."""
    rows = [r for r in figures["cases"]["rows"] if r["close_rate"] is not None]
    if not rows:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - a deployment without matplotlib
        log.warning("matplotlib is not installed: bulletins go without charts")
        return None
    font = _chart_font()
    if font is None:
        log.warning("no CJK font found for the bulletin chart (install fonts-noto-cjk)")
        return None
    rows = rows[::-1]  # the best at the top of a horizontal bar chart
    with matplotlib.rc_context({"font.family": [font], "axes.unicode_minus": False}):
        fig = Figure(figsize=(156 / 25.4, 0.8 + 0.32 * len(rows)), dpi=200)
        ax = fig.add_subplot()
        values = [float(r["close_rate"]) for r in rows]
        bars = ax.barh([r["department"] for r in rows], values, color="#c0392b", height=0.6)
        ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=3, fontsize=8)
        ax.set_xlim(0, 110)
        ax.set_xlabel(_("办结率（%）"), fontsize=9)
        ax.tick_params(labelsize=9)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()


# --- the document's content, once ----------------------------------------------------------------
def _wan(value) -> str:
    from zhuqi.core.templatetags.core_tags import wan

    return wan(value)


def _date_text(day: dt.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def document(b: Bulletin) -> dict:
    """What the bulletin says, as blocks both the Word and the PDF render: headings (levels 1–4:
    一、（一）1.（1）), paragraphs, tables, the chart, then the signature and the 版记."""
    f = b.figures
    c = f["cases"]
    blocks: list[dict] = []

    def h(level, text):
        blocks.append({"kind": "heading", "level": level, "text": text})

    def p(text):
        for line in (text or "").splitlines():
            if line.strip():
                blocks.append({"kind": "p", "text": line.strip()})

    def table(headers, rows):
        blocks.append({"kind": "table", "headers": headers, "rows": [[str(v) for v in r] for r in rows]})

    h(1, _("一、总体情况"))
    p(b.intro)
    h(2, _("（一）企业诉求办理情况"))
    h(3, _("1. 办结率排名"))
    table(
        [_("排名"), _("主办单位"), _("受理"), _("办结"), _("办结率"), _("超期未办结")],
        [
            [
                r.get("rank") or "—",
                r["department"],
                r["accepted"],
                r["closed"],
                _pct(r["close_rate"]),
                r["overdue"],
            ]
            for r in c["rows"]
        ],
    )
    png = chart_png(f)
    if png:
        h(3, _("2. 各主办单位办结率"))
        blocks.append({"kind": "image", "png": png, "caption": _("图 1　各主办单位办结率")})
    #: the numbers of the second-level headings after （一）, in the order the sections come
    numbers = iter((_("（二）"), _("（三）"), _("（四）"), _("（五）")))
    if f["items"]:
        h(2, next(numbers) + _("督办事项办理情况"))
        table(
            [_("牵头单位"), _("在办"), _("红色督办"), _("橙色督办"), _("已销号")],
            [[r["department"], r["open"], r["red"], r["orange"], r["closed"]] for r in f["items"]],
        )
    if f.get("indicators"):
        h(2, next(numbers) + _("经济指标完成情况"))
        table(
            [_("指标"), _("累计完成"), _("年度目标"), _("完成率"), _("时序进度"), _("超时序"), _("增速")],
            [
                [
                    f"{r['name']}（{r['unit']}）",
                    r["actual"] or "—",
                    r["target"] or "—",
                    _pct(r["completion"]),
                    _pct(r["elapsed"]),
                    "—" if r["lead"] is None else r["lead"],
                    _pct(r["growth"]),
                ]
                for r in f["indicators"]
            ],
        )
    a = f.get("attraction") or {}
    if a.get("registered") or Decimal(a.get("funds") or 0):
        h(2, next(numbers) + _("招商引资"))
        p(
            _(
                "本期新登记招商线索 %(reg)s 条，其中已签约 %(signed)s 条（签约率 %(rate)s），"
                "转为重点项目 %(conv)s 条；全年累计认定省外到位资金 %(funds)s。"
            )
            % {
                "reg": a["registered"],
                "signed": a["signed"],
                "rate": _pct(a["sign_rate"]),
                "conv": a["converted"],
                "funds": _wan(a["funds"]),
            }
        )
    h(2, next(numbers) + _("重点项目和走访"))
    pr = f.get("projects") or {}
    text = _("开展走访 %(v)s 次。") % {"v": f["visits"]}
    if pr:
        text = (
            _("重点项目投资进度：绿灯 %(g)s 个，黄灯 %(y)s 个，红灯 %(r)s 个。")
            % {"g": pr["green"], "y": pr["yellow"], "r": pr["red"]}
            + text
        )
    p(text)
    h(1, _("二、红榜和黑榜"))
    p(_("按企业诉求办结率排名，前 %(n)s 名上红榜，后 %(n)s 名上黑榜。") % {"n": RANK_N})
    rates = {r["department"]: r["close_rate"] for r in c["rows"]}
    for i, (label, names) in enumerate(((_("红榜"), c["top"]), (_("黑榜"), c["bottom"])), start=1):
        h(3, f"{i}. {label}" + ("" if names else _("：无")))
        for j, name in enumerate(names, start=1):
            h(
                4,
                _("（%(j)s）%(name)s，办结率 %(rate)s")
                % {"j": j, "name": name, "rate": _pct(rates.get(name))},
            )
    h(1, _("三、存在问题"))
    p(b.problems or _("无。"))
    h(1, _("四、下步要求"))
    p(b.requirements)
    day = timezone.localtime(b.published_at).date() if b.published_at else timezone.localdate()
    return {
        "issuer": b.issuer,
        "number": b.issued_number,
        "title": b.title,
        "to": _("%(to)s：") % {"to": b.addressees} if b.addressees else "",
        "blocks": blocks,
        "date": _date_text(day),
        "cc": _("抄送：%(cc)s。") % {"cc": b.cc.rstrip("。.")} if b.cc else "",
        "printed_by": b.issuer,
        "printed_on": _("%(date)s印发") % {"date": _date_text(day)},
    }


# --- Word (GB/T 9704-2012) -----------------------------------------------------------------------
PT_3HAO, PT_2HAO, PT_4HAO = 16, 22, 14  # 3号, 2号, 4号 in points
RED = "C00000"


#: the fonts GB/T 9704-2012 names, by role, as Word knows them
STANDARD_FONTS = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "number": "宋体",
}


def fonts() -> dict:
    """The font names of each role (settings.ZHUQI_BULLETIN_FONTS over the standard's)."""
    return {**STANDARD_FONTS, **getattr(settings, "ZHUQI_BULLETIN_FONTS", {})}


def _fonts(run, east_asian: str, size_pt: float, bold: bool = False, color: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:ascii"), "Times New Roman")
    rfonts.set(qn("w:hAnsi"), "Times New Roman")


def _para(doc, text: str, font: str, size: float, *, align=None, indent=True, bold=False, color=None):
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
    if text:
        _fonts(p.add_run(text), font, size, bold, color)
    return p


def _border(p, side: str, size_eighths: int, color: str = "000000") -> None:
    """A line along `side` of the paragraph (the 版头's red rule, the 版记's rules)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.append(bdr)
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), "1")
    el.set(qn("w:color"), color)
    bdr.append(el)


def _page_number_footer(section, *, right: bool, font: str) -> None:
    """ "— 1 —" in 4号 at the outer edge, one character in: right on odd pages, left on even."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    footer = section.footer if right else section.even_page_footer
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    if right:
        p.paragraph_format.right_indent = Pt(PT_4HAO)
    else:
        p.paragraph_format.left_indent = Pt(PT_4HAO)
    _fonts(p.add_run("— "), font, PT_4HAO)
    run = p.add_run()
    _fonts(run, font, PT_4HAO)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _fonts(p.add_run(" —"), font, PT_4HAO)


def _table(doc, headers: list[str], rows: list[list], fs: dict) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _fonts(cell.paragraphs[0].add_run(text), fs["heading1"], 12)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _fonts(cell.paragraphs[0].add_run(str(value)), fs["body"], 12)


def new_document():
    """An empty official document on the zh-CN reference template (GB/T 9704-2012 page, grid
    and fonts) with page numbers "— 1 —" on alternate sides: bulletins and the 观摩 results
    (tours.py) start here."""
    from docx import Document

    fs = fonts()
    doc = Document(str(TEMPLATE))
    body = doc.element.body
    for el in list(body):  # the template's body holds only its section properties
        if not el.tag.endswith("}sectPr"):
            body.remove(el)
    section = doc.sections[0]
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section, right=True, font=fs["number"])
    _page_number_footer(section, right=False, font=fs["number"])
    return doc


def docx_bytes(bulletin: Bulletin) -> bytes:
    """The bulletin as a .docx on the zh-CN reference template: A4; margins top 37 mm, left 28
    mm, text block 156 × 225 mm; body 3号 仿宋 on a grid of 22 lines × 28 characters; 版头 with
    the issuing office in red and the 发文字号 centred above a red rule; title 2号 小标宋 centred;
    headings 一、黑体, （一）楷体, 1. and （1）仿宋; the chart as an image; signature and date
    right, four characters in; page numbers "— 1 —" in 4号 on alternate sides; 版记 with 抄送
    and 印发 between rules. Font names from settings.ZHUQI_BULLETIN_FONTS."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    fs = fonts()
    content = document(bulletin)
    doc = new_document()
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT

    # 版头: the issuing office in red, the 发文字号 centred two lines below it, the red rule
    _para(doc, content["issuer"], fs["title"], PT_2HAO, align=center, indent=False, color=RED)
    _para(doc, "", fs["body"], PT_3HAO, indent=False)
    number = _para(doc, content["number"], fs["body"], PT_3HAO, align=center, indent=False)
    _border(number, "bottom", 12, RED)
    # 主体: the title one line below the rule, 主送机关, the text
    _para(doc, "", fs["body"], PT_3HAO, indent=False)
    _para(doc, content["title"], fs["title"], PT_2HAO, align=center, indent=False)
    _para(doc, "", fs["body"], PT_3HAO, indent=False)
    _para(doc, content["to"], fs["body"], PT_3HAO, indent=False)
    heading_font = {1: fs["heading1"], 2: fs["heading2"], 3: fs["body"], 4: fs["body"]}
    for block in content["blocks"]:
        if block["kind"] == "heading":
            _para(doc, block["text"], heading_font[block["level"]], PT_3HAO)
        elif block["kind"] == "p":
            _para(doc, block["text"], fs["body"], PT_3HAO)
        elif block["kind"] == "table":
            _table(doc, block["headers"], block["rows"], fs)
        elif block["kind"] == "image":
            p = _para(doc, "", fs["body"], PT_3HAO, align=center, indent=False)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # the picture's own height
            p.add_run().add_picture(io.BytesIO(block["png"]), width=Mm(150))
            _para(doc, block["caption"], fs["body"], 12, align=center, indent=False)
    # signature and 成文日期: right, four characters in from the edge of the text block
    _para(doc, "", fs["body"], PT_3HAO, indent=False)
    for text in (content["issuer"], content["date"]):
        p = _para(doc, text, fs["body"], PT_3HAO, align=right, indent=False)
        p.paragraph_format.right_indent = Pt(PT_3HAO * 4)
    # 版记 (4号 仿宋, one character in): 抄送, then the 印发机关 left and the 印发日期 right
    _para(doc, "", fs["body"], PT_3HAO, indent=False)
    cc = _para(doc, content["cc"], fs["body"], PT_4HAO, indent=False)
    cc.paragraph_format.left_indent = cc.paragraph_format.right_indent = Pt(PT_4HAO)
    _border(cc, "top", 8)
    _border(cc, "bottom", 4)
    printed = _para(doc, "", fs["body"], PT_4HAO, indent=False)
    fmt = printed.paragraph_format
    fmt.left_indent = fmt.right_indent = Pt(PT_4HAO)
    fmt.tab_stops.add_tab_stop(Mm(156) - Pt(PT_4HAO * 2), WD_TAB_ALIGNMENT.RIGHT)
    _fonts(printed.add_run(f"{content['printed_by']}\t{content['printed_on']}"), fs["body"], PT_4HAO)
    _border(printed, "bottom", 8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF (WeasyPrint) ----------------------------------------------------------------------------
#: the packaged free fonts after the deployment's: serif for the text, sans for headings
PDF_SERIF = ["Noto Serif CJK SC", "Source Han Serif SC", "serif"]
PDF_SANS = ["Noto Sans CJK SC", "Source Han Sans SC", "sans-serif"]


def _family(first: str, fallbacks: list[str]) -> str:
    generic = {"serif", "sans-serif"}
    return ", ".join(name if name in generic else f'"{name}"' for name in [first, *fallbacks])


def pdf_bytes(bulletin: Bulletin) -> bytes:
    """The same content as the Word file, as PDF: `oversight/bulletin_pdf.html` rendered by
    WeasyPrint with the page of GB/T 9704-2012 and fonts by name (the deployment's, then Noto
    CJK from the system's fontconfig; nothing is fetched)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    fs = fonts()
    content = document(bulletin)
    for block in content["blocks"]:
        if block["kind"] == "image":
            block["src"] = "data:image/png;base64," + base64.b64encode(block["png"]).decode("ascii")
    html = render_to_string(
        "oversight/bulletin_pdf.html",
        {
            "c": content,
            "font_title": _family(fs["title"], PDF_SERIF),
            "font_body": _family(fs["body"], PDF_SERIF),
            "font_h1": _family(fs["heading1"], PDF_SANS),
            "font_h2": _family(fs["heading2"], PDF_SERIF),
            "font_number": _family(fs["number"], PDF_SERIF),
            "line_mm": Decimal(225) / 22,
        },
    )
    return HTML(string=html, base_url=None).write_pdf()

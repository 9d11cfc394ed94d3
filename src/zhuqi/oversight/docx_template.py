"""The zh-CN reference template bulletins are built on (templates_docx/bulletin.docx).

python-docx's own default template declares a Japanese East-Asian theme (theme fonts ＭＳ 明朝 /
ＭＳ ゴシック, `themeFontLang eastAsia="ja-JP"`, every style's East-Asian font taken from the
theme), so Chinese text without an explicit font falls back to a Japanese one. This script
rewrites that template once: the theme's East-Asian fonts are 仿宋 (body) and 黑体 (headings) with
no Japanese script entry, docDefaults and every style name their East-Asian font explicitly with
language zh-CN, and the one section is A4 on the GB/T 9704-2012 text block and grid.

Regenerate after changing it (the file is committed, nothing builds it at run time):

    PYTHONPATH=src .venv/bin/python -m zhuqi.oversight.docx_template
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

TEMPLATE = Path(__file__).parent / "templates_docx" / "bulletin.docx"
BODY_FONT, HEADING_FONT = "仿宋", "黑体"
#: GB/T 9704-2012: A4, top 37 mm, left 28 mm, text block 156 × 225 mm
PAGE_MM, TOP_MM, LEFT_MM, BLOCK_MM = (210, 297), 37, 28, (156, 225)
LINES, CHARS, BODY_PT = 22, 28, 16  # 22 lines × 28 characters of 3号 (16 pt)
#: 225 mm ÷ 22 lines, in points
LINE_PITCH_PT = Decimal(BLOCK_MM[1]) / LINES / Decimal("25.4") * 72
#: 156 mm ÷ 28 characters, in points
CHAR_PITCH_PT = Decimal(BLOCK_MM[0]) / CHARS / Decimal("25.4") * 72


def _theme_xml(xml: str) -> str:
    xml = re.sub(r'\s*<a:font script="Jpan" typeface="[^"]*"/>', "", xml)
    major, minor = xml.split("<a:minorFont>", 1)
    major = re.sub(r'<a:ea typeface="[^"]*"/>', f'<a:ea typeface="{HEADING_FONT}"/>', major, count=1)
    minor = re.sub(r'<a:ea typeface="[^"]*"/>', f'<a:ea typeface="{BODY_FONT}"/>', minor, count=1)
    return major + "<a:minorFont>" + minor


def section_setup(section) -> None:
    """Page size, margins and the 22 × 28 document grid of GB/T 9704-2012 on `section`."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(TOP_MM)
    section.bottom_margin = Mm(PAGE_MM[1] - TOP_MM - BLOCK_MM[1])
    section.left_margin = Mm(LEFT_MM)
    section.right_margin = Mm(PAGE_MM[0] - LEFT_MM - BLOCK_MM[0])
    # the page number's line sits 7 mm below the text block
    section.footer_distance = Mm(PAGE_MM[1] - TOP_MM - BLOCK_MM[1] - 7)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))  # twentieths of a point
    # the extra space per character over 3号, in 1/4096 pt
    grid.set(qn("w:charSpace"), str(round((CHAR_PITCH_PT - BODY_PT) * 4096)))


def build(path: Path = TEMPLATE) -> Path:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    for part in doc.part.package.iter_parts():
        if str(part.partname).startswith("/word/theme/"):
            part._blob = _theme_xml(part.blob.decode("utf-8")).encode("utf-8")
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    styles = doc.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        theme = fonts.get(qn("w:eastAsiaTheme"))
        if theme is not None:
            del fonts.attrib[qn("w:eastAsiaTheme")]
            fonts.set(qn("w:eastAsia"), HEADING_FONT if theme.startswith("major") else BODY_FONT)
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rpr.find(qn("w:sz")).set(qn("w:val"), str(BODY_PT * 2))
    rpr.find(qn("w:szCs")).set(qn("w:val"), str(BODY_PT * 2))
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(round(LINE_PITCH_PT * 20)))
    spacing.set(qn("w:lineRule"), "exact")
    section_setup(doc.sections[0])
    doc.core_properties.language = "zh-CN"
    doc.core_properties.title = ""
    doc.core_properties.author = "zhuqi"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(build())

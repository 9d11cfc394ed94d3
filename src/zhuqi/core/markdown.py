"""A minimal, safe Markdown renderer for the product's own documents (docs/*.md): headings,
paragraphs, lists, tables, fenced code, `code`, **bold**, *emphasis* and links. Everything is
escaped first; only the markup this module writes reaches the page. Not a general Markdown
implementation: it renders what docs/ uses."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_ITEM = re.compile(r"^(\s*)([*+-]|\d+[.)])\s+(.*)$")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def _href(url: str, link_doc) -> str | None:
    if url.startswith(("https://", "http://")):
        return url
    name = url.split("#", 1)[0].rsplit("/", 1)[-1]
    if name.endswith(".md") and link_doc:
        return link_doc(name[:-3])
    return None


def _inline(text: str, link_doc=None) -> str:
    parts = text.split("`")
    out = []
    for i, part in enumerate(parts):
        if i % 2 and i < len(parts) - 1:
            out.append(f"<code>{escape(part)}</code>")
            continue
        if i % 2:  # an unmatched backtick
            part = "`" + part
        html = escape(part)

        def link(m):
            href = _href(m.group(2).replace("&amp;", "&"), link_doc)
            return f'<a href="{escape(href)}">{m.group(1)}</a>' if href else m.group(1)

        html = _LINK.sub(link, html)
        html = _BOLD.sub(r"<strong>\1</strong>", html)
        html = _EM.sub(r"<em>\1</em>", html)
        out.append(html)
    return "".join(out)


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def render(text: str, *, link_doc=None) -> SafeString:
    """HTML for the Markdown `text`; `link_doc(name)` gives the URL of another document."""
    lines = text.splitlines()
    out: list[str] = []
    para: list[str] = []
    i = 0

    def flush():
        if para:
            out.append(f"<p>{_inline(' '.join(para), link_doc)}</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
        elif line.lstrip().startswith("```"):
            flush()
            code = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                code.append(lines[i])
                i += 1
            out.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
            i += 1
        elif m := _HEADING.match(line):
            flush()
            level = min(len(m.group(1)) + 1, 6)
            out.append(f"<h{level}>{_inline(m.group(2), link_doc)}</h{level}>")
            i += 1
        elif line.lstrip().startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(lines[i])
                i += 1
            head, body = rows[0], [r for r in rows[1:] if not _RULE.match(r)]
            html = ['<div class="table-responsive"><table class="table table-sm table-bordered"><thead><tr>']
            html += [f"<th>{_inline(c, link_doc)}</th>" for c in _cells(head)]
            html.append("</tr></thead><tbody>")
            for r in body:
                html.append("<tr>" + "".join(f"<td>{_inline(c, link_doc)}</td>" for c in _cells(r)) + "</tr>")
            html.append("</tbody></table></div>")
            out.append("".join(html))
        elif m := _ITEM.match(line):
            flush()
            ordered = m.group(2)[0].isdigit()
            items: list[str] = []
            while i < len(lines) and (m := _ITEM.match(lines[i])):
                item = [m.group(3)]
                i += 1
                while i < len(lines) and lines[i].strip() and lines[i].startswith((" ", "\t")):
                    if _ITEM.match(lines[i]):
                        break
                    item.append(lines[i].strip())
                    i += 1
                items.append(f"<li>{_inline(' '.join(item), link_doc)}</li>")
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>{''.join(items)}</{tag}>")
        elif line.startswith("    ") and not para:
            code = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                code.append(lines[i][4:])
                i += 1
            out.append(f"<pre><code>{escape(chr(10).join(code).rstrip())}</code></pre>")
        else:
            para.append(line.strip())
            i += 1
    flush()
    return mark_safe("\n".join(out))  # noqa: S308 - every piece of text above is escaped

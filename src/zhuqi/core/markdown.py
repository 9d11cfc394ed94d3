"""The product's own documents (src/zhuqi/docs/*.md) as HTML, with markdown-it-py: CommonMark plus tables,
raw HTML escaped (never passed through), unsafe link schemes refused by the parser. Headings
move one level down (the page title is the h1), links to another document (`x.md`) become that
document's page in the product, and other relative links are dropped."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


def _href(url: str, link_doc: Callable[[str], str | None] | None) -> str | None:
    if url.startswith(("https://", "http://")):
        return url
    name = url.split("#", 1)[0].rsplit("/", 1)[-1]
    if name.endswith(".md") and link_doc:
        return link_doc(name[:-3])
    return None


def render(text: str, *, link_doc: Callable[[str], str | None] | None = None) -> SafeString:
    """HTML for the Markdown `text`; `link_doc(name)` gives the URL of another document."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        if token.type == "table_open":
            token.attrSet("class", "table table-sm table-bordered")
        for child in token.children or []:
            if child.type == "link_open":
                href = _href(str(child.attrGet("href") or ""), link_doc)
                if href is None:
                    child.attrs.pop("href", None)
                else:
                    child.attrSet("href", href)
    html = md.renderer.render(tokens, md.options, {})
    html = html.replace("<table ", '<div class="table-responsive"><table ').replace(
        "</table>", "</table></div>"
    )
    return mark_safe(html)  # noqa: S308 - markdown-it escapes all text and raw HTML

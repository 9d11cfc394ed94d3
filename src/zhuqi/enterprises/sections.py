"""Sections of the enterprise page. Other apps append callables `(request, enterprise) -> dict |
None`; a dict names its `template` and carries its data, and is rendered in `order`."""

from __future__ import annotations

from collections.abc import Callable

SECTIONS: list[tuple[int, Callable]] = []


def register(section: Callable, order: int = 50) -> None:
    if all(existing is not section for _, existing in SECTIONS):
        SECTIONS.append((order, section))


def render_sections(request, enterprise) -> list[dict]:
    out = []
    for _, section in sorted(SECTIONS, key=lambda item: item[0]):
        data = section(request, enterprise)
        if data:
            out.append(data)
    return out

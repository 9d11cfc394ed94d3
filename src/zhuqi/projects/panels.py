"""Panels of the project page contributed by apps above projects (the 招商 lead a project came
from). Apps append callables `(request, project) -> dict | None`; a dict names its `template`
and carries its data, rendered in `order` under the project's heading (like
`enterprises.sections` on the enterprise page)."""

from __future__ import annotations

from collections.abc import Callable

PANELS: list[tuple[int, Callable]] = []


def register(panel: Callable, order: int = 50) -> None:
    if all(existing is not panel for _, existing in PANELS):
        PANELS.append((order, panel))


def render_panels(request, project) -> list[dict]:
    out = []
    for _, panel in sorted(PANELS, key=lambda item: item[0]):
        data = panel(request, project)
        if data:
            out.append(data)
    return out

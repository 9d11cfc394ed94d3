"""What points at an official, for the hand-over when they leave (停用账号前的工作交接).

Core knows no app's models, so each app that gives a person work registers a `Duty` from its
`AppConfig.ready()`: `items(person)` lists what the person currently holds (all of it, whoever
looks: a deactivation must not leave hidden work behind) and `reassign(person, to_user, actor,
reason)` moves it to the successor through the app's own services (their audit entries and
notifications), inside the deactivation's transaction. `core.services_accounts.deactivate_user`
refuses to deactivate while any item is left without a successor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Item:
    """One thing a person holds: its label (an enterprise and role, a project…), a link for
    whoever may open it, and the region path it lies in (so a dispatch office sees which items
    are outside its county)."""

    label: str
    url: str = ""
    region_path: str = ""


@dataclass(frozen=True)
class Duty:
    """A kind of work an app gives people (包抓责任, 项目包抓领导…)."""

    key: str
    label: Any  # a lazy translation
    items: Callable[..., list[Item]]
    reassign: Callable[..., int]
    order: int = 50
    note: str = field(default="")


_duties: list[Duty] = []


def register(duty: Duty) -> None:
    if all(d.key != duty.key for d in _duties):
        _duties.append(duty)


def duties() -> list[Duty]:
    return sorted(_duties, key=lambda d: d.order)


def held_by(person) -> list[tuple[Duty, list[Item]]]:
    """Each registered duty with the items `person` holds now (duties with none left out)."""
    out = []
    for duty in duties():
        items = duty.items(person)
        if items:
            out.append((duty, items))
    return out

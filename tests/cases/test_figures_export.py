"""The figures export answers a workbook for every dimension, whatever the dates say (empty,
malformed, reversed): `/cases/figures/export/?dim=channel&start=&end=` once answered 500."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

DIMS = ["department", "category", "region", "channel", "period", "nonsense", ""]
DATES = [("", ""), ("2026-13-45", "abc"), ("2026-12-31", "2026-01-01"), ("²", "\x00")]


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("start, end", DATES)
def test_figures_export_answers_a_workbook(cw, login, dim, start, end):
    cw.new()
    cw.new(ent=cw.ent_b, channel="h12345", actor=cw.w.alice)
    response = login(cw.w.alice).get(
        reverse("cases:figures_export"), {"dim": dim, "start": start, "end": end}
    )
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    # the two cases are counted, except in a reversed period, which holds none
    assert ws.cell(1, 1).value  # the header
    if (start, end) == ("2026-12-31", "2026-01-01"):
        assert ws.max_row == 1
    else:
        assert ws.max_row >= 2

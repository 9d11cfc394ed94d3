"""The 诉求统计 export writes each rate as a number with a % format and its numerator and
denominator in their own columns (not the text "44.8%（n/d）"), so Excel can compute with them."""

import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from tests.cases.conftest import cw  # noqa: F401  (fixture)
from tests.cases.test_figures import at, data  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@time_machine.travel(at(2026, 12, 1), tick=False)
def test_figures_export_rates_are_numbers_with_their_counts(cw, data, login):  # noqa: F811
    response = login(cw.w.alice).get(
        reverse("cases:figures_export"), {"dim": "department", "start": "", "end": ""}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    col = headers.index("办结率")
    assert headers[col + 1] == "办结率（分子）" and headers[col + 2] == "办结率（分母）"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert not any(isinstance(v, str) and "%" in v for row in rows for v in row)
    filled = [r for r in rows if r[col + 2]]
    assert filled
    for r in filled:
        n, d = r[col + 1], r[col + 2]
        assert isinstance(n, int) and isinstance(d, int)
        assert r[col] == pytest.approx(n / d, abs=0.0005)  # 0.6 shown as 60.0%
    row = 2 + rows.index(filled[0])
    assert sheet.cell(row=row, column=col + 1).number_format == "0.0%"

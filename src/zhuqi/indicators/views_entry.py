"""批量录入: the grid of one data set and period: the enterprises expected to report it in the
viewer's scope (rows) × the data set's indicators (columns), prefilled with the saved values.
Arrow keys and Enter move between cells, a block pasted from Excel fills the grid from the
focused cell (static/zhuqi/indicators_grid.js), and one save writes every changed cell through
`services.record_values` (source 批量录入): all or nothing, the errors shown on their cells."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from zhuqi.core import permissions
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.params import int_param, text_param
from zhuqi.enterprises.models import Enterprise

from . import services
from .models import DataSet, Flag, IndicatorKind, Source, Value
from .periods import PER_YEAR, Period

ROWS_PER_PAGE = 50  # enterprises per page: every cell of a page fits in one form post


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def plain(amount: Decimal | None) -> str:
    """A saved amount as typed: no exponent, no trailing zeros (1200, 12.5)."""
    if amount is None:
        return ""
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def period_choices(dataset: DataSet, today) -> list[Period]:
    """The periods of the data set's type that have begun, latest first: this year and last."""
    current = Period.containing(dataset.period_type, today)
    out, p = [], current
    for _i in range(2 * PER_YEAR[dataset.period_type]):
        if not dataset.skips(p):
            out.append(p)
        p = p.previous()
    return out


def _chosen_period(dataset: DataSet, code: str, today) -> Period:
    choices = period_choices(dataset, today)
    try:
        wanted = Period.parse(code) if code else None
    except ValidationError:
        wanted = None
    if (
        wanted is not None
        and wanted.type == dataset.period_type
        and not dataset.skips(wanted)
        and wanted.start <= today
    ):
        return wanted
    last = Period.last_ended(dataset.period_type, today)
    while dataset.skips(last):
        last = last.previous()
    return last if last in choices else choices[0]


def _grid_url(dataset: DataSet, period: Period, page) -> str:
    query = {"dataset": dataset.pk, "period": period.code}
    if page:
        query["page"] = page
    return f"{reverse('indicators:grid')}?{urlencode(query)}"


@login_required
def grid(request):
    _require(request, "indicators.enter")
    params = request.POST if request.method == "POST" else request.GET
    user, today = request.user, timezone.localdate()
    datasets = list(DataSet.objects.visible_to(user).filter(is_active=True).select_related("region"))
    chosen = int_param(params, "dataset")
    dataset = next((d for d in datasets if d.pk == chosen), datasets[0] if datasets else None)
    context: dict = {"datasets": datasets, "dataset": dataset}
    if dataset is None:
        return render(request, "indicators/grid.html", context)
    period = _chosen_period(dataset, text_param(params, "period", max_length=10), today)
    items = [
        i
        for i in dataset.items.select_related("indicator").order_by("sort", "pk")
        if i.indicator.is_active and i.indicator.kind == IndicatorKind.ENTERED
    ]
    indicators = [i.indicator for i in items]
    expected = services.expected_enterprises(dataset, period.year)
    rows_qs = (
        Enterprise.objects.visible_to(user)
        .filter(pk__in=expected.values("pk"))
        .only("pk", "name", "credit_code", "region_id", "region_path")
        .order_by("name", "pk")
    )
    page = CappedPaginator(rows_qs, ROWS_PER_PAGE).get_page(params.get("page"))
    ents = list(page.object_list)
    saved = {
        (v.enterprise_id, v.indicator_id): v
        for v in Value.objects.filter(
            enterprise__in=[e.pk for e in ents], period=period.code, indicator__in=indicators
        )
    }
    locks = services.locked_periods([i.pk for i in indicators], [period.code])
    posted: dict[str, str] = {}
    cell_errors: dict[tuple[int, int | None], list[str]] = {}
    row_errors: dict[int, list[str]] = {}

    if request.method == "POST":
        posted = {k: v for k, v in request.POST.items() if k.startswith(("v-", "note-"))}
        outcome = _save(request, dataset, period, indicators, ents, saved, posted, cell_errors, row_errors)
        if outcome is not None:
            return outcome

    rows = []
    for r, ent in enumerate(ents):
        cells = []
        for c, ind in enumerate(indicators):
            v = saved.get((ent.pk, ind.pk))
            shown = plain(v.cumulative if ind.cumulative else v.value) if v else ""
            name = f"v-{ent.pk}-{ind.pk}"
            cells.append(
                {
                    "name": name,
                    "saved": shown,
                    "value": posted.get(name, shown),
                    "errors": cell_errors.get((ent.pk, ind.pk), []),
                    "flags": [Flag(f).label for f in v.flag_list] if v else [],
                    "locked": services._is_locked(locks, ind.pk, period.code, ent.region_path),
                    "r": r,
                    "c": c,
                }
            )
        notes = {v.explanation for (e, _i), v in saved.items() if e == ent.pk and v.explanation}
        note_saved = next(iter(notes)) if len(notes) == 1 else ""
        rows.append(
            {
                "ent": ent,
                "cells": cells,
                "note": {
                    "name": f"note-{ent.pk}",
                    "saved": note_saved,
                    "value": posted.get(f"note-{ent.pk}", note_saved),
                    "errors": cell_errors.get((ent.pk, None), []),
                    "r": r,
                    "c": len(indicators),
                },
                "errors": row_errors.get(ent.pk, []),
                "locked": any(c["locked"] for c in cells),
            }
        )
    context.update(
        {
            "period": period,
            "period_label": period.label(dataset.merge_jan_feb),
            "periods": [(p.code, p.label(dataset.merge_jan_feb)) for p in period_choices(dataset, today)],
            "indicators": indicators,
            "rows": rows,
            "page": page,
            "failed": bool(cell_errors or row_errors),
            "rows_errors_global": row_errors.get(0, []),
            "error_count": sum(len(m) for m in cell_errors.values())
            + sum(len(m) for m in row_errors.values()),
            "page_query": urlencode({"dataset": dataset.pk, "period": period.code}),
        }
    )
    return render(request, "indicators/grid.html", context)


def _save(request, dataset, period, indicators, ents, saved, posted, cell_errors, row_errors):
    """Write the changed cells of the post in one `record_values` call; on success redirect to
    the grid (a message says how many), else fill the error dicts and return None."""
    by_pk = {e.pk: e for e in ents}
    by_ind = {i.pk: i for i in indicators}
    notes = {}
    for key, text in posted.items():
        if key.startswith("note-"):
            pk = key[5:]
            if pk.isascii() and pk.isdigit() and int(pk) in by_pk:
                notes[int(pk)] = text.strip()[:300]
    entries: list[services.Entry] = []
    touched: set[int] = set()
    for key, text in posted.items():
        if not key.startswith("v-"):
            continue
        parts = key.split("-")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[1:]):
            continue
        ent, ind = by_pk.get(int(parts[1])), by_ind.get(int(parts[2]))
        if ent is None or ind is None:  # not a cell of this page (another page, or outside scope)
            continue
        v = saved.get((ent.pk, ind.pk))
        shown = plain(v.cumulative if ind.cumulative else v.value) if v else ""
        text = text.strip()
        note_changed = ent.pk in notes and notes[ent.pk] != (v.explanation if v else "")
        if text == shown and not (note_changed and text):
            continue
        if not text:
            if shown:
                cell_errors.setdefault((ent.pk, ind.pk), []).append(_("已保存的数值不能清空，请填写新数值"))
            continue
        try:
            amount = services.parse_amount(text, ind.name)
        except ValidationError as exc:
            cell_errors.setdefault((ent.pk, ind.pk), []).extend(exc.messages)
            continue
        touched.add(ent.pk)
        entries.append(
            services.Entry(
                ind,
                period,
                enterprise=ent,
                cumulative=amount if ind.cumulative else None,
                value=None if ind.cumulative else amount,
                explanation=notes.get(ent.pk, v.explanation if v else ""),
                row=f"{ent.pk}:{ind.pk}",
            )
        )
    # a changed 情况说明 alone re-saves the row's saved values with it
    for pk, note in notes.items():
        if pk in touched:
            continue
        for ind in indicators:
            v = saved.get((pk, ind.pk))
            if v is not None and v.explanation != note and (pk, ind.pk) not in cell_errors:
                entries.append(
                    services.Entry(
                        ind,
                        period,
                        enterprise=by_pk[pk],
                        cumulative=v.cumulative if ind.cumulative else None,
                        value=None if ind.cumulative else v.value,
                        explanation=note,
                        row=f"{pk}:{ind.pk}",
                    )
                )
    if cell_errors:
        return None
    if not entries:
        messages.info(request, _("没有修改任何数值"))
        return HttpResponseRedirect(_grid_url(dataset, period, request.POST.get("page")))
    try:
        counts = services.record_values(entries, actor=request.user, source=Source.GRID, dataset=dataset)
    except services.ValueErrors as exc:
        note_col = _("情况说明")
        for label, column, message in exc.rows:
            ent_pk, _sep, ind_pk = label.partition(":")
            if not ent_pk.isdigit():
                row_errors.setdefault(0, []).append(message)
            elif column == note_col:
                cell_errors.setdefault((int(ent_pk), None), []).append(message)
            elif column in (_("期间"), "") and ind_pk:
                row_errors.setdefault(int(ent_pk), []).append(message)
            else:
                cell_errors.setdefault((int(ent_pk), int(ind_pk)), []).append(message)
        return None
    except (PermissionDenied, Http404):
        raise Http404 from None
    n = counts["created"] + counts["updated"]
    messages.success(request, _("已保存 %(n)d 个数值") % {"n": n})
    return HttpResponseRedirect(_grid_url(dataset, period, request.POST.get("page")))

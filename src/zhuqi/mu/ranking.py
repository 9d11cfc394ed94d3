"""The ranking of a run's stored results, set-based in SQL (src/zhuqi/docs/mu-evaluation.md §5).

One UPDATE over the run's evaluated results joined to a window query built with Django's
`Window` expressions: RANK() over total (higher first), then 亩均税收 (higher first, a missing
one last), then the credit code; the percentile rank ÷ n × 100 half up to 2 decimals in integer
arithmetic (so SQLite's floats never round it); the class by rank from the scheme's counts
(`scoring.class_cuts`); and the final class after the veto or protection each result carries.
Called by `services` inside the computation's transaction, and again after a recomputation.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import Rank

from .models import Klass, Result, Veto
from .scoring import Settings, class_cuts


def _window_sql(run_id: int) -> tuple[str, tuple]:
    """SELECT id, rk FROM the run's evaluated results, rk by the documented order."""
    qs = (
        Result.objects.filter(run_id=run_id, total__isnull=False)
        .annotate(
            rk=Window(
                Rank(),
                order_by=[
                    F("total").desc(),
                    F("tax_per_mu").desc(nulls_last=True),
                    F("enterprise__credit_code").asc(),
                    F("enterprise_id").asc(),
                ],
            )
        )
        .values("id", "rk")
        .order_by()
    )
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def rank_run(run_id: int, n: int, settings: Settings) -> None:
    """Rank, percentile, class by rank and class of the `n` evaluated results of a run."""
    if n == 0:
        return
    a, b, c = class_cuts(n, settings)
    table = connection.ops.quote_name(Result._meta.db_table)
    window, params = _window_sql(run_id)
    rank_class = "CASE WHEN w.rk <= %s THEN %s WHEN w.rk <= %s THEN %s WHEN w.rk <= %s THEN %s ELSE %s END"
    rank_class_params = (a, Klass.A.value, b, Klass.B.value, c, Klass.C.value, Klass.D.value)
    sql = (
        f"UPDATE {table} SET rank = w.rk, "
        # rank ÷ n × 100 to 2 decimals half up: (rk × 20000 + n) div (2n) hundredths
        "percentile = ((w.rk * 20000 + %s) / (2 * %s)) / 100.0, "
        f"rank_class = {rank_class}, "
        f"klass = CASE WHEN {table}.veto = %s THEN %s "
        f"WHEN {table}.veto = %s AND ({rank_class}) IN (%s, %s) THEN %s "
        f"WHEN {table}.protected AND ({rank_class}) = %s THEN %s "
        f"ELSE {rank_class} END "
        f"FROM ({window}) w WHERE {table}.id = w.id"
    )
    all_params = (
        n,
        n,
        *rank_class_params,
        Veto.LOWEST.value,
        Klass.D.value,
        Veto.NOT_AB.value,
        *rank_class_params,
        Klass.A.value,
        Klass.B.value,
        Klass.C.value,
        *rank_class_params,
        Klass.D.value,
        Klass.C.value,
        *rank_class_params,
        *params,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)

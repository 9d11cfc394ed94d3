"""招商引资 benchmarks (issue #15, item 13): the pages officials open most, on the leads, contracts
and fund months `zhuqi generate` wrote (its `attraction` part; province: 100,000 leads, 20,000
contracts, 500,000 fund months), through the test client (middleware, templates and all), as a
county's 招商 office (the 专班办公室: its county's leads) and as the province administrator (all):

* the funnel (招商漏斗: counts, 滞留 and longest stay per stage, the 履约率) and the 到位资金台账
  (the year's monthly recognised amounts against last year's, and the first 50 rows):
  budget < 300 ms;
* the lead list (first page of 50, with the overdue clocks of the page) and the lead API list
  (first page of 50): budget < 100 ms.

Each against its floor, measured in the same run: the same rows read by hand-written SQL (one
grouped statement for the funnel plus one for the 履约率; the two ledger statements; the capped
count and the page for the lists), rows as tuples, no rendering. Nothing is written.

PostgreSQL only (the floors use FILTER).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from .benchmarks import Measurement, _client, _get, against_floor, timed

PAGE_BUDGET_MS = {"funnel": 300, "ledger": 300, "list": 100, "api": 100}


def _scope(user) -> tuple[str, list]:
    """The SQL of `Lead.scope_q(user)` for the two viewers benchmarked (admin: everything; the
    office: its own leads or its region subtree)."""
    if user.role == "admin":
        return "TRUE", []
    return "(l.owner_id = %s OR l.region_path LIKE %s)", [user.pk, user.region.path + "%"]


def _run(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def floor_funnel(user, today: dt.date) -> int:
    from zhuqi.attraction.selectors import STALE_DAYS
    from zhuqi.core.workcalendar import working_days_cutoff

    where, params = _scope(user)
    cutoff = working_days_cutoff(today, STALE_DAYS)
    rows = _run(
        "SELECT l.stage_id, count(*), count(*) FILTER (WHERE l.stage_entered_at < %s),"
        f" min(l.stage_entered_at) FROM attraction_lead l WHERE {where} GROUP BY l.stage_id",
        [cutoff, *params],
    )
    rows += _run(
        "SELECT count(*) FILTER (WHERE o.status = 'met'), count(*) FILTER (WHERE o.status = 'missed'),"
        " count(*) FILTER (WHERE o.status = 'due') FROM attraction_obligation o"
        " JOIN attraction_contract c ON c.id = o.contract_id JOIN attraction_lead l ON l.id = c.lead_id"
        f" WHERE o.due_on <= %s AND {where}",
        [today, *params],
    )
    return len(rows)


def floor_ledger(user, year: int) -> int:
    where, params = _scope(user)
    rows = _run(
        "SELECT f.year, f.month, sum(f.amount) FROM attraction_fundmonth f"
        " JOIN attraction_lead l ON l.id = f.lead_id"
        f" WHERE f.recognised AND f.year IN (%s, %s) AND {where} GROUP BY f.year, f.month",
        [year, year - 1, *params],
    )
    return len(rows) + _floor_page(
        "attraction_fundmonth f JOIN attraction_lead l ON l.id = f.lead_id",
        f"f.year = %s AND {where}",
        [year, *params],
        "f.id, f.year, f.month, f.source, f.amount, f.recognised, f.reason, l.id, l.title",
        "f.month DESC, f.lead_id DESC, f.source",
    )


def _floor_page(tables: str, where: str, params: list, columns: str, order: str) -> int:
    from zhuqi.core.paging import COUNT_CAP

    _run(f"SELECT count(*) FROM (SELECT 1 FROM {tables} WHERE {where} LIMIT {COUNT_CAP + 1}) t", params)
    return len(_run(f"SELECT {columns} FROM {tables} WHERE {where} ORDER BY {order} LIMIT 50", params))


LEAD_TABLES = (
    "attraction_lead l JOIN attraction_stage s ON s.id = l.stage_id"
    " JOIN attraction_pipeline p ON p.id = l.pipeline_id JOIN core_region r ON r.id = l.region_id"
    " LEFT JOIN core_department d ON d.id = l.team_id LEFT JOIN core_user u ON u.id = l.owner_id"
)
LEAD_COLUMNS = (
    "l.id, l.title, l.investor_name, l.amount, l.registered_on, l.stage_entered_at,"
    " s.name, p.name, r.name, d.name, u.full_name"
)


def floor_lead_list(user, today: dt.date) -> int:
    where, params = _scope(user)
    from zhuqi.core.paging import COUNT_CAP

    _run(
        f"SELECT count(*) FROM (SELECT 1 FROM attraction_lead l WHERE {where} LIMIT {COUNT_CAP + 1}) t",
        params,
    )
    page = _run(
        f"SELECT {LEAD_COLUMNS} FROM {LEAD_TABLES} WHERE {where}"
        " ORDER BY l.registered_on DESC, l.id DESC LIMIT 50",
        params,
    )
    ids = [r[0] for r in page]
    if ids:  # the page's overdue clocks
        _run(
            "SELECT c.lead_id, c.kind, c.due_on FROM attraction_leadclock c"
            " JOIN attraction_lead l ON l.id = c.lead_id JOIN attraction_stage s ON s.id = l.stage_id"
            " WHERE c.lead_id = ANY(%s) AND c.done_at IS NULL AND c.due_on < %s"
            " AND NOT s.is_lost AND NOT s.is_shelved AND NOT s.is_final",
            [ids, today],
        )
    return len(page)


def floor_api(user) -> int:
    where, params = _scope(user)
    from zhuqi.core.paging import COUNT_CAP

    _run(
        f"SELECT count(*) FROM (SELECT 1 FROM attraction_lead l WHERE {where} LIMIT {COUNT_CAP + 1}) t",
        params,
    )
    return len(
        _run(
            "SELECT l.*, s.name, p.code FROM attraction_lead l JOIN attraction_stage s ON s.id = l.stage_id"
            f" JOIN attraction_pipeline p ON p.id = l.pipeline_id WHERE {where}"
            " ORDER BY l.registered_on DESC, l.id DESC LIMIT 50",
            params,
        )
    )


def office_of(county):
    """The county's 招商 office: its 专班办公室 (dispatch) official."""
    from zhuqi.core.models import User
    from zhuqi.core.roles import Role

    return (
        User.objects.filter(role=Role.DISPATCH, region=county, is_active=True)
        .select_related("region", "department")
        .order_by("pk")
        .first()
    )


def bench_attraction(users, repeat: int = 15) -> list[Measurement]:
    from zhuqi.attraction.models import Contract, FundMonth, Lead

    if connection.vendor != "postgresql":
        return []
    leads = Lead.objects.count()
    if not leads:
        raise RuntimeError("no 招商 leads in this database: `zhuqi generate --only attraction` first")
    today = timezone.localdate()
    year = today.year
    office = office_of(users["county"])
    viewers = [("county 招商 office", office), ("province admin", users["admin"])]
    totals = (
        f"{leads:,} leads, {Contract.objects.count():,} contracts, {FundMonth.objects.count():,} fund months"
    )
    out: list[Measurement] = []
    for label, user in viewers:
        if user is None:
            continue
        client = _client(user)
        seen = Lead.objects.visible_to(user).count()
        pages = [
            ("funnel", "招商漏斗 page", reverse("attraction:funnel"), lambda u=user: floor_funnel(u, today)),
            (
                "ledger",
                f"到位资金台账 page ({year})",
                reverse("attraction:funds_ledger"),
                lambda u=user: floor_ledger(u, year),
            ),
            (
                "list",
                "lead list page, first 50",
                reverse("attraction:lead_list"),
                lambda u=user: floor_lead_list(u, today),
            ),
            ("api", "lead API list, first 50", "/api/v1/attraction-leads/", lambda u=user: floor_api(u)),
        ]
        for key, name, url, floor in pages:
            samples, (status, queries, size) = timed(lambda url=url, client=client: _get(client, url), repeat)
            assert status == 200, f"{url} as {label}: HTTP {status}"
            floor_samples, _rows = timed(floor, repeat)
            m = against_floor(
                f"招商 {name} ({label})",
                samples,
                floor_samples,
                "hand-written SQL of the same rows, tuples, no rendering",
                queries=queries,
                rows=seen,
                notes=f"HTTP {status}, {size:,} bytes; budget < {PAGE_BUDGET_MS[key]} ms"
                f" ({'met' if m_ok(samples, PAGE_BUDGET_MS[key]) else 'MISSED'}); {totals}",
            )
            out.append(m)
    return out


def m_ok(samples: list[float], budget_ms: int) -> bool:
    from .benchmarks import median

    return median(samples) * 1000 < budget_ms

"""Cockpit and home-page benchmarks (issue #18, item 5): "at province scale the cockpit opens in
< 300 ms for a county and for the province, every home page in < 200 ms".

Through the test client (middleware, templates and all), on the data `zhuqi generate` wrote:

* the cockpit (`cockpit:cockpit`, its default map metric) as a county leader (副县长: the
  county's figures, its towns and parks on the map), a city leader and the province
  administrator (the whole province, its cities on the map): budget < 300 ms. Each page against
  a floor measured in the same run: the cockpit's single-count figures (超时未办 and 提级 cases,
  今年受理, red and orange 督办, the year's leads) as hand-written `count(*)` statements, no
  rendering — the least the database must do to show those numbers;
* each section of the cockpit on its own (`cockpit.figures.SECTIONS`, no HTTP), with its query
  count: where the page's time goes; the sections whose figures are single counts against their
  hand-written counts;
* the home page (`home`) of every role the generator makes, and of an enterprise user (one is
  made for the county's enterprise with most cases, in a rolled-back transaction): budget
  < 200 ms, query counts.

Nothing is written (the enterprise user is rolled back). PostgreSQL only (the floors use FILTER).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from .benchmarks import Measurement, _capture, _client, _get, _ms, against_floor, median, rolled_back, timed

COCKPIT_BUDGET_MS = 300
HOME_BUDGET_MS = 200


def _count(sql: str, params: list) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


# --- the floors: one count(*) per single-count figure ---------------------------------------------
def _case_counts(path: str, now: dt.datetime) -> tuple[int, int]:
    """超时未办 (open, a running deadline passed) and 提级到县级以上调度 (open, level ≥ 3)."""
    from zhuqi.cases.models import OPEN_STATUSES

    open_ = list(OPEN_STATUSES)
    return (
        _count(
            "SELECT count(*) FROM cases_case WHERE region_path LIKE %s AND status = ANY(%s) AND next_due_at < %s",
            [path + "%", open_, now],
        ),
        _count(
            "SELECT count(*) FROM cases_case WHERE region_path LIKE %s AND status = ANY(%s)"
            " AND escalation_level >= 3",
            [path + "%", open_],
        ),
    )


def _accepted(path: str, start: dt.date) -> int:
    """今年受理: accepted cases submitted this year, not merged or withdrawn (办结率's denominator)."""
    from zhuqi.core.workcalendar import SHANGHAI

    lo = dt.datetime.combine(start, dt.time(), tzinfo=SHANGHAI)
    return _count(
        "SELECT count(*) FROM cases_case WHERE region_path LIKE %s AND submitted_at >= %s"
        " AND accepted_at IS NOT NULL AND status NOT IN ('merged', 'withdrawn')",
        [path + "%", lo],
    )


def _slips(path: str) -> tuple[int, int]:
    """红色督办 and 橙色督办: items 办理中 or 待审核 of the region's subtree by colour."""
    from zhuqi.oversight.models import Slip
    from zhuqi.oversight.selectors import QUEUE_STATUSES

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE i.slip = %s), count(*) FILTER (WHERE i.slip = %s)"
            " FROM oversight_item i JOIN core_region r ON r.id = i.region_id"
            " WHERE r.path LIKE %s AND i.status = ANY(%s)",
            [int(Slip.RED), int(Slip.ORANGE), path + "%", [str(s) for s in QUEUE_STATUSES]],
        )
        return cur.fetchone()


def _leads(path: str, start: dt.date, end: dt.date) -> int:
    """今年登记线索: leads of the subtree registered this year."""
    return _count(
        "SELECT count(*) FROM attraction_lead WHERE region_path LIKE %s AND registered_on BETWEEN %s AND %s",
        [path + "%", start, end],
    )


def floor_counts(path: str, today: dt.date) -> dict[str, int]:
    start = dt.date(today.year, 1, 1)
    overdue, escalated = _case_counts(path, timezone.now())
    red, orange = _slips(path)
    return {
        "overdue": overdue,
        "escalated": escalated,
        "accepted": _accepted(path, start),
        "red_items": red,
        "orange_items": orange,
        "leads_year": _leads(path, start, today),
    }


#: section → its single-count figures the floor reproduces (the others are rates, sums or tables)
SECTION_FLOORS = {
    "cases": ("overdue", "escalated", "accepted"),
    "oversight": ("red_items", "orange_items"),
    "attraction": ("leads_year",),
}


# --- who looks --------------------------------------------------------------------------------
def viewers(users: dict) -> dict:
    """The generated officials of the benchmarked county (and its city) by role, the province
    administrator and observer, and the city leader."""
    from zhuqi.core.models import User
    from zhuqi.core.roles import Role

    county = users["county"]
    qs = User.objects.filter(is_active=True).select_related("region", "department").order_by("pk")
    out = {"admin": users["admin"]}
    local = qs.filter(region__path__startswith=county.path)
    for role in (Role.DISPATCH, Role.LEADER, Role.DEPT_HEAD, Role.HANDLER, Role.SUPERVISOR, Role.OBSERVER):
        out[f"county {role}"] = local.filter(role=role, region=county).first()
    out["county commissioner"] = local.filter(role=Role.COMMISSIONER).first()
    out["county grid"] = local.filter(role=Role.GRID).first()
    city = county.parent
    out["city leader"] = qs.filter(role=Role.LEADER, region=city).first()
    out["city supervisor"] = qs.filter(role=Role.SUPERVISOR, region=city).first()
    out["province dispatch"] = qs.filter(role=Role.DISPATCH, region__depth=county.depth - 2).first()
    return {k: v for k, v in out.items() if v is not None}


def _enterprise_user(county):
    """An enterprise user of the county's enterprise with most cases (call inside rolled_back)."""
    from django.db.models import Count

    from zhuqi.core.models import User
    from zhuqi.core.roles import Role
    from zhuqi.enterprises.models import Enterprise, EnterpriseUser

    ent = (
        Enterprise.objects.filter(region_path__startswith=county.path)
        .annotate(n=Count("cases"))
        .order_by("-n", "pk")
        .first()
    )
    user = User.objects.create_user(username="bench_cockpit_qiye", full_name="王经理", role=Role.ENTERPRISE)
    EnterpriseUser.objects.create(user=user, enterprise=ent, is_primary=True)
    return user


# --- the benchmarks -----------------------------------------------------------------------------
def bench_cockpit(users, repeat: int = 10) -> list[Measurement]:
    if connection.vendor != "postgresql":
        return []
    out = bench_cockpit_pages(users, repeat)
    out += bench_home_pages(users, repeat)
    return out


def bench_cockpit_pages(users, repeat: int = 10) -> list[Measurement]:
    from zhuqi.cockpit import figures
    from zhuqi.cockpit.views import region_for

    today = timezone.localdate()
    who = viewers(users)
    out: list[Measurement] = []
    url = reverse("cockpit:cockpit")
    for label in ("county leader", "city leader", "admin"):
        user = who.get(label)
        if user is None:
            continue
        client = _client(user)
        samples, (status, queries, size) = timed(lambda c=client: _get(c, url), repeat)
        assert status == 200, f"{url} as {label}: HTTP {status}"
        # the region the page shows (the viewer's own; the administrator's: the province)
        request = type("R", (), {"user": user, "GET": {}})()
        region = region_for(request)
        floor_samples, counts = timed(lambda p=region.path: floor_counts(p, today), repeat)
        m = median(samples) * 1000
        out.append(
            against_floor(
                f"驾驶舱 {region.name} [{label}]",
                samples,
                floor_samples,
                "hand-written count(*) of its six single-count figures, no rendering",
                queries=queries,
                notes=f"HTTP {status}, {size:,} bytes; budget < {COCKPIT_BUDGET_MS} ms"
                f" ({'met' if m < COCKPIT_BUDGET_MS else 'MISSED'})",
                extra={"floor_counts": counts},
            )
        )
        # where the time goes: each section (and the map's default metric) on its own
        shown = figures.flat(figures.sections(user, region, today))
        again = floor_counts(region.path, today)  # 超时未办 moves with the clock: counted around it
        for key, want in counts.items():
            got = shown[key].n if key in shown else None
            if got is not None and got not in (want, again[key]):
                raise AssertionError(f"cockpit {key} = {got}, hand-written SQL = {want} ({label})")
        for build in figures.SECTIONS:
            sec_samples, sec = timed(lambda b=build, u=user, r=region: b(u, r, today), repeat)
            with _capture() as ctx:
                build(user, region, today)
            keys = SECTION_FLOORS.get(build.__name__, ())
            fl = None
            if keys:
                fl, _ = timed(lambda b=build.__name__, p=region.path: _section_floor(b, p, today), repeat)
            common = {
                "queries": ctx.count,
                "notes": "figures." + build.__name__ + ("" if sec is not None else " (no section)"),
            }
            if fl is not None:
                out.append(
                    against_floor(
                        f"  section {build.__name__} [{label}]",
                        sec_samples,
                        fl,
                        "hand-written count(*) of " + ", ".join(keys),
                        **common,
                    )
                )
            else:
                out.append(
                    Measurement(
                        f"  section {build.__name__} [{label}]",
                        "ms",
                        round(median(sec_samples) * 1000, 2),
                        _ms(sec_samples),
                        **common,
                    )
                )
        children = figures.children_of(user, region)
        map_samples, _ = timed(
            lambda u=user, r=region, c=children: figures.by_child(u, r, c, figures.DEFAULT_METRIC, today),
            repeat,
        )
        with _capture() as ctx:
            figures.by_child(user, region, children, figures.DEFAULT_METRIC, today)
        out.append(
            Measurement(
                f"  map {figures.DEFAULT_METRIC} by child ({len(children)}) [{label}]",
                "ms",
                round(median(map_samples) * 1000, 2),
                _ms(map_samples),
                queries=ctx.count,
            )
        )
    return out


def _section_floor(name: str, path: str, today: dt.date) -> None:
    start = dt.date(today.year, 1, 1)
    if name == "cases":
        _case_counts(path, timezone.now())
        _accepted(path, start)
    elif name == "oversight":
        _slips(path)
    elif name == "attraction":
        _leads(path, start, today)


def bench_home_pages(users, repeat: int = 10) -> list[Measurement]:
    url = reverse("home")
    out: list[Measurement] = []
    who = viewers(users)

    def one(label: str, user) -> None:
        client = _client(user)
        samples, (status, queries, size) = timed(lambda c=client: _get(c, url), repeat)
        assert status == 200, f"home as {label}: HTTP {status}"
        m = median(samples) * 1000
        out.append(
            Measurement(
                f"首页 [{label}]",
                "ms",
                round(m, 2),
                _ms(samples),
                queries=queries,
                notes=f"{size:,} bytes; budget < {HOME_BUDGET_MS} ms ({'met' if m < HOME_BUDGET_MS else 'MISSED'})",
            )
        )

    for label, user in who.items():
        one(label, user)
    with rolled_back():
        one("enterprise user", _enterprise_user(users["county"]))
    return out

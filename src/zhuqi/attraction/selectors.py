"""Reads of the attraction app, each starting from `Lead.objects.visible_to(user)`: the lead
list with its filters, the funnel (counts and aging per stage, one grouped query), a lead's
history. The figures' definitions are in src/zhuqi/docs/attraction-figures.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department
from zhuqi.core.params import int_param, parse_date, text_param
from zhuqi.core.scope import scope_for
from zhuqi.core.units import YI, rate
from zhuqi.core.workcalendar import working_days_between, working_days_cutoff

from . import figures
from .models import (
    AbroadTeam,
    Chain,
    ChainEnterprise,
    ChainNode,
    FundMonth,
    Lead,
    LeadClock,
    LedgerClose,
    Obligation,
    Pipeline,
    Stage,
    Target,
    WeeklyReport,
)

#: a lead that has sat in its stage this many working days or more counts as stale (滞留)
STALE_DAYS = 10


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    q: Q


#: amount bands (the seeds' 亿元以上 / 5 亿 / 20 亿 / 50 亿 thresholds); amounts are in yuan
BANDS = [
    Band("lt1", _("1 亿元以下"), Q(amount__lt=YI)),
    Band("1to5", _("1–5 亿元"), Q(amount__gte=YI, amount__lt=5 * YI)),
    Band("5to20", _("5–20 亿元"), Q(amount__gte=5 * YI, amount__lt=20 * YI)),
    Band("20to50", _("20–50 亿元"), Q(amount__gte=20 * YI, amount__lt=50 * YI)),
    Band("ge50", _("50 亿元及以上"), Q(amount__gte=50 * YI)),
]
BAND_BY_KEY = {b.key: b for b in BANDS}


def leads_for(user):
    return Lead.objects.visible_to(user).select_related("stage", "pipeline", "team", "region", "owner")


#: the lead list's columns (lead_list.html): nothing else is read for a row
LIST_FIELDS = (
    "title",
    "investor_name",
    "source",
    "amount",
    "pipeline_id",
    "stage_id",
    "stage_entered_at",
    "registered_on",
    "team__name",
    "region__name",
)


def list_rows(user):
    """The visible leads as the list shows them: the listed columns, the team and region joined
    for their names; the stage and its pipeline come from `stage_choices` (`attach_stages`), not
    from two more joins per row."""
    return Lead.objects.visible_to(user).select_related("team", "region").only(*LIST_FIELDS)


def attach_stages(leads, stages: list[Stage]) -> None:
    """Set each lead's stage (and so its pipeline) from the stage list already read."""
    by_pk = {s.pk: s for s in stages}
    for lead in leads:
        lead.stage = by_pk[lead.stage_id]
        lead.pipeline = lead.stage.pipeline


def stale_q(days: int = STALE_DAYS, now: dt.datetime | None = None) -> Q:
    """Leads in an open stage entered `days` working days ago or earlier (`working_days_cutoff`
    in core: the comparison is one indexed column, no per-row arithmetic)."""
    cutoff = working_days_cutoff(now or timezone.now(), days)
    return Q(stage_entered_at__lt=cutoff, stage__is_lost=False, stage__is_final=False)


def filter_leads(qs, params) -> tuple:
    """The list's filters (each also a drill-down target of the funnel): pipeline, stage (id),
    source, team (department id), region (subtree), band, stale (working days), registered
    from/to, a rate's part, 签约亿元以上 signed_from/signed_to, size (a size band's floor in 亿元:
    1, 5, 20, 50), chain_gap=1 (on a link marked 延链 or 补链)."""
    chosen: dict = {}
    for name in ("pipeline", "stage", "team"):
        value = int_param(params, name)
        if value:
            qs = qs.filter(**{f"{name}_id": value})
            chosen[name] = value
    region_id = int_param(params, "region")
    if region_id:  # a region's leads and everything under it (the cockpit's drill-down)
        from zhuqi.core.models import Region

        region = Region.objects.filter(pk=region_id).first()
        qs = qs.filter(region_path__startswith=region.path) if region else qs.none()
        chosen["region"] = region_id
    source = text_param(params, "source", max_length=20)
    if source:
        qs = qs.filter(source=source)
        chosen["source"] = source
    band = BAND_BY_KEY.get(text_param(params, "band", max_length=10))
    if band:
        qs = qs.filter(band.q)
        chosen["band"] = band.key
    if params.get("overdue") == "1":
        qs = qs.filter(overdue_lead_q())
        chosen["overdue"] = True
    stale = int_param(params, "stale", maximum=250)
    if stale:
        qs = qs.filter(stale_q(stale))
        chosen["stale"] = stale
    metric, part = text_param(params, "metric", max_length=10), text_param(params, "part", max_length=1)
    start, end = parse_date(params.get("from")), parse_date(params.get("to"))
    if start and end:
        qs = figures.cohort(qs, start, end)
        chosen["from"], chosen["to"] = start, end
    signed_from, signed_to = parse_date(params.get("signed_from")), parse_date(params.get("signed_to"))
    if signed_from and signed_to:  # 签约亿元以上项目 of a period (oversight's drill-down)
        qs = qs.filter(figures.signed_major_q(signed_from, signed_to))
        chosen["signed_from"], chosen["signed_to"] = signed_from, signed_to
    size = int_param(params, "size", maximum=50)
    if size in figures.SIZE_FLOORS:  # a size band: plan amount of `size` 亿元 or more
        qs = qs.filter(amount__gte=size * YI)
        chosen["size"] = size
    if params.get("chain_gap") == "1":  # on a 延链/补链 link (the 延链补链 target's drill-down)
        qs = qs.filter(figures.chain_gap_q())
        chosen["chain_gap"] = True
    if metric in figures.METRIC_KEYS and part in ("n", "d"):
        qs = qs.filter(figures.metric_q(metric, part))
        chosen["metric"], chosen["part"] = metric, part
    q = text_param(params, "q", max_length=50)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(investor_name__icontains=q))
        chosen["q"] = q
    return qs, chosen


def overdue_lead_q(today: dt.date | None = None) -> Q:
    """Leads with a clock past its day (超时): `services.overdue_q`, as one EXISTS."""
    from .services import overdue_q

    today = today or timezone.localdate()
    return Q(Exists(LeadClock.objects.filter(overdue_q(today), lead=OuterRef("pk"))))


def overdue_clocks(leads, today: dt.date | None = None) -> dict[int, list[LeadClock]]:
    """The overdue clocks of a page of leads, by lead id (one query)."""
    from .services import overdue_q

    today = today or timezone.localdate()
    out: dict[int, list[LeadClock]] = {}
    for c in LeadClock.objects.filter(overdue_q(today), lead__in=[lead.pk for lead in leads]).order_by(
        "due_on"
    ):
        out.setdefault(c.lead_id, []).append(c)
    return out


def aging(lead: Lead, today: dt.date | None = None) -> int:
    """Working days the lead has been in its current stage (core's calendar)."""
    entered = timezone.localtime(lead.stage_entered_at).date()
    return working_days_between(entered, today or timezone.localdate())


def funnel(user, today: dt.date | None = None) -> list[dict]:
    """Per pipeline, per stage: how many visible leads are in it, how many have sat
    `STALE_DAYS` working days or more, the longest stay (working days) and the plan amount.
    One grouped query; the aging of the oldest is computed once per stage."""
    today = today or timezone.localdate()
    stale_cutoff = working_days_cutoff(today, STALE_DAYS)
    rows = (
        Lead.objects.visible_to(user)
        .values("stage_id")
        .annotate(
            n=Count("pk"),
            stale=Count("pk", filter=Q(stage_entered_at__lt=stale_cutoff)),
            oldest=Min("stage_entered_at"),
        )
        .order_by()
    )
    by_stage = {r["stage_id"]: r for r in rows}
    out = []
    for pipeline in Pipeline.objects.filter(is_active=True).prefetch_related("stages"):
        stages = []
        for stage in sorted(pipeline.stages.all(), key=lambda s: s.order):
            r = by_stage.get(stage.pk, {})
            oldest = r.get("oldest")
            tracks_time = not (stage.is_lost or stage.is_final)
            stages.append(
                {
                    "stage": stage,
                    "n": r.get("n", 0),
                    "stale": r.get("stale", 0) if tracks_time else None,
                    "longest": (
                        working_days_between(timezone.localtime(oldest).date(), today)
                        if oldest and tracks_time
                        else None
                    ),
                }
            )
        out.append({"pipeline": pipeline, "stages": stages, "total": sum(s["n"] for s in stages)})
    return out


def stage_choices() -> list[Stage]:
    return list(Stage.objects.select_related("pipeline").order_by("pipeline__order", "order"))


def fulfilment(user, as_of: dt.date | None = None) -> dict:
    """履约率 over the visible leads' obligations that fell due by `as_of`: met ÷ (met + missed)
    of those already checked; due-but-unchecked ones are shown beside it, not counted
    (attraction-figures.md). One grouped query."""
    as_of = as_of or timezone.localdate()
    obligations = Obligation.objects.filter(due_on__lte=as_of)
    if not scope_for(user).is_admin:  # who sees every lead needs no semi-join over them
        obligations = obligations.filter(contract__lead__in=Lead.objects.visible_to(user).values("pk"))
    rows = obligations.aggregate(
        met=Count("pk", filter=Q(status=Obligation.Status.MET)),
        missed=Count("pk", filter=Q(status=Obligation.Status.MISSED)),
        unchecked=Count("pk", filter=Q(status=Obligation.Status.DUE)),
    )
    return {
        **rows,
        "denominator": rows["met"] + rows["missed"],
        "rate": rate(rows["met"], rows["met"] + rows["missed"]),
    }


def funds_for(user):
    """Fund months of the leads `user` may see (everyone's for whom sees every lead: no
    semi-join over the whole lead table)."""
    rows = FundMonth.objects.select_related("lead")
    if scope_for(user).is_admin:
        return rows
    return rows.filter(lead__in=Lead.objects.visible_to(user).values("pk"))


#: the most 招商 teams the lead list offers in its filter; a province's thousand are no choice
TEAM_OPTIONS_MAX = 200


def lead_teams(user, region=None):
    """The 招商 teams of the leads `user` sees, for the list's filter: the departments that
    follow one (not every department of the scope: a province has thousands), of `region`'s
    subtree when given."""
    leads = Lead.objects.visible_to(user).exclude(team=None)
    if region is not None:
        leads = leads.filter(region_path__startswith=region.path)
    return (
        Department.objects.visible_to(user)
        .filter(is_active=True, pk__in=leads.values("team"))
        .order_by("name")
    )


def team_options(user, region_id: int | None = None) -> list[Department] | None:
    """The teams the list's filter offers: those of the chosen region's leads, else of all the
    visible ones; None when more than TEAM_OPTIONS_MAX (the filter is then not offered: a
    province administrator narrows by region first, from the cockpit or the funnel)."""
    from zhuqi.core.models import Region

    region = Region.objects.filter(pk=region_id).first() if region_id else None
    teams = list(lead_teams(user, region)[: TEAM_OPTIONS_MAX + 1])
    return None if len(teams) > TEAM_OPTIONS_MAX else teams


def ledger(user, year: int, region=None, team=None) -> list[dict]:
    """The monthly cumulative 台账 of recognised 省外到位资金: per month of `year`, the month's
    amount, the cumulative amount Jan–month, last year's cumulative amount and the growth (%,
    half up; "—" when last year had none), counting no row recorded after its month was closed
    (`figures.counted_q`). One grouped query over both years. Of the leads
    landing in `region`'s subtree, or followed by `team`, when given."""
    funds = funds_for(user)
    if region is not None:
        funds = funds.filter(lead__region_path__startswith=region.path)
    if team is not None:
        funds = funds.filter(lead__team=team)
    rows = (
        funds.filter(figures.counted_q(), recognised=True, year__in=[year, year - 1])
        .values("year", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by = {(r["year"], r["month"]): r["total"] for r in rows}
    out, cum, cum_ly = [], Decimal(0), Decimal(0)
    for month in range(1, 13):
        amount = by.get((year, month), Decimal(0))
        cum += amount
        cum_ly += by.get((year - 1, month), Decimal(0))
        out.append(
            {
                "month": month,
                "amount": amount,
                "cumulative": cum,
                "last_year": cum_ly,
                "growth": rate(cum - cum_ly, cum_ly),
            }
        )
    return out


def ledger_closes(region, year: int) -> dict[int, LedgerClose]:
    """The close (关账) that governs each month of `year` for the leads of `region`: a close of the
    region or of a region above it (a county's close locks its parks too), still closed ones
    first, then the latest. Read for the region's own 台账 page, whose viewer's leads it locks."""
    rows = (
        LedgerClose.objects.filter(region__path__in=region.ancestor_paths(), year=year)
        .select_related("region", "closed_by", "reopened_by")
        .order_by("month", "-region__depth")
    )
    out: dict[int, LedgerClose] = {}
    for c in rows:
        held = out.get(c.month)
        if held is None or (c.is_closed and not held.is_closed):
            out[c.month] = c
    return out


def targets_for(user):
    return Target.objects.visible_to(user).select_related("chain_node__chain", "team", "owner", "region")


def chain_map(user) -> list[dict]:
    """The 产业链全景图 as rows: each visible chain, its links (up/mid/downstream) with their gap,
    the target enterprises and open leads on each link (two grouped queries), and the local
    enterprises of the link's GB/T 4754 divisions (suggested, not confirmed: one query)."""
    from zhuqi.enterprises.models import Enterprise

    chains = list(
        Chain.objects.visible_to(user)
        .prefetch_related(Prefetch("nodes", queryset=ChainNode.objects.filter(is_active=True)))
        .select_related("leader", "department", "region")
    )
    confirmed = dict(
        ChainEnterprise.objects.filter(
            node__chain__in=chains,
            node__is_active=True,
            status=ChainEnterprise.Status.CONFIRMED,
            enterprise__in=Enterprise.objects.visible_to(user).values("pk"),
        )
        .values_list("node__chain")
        .annotate(n=Count("enterprise", distinct=True))
        .order_by()
    )
    node_ids = [n.pk for c in chains for n in c.nodes.all()]
    targets = dict(
        Target.objects.visible_to(user)
        .filter(chain_node__in=node_ids)
        .values_list("chain_node")
        .annotate(n=Count("pk"))
        .order_by()
    )
    leads = dict(
        Lead.objects.visible_to(user)
        .filter(chain_node__in=node_ids, stage__is_lost=False)
        .values_list("chain_node")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {}
    filters = {}
    for c in chains:
        for n in c.nodes.all():
            divisions = {code.strip()[:2] for code in n.industry_codes.split(",") if code.strip()}
            if divisions:
                filters[f"n{n.pk}"] = Count(
                    "pk", filter=Q(industry__code__in=divisions, region_path__startswith=c.region.path)
                )
    if filters:
        counts = Enterprise.objects.visible_to(user).aggregate(**filters)
    out = []
    for c in chains:
        rows = [
            {
                "node": n,
                "targets": targets.get(n.pk, 0),
                "leads": leads.get(n.pk, 0),
                "local": counts.get(f"n{n.pk}", 0),
            }
            for n in sorted(c.nodes.all(), key=lambda n: (["up", "mid", "down"].index(n.position), n.pk))
        ]
        out.append({"chain": c, "rows": rows, "confirmed": confirmed.get(c.pk, 0)})
    return out


def teams_for(user):
    return AbroadTeam.objects.visible_to(user).select_related("department")


def reports_for(user):
    return WeeklyReport.objects.visible_to(user).select_related("team__department", "submitted_by")


#: weeks the 周报 board shows, the current one first
BOARD_WEEKS = 8


def report_board(user, today: dt.date | None = None, weeks: int = BOARD_WEEKS) -> dict:
    """The 周报 board: each visible active team × the last `weeks` ISO weeks (the current one
    first, so a phone shows the recent weeks), each cell 已报 (with the report; 迟报 when filed after its due day), 未报 (due day
    passed), 待报 (due day not yet passed) or blank (before the team was set up). Two queries."""
    from .services_weekly import due_date, iso_week

    today = today or timezone.localdate()
    this_monday = today - dt.timedelta(days=today.weekday())
    mondays = [this_monday - dt.timedelta(weeks=i) for i in range(weeks)]
    keys = [iso_week(m) for m in mondays]
    teams = list(teams_for(user).filter(is_active=True).order_by("department__name", "pk"))
    reports = {
        (r.team_id, r.year, r.week): r
        for r in WeeklyReport.objects.filter(
            team__in=teams, year__in={y for y, _w in keys}, week__in={w for _y, w in keys}
        )
    }
    rows = []
    for team in teams:
        cells = []
        filed = due_count = 0
        for monday, (year, week) in zip(mondays, keys, strict=True):
            due = due_date(team, year, week)
            report = reports.get((team.pk, year, week))
            if monday + dt.timedelta(days=6) < team.created_on:
                state = ""
            elif report is not None:
                state = "late" if timezone.localtime(report.submitted_at).date() > due else "filed"
            elif today > due:
                state = "missing"
            else:
                state = "pending"
            if state in ("filed", "late"):
                filed += 1
            if state in ("filed", "late", "missing"):
                due_count += 1
            cells.append({"year": year, "week": week, "due": due, "state": state, "report": report})
        rows.append(
            {"team": team, "cells": cells, "filed": filed, "due": due_count, "rate": rate(filed, due_count)}
        )
    return {
        "weeks": [{"year": y, "week": w, "monday": m} for m, (y, w) in zip(mondays, keys, strict=True)],
        "rows": rows,
    }


def breached_obligations(region, user=None):
    """Obligations of the leads of `region`'s subtree (and visible to `user`, when given) under a
    违约预警: past their date and not met, marked by the sweep — what oversight raises as
    supervision items. Each row carries its contract and lead."""
    leads = Lead.objects.filter(region_path__startswith=region.path)
    if user is not None:
        leads = leads.filter(pk__in=Lead.objects.visible_to(user).values("pk"))
    return (
        Obligation.objects.filter(contract__lead__in=leads.values("pk"), breached_at__isnull=False)
        .exclude(status=Obligation.Status.MET)
        .select_related("contract__lead__team", "contract__lead__region")
        .order_by("due_on", "pk")
    )

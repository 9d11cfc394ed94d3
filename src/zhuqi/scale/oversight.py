"""Generator part `oversight`: supervision items (督办事项) and a year of county assessments.

Items (`Scale.oversight_items`; province: 200,000): each county's share, led by its working
departments (kinds government, town, park), assigned over the year up to `today` with deadlines
in working days (the part's `WorkDays` snapshot). About seven in ten are 已销号 (most on time, a
few late and red), two in a hundred 已撤销; the open ones come in every colour, each with a
reason the sweep (`oversight/sweep.py`) would have given on those dates:

* 正常: the deadline more than three working days away, progress reported on schedule;
* 蓝色提醒: 临近办理时限 (due within three working days) or 应报送进展 (a report date passed);
* 橙色督办: 重大/紧急/领导批示事项, 落后于时序进度, or 蓝色提醒后未响应;
* 红色督办: 超过办理时限 (past the deadline) or 橙色督办后未响应.

Every slip has its 督办单 (SlipRecord) and every reply, progress report and 销号 its report row,
so the queue, an item's history and the 按期办结率 read the generated items as they read real ones.

Assessments: each city's 督查 user sets one quarterly scheme on the counties sequence
(`SCHEME_ITEMS`, the one bench/bench_oversight.py times) through `services_assessment`, computes
it for every quarter of `today`'s year that has ended, and publishes it — the services, not raw
rows, so the results are what users get (the inbox notices included; no copy goes out by SMS or
e-mail to the made-up officials). Without cases or projects the scheme still computes
(empty metrics score by the rules).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator

from .generate import Context, World, Writer, register_part
from .indicators import _split
from .parts import WorkDays, check_fields
from .parts import _aware as _at  # `day` at 08:00 Beijing time + minutes

#: the scheme every city sets (and the province-wide one bench/bench_oversight.py computes)
SCHEME_ITEMS = [
    {"name": "诉求办结率", "metric": "cases.close_rate", "weight": "40", "rule": "ratio", "target": "95"},
    {"name": "超期未办结诉求", "metric": "cases.overdue", "weight": "20", "rule": "rank", "step": "0.2"},
    {"name": "重点项目投资计划完成率", "metric": "projects.investment", "weight": "40", "rule": "ratio"},
]
WORKING_KINDS = ("government", "town", "park")
#: share of items closed (销号) and cancelled; the rest are open
CLOSED, CANCELLED = 0.70, 0.02
#: the open items' colours: (slip, share)
COLOURS = [(0, 0.34), (1, 0.24), (2, 0.22), (3, 0.20)]
SOON = 3  # working days: sweep.SOON_DAYS (a blue reminder before the deadline)
TITLES = [
    "推进规上工业企业培育入库",
    "落实重点项目要素保障",
    "完成年度工业投资任务",
    "解决企业用地指标问题",
    "推进园区标准化厂房建设",
    "落实助企纾困政策兑现",
    "推进企业技术改造项目",
    "化解企业融资难题",
    "完成闲置低效用地处置",
    "推进“亩均论英雄”改革",
    "落实安全生产专项整治",
    "推进招商引资签约项目落地",
    "完成营商环境问题整改",
    "推进企业用工保障",
    "落实重点企业包抓走访",
]
SOURCES = [("plan", 0.45), ("meeting", 0.30), ("instruction", 0.10), ("other", 0.15)]
LISTS = [("task", 0.5), ("responsibility", 0.2), ("deadline", 0.2), ("", 0.1)]
FREQUENCIES = [("none", 0.4), ("monthly", 0.3), ("half_month", 0.15), ("weekly", 0.1), ("quarterly", 0.05)]
ITEM_FIELDS = {
    "id",
    "region_id",
    "title",
    "requirement",
    "source",
    "list_kind",
    "year",
    "lead_department_id",
    "priority",
    "report_frequency",
    "assigned_on",
    "working_days",
    "due_on",
    "status",
    "slip",
    "slip_reason",
    "slip_at",
    "progress_pct",
    "last_response_at",
    "next_report_on",
    "closed_at",
    "created_by_id",
    "created_at",
}


def available() -> str | None:
    for label, provided in (
        ("oversight.Item", ITEM_FIELDS),
        ("oversight.SlipRecord", {"id", "item_id", "slip", "reason", "issued_at"}),
        ("oversight.Report", {"id", "item_id", "kind", "body", "progress_pct", "by_id", "at"}),
        ("oversight.Scheme", {"region", "name", "year", "period_kind", "sequence"}),
    ):
        why = check_fields(label, provided)
        if why:
            return why
    return None


def _pick(rng: random.Random, weighted: list[tuple]) -> object:
    r, acc = rng.random(), 0.0
    for value, share in weighted:
        acc += share
        if r < acc:
            return value
    return weighted[-1][0]


def item_plans(  # noqa: C901 - one item's state from its colour, branch by branch
    rng: random.Random, days: WorkDays, today: dt.date, counties: list[tuple[int, list[int], list[int]]]
) -> Iterator[dict]:
    """Item rows (without id) with their `_slips` [(slip, reason, day)] and `_reports`
    [(kind, progress, day)], for `counties` = [(county id, its n items' lead departments, creators)]."""
    working = set(days.days)

    def back(n: int, day: dt.date | None = None) -> dt.date:
        """The working day `n` (≥ 0) working days before `day` (today); never after it."""
        day = day or today
        return day if n <= 0 and day in working else days.add(day, -max(n, 1))

    year_start = dt.date(today.year, 1, 1)
    first = days.add(year_start, 1)
    span = max(1, days.between(first, back(3)))
    for county_id, leads, creators in counties:
        for lead in leads:
            wd = rng.choice([5, 10, 15, 20, 20, 30, 30, 60])
            priority = "normal" if rng.random() < 0.92 else rng.choice(["major", "urgent", "instruction"])
            frequency = _pick(rng, FREQUENCIES)
            source = "instruction" if priority == "instruction" else _pick(rng, SOURCES)
            slips: list[tuple[int, str, dt.date]] = []
            reports: list[tuple[str, str | None, dt.date]] = []
            progress: str | None = None
            last_response = next_report = closed = None
            r = rng.random()
            if r < CLOSED + CANCELLED:
                assigned = days.add(first, rng.randrange(span))
                due = days.add(assigned, wd)
                status = "closed" if r < CLOSED else "cancelled"
                if status == "closed":
                    late = rng.random() < 0.12 and days.add(due, 1) < today
                    if late:
                        reply = days.add(due, rng.randint(1, 10))
                    else:
                        reply = days.add(assigned, rng.randint(1, max(1, days.between(assigned, due))))
                    reply = min(reply, back(1))
                    closed = min(days.add(reply, rng.randint(1, 3)), today)
                    if priority != "normal":
                        slips.append((2, "marked", assigned))
                    if reply >= days.add(due, -SOON) and priority == "normal":
                        slips.append((1, "due_soon", days.add(due, -SOON)))
                    if reply > due:
                        slips.append((3, "overdue", days.add(due, 1)))
                    progress = "100.0"
                    last_response = reply
                    reports += [
                        ("reply", "100.0", reply),
                        ("accepted", None, closed),
                        ("closed", None, closed),
                    ]
            else:
                status = "assigned"
                priority = "normal"  # a marked item is orange at once: only the branches below mark
                colour = _pick(rng, COLOURS)
                ahead = rng.randint(SOON + 1, SOON + 40)  # a deadline after the blue window
                due = days.add(today, ahead)
                if colour == 0:
                    pass
                elif colour == 1:
                    if rng.random() < 0.6:
                        due = days.add(today, rng.randint(0, SOON))
                        slips.append((1, "due_soon", max(back(rng.randint(0, 2)), days.add(due, -SOON))))
                    else:
                        frequency = rng.choice(["weekly", "half_month", "monthly"])
                        next_report = back(rng.randint(0, 2))
                        slips.append((1, "report_due", next_report))
                elif colour == 2:
                    k = rng.random()
                    if k < 0.45:
                        priority = rng.choice(["major", "urgent", "instruction"])
                        source = "instruction" if priority == "instruction" else source
                        slips.append((2, "marked", back(rng.randint(5, 30))))
                        last_response = back(rng.randint(0, 2))  # answered: not ignored
                        reports.append(("progress", None, last_response))
                    elif k < 0.75:
                        slips.append((2, "behind", back(rng.randint(0, 2))))
                    else:
                        orange = back(rng.randint(0, 2))
                        frequency = "monthly"
                        next_report = back(4, orange)
                        slips += [(1, "report_due", next_report), (2, "ignored_blue", orange)]
                elif rng.random() < 0.75:
                    due = back(rng.randint(1, 25))
                    slips += [(1, "due_soon", days.add(due, -SOON)), (3, "overdue", days.add(due, 1))]
                else:
                    orange = back(rng.randint(4, 10))
                    priority = rng.choice(["major", "urgent"])
                    slips += [(2, "marked", orange), (3, "ignored_orange", days.add(orange, 4))]
                earliest = min([due] + [d for _s, _r, d in slips] + [next_report or due])
                assigned = min(days.add(due, -wd), earliest, back(rng.randint(0, 10)))
                if colour == 2 and slips[-1][1] == "behind":
                    elapsed = days.between(assigned, today) / max(1, days.between(assigned, due))
                    progress = f"{max(0.0, min(elapsed, 1.0) * 50 - 5):.1f}"
                elif colour != 3 or rng.random() < 0.5:
                    progress = f"{rng.randint(1, 9) * 10}.0"
                if frequency != "none" and next_report is None:
                    next_report = today + dt.timedelta(days=rng.randint(1, 7))
                if rng.random() < 0.2:  # replied, 督查 to review (or accepted, to 销号)
                    status = "replied" if rng.random() < 0.8 else "accepted"
                    reply = back(rng.randint(0, 1))
                    reply = max(reply, slips[-1][2]) if slips else reply
                    last_response, progress = reply, "100.0"
                    reports.append(("reply", "100.0", reply))
                    if status == "accepted":
                        reports.append(("accepted", None, reply))
                if last_response is None and frequency != "none" and assigned < back(5):
                    last_response = back(rng.randint(3, 5))
                    reports.append(("progress", progress, last_response))
            slip = slips[-1] if slips else (0, "", None)
            yield {
                "region_id": county_id,
                "title": rng.choice(TITLES),
                "requirement": "请牵头单位按时限办结，按频次报送进展，办结后上传佐证材料。",
                "source": source,
                "list_kind": _pick(rng, LISTS),
                "year": assigned.year,
                "lead_department_id": lead,
                "priority": priority,
                "report_frequency": frequency,
                "assigned_on": assigned,
                "working_days": days.between(assigned, due),
                "due_on": due,
                "status": status,
                "slip": slip[0],
                "slip_reason": slip[1],
                "slip_at": _at(slip[2], 30) if slip[2] else None,
                "progress_pct": progress,
                "last_response_at": _at(last_response, 120) if last_response else None,
                "next_report_on": next_report if status == "assigned" else None,
                "closed_at": _at(closed, 300) if closed else None,
                "created_by_id": rng.choice(creators) if creators else None,
                "created_at": _at(assigned, 60),
                "_slips": slips,
                "_reports": reports,
            }


def write_items(
    w: Writer, world: World, total: int, *, seed: int, today: dt.date, label: str = "oversight"
) -> int:
    """`total` supervision items over the counties of `world` (with their slips and reports):
    the `oversight` part, and what bench/bench_oversight.py writes when none were generated."""
    from zhuqi.core.models import Department
    from zhuqi.core.roles import Role
    from zhuqi.oversight.models import Item, Report, SlipRecord

    if total <= 0 or not world.counties:
        return 0
    rng = random.Random(f"{seed}:{label}")
    by_path = {c.path: c for c in world.counties}
    working: dict[int, list[int]] = {c.id: [] for c in world.counties}
    for dept_id, path in (
        Department.objects.filter(region__path__startswith=f"{world.province_code}/", kind__in=WORKING_KINDS)
        .order_by("pk")
        .values_list("id", "region__path")
    ):
        county = by_path.get("/".join(path.split("/")[:3]) + "/")
        if county is not None:
            working[county.id].append(dept_id)
    counties = [c for c in world.counties if working[c.id]]
    if not counties:
        return 0
    days = WorkDays(dt.date(today.year - 1, 1, 1), today + dt.timedelta(days=200))  # before any COPY
    shares = _split(total, [1.0] * len(counties))
    plan = [
        (
            c.id,
            [rng.choice(working[c.id]) for _ in range(n)],
            c.users.get(Role.SUPERVISOR) or c.users.get(Role.DISPATCH) or [],
        )
        for c, n in zip(counties, shares, strict=True)
    ]
    item0, slip0, report0 = w.next_id(Item), w.next_id(SlipRecord), w.next_id(Report)
    slips: list[dict] = []
    reports: list[dict] = []

    def items() -> Iterator[dict]:
        for i, row in enumerate(item_plans(rng, days, today, plan)):
            row["id"] = item_id = item0 + i
            for slip, reason, day in row.pop("_slips"):
                slips.append(
                    {
                        "id": slip0 + len(slips),
                        "item_id": item_id,
                        "slip": slip,
                        "reason": reason,
                        "issued_at": _at(day, 30),
                    }
                )
            for kind, progress, day in row.pop("_reports"):
                reports.append(
                    {
                        "id": report0 + len(reports),
                        "item_id": item_id,
                        "kind": kind,
                        "body": "已按要求推进，详见佐证材料。" if kind in ("reply", "progress") else "",
                        "progress_pct": progress,
                        "by_id": None,
                        "at": _at(day, 120 if kind in ("reply", "progress") else 300),
                    }
                )
            yield row

    n = w.write(Item, items(), total=total)
    w.write(SlipRecord, slips, total=len(slips))
    w.write(Report, reports, total=len(reports))
    return n


def gen_assessments(ctx: Context) -> int:
    """Each city's quarterly county assessment, computed and published for every ended quarter
    of `today`'s year through the services (as the city's 督查 would)."""
    from zhuqi.core import notify
    from zhuqi.core.models import Region, User
    from zhuqi.core.roles import Role
    from zhuqi.indicators.periods import Period
    from zhuqi.oversight import services_assessment as sa
    from zhuqi.oversight.models import Scheme

    started = time.perf_counter()
    year, today = ctx.today.year, ctx.today
    quarters = [p for p in (Period(year, "Q", q) for q in range(1, 5)) if p.end < today]
    name = f"{year}年县域助企服务季度考核"
    users = User.objects.filter(username__startswith=ctx.world.user_prefix)
    admin = users.filter(role=Role.ADMIN).order_by("pk").first()
    done = 0
    # the publications' inbox rows stay; their outbound copies (SMS, e-mail, webhooks) are not
    # sent: the generated officials' mobiles are made up
    with notify.inbox_only():
        for city in Region.objects.filter(
            path__startswith=f"{ctx.world.province_code}/", kind="city"
        ).order_by("path"):
            actor = users.filter(role=Role.SUPERVISOR, region=city).order_by("pk").first() or admin
            if actor is None or Scheme.objects.filter(region=city, year=year, name=name).exists():
                continue
            scheme = sa.save_scheme(
                None,
                actor=actor,
                region=city,
                name=name,
                year=year,
                period_kind="Q",
                sequence="counties",
                items=SCHEME_ITEMS,
            )
            for period in quarters:
                a = sa.compute_assessment(scheme, period.code, actor=actor, today=today)
                sa.publish_assessment(a, actor=actor, confirm=True)
                done += 1
    w = ctx.writer
    w.counts["oversight.assessment"] = w.counts.get("oversight.assessment", 0) + done
    w.seconds["oversight.assessment"] = (
        w.seconds.get("oversight.assessment", 0.0) + time.perf_counter() - started
    )
    return done


def gen_oversight(ctx: Context) -> None:
    write_items(ctx.writer, ctx.world, ctx.scale.oversight_items, seed=ctx.seed, today=ctx.today)
    gen_assessments(ctx)


register_part("oversight", available, gen_oversight)

"""Generator part `attraction` (招商引资): leads across the stages of both pipelines with their
stage history, the clocks of the big leads, pre-reviews with the departments' opinions, contracts
with their obligations, funds in place by month and source, and each county's chains and target
enterprises.

Counts (`Scale.leads`, `Scale.lead_contracts`, `Scale.fund_months`; province: 100,000 leads,
20,000 contracts, 500,000 fund months) are exact. Every row is what the services would have left:

* **history**: each lead registered in 线索 (`StageChange` from nothing), then forward moves (考察 is
  sometimes skipped), now and then a move back one stage with its reason, and for some a last
  move into 搁置 or 流失 with a reason (流失 also after 签约). `stage` and `stage_entered_at` are
  those of the last move. Times run backwards from `now`: the leads still open sat in their stage
  for an exponential while (some past the 10-working-day 滞留 mark), the others moved on long ago;
* **pre-review**: every lead that reached 签约 has a concluded pre-review (同意 or 有条件同意) with
  one opinion per reviewer department of its county (the "14" and the "+n" of its industry code,
  `ReviewRule` rows written here), concluded before the move into 签约; leads now in 预审 have an
  open one (some opinions given), a passed one waiting to sign, or — when lost — a rejected one;
* **contracts**: one at 签约 (formal, or for some a framework agreement), and for the
  contracts beyond the count of signed leads a second one (a framework before a formal one, or
  the formal one after a framework). Formal contracts carry 开工, 固定资产投资, 竣工 and 亩均税收
  obligations; past their date they are checked (开工 by the stage history, as the sweep does)
  or under a 违约预警 (`breached_at`), as `services.sweep_obligations` leaves them;
* **clocks** (≥ 1 亿元, `services.CLOCK_THRESHOLD`): 响应/研判/反馈推荐人 from the registration day,
  stopped by the first move or a note, and the chain of 报告进展 clocks each restarted by its report;
  a clock still running past its day while the lead was open has its `overdue_at` (the sweep's
  mark the morning after);
* **funds**: months from the month a lead reached 注册 to last month, by source (the investor's
  own 国内省外 money first), recorded a few days after the month, each recognised or not by the
  rules of `services.RECOGNITION` as they stood when recorded (a month recorded before 开工 is
  not recognised: 主体工程尚未开工), with the reasons in the service's words.

Deterministic with the seed; no query runs while a COPY is open (everything is read first).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from zhuqi.core.units import WAN, YI
from zhuqi.core.workcalendar import SHANGHAI

from .generate import Context, County, register_part
from .indicators import _split
from .parts import PRODUCTS, WorkDays, check_models
from .parts import _aware as _at  # `day` at 08:00 Beijing time + minutes

CHUNK = 20_000
#: the main stages in order (migration attraction.0002) and their indexes
MAIN = ["lead", "contact", "visit", "negotiating", "prereview", "signed", "registered", "land", "started"]
NAMES = ["线索", "接洽", "考察", "在谈", "预审", "签约", "注册", "供地", "开工"]
SIGNED, REGISTERED, STARTED, PREREVIEW = 5, 6, 8, 4
#: how far the unsigned leads got (线索 … 预审), and the signed ones (签约 … 开工)
UNSIGNED_REACH = [0.34, 0.24, 0.14, 0.16, 0.12]
SIGNED_REACH = [0.22, 0.26, 0.14, 0.38]
#: unsigned leads: shelved, lost (the rest are open); signed leads: lost afterwards
SHELVED, LOST, LOST_AFTER_SIGNING = 0.14, 0.28, 0.04
SOURCES = [("referral", 30), ("abroad", 20), ("exhibition", 18), ("fund", 8), ("agency", 14), ("adviser", 10)]
HOME_REGIONS = [
    "上海市",
    "江苏省",
    "浙江省",
    "广东省",
    "北京市",
    "山东省",
    "福建省",
    "湖北省",
    "四川省",
    "天津市",
]
INVESTOR_PLACES = [
    "上海",
    "苏州",
    "杭州",
    "宁波",
    "深圳",
    "广州",
    "北京",
    "青岛",
    "厦门",
    "武汉",
    "成都",
    "无锡",
]
BRANDS = "恒顺鑫源宏达盛泰瑞丰隆昌华海天宇金诚信德利通远博创嘉禾汇中祥和康力众联新锦铭凯正鼎晟永佳豪"
TITLES = [
    "年产{n}万吨{p}项目",
    "{p}智能制造基地项目",
    "{p}生产线扩建项目",
    "{p}产业园项目",
    "{p}研发及生产项目",
]
#: industry codes of leads without a chain link (the rest take their link's first code)
CODES = ["2651", "2927", "3489", "3571", "3841", "3985", "1310", "1432", "2614", "3670", "3972", "2669"]
REAL_ESTATE = 0.03  # leads whose code starts with 70 (房地产业: their funds never count)
SHELVE_REASONS = ["投资方资金未落实，暂缓推进", "用地指标暂缺，待指标落实后再议", "投资方决策周期延长"]
LOST_REASONS = [
    "投资方另选他地落户",
    "能耗指标不符合要求",
    "项目不符合本地产业政策",
    "投资方经营困难，放弃投资",
]
BACK_REASON = "投资方调整建设方案，退回补充材料"
CONDITIONS = ["须落实能耗等量替代", "须按规划条件建设，容积率不低于1.2", "须办理环评审批后开工"]
FUND_SOURCES = ["out_province", "loan", "local", "in_province", "same_city", "government", "foreign"]
EXPANSION_SOURCES = ["local", "loan", "out_province", "same_city", "in_province", "government", "foreign"]
TARGET_STATUS = [("planned", 0.4), ("contacting", 0.35), ("lead", 0.15), ("dropped", 0.1)]
TARGET_TAGS = ["fortune500", "listed", "soe", "specialised"]

#: what a lead row fills beyond the service's fields (attnames are derived in `available`)
LEAD_EXTRA = {
    "id",
    "stage_id",
    "stage_entered_at",
    "investor_key",
    "region_path",
    "created_by_id",
    "created_at",
}


def available() -> str | None:
    from zhuqi.attraction.models import Lead, Stage
    from zhuqi.attraction.services import LEAD_FIELDS

    lead_fields = LEAD_EXTRA | {Lead._meta.get_field(name).attname for name in LEAD_FIELDS}
    why = check_models(
        ("attraction.Lead", lead_fields),
        (
            "attraction.StageChange",
            {"id", "lead_id", "from_stage_id", "to_stage_id", "reason", "actor_id", "at"},
        ),
        (
            "attraction.PreReview",
            {"id", "lead_id", "status", "due_on", "conclusion", "summary", "started_by_id", "started_at"},
        ),
        ("attraction.Opinion", {"id", "prereview_id", "department_id", "verdict", "conditions", "due_on"}),
        ("attraction.Contract", {"id", "lead_id", "kind", "number", "signed_on", "amount", "created_by_id"}),
        ("attraction.Obligation", {"id", "contract_id", "kind", "target", "due_on", "status"}),
        ("attraction.FundMonth", {"id", "lead_id", "year", "month", "source", "amount", "recorded_by_id"}),
        ("attraction.LeadClock", {"id", "lead_id", "kind", "started_on", "due_on"}),
        ("attraction.Chain", {"id", "name", "region_id"}),
        ("attraction.ChainNode", {"id", "chain_id", "name", "position"}),
        ("attraction.ReviewRule", {"id", "region_id", "department_id", "industry_prefix"}),
        ("attraction.Target", {"id", "name", "region_id", "region_path", "created_by_id"}),
    )
    if why:
        return why
    if not Stage.objects.filter(pipeline__code__in=["new", "expansion"], code__in=MAIN).exists():
        return "招商线索类型与阶段尚未初始化（迁移 attraction.0002）"
    return None


def _pick(rng: random.Random, weighted: list[tuple]) -> object:
    r, acc = rng.random() * sum(w for _v, w in weighted), 0.0
    for value, share in weighted:
        acc += share
        if r < acc:
            return value
    return weighted[-1][0]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _local(at: dt.datetime) -> dt.date:
    return at.astimezone(SHANGHAI).date()


def _wan(value: float) -> Decimal:
    """Yuan, rounded to whole 万元."""
    return Decimal(max(1, round(value / float(WAN)))) * WAN


def outcomes(rng: random.Random, n: int, signed: int) -> list[tuple[int, str]]:
    """`n` (reach, side) pairs, exactly `signed` of them reaching 签约: reach is the index of the
    furthest main stage, side "" (open), "shelved" or "lost"."""
    signed = max(0, min(signed, n))
    out: list[tuple[int, str]] = []
    for i, k in enumerate(_split(n - signed, UNSIGNED_REACH)):
        for _ in range(k):
            r = rng.random()
            out.append((i, "shelved" if r < SHELVED else "lost" if r < SHELVED + LOST else ""))
    for i, k in enumerate(_split(signed, SIGNED_REACH)):
        for _ in range(k):
            lost = i + SIGNED < STARTED and rng.random() < LOST_AFTER_SIGNING
            out.append((i + SIGNED, "lost" if lost else ""))
    rng.shuffle(out)
    return out


@dataclass
class Places:
    """What a county's leads draw on, read before any COPY."""

    county: County
    teams: list[int]
    people: dict[int, list[int]]  # department → its dept_head/handler users
    dispatch: int
    leaders: list[int]
    nodes: list[tuple[int, str]] = field(default_factory=list)  # (chain node id, first code)
    standing: list[int] = field(default_factory=list)
    extra: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Funded:
    """A lead that reached 注册: what its funds need to be recognised."""

    lead_id: int
    amount: Decimal
    real_estate: bool
    expansion: bool
    registered_at: dt.datetime
    started_at: dt.datetime | None
    formal: list[tuple[dt.date, Decimal]]
    recorder: int


def _reviewers(places: Places, code: str) -> list[int]:
    out = list(places.standing)
    for prefix, dept in places.extra:
        if code.startswith(prefix) and dept not in out:
            out.append(dept)
    return out


def gen_attraction(ctx: Context) -> None:  # noqa: C901 - one lead's whole life, step by step
    from zhuqi.attraction import demo
    from zhuqi.attraction.models import (
        Chain,
        ChainNode,
        Contract,
        FundMonth,
        Lead,
        LeadClock,
        Obligation,
        Opinion,
        PreReview,
        ReviewRule,
        Stage,
        StageChange,
        Target,
        normalise_name,
    )
    from zhuqi.attraction.services import CLOCK_DAYS, CLOCK_THRESHOLD
    from zhuqi.core.models import Department, User
    from zhuqi.core.roles import Role

    scale, world, w, today, now = ctx.scale, ctx.world, ctx.writer, ctx.today, ctx.now
    total = scale.leads
    if total <= 0 or not world.counties:
        return
    rng = random.Random(f"{ctx.seed}:attraction")
    stages: dict[str, dict[str, int]] = {}
    for pipeline, code, pk in Stage.objects.values_list("pipeline__code", "code", "pk"):
        stages.setdefault(pipeline, {})[code] = pk
    pipelines = dict(Stage.objects.values_list("pipeline__code", "pipeline_id").distinct())
    people: dict[int, list[int]] = {}
    for uid, dept in (
        User.objects.filter(
            username__startswith=world.user_prefix, role__in=[Role.DEPT_HEAD, Role.HANDLER], is_active=True
        )
        .order_by("pk")
        .values_list("pk", "department_id")
    ):
        people.setdefault(dept, []).append(uid)
    admin = (
        User.objects.filter(username__startswith=world.user_prefix, role=Role.ADMIN)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    first_day = dt.date(today.year - 7, 1, 1)
    days = WorkDays(first_day, today + dt.timedelta(days=120))  # before any COPY

    # chains, reviewer rules -------------------------------------------------------------------
    places: list[Places] = []
    chain_rows, node_rows, rule_rows = [], [], []
    ids = {
        "chain": w.next_id(Chain),
        "node": w.next_id(ChainNode),
        "rule": w.next_id(ReviewRule),
        "lead": w.next_id(Lead),
        "change": w.next_id(StageChange),
        "review": w.next_id(PreReview),
        "opinion": w.next_id(Opinion),
        "contract": w.next_id(Contract),
        "obligation": w.next_id(Obligation),
        "clock": w.next_id(LeadClock),
        "fund": w.next_id(FundMonth),
        "target": w.next_id(Target),
    }

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind] - 1

    # a county's departments and officials, read in id order (the same whether the world was
    # just generated or loaded for `--only attraction`)
    by_path = {c.path: c.id for c in world.counties}
    depts: dict[int, dict[str, int]] = {c.id: {} for c in world.counties}
    park_depts: dict[int, list[int]] = {c.id: [] for c in world.counties}
    for dept_id, short, kind, path in (
        Department.objects.filter(region__path__startswith=f"{world.province_code}/")
        .order_by("pk")
        .values_list("pk", "short_name", "kind", "region__path")
    ):
        county_id = by_path.get("/".join(path.split("/")[:3]) + "/")
        if county_id is None:
            continue
        depts[county_id].setdefault(short, dept_id)
        if kind == "park":
            park_depts[county_id].append(dept_id)
    officials: dict[tuple[int, str], list[int]] = {}
    for uid, role, region_id in (
        User.objects.filter(username__startswith=world.user_prefix, role__in=[Role.DISPATCH, Role.LEADER])
        .order_by("pk")
        .values_list("pk", "role", "region_id")
    ):
        officials.setdefault((region_id, role), []).append(uid)
    for county in world.counties:
        d = depts[county.id]
        teams = [d[s] for s in ("商务局", "商务局", "经信局", "发改委", "科技局") if s in d] + park_depts[
            county.id
        ]
        dispatch = (officials.get((county.id, Role.DISPATCH)) or [admin])[0]
        leaders = officials.get((county.id, Role.LEADER)) or []
        p = Places(county, teams or list(d.values())[:1], people, dispatch, leaders)
        for name, links in demo.CHAINS.items():
            chain_id = next_id("chain")
            chain_rows.append(
                {
                    "id": chain_id,
                    "name": name,
                    "region_id": county.id,
                    "leader_id": rng.choice(p.leaders) if p.leaders else None,
                    "department_id": d.get("经信局"),
                }
            )
            for position, link, codes, gap in links:
                node_id = next_id("node")
                node_rows.append(
                    {
                        "id": node_id,
                        "chain_id": chain_id,
                        "name": link,
                        "position": position,
                        "industry_codes": codes,
                        "gap": gap,
                    }
                )
                p.nodes.append((node_id, codes.split(",")[0]))
        for short in demo.STANDING:
            if short in d:
                rule_rows.append({"id": next_id("rule"), "region_id": county.id, "department_id": d[short]})
                p.standing.append(d[short])
        for prefix, short in demo.EXTRA:
            if short in d:
                rule_rows.append(
                    {
                        "id": next_id("rule"),
                        "region_id": county.id,
                        "department_id": d[short],
                        "industry_prefix": prefix,
                    }
                )
                p.extra.append((prefix, d[short]))
        places.append(p)
    w.write(Chain, chain_rows, total=len(chain_rows))
    w.write(ChainNode, node_rows, total=len(node_rows))
    w.write(ReviewRule, rule_rows, total=len(rule_rows))

    # leads --------------------------------------------------------------------------------------
    shares = _split(total, [c.weight for c in world.counties])
    plan = outcomes(rng, total, round(scale.lead_contracts * 0.8))
    county_of = [ci for ci, k in enumerate(shares) for _ in range(k)]
    rng.shuffle(county_of)  # the counties' leads interleave in id order, as they come in
    signed_total = sum(1 for reach, _side in plan if reach >= SIGNED)
    extra_contracts = max(0, scale.lead_contracts - signed_total)
    second = set(
        rng.sample(
            [i for i, (reach, _s) in enumerate(plan) if reach >= SIGNED], min(extra_contracts, signed_total)
        )
    )
    funded: list[Funded] = []
    side_rows: dict[str, list[dict]] = {
        k: [] for k in ("change", "review", "opinion", "contract", "obligation", "clock")
    }
    models = {
        "change": StageChange,
        "review": PreReview,
        "opinion": Opinion,
        "contract": Contract,
        "obligation": Obligation,
        "clock": LeadClock,
    }
    latest = now - dt.timedelta(minutes=5)

    def moment(day: dt.date) -> dt.datetime:
        at = _at(day, rng.randint(30, 540))
        return min(at, latest)

    def add_clock(
        life: tuple[int, int, dt.datetime],
        kind: str,
        started_on: dt.date,
        stop: dt.datetime | None,
        note: str,
    ) -> None:
        """One clock row: due `CLOCK_DAYS[kind]` working days after `started_on`, stopped at `stop`
        unless that is still to come or after the lead left the open stages; marked overdue by the
        sweep the morning after its day if it still ran then, the lead open."""
        lead_id, owner, open_until = life
        due = days.add(started_on, CLOCK_DAYS[kind])
        if stop is not None and (stop > latest or stop > open_until):
            stop = None
        mark = due + dt.timedelta(days=1)
        ran_until = _local(stop) if stop else min(_local(open_until), today)
        side_rows["clock"].append(
            {
                "id": next_id("clock"),
                "lead_id": lead_id,
                "kind": kind,
                "started_on": started_on,
                "due_on": due,
                "done_at": stop,
                "done_by_id": owner if stop else None,
                "note": note if stop else "",
                "overdue_at": dt.datetime.combine(mark, dt.time(1), SHANGHAI) if mark <= ran_until else None,
            }
        )

    def lead_rows(first: int, last: int) -> Iterator[dict]:  # noqa: C901
        for k in range(first, last):
            lead_id = next_id("lead")
            reach, side = plan[k]
            p = places[county_of[k]]
            county = p.county
            expansion = rng.random() < 0.2
            pipeline = "expansion" if expansion else "new"
            sid = stages[pipeline]
            # the path through the stages, forward (考察 sometimes skipped, now and then back one)
            visits = [i for i in range(reach + 1) if not (i == 2 and 0 < i < reach and rng.random() < 0.1)]
            if reach >= 2 and rng.random() < 0.04:
                j = rng.randrange(1, len(visits))
                visits = visits[: j + 1] + [visits[j - 1], visits[j]] + visits[j + 1 :]
            # times, backwards from now: the last move, then a dwell per stage before it
            if side:
                end_day = today - dt.timedelta(days=rng.randint(1, 700))
            elif reach == STARTED:
                end_day = today - dt.timedelta(days=rng.randint(0, 700))
            else:
                end_day = today - dt.timedelta(days=min(900, int(rng.expovariate(1 / 25))))
            event_days = [end_day]
            for _ in range(len(visits) - (0 if side else 1)):
                event_days.append(event_days[-1] - dt.timedelta(days=1 + int(rng.expovariate(1 / 28))))
            event_days.reverse()  # one a visit, then the side move
            events = [moment(day) for day in event_days]
            times = events[: len(visits)]
            side_at = events[-1] if side else None
            registered_at = times[0]
            team = rng.choice(p.teams)
            owner = rng.choice(people.get(team) or [p.dispatch])
            actor = owner
            node = rng.choice(p.nodes) if p.nodes and rng.random() < 0.7 else None
            code = "7010" if rng.random() < REAL_ESTATE else (node[1] if node else rng.choice(CODES))
            amount = _wan(min(2e10, max(5e6, math.exp(rng.gauss(math.log(8e7), 1.1)))))
            product = rng.choice(PRODUCTS)
            title = rng.choice(TITLES).format(n=rng.choice([1, 2, 5, 10, 20]), p=product)
            place = rng.choice(INVESTOR_PLACES)
            investor = f"{place}{rng.choice(BRANDS)}{rng.choice(BRANDS)}{product}有限公司"
            region = rng.choice(county.parks) if county.parks and rng.random() < 0.6 else county.id
            # the history
            stage_at: dict[int, dt.datetime] = {}
            prev = None
            for visit, at in zip(visits, times, strict=True):
                back = prev is not None and visit < prev
                side_rows["change"].append(
                    {
                        "id": next_id("change"),
                        "lead_id": lead_id,
                        "from_stage_id": sid[MAIN[prev]] if prev is not None else None,
                        "to_stage_id": sid[MAIN[visit]],
                        "reason": BACK_REASON if back else "",
                        "actor_id": actor,
                        "at": at,
                    }
                )
                stage_at.setdefault(visit, at)
                prev = visit
            stage_id, entered = sid[MAIN[reach]], times[len(visits) - 1]
            if side_at is not None:
                side_rows["change"].append(
                    {
                        "id": next_id("change"),
                        "lead_id": lead_id,
                        "from_stage_id": sid[MAIN[reach]],
                        "to_stage_id": sid[side],
                        "reason": rng.choice(SHELVE_REASONS if side == "shelved" else LOST_REASONS),
                        "actor_id": actor,
                        "at": side_at,
                    }
                )
                stage_id, entered = sid[side], side_at
            # leaving the open main stages stops the clocks (搁置, 流失, 开工)
            open_until = side_at or stage_at.get(STARTED) or now
            # pre-review: before 签约, or the one in progress in 预审
            signed_at = stage_at.get(SIGNED)
            if reach >= PREREVIEW:
                at4 = stage_at.get(PREREVIEW, times[0])
                limit = signed_at or side_at or now
                started = min(at4 + dt.timedelta(hours=rng.randint(2, 48)), limit - dt.timedelta(minutes=30))
                started = max(started, at4 + dt.timedelta(minutes=1))
                if signed_at:
                    conclusion = "pass" if rng.random() < 0.7 else "conditional"
                elif side == "lost":
                    conclusion = "reject"
                elif side == "shelved":
                    conclusion = "conditional"
                else:
                    conclusion = rng.choice(["", "", "pass"])
                span = max(limit - started, dt.timedelta(minutes=20))
                concluded = started + span * rng.uniform(0.6, 0.95) if conclusion else None
                review_id = next_id("review")
                depts = _reviewers(p, code)
                reject_by = rng.randrange(len(depts)) if conclusion == "reject" and depts else -1
                for j, dept in enumerate(depts):
                    answered = None
                    verdict = ""
                    if conclusion or rng.random() < 0.6:
                        answered = started + (
                            (concluded - started) if concluded else (now - started)
                        ) * rng.uniform(0.05, 0.95)
                        verdict = (
                            "reject" if j == reject_by else ("conditional" if rng.random() < 0.2 else "pass")
                        )
                    side_rows["opinion"].append(
                        {
                            "id": next_id("opinion"),
                            "prereview_id": review_id,
                            "department_id": dept,
                            "verdict": verdict,
                            "conditions": (
                                rng.choice(CONDITIONS)
                                if verdict == "conditional"
                                else ("不符合本地产业准入要求" if verdict == "reject" else "")
                            ),
                            "due_on": days.add(started, 5),
                            "answered_by_id": (people.get(dept) or [None])[0] if answered else None,
                            "answered_at": answered,
                        }
                    )
                side_rows["review"].append(
                    {
                        "id": review_id,
                        "lead_id": lead_id,
                        "status": "concluded" if conclusion else "open",
                        "due_on": days.add(started, 5),
                        "conclusion": conclusion,
                        "summary": {
                            "pass": "各部门意见一致，同意推进签约。",
                            "conditional": "原则同意，须落实各部门提出的条件。",
                            "reject": "项目不符合本地产业准入要求，不同意推进。",
                        }.get(conclusion, ""),
                        "started_by_id": p.dispatch,
                        "started_at": started,
                        "concluded_by_id": p.dispatch if conclusion else None,
                        "concluded_at": concluded,
                    }
                )
            # contracts at 签约 (a second one for some) ----------------------------------------------
            formal: list[tuple[dt.date, Decimal]] = []
            if signed_at:
                sign_day = _local(signed_at)
                kinds = [(sign_day, "formal" if rng.random() < 0.85 else "framework")]
                if k in second:
                    if kinds[0][1] == "formal":
                        review_day = _local(side_rows["review"][-1]["concluded_at"])
                        kinds.insert(0, (review_day, "framework"))
                    else:
                        later = min(today, sign_day + dt.timedelta(days=rng.randint(20, 200)))
                        kinds.append((later, "formal"))
                for signed_on, kind in kinds:
                    contract_id = next_id("contract")
                    c_amount = _wan(float(amount) * rng.uniform(0.7, 1.3))
                    p_start = signed_on + dt.timedelta(days=rng.randint(60, 240))
                    p_done = p_start + dt.timedelta(days=rng.randint(365, 900))
                    side_rows["contract"].append(
                        {
                            "id": contract_id,
                            "lead_id": lead_id,
                            "kind": kind,
                            "number": f"ZS{county.code}-{signed_on.year}-{contract_id:06d}",
                            "signed_on": signed_on,
                            "amount": c_amount,
                            "planned_start": p_start,
                            "planned_completion": p_done,
                            "created_by_id": actor,
                            "created_at": _at(signed_on, 480),
                        }
                    )
                    if kind == "formal":
                        formal.append((signed_on, c_amount))
                        promises = [
                            ("start", None, p_start),
                            ("investment", (c_amount * Decimal("0.6") / WAN).quantize(Decimal(1)), p_done),
                            ("completion", None, p_done),
                            (
                                "tax_per_mu",
                                Decimal(rng.choice([15, 20, 25, 30])),
                                p_done + dt.timedelta(days=365),
                            ),
                        ]
                    else:
                        promises = [("start", None, p_start)]
                    started_at = stage_at.get(STARTED)
                    for kind_o, target, due in promises:
                        row = {
                            "id": next_id("obligation"),
                            "contract_id": contract_id,
                            "kind": kind_o,
                            "target": target,
                            "due_on": due,
                            "status": "due",
                        }
                        if (
                            kind_o == "start"
                            and started_at
                            and _local(started_at) <= due
                            and _local(started_at) <= today
                        ):
                            row.update(
                                status="met",
                                checked_on=_local(started_at),
                                note=f"自动核定：{_local(started_at)} 进入开工阶段",
                            )
                        elif due < today:
                            r = rng.random()
                            if r < 0.6 and kind_o != "start":
                                checked = min(today, due + dt.timedelta(days=rng.randint(1, 40)))
                                row.update(status="met", checked_on=checked, actual=target)
                            elif r < 0.75:
                                checked = min(today, due + dt.timedelta(days=rng.randint(1, 40)))
                                row.update(status="missed", checked_on=checked, note="未达到约定值")
                            # past its date and not met: the sweep's warning, the morning after
                            if row["status"] != "met":
                                row["breached_at"] = dt.datetime.combine(
                                    due + dt.timedelta(days=1), dt.time(1), SHANGHAI
                                )
                        side_rows["obligation"].append(row)
            # clocks of a big lead ------------------------------------------------------------------
            if amount >= CLOCK_THRESHOLD:
                start_day = _local(registered_at)
                first_move = times[1] if len(times) > 1 else side_at
                life = (lead_id, owner, open_until)

                def after(wd: int, start_day=start_day, registered_at=registered_at) -> dt.datetime:
                    return max(registered_at, _at(days.add(start_day, wd), rng.randint(60, 480)))

                respond = after(rng.choice([0, 1, 1, 2]))
                note = "已电话联系投资方"
                if first_move and (first_move < respond or rng.random() < 0.5):
                    respond = first_move
                    to = NAMES[visits[1]] if len(visits) > 1 else ("搁置" if side == "shelved" else "流失")
                    note = f"线索推进：线索 → {to}"
                add_clock(life, "respond", start_day, respond, note)
                add_clock(
                    life, "judge", start_day, after(rng.choice([1, 2, 3, 3, 5])), "已研判：符合本地产业方向"
                )
                add_clock(
                    life, "feedback", start_day, after(rng.choice([3, 5, 7, 7, 9])), "已向推荐人反馈对接情况"
                )
                s = start_day
                for _ in range(1000):
                    report_day = days.add(s, rng.choice([5, 8, 10, 10, 10, 12, 15]))
                    report_at = _at(report_day, rng.randint(60, 480))
                    if report_at > latest or report_at > open_until:
                        add_clock(life, "progress", s, None, "")
                        break
                    add_clock(life, "progress", s, report_at, "已报告项目进展")
                    s = report_day
            if reach >= REGISTERED:
                funded.append(
                    Funded(
                        lead_id,
                        amount,
                        code.startswith("70"),
                        expansion,
                        stage_at[REGISTERED],
                        stage_at.get(STARTED),
                        formal,
                        owner,
                    )
                )
            yield {
                "id": lead_id,
                "pipeline_id": pipelines[pipeline],
                "stage_id": stage_id,
                "stage_entered_at": entered,
                "title": f"{investor[: len(place) + 2]}{title}",
                "investor_name": investor,
                "investor_key": normalise_name(investor),
                "credit_code": "",
                "investor_region": rng.choice(HOME_REGIONS),
                "source": _pick(rng, SOURCES),
                "referrer": f"{rng.choice('王李张刘陈杨赵黄周吴')}先生" if rng.random() < 0.4 else "",
                "content": f"建设{product}生产线及配套设施，计划投资{amount / YI:.2f}亿元。",
                "amount": amount,
                "industry_code": code,
                "chain_node_id": node[0] if node else None,
                "land_mu": (amount / (Decimal(rng.randint(150, 450)) * WAN)).quantize(Decimal("0.01")),
                "site": county.region_names.get(region, county.name),
                "region_id": region,
                "region_path": world.region_path[region],
                "team_id": team,
                "owner_id": owner,
                "registered_on": _local(registered_at),
                "created_by_id": actor,
                "created_at": registered_at,
            }

    for first in range(0, total, CHUNK):
        last = min(total, first + CHUNK)
        w.write(Lead, lead_rows(first, last), total=total, offset=first, label="attraction.lead")
        for kind, model in models.items():
            if side_rows[kind]:
                w.write(model, side_rows[kind], total=None)
                side_rows[kind].clear()

    write_funds(w, funded, scale.fund_months, rng, today, latest, next_id)
    write_targets(w, places, rng, world.region_path, total, next_id)
    from zhuqi.attraction import rollups

    rollups.refresh(everything=True)  # the yearly counts and fund sums, as the sweep would after a bulk load


def fund_plan(f: Funded, today: dt.date) -> list[tuple[int, int, str]]:
    """Every (year, month, source) a lead could have funds in, its own sources first: from the
    month it reached 注册 to last month."""
    y, m = _local(f.registered_at).year, _local(f.registered_at).month
    months = []
    while (y, m) < (today.year, today.month):
        months.append((y, m))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    order = EXPANSION_SOURCES if f.expansion else FUND_SOURCES
    return [(y, m, source) for source in order for y, m in months]


def reasons() -> list[tuple[str, str]]:
    """(code, reason) of each rule of `services.RECOGNITION`, in its order and in the words the
    service stores (the site's language)."""
    from zhuqi.attraction.services import RECOGNITION

    with translation.override(settings.LANGUAGE_CODE):
        return [(r.code, gettext(r.reason)) for r in RECOGNITION]


def recognition(
    f: Funded, source: str, year: int, month: int, recorded_at: dt.datetime, rules: list[tuple[str, str]]
) -> tuple[bool, str]:
    """`services.RECOGNITION` as it stood at `recorded_at`: (recognised, the reasons it is not)."""
    from zhuqi.attraction.services import OUT_OF_PROVINCE_SOURCES

    month_end = _month_end(year, month)
    contracts = [amount for signed_on, amount in f.formal if signed_on <= month_end]
    holds = {
        "source": source in OUT_OF_PROVINCE_SOURCES,
        "real_estate": not f.real_estate,
        "formal_contract": bool(contracts),
        "size": bool(contracts) and max(contracts) >= YI,
        "started": f.started_at is not None and f.started_at <= recorded_at,
        "second_phase": True,  # the generator writes no second phases (二期)
    }
    failed = [reason for code, reason in rules if not holds[code]]
    return not failed, "; ".join(failed)


def write_funds(w, funded: list[Funded], total: int, rng: random.Random, today, latest, next_id) -> None:
    """Exactly `total` fund months (as many as the leads can hold, if fewer), shared out by how
    many months × sources each registered lead could have."""
    from zhuqi.attraction.models import FundMonth

    plans = [fund_plan(f, today) for f in funded]
    rules = reasons()
    total = min(total, sum(len(p) for p in plans))
    if total <= 0:
        return
    quotas = _split(total, [float(len(p)) for p in plans])

    def rows() -> Iterator[dict]:
        for f, plan, quota in zip(funded, plans, quotas, strict=True):
            months = max(1, len({(y, m) for y, m, _s in plan}))
            for y, m, source in plan[:quota]:
                main = source == (EXPANSION_SOURCES if f.expansion else FUND_SOURCES)[0]
                share = (0.6 if main else 0.08) / max(12, months)
                recorded = min(
                    latest,
                    _at(_month_end(y, m) + dt.timedelta(days=rng.randint(3, 12)), rng.randint(30, 480)),
                )
                ok, reason = recognition(f, source, y, m, recorded, rules)
                yield {
                    "id": next_id("fund"),
                    "lead_id": f.lead_id,
                    "year": y,
                    "month": m,
                    "source": source,
                    "amount": _wan(float(f.amount) * share * rng.uniform(0.5, 1.5)),
                    "evidence": f"到位资金分割证明（{y}年{m}月）.pdf",
                    "recognised": ok,
                    "reason": reason,
                    "recorded_by_id": f.recorder,
                    "recorded_at": recorded,
                }

    w.write(FundMonth, rows(), total=total)


def write_targets(
    w, places: list[Places], rng: random.Random, region_path: dict, leads: int, next_id
) -> None:
    """Each county's target enterprises (one for every ten of its leads, at least five), on its
    chains' links."""
    from zhuqi.attraction import demo
    from zhuqi.attraction.models import Target

    per = max(5, leads // max(1, len(places)) // 10)

    def rows() -> Iterator[dict]:
        for p in places:
            for i in range(per):
                node = rng.choice(p.nodes) if p.nodes else None
                team = rng.choice(p.teams)
                base = demo.INVESTORS[i % len(demo.INVESTORS)]
                yield {
                    "id": next_id("target"),
                    "name": base if i < len(demo.INVESTORS) else f"{rng.choice(INVESTOR_PLACES)}{base}",
                    "headquarters": rng.choice(INVESTOR_PLACES),
                    "home_region": rng.choice(HOME_REGIONS),
                    "tags": rng.sample(TARGET_TAGS, rng.randint(0, 2)),
                    "products": rng.choice(PRODUCTS),
                    "chain_node_id": node[0] if node else None,
                    "approach": rng.choice(["登门拜访", "以商招商", "展会对接", "驻外招商组对接"]),
                    "approach_on": None,
                    "status": _pick(rng, TARGET_STATUS),
                    "region_id": p.county.id,
                    "region_path": region_path[p.county.id],
                    "team_id": team,
                    "owner_id": (p.people.get(team) or [None])[0],
                    "created_by_id": p.dispatch,
                }

    w.write(Target, rows(), total=per * len(places))


register_part("attraction", available, gen_attraction)

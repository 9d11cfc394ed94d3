"""Demo data of 招商引资 for 固镇县 (seed 001): the four chains 生物基新材料, 绿色食品, 装备制造 and
新能源 with their links and gaps, the "14+n" reviewer departments, and 40 leads across the
stages (registered and moved through the services, so each has its history), one of them in
pre-review with 经信局's opinion given; the clocks of the big leads still in 线索 counted from
their registration (some late), and two 驻外招商组 (上海, 深圳) with eight weeks of reports, one
week missing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhuqi.core import audit
from zhuqi.core import demo as core_demo
from zhuqi.core.models import Department, Role, User
from zhuqi.core.units import WAN, YI
from zhuqi.core.workcalendar import add_working_days

from . import selectors_chains, services, services_chains, services_targets, services_weekly
from .models import (
    AbroadTeam,
    Chain,
    ChainNode,
    Lead,
    LeadClock,
    Pipeline,
    ReviewRule,
    Stage,
    Target,
    WeeklyReport,
)

CHAINS = {
    "生物基新材料": [
        ("up", "玉米等生物质原料", "0111,1391", ""),
        ("mid", "乳酸、聚乳酸（PLA）", "2614,2651", "strengthen"),
        ("down", "可降解制品、纤维", "2927,2822", "extend"),
        ("mid", "研发与检测", "7320", "fill"),
    ],
    "绿色食品": [
        ("up", "粮油、果蔬基地", "0111,0141", ""),
        ("mid", "食品精深加工", "1310,1432", "strengthen"),
        ("down", "冷链物流", "5951", "fill"),
    ],
    "装备制造": [
        ("mid", "农机装备", "3571", "strengthen"),
        ("mid", "专用设备零部件", "3489", "fill"),
        ("down", "智能制造服务", "6531", "extend"),
    ],
    "新能源": [
        ("up", "光伏材料", "3985", "fill"),
        ("mid", "储能电池", "3841", "extend"),
        ("down", "分布式光伏运营", "4416", ""),
    ],
}
#: the standing reviewers (the "14", by short name) and the "+n" by GB/T 4754 prefix
STANDING = [
    "发改委",
    "经信局",
    "自然资源局",
    "生态环境分局",
    "应急局",
    "住建局",
    "市场监管局",
    "税务局",
    "财政局",
    "商务局",
    "人社局",
    "经开区管委会",
]
EXTRA = [("13", "市场监管局"), ("14", "市场监管局"), ("26", "应急局"), ("26", "生态环境分局")]
INVESTORS = [
    "安徽丰原集团",
    "浙江海正生物材料",
    "金丹科技",
    "中粮生物科技",
    "安琪酵母",
    "三只松鼠",
    "洽洽食品",
    "雷沃重工",
    "中联农业机械",
    "阳光电源",
    "国轩高科",
    "隆基绿能",
    "天合光能",
    "通威股份",
    "蚌埠凯盛",
    "华润雪花",
    "益海嘉里",
    "徐工机械",
    "合力叉车",
    "比亚迪",
]
SOURCES = ["referral", "abroad", "exhibition", "fund", "agency", "adviser"]
#: how many demo leads end in each stage of 新引进项目
SPREAD = [
    ("lead", 8),
    ("contact", 8),
    ("visit", 6),
    ("negotiating", 7),
    ("prereview", 6),
    ("shelved", 3),
    ("lost", 2),
]


def load_demo(context, stdout=None) -> None:
    regions = context["regions"]
    if "340323" not in regions or Lead.objects.filter(is_demo=True).exists():
        return
    actor = User.objects.filter(username="dispatch").first()
    if actor is None:
        return
    with transaction.atomic(), audit.acting_as(actor, label="命令: zhuqi demo"):
        n = _load(regions, actor)
        from . import rollups

        rollups.refresh(everything=True)  # the yearly counts and fund sums (§Rollup)
        from zhuqi.projects import rollups as project_rollups

        project_rollups.refresh()  # the projects its leads became (重点项目汇总), as the periodic job would
    if stdout:
        stdout.write(f"招商引资：{n} 条线索")


def _load(regions, actor) -> int:
    county = regions["340323"]
    park = regions.get("340323P02", county)
    depts = {d.short_name: d for d in Department.objects.filter(region__path__startswith=county.path)}
    nodes = []
    for name, links in CHAINS.items():
        chain = Chain.objects.create(name=name, region=county, department=depts.get("经信局"))
        for position, link, codes, gap in links:
            nodes.append(
                ChainNode.objects.create(
                    chain=chain, name=link, position=position, industry_codes=codes, gap=gap
                )
            )
    # local firms on the links that have them (a 补链 link is a gap: none there yet), as an
    # official confirms the suggestions; a few suggestions are left for the demo to confirm
    for node in nodes:
        if node.gap == ChainNode.Gap.FILL:
            continue
        for ent in list(selectors_chains.suggestions(node, actor, limit=3))[:2]:
            services_chains.place_enterprise(node, ent, actor=actor, confirm=True)
    for short in STANDING:
        if short in depts:
            ReviewRule.objects.get_or_create(region=county, department=depts[short], industry_prefix="")
    for prefix, short in EXTRA:
        if short in depts:
            ReviewRule.objects.get_or_create(region=county, department=depts[short], industry_prefix=prefix)
    homes = ["浙江", "江苏", "上海", "广东", "山东", "北京"]
    tags = [["fortune500"], ["listed"], ["soe"], ["specialised"], ["listed", "specialised"], []]
    for i, investor in enumerate(INVESTORS * 2):
        node = nodes[i % len(nodes)]
        services.save_target(
            None,
            actor=actor,
            name=f"{investor}{'（分支机构）' if i >= len(INVESTORS) else ''}",
            headquarters=homes[i % len(homes)],
            home_region=homes[i % len(homes)],
            tags=tags[i % len(tags)],
            products=node.name,
            chain_node=node,
            approach="驻外招商组上门拜访" if i % 2 else "产业链推介会邀约",
            approach_on=timezone.localdate() + dt.timedelta(days=7 * (i % 10)),
            status=Target.Status.PLANNED if i % 3 else Target.Status.CONTACTING,
            region=county,
            team=depts.get("商务局"),
        )
    rng = random.Random(15)
    new = Pipeline.objects.get(code="new")
    stages = {s.code: s for s in Stage.objects.filter(pipeline=new)}
    main = [s.code for s in sorted(stages.values(), key=lambda s: s.order) if not s.is_side]
    team = depts.get("商务局")
    today = timezone.localdate()
    n = 0
    for code, count in SPREAD:
        for _ in range(count):
            node = nodes[n % len(nodes)]
            investor = f"{INVESTORS[n % len(INVESTORS)]}（第{n // len(INVESTORS) + 1}期）有限公司"
            lead = services.register_lead(
                actor=actor,
                pipeline=new,
                title=f"{node.name}项目（{n + 1:02d}）",
                investor_name=investor,
                source=SOURCES[n % len(SOURCES)],
                referrer="县商会" if n % 3 == 0 else "",
                amount=Decimal(rng.choice([3000, 12000, 25000, 60000, 150000, 220000])) * WAN,
                industry_code=node.industry_codes.split(",")[0],
                chain_node=node,
                land_mu=Decimal(rng.choice([30, 80, 150, 300])),
                region=park,
                team=team,
                registered_on=today - dt.timedelta(days=rng.randint(10, 200)),
            )
            Lead.objects.filter(pk=lead.pk).update(is_demo=True)
            target = "negotiating" if code in ("shelved", "lost") else code
            for step in main[1 : main.index(target) + 1]:
                services.move_lead(lead, stages[step], actor=actor)
            if code in ("shelved", "lost"):
                services.move_lead(lead, stages[code], actor=actor, reason="投资方调整投资计划")
            n += 1
    in_review = list(Lead.objects.filter(is_demo=True, stage=stages["prereview"]).order_by("pk"))
    reviewers = _reviewers(county, depts)
    for i, lead in enumerate(in_review[1:]):
        _sign(lead, i, actor, reviewers, stages, depts, today)
    first = in_review[0] if in_review else None
    if first is not None:
        review = services.start_prereview(first, actor=actor)
        handler = User.objects.filter(username="jxj_handler").first()
        opinion = review.opinions.filter(department=depts.get("经信局")).first()
        if handler is not None and opinion is not None:
            services.give_opinion(
                opinion, verdict="conditional", conditions="投资强度须达到 300 万元/亩", actor=handler
            )
    _clocks(stages, actor, today)
    _weekly(county, today)
    _judging(county, actor, today)
    # the county's is the seed's: 50 signed, of them 20 延链补链 of 1 亿元 or more, 2 of 20 亿元, 1 of 50 亿元
    for team_, count, bands, amount, funds in (
        (None, 50, {"signed_chain": 20, "signed_20": 2, "signed_50": 1}, 60, 25),
        (team, 8, {}, 40, 15),
    ):
        annual = services.save_annual_target(
            actor=actor,
            year=today.year,
            region=county,
            team=team_,
            signed_count=count,
            signed_amount=Decimal(amount) * YI,
            funds=Decimal(funds) * YI,
            **bands,
        )
        if team_ is None:  # the county's target decomposed by quarter (50 → 13, 12, 13, 12)
            services_targets.split_target(annual, actor=actor, method="equal", split_to="Q")
    return n


def _judging(county, actor, today) -> None:
    """This month's 研判会 with the five oldest leads in 线索 and 接洽, the first two scored (the
    office decides it in the demo)."""
    from . import services_judging

    leads = list(services_judging.candidates(actor, county)[:5])
    if not leads:
        return
    meeting = services_judging.call_meeting(
        actor=actor,
        region=county,
        title=f"{today.year}年{today.month}月招商线索研判会",
        held_on=today,
        leads=leads,
        place="县政府三楼会议室",
        chair="县委常委、常务副县长",
        attendees="县发改委、经信局、自然资源局、生态环境分局、商务局、经开区管委会负责同志",
    )
    scores = [
        {
            "industry": 9,
            "market": 8,
            "technology": 7,
            "environment": 8,
            "energy": 7,
            "benefit": 8,
            "tax_per_mu": "30",
        },
        {
            "industry": 5,
            "market": 6,
            "technology": 4,
            "environment": 3,
            "energy": 4,
            "benefit": 5,
            "tax_per_mu": "12",
        },
    ]
    items = list(meeting.items.order_by("order"))
    rows = {
        item.pk: {**score, "decision": decision, "reason": reason}
        for item, score, (decision, reason) in zip(
            items, scores, [("follow", ""), ("park", "环保和能耗指标待进一步论证")], strict=False
        )
    }
    services_judging.record_judgements(meeting, rows, actor=actor)


def _clocks(stages, actor, today) -> None:
    """Count the clocks of the big leads still in 线索 from their registration day, so some are
    late (the 超时 filter has rows); the first has its 研判 recorded."""
    leads = list(Lead.objects.filter(is_demo=True, stage=stages["lead"]).order_by("pk"))
    for lead in leads:
        for clock in LeadClock.objects.filter(lead=lead, done_at__isnull=True):
            start = lead.registered_on
            LeadClock.objects.filter(pk=clock.pk).update(
                started_on=start, due_on=add_working_days(start, services.CLOCK_DAYS[clock.kind])
            )
    first = next(
        (lead for lead in leads if lead.clocks.filter(kind="judge", done_at__isnull=True).exists()), None
    )
    if first is not None:
        services.stop_clock(first, "judge", actor=actor, note="研判：符合生物基新材料产业方向，继续跟进")


#: the demo's 驻外招商组: (department, station, username, name)
ABROAD = [
    ("固镇县驻上海招商组", "上海", "zs_shanghai", "驻上海招商组组长"),
    ("固镇县驻深圳招商组", "深圳", "zs_shenzhen", "驻深圳招商组组长"),
]
MET = [
    "拜访上海丰原生物材料销售公司、长三角生物基材料产业联盟，推介固镇经开区聚乳酸产业园",
    "参加上海国际新材料展，对接可降解制品企业3家，交换联系方式",
    "回访前期对接的储能电池企业，了解其扩产选址进度",
]


def _weekly(county, today) -> None:
    """Two stationed teams with eight weeks of reports; 深圳's third week back is missing and
    its fifth was filed late."""
    actor = User.objects.filter(username="dispatch").first()
    if actor is None:
        return
    for i, (name, station, username, title) in enumerate(ABROAD):
        dept, _ = Department.objects.get_or_create(
            region=county, name=name, defaults={"short_name": name[3:]}
        )
        person = core_demo._user(username, title, Role.DEPT_HEAD, county, dept, title)
        team = services_weekly.save_team(None, actor=actor, department=dept, station=station)
        AbroadTeam.objects.filter(pk=team.pk).update(created_on=today - dt.timedelta(weeks=9))
        team.refresh_from_db()
        for back in range(8, 0, -1):
            day = today - dt.timedelta(weeks=back)
            year, week = services_weekly.iso_week(day)
            if i == 1 and back == 3:
                continue
            report = services_weekly.file_report(
                team,
                year=year,
                week=week,
                met=MET[back % len(MET)],
                new_leads="储能电池 PACK 项目（约 5 亿元），已登记为招商线索" if back % 4 == 0 else "",
                next_week="继续跟进在谈项目，邀请企业来固镇实地考察",
                actor=person,
                today=today,
            )
            due = services_weekly.due_date(team, year, week)
            filed = due + dt.timedelta(days=2 if (i == 1 and back == 5) else 0)
            WeeklyReport.objects.filter(pk=report.pk).update(
                submitted_at=timezone.make_aware(dt.datetime.combine(filed, dt.time(16)))
            )


def _reviewers(county, depts) -> dict[int, User]:
    """One pre-review liaison (预审联络员) per reviewer department, to answer the demo's reviews."""
    out = {}
    for i, rule in enumerate(ReviewRule.objects.filter(region=county).select_related("department")):
        dept = rule.department
        if dept.pk not in out:
            out[dept.pk] = core_demo._user(
                f"ys{i:02d}",
                f"{dept.short_name or dept.name}预审员",
                Role.HANDLER,
                county,
                dept,
                "预审联络员",
            )
    return out


def _sign(lead, i, actor, reviewers, stages, depts, today) -> None:
    """Walk a demo lead through the pre-review to 签约 (and, for the first two, 注册; the first
    to 开工 with recognised funds and a key project)."""
    review = services.start_prereview(lead, actor=actor, today=today - dt.timedelta(days=60))
    for opinion in review.opinions.all():
        services.give_opinion(opinion, verdict="pass", actor=reviewers[opinion.department_id])
    services.conclude_prereview(review, conclusion="pass", summary="符合产业方向，同意签约", actor=actor)
    services.move_lead(lead, stages["signed"], actor=actor)
    signed_on = today - dt.timedelta(days=45)
    services.record_contract(
        lead,
        kind="formal",
        number=f"GZZS-{today.year}-{i + 1:03d}",
        signed_on=signed_on,
        amount=max(lead.amount, Decimal(20000) * WAN),
        planned_start=signed_on + dt.timedelta(days=30),
        planned_completion=signed_on + dt.timedelta(days=400),
        obligations=[
            {"kind": "start", "due_on": signed_on + dt.timedelta(days=30)},
            {"kind": "intensity", "target": Decimal(300), "due_on": signed_on + dt.timedelta(days=400)},
            {"kind": "tax_per_mu", "target": Decimal(20), "due_on": signed_on + dt.timedelta(days=800)},
        ],
        actor=actor,
    )
    if i >= 2:
        return
    services.move_lead(lead, stages["registered"], actor=actor)
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if i == 0:
        services.move_lead(lead, stages["land"], actor=actor)
        services.move_lead(lead, stages["started"], actor=actor)
        leader = User.objects.filter(username="leader").first()
        if leader is not None and "经信局" in depts:
            services.convert_to_project(
                lead, code=f"ZS{today.year}-001", leader=leader, department=depts["经信局"], actor=actor
            )
    services.record_funds(
        lead,
        year=month.year,
        month=month.month,
        source="out_province",
        amount=Decimal(8000) * WAN,
        evidence="到位资金分割证明",
        actor=actor,
    )

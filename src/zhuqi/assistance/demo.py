"""Demo data for the registry and assistance: 固镇县's 60 key enterprises in its lead industries
(生物基新材料, 绿色食品, 装备制造, 新能源), their 五位一体 teams, a year of visits with
realistic gaps (so the compliance ranking shows laggards), plans, pools and meetings, and the
enterprise login `qiye`. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from zhuqi.core import audit
from zhuqi.core.demo import demo_mobile, demo_password_hash
from zhuqi.core.models import Role, User
from zhuqi.core.units import WAN
from zhuqi.enterprises.models import (
    Enterprise,
    EnterpriseList,
    EnterpriseUser,
    Industry,
    KeyDesignation,
    ListMembership,
    Tag,
    Tier,
)

from .models import Assignment, AssistancePlan, Meeting, MeetingProblem, PlanMeasure, Visit, VisitProblem

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
BRANDS = [
    "恒顺",
    "华茂",
    "金禾",
    "瑞丰",
    "鑫源",
    "润泽",
    "天成",
    "中科",
    "宏达",
    "远航",
    "绿洲",
    "禾兴",
    "嘉和",
    "盛邦",
    "泰格",
    "科威",
    "德力",
    "新锐",
    "永安",
    "汇通",
    "佳乐",
    "康源",
    "福润",
    "益农",
    "青禾",
    "盛达",
    "铭泰",
    "弘毅",
    "博瑞",
    "凯盛",
    "浍河",
    "垓下",
    "谷阳",
    "濠城",
    "沱湖",
    "丰禾",
    "润丰",
    "中联",
    "海川",
    "启明",
    "正泰",
    "东升",
    "华阳",
    "明远",
    "亿丰",
    "祥和",
    "百川",
    "金阳",
    "银河",
    "昌盛",
    "振华",
    "元丰",
    "锦程",
    "信达",
    "安泰",
    "和顺",
    "兴业",
    "长青",
    "宝丰",
    "隆鑫",
    "美佳",
    "欣禾",
    "卓越",
    "腾飞",
]
CHAINS = {
    "生物基新材料": [("26", "生物基材料"), ("28", "聚乳酸纤维"), ("29", "可降解材料"), ("26", "生物化工")],
    "绿色食品": [("13", "粮油"), ("14", "食品"), ("13", "农产品加工"), ("15", "饮品")],
    "装备制造": [("34", "机械"), ("35", "智能装备"), ("36", "汽车零部件"), ("34", "精密制造")],
    "新能源": [("38", "新能源科技"), ("38", "储能科技"), ("38", "光伏材料"), ("44", "绿色能源")],
}
PROBLEMS = [
    ("用地", "二期项目用地指标尚未落实，希望协调土地报批"),
    ("用工", "熟练技工缺口约30人，希望人社部门组织专场招聘"),
    ("融资", "流动资金紧张，希望对接银行办理续贷"),
    ("用电", "新上生产线需增容至2000千伏安，希望供电公司加快接入"),
    ("审批", "环评批复进度较慢，希望生态环境分局提前介入指导"),
    ("政策", "希望兑现技改设备补助资金"),
    ("物流", "园区道路破损影响大货车通行"),
]
FINDINGS = [
    "企业生产经营正常，订单饱满，一季度产值同比增长",
    "了解二期技改项目进展，设备已进场安装",
    "宣讲稳经济一揽子政策，指导申报专精特新",
    "企业反映原材料价格上涨，利润空间收窄",
    "查看安全生产台账，督促落实隐患整改",
    "协调解决企业用工问题，对接县人社局招聘会",
    "了解企业入库纳统情况，指导规范统计报表",
]


def credit_code(rng: random.Random) -> str:
    body = "91340323" + "MA2" + "".join(rng.choice(ALPHABET) for _ in range(6))
    return body + uscc.calc_check_digit(body)


def load(context, stdout=None) -> None:
    regions = context["regions"]
    departments = context["departments"]
    if Enterprise.objects.filter(is_demo=True).exists():
        _enterprise_login()
        if stdout:
            stdout.write("企业与包抓演示数据已存在，跳过")
        return
    with transaction.atomic(), audit.row_diffs_disabled():
        _load(regions, departments, stdout)
        _enterprise_login()


def _enterprise_login():
    first = Enterprise.objects.filter(is_demo=True).order_by("pk").first()
    if first is None:
        return
    user, created = User.objects.get_or_create(
        username="qiye",
        defaults={"full_name": "王经理", "role": Role.ENTERPRISE, "is_demo": True, "title": "企业联络员"},
    )
    if created:
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    EnterpriseUser.objects.get_or_create(user=user, defaults={"enterprise": first, "is_primary": True})


def _load(regions, departments, stdout):
    rng = random.Random(340323_2026)
    today = timezone.localdate()
    year = today.year
    industries = {i.code: i for i in Industry.objects.all()}
    tags = {t.name: t for t in Tag.objects.all()}
    p01 = [regions["340323P01G1"], regions["340323P01G2"]]
    p02 = [regions["340323P02G1"], regions["340323P02G2"], regions["340323P02G3"]]
    chain_of_grid = {
        "340323P01G1": "新能源",
        "340323P01G2": "装备制造",
        "340323P02G1": "生物基新材料",
        "340323P02G2": "绿色食品",
        "340323P02G3": "装备制造",
    }
    brands = BRANDS[:]
    rng.shuffle(brands)
    brands.remove("恒顺")
    brands.insert(0, "恒顺")
    # 30 key enterprises in each park, plus 4 small candidates for the cultivation pool
    places = (
        [p01[i % 2] for i in range(30)] + [p02[i % 3] for i in range(30)] + [p02[i % 3] for i in range(4)]
    )
    ents: list[Enterprise] = []
    for i, region in enumerate(places):
        chain = chain_of_grid[region.code]
        code, term = rng.choice(CHAINS[chain])
        key = i < 60
        if i == 0:
            name, code, chain = "固镇恒顺集团有限公司", "26", "生物基新材料"
        else:
            name = f"{rng.choice(['安徽', '蚌埠', '固镇'])}{brands[i]}{term}有限公司"
        above = key and rng.random() < 0.85
        capital = Decimal(rng.choice([500, 1000, 2000, 3000, 5000, 8000, 12000, 20000])) * WAN
        ent = Enterprise.objects.create(
            name=name,
            credit_code=credit_code(rng),
            region=region,
            address=f"{region.parent.name}{rng.choice(['纬一路', '纬二路', '经三路', '经五路', '浍河路', '产业大道'])}{rng.randint(1, 99)}号",
            legal_representative=rng.choice("王李张刘陈杨黄赵吴周徐孙马朱胡郭")
            + rng.choice("建国志强海波明辉春华晓东国庆立新"),
            industry=industries[code],
            registered_capital=capital if key else Decimal(rng.choice([50, 100, 200])) * WAN,
            founded_on=dt.date(rng.randint(2003, 2021), rng.randint(1, 12), rng.randint(1, 28)),
            above_scale=above,
            above_scale_since=rng.randint(2012, year - 1) if above else None,
            land_area_mu=Decimal(rng.randint(20, 400)) if key else Decimal(rng.randint(5, 15)),
            employees=rng.randint(60, 1500) if key else rng.randint(12, 50),
            contact_name=rng.choice("王李张刘陈") + rng.choice(["经理", "主任", "总监"]),
            contact_phone=f"139{rng.randint(10000000, 99999999)}",
            tier=(Tier.LEAD if i % 10 == 0 else Tier.STRONG if i % 3 == 0 else Tier.YOUNG) if key else "",
            is_demo=True,
        )
        picked = ["四上"] if above else []
        if rng.random() < 0.25:
            picked.append("专精特新")
        if rng.random() < 0.35:
            picked.append("高新技术企业")
        if rng.random() < 0.2:
            picked.append("外贸")
        if chain in {"生物基新材料", "新能源"}:
            picked.append("战略性新兴")
        if i in (0, 10):
            picked += ["国家级专精特新小巨人", "拟上市"]
        ent.tags.set([tags[t] for t in dict.fromkeys(picked) if t in tags])
        if key:
            KeyDesignation.objects.create(enterprise=ent, year=year, note="县重点工业企业")
        ents.append(ent)
    key_ents = ents[:60]

    # --- lists and pools
    county = regions["340323"]
    key_list = EnterpriseList.objects.create(
        name=f"{year}年重点工业企业包抓清单",
        kind="list",
        year=year,
        region=county,
        description="“五个一”包抓",
    )
    small = EnterpriseList.objects.create(
        name=f"{year}年小升规培育库", kind="pool", pool="small_to_scale", year=year, goal=6, region=county
    )
    zjtx = EnterpriseList.objects.create(
        name=f"{year}年专精特新培育库", kind="pool", pool="specialised", year=year, goal=5, region=county
    )
    ipo = EnterpriseList.objects.create(
        name="拟上市企业后备库", kind="pool", pool="shares_to_listed", year=year, goal=2, region=county
    )
    start = dt.date(year, 1, 1)
    for ent in key_ents:
        ListMembership.objects.create(
            list=key_list, enterprise=ent, entered_on=start, entry_reason="县委县政府确定"
        )
    below = [e for e in ents if not e.above_scale]
    for n, ent in enumerate(below[:9]):
        ListMembership.objects.create(
            list=small,
            enterprise=ent,
            entered_on=start,
            entry_reason="营业收入接近2000万元",
            achieved_on=dt.date(year, 6, 30) if n < 3 else None,
        )
    for ent in [e for e in key_ents if e.tier != Tier.YOUNG][:8]:
        ListMembership.objects.create(
            list=zjtx, enterprise=ent, entered_on=start, entry_reason="细分领域市场占有率靠前"
        )
    for ent in (ents[0], ents[10]):
        ListMembership.objects.create(list=ipo, enterprise=ent, entered_on=start, entry_reason="已完成股改")

    # --- teams: commissioners 2–3 each, county leaders, department contacts, grid staff
    zy = {u.username: u for u in User.objects.filter(username__startswith="zy", role=Role.COMMISSIONER)}
    leaders = list(
        User.objects.filter(username__regex=r"^leader[0-9]+$", role=Role.LEADER).order_by("username")
    )
    dept_heads = list(
        User.objects.filter(
            role=Role.DEPT_HEAD, department__kind__in=["government", "external"], department__region=county
        )
        .select_related("department")
        .order_by("username")
    )
    grid_members = {u.region_id: u for u in User.objects.filter(role=Role.GRID, region__kind="grid")}
    grid_leaders = {}
    for n, region in enumerate(p01 + p02, start=1):
        user, created = User.objects.get_or_create(
            username=f"wgz{n:02d}",
            defaults={
                "full_name": f"{rng.choice('程苏魏吕丁任沈姚卢')}{rng.choice(['立新', '国强', '海燕', '春梅', '志刚'])}",
                "role": Role.GRID,
                "region": region,
                "title": "网格长",
                "mobile": demo_mobile(f"wgz{n:02d}"),
                "is_demo": True,
            },
        )
        if created:
            user.password = demo_password_hash()
            user.save(update_fields=["password"])
        grid_leaders[region.pk] = user
    commissioner_of: list[User] = []
    for n in range(1, 11):
        commissioner_of += [zy[f"zy{n:02d}"]] * 3
    for n in range(11, 26):
        commissioner_of += [zy[f"zy{n:02d}"]] * 2
    demo_commissioner = User.objects.filter(username="zhuanyuan").first()
    assignments = []
    for i, ent in enumerate(key_ents):
        team = [
            ("commissioner", commissioner_of[i], None),
            ("county_leader", leaders[i % len(leaders)], None),
            ("grid_member", grid_members.get(ent.region_id), None),
            ("grid_leader", grid_leaders[ent.region_id], None),
        ]
        if dept_heads:
            head = dept_heads[i % len(dept_heads)]
            team.append(("dept_contact", head, head.department))
        for role, user, dept in team:
            if user is not None:
                assignments.append(
                    Assignment(
                        enterprise=ent, year=year, role=role, user=user, department=dept, started_on=start
                    )
                )
    demo_leader = User.objects.filter(username="leader").first()
    if demo_leader is not None:
        # the demo county leader (高建国) looks after six enterprises himself
        for a in assignments:
            if a.role == "county_leader" and a.enterprise in key_ents[:6]:
                a.user = demo_leader
    if demo_commissioner is not None:
        for ent in ents[60:62]:
            assignments.append(
                Assignment(
                    enterprise=ent, year=year, role="commissioner", user=demo_commissioner, started_on=start
                )
            )
    Assignment.objects.bulk_create(assignments)
    # a commissioner moved in the summer: hand-over history
    moved = Assignment.objects.filter(enterprise=key_ents[5], role="commissioner").first()
    if moved is not None and today > dt.date(year, 7, 1):
        successor = zy["zy25"] if moved.user != zy["zy25"] else zy["zy24"]
        moved.ended_on = dt.date(year, 7, 1)
        moved.end_reason = f"交接给{successor.display_name}：岗位调整"
        moved.save()
        Assignment.objects.create(
            enterprise=moved.enterprise,
            year=year,
            role="commissioner",
            user=successor,
            started_on=dt.date(year, 7, 1),
            predecessor=moved,
        )

    # --- visits: diligence differs by person, so the ranking shows laggards
    laggards = {"zy07", "zy19", "zy23", "leader05"}
    visits: list[Visit] = []
    diligence: dict[int, float] = {}
    for a in Assignment.objects.filter(enterprise__in=key_ents + ents[60:62]).select_related("user"):
        p = diligence.setdefault(a.user_id, 0.35 if a.user.username in laggards else rng.uniform(0.75, 0.97))
        end = min(a.ended_on or today, today)
        if a.role in {"commissioner", "grid_member"}:
            step = 7
        elif a.role in {"dept_contact", "grid_leader"}:
            step = 30
        else:
            step = 91
        day = a.started_on
        while day <= end:
            if rng.random() < p:
                when = day + dt.timedelta(days=rng.randint(0, step - 1))
                if when <= end:
                    visits.append(
                        Visit(
                            enterprise=a.enterprise,
                            visitor=a.user,
                            visited_on=when,
                            kind=rng.choice(["onsite", "onsite", "onsite", "phone", "online"]),
                            findings=rng.choice(FINDINGS),
                            created_at=timezone.make_aware(dt.datetime.combine(when, dt.time(17, 30))),
                        )
                    )
            day += dt.timedelta(days=step)
    Visit.objects.bulk_create(visits, batch_size=1000)
    with_problems = rng.sample(list(Visit.objects.filter(enterprise__is_demo=True)), k=min(60, len(visits)))
    VisitProblem.objects.bulk_create(
        [
            VisitProblem(visit=v, category=c, description=d)
            for v in with_problems
            for c, d in [rng.choice(PROBLEMS)]
        ]
    )

    # --- one enterprise, one plan
    for n, ent in enumerate(key_ents[:40]):
        plan = AssistancePlan.objects.create(
            enterprise=ent,
            year=year,
            goals=rng.choice(
                [
                    f"全年产值突破{rng.randint(2, 30)}亿元，力争税收增长15%",
                    "完成二期技改项目并投产，新增产能30%",
                    "申报省级专精特新中小企业，研发投入占比达到3%",
                    "年内完成股份制改造，启动上市辅导备案",
                ]
            ),
        )
        commissioner = next(
            a.user for a in assignments if a.enterprise_id == ent.pk and a.role == "commissioner"
        )
        for m, (title, month) in enumerate(
            [("协调落实项目用地指标", 4), ("对接银行解决流动资金需求", 6), ("组织专场招聘会补充技工", 9)][
                : 2 + n % 2
            ]
        ):
            deadline = dt.date(year, month, 28)
            done = deadline < today and rng.random() < 0.7
            progress = 100 if done else rng.choice([0, 30, 60])
            PlanMeasure.objects.create(
                plan=plan,
                title=title,
                owner=commissioner,
                deadline=deadline,
                status="done" if done else ("in_progress" if m == 0 or progress else "planned"),
                progress=progress,
                completed_on=deadline - dt.timedelta(days=3) if done else None,
            )

    # --- meetings
    host = User.objects.filter(username="leader").first() or leaders[0]
    kinds = [
        ("breakfast", "企业家早餐会"),
        ("bank", "银企对接会"),
        ("policy", "惠企政策宣讲会"),
        ("forum", "重点企业座谈会"),
    ]
    for n in range(6):
        kind, title = kinds[n % len(kinds)]
        held = max(start, today - dt.timedelta(days=30 * (6 - n)))
        meeting = Meeting.objects.create(
            kind=kind,
            title=f"第{n + 1}期{title}",
            held_on=held,
            host=host,
            region=county,
            location=rng.choice(["县政府三楼会议室", "经开区管委会", "铜陵产业园服务中心"]),
            summary="听取企业生产经营情况和意见建议，现场交办问题，限期答复。",
        )
        guests = rng.sample(key_ents, 6)
        meeting.enterprises.set(guests)
        for ent in guests[:2]:
            c, d = rng.choice(PROBLEMS)
            MeetingProblem.objects.create(meeting=meeting, enterprise=ent, category=c, description=d)
    audit.record(
        "import",
        object_type="enterprises.enterprise",
        object_repr="企业与包抓演示数据",
        changes={"enterprises": len(ents), "assignments": len(assignments), "visits": len(visits)},
        message="加载企业库、包抓分工、走访记录演示数据",
    )
    if stdout:
        stdout.write(f"企业 {len(ents)} 户，包抓责任 {len(assignments)} 条，走访 {len(visits)} 次")

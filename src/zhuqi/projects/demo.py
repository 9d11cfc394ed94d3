"""Demo key projects for 固镇县, modelled on the seed reports: 181 major projects with a total
investment of 114.8 billion yuan (Zigong's 2022 plan), the year's investment by month with some
projects ahead of schedule and some behind, a few overdue approvals, a 三个一批 round,
red/black list rules (the 观摩 round is oversight's demo). Idempotent: does nothing when demo projects exist."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhuqi.core import audit
from zhuqi.core.models import Role, User
from zhuqi.core.units import WAN, YI
from zhuqi.core.workcalendar import SHANGHAI, add_working_days

from . import schedule, services
from .figures import report_period
from .models import (
    ApprovalStep,
    Baseline,
    Campaign,
    CampaignEntry,
    Dependency,
    InvestmentMonth,
    Project,
    ProjectProgress,
    Stage,
    StageChange,
    Task,
)

N_PROJECTS = 181
TOTAL_YUAN = Decimal("114800000000")  # 1148 亿元

INDUSTRIAL = [
    ("生物基材料", "年产{n}万吨聚乳酸及制品项目"),
    ("生物基材料", "年产{n}万吨生物基尼龙项目"),
    ("生物基材料", "{n}万吨秸秆综合利用生物基新材料项目"),
    ("绿色食品", "年加工{n}万吨优质小麦精深加工项目"),
    ("绿色食品", "{n}万头生猪屠宰及冷链物流项目"),
    ("绿色食品", "年产{n}万吨休闲食品智能工厂项目"),
    ("装备制造", "年产{n}万台套智能农机装备项目"),
    ("装备制造", "{n}条汽车零部件精密制造生产线项目"),
    ("新能源", "{n}MW分布式光伏发电项目"),
    ("新能源", "年产{n}GWh储能电池模组项目"),
    ("新材料", "年产{n}万吨高性能改性塑料项目"),
    ("电子信息", "年产{n}亿只电子元器件项目"),
]
OTHER = [
    ("infrastructure", "基础设施", "固镇县{p}道路提升改造工程"),
    ("infrastructure", "基础设施", "{p}标准化厂房（{n}期）建设项目"),
    ("infrastructure", "基础设施", "{p}污水处理厂提标扩能工程"),
    ("social", "社会民生", "固镇县{p}保障性租赁住房项目"),
    ("social", "社会民生", "固镇县人民医院{p}院区（{n}期）项目"),
    ("service", "现代物流", "{p}农产品冷链物流园项目"),
    ("agriculture", "现代农业", "{p}高标准农田建设（{n}万亩）项目"),
    ("energy", "能源", "{p}110千伏输变电工程"),
]
PLACES = [
    "城关镇",
    "谷阳镇",
    "王庄镇",
    "濠城镇",
    "刘集镇",
    "新马桥镇",
    "连城镇",
    "任桥镇",
    "经开区",
    "铜陵产业园",
]
PREFIXES = [
    "丰原",
    "鑫源",
    "华瑞",
    "徽能",
    "淮河",
    "绿源",
    "中粮",
    "金丰",
    "恒泰",
    "蓝天",
    "皖北",
    "华骏",
    "九天",
    "永盛",
]
TASKS = [
    ("前期手续办理", 20),
    ("场地平整", 10),
    ("桩基施工", 25),
    ("主体结构施工", 60),
    ("设备安装调试", 40),
]


def _log(stdout, msg):
    if stdout is not None:
        stdout.write(msg)


def load_demo(context, stdout=None) -> None:
    if Project.objects.filter(is_demo=True).exists():
        _log(stdout, "重点项目演示数据已存在，跳过")
        return
    with transaction.atomic(), audit.row_diffs_disabled():
        _load(context, stdout)
        from . import rollups

        rollups.refresh(everything=True)  # 重点项目汇总 (projects-figures.md §Rollup)


def _load(context, stdout) -> None:  # noqa: C901 - one linear script
    rng = random.Random(181)
    regions, depts = context["regions"], context["departments"]
    today = timezone.localdate()
    year, month = report_period(today)
    county = regions["340323"]
    parks = [regions["340323P01"], regions["340323P02"]]
    towns = [r for code, r in regions.items() if code.startswith("3403231") or code.startswith("3403232")]
    towns = [r for r in towns if r.kind == "town"]
    leaders = list(User.objects.filter(role=Role.LEADER, region=county).order_by("username"))
    admin = User.objects.filter(username="admin").first()
    dispatch = User.objects.filter(username="dispatch").first() or admin
    handlers = {}
    for short in ("经信局", "发改委", "住建局", "商务局", "自然资源局"):
        d = depts.get(short)
        if d:
            handlers[short] = list(User.objects.filter(department=d))
    from zhuqi.enterprises.models import Enterprise

    enterprises = list(Enterprise.objects.filter(region__path__startswith=county.path).order_by("pk")[:120])
    services.ensure_step_types()
    step_types = list(services.ensure_step_types())

    # --- the ledger ---------------------------------------------------------------------
    weights = [rng.lognormvariate(0, 0.9) for _ in range(N_PROJECTS)]
    scale = TOTAL_YUAN / Decimal(str(sum(weights)))
    amounts = [(Decimal(str(w)) * scale / WAN).quantize(Decimal(1)) * WAN for w in weights]
    amounts[-1] += TOTAL_YUAN - sum(amounts)
    amounts.sort(reverse=True)
    projects = []
    used_names = set()
    for i in range(N_PROJECTS):
        industrial = i % 10 < 7
        n = rng.choice([1, 2, 3, 5, 6, 8, 10, 12, 15, 20, 30, 50])
        if industrial:
            industry, pattern = rng.choice(INDUSTRIAL)
            kind, name = Project.Kind.INDUSTRIAL, rng.choice(PREFIXES) + pattern.format(n=n)
            region = rng.choice(parks) if rng.random() < 0.8 else rng.choice(towns)
            dept = depts.get("经信局") if rng.random() < 0.6 else depts.get("商务局")
        else:
            kind, industry, pattern = rng.choice(OTHER)
            region = rng.choice(towns + [county])
            place = region.name if region.kind == "town" else rng.choice(PLACES)
            name = pattern.format(p=place, n=rng.choice("一二三"))
            dept = depts.get(
                {"infrastructure": "住建局", "social": "发改委", "energy": "发改委"}.get(kind, "发改委")
            )
        base, k = name, 2
        while name in used_names:
            name = f"{base}（{'一二三四五六七八九十'[min(k, 10) - 1]}期）" if k <= 10 else f"{base}（{k}）"
            k += 1
        used_names.add(name)
        total = amounts[i]
        level = (
            Project.Level.PROVINCE
            if total >= 2_000_000_000
            else Project.Level.PROVINCE_DXZ
            if industrial and total >= 1_000_000_000 and i % 3 == 0
            else Project.Level.CITY
            if total >= 500_000_000
            else Project.Level.COUNTY
        )
        tags = []
        if total >= 10 * YI:
            tags.append("10亿元以上")
        elif total >= YI:
            tags.append("亿元以上")
        if industrial and rng.random() < 0.25:
            tags.append("技改")
        if industrial and rng.random() < 0.08:
            tags.append("外资")
        if industrial and rng.random() < 0.5:
            tags.append("招商引资")
        # stage: a county's mix of continuing and new projects
        r = rng.random()
        stage = (
            Stage.PLANNED
            if r < 0.08
            else Stage.SIGNED
            if r < 0.16
            else Stage.LANDED
            if r < 0.26
            else Stage.STARTED
            if r < 0.46
            else Stage.IN_STATS
            if r < 0.72
            else Stage.COMPLETED
            if r < 0.80
            else Stage.PRODUCING
            if r < 0.93
            else Stage.AT_CAPACITY
        )
        if industrial is False and stage in (Stage.PRODUCING, Stage.AT_CAPACITY):
            stage = Stage.COMPLETED
        if stage in (Stage.PLANNED, Stage.SIGNED):
            planned_start = dt.date(year + 1, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        elif stage == Stage.LANDED:  # about to start; some are late
            planned_start = today + dt.timedelta(days=rng.randint(-40, 90))
        elif stage == Stage.STARTED:
            planned_start = dt.date(year, 1, 1) + dt.timedelta(
                days=rng.randint(0, max(1, (today - dt.date(year, 1, 1)).days - 20))
            )
        else:
            planned_start = dt.date(year - 1, 1, 1) + dt.timedelta(days=rng.randint(0, 330))
        planned_completion = planned_start + dt.timedelta(days=rng.randint(300, 900))
        p = Project.objects.create(
            code=f"GZ{year}-{i + 1:03d}",
            name=name,
            kind=kind,
            industry=industry,
            owner=enterprises[i % len(enterprises)] if enterprises and industrial and i % 3 == 0 else None,
            region=region,
            total_investment=total,
            planned_start=planned_start,
            planned_completion=planned_completion,
            level=level,
            tags=tags,
            leader=leaders[i % len(leaders)] if leaders else None,
            department=dept,
            description=f"总投资{total / YI:.2f}亿元，主要建设生产车间、仓储及配套设施。"
            if industrial
            else f"总投资{total / YI:.2f}亿元。",
            stage=stage,
            is_demo=True,
        )
        projects.append(p)
        team = handlers.get(dept.short_name if dept else "", [])[:2]
        if team:
            p.team.set(team)
        # stage dates and history
        idx = Stage.values.index(stage)
        day = min(planned_start - dt.timedelta(days=120), today - dt.timedelta(days=30 * idx + 10))
        changes = []
        for s in Stage.values[1 : idx + 1]:
            day = min(day + dt.timedelta(days=rng.randint(15, 60)), today - dt.timedelta(days=1))
            if s == Stage.STARTED:
                day = min(max(day, planned_start), today - dt.timedelta(days=1))
            setattr(p, Project.STAGE_DATE_FIELDS[s], day)
            changes.append(
                StageChange(
                    project=p,
                    from_stage=Stage.values[Stage.values.index(s) - 1],
                    to_stage=s,
                    date=day,
                    confirmed_by=dispatch,
                    evidence={
                        "signed": "投资合同",
                        "landed": "土地成交确认书",
                        "started": "施工许可证及现场照片",
                    }.get(s, "佐证材料已上传"),
                    created_at=dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI),
                )
            )
        if changes:
            if i % 15 == 0:  # a few moves this week, for the weekly dispatch view
                last = changes[-1]
                last.date = max(
                    today - dt.timedelta(days=rng.randint(0, 5)),
                    changes[-2].date if len(changes) > 1 else last.date,
                )
                last.created_at = dt.datetime.combine(last.date, dt.time(10), tzinfo=SHANGHAI)
                setattr(p, Project.STAGE_DATE_FIELDS[last.to_stage], last.date)
            StageChange.objects.bulk_create(changes)
            p.save(update_fields=list(Project.STAGE_DATE_FIELDS.values()))
            last = changes[-1]
            audit.record(
                "transition",
                p,
                event="stage_moved",
                changes={
                    "stage": [last.from_stage, last.to_stage],
                    "date": last.date,
                    "evidence": last.evidence,
                },
                actor=dispatch,
            )

    # --- approvals: done for started projects, some overdue for early ones ----------------
    steps = []
    overdue_made = 0
    for p in projects:
        early = p.stage in (Stage.PLANNED, Stage.SIGNED, Stage.LANDED)
        for st in step_types:
            dept = services._department_for(p, st.department_hint)
            step = ApprovalStep(project=p, step_type=st, department=dept, legal_days=st.legal_days)
            if not early:
                start = (p.started_on or today) - dt.timedelta(days=120 - st.order * 12)
                step.started_on = start
                step.due_date = add_working_days(start, st.legal_days)
                step.done_on = add_working_days(start, max(1, st.legal_days - rng.randint(0, 3)))
                step.status = ApprovalStep.Status.DONE
            elif p.stage != Stage.PLANNED and st.order <= 3:
                start = today - dt.timedelta(days=rng.randint(5, 25))
                step.started_on = start
                step.due_date = add_working_days(start, st.legal_days)
                if step.due_date < today and overdue_made >= 6:
                    step.done_on = step.due_date
                    step.status = ApprovalStep.Status.DONE
                else:
                    step.status = ApprovalStep.Status.IN_PROGRESS
                    if step.due_date < today:
                        overdue_made += 1
                        step.escalated_at = timezone.now()
            steps.append(step)
    ApprovalStep.objects.bulk_create(steps)

    # --- investment by month: plan for the year, actuals up to the report month ---------------
    rows = []
    for i, p in enumerate(projects):
        if p.stage in (Stage.PLANNED, Stage.SIGNED):
            continue
        share = Decimal(str(rng.uniform(0.15, 0.45)))
        annual = (p.total_investment * share / WAN).quantize(Decimal(1)) * WAN
        p.year_planned_investment = annual
        p.save(update_fields=["year_planned_investment"])
        parts = services.split_amount(annual, [Decimal(w) for w in (4, 6, 8, 9, 9, 9, 9, 9, 9, 10, 10, 8)])
        # pace: most near the plan, some ahead, some far behind (yellow and red lights)
        r = rng.random()
        pace = (
            rng.uniform(1.05, 1.3)
            if r < 0.35
            else rng.uniform(0.93, 1.05)
            if r < 0.8
            else rng.uniform(0.6, 0.85)
            if r < 0.93
            else rng.uniform(0.15, 0.5)
        )
        for m in range(1, 13):
            actual = None
            if y_m_le((year, m), (year, month)) and not (i % 23 == 0 and m == month):
                noise = Decimal(str(rng.uniform(0.85, 1.15)))
                actual = (parts[m - 1] * Decimal(str(pace)) * noise / 100).quantize(Decimal(1)) * 100
            rows.append(
                InvestmentMonth(
                    project=p,
                    year=year,
                    month=m,
                    planned=parts[m - 1],
                    actual=actual,
                    reported_at=timezone.now() if actual is not None else None,
                )
            )
    InvestmentMonth.objects.bulk_create(rows)
    ProjectProgress.objects.rebuild({r.project_id for r in rows})

    # --- schedules (横道图) for the twenty largest projects under construction ---------------------
    building = [p for p in projects if p.stage in (Stage.STARTED, Stage.IN_STATS)][:20]
    for p in building:
        start = add_working_days(p.started_on or today, 0) - dt.timedelta(days=60)
        prev = None
        tasks = []
        for order, (name, dur) in enumerate(TASKS, start=1):
            t = Task.objects.create(
                project=p,
                name=name,
                start=start,
                duration=dur,
                finish=schedule.finish_of(start, dur),
                order=order,
                owner_name=rng.choice(["项目经理", "施工单位", "业主单位", "监理单位"]),
            )
            if prev:
                Dependency.objects.create(predecessor=prev, successor=t, lag=rng.choice([0, 0, 2, 5]))
            tasks.append(t)
            prev = t
        ms = Task.objects.create(
            project=p,
            name="竣工投产",
            kind=Task.Kind.MILESTONE,
            start=start,
            duration=0,
            finish=start,
            order=99,
        )
        Dependency.objects.create(predecessor=prev, successor=ms, lag=5)
        _, nodes, edges = services._nodes_and_edges(p)
        schedule.forward(nodes, edges)
        for t in Task.objects.filter(project=p):
            n = nodes[t.pk]
            t.start, t.finish = n.start, n.finish
            if t.finish < today:
                t.done_on, t.progress = t.finish, 100
            elif t.start <= today:
                t.progress = rng.choice([20, 40, 60])
            t.save()
        snap = {
            str(t.pk): {"name": t.name, "start": t.start.isoformat(), "finish": t.finish.isoformat()}
            for t in Task.objects.filter(project=p)
        }
        Baseline.objects.create(project=p, approved_by=dispatch, tasks=snap)
        # some tasks slipped after the baseline
        if rng.random() < 0.4:
            t = Task.objects.filter(project=p, done_on__isnull=True).order_by("order").first()
            if t:
                t.duration += rng.choice([5, 10, 15])
                t.finish = schedule.finish_of(t.start, t.duration)
                t.save()
                _, nodes, edges = services._nodes_and_edges(p)
                schedule.forward(nodes, edges)
                for t2 in Task.objects.filter(project=p):
                    t2.start, t2.finish = nodes[t2.pk].start, nodes[t2.pk].finish
                    t2.save(update_fields=["start", "finish"])
        target = p.planned_completion
        if target:
            _, nodes, edges = services._nodes_and_edges(p)
            schedule.backward(nodes, edges, target)
            for t in Task.objects.filter(project=p):
                t.late_start, t.late_finish = nodes[t.pk].late_start, nodes[t.pk].late_finish
                t.save(update_fields=["late_start", "late_finish"])
            p.target_date = target
            p.save(update_fields=["target_date"])

    # --- 三个一批 ------------------------------------------------------------------------------------------
    campaign = Campaign.objects.create(
        name=f"{year}年第二季度“三个一批”集中签约开工投产活动",
        region=county,
        year=year,
        round_no=2,
        held_on=dt.date(year, 4, 18),
        thresholds={"industrial": 300_000_000, "service": 100_000_000, "infrastructure": 50_000_000},
    )
    entries = []
    for p in projects:
        th = campaign.thresholds.get(p.kind)
        if th is not None and p.total_investment < th:
            continue
        batch = {
            Stage.SIGNED: "sign",
            Stage.LANDED: "sign",
            Stage.STARTED: "start",
            Stage.IN_STATS: "start",
            Stage.PRODUCING: "produce",
            Stage.AT_CAPACITY: "produce",
        }.get(p.stage)
        if batch and rng.random() < 0.7:
            entries.append(CampaignEntry(campaign=campaign, project=p, batch=batch))
    CampaignEntry.objects.bulk_create(entries)

    audit.record(
        "import",
        object_type="projects.project",
        object_repr="重点项目演示数据",
        changes={"projects": len(projects), "total_investment": str(TOTAL_YUAN)},
        message=f"加载重点项目演示数据 {len(projects)} 个",
    )
    _log(stdout, f"重点项目：{len(projects)} 个，总投资 {TOTAL_YUAN / YI:.1f} 亿元")


def y_m_le(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a <= b

"""Demo supervision items for 固镇县 (the demo county), after the seeds: 高竹's three annual lists
(任务清单、责任清单、时限清单) kept by 督查 with 周调度、月总结, and 恒口's 一月一通报 rhythm under
which 狠抓落实办 supervises lagging departments — so the queue shows items in every colour.

Items go through `services.create_item` (dated back with time-machine-free arithmetic: the
assignment date is set in the past), then the one sweep sets their colours. Deterministic,
idempotent (does nothing when the county has items)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from zhuqi.core import audit
from zhuqi.core.models import Department, Region, User
from zhuqi.core.roles import Role
from zhuqi.core.workcalendar import add_working_days

from . import services
from .models import Frequency, Item, ListKind, Priority, Report, Source, Status
from .sweep import sweep

# title, list, lead (short name), assisting, source, priority, frequency,
# assigned (working days ago), allowed working days, progress % (None: no report yet), status
ITEMS = [
    (
        "规上工业增加值增速保持全市前列",
        ListKind.TASK,
        "经信局",
        ["数据资源局"],
        Source.PLAN,
        Priority.MAJOR,
        Frequency.MONTHLY,
        60,
        180,
        Decimal(30),
        Status.ASSIGNED,
    ),
    (
        "新增“四上”企业 47 家",
        ListKind.TASK,
        "经信局",
        [],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        120,
        160,
        Decimal(40),
        Status.ASSIGNED,
    ),
    (
        "经开区标准化厂房二期主体完工",
        ListKind.DEADLINE,
        "经开区管委会",
        [],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.HALF_MONTH,
        40,
        38,
        Decimal(70),
        Status.ASSIGNED,
    ),
    (
        "重点项目用地报批“清零”",
        ListKind.RESPONSIBILITY,
        "自然资源局",
        ["经开区管委会"],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.WEEKLY,
        30,
        25,
        None,
        Status.ASSIGNED,
    ),
    (
        "县长办公会议定：企业用电报装提速",
        "",
        "供电公司",
        ["经信局"],
        Source.MEETING,
        Priority.URGENT,
        Frequency.WEEKLY,
        8,
        15,
        Decimal(50),
        Status.ASSIGNED,
    ),
    (
        "县委书记批示：解决园区企业招工难",
        "",
        "人社局",
        ["经开区管委会"],
        Source.INSTRUCTION,
        Priority.INSTRUCTION,
        Frequency.HALF_MONTH,
        5,
        20,
        None,
        Status.ASSIGNED,
    ),
    (
        "工业投资完成率落后时序进度",
        "",
        "发改委",
        ["经信局"],
        Source.INDICATOR,
        Priority.NORMAL,
        Frequency.WEEKLY,
        12,
        20,
        Decimal(20),
        Status.ASSIGNED,
    ),
    (
        "超时诉求：企业变压器增容久拖未办",
        "",
        "供电公司",
        [],
        Source.CASE,
        Priority.NORMAL,
        Frequency.NONE,
        25,
        20,
        Decimal(60),
        Status.ASSIGNED,
    ),
    (
        "“万人助万企”包联走访全覆盖",
        ListKind.RESPONSIBILITY,
        "专班办公室",
        ["经信局"],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        10,
        12,
        None,
        Status.ASSIGNED,
    ),
    (
        "惠企政策兑现“免申即享”清单公布",
        ListKind.TASK,
        "经信局",
        ["财政局"],
        Source.MEETING,
        Priority.NORMAL,
        Frequency.NONE,
        15,
        20,
        Decimal(100),
        Status.REPLIED,
    ),
    (
        "规上企业月报及时率达到 100%",
        ListKind.RESPONSIBILITY,
        "数据资源局",
        [],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        20,
        60,
        Decimal(55),
        Status.ASSIGNED,
    ),
    (
        "一季度工业经济运行分析会议定事项",
        "",
        "经信局",
        [],
        Source.MEETING,
        Priority.NORMAL,
        Frequency.NONE,
        50,
        30,
        Decimal(100),
        Status.CLOSED,
    ),
    # 2026 年三张清单的其余事项（任务清单、责任清单、时限清单），各种颜色都有
    (
        "新增规上工业企业 30 家",
        ListKind.TASK,
        "经信局",
        ["统计局"],
        Source.PLAN,
        Priority.MAJOR,
        Frequency.MONTHLY,
        150,
        200,
        Decimal(70),
        Status.ASSIGNED,
    ),
    (
        "工业投资增长 12%",
        ListKind.TASK,
        "发改委",
        ["经信局"],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        160,
        200,
        Decimal(45),
        Status.ASSIGNED,
    ),
    (
        "省外亿元以上到位资金增长 18%",
        ListKind.TASK,
        "商务局",
        [],
        Source.PLAN,
        Priority.MAJOR,
        Frequency.MONTHLY,
        150,
        210,
        Decimal(60),
        Status.ASSIGNED,
    ),
    (
        "签约亿元以上项目 50 个",
        ListKind.TASK,
        "商务局",
        ["发改委"],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        140,
        200,
        Decimal(72),
        Status.ASSIGNED,
    ),
    (
        "亩均效益评价结果年内公布",
        ListKind.DEADLINE,
        "经信局",
        ["自然资源局", "税务局"],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.NONE,
        40,
        42,
        None,
        Status.ASSIGNED,
    ),
    (
        "批而未供土地处置 300 亩",
        ListKind.RESPONSIBILITY,
        "自然资源局",
        [],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        120,
        110,
        Decimal(80),
        Status.ASSIGNED,
    ),
    (
        "惠企政策资金兑现率 95% 以上",
        ListKind.RESPONSIBILITY,
        "财政局",
        ["经信局"],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.QUARTERLY,
        90,
        120,
        Decimal(75),
        Status.ASSIGNED,
    ),
    (
        "企业用工缺口动态清零",
        ListKind.RESPONSIBILITY,
        "人社局",
        [],
        Source.MEETING,
        Priority.NORMAL,
        Frequency.HALF_MONTH,
        30,
        60,
        None,
        Status.ASSIGNED,
    ),
    (
        "县委书记批示：解决园区企业融资难",
        "",
        "财政局",
        ["人社局"],
        Source.INSTRUCTION,
        Priority.INSTRUCTION,
        Frequency.WEEKLY,
        8,
        20,
        Decimal(30),
        Status.ASSIGNED,
    ),
    (
        "安全生产专项整治问题清零",
        ListKind.DEADLINE,
        "应急局",
        [],
        Source.PLAN,
        Priority.URGENT,
        Frequency.WEEKLY,
        12,
        15,
        Decimal(60),
        Status.ASSIGNED,
    ),
    (
        "企业开办 0.5 个工作日办结",
        ListKind.RESPONSIBILITY,
        "市场监管局",
        [],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        60,
        120,
        Decimal(50),
        Status.ASSIGNED,
    ),
    (
        "重点项目环评审批提速",
        ListKind.RESPONSIBILITY,
        "生态环境分局",
        [],
        Source.MEETING,
        Priority.NORMAL,
        Frequency.NONE,
        18,
        20,
        None,
        Status.ASSIGNED,
    ),
    (
        "标准化厂房三期竣工验收",
        ListKind.DEADLINE,
        "住建局",
        [],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        70,
        60,
        Decimal(85),
        Status.ASSIGNED,
    ),
    (
        "留抵退税应退尽退",
        ListKind.RESPONSIBILITY,
        "税务局",
        [],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        45,
        90,
        Decimal(52),
        Status.ASSIGNED,
    ),
    (
        "二季度项目集中开工活动议定事项",
        "",
        "发改委",
        [],
        Source.MEETING,
        Priority.NORMAL,
        Frequency.NONE,
        80,
        30,
        Decimal(100),
        Status.CLOSED,
    ),
    (
        "招商引资重大线索研判会议定事项",
        "",
        "商务局",
        [],
        Source.MEETING,
        Priority.NORMAL,
        Frequency.NONE,
        25,
        15,
        Decimal(100),
        Status.ACCEPTED,
    ),
    (
        "“四上”企业入库培育名单报送",
        ListKind.DEADLINE,
        "数据资源局",
        ["经信局"],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.NONE,
        10,
        10,
        Decimal(100),
        Status.REPLIED,
    ),
    (
        "工业用地“标准地”出让全覆盖",
        ListKind.TASK,
        "自然资源局",
        ["发改委"],
        Source.PLAN,
        Priority.NORMAL,
        Frequency.MONTHLY,
        5,
        120,
        None,
        Status.ASSIGNED,
    ),
]


def _dept(depts: dict, short: str):
    return depts.get(short)


def load(context, stdout=None) -> None:
    county = Region.objects.filter(code="340323").first()
    if county is not None:
        _calendar(county)
    if county is None or Item.objects.filter(region=county).exists():
        return
    supervisor = User.objects.filter(role=Role.SUPERVISOR, region=county).order_by("pk").first()
    if supervisor is None:
        return
    depts: dict[str, Department] = {}
    for d in Department.objects.filter(region__path__startswith=county.path, is_active=True):
        for key in (d.short_name, d.name):
            if key:
                depts.setdefault(key, d)
    today = timezone.localdate()
    made = 0
    with audit.acting_as(supervisor, label="命令: zhuqi demo"):
        for title, list_kind, lead, assisting, source, priority, freq, ago, days, pct, status in ITEMS:
            lead_dept = _dept(depts, lead)
            if lead_dept is None:
                continue
            assigned = add_working_days(today, -ago)
            item = services.create_item(
                actor=supervisor,
                region=county,
                title=title,
                lead_department=lead_dept,
                assisting=[d for d in (_dept(depts, a) for a in assisting) if d and d.pk != lead_dept.pk],
                assigned_on=assigned,
                working_days=days,
                source=source,
                list_kind=list_kind,
                year=today.year if list_kind else None,
                priority=priority,
                report_frequency=freq,
                requirement="按照县委县政府部署，明确责任、细化措施、按时办结。",
                sweep_now=False,
            )
            made += 1
            at = timezone.now() - dt.timedelta(days=2)
            if pct is not None:
                Report.objects.create(
                    item=item, kind=Report.Kind.PROGRESS, body="已按计划推进。", progress_pct=pct, at=at
                )
                Item.objects.filter(pk=item.pk).update(
                    progress_pct=pct,
                    last_response_at=at,
                    next_report_on=services.next_report(at.date(), freq),
                )
            if status != Status.ASSIGNED:
                Report.objects.create(
                    item=item, kind=Report.Kind.REPLY, body="已按要求办结。", progress_pct=Decimal(100), at=at
                )
                Item.objects.filter(pk=item.pk).update(
                    status=status, closed_at=at if status == Status.CLOSED else None
                )
        sweep()
        _bulletin(county, supervisor, today)
        _assessments(county, supervisor, today)
        _tour(county, supervisor, today)
    if stdout is not None:
        stdout.write(f"督办事项：{made} 项\n")


def _bulletin(county, supervisor, today) -> None:
    """恒口's 一月一通报: last month's bulletin drafted, approved by the county leader, published."""
    from . import services_bulletin

    leader = User.objects.filter(role=Role.LEADER, region=county).order_by("pk").first()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    if leader is None:
        return
    try:
        b = services_bulletin.draft_bulletin(county, year, month, actor=supervisor)
    except ValidationError:  # no data for the month: the demo goes without a bulletin
        return
    services_bulletin.approve_bulletin(b, actor=leader)
    services_bulletin.publish_bulletin(b, actor=supervisor)
    # last quarter's bulletin, drafted and waiting for the county leader's approval
    quarter = (today.month + 2) // 3
    q_year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    try:
        services_bulletin.draft_bulletin(county, q_year, actor=supervisor, quarter=quarter)
    except ValidationError:
        return


# kind, title, recurrence, weekday, day, day rule, month, preparer (department short name, or
# None: the county's 督查), lead working days, note
CALENDAR = [
    (
        "weekly_meeting",
        "“工招园”工作周调度会",
        "weekly",
        0,
        None,
        "calendar",
        None,
        "专班办公室",
        1,
        "每周一调度重点项目、企业诉求和经济指标；专班办公室汇总上周进展",
    ),
    (
        "monthly_bulletin",
        "一月一通报：月度助企工作通报",
        "monthly",
        None,
        5,
        "working",
        None,
        None,
        3,
        "每月第 5 个工作日前发布上月通报（诉求办结率排名、督办事项、红黑榜）",
    ),
    (
        "monthly_drill",
        "重点项目月拉练",
        "monthly",
        None,
        25,
        "calendar",
        None,
        "发改委",
        3,
        "县领导带队现场观摩在建重点项目",
    ),
    (
        "quarterly_inspection",
        "一季一督查：季度重点工作督查",
        "quarterly",
        None,
        10,
        "calendar",
        1,
        None,
        5,
        "每季度第一个月 10 日前后，督查上季度任务清单、时限清单落实情况",
    ),
    (
        "quarterly_assessment",
        "季度考核排名",
        "quarterly",
        None,
        15,
        "calendar",
        1,
        "专班办公室",
        5,
        "按上季度指标完成、诉求办理和督办事项结果打分排名",
    ),
    (
        "annual_assessment",
        "年终一考核：年度目标责任考核",
        "yearly",
        None,
        20,
        "calendar",
        12,
        None,
        10,
        "年终按结果考核各单位目标任务完成情况",
    ),
]


def _calendar(county) -> None:
    """固镇's 三个一 (一月一通报、一季一督查、年终一考核) and its 周调度 as a calendar; idempotent."""
    from .models import CalendarEvent

    if CalendarEvent.objects.filter(region=county).exists():
        return
    supervisor = User.objects.filter(role=Role.SUPERVISOR, region=county).order_by("pk").first()
    depts = {
        d.short_name: d for d in Department.objects.filter(region=county, is_active=True) if d.short_name
    }
    rows = []
    for kind, title, rec, weekday, day, rule, month, dept, lead, note in CALENDAR:
        department = depts.get(dept) if dept else None
        preparer = None if dept else supervisor
        if department is None and preparer is None:
            continue
        rows.append(
            CalendarEvent(
                region=county,
                kind=kind,
                title=title,
                recurrence=rec,
                weekday=weekday,
                day=day,
                day_rule=rule,
                month=month,
                department=department,
                preparer=preparer,
                lead_days=lead,
                note=note,
            )
        )
    with audit.acting_as(supervisor, label="命令: zhuqi demo"):
        CalendarEvent.objects.bulk_create(rows)


def _assessments(county, supervisor, today) -> None:
    """自贡's 季考核 and 高竹's 红黑榜: last quarter's assessment of the towns and parks and of the
    departments, computed from the demo's live data and published, with a 红黑榜 of each."""
    from zhuqi.indicators.periods import Period

    from . import services_assessment as sa

    quarter = Period.last_ended("Q", today)
    towns = [
        {
            "name": "工业总产值目标完成率",
            "metric": "indicators.completion",
            "indicator": "gross_output",
            "weight": "40",
            "rule": "ratio",
        },
        {
            "name": "重点项目投资计划完成率",
            "metric": "projects.investment",
            "weight": "30",
            "rule": "rank",
            "step": "3",
        },
        {"name": "诉求办结率", "metric": "cases.close_rate", "weight": "30", "rule": "ratio", "target": "95"},
        {
            "name": "超期未办结诉求",
            "kind": "penalty",
            "metric": "cases.overdue",
            "weight": "5",
            "rule": "per_unit",
            "per_unit": "1",
        },
    ]
    departments = [
        {"name": "诉求办结率", "metric": "cases.close_rate", "weight": "30", "rule": "rank", "step": "3"},
        {
            "name": "诉求按时办结率",
            "metric": "cases.close_ontime",
            "weight": "20",
            "rule": "ratio",
            "target": "95",
        },
        {
            "name": "督办事项按期办结率",
            "metric": "oversight.ontime",
            "weight": "30",
            "rule": "ratio",
            "target": "100",
        },
        {"name": "超期未办结诉求", "metric": "cases.overdue", "weight": "20", "rule": "rank", "step": "4"},
        {
            "name": "红色督办",
            "kind": "penalty",
            "metric": "oversight.red",
            "weight": "5",
            "rule": "per_unit",
            "per_unit": "1",
        },
    ]
    for name, sequence, items in (
        (f"{quarter.year}年乡镇（园区）季度考核", "regions", towns),
        (f"{quarter.year}年县直部门季度考核", "departments", departments),
    ):
        try:
            scheme = sa.save_scheme(
                None,
                actor=supervisor,
                region=county,
                name=name,
                year=quarter.year,
                period_kind="Q",
                sequence=sequence,
                items=items,
            )
            a = sa.compute_assessment(scheme, quarter.code, actor=supervisor, today=today)
            sa.publish_assessment(a, actor=supervisor, confirm=True)
        except ValidationError:  # no unit or no data: the demo goes without this one
            continue
        if sequence == "regions":  # the towns' 红黑榜 by their assessment total
            _publish_rule(
                sa,
                county,
                supervisor,
                quarter,
                name="乡镇（园区）季度考核红黑榜",
                sequence=sequence,
                scheme=scheme,
                target="80",
                size=2,
            )
    # the departments' by a metric: only the departments that had cases are ranked
    _publish_rule(
        sa,
        county,
        supervisor,
        quarter,
        name="部门诉求按时办结率红黑榜",
        sequence="departments",
        metric="cases.close_ontime",
        target="90",
        size=3,
    )
    _project_rules(sa, county, supervisor, today)


def _project_rules(sa, county, supervisor, today) -> None:
    """The key projects' monthly 红黑榜 (once the projects app's own): the projects and their
    responsible departments by 超时序进度, the departments by overdue approvals; last month's
    list of the projects published."""
    from zhuqi.indicators.periods import Period

    month = Period.last_ended("M", today)
    for name, sequence, metric, size, publish in (
        ("重点项目投资进度红黑榜", "projects", "projects.lead", 5, True),
        ("责任单位投资进度红黑榜", "departments", "projects.lead", 2, False),
        ("审批逾期黑榜（责任部门）", "departments", "projects.approval_overdue", 2, False),
    ):
        fields = dict(name=name, sequence=sequence, metric=metric, size=size)
        _publish_rule(sa, county, supervisor, month if publish else None, period_kind="M", **fields)


def _publish_rule(sa, county, supervisor, period, period_kind="Q", **fields) -> None:
    try:
        rule = sa.save_rule(None, actor=supervisor, region=county, period_kind=period_kind, **fields)
        if period is not None:
            sa.publish_list(rule, actor=supervisor, period_code=period.code, confirm=True)
    except ValidationError:
        pass


#: the demo round's criteria: name, weight, maximum (weights add up to 100)
TOUR_CRITERIA = [
    ("建设进度", Decimal(35), 100),
    ("投资强度", Decimal(25), 100),
    ("科技含量与带动效应", Decimal(20), 100),
    ("现场管理", Decimal(20), 50),
]


def _tour(county, supervisor, today) -> None:
    """开封's half-year 观摩 with on-site scoring: projects under construction and two
    enterprises, five judges scoring every site on their phones, the results published."""
    import random

    from zhuqi.enterprises.models import Enterprise
    from zhuqi.projects.models import Project, Stage

    from . import services_tours
    from .models import TourRound

    if TourRound.objects.filter(region=county).exists():
        return
    projects = list(
        Project.objects.filter(
            region_path__startswith=county.path, stage__in=[Stage.STARTED, Stage.IN_STATS, Stage.COMPLETED]
        ).order_by("code")[:6]
    )
    enterprises = list(Enterprise.objects.filter(region_path__startswith=county.path).order_by("pk")[:2])
    judges = [supervisor]
    judges += list(User.objects.filter(region=county, role=Role.DISPATCH, is_active=True).order_by("pk")[:1])
    judges += list(User.objects.filter(region=county, role=Role.LEADER, is_active=True).order_by("pk")[:3])
    if not projects or len(judges) < 5:
        return
    half = "上半年" if today.month <= 6 else "下半年"
    rnd = services_tours.save_round(
        None,
        actor=supervisor,
        name=f"{today.year}年{half}重点项目观摩评比",
        period=f"{today.year}年{half}",
        region=county,
        held_on=today - dt.timedelta(days=10),
        sites=[*projects[:4], *enterprises, *projects[4:]],
        judges=judges,
        criteria=TOUR_CRITERIA,
    )
    rng = random.Random(16)
    criteria = list(rnd.criteria.order_by("order"))
    for site in rnd.sites.order_by("order"):
        base = rng.uniform(0.65, 0.95)
        for judge in judges:
            scores = {
                c.pk: Decimal(min(c.max_score, round(c.max_score * base * rng.uniform(0.9, 1.08) * 2) / 2))
                for c in criteria
            }
            services_tours.score_site(rnd, site, scores, actor=judge)
    services_tours.publish_round(rnd, actor=supervisor)

"""Demo data for cases in 固镇县: the category tree, SLA policies ("13710" active, Shandong's
5-working-day scheme on file, used once activated), routing rules, two partner systems (12345, 96388), and a year of
cases driven through the real services with backdated timestamps, so the figures look like the
seed reports (≈99 % closed, high satisfaction) with a few laggard departments, overdue,
escalated, reopened and merged cases. Idempotent: categories etc. are get-or-create; cases are
generated only when none exist yet."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from zhuqi.core import audit
from zhuqi.core.workcalendar import SHANGHAI, add_working_days, is_working_day

from .models import Case, Category, EscalationLevel, PartnerSystem, RoutingRule, SlaPolicy

# code, name, keywords, [(sub code, sub name, [title templates], [description templates])]
TREE = [
    (
        "land",
        "用地",
        "用地 土地 宗地 地块 供地",
        [
            (
                "land_quota",
                "用地指标",
                ["二期项目新增用地{n}亩指标未落实", "扩建项目用地指标申请", "项目用地报批进度慢"],
                [
                    "企业二期扩产项目需新增建设用地约{n}亩，目前用地指标尚未落实，影响项目开工。",
                    "项目已签约，用地报批材料已提交，希望加快土地指标调剂。",
                ],
            ),
            (
                "land_cert",
                "不动产登记",
                ["厂房不动产证办理困难", "历史遗留厂房无法办证"],
                [
                    "企业自建厂房因历史原因未办理不动产权证，影响银行抵押贷款。",
                    "厂区部分建筑规划手续不全，无法办理不动产登记。",
                ],
            ),
        ],
    ),
    (
        "labor",
        "用工",
        "用工 工人 员工 社保 工伤 劳动",
        [
            (
                "labor_hire",
                "招工",
                ["急需招聘技术工人{n}名", "春节后普工短缺", "熟练缝纫工招工难"],
                [
                    "企业订单饱满，生产线满负荷运转，急需招聘熟练技术工人约{n}名。",
                    "节后返岗率低，普工缺口较大，希望帮助对接劳务输出地。",
                ],
            ),
            (
                "labor_train",
                "技能培训",
                ["员工技能培训补贴申请", "申请开展订单式培训"],
                ["企业计划组织新员工岗前培训，希望了解职业技能培训补贴政策并协助申报。"],
            ),
        ],
    ),
    (
        "finance",
        "融资",
        "融资 银行 流动资金 资金链",
        [
            (
                "finance_loan",
                "贷款授信",
                ["流动资金贷款{n}万元需求", "银行授信额度不足", "申请续贷遇到困难"],
                [
                    "企业原材料采购资金紧张，需流动资金贷款约{n}万元，希望协调银行给予授信支持。",
                    "贷款即将到期，续贷审批周期长，担心资金链断裂。",
                ],
            ),
            (
                "finance_guarantee",
                "担保转贷",
                ["申请政策性担保", "转贷应急资金使用"],
                ["企业缺少有效抵押物，希望通过县融资担保公司提供担保。"],
            ),
        ],
    ),
    (
        "env",
        "环保",
        "环保 废水 废气 排放 固废 污染 异味 噪声 噪音 扬尘 治理设施",
        [
            (
                "env_eia",
                "环评审批",
                ["技改项目环评批复办理", "新建生产线环评手续"],
                [
                    "企业技改项目已完成环评报告编制，希望加快环评审批，尽早投产。",
                    "新上生产线需办理环评，对审批流程和要求不清楚。",
                ],
            ),
            (
                "env_permit",
                "排污许可",
                ["排污许可证变更", "污水接管排放问题"],
                [
                    "企业扩产后排放量变化，需要办理排污许可证变更。",
                    "园区污水管网未接通，企业废水无法接管排放。",
                ],
            ),
        ],
    ),
    (
        "approval",
        "审批",
        "审批 备案 手续 办证",
        [
            (
                "approval_build",
                "工程建设审批",
                ["厂房施工许可证办理", "消防验收进度慢", "竣工联合验收申请"],
                [
                    "新建厂房主体已完工，消防验收排队时间较长，影响按期投产。",
                    "项目施工许可要件已齐全，请求容缺受理、加快办理。",
                ],
            ),
            (
                "approval_license",
                "证照办理",
                ["生产许可证延续", "食品生产许可证办理"],
                ["企业生产许可证即将到期，延续申请材料需指导。"],
            ),
        ],
    ),
    (
        "utility",
        "水电气",
        "水电气",
        [
            (
                "utility_power",
                "用电",
                ["变压器增容{n}千伏安", "厂区频繁停电影响生产", "专线供电线路改造"],
                [
                    "新增生产线后用电负荷增加，现有变压器容量不足，需增容至{n}千伏安。",
                    "近期厂区多次突然停电，造成设备损坏和产品报废。",
                ],
            ),
            (
                "utility_water_gas",
                "用水用气",
                ["天然气管道接入", "工业用水水压不足"],
                ["企业燃煤锅炉改造后需接入天然气管网，管道铺设进度慢。", "厂区工业用水水压不足，影响生产。"],
            ),
        ],
    ),
    (
        "policy",
        "政策兑现",
        "政策 惠企",
        [
            (
                "policy_award",
                "奖补兑现",
                ["技改奖补资金未兑现", "入规奖励申请", "专精特新奖励兑现"],
                [
                    "企业去年技改项目已通过验收，县级技改奖补资金{n}万元尚未兑现。",
                    "企业首次纳入规上统计，申请入规奖励，希望尽快拨付。",
                ],
            ),
        ],
    ),
    (
        "logistics",
        "物流",
        "物流 运输 货车 通行 仓储 快递 运费 冷链",
        [
            (
                "logistics_road",
                "道路交通",
                ["厂区门口道路破损", "货车通行受限"],
                [
                    "厂区门前道路破损严重，雨天积水，重型货车无法正常进出。",
                    "城区货车限行影响原料运输，希望办理通行证。",
                ],
            ),
        ],
    ),
    (
        "market",
        "市场",
        "市场 销售 订单 客户 外贸",
        [
            (
                "market_match",
                "产销对接",
                ["产品销售渠道窄", "希望参加产销对接会"],
                [
                    "企业产品以外销为主，希望政府组织产销对接，拓展国内市场。",
                    "受订单下滑影响，希望推荐本地配套采购。",
                ],
            ),
        ],
    ),
    (
        "tech",
        "技术",
        "科技 研发 创新",
        [
            (
                "tech_rd",
                "研发创新",
                ["申报高新技术企业", "数字化改造方案咨询", "校企合作对接"],
                [
                    "企业计划申报高新技术企业，希望提供政策辅导。",
                    "企业拟实施数字化车间改造，希望对接服务商和专家诊断。",
                ],
            ),
        ],
    ),
    (
        "legal",
        "法律",
        "法律 律师 官司",
        [
            (
                "legal_dispute",
                "纠纷维权",
                ["货款被拖欠", "商标被侵权"],
                [
                    "下游客户拖欠货款{n}万元，多次催收无果，希望提供法律援助。",
                    "企业注册商标被仿冒，希望市场监管部门协助维权。",
                ],
            ),
        ],
    ),
    (
        "safety",
        "安全",
        "安全 应急",
        [
            (
                "safety_check",
                "安全生产",
                ["安全生产标准化咨询", "危化品仓库整改指导"],
                [
                    "企业需开展安全生产标准化建设，希望应急部门上门指导。",
                    "检查发现危化品仓储存在隐患，整改方案需专家把关。",
                ],
            ),
        ],
    ),
    (
        "other",
        "其他",
        "",
        [
            (
                "other_misc",
                "其他问题",
                ["职工子女入学", "员工宿舍周边环境整治"],
                ["企业引进的技术骨干子女入学需协调。", "员工宿舍周边路灯缺失，夜间出行不安全。"],
            ),
        ],
    ),
]

# Keyword rules of the sub-categories (data the dispatch office edits, like the top-level ones
# in TREE): specific phrases, not generic words (线路, 延续, 施工 alone name no department).
SUB_KEYWORDS = {
    "land_quota": "用地指标 土地指标 新增用地 用地报批 挂牌 土地出让 出让金 交地 征收 拆迁 容积率 用地预审 土地用途 规划条件",
    "land_cert": "不动产 产权证 房产证 土地证 过户 抵押登记 登记簿 宗地图",
    "labor_hire": "招工 招聘 缺工 普工 操作工 招不到 劳务 技工 熟练工",
    "labor_train": "培训 技能等级 职业学校 订单班 以工代训",
    "finance_loan": "贷款 授信 续贷 放款 抽贷 征信 利率 质押 上市",
    "finance_guarantee": "担保 转贷 过桥",
    "env_eia": "环评 环境影响 环保验收",
    "env_permit": "排污许可 排污权 危废 在线监测 排污登记 排放口 总量",
    "approval_build": "施工许可 施工图 图审 竣工验收 消防验收 消防设计 规划许可 质量监督 项目备案 核准 节能审查",
    "approval_license": "营业执照 生产许可 许可证 证照 执照 经营范围 换证 注销 登记证",
    "utility_power": "用电 停电 供电 送电 通电 接电 变压器 电力 增容 电压 跳闸 电费 光伏 并网 电缆 高压线 变电站",
    "utility_water_gas": "供水 自来水 用水 停水 水压 水表 水费 天然气 燃气 供气 用气",
    "policy_award": "奖补 补贴 补助 奖励 兑现 拨付 退税",
    "logistics_road": "道路 路面 路灯 修路 封路 坑洼 会车 公交",
    "market_match": "产销对接 供需对接 展会 参展 供应商 采购 商超 配套",
    "tech_rd": "专利 高新技术 技术中心 中试 数字化 合作研发 检测平台 科技型",
    "legal_dispute": "合同 纠纷 欠款 货款 维权 知识产权 仿冒 侵权 拖欠",
    "safety_check": "安全生产 隐患 消防安全 消防设施 消防通道 粉尘 有限空间 防爆 安全培训 安全评价",
}

RULES = {
    "land": ("自然资源局", ["经信局"]),
    "labor": ("人社局", []),
    "finance": ("财政局", ["农行固镇支行", "建行固镇支行", "徽商银行"]),
    "env": ("生态环境分局", []),
    "approval": ("住建局", ["数据资源局"]),
    "utility": ("供电公司", ["自来水公司"]),
    "policy": ("经信局", ["财政局"]),
    "logistics": ("商务局", []),
    "market": ("商务局", ["经信局"]),
    "tech": ("经信局", ["发改委"]),
    "legal": ("市场监管局", []),
    "safety": ("应急局", []),
    # a sub-category's own rule wins over its parent's (routing.route_for: deepest category first)
    "approval_license": ("市场监管局", ["数据资源局"]),
    "utility_water_gas": ("自来水公司", []),
    "logistics_road": ("住建局", []),
}

CATEGORY_WEIGHTS = {
    "land": 14,
    "labor": 14,
    "finance": 13,
    "env": 9,
    "approval": 10,
    "utility": 12,
    "policy": 9,
    "logistics": 5,
    "market": 5,
    "tech": 4,
    "legal": 2,
    "safety": 2,
    "other": 1,
}
CHANNEL_WEIGHTS = {"visit": 36, "portal": 20, "h12345": 14, "h96388": 10, "meeting": 10, "leader": 10}
# departments that are slower (late signing and replies) in the demo, as the seeds' rankings show
N_CASES = 420  # a year of one county
LAGGARDS = {"自然资源局": 0.25, "生态环境分局": 0.2, "住建局": 0.12}

ENTERPRISES = [
    ("固镇县华润生物基材料有限公司", "340323P02G1"),
    ("安徽固镇丰原明胶有限公司", "340323P02G1"),
    ("蚌埠铜陵现代产业园精密铜材有限公司", "340323P01G1"),
    ("固镇县绿源食品有限公司", "340323P02G2"),
    ("安徽固镇恒力装备制造有限公司", "340323P02G3"),
    ("固镇县城关镇宏达纺织有限公司", "340323100G1"),
]


def _categories() -> dict[str, Category]:
    cats = {}
    for i, (code, name, keywords, subs) in enumerate(TREE):
        root, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "keywords": keywords, "order": i}
        )
        cats[code] = root
        for j, (scode, sname, *_rest) in enumerate(subs):
            sub, _ = Category.objects.get_or_create(
                code=scode,
                defaults={
                    "name": sname,
                    "parent": root,
                    "order": i * 10 + j,
                    "keywords": SUB_KEYWORDS.get(scode, ""),
                },
            )
            cats[scode] = sub
    return cats


def _policies() -> None:
    """The rows the data migration cases 0009 ships (found, not added, on a migrated database)."""
    SlaPolicy.objects.get_or_create(
        scheme="henan13710",
        urgency="",
        category=None,
        defaults={"name": "河南“13710”：一般问题 7 个工作日", "resolve_days": 7, "extension_max_days": 7},
    )
    SlaPolicy.objects.get_or_create(
        scheme="henan13710",
        urgency="major",
        category=None,
        defaults={
            "name": "河南“13710”：重大复杂问题 1 个月（22 个工作日）",
            "resolve_days": 22,
            "extension_max_days": 10,
        },
    )
    SlaPolicy.objects.get_or_create(
        scheme="shandong5",
        urgency="",
        category=None,
        defaults={
            "name": "山东：5 个工作日办结，可延期至 10 个工作日，退单 2 个工作日",
            "resolve_days": 5,
            "extension_max_days": 5,
            "sendback_days": 2,
        },
    )


def _rules(cats, county, depts) -> None:
    for code, (lead, assisting) in RULES.items():
        if lead not in depts:
            continue
        rule, created = RoutingRule.objects.get_or_create(
            category=cats[code], region=county, defaults={"lead_department": depts[lead]}
        )
        if created:
            rule.assisting_departments.set([depts[a] for a in assisting if a in depts])


def _partners(county, stdout) -> None:
    for name, channel in (
        ("固镇县12345政务服务便民热线", "h12345"),
        ("固镇县“工招园”96388监督举报平台", "h96388"),
    ):
        if PartnerSystem.objects.filter(name=name).exists():
            continue
        p = PartnerSystem(name=name, channel=channel, region=county)
        key = p.new_key()
        p.save()
        if stdout:
            stdout.write(f"  Open311 api_key（{name}）：{key}\n")


def _enterprises(regions):
    from zhuqi.enterprises.models import Enterprise

    county = regions["340323"]
    ents = list(Enterprise.objects.filter(region__path__startswith=county.path).order_by("pk"))
    if ents:
        return ents
    rng = random.Random(60)
    for i, (name, rcode) in enumerate(ENTERPRISES):
        code = "91340323" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9)) + str(i)
        Enterprise.objects.get_or_create(
            name=name, defaults={"credit_code": code[:18], "region": regions[rcode], "is_demo": True}
        )
    return list(Enterprise.objects.filter(region__path__startswith=county.path).order_by("pk"))


def _enterprise_login(ents):
    from zhuqi.core.demo import DEMO_PASSWORD
    from zhuqi.core.models import Role, User
    from zhuqi.enterprises.models import EnterpriseUser

    user = User.objects.filter(username="qiye").first()
    if user is None:
        user = User.objects.create_user(
            username="qiye", password=DEMO_PASSWORD, full_name="王经理", role=Role.ENTERPRISE, is_demo=True
        )
    membership = EnterpriseUser.objects.filter(user=user).first()
    if membership is None:
        membership = EnterpriseUser.objects.create(user=user, enterprise=ents[0], is_primary=True)
    return user, membership.enterprise


@contextlib.contextmanager
def _at(when: dt.datetime):
    """Backdate: services' clock, and (where time-machine is installed) audit timestamps too."""
    from . import services

    try:
        import time_machine
    except ImportError:  # production install without dev tools: services' explicit clock only
        time_machine = None
    with services.acting_at(when):
        if time_machine is None:
            yield
        else:
            with time_machine.travel(when, tick=False):
                yield


def _work_moment(rng, day: dt.date, hour_from=8, hour_to=18) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(rng.randint(hour_from, hour_to - 1), rng.randint(0, 59)), tzinfo=SHANGHAI
    )


def _later(rng, moment: dt.datetime, wd: int) -> dt.datetime:
    day = add_working_days(moment, wd) if wd > 0 else moment.astimezone(SHANGHAI).date()
    t = _work_moment(rng, day)
    return t if t > moment else moment + dt.timedelta(minutes=rng.randint(20, 180))


def _text(rng, sub) -> tuple[str, str]:
    _code, _name, titles, descs = sub
    n = rng.choice([20, 30, 50, 80, 100, 200, 315, 500, 630, 800])
    return rng.choice(titles).format(n=n), rng.choice(descs).format(n=n)


def load(context, stdout=None) -> None:
    regions, depts = context["regions"], context["departments"]
    county = regions["340323"]
    with transaction.atomic():
        cats = _categories()
        _policies()
        _rules(cats, county, depts)
        _partners(county, stdout)
    if Case.objects.exists():
        return
    ents = _enterprises(regions)
    with audit.row_diffs_disabled(), transaction.atomic():
        _cases(ents, cats, depts, stdout)


def _cases(ents, cats, depts, stdout) -> None:  # noqa: C901 - one scripted year
    from zhuqi.core.models import Role, User

    from . import services, workflow
    from .models import Status

    rng = random.Random(2026)
    officials = {
        "dispatch": User.objects.get(username="dispatch"),
        "leader": User.objects.get(username="leader"),
        "grid": User.objects.filter(role=Role.GRID, region__path__startswith="34/3403/340323/").first(),
        "zhuanyuan": User.objects.get(username="zhuanyuan"),
    }
    handlers = {}
    for short, dept in depts.items():
        handlers[short] = User.objects.filter(
            department=dept, role__in=[Role.HANDLER, Role.DEPT_HEAD]
        ).first()
    ent_user, ent_own = _enterprise_login(ents)
    dispatch = officials["dispatch"]
    today = timezone.localtime().date()
    start = today - dt.timedelta(days=365)
    roots = [t for t in TREE]
    weights = [CATEGORY_WEIGHTS[t[0]] for t in roots]
    channels, cweights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
    days = [start + dt.timedelta(days=i) for i in range(365) if is_working_day(start + dt.timedelta(days=i))]
    n_cases = N_CASES
    made = 0
    for i in range(n_cases):
        day = days[int(len(days) * i / n_cases)]
        root = rng.choices(roots, weights)[0]
        sub = rng.choice(root[3])
        title, description = _text(rng, sub)
        channel = rng.choices(channels, cweights)[0]
        ent = ent_own if channel == "portal" and rng.random() < 0.3 else rng.choice(ents)
        actor = {
            "visit": officials["zhuanyuan"] if rng.random() < 0.6 else officials["grid"] or dispatch,
            "meeting": dispatch,
            "leader": officials["leader"],
            "portal": dispatch,
            "h12345": dispatch,
            "h96388": dispatch,
        }[channel]
        if channel == "portal" and ent == ent_own:
            actor = ent_user
        from zhuqi.enterprises.models import Enterprise

        if actor != ent_user and not Enterprise.objects.visible_to(actor).filter(pk=ent.pk).exists():
            actor = dispatch
        submitted = _work_moment(rng, day)
        age_wd = len([d for d in days if d > day])
        with _at(submitted):
            case = services.create_case(
                ent,
                channel=channel,
                title=title,
                description=description,
                actor=actor,
                external_no=f"{channel[1:]}-{day:%Y%m%d}-{i:04d}" if channel.startswith("h") else "",
                urgency="major" if rng.random() < 0.08 else "normal",
            )
        made += 1
        # rare outcomes at the start of the loop
        if i % 97 == 13:
            with _at(_later(rng, submitted, 0)):
                services.refuse_case(
                    case, actor=dispatch, reason="属于企业内部经营事项，不在受理范围，已电话说明"
                )
            continue
        if i % 131 == 29 and channel == "portal":
            with _at(_later(rng, submitted, 0)):
                services.withdraw_case(
                    case, actor=ent_user if ent == ent_own else dispatch, reason="问题已自行解决"
                )
            continue
        accepted = _later(rng, submitted, rng.choices([0, 1, 2], [80, 19, 1])[0])
        if age_wd < 1:
            continue
        cat = cats[sub[0]]
        with _at(accepted):
            case = services.accept_case(case, actor=dispatch, category=cat)
        # now and then the same problem arrives again through the hotline: merged into this one
        if i % 53 == 41:
            with _at(_later(rng, accepted, 0)):
                dup = services.create_case(
                    ent,
                    channel="h12345",
                    title=title,
                    description=description + "（企业通过 12345 热线再次反映）",
                    actor=dispatch,
                    external_no=f"12345-{day:%Y%m%d}-{i:04d}D",
                )
                services.merge_case(dup, into=case, actor=dispatch)
        dispatched = _later(rng, accepted, 0)
        with _at(dispatched):
            case = services.dispatch_case(case, actor=dispatch)
        lead = case.lead_department
        short = next((k for k, v in depts.items() if v.pk == lead.pk), "专班办公室")
        handler = handlers.get(short) or dispatch  # no rule: the dispatch office handles it itself
        if "lead" not in workflow.actor_kinds(case, handler):
            raise RuntimeError(f"demo: nobody can sign for {short} ({handler})")
        late = LAGGARDS.get(short, 0.03)
        if i % 151 == 77:  # problem case: sent back three times
            t = dispatched
            for _k in range(3):
                t = _later(rng, t, 0)
                with _at(t):
                    case = services.send_back_case(case, actor=handler, reason="不属于本部门职责范围")
                t = _later(rng, t, 0)
                with _at(t):
                    case = services.dispatch_case(case, actor=dispatch, lead=lead)
            dispatched = t
        if age_wd < 2 and rng.random() < 0.6:
            continue
        signed = _later(rng, dispatched, rng.choices([0, 1, 2], [70, 28 - 20 * late, 2 + 20 * late])[0])
        with _at(signed):
            case = services.sign_case(case, actor=handler)
        if rng.random() < 0.7:
            with _at(_later(rng, signed, rng.choice([1, 2, 3]))):
                case = services.report_progress(
                    case, actor=handler, note="已到企业现场了解情况，正在协调相关单位"
                )
        limit = case.sla.resolve_days
        reply_wd = limit + rng.randint(1, 6) if rng.random() < late else rng.randint(1, max(1, limit - 1))
        if case.beyond_local is False and i % 113 == 57:
            with _at(_later(rng, signed, 1)):
                case = services.flag_beyond_local(
                    case, actor=handler, reason="涉及省级用地指标调剂，县级难以解决"
                )
            with _at(_later(rng, signed, 3)):
                services.hold_meeting(
                    case,
                    actor=officials["leader"],
                    held_at=_later(rng, signed, 3),
                    attendees="分管副县长、自然资源局、经信局、企业负责人",
                    decisions="由自然资源局向市局申请指标调剂，经信局跟踪项目进度",
                    owners="自然资源局局长，10个工作日内",
                )
            if i % 226 == 57:  # the first such case goes on to the leading group
                with _at(_later(rng, signed, 4)):
                    case = services.escalate_case(
                        case, actor=officials["leader"], note="县级协调后仍需领导小组研究"
                    )
        replied = _later(rng, dispatched, reply_wd)
        if replied.date() >= today or age_wd <= reply_wd:
            continue  # still in progress (some of these are overdue: the sweep below flags them)
        with _at(replied):
            case = services.reply_case(
                case,
                actor=handler,
                reply=f"经协调，{sub[1]}问题已办理：已与企业当面沟通并落实解决措施。",
                resolved=rng.random() > 0.03,
            )
        follow = _later(rng, replied, rng.choice([0, 1, 1, 2]))
        if follow.date() >= today:
            continue
        unsatisfied = rng.random() < 0.03
        with _at(follow):
            case = services.follow_up_case(
                case,
                actor=dispatch,
                result="unsatisfied" if unsatisfied else rng.choices(["satisfied", "basic"], [93, 7])[0],
                note="电话回访企业负责人",
            )
        if unsatisfied:
            again = _later(rng, follow, rng.randint(2, 5))
            if again.date() >= today:
                continue
            with _at(again):
                case = services.reply_case(case, actor=handler, reply="重办：再次协调，问题已解决。")
            follow = _later(rng, again, 1)
            if follow.date() >= today:
                continue
            with _at(follow):
                case = services.follow_up_case(case, actor=dispatch, result="basic", note="企业表示基本满意")
        closing = _later(rng, follow, 0)
        if closing.date() >= today:
            continue
        with _at(closing):
            services.close_case(case, actor=dispatch, note="销号")
    from zhuqi.core.models import Notification

    from .sweep import sweep

    # a year of demo notifications: everything older than two weeks counts as read
    old = timezone.now() - dt.timedelta(days=14)
    Notification.objects.filter(url__startswith="/cases/", created_at__lt=old).update(read_at=timezone.now())
    result = sweep()
    if stdout:
        closed = Case.objects.filter(status=Status.CLOSED).count()
        stdout.write(f"  诉求：{made} 件（已销号 {closed} 件）；巡检：{result}\n")
    _coordination(officials, depts, stdout)
    from . import rollups

    rollups.refresh()  # the yearly counts of what the meetings changed, as the next sweep would


def _coordination(officials, depts, stdout) -> None:
    """The county leader's 协调会 queue today: four of the open cases the departments could not
    solve are raised to the county (one on to the leading group), and a meeting is scheduled
    for one of them, held two hours ago: its outcome is for the visitor to record."""
    from . import services, services_coordination
    from .models import Status

    dispatch, leader = officials["dispatch"], officials["leader"]
    cases = list(
        Case.objects.open()
        .exclude(status__in=[Status.SUBMITTED, Status.ACCEPTED])
        .order_by("submitted_at", "pk")[:4]
    )
    notes = [
        "涉及省级用地指标调剂，部门层面难以解决",
        "需电力、住建、自然资源多部门联合现场办公",
        "企业融资担保需县财政协调",
        "跨县运输线路审批需县级领导出面协调",
    ]
    for i, case in enumerate(cases):
        while case.escalation_level < EscalationLevel.COUNTY:
            case = services.escalate_case(case, actor=dispatch, note=notes[i])
        if i == 0:
            case = services.escalate_case(case, actor=leader, note="县级层面无法解决，提交领导小组研究")
    if len(cases) < 4:
        return
    when = timezone.localtime().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=2)
    services_coordination.schedule_coordination(
        actor=dispatch,
        cases=[cases[3]],
        scheduled_at=when,
        place="县政府三楼会议室",
        convener=leader,
        departments=[d for k, d in depts.items() if k in {"自然资源局", "住建局", "经信局"}],
        attendees="企业负责人",
    )
    if stdout:
        stdout.write("  协调会：待协调 3 件，已安排 1 次\n")

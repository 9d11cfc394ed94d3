"""Demo policies for 固镇县, modelled on the seeds: 升规入统奖励 of 2–20 万 by output (广安区, seed
002), 满负荷生产奖励 and the 专精特新 financing white list (开封, seed 004), 技改 and 稳岗 items,
and one draft. Conditions read the registry and the indicators' 2025 figures of the demo
enterprises, so matching finds real rows. Idempotent (does nothing when the documents exist)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhuqi.core import audit
from zhuqi.core.models import Department, Role, User
from zhuqi.enterprises.models import EnterpriseList

from . import services
from .models import PolicyDocument

FIRST_NUMBER = "固政〔2026〕12号"


def load_demo(context, stdout=None) -> None:
    if PolicyDocument.objects.filter(number=FIRST_NUMBER).exists():
        if stdout:
            stdout.write("惠企政策演示数据已存在，跳过")
        return
    regions = context["regions"]
    if "340323" not in regions:
        return
    actor = User.objects.filter(username="dispatch").first()
    if actor is None:
        return
    with transaction.atomic(), audit.acting_as(actor, label="命令: zhuqi demo"):
        n = _load(regions["340323"], actor)
    if stdout:
        stdout.write(f"惠企政策：{n} 个政策事项")


def _load(county, actor) -> int:
    today = timezone.localdate()
    year = today.year
    data_year = year - 1
    depts = {d.short_name: d for d in Department.objects.filter(region=county)}
    jxj, rs, fin = depts["经信局"], depts["人社局"], depts.get("财政局", depts["经信局"])
    window = {"window_start": dt.date(year, 1, 1), "window_end": today + dt.timedelta(days=90)}
    guide = {"address": "固镇县政务服务中心二楼企业服务专区", "phone": "0552-6012345"}

    def doc(**kw):
        return services.save_document(None, actor=actor, region=county, **kw)

    def item(document, department, **kw):
        data = {"status": "published", "data_year": data_year, "department": department, **guide, **kw}
        return services.save_item(None, actor=actor, document=document, **data)

    d1 = doc(
        title="固镇县支持工业企业升规入统和满负荷生产若干措施",
        level="county",
        issuer="固镇县人民政府",
        number=FIRST_NUMBER,
        issued_on=dt.date(year, 2, 18),
        effective_from=dt.date(year, 1, 1),
        effective_to=dt.date(year + 2, 12, 31),
        summary="对首次纳入规模以上统计的工业企业按产值分档奖励，对满负荷生产的企业给予奖励，支持企业技术改造。",
    )
    above = {"attr": "above_scale", "op": "eq", "value": True}
    output = {"attr": "indicator", "indicator": "gross_output", "measure": "value", "op": "gte"}
    items = [
        item(
            d1,
            jxj,
            title="升规入统奖励",
            kind="reward",
            mode="automatic",
            conditions={
                "all": [
                    above,
                    {"attr": "above_scale_since", "op": "eq", "value": data_year},
                    {**output, "value": "2000"},
                ]
            },
            amount_rule={
                "type": "tiers",
                "base": {"indicator": "gross_output"},
                "tiers": [
                    {"min": "2000", "amount": "20000"},
                    {"min": "5000", "amount": "50000"},
                    {"min": "10000", "amount": "100000"},
                    {"min": "50000", "amount": "200000"},
                ],
            },
            exclusivity_group="升规奖励",
            budget=3_000_000,
            beneficiaries="上年度首次纳入规模以上工业统计的企业",
            evidence="无需申报，经信局按统计部门名单确认后公示兑现",
            **window,
        ),
        item(
            d1,
            jxj,
            title="满负荷生产奖励",
            kind="reward",
            mode="quick",
            conditions={
                "all": [
                    above,
                    {"attr": "industry", "op": "between", "value": ["13", "43"]},
                    {**output, "value": "20000"},
                ]
            },
            amount_rule={
                "type": "tiers",
                "base": {"indicator": "gross_output"},
                "tiers": [
                    {"min": "20000", "amount": "50000"},
                    {"min": "50000", "amount": "100000"},
                    {"min": "100000", "amount": "200000"},
                ],
            },
            exclusivity_group="产值奖励",
            budget=8_000_000,
            beneficiaries="上年度工业总产值2亿元以上、满负荷生产的规上制造业企业",
            evidence="企业确认预填的产值、用电数据",
            **window,
        ),
        item(
            d1,
            jxj,
            title="工业投资补助",
            kind="reward",
            mode="apply",
            conditions={
                "all": [
                    above,
                    {
                        "attr": "indicator",
                        "indicator": "industrial_investment",
                        "measure": "value",
                        "op": "gte",
                        "value": "1000",
                    },
                ]
            },
            amount_rule={
                "type": "percent",
                "base": {"indicator": "industrial_investment"},
                "rate": "5",
                "cap": "2000000",
            },
            budget=10_000_000,
            beneficiaries="上年度完成工业投资1000万元以上的规上工业企业",
            evidence="项目备案文件、设备购置发票、竣工验收资料",
            **window,
        ),
    ]
    d2 = doc(
        title="关于开展专精特新企业融资白名单工作的通知",
        level="city",
        issuer="蚌埠市经济和信息化局",
        number="蚌经信〔2026〕31号",
        issued_on=dt.date(year, 3, 6),
        summary="将专精特新企业纳入银行融资白名单，给予优先授信和利率优惠。",
    )
    items.append(
        item(
            d2,
            jxj,
            title="专精特新企业融资白名单",
            kind="right",
            mode="automatic",
            conditions={"any": [{"attr": "tag", "op": "has", "value": ["专精特新", "国家级专精特新小巨人"]}]},
            beneficiaries="省级及以上专精特新企业",
            evidence="无需申报，由经信局推送合作银行",
        )
    )
    d3 = doc(
        title="固镇县稳就业促发展若干措施",
        level="county",
        issuer="固镇县人力资源和社会保障局",
        number="固人社〔2026〕5号",
        issued_on=dt.date(year, 4, 2),
    )
    items.append(
        item(
            d3,
            rs,
            title="稳岗返还",
            kind="relief",
            mode="automatic",
            conditions={
                "all": [
                    {"attr": "employees", "op": "gte", "value": "50"},
                    {"not": {"attr": "tag", "op": "has", "value": ["拟上市"]}},
                ]
            },
            amount_rule={"type": "fixed", "amount": "10000"},
            exclusivity_group="稳岗",
            budget=1_000_000,
            beneficiaries="参保职工50人以上、上年度未裁员或裁员率低于规定标准的企业",
            **window,
        )
    )
    pool = EnterpriseList.objects.filter(region=county, pool="small_to_scale").first()
    if pool is not None:
        items.append(
            item(
                d1,
                fin,
                title="小升规培育奖励",
                kind="reward",
                mode="apply",
                status="draft",
                conditions={
                    "all": [
                        {"attr": "list", "op": "has", "value": [pool.pk]},
                        {"not": above},
                    ]
                },
                amount_rule={"type": "fixed", "amount": "50000"},
                exclusivity_group="升规奖励",
            )
        )
    items += _more_items(doc, item, county, depts, window, data_year, year, today)
    _fulfilment(items[1], actor, today)
    _automatic(items[0], actor, today)
    return len(items)


def _more_items(doc, item, county, depts, window, data_year, year, today) -> list:
    """The rest of the seeds' policies: 广安区's one-off rewards for growth (seed 002), 开封's
    技改 and 满负荷 money (seed 004), 自贡's financing subsidies (seed 003), and the province's
    direct-access items; a few expired or withdrawn so the library is not all live."""
    jxj = depts["经信局"]
    fin = depts.get("财政局", jxj)
    tax = depts.get("税务局", fin)
    kj = depts.get("科技局", jxj)
    above = {"attr": "above_scale", "op": "eq", "value": True}
    manufacturing = {"attr": "industry", "op": "between", "value": ["13", "43"]}

    def value(code, amount):
        return {"attr": "indicator", "indicator": code, "measure": "value", "op": "gte", "value": amount}

    d4 = doc(
        title="固镇县推动工业经济稳增长若干奖补政策",
        level="county",
        issuer="固镇县人民政府办公室",
        number="固政办〔2026〕8号",
        issued_on=dt.date(year, 3, 20),
        effective_to=dt.date(year + 1, 12, 31),
        summary="对产值、营收、税收增长较快的规上工业企业给予一次性奖励；支持企业技术改造、数字化转型和品牌建设。",
    )
    d5 = doc(
        title="安徽省进一步推动惠企政策直达快享若干措施",
        level="province",
        issuer="安徽省人民政府办公厅",
        number="皖政办〔2026〕4号",
        issued_on=dt.date(year, 1, 25),
        summary="惠企政策“免申即享、直达快享”，兑现时限原则上不超过60个工作日。",
    )
    d6 = doc(
        title="蚌埠市支持中小企业融资若干措施（已到期）",
        level="city",
        issuer="蚌埠市人民政府",
        number="蚌政〔2024〕21号",
        issued_on=dt.date(year - 2, 5, 10),
        effective_to=dt.date(year - 1, 12, 31),
        summary="上一轮融资支持政策，有效期已满，仅作查阅。",
    )
    return [
        item(
            d4,
            tax,
            title="小微企业房产税、城镇土地使用税减半征收",
            kind="relief",
            mode="automatic",
            conditions={"all": [{"attr": "employees", "op": "lt", "value": "100"}]},
            beneficiaries="小型微利企业",
            evidence="无需申报，税务部门按申报数据直接减征",
        ),
        item(
            d4,
            jxj,
            title="营业收入过亿元企业奖励",
            kind="reward",
            mode="automatic",
            conditions={"all": [above, value("revenue", "10000")]},
            amount_rule={"type": "fixed", "amount": "100000"},
            exclusivity_group="营收奖励",
            budget=2_000_000,
            beneficiaries="上年度营业收入1亿元以上的规上工业企业",
            evidence="无需申报，按统计数据确认后公示兑现",
            **window,
        ),
        item(
            d4,
            depts["人社局"],
            title="吸纳高校毕业生社保补贴",
            kind="reward",
            mode="quick",
            conditions={"all": [{"attr": "employees", "op": "gte", "value": "50"}]},
            amount_rule={"type": "fixed", "amount": "20000"},
            budget=1_000_000,
            beneficiaries="新招用离校两年内高校毕业生并缴纳社会保险的企业",
            evidence="劳动合同、社保缴费明细（系统预填）",
            **window,
        ),
        item(
            d4,
            jxj,
            title="技术改造设备补助",
            kind="reward",
            mode="apply",
            conditions={"all": [above, manufacturing, value("industrial_investment", "1000")]},
            amount_rule={
                "type": "percent",
                "base": {"indicator": "industrial_investment"},
                "rate": "3",
                "cap": "3000000",
            },
            exclusivity_group="技改",
            budget=12_000_000,
            beneficiaries="上年度工业投资（含技术改造）1000万元以上的规上制造业企业",
            evidence="技改项目备案、设备购置合同和发票、付款凭证",
            **window,
        ),
        item(
            d4,
            jxj,
            title="数字化转型（智改数转）奖励",
            kind="reward",
            mode="apply",
            conditions={"all": [above, manufacturing, value("industrial_investment", "500")]},
            amount_rule={"type": "fixed", "amount": "200000"},
            exclusivity_group="技改",
            budget=2_000_000,
            beneficiaries="获评省级数字化车间、智能工厂的制造业企业",
            evidence="省级认定文件、项目验收报告",
            **window,
        ),
        item(
            d4,
            kj,
            title="研发投入后补助",
            kind="reward",
            mode="apply",
            conditions={"all": [above, {"attr": "tag", "op": "has", "value": ["高新技术企业", "专精特新"]}]},
            amount_rule={"type": "fixed", "amount": "100000"},
            budget=4_000_000,
            beneficiaries="研发投入持续增长的规上高新技术企业、专精特新企业",
            evidence="研发费用加计扣除申报表",
            **window,
        ),
        item(
            d4,
            jxj,
            title="专精特新企业认定奖励",
            kind="reward",
            mode="automatic",
            conditions={"any": [{"attr": "tag", "op": "has", "value": ["专精特新", "国家级专精特新小巨人"]}]},
            amount_rule={"type": "fixed", "amount": "100000"},
            exclusivity_group="认定奖励",
            beneficiaries="新认定的省级及以上专精特新企业",
            evidence="无需申报，按认定文件公示兑现",
            **window,
        ),
        item(
            d4,
            jxj,
            title="亩均效益A类企业用能用地优先保障",
            kind="right",
            mode="automatic",
            conditions={"all": [{"attr": "mu_class", "op": "in", "value": ["A"]}]},
            beneficiaries="亩均效益综合评价A类企业",
            evidence="无需申报，按已发布的亩均评价结果执行",
        ),
        item(
            d5,
            tax,
            title="制造业中小微企业缓缴部分税费",
            kind="relief",
            mode="automatic",
            conditions={"all": [manufacturing, {"attr": "employees", "op": "lt", "value": "300"}]},
            beneficiaries="制造业中小微企业",
            evidence="无需申报，税务部门按申报数据直接办理",
        ),
        item(
            d5,
            fin,
            title="政府采购预留份额",
            kind="right",
            mode="automatic",
            conditions={"all": [{"attr": "employees", "op": "lt", "value": "100"}]},
            beneficiaries="小微企业",
        ),
        item(
            d5,
            depts["人社局"],
            title="以工代训补贴",
            kind="reward",
            mode="quick",
            conditions={"all": [{"attr": "employees", "op": "gte", "value": "20"}]},
            amount_rule={"type": "fixed", "amount": "30000"},
            exclusivity_group="稳岗",
            budget=600_000,
            beneficiaries="吸纳就业困难人员、组织以工代训的企业",
            evidence="培训名册、工资发放记录",
            **window,
        ),
        item(
            d6,
            fin,
            title="中小企业贷款贴息",
            kind="reward",
            mode="apply",
            conditions={"all": [{"attr": "employees", "op": "lt", "value": "300"}]},
            amount_rule={"type": "fixed", "amount": "50000"},
            budget=15_000_000,
            beneficiaries="获得银行流动资金贷款的中小企业（上一轮政策，已到期）",
            window_start=dt.date(year - 1, 3, 1),
            window_end=dt.date(year - 1, 11, 30),
        ),
        item(
            d4,
            jxj,
            title="品牌建设奖励（已停止）",
            kind="reward",
            mode="apply",
            status="withdrawn",
            conditions={"all": [above]},
            amount_rule={"type": "fixed", "amount": "50000"},
            beneficiaries="获得中国驰名商标、安徽老字号的企业",
        ),
    ]


def _automatic(item, actor, today) -> None:
    """免申即享 at work: 升规入统奖励's matched list is confirmed by 经信局 and put on 公示; the
    first enterprise has already confirmed its account."""
    from .models import Application

    dept_user = User.objects.filter(department=item.department, is_active=True, role=Role.DEPT_HEAD).first()
    officer = dept_user or actor
    if services.grant_automatic(item, actor=officer):
        services.publicise_item(item, actor=officer)
        first = Application.objects.filter(item=item).order_by("pk").first()
        Application.objects.filter(pk=first.pk).update(
            bank_name="中国农业银行固镇县支行", bank_account="6228480612345678901"
        )


def _fulfilment(item, actor, today) -> None:
    """Push 满负荷生产奖励 to the enterprises that qualify; a few of them have applied: three
    paid (one of them later clawed back: its output figure was corrected), two approved, two
    waiting for review, one returned for correction."""
    from zhuqi.core.workcalendar import add_working_days

    from . import amounts, conditions, selectors
    from .models import Application

    services.push_item(item, actor=actor)
    S = Application.Status
    plan = [S.PAID, S.PAID, S.PAID, S.APPROVED, S.APPROVED, S.APPLIED, S.APPLIED, S.RETURNED]
    ents = list(selectors.matched(item).order_by("pk")[: len(plan)])
    for n, (ent, status) in enumerate(zip(ents, plan, strict=False)):
        applied = today - dt.timedelta(days=40 - 4 * n)
        amount, _text = amounts.compute(item.amount_rule, conditions.Facts(ent))
        a = Application.objects.create(
            item=item,
            enterprise=ent,
            year=today.year,
            status=status,
            amount=amount,
            applied_at=timezone.make_aware(dt.datetime.combine(applied, dt.time(10))),
            due_on=add_working_days(applied, item.limit_days),
            applied_by=actor,
        )
        if status == S.PAID:
            a.paid_on, a.voucher = applied + dt.timedelta(days=20), f"GZJX-{today.year}-{n + 1:03d}"
            if n == 2:
                a.status, a.reason = S.CLAWED_BACK, "统计部门核减上年产值，不再符合条件"
        elif status == S.RETURNED:
            a.reason = "请补充用电量证明"
        a.save()

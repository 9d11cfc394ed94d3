"""Demo policies for 固镇县, modelled on the seeds: 升规入统奖励 of 2–20 万 by output (广安区, seed
002), 满负荷生产奖励 and the 专精特新 financing white list (开封, seed 004), 技改 and 稳岗 items,
and one draft. Conditions read the registry and the indicators' 2025 figures of the demo
enterprises, so matching finds real rows. Idempotent (does nothing when the documents exist)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhuqi.core import audit
from zhuqi.core.models import Department, User
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
    _fulfilment(items[1], actor, today)
    return len(items)


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

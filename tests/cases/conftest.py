"""Case fixtures on top of the shared `world`: categories, SLA policies, routing rules,
enterprises in both counties and an enterprise account for world.enterprise_user."""

from __future__ import annotations

import itertools

import pytest

from zhuqi.cases import services
from zhuqi.cases.models import Category, Channel, RoutingRule, SlaPolicy
from zhuqi.enterprises.models import Enterprise, EnterpriseUser

_codes = itertools.count(1)


def credit_code() -> str:
    return f"91410223MA{next(_codes):08d}"


class CaseWorld:
    def __init__(self, world):
        self.w = world
        self.land = Category.objects.create(code="land", name="用地", keywords="用地 土地 指标 宗地 规划")
        self.land_quota = Category.objects.create(code="land_quota", name="土地指标", parent=self.land)
        self.labor = Category.objects.create(code="labor", name="用工", keywords="招工 用工 工人 技工")
        self.power = Category.objects.create(code="power", name="水电气", keywords="用电 停电 变压器 电力")
        self.other = Category.objects.create(code="other", name="其他")
        # the complete 13710 scheme ships with the migrations (cases 0009_default_sla_schemes);
        # transactional tests flush it, so put it back there
        self.sla, _ = SlaPolicy.objects.get_or_create(
            scheme="henan13710",
            category=None,
            urgency="",
            defaults={"name": "河南13710·一般", "resolve_days": 7},
        )
        self.sla_major, _ = SlaPolicy.objects.get_or_create(
            scheme="henan13710",
            category=None,
            urgency="major",
            defaults={"name": "河南13710·重大复杂", "resolve_days": 22, "extension_max_days": 10},
        )
        self.rule_land = RoutingRule.objects.create(
            category=self.land, region=world.county, lead_department=world.zrzy
        )
        self.rule_land.assisting_departments.add(world.jxj)
        self.rule_power = RoutingRule.objects.create(
            category=self.power, region=world.county, lead_department=world.power
        )
        self.ent = Enterprise.objects.create(
            name="尉氏县华丰纺织有限公司", credit_code=credit_code(), region=world.grid
        )
        self.ent_b = Enterprise.objects.create(
            name="尉氏县金源食品有限公司", credit_code=credit_code(), region=world.town
        )
        self.ent_other = Enterprise.objects.create(
            name="通许县恒达机械有限公司", credit_code=credit_code(), region=world.other_grid
        )
        EnterpriseUser.objects.create(user=world.enterprise_user, enterprise=self.ent)

    def new(
        self,
        *,
        ent=None,
        actor=None,
        title="厂区变压器容量不足",
        description="新上生产线需要增容，变压器容量不足，影响投产",
        **kw,
    ):
        ent = ent or self.ent
        actor = actor or (self.w.enterprise_user if ent == self.ent else self.w.alice)
        kw.setdefault("channel", Channel.PORTAL)
        return services.create_case(ent, title=title, description=description, actor=actor, **kw)

    def to(self, status: str, **kw):
        """A case driven through the services into `status` (lead department: 工信局)."""
        w = self.w
        case = self.new(**kw)
        if status == "submitted":
            return case
        if status == "withdrawn":
            return services.withdraw_case(case, actor=w.enterprise_user)
        if status == "merged":
            into = self.new(title="另一诉求")
            return services.merge_case(case, into=into, actor=w.alice)
        if status == "refused":
            return services.refuse_case(case, actor=w.alice, reason="不属于受理范围")
        case = services.accept_case(case, actor=w.alice)
        if status == "accepted":
            return case
        case = services.dispatch_case(case, actor=w.alice, lead=w.jxj)
        if status == "dispatched":
            return case
        if status == "sent_back":
            return services.send_back_case(case, actor=w.bob, reason="不属于本部门职责")
        case = services.sign_case(case, actor=w.bob)
        if status == "signed":
            return case
        if status == "in_progress":
            return services.report_progress(case, actor=w.bob, note="已对接供电公司")
        if status == "waiting":
            return services.pause_case(case, actor=w.bob, reason="请补充用电申请表")
        case = services.reply_case(case, actor=w.bob, reply="已协调解决")
        if status == "replied":
            return case
        if status == "reopened":
            return services.follow_up_case(case, actor=w.alice, result="unsatisfied")
        case = services.follow_up_case(case, actor=w.alice, result="satisfied")
        if status == "followed_up":
            return case
        case = services.close_case(case, actor=w.alice)
        assert status == "closed"
        return case


@pytest.fixture
def cw(world):
    return CaseWorld(world)

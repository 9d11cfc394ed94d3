"""The 亩均 demo: 固镇县's 规上 enterprises evaluated under the shipped Anhui-style scheme — the
facts of 2024 and 2025 (税务, 自然资源 and 统计 each importing their own columns), 2024's run
published, 2025's in 公示 with two objections, one upheld (the 评价税收 corrected and the run
recomputed) and one not. Enterprises that entered 规上 after the data year are 暂不评价 (T 类).
Runs after the indicators demo (which adds the 规上 reporters); idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from zhuqi.core import permissions
from zhuqi.core.demo import demo_password_hash
from zhuqi.core.models import Role, User
from zhuqi.core.units import WAN
from zhuqi.enterprises.models import Enterprise, EnterpriseUser

from . import services
from .models import Adjustment, FactKind, Objection, Result, Run, Scheme

SCHEME_CODE = "anhui-minmax-above"
YEARS = (2024, 2025)
#: which department supplies which facts (short names of the demo's departments)
SUPPLIERS = {
    "税务局": (FactKind.TAX,),
    "自然资源局": (FactKind.LAND_MU,),
    "经信局": (FactKind.TECH_INVESTMENT,),
    "发改委": (FactKind.REVENUE, FactKind.VALUE_ADDED, FactKind.EMPLOYEES, FactKind.RND, FactKind.ENERGY),
}


def load(context, stdout=None) -> None:
    county = context["regions"].get("340323")
    if county is None or Run.objects.filter(region=county).exists():
        if stdout and county is not None:
            stdout.write("亩均评价演示数据已存在，跳过")
        return
    actor = User.objects.filter(username="dispatch").first()
    scheme = Scheme.objects.filter(code=SCHEME_CODE, region__isnull=True).first()
    if actor is None or scheme is None:
        return
    with transaction.atomic():
        _load(context, county, actor, scheme, stdout)


def _facts(rng: random.Random, year: int, base: dict) -> dict[str, Decimal]:
    grow = Decimal(str(1 + (year - 2024) * rng.uniform(0.0, 0.15)))
    land = base["land"]
    revenue = (base["revenue_per_mu"] * land * grow).quantize(Decimal("0.01"))
    return {
        FactKind.LAND_MU: land,
        FactKind.TAX: (base["tax_per_mu"] * land * grow * WAN).quantize(Decimal(1)),
        FactKind.REVENUE: revenue * WAN,
        FactKind.VALUE_ADDED: (revenue * base["va_share"] * WAN).quantize(Decimal(1)),
        FactKind.TECH_INVESTMENT: (base["tech_per_mu"] * land * WAN).quantize(Decimal(1)),
        FactKind.EMPLOYEES: Decimal(base["employees"]),
        FactKind.RND: (revenue * base["rnd_pct"] / 100 * WAN).quantize(Decimal(1)),
        FactKind.ENERGY: (revenue / base["revenue_per_energy"]).quantize(Decimal("0.01")),
    }


def _d(x: float, places: str = "0.01") -> Decimal:
    return Decimal(str(x)).quantize(Decimal(places))


def _load(context, county, actor, scheme, stdout) -> None:
    rng = random.Random(340323_14)
    ents = list(
        Enterprise.objects.visible_to(actor)
        .filter(region_path__startswith=county.path, above_scale=True)
        .order_by("pk")
    )
    bases = {
        e.pk: {
            "land": _d(rng.uniform(8, 160), "0.1"),
            "tax_per_mu": _d(rng.lognormvariate(2.2, 0.7)),
            "revenue_per_mu": _d(rng.lognormvariate(5.6, 0.6)),
            "va_share": _d(rng.uniform(0.18, 0.32), "0.001"),
            "tech_per_mu": _d(max(0.0, rng.gauss(6, 5))),
            "employees": rng.randint(25, 900),
            "rnd_pct": _d(rng.uniform(0.3, 5.0)),
            "revenue_per_energy": _d(rng.uniform(1.5, 25)),
        }
        for e in ents
    }
    departments = context["departments"]
    users = {
        short: User.objects.filter(
            department=departments[short], role__in=[Role.DEPT_HEAD, Role.HANDLER]
        ).first()
        for short in SUPPLIERS
        if short in departments
    }
    for year in YEARS:
        rows = {e.pk: _facts(rng, year, bases[e.pk]) for e in ents}
        for short, kinds in SUPPLIERS.items():
            importer = users.get(short) or actor
            services.import_facts(
                [{"enterprise": e, "year": year, "facts": {k: rows[e.pk][k] for k in kinds}} for e in ents],
                actor=_import_actor(importer, actor),
            )
        for e in ents:
            if e.above_scale_since and e.above_scale_since > year:
                services.add_adjustment(
                    e,
                    year=year,
                    kind=Adjustment.Kind.EXCLUDE,
                    reason=f"{e.above_scale_since} 年纳入规上，{year} 年度暂不评价",
                    actor=actor,
                )
    # the power company's 用户编号 (one meter each, a second for every seventh enterprise): the
    # class lists it gets back after publication are by meter
    power = (
        User.objects.filter(department=departments.get("供电公司")).first()
        if "供电公司" in departments
        else None
    )
    services.import_facts(
        [
            {
                "enterprise": e,
                "year": YEARS[-1],
                "facts": {},
                "accounts": {"power": [f"34032{e.pk:07d}"] + ([f"34033{e.pk:07d}"] if e.pk % 7 == 0 else [])},
            }
            for e in ents
        ],
        actor=_import_actor(power or actor, actor),
    )
    # 2024: published (its 公示 long over); 2025: in 公示 with two objections
    last = services.compute(scheme, 2024, actor=actor, region=county)
    last = services.announce(last, actor=actor)
    Run.objects.filter(pk=last.pk).update(
        publicity_start=dt.date(2025, 3, 3), publicity_end=dt.date(2025, 3, 7)
    )
    services.publish(last, actor=actor)
    run = services.announce(services.compute(scheme, 2025, actor=actor, region=county), actor=actor)
    objections = _objections(rng, run, actor)
    if stdout:
        stdout.write(
            f"亩均评价：规上企业 {len(ents)} 户，2024 年度已发布，2025 年度公示中（异议 {objections} 件）"
        )


def _import_actor(importer: User, actor: User) -> User:
    """A department's handler may import (`mu.import`); fall back to the dispatch office."""
    return importer if permissions.allowed(importer, "mu.import") else actor


def _enterprise_user(enterprise: Enterprise, username: str, full_name: str) -> User:
    member = (
        EnterpriseUser.objects.filter(enterprise=enterprise, user__is_active=True)
        .select_related("user")
        .first()
    )
    if member is not None:
        return member.user
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "role": Role.ENTERPRISE, "is_demo": True, "title": "财务负责人"},
    )
    if created:
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    EnterpriseUser.objects.get_or_create(user=user, defaults={"enterprise": enterprise, "is_primary": True})
    return user


def _objections(rng: random.Random, run: Run, actor: User) -> int:
    """Two C/D enterprises object: one to its 评价税收 (upheld: +30 %), one to its land (not)."""
    candidates = list(
        Result.objects.filter(run=run, klass__in=["C", "D"])
        .select_related("enterprise")
        .order_by("-rank")[:2]
    )
    if len(candidates) < 2:
        return 0
    taxed, landed = candidates
    user = _enterprise_user(taxed.enterprise, "muqiye1", "赵会计")
    upheld = services.raise_objection(
        taxed,
        actor=user,
        fact_kind=FactKind.TAX,
        reason="评价税收未计入本企业 2025 年 12 月缴纳的城镇土地使用税和房产税，附完税证明。",
    )
    tax = taxed.tax or Decimal(0)
    services.decide_objection(
        upheld,
        actor=actor,
        uphold=True,
        decision="经税务局核实，12 月入库的城镇土地使用税、房产税应计入评价税收，予以更正。",
        new_value=(tax * Decimal("1.3")).quantize(Decimal(1)),
    )
    current = Run.objects.get(
        scheme=run.scheme, region=run.region, year=run.year, status=Run.Status.PUBLICITY
    )
    landed = Result.objects.get(run=current, enterprise=landed.enterprise)
    user = _enterprise_user(landed.enterprise, "muqiye2", "钱经理")
    rejected = services.raise_objection(
        landed,
        actor=user,
        fact_kind=FactKind.LAND_MU,
        reason="厂区内有 5 亩代征道路用地，应从用地面积中扣除。",
    )
    services.decide_objection(
        rejected,
        actor=actor,
        uphold=False,
        decision="经自然资源局核实，代征道路已在不动产权证中单列，证载用地面积不含该部分，维持原数据。",
    )
    return Objection.objects.filter(run__year=run.year).count()

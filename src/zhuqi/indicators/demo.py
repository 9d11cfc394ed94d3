"""Demo indicators for 固镇县 (seed 001): the 规上工业企业月报 of its about 300 规上 enterprises
(the 60 key enterprises of the registry demo among them), monthly returns for 2025 and 2026 up to
October with a seasonal profile, a few late, inconsistent and missing reporters, the statistics
bureau's official rates, and the 2026 targets of the county and its towns decomposed to months and
旬 (规上工业增加值 +15 %, 工业投资 +10 %, 新增“四上”企业 47).

Values go through `services.record_values` (source "generated", one call per period), so the
cumulative / period numbers, last year's pair and the ±50 % flags follow the one write path's
rules. Deterministic (seeded), idempotent (does nothing when the form exists)."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from zhuqi.core import audit
from zhuqi.core.models import Region, User
from zhuqi.core.workcalendar import SHANGHAI
from zhuqi.enterprises.models import Enterprise, Industry, KeyDesignation, Tag, search_fields

from . import rollups, services, services_targets
from .models import (
    Approval,
    Audience,
    DataSet,
    DataSetIndicator,
    Indicator,
    IndicatorKind,
    Report,
    Source,
    Target,
    TargetMethod,
    Value,
)
from .periods import Period

DATASET_CODE = "gz_monthly"
FIRST_YEAR, YEAR, LAST_MONTH = 2025, 2026, 10
#: about this many 规上 enterprises in the county once the extra ones are added
ABOVE_SCALE_TOTAL = 300
NEW_IN_2026 = 32  # 2026 年新入规的工业企业（“四上”新增的一部分）
LEFT_IN_2026 = 8  # 2025 年规上、2026 年退规的企业（同口径与名义增速的差别由此而来）
CODES = ["gross_output", "revenue", "profit", "tax", "power", "employees", "industrial_investment"]
#: an industrial county's monthly share of the year's output, January to December
SEASON = [0.060, 0.055, 0.085, 0.080, 0.083, 0.090, 0.078, 0.080, 0.090, 0.087, 0.098, 0.114]
SWING_NOTES = [
    "新上生产线投产，产能释放",
    "主要客户订单增加",
    "原材料价格上涨，利润空间收窄",
    "上年同期基数较低",
    "技改项目集中投资",
    "停产检修一个月",
]
#: official rates (1—N月, %), February (1—2月) to December
OFFICIAL = {
    "value_added_growth": {
        2025: [8.6, 9.1, 9.4, 9.8, 10.2, 10.0, 10.3, 10.6, 10.8, 11.0, 11.2],
        2026: [12.1, 12.8, 13.4, 13.1, 13.6, 13.9, 14.2, 14.0, 14.3],
    },
    "fai_growth": {
        2025: [5.2, 5.6, 5.9, 6.1, 6.4, 6.2, 6.5, 6.8, 6.9, 7.0, 7.1],
        2026: [6.8, 7.2, 7.9, 8.1, 8.4, 8.6, 8.8, 9.0, 9.1],
    },
    "industrial_investment_growth": {
        2025: [7.5, 7.9, 8.3, 8.0, 8.6, 8.9, 9.1, 9.0, 9.3, 9.4, 9.6],
        2026: [8.5, 8.9, 9.4, 9.7, 9.9, 10.3, 10.6, 10.9, 11.3],
    },
    # 新增“四上”企业（户，1—N月累计）
    "new_above_scale": {
        2025: [3, 8, 11, 15, 20, 23, 27, 30, 34, 39, 44],
        2026: [4, 9, 12, 15, 21, 24, 27, 31, 36],
    },
}
#: 2026 growth targets (%) of the amounts decomposed to the towns (seed 001: 工业投资 +10 %)
GROWTH_TARGETS = {"gross_output": 12, "industrial_investment": 10, "revenue": 10, "tax": 8}
XUN_TARGETS = {"gross_output", "industrial_investment"}  # 以旬保月: decomposed to 旬
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
TRADES = [
    ("26", "化工"),
    ("28", "纤维"),
    ("29", "塑胶"),
    ("13", "粮油"),
    ("14", "食品"),
    ("15", "饮品"),
    ("30", "建材"),
    ("33", "金属制品"),
    ("34", "机械"),
    ("35", "装备"),
    ("36", "汽车零部件"),
    ("38", "电气"),
    ("39", "电子科技"),
    ("17", "纺织"),
    ("21", "家具"),
    ("22", "纸业"),
]
BRAND = "恒顺鑫源宏达盛泰瑞丰隆昌华海天宇金诚信德利通远博创嘉禾汇中祥和康力众联新锦铭凯正鼎晟永佳豪浍垓沱濠谷"


@dataclass
class Reporter:
    """One enterprise of the monthly form with its generated economy."""

    enterprise: Enterprise
    output: float  # 2025 gross output, 万元
    growth: float
    years: tuple[int, ...]
    revenue_ratio: float
    margin: float
    tax_rate: float
    intensity: float  # 万千瓦时 per 万元 of output
    employees: int
    invest: dict[int, list[float]] = field(default_factory=dict)  # year → 12 monthly amounts


def load(context, stdout=None) -> None:
    if DataSet.objects.filter(code=DATASET_CODE).exists():
        if stdout:
            stdout.write("经济指标演示数据已存在，跳过")
        return
    if "340323" not in context["regions"]:
        return
    with transaction.atomic(), audit.row_diffs_disabled():
        _load(context, stdout)
    rollups.refresh(everything=True)  # as the sweep would: the demo's dispatch view reads them


def _load(context, stdout) -> None:
    regions = context["regions"]
    county = regions["340323"]
    rng = random.Random(340323_13)
    actor = User.objects.filter(username="dispatch").first()
    inds = {i.code: i for i in Indicator.objects.filter(code__in=CODES + list(OFFICIAL))}
    inds["new_above_scale"] = _new_above_scale_indicator()
    dataset = DataSet.objects.create(
        code=DATASET_CODE,
        name="规上工业企业月报",
        region=county,
        period_type="M",
        audience=Audience.ABOVE_SCALE,
        due_working_days=5,
        merge_jan_feb=True,
    )
    DataSetIndicator.objects.bulk_create(
        [DataSetIndicator(dataset=dataset, indicator=inds[c], sort=n) for n, c in enumerate(CODES)]
    )
    added = _extra_enterprises(rng, regions, county)
    reporters = _reporters(rng, county)
    n_values, n_reports, late, missing, inconsistent = _returns(rng, dataset, reporters, inds)
    _official(dataset, county, inds)
    n_targets = _targets(county, inds, actor)
    if actor is not None:
        _approvals(dataset, county, actor)
    audit.record(
        "import",
        object_type="indicators.dataset",
        object_id=str(dataset.pk),
        object_repr="经济指标演示数据",
        changes={
            "enterprises_added": added,
            "reporters": len(reporters),
            "values": n_values,
            "reports": n_reports,
            "targets": n_targets,
        },
        message="加载经济指标演示数据（规上工业企业月报、统计部门发布数、2026年目标）",
    )
    if stdout:
        stdout.write(
            f"经济指标：新增规上企业 {added} 户，报送企业 {len(reporters)} 户，报表 {n_reports} 份"
            f"（迟报 {late}，未报 {missing}，数据不符 {inconsistent}），指标值 {n_values} 条，目标 {n_targets} 个"
        )


def _new_above_scale_indicator() -> Indicator:
    ind, _created = Indicator.objects.get_or_create(
        code="new_above_scale",
        defaults={
            "name": "新增“四上”企业",
            "unit": "household",
            "aggregation": "sum",
            "cumulative": True,
            "kind": IndicatorKind.OFFICIAL,
            "decimals": 0,
            "description": "统计部门认定的新增规上工业、限上批零住餐、规上服务业、资质内建筑业企业，1—N月累计",
            "sort": 200,
        },
    )
    return ind


# --- enterprises -----------------------------------------------------------------------------------


def _credit_code(rng: random.Random, taken: set[str]) -> str:
    while True:
        body = "91340323" + "MA2" + "".join(rng.choice(ALPHABET) for _ in range(6))
        code = body + uscc.calc_check_digit(body)
        if code not in taken:
            taken.add(code)
            return code


def _extra_enterprises(rng: random.Random, regions: dict[str, Region], county: Region) -> int:
    """规上 enterprises beyond the registry demo's key ones, so the county has about 300; some
    entered 规上 in 2026, some left it (they reported in 2025 only)."""
    existing = Enterprise.objects.filter(region_path__startswith=county.path, above_scale=True).count()
    n_above = max(0, ABOVE_SCALE_TOTAL - existing)
    places = [r for code, r in regions.items() if code.startswith("340323") and r.kind in ("grid", "town")]
    places = [r for r in places if r.code != "340323100"]  # 城关镇's industry sits in its grid
    industries = {i.code: i for i in Industry.objects.filter(code__in={c for c, _ in TRADES})}
    taken = set(Enterprise.all_objects.values_list("credit_code", flat=True))
    names = set(Enterprise.all_objects.values_list("name", flat=True))
    now = timezone.now()
    ents = []
    for n in range(n_above + LEFT_IN_2026):
        region = places[n % len(places)] if rng.random() < 0.4 else rng.choice(places[:7])
        division, trade = rng.choice(TRADES)
        while True:
            name = (
                f"{rng.choice(['安徽', '蚌埠', '固镇'])}{rng.choice(BRAND)}{rng.choice(BRAND)}{trade}有限公司"
            )
            if name not in names:
                names.add(name)
                break
        above = n < n_above
        since = YEAR if n < NEW_IN_2026 else rng.randint(2010, FIRST_YEAR)
        employees = int(rng.lognormvariate(math.log(90), 0.6)) + 25
        ents.append(
            Enterprise(
                name=name,
                **search_fields(name),
                credit_code=_credit_code(rng, taken),
                region=region,
                region_path=region.path,
                address=f"{region.name}{rng.choice(['纬一路', '经三路', '浍河路', '产业大道', '工业园路'])}{rng.randint(1, 199)}号",
                legal_representative=rng.choice("王李张刘陈杨黄赵吴周徐孙马朱胡郭")
                + rng.choice(["建国", "志强", "海波", "明辉", "春华", "晓东", "立新"]),
                industry=industries.get(division),
                founded_on=dt.date(rng.randint(1998, 2022), rng.randint(1, 12), rng.randint(1, 28)),
                above_scale=above,
                above_scale_since=since if above else None,
                employees=employees,
                contact_name=rng.choice("王李张刘陈") + rng.choice(["经理", "会计", "统计员"]),
                contact_phone=f"139{rng.randint(10000000, 99999999)}",
                is_demo=True,
                created_at=now,
                updated_at=now,
            )
        )
    Enterprise.objects.bulk_create(ents, batch_size=500)
    tag = Tag.objects.filter(name="四上").first()
    if tag is not None:
        through = Enterprise.tags.through
        through.objects.bulk_create(
            [through(enterprise_id=e.pk, tag_id=tag.pk) for e in ents if e.above_scale], batch_size=1000
        )
    return len(ents)


def _reporters(rng: random.Random, county: Region) -> list[Reporter]:
    """Every enterprise of the form in 2025 or 2026 with its size and habits. Sizes are skewed:
    key enterprises several hundred million yuan a year, the group leader billions."""
    key_ids = set(KeyDesignation.objects.values_list("enterprise_id", flat=True))
    ents = (
        Enterprise.objects.filter(region_path__startswith=county.path).filter(above_scale=True).order_by("pk")
    )
    left = Enterprise.objects.filter(
        region_path__startswith=county.path, above_scale=False, is_demo=True, employees__gte=25
    ).exclude(key_designations__isnull=False)
    left = list(left.filter(name_initials__gt="").order_by("-pk")[:LEFT_IN_2026])
    out = []
    first = True
    for ent in list(ents) + left:
        since = ent.above_scale_since or FIRST_YEAR
        if not ent.above_scale:
            years: tuple[int, ...] = (FIRST_YEAR,)
        elif since >= YEAR:
            years = (YEAR,)
        else:
            years = (FIRST_YEAR, YEAR)
        if first and ent.name.startswith("固镇恒顺集团"):
            output = 800_000.0
        elif ent.pk in key_ids:
            output = rng.lognormvariate(math.log(45_000), 0.8) * (3 if ent.tier == "lead" else 1)
        else:
            output = max(2_300.0, rng.lognormvariate(math.log(9_000), 0.7))
        first = False
        staff = ent.employees or int(output / rng.uniform(80, 200))
        r = Reporter(
            enterprise=ent,
            output=output,
            growth=max(-0.35, min(0.6, rng.gauss(0.10, 0.13))),
            years=years,
            revenue_ratio=rng.uniform(0.88, 1.03),
            margin=rng.gauss(0.055, 0.035),
            tax_rate=rng.uniform(0.015, 0.045),
            intensity=rng.lognormvariate(math.log(0.035), 0.6),
            employees=max(20, staff),
        )
        for year in years:
            if rng.random() < 0.45:
                total = output * rng.uniform(0.03, 0.25)
                months = rng.sample(range(12), rng.randint(2, 6))
                shares = [rng.random() + 0.2 for _ in months]
                r.invest[year] = [0.0] * 12
                for m, s in zip(months, shares, strict=True):
                    r.invest[year][m] = total * s / sum(shares)
        out.append(r)
    return out


# --- returns ---------------------------------------------------------------------------------------


def _d(x: float) -> Decimal:
    return Decimal(str(round(x, 1)))


def _months(year: int) -> list[int]:
    """Reported months: 1—2月 merged into February; 2026 up to October."""
    return list(range(2, (LAST_MONTH if year == YEAR else 12) + 1))


def _series(rng: random.Random, r: Reporter, year: int) -> dict[str, list[Decimal]]:
    """The reported number of each indicator for months 2…12 (index m): cumulative amounts, the
    employees' level."""
    annual = r.output * ((1 + r.growth) if year == YEAR else 1)
    monthly = [annual * s * rng.lognormvariate(0, 0.07) for s in SEASON]
    margin = [r.margin + rng.gauss(0, 0.02) for _ in range(12)]
    per: dict[str, list[float]] = {
        "gross_output": monthly,
        "revenue": [v * r.revenue_ratio * rng.uniform(0.95, 1.05) for v in monthly],
        "tax": [v * r.tax_rate * rng.uniform(0.7, 1.3) for v in monthly],
        "power": [v * r.intensity * rng.uniform(0.9, 1.1) for v in monthly],
        "industrial_investment": r.invest.get(year, [0.0] * 12),
    }
    per["profit"] = [rev * m for rev, m in zip(per["revenue"], margin, strict=True)]
    out: dict[str, list[Decimal]] = {}
    for code, values in per.items():
        cum = Decimal(0)
        series = [Decimal(0)] * 13
        for m in range(1, 13):
            cum += _d(values[m - 1])
            series[m] = cum
        out[code] = series
    drift = 1 + (r.growth / 3 if year == YEAR else 0)
    out["employees"] = [
        Decimal(max(10, round(r.employees * drift * (1 + 0.01 * (m % 5 - 2))))) for m in range(13)
    ]
    return out


def _submitted(rng: random.Random, period: Period, due: dt.date, late: bool) -> dt.datetime:
    if late:
        day = due + dt.timedelta(days=rng.randint(1, 9))
    else:
        span = max(1, (due - period.end).days)
        day = period.end + dt.timedelta(days=rng.randint(1, span))
    return dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=SHANGHAI)


def _returns(rng: random.Random, dataset: DataSet, reporters: list[Reporter], inds: dict[str, Indicator]):
    """Every return, one `record_values` call per period (chronological, so last year's pair and
    the previous cumulative are there when a period is written), then the Report rows."""
    series = {(r.enterprise.pk, y): _series(rng, r, y) for r in reporters for y in r.years}
    ordinary = [r for r in reporters[1:] if YEAR in r.years]
    picked = rng.sample(ordinary, 9 + 8 + 6)
    missing_from = {r.enterprise.pk: 9 for r in picked[:4]} | {r.enterprise.pk: 10 for r in picked[4:9]}
    chronic_late = {r.enterprise.pk for r in picked[9:17]}
    inconsistent = {(r.enterprise.pk, rng.choice([5, 7, 8, 9])) for r in picked[17:]}
    reports: list[Report] = []
    n_values = n_late = 0
    for year in (FIRST_YEAR, YEAR):
        entries: list[services.Entry] = []
        for month in _months(year):
            period = Period.month(year, month)
            due = services.due_on(dataset, period)
            for r in reporters:
                pk = r.enterprise.pk
                if year not in r.years or (year == YEAR and month >= missing_from.get(pk, 99)):
                    continue
                late = rng.random() < (0.7 if pk in chronic_late else 0.04)
                n_late += late
                s = series[(pk, year)]
                last = series.get((pk, year - 1))
                for code in CODES:
                    ind = inds[code]
                    cum = s[code][month]
                    entry = services.Entry(
                        ind, period, enterprise=r.enterprise, row=f"{r.enterprise.name} {ind.name}"
                    )
                    if code == "employees":
                        entry.value = cum
                    else:
                        entry.cumulative = cum
                        if (pk, month) in inconsistent and year == YEAR and code == "gross_output":
                            # reported both numbers, and the month's does not add up
                            entry.value = (cum - s[code][month - 1]) * Decimal("1.12") + Decimal("0.3")
                    if code != "employees" and last is not None and last[code][month]:
                        base = last[code][month]
                        if abs((cum - base) * 100 / abs(base)) > services.SWING_PCT:
                            entry.explanation = rng.choice(SWING_NOTES)
                    entries.append(entry)
                reports.append(
                    Report(
                        dataset=dataset,
                        enterprise=r.enterprise,
                        period=period.code,
                        region_id=r.enterprise.region_id,
                        region_path=r.enterprise.region_path,
                        submitted_at=_submitted(rng, period, due, late),
                        source=Source.GENERATED,
                        due_on=due,
                        late=late,
                    )
                )
        # one call per year: a year's months chain inside the batch; 2025 is there for 2026's
        # 上年同期; entered_at follows each return's submission below
        services.record_values(entries, actor=None, source=Source.GENERATED, dataset=dataset)
        n_values += len(entries)
    Report.objects.bulk_create(reports, batch_size=2000)
    _link_reports(dataset)
    return n_values, len(reports), n_late, len(missing_from), len(inconsistent)


def _link_reports(dataset: DataSet) -> None:
    """Values point at their return and were entered when it was submitted (set-based: one
    UPDATE per period)."""
    from django.db.models import OuterRef, Subquery

    for period in Report.objects.filter(dataset=dataset).values_list("period", flat=True).distinct():
        report = Report.objects.filter(dataset=dataset, period=period, enterprise=OuterRef("enterprise"))
        Value.objects.filter(
            period=period, enterprise__isnull=False, indicator__datasets=dataset, report__isnull=True
        ).update(
            report=Subquery(report.values("pk")[:1]),
            entered_at=Subquery(report.values("submitted_at")[:1]),
        )


# --- official figures, approvals -------------------------------------------------------------------


def _official(dataset: DataSet, county: Region, inds: dict[str, Indicator]) -> None:
    """The statistics bureau's published rates and counts for the county, 1—2月 to date."""
    for year in (FIRST_YEAR, YEAR):
        entries = [
            services.Entry(
                inds[code],
                Period.month(year, month),
                region=county,
                cumulative=Decimal(str(rates[year][month - 2])),
                row=f"{inds[code].name} {year}{month:02d}",
            )
            for code, rates in OFFICIAL.items()
            for month in _months(year)
        ]
        # the dataset only tells record_values that 1—2月 is merged (the bureau publishes it so)
        services.record_values(entries, actor=None, source=Source.GENERATED, dataset=dataset)
    Value.objects.filter(enterprise__isnull=True, region=county, indicator__code__in=list(OFFICIAL)).update(
        source=Source.OFFICIAL
    )


def _approvals(dataset: DataSet, county: Region, actor: User) -> None:
    """2025 and 2026 to August approved and locked by the county; September and October open."""
    rows = [
        Approval(
            dataset=dataset,
            period=Period.month(y, m).code,
            region=county,
            approved_by=actor,
            approved_at=dt.datetime.combine(
                services.due_on(dataset, Period.month(y, m)) + dt.timedelta(days=3),
                dt.time(16, 0),
                tzinfo=SHANGHAI,
            ),
        )
        for y in (FIRST_YEAR, YEAR)
        for m in _months(y)
        if (y, m) <= (YEAR, 8)
    ]
    Approval.objects.bulk_create(rows)


# --- targets ---------------------------------------------------------------------------------------


def _profile(county: Region, code: str) -> dict[str, list[float]]:
    """Last year's month-by-month amounts of `code` per direct child of the county (and the
    county itself under its own path), 1—2月 split between January and February by days."""
    depth = county.path.count("/") + 1
    out: dict[str, list[float]] = defaultdict(lambda: [0.0] * 12)
    rows = Value.objects.filter(
        indicator__code=code, year=FIRST_YEAR, period_type="M", enterprise__isnull=False
    ).values_list("region_path", "period", "value")
    for path, period, value in rows:
        if not path.startswith(county.path) or value is None:
            continue
        child = "/".join(path.split("/")[:depth]) + "/"
        month = int(period[4:])
        for key in (child, county.path):
            if month == 2:
                out[key][0] += float(value) * 31 / 59
                out[key][1] += float(value) * 28 / 59
            else:
                out[key][month - 1] += float(value)
    return out


def _targets(county: Region, inds: dict[str, Indicator], actor: User | None) -> int:
    """The 2026 targets, set through `services_targets.set_target` as the 目标管理 page does:
    amounts for each town and park (last year × the growth target), the county's = the sum of
    its children, decomposed by last year's seasonal profile to months (and to 旬 where the
    county works 以旬保月); the rates' growth targets; 47 new “四上” enterprises."""
    if actor is None:
        return 0
    children = {r.path: r for r in Region.objects.filter(parent=county)}
    n = 0
    for code, growth in GROWTH_TARGETS.items():
        profile = _profile(county, code)
        total = 0
        for path, region in sorted(children.items()):
            weights = profile.get(path)
            if not weights or sum(weights) <= 0:
                continue
            amount = round(sum(weights) * (100 + growth) / 100 * 10)  # tenths of the unit
            total += amount
            _save_target(inds[code], region, Decimal(amount) / 10, growth, code in XUN_TARGETS, actor)
            n += 1
        _save_target(inds[code], county, Decimal(total) / 10, growth, code in XUN_TARGETS, actor)
        n += 1
    services_targets.set_target(
        inds["new_above_scale"],
        YEAR,
        region=county,
        amount=Decimal(47),
        method=TargetMethod.EQUAL,
        actor=actor,
    )
    for code, growth in (("value_added_growth", 15), ("industrial_investment_growth", 10), ("fai_growth", 8)):
        services_targets.set_target(inds[code], YEAR, region=county, growth=Decimal(growth), actor=actor)
        n += 1
    return n + 1


def _save_target(
    ind: Indicator, region: Region, amount: Decimal, growth: int, to_xun: bool, actor: User
) -> Target:
    """One target, decomposed by last year's seasonal profile to months or 旬 (the parts add up
    to the year; the service refuses them otherwise)."""
    return services_targets.set_target(
        ind,
        YEAR,
        region=region,
        amount=amount,
        growth=Decimal(growth),
        method=TargetMethod.SEASONAL,
        decomposed_to="X" if to_xun else "M",
        actor=actor,
    )

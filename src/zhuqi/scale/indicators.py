"""Generator part `indicators`: monthly indicator values (DESIGN §5: 24,000,000 at province
scale), each county's monthly form (规上工业企业月报) with this year's returns of its 规上
enterprises, the statistics bureau's official rates per county, and this year's county targets
decomposed to months.

Who has values, as in a county: the 规上 enterprises file the monthly return, so they have the
ten indicators for every month of the scale's `indicator_years` (province: ≈ 14,500 × 10 × 12 ×
10 ≈ 17 M); every other enterprise has what the tax office and the power company send
(入库税收, 工业用电量) for this year and last (≈ 185,000 × 2 × 23 ≈ 8.5 M).

Values follow `indicators.services.record_values`' rules without calling it (it is the one
write path for people; 24 M rows go in with COPY): every amount is an integer number of tenths,
so cumulative(N) = cumulative(N−1) + value(N) exactly; January starts the year (the generated
forms do not merge 1—2月); last year's pair of the same enterprise and month sits beside each
value; employees (a level) carry the same number in both columns.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterator

from .generate import Context, register_part
from .parts import WorkDays, check_fields

#: the ten entered indicators every generated enterprise reports (standard set codes)
CODES = [
    "gross_output",
    "revenue",
    "profit",
    "tax",
    "taxable_sales",
    "power",
    "industrial_investment",
    "tech_investment",
    "employees",
    "energy",
]
#: what departments send for every enterprise (规下 included), this year and last
DEPARTMENT_CODES = ["tax", "power"]
DEPARTMENT_YEARS = 2
FORM_CODES = ["gross_output", "revenue", "profit", "tax", "power", "employees", "industrial_investment"]
OFFICIAL = ["value_added_growth", "fai_growth", "industrial_investment_growth"]
#: an industrial county's monthly share of the year's output, January to December
SEASON = [0.075, 0.050, 0.085, 0.080, 0.083, 0.090, 0.078, 0.080, 0.090, 0.087, 0.090, 0.112]
TARGETS = {"gross_output": 10, "industrial_investment": 10, "tax": 8}  # growth targets, %
VALUE_FIELDS = {
    "id",
    "indicator_id",
    "period",
    "year",
    "period_type",
    "enterprise_id",
    "region_id",
    "region_path",
    "cumulative",
    "value",
    "last_year_cumulative",
    "last_year_value",
    "source",
    "entered_at",
}
REPORT_FIELDS = {
    "id",
    "dataset_id",
    "enterprise_id",
    "period",
    "region_id",
    "region_path",
    "submitted_at",
    "source",
    "due_on",
    "late",
}


def available() -> str | None:
    for label, provided in (
        ("indicators.Value", VALUE_FIELDS),
        ("indicators.Report", REPORT_FIELDS),
        ("indicators.DataSet", {"id", "code", "name", "region_id", "period_type", "audience"}),
        ("indicators.Target", {"id", "indicator_id", "year", "region_id", "amount", "created_by_id"}),
        ("indicators.TargetPart", {"id", "target_id", "period", "period_type", "amount"}),
    ):
        why = check_fields(label, provided)
        if why:
            return why
    from zhuqi.indicators.models import Indicator

    missing = set(CODES + OFFICIAL) - set(Indicator.objects.values_list("code", flat=True))
    if missing:
        return f"标准指标缺少 {'、'.join(sorted(missing))}"
    return None


def _tenths(n: int) -> str:
    """An integer number of tenths as the decimal text COPY and bulk_create both take."""
    sign = "-" if n < 0 else ""
    q, r = divmod(abs(n), 10)
    return f"{sign}{q}.{r}"


def _split(total: int, weights: list[float]) -> list[int]:
    """`total` split by `weights` with the largest remainders, so the parts add up exactly."""
    s = sum(weights) or 1.0
    raw = [total * w / s for w in weights]
    parts = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def gen_indicators(ctx: Context) -> None:  # noqa: C901 - one pass over enterprises × years × months
    from zhuqi.enterprises.models import Enterprise
    from zhuqi.indicators.models import (
        DataSet,
        DataSetIndicator,
        Indicator,
        Report,
        Target,
        TargetPart,
        Value,
    )

    rng = random.Random(f"{ctx.seed}:indicators")
    world, w, today = ctx.world, ctx.writer, ctx.today
    years_n = ctx.scale.indicator_years
    if years_n <= 0:
        return
    ind = dict(Indicator.objects.filter(code__in=CODES + OFFICIAL).values_list("code", "id"))
    this_year = today.year
    last_month = today.month - 1  # the latest ended month of this year (0: none yet)
    years = list(range(this_year - years_n + 1, this_year + 1))
    periods = [(y, m) for y in years for m in range(1, 13) if y < this_year or m <= last_month]
    codes = {(y, m): f"{y}{m:02d}" for y, m in periods}
    entered = {(y, m): _aware(_month_end(y, m) + dt.timedelta(days=rng.randint(3, 9)), 2) for y, m in periods}
    ent_rows = {
        eid: (emp or 5, above)
        for eid, emp, above in Enterprise.objects.filter(
            region__path__startswith=f"{world.province_code}/"
        ).values_list("id", "employees", "above_scale")
    }
    region_path = world.region_path
    # each county's monthly form (规上工业企业月报): written first, the returns point at it
    ds_id0 = w.next_id(DataSet)
    ds_of = {county.id: ds_id0 + i for i, county in enumerate(world.counties)}
    w.write(
        DataSet,
        (
            {
                "id": ds_of[c.id],
                "code": f"g{c.code}m",
                "name": "规上工业企业月报",
                "region_id": c.id,
                "period_type": "M",
                "audience": "above_scale",
                "due_working_days": 5,
                "merge_jan_feb": False,
                "is_active": True,
            }
            for c in world.counties
        ),
        total=len(world.counties),
    )
    item0 = w.next_id(DataSetIndicator)
    w.write(
        DataSetIndicator,
        (
            {
                "id": item0 + i * len(FORM_CODES) + k,
                "dataset_id": ds_of[c.id],
                "indicator_id": ind[code],
                "sort": k,
                "required": True,
            }
            for i, c in enumerate(world.counties)
            for k, code in enumerate(FORM_CODES)
        ),
        total=len(world.counties) * len(FORM_CODES),
    )
    # last year's monthly totals per county (tenths), for the targets' seasonal profile
    base: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 12)
    reports: list[tuple[int, int, int, int, int]] = []  # (enterprise, county id, region, year, month)
    vid0 = w.next_id(Value)
    counter = [vid0]
    idx = {code: ind[code] for code in CODES}

    def values() -> Iterator[dict]:
        vid = vid0
        for county in world.counties:
            for eid in county.enterprises:
                employees, above = ent_rows.get(eid, (5, False))
                region_id = world.enterprise_region[eid]
                path = region_path[region_id]
                output = employees * rng.lognormvariate(3.7, 0.6)  # 万元 a year, ≈ 40 万元 a person
                revenue_ratio = rng.uniform(0.85, 1.05)
                sales_ratio = rng.uniform(0.75, 0.98)
                margin = rng.gauss(0.05, 0.04)
                tax_rate = rng.uniform(0.01, 0.05)
                intensity = rng.lognormvariate(-3.5, 0.6)  # 万千瓦时 per 万元
                energy_per_power = rng.uniform(1.23, 1.9)  # 吨标煤 per 万千瓦时
                prev: dict[str, list[int]] | None = None
                staff = float(employees)
                codes_of = CODES if above else DEPARTMENT_CODES
                for y in years if above else years[-DEPARTMENT_YEARS:]:
                    output *= 1 + rng.gauss(0.06, 0.12)
                    staff = max(1.0, staff * (1 + rng.gauss(0.01, 0.05)))
                    invest = [0] * 12
                    tech = [0] * 12
                    if rng.random() < 0.3:
                        total = output * rng.uniform(0.03, 0.2)
                        for m in rng.sample(range(12), rng.randint(1, 4)):
                            lump = int(total * rng.uniform(0.2, 0.6) * 10)
                            invest[m] += lump
                            tech[m] += int(lump * rng.uniform(0.2, 0.6))
                    months: dict[str, list[int]] = {code: [0] * 12 for code in CODES}
                    for m in range(12):
                        out = output * SEASON[m] * rng.uniform(0.93, 1.07)
                        rev = out * revenue_ratio
                        power = out * intensity
                        months["gross_output"][m] = int(out * 10)
                        months["revenue"][m] = int(rev * 10)
                        months["profit"][m] = int(rev * (margin + rng.uniform(-0.02, 0.02)) * 10)
                        months["tax"][m] = int(rev * tax_rate * 10)
                        months["taxable_sales"][m] = int(rev * sales_ratio * 10)
                        months["power"][m] = int(power * 10)
                        months["energy"][m] = int(power * energy_per_power * 10)
                        months["employees"][m] = int(staff * (1 + 0.01 * (m % 5 - 2))) * 10
                    months["industrial_investment"] = invest
                    months["tech_investment"] = tech
                    cums: dict[str, list[int]] = {}
                    for code, series in months.items():
                        if code == "employees":
                            cums[code] = series
                            continue
                        run, c = 0, [0] * 12
                        for m in range(12):
                            run += series[m]
                            c[m] = run
                        cums[code] = c
                    for m in range(12):
                        if (y, m + 1) not in codes:
                            break
                        code_p = codes[(y, m + 1)]
                        at = entered[(y, m + 1)]
                        for code in codes_of:
                            cum, val = cums[code][m], months[code][m]
                            row = {
                                "id": vid,
                                "indicator_id": idx[code],
                                "period": code_p,
                                "year": y,
                                "period_type": "M",
                                "enterprise_id": eid,
                                "region_id": region_id,
                                "region_path": path,
                                "cumulative": _tenths(cum),
                                "value": _tenths(val),
                                "source": "generated",
                                "entered_at": at,
                            }
                            if prev is not None:
                                row["last_year_cumulative"] = _tenths(prev["c:" + code][m])
                                row["last_year_value"] = _tenths(prev[code][m])
                            vid += 1
                            yield row
                            if y == this_year - 1 and code in TARGETS:
                                base[(county.id, code)][m] += val
                        if above and y == this_year:
                            reports.append((eid, county.id, region_id, y, m + 1))
                    prev = dict(months)
                    prev.update({"c:" + code: c for code, c in cums.items()})
        counter[0] = vid

    n_above = sum(1 for _emp, above in ent_rows.values() if above)
    n_dept = len(periods) - sum(1 for y, _m in periods if y < years[-DEPARTMENT_YEARS:][0])
    total = n_above * len(CODES) * len(periods) + (len(ent_rows) - n_above) * len(DEPARTMENT_CODES) * n_dept
    w.write(Value, values(), total=total, label="indicators.value", raw=True)

    # the statistics bureau's rates per county (1—N月, %): one row per county and month
    def official() -> Iterator[dict]:
        vid = counter[0]
        for county in world.counties:
            level = {code: rng.uniform(4, 9) for code in OFFICIAL}
            for y, m in periods:
                for code in OFFICIAL:
                    level[code] = max(-5.0, min(20.0, level[code] + rng.gauss(0, 0.4)))
                    text = f"{level[code]:.1f}"
                    yield {
                        "id": vid,
                        "indicator_id": ind[code],
                        "period": codes[(y, m)],
                        "year": y,
                        "period_type": "M",
                        "region_id": county.id,
                        "region_path": county.path,
                        "cumulative": text,
                        "value": text,
                        "source": "official",
                        "entered_at": entered[(y, m)],
                    }
                    vid += 1

    n_official = len(world.counties) * len(periods) * len(OFFICIAL)
    w.write(Value, official(), total=n_official, label="indicators.value", raw=True)
    from zhuqi.indicators import rollups

    rollups.refresh(everything=True)  # as the sweep would after a bulk load

    # this year's returns of the 规上 enterprises: most on time, some late, the last month still coming in
    if reports:
        days = WorkDays(dt.date(this_year, 1, 1), dt.date(this_year + 1, 2, 28))
        due = {m: days.add(_month_end(this_year, m), 5) for m in range(1, 13)}
        rid0 = w.next_id(Report)

        def report_rows() -> Iterator[dict]:
            rid = rid0
            for eid, county_id, region_id, y, m in reports:
                if m == last_month and rng.random() < 0.12:
                    continue  # not in yet
                late = rng.random() < 0.05
                day = (
                    due[m] + dt.timedelta(days=rng.randint(1, 8))
                    if late
                    else due[m] - dt.timedelta(days=rng.randint(0, 5))
                )
                yield {
                    "id": rid,
                    "dataset_id": ds_of[county_id],
                    "enterprise_id": eid,
                    "period": codes[(y, m)],
                    "region_id": region_id,
                    "region_path": region_path[region_id],
                    "submitted_at": _aware(day, 3),
                    "source": "generated",
                    "due_on": due[m],
                    "late": late,
                }
                rid += 1

        w.write(Report, report_rows(), total=len(reports))

    # this year's county targets: last year × (1 + growth), by last year's months
    target_rows, part_rows = [], []
    tid = w.next_id(Target)
    pid = w.next_id(TargetPart)
    now = ctx.now
    for county in world.counties:
        author = (county.users.get("dispatch") or county.users.get("admin") or [None])[0]
        if author is None:
            continue
        for code, growth in TARGETS.items():
            profile = base.get((county.id, code))
            if not profile or sum(profile) <= 0:
                continue
            amount = sum(profile) * (100 + growth) // 100
            target_rows.append(
                {
                    "id": tid,
                    "indicator_id": ind[code],
                    "year": this_year,
                    "region_id": county.id,
                    "amount": _tenths(amount),
                    "growth": str(growth),
                    "method": "seasonal",
                    "decomposed_to": "M",
                    "created_by_id": author,
                    "updated_at": now,
                }
            )
            for m, part in enumerate(_split(amount, [float(x) for x in profile]), start=1):
                part_rows.append(
                    {
                        "id": pid,
                        "target_id": tid,
                        "period": f"{this_year}{m:02d}",
                        "period_type": "M",
                        "amount": _tenths(part),
                    }
                )
                pid += 1
            tid += 1
    w.write(Target, target_rows, total=len(target_rows))
    w.write(TargetPart, part_rows, total=len(part_rows))


register_part("indicators", available, gen_indicators)

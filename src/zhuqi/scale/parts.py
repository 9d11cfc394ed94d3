"""Optional parts of the generator: assignments (assistance), cases and projects.

Each part checks, before it writes, that its models exist and still have the fields it fills
and no new required field it does not know (`check_fields`); otherwise `generate()` skips the
part with the reason, so a model changing under the generator never breaks the core parts.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections.abc import Iterator
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from zhuqi.cases.models import EscalationLevel
from zhuqi.core.roles import Role
from zhuqi.core.units import YI
from zhuqi.core.workcalendar import SHANGHAI, end_of_day, is_working_day

from .generate import Context, register_part

UTC = dt.UTC


def _rng(ctx: Context, part: str) -> random.Random:
    return random.Random(f"{ctx.seed}:{part}")


def check_fields(label: str, provided: set[str]) -> str | None:
    """Why `label` cannot be generated with the fields we fill, or None."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return f"模型 {label} 不存在"
    for name in provided:
        try:
            model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
        except FieldDoesNotExist:
            return f"模型 {label} 没有字段 {name}（模型已变化，生成器需要更新）"
    for f in model._meta.concrete_fields:
        if f.primary_key or f.null or f.has_default() or f.name in provided or f.attname in provided:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if isinstance(f, models.CharField | models.TextField):
            continue  # the writer fills "" for text without a default
        return f"模型 {label} 新增了必填字段 {f.name}（生成器需要更新）"
    return None


def check_models(*checks: tuple[str, set[str]]) -> str | None:
    """The first reason `check_fields` gives for any (label, fields) of `checks`, or None."""
    for label, provided in checks:
        why = check_fields(label, provided)
        if why:
            return why
    return None


class WorkDays:
    """A snapshot of the work calendar (weekends, holidays, 调休, overrides) for the generated
    years, taken before any COPY starts: `zhuqi.core.workcalendar` may re-read its override
    table at any moment, and no other query can run on a connection while a COPY is open."""

    def __init__(self, first: dt.date, last: dt.date):
        span = (last - first).days + 1
        self.days = [d for d in (first + dt.timedelta(days=i) for i in range(span)) if is_working_day(d)]

    @staticmethod
    def _date(value: dt.date | dt.datetime) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.astimezone(SHANGHAI).date()
        return value

    def add(self, start: dt.date | dt.datetime, n: int) -> dt.date:
        """As `workcalendar.add_working_days`."""
        d = self._date(start)
        idx = bisect.bisect_right(self.days, d) + n - 1 if n > 0 else bisect.bisect_left(self.days, d) + n
        return self.days[max(0, min(idx, len(self.days) - 1))]

    def between(self, a: dt.date | dt.datetime, b: dt.date | dt.datetime) -> int:
        """As `workcalendar.working_days_between`: working days in (a, b]."""
        da, db = self._date(a), self._date(b)
        if db < da:
            return -self.between(db, da)
        return bisect.bisect_right(self.days, db) - bisect.bisect_right(self.days, da)

    def due_at(self, start: dt.datetime, n: int) -> dt.datetime:
        return end_of_day(self.add(start, n))


def _aware(day: dt.date, minutes: int) -> dt.datetime:
    """`day` at 08:00 Asia/Shanghai plus `minutes`, in UTC (00:00 UTC + minutes)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC) + dt.timedelta(minutes=minutes)


def _wd_to_days(working_days: float) -> float:
    return working_days * 7 / 5


# ------------------------------------------------------------------------------------------
# Assignments (包抓): the 五位一体 team for each enterprise, this year and last
# ------------------------------------------------------------------------------------------
ASSIGNMENT_FIELDS = {"id", "enterprise_id", "year", "role", "user_id", "department_id", "started_on"}


def assignments_available() -> str | None:
    return check_fields("assistance.Assignment", ASSIGNMENT_FIELDS)


def gen_assignments(ctx: Context) -> None:
    from zhuqi.assistance.models import Assignment

    rng = _rng(ctx, "assignments")
    world, w = ctx.world, ctx.writer
    from zhuqi.core.models import User

    ent_model = apps.get_model("enterprises", "Enterprise")
    above = set(
        ent_model.objects.filter(
            region__path__startswith=f"{world.province_code}/", above_scale=True
        ).values_list("id", flat=True)
    )
    grid_users: dict[int, list[int]] = {}
    for uid, region_id in User.objects.filter(
        username__startswith=world.user_prefix, role=Role.GRID
    ).values_list("id", "region_id"):
        grid_users.setdefault(region_id, []).append(uid)
    dept_of = dict(
        User.objects.filter(username__startswith=world.user_prefix, department__isnull=False).values_list(
            "id", "department_id"
        )
    )
    start_id = w.next_id(Assignment)
    this_year = ctx.today.year

    def rows() -> Iterator[dict]:
        aid = start_id
        for county in world.counties:
            commissioners = county.users.get("commissioner") or county.users.get("handler") or []
            leaders = county.users.get("leader") or []
            contacts = (county.users.get("dept_head") or []) + (county.users.get("handler") or [])
            for year in (this_year - 1, this_year):
                started = dt.date(year, 1, rng.randint(5, 28))
                for i, eid in enumerate(county.enterprises):
                    if year < this_year and rng.random() < 0.4:
                        continue  # not every enterprise was looked after last year
                    team = []
                    if commissioners:
                        team.append(("commissioner", commissioners[(i * 7 + year) % len(commissioners)]))
                    grid = grid_users.get(world.enterprise_region.get(eid, 0))
                    if grid:
                        team.append(("grid_member", grid[i % len(grid)]))
                    if eid in above:
                        if leaders:
                            team.append(("county_leader", leaders[i % len(leaders)]))
                        if contacts:
                            team.append(("dept_contact", rng.choice(contacts)))
                    for role, uid in team:
                        yield {
                            "id": aid,
                            "enterprise_id": eid,
                            "year": year,
                            "role": role,
                            "user_id": uid,
                            "department_id": dept_of.get(uid),
                            "started_on": started,
                        }
                        aid += 1

    w.write(Assignment, rows(), total=None)


register_part("assignments", assignments_available, gen_assignments)


# ------------------------------------------------------------------------------------------
# Cases (诉求): ten years, realistic channel/category/state/duration mixes
# ------------------------------------------------------------------------------------------
CATEGORIES = [
    # code, name, weight, lead department short name(s), children
    ("finance", "融资", 20, ["建行", "农商行", "财政局"], ["流动资金贷款", "续贷转贷", "担保增信"]),
    ("land", "用地", 12, ["自然资源局"], ["土地指标", "不动产登记", "规划调整"]),
    ("labour", "用工", 10, ["人社局"], ["招工", "技能培训", "社保补贴"]),
    ("approval", "审批", 12, ["发改委", "住建局", "市场监管局"], ["项目备案", "施工许可", "证照办理"]),
    ("utilities", "水电气", 10, ["供电公司", "自来水公司", "燃气公司"], ["用电增容", "供水接入", "燃气接入"]),
    ("policy", "政策兑现", 12, ["经信局", "财政局", "科技局"], ["奖补资金", "税费减免", "资质认定"]),
    ("logistics", "交通物流", 5, ["交通局"], ["道路配套", "物流成本"]),
    ("environment", "环保", 6, ["生态环境分局"], ["环评审批", "排污许可"]),
    ("market", "市场开拓", 5, ["商务局"], ["展会对接", "外贸订单"]),
    ("tech", "科技创新", 3, ["科技局"], ["研发平台", "成果转化"]),
    ("other", "其他", 5, ["经信局"], ["周边环境", "其他诉求"]),
]
TITLES = {
    "流动资金贷款": "申请流动资金贷款{n}万元",
    "续贷转贷": "贷款到期需续贷{n}万元",
    "担保增信": "申请政策性担保{n}万元",
    "土地指标": "扩建项目需新增用地{k}亩",
    "不动产登记": "厂房不动产权证办理缓慢",
    "规划调整": "厂区规划调整需协调",
    "招工": "缺少一线技术工人{k}名",
    "技能培训": "申请开展职工技能培训",
    "社保补贴": "稳岗补贴申领咨询",
    "项目备案": "技改项目备案需协调",
    "施工许可": "新建车间施工许可办理",
    "证照办理": "生产许可证延续办理",
    "用电增容": "新上生产线需用电增容{k}千伏安",
    "供水接入": "新厂区供水管网接入",
    "燃气接入": "天然气管道接入申请",
    "奖补资金": "技改奖补资金未拨付",
    "税费减免": "研发费用加计扣除咨询",
    "资质认定": "申报高新技术企业需指导",
    "道路配套": "厂区门前道路破损影响运输",
    "物流成本": "物流成本偏高需协调",
    "环评审批": "扩产项目环评审批需加快",
    "排污许可": "排污许可证变更",
    "展会对接": "希望参加产销对接会",
    "外贸订单": "出口订单结汇问题",
    "研发平台": "申报省级工程技术研究中心",
    "成果转化": "需对接高校科技成果",
    "周边环境": "周边环境整治诉求",
    "其他诉求": "其他需协调事项",
}
CHANNELS = [
    ("visit", 35),
    ("portal", 20),
    ("h12345", 15),
    ("meeting", 10),
    ("leader", 5),
    ("h96388", 5),
    ("api", 5),
    ("other", 5),
]
CASE_CHUNK = 100_000
CASE_FIELDS = {
    "id",
    "no",
    "enterprise_id",
    "region_id",
    "region_path",
    "title",
    "description",
    "category_id",
    "channel",
    "urgency",
    "status",
    "contact_name",
    "contact_phone",
    "created_by_id",
    "lead_department_id",
    "sla_id",
    "submitted_at",
    "accepted_at",
    "dispatched_at",
    "signed_at",
    "replied_at",
    "followed_up_at",
    "closed_at",
    "reply_due_at",
    "paused_at",
    "next_due_at",
    "reply",
    "resolved",
    "satisfaction",
    "escalation_level",
    "escalated_at",
    "reopen_count",
    "close_working_days",
    "reply_missed",
}
CASEDEPT_FIELDS = {"id", "case_id", "department_id", "role", "active", "dispatched_at", "signed_at"}
CLOCK_FIELDS = {
    "id",
    "case_id",
    "kind",
    "started_at",
    "due_at",
    "stopped_at",
    "state",
    "late_working_days",
    "overdue_flagged_at",
}
LONG_OVERDUE, STUCK = 5, 10  # working days, as in zhuqi.cases.sweep
ESCALATION_FIELDS = {"id", "case_id", "from_level", "to_level", "reason", "at"}


def cases_available() -> str | None:
    for label, provided in (
        ("cases.Case", CASE_FIELDS),
        ("cases.CaseDepartment", CASEDEPT_FIELDS),
        ("cases.CaseClock", CLOCK_FIELDS),
        ("cases.Escalation", ESCALATION_FIELDS),
        ("cases.Category", {"id", "code", "name", "parent_id", "order"}),
    ):
        why = check_fields(label, provided)
        if why:
            return why
    return None


def _categories(w) -> list[tuple[int, str, int, list[str], str]]:
    """Leaf categories as (id, leaf name, weight, department short names, root code), creating the
    standard tree when the table is empty (and reusing it when not)."""
    from zhuqi.cases.models import Category

    if not Category.objects.exists():
        rows = []
        cid = w.next_id(Category)
        for order, (code, name, _weight, _depts, children) in enumerate(CATEGORIES):
            root = cid
            rows.append({"id": cid, "code": code, "name": name, "order": order * 10, "keywords": name})
            cid += 1
            for j, child in enumerate(children):
                rows.append(
                    {
                        "id": cid,
                        "code": f"{code}.{j + 1}",
                        "name": child,
                        "parent_id": root,
                        "order": j,
                        "keywords": child,
                    }
                )
                cid += 1
        w.write(Category, rows, total=len(rows))
    by_code = {c.code: c for c in Category.objects.all()}
    out = []
    for code, _name, weight, depts, _children in CATEGORIES:
        root = by_code.get(code)
        if root is None:
            continue
        kids = [c for c in by_code.values() if c.parent_id == root.pk]
        for kid in kids or [root]:
            out.append((kid.pk, kid.name, max(1, weight * 10 // max(1, len(kids))), depts, code))
    if not out:  # someone else's tree: use every leaf with equal weight
        leaves = [c for c in by_code.values() if not any(o.parent_id == c.pk for o in by_code.values())]
        out = [(c.pk, c.name, 1, ["经信局"], c.code) for c in leaves]
    return out


def gen_cases(ctx: Context) -> None:
    from zhuqi.cases.models import Case, CaseClock, CaseDepartment, Escalation, SlaPolicy

    rng = _rng(ctx, "cases")
    world, w, today = ctx.world, ctx.writer, ctx.today
    n_total = ctx.cases_total
    if n_total <= 0 or not world.enterprise_region:
        return
    cats = _categories(w)
    cat_weights = [c[2] for c in cats]
    sla = SlaPolicy.objects.filter(is_active=True, category__isnull=True, urgency="").order_by("pk").first()
    if sla is None:
        sla = SlaPolicy.objects.create(
            name="河南“13710”（默认）", scheme=SlaPolicy.Scheme.HENAN_13710, resolve_days=7
        )
    channels = [c for c, _ in CHANNELS]
    channel_weights = [wt for _, wt in CHANNELS]
    # cases per enterprise are skewed too: bigger enterprises raise more
    ent_ids = list(world.enterprise_region)
    ent_model = apps.get_model("enterprises", "Enterprise")
    sizes = dict(
        ent_model.objects.filter(region__path__startswith=f"{world.province_code}/")
        .values_list("id", "employees")
        .iterator(chunk_size=20000)
    )
    ent_weights = [1.0 + math.log1p(sizes.get(e) or 1) for e in ent_ids]
    cum_ent = _cumulative(ent_weights)
    years = ctx.scale.years
    # adoption grows: year k of `years` weighs 1.25**k; the current year only up to today
    start = dt.date(today.year - years + 1, 1, 1)
    cal = WorkDays(dt.date(start.year - 1, 1, 1), dt.date(today.year + 2, 12, 31))
    span = (today - start).days + 1
    day_weights = [1.25 ** ((start + dt.timedelta(days=d)).year - start.year) for d in range(span)]
    cum_day = _cumulative(day_weights)
    now = ctx.now
    year_seq: dict[int, int] = {}
    case_start = w.next_id(Case)
    dept_rows: list[dict] = []
    clock_rows: list[dict] = []
    esc_rows: list[dict] = []
    ids = {"dept": w.next_id(CaseDepartment), "clock": w.next_id(CaseClock), "esc": w.next_id(Escalation)}

    def pick(cum: list[float]) -> int:
        return bisect.bisect_left(cum, rng.random() * cum[-1])

    def rows(first: int, last: int) -> Iterator[dict]:
        for k in range(first, last):
            cid = case_start + k
            eid = ent_ids[min(pick(cum_ent), len(ent_ids) - 1)]
            county = world.counties[world.enterprise_county[eid]]
            day = start + dt.timedelta(days=min(pick(cum_day), span - 1))
            submitted = _aware(day, rng.randint(0, 9 * 60))
            if submitted > now:
                submitted = now - dt.timedelta(minutes=rng.randint(5, 600))
            age = (now - submitted).days
            cat_id, leaf, _wt, depts, _root = cats[rng.choices(range(len(cats)), cat_weights)[0]]
            channel = rng.choices(channels, channel_weights)[0]
            major = rng.random() < 0.08
            lead = county.departments.get(rng.choice(depts)) or county.departments.get("经信局")
            # how long it takes, in working days: lognormal, median ≈ 6, long tail
            wd = max(1, round(math.exp(rng.gauss(1.8, 0.8)) * (1.6 if major else 1)))
            status = _status(rng, age, wd)
            year_seq[submitted.year] = year_seq.get(submitted.year, 0) + 1
            row = {
                "id": cid,
                "no": f"ZQ{submitted.year}{cid:08d}",
                "enterprise_id": eid,
                "region_id": world.enterprise_region[eid],
                "region_path": world.region_path[world.enterprise_region[eid]],
                "title": TITLES.get(leaf, leaf + "问题").format(
                    n=rng.choice([50, 100, 200, 300, 500, 1000, 2000]), k=rng.randint(5, 200)
                ),
                "description": f"企业反映：{TITLES.get(leaf, leaf).format(n='若干', k='若干')}，影响正常生产经营，请协调解决。",
                "category_id": cat_id,
                "channel": channel,
                "urgency": "major" if major else "normal",
                "status": status,
                "contact_name": "",
                "contact_phone": "",
                "created_by_id": rng.choice(county.users["commissioner"])
                if channel == "visit" and county.users.get("commissioner")
                else None,
                "sla_id": sla.pk,
                "submitted_at": submitted,
                "escalation_level": EscalationLevel.GRID.value,
            }
            if status in ("refused", "withdrawn"):
                row["closed_at"] = submitted + dt.timedelta(hours=rng.randint(2, 48))
                yield row
                continue
            if status == "submitted":
                row["next_due_at"] = submitted + dt.timedelta(days=1)
                yield row
                continue
            accepted = submitted + dt.timedelta(hours=rng.uniform(0.5, 20))
            row["accepted_at"] = accepted
            if status == "accepted":
                row["next_due_at"] = accepted + dt.timedelta(days=1)
                yield row
                continue
            dispatched = accepted + dt.timedelta(hours=rng.uniform(0.5, 20))
            signed = dispatched + dt.timedelta(hours=rng.uniform(0.5, 24))
            row.update(dispatched_at=dispatched, lead_department_id=lead)
            reply_due = cal.due_at(dispatched, 15 if major else 7)
            dept_rows.append(
                {
                    "id": ids["dept"],
                    "case_id": cid,
                    "department_id": lead,
                    "role": "lead",
                    "active": True,
                    "dispatched_at": dispatched,
                    "signed_at": signed if status != "dispatched" else None,
                }
            )
            ids["dept"] += 1
            if rng.random() < 0.2 and len(depts) > 1:
                assist = county.departments.get(depts[-1])
                if assist and assist != lead:
                    dept_rows.append(
                        {
                            "id": ids["dept"],
                            "case_id": cid,
                            "department_id": assist,
                            "role": "assist",
                            "active": True,
                            "dispatched_at": dispatched,
                        }
                    )
                    ids["dept"] += 1
            if status == "dispatched":
                row["next_due_at"] = dispatched + dt.timedelta(days=1)
                yield row
                continue
            row["signed_at"] = signed
            replied = dt.datetime.combine(
                cal.add(dispatched, wd), dt.time(9, rng.randrange(0, 60)), SHANGHAI
            ) + dt.timedelta(hours=rng.uniform(0, 8))
            # a state is only reached once its moment has passed
            followed = replied + dt.timedelta(days=rng.uniform(0.5, 4))
            closed = followed + dt.timedelta(days=rng.uniform(0, 3))
            if status == "closed" and closed >= now:
                status = "followed_up"
            if status == "followed_up" and followed >= now:
                status = "replied"
            if status == "replied" and replied >= now:
                status = "in_progress"
            row["status"] = status
            open_ = status in ("signed", "in_progress", "waiting")
            if open_:
                row["reply_due_at"] = reply_due
                row["next_due_at"] = reply_due if status != "waiting" else None
                if status == "waiting":  # the clock is paused while the enterprise answers
                    row["paused_at"] = min(now, signed + dt.timedelta(days=rng.uniform(1, 5)))
                # as if the sweep had run every day until yesterday: clocks missed before then
                # are flagged and escalated by its rules; the last day's work is left to it
                flagged, steps = None, []
                if status != "waiting":
                    flagged, steps = _sweep_history(cal, reply_due, now)
                if steps:
                    for lvl, reason, at in steps:
                        esc_rows.append(
                            {
                                "id": ids["esc"],
                                "case_id": cid,
                                "from_level": lvl - 1,
                                "to_level": lvl,
                                "reason": reason,
                                "at": at,
                            }
                        )
                        ids["esc"] += 1
                    row["escalation_level"], _reason, row["escalated_at"] = steps[-1]
                clock_rows.append(
                    {
                        "id": ids["clock"],
                        "case_id": cid,
                        "kind": "reply",
                        "started_at": dispatched,
                        "due_at": reply_due,
                        "state": "running",
                        "overdue_flagged_at": flagged,
                    }
                )
                ids["clock"] += 1
                yield row
                continue
            late = max(0, cal.between(reply_due, replied))
            clock_rows.append(
                {
                    "id": ids["clock"],
                    "case_id": cid,
                    "kind": "reply",
                    "started_at": dispatched,
                    "due_at": reply_due,
                    "stopped_at": replied,
                    "state": "missed" if late else "met",
                    "late_working_days": late,
                }
            )
            ids["clock"] += 1
            row["reply_missed"] = bool(late)
            row.update(replied_at=replied, reply="已协调解决，企业确认。", resolved=rng.random() < 0.93)
            if status == "replied":
                row["next_due_at"] = replied + dt.timedelta(days=_wd_to_days(3))
                yield row
                continue
            r = rng.random()
            row.update(
                followed_up_at=followed,
                satisfaction="satisfied" if r < 0.85 else ("basic" if r < 0.97 else "unsatisfied"),
                reopen_count=1 if r >= 0.97 else 0,
            )
            if status == "followed_up":
                row["next_due_at"] = followed + dt.timedelta(days=_wd_to_days(2))
                yield row
                continue
            row["closed_at"] = closed
            row["close_working_days"] = cal.between(submitted, row["closed_at"])
            yield row

    # In chunks: a chunk of cases, then its side rows (one COPY at a time per connection),
    # keeping memory flat at any scale.
    for first in range(0, n_total, CASE_CHUNK):
        last = min(n_total, first + CASE_CHUNK)
        w.write(Case, rows(first, last), total=n_total, offset=first, label="cases.case")
        _flush(w, dept_rows, clock_rows, esc_rows)
    from zhuqi.cases import rollups

    rollups.refresh(everything=True)  # the yearly counts, as the sweep would after a bulk load


def _flush(w, dept_rows: list, clock_rows: list, esc_rows: list) -> None:
    from zhuqi.cases.models import CaseClock, CaseDepartment, Escalation

    for model, rows in ((CaseDepartment, dept_rows), (CaseClock, clock_rows), (Escalation, esc_rows)):
        if rows:
            w.write(model, rows, total=None)
            rows.clear()


def _sweep_history(
    cal: WorkDays, reply_due: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime | None, list]:
    """What daily sweeps up to yesterday did to a running reply clock due at `reply_due`:
    (flagged_at, [(level, reason, at), …]), using the sweep's thresholds in working days."""
    yesterday = now - dt.timedelta(days=1)
    if reply_due >= yesterday:
        return None, []
    flagged = reply_due + dt.timedelta(hours=1)
    steps: list[tuple[int, str, dt.datetime]] = [(EscalationLevel.DEPARTMENT, "overdue", flagged)]
    due_day = reply_due.astimezone(SHANGHAI).date()
    level3 = dt.datetime.combine(cal.add(due_day, LONG_OVERDUE + 1), dt.time(1), SHANGHAI)
    if level3 < yesterday:
        steps.append((EscalationLevel.COUNTY, "long_overdue", level3))
        level4 = dt.datetime.combine(cal.add(level3, STUCK + 1), dt.time(1), SHANGHAI)
        if level4 < yesterday:
            steps.append((EscalationLevel.LEADING_GROUP, "stuck", level4))
    return flagged, steps


def _status(rng: random.Random, age_days: int, wd: int) -> str:
    """State mix by age: recent cases are spread over the open states; old ones mostly closed,
    with a tail stuck open (the sweep's work)."""
    r = rng.random()
    if r < 0.03:
        return "refused"
    if r < 0.05:
        return "withdrawn"
    calendar = _wd_to_days(wd)
    if age_days < 1:
        return rng.choice(["submitted", "submitted", "accepted", "dispatched"])
    if age_days < 2:
        return rng.choice(["accepted", "dispatched", "signed", "in_progress"])
    if age_days < calendar + 1:
        return rng.choices(["signed", "in_progress", "waiting"], [2, 10, 1])[0]
    if age_days < calendar + 4:
        return rng.choices(["in_progress", "replied", "followed_up", "closed"], [2, 5, 2, 3])[0]
    if age_days < 90 and rng.random() < 0.04:
        return rng.choice(["in_progress", "waiting", "replied"])
    if rng.random() < 0.003:
        return "in_progress"  # stuck for a long time
    return "closed"


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for wt in weights:
        total += wt
        out.append(total)
    return out


register_part("cases", cases_available, gen_cases)


# ------------------------------------------------------------------------------------------
# Projects (重点项目): stages with dates, stage changes, investment plan vs actual by month
# ------------------------------------------------------------------------------------------
PROJECT_CHUNK = 10_000
PROJECT_FIELDS = {
    "id",
    "code",
    "name",
    "kind",
    "industry",
    "owner_id",
    "region_id",
    "region_path",
    "total_investment",
    "year_planned_investment",
    "planned_start",
    "planned_completion",
    "level",
    "tags",
    "leader_id",
    "department_id",
    "description",
    "target_date",
    "stage",
    "signed_on",
    "landed_on",
    "started_on",
    "in_stats_on",
    "completed_on",
    "producing_on",
    "at_capacity_on",
    "created_at",
}
STAGECHANGE_FIELDS = {"id", "project_id", "from_stage", "to_stage", "date", "confirmed_by_id", "created_at"}
MONTH_FIELDS = {"id", "project_id", "year", "month", "planned", "actual", "reported_at"}
STAGES = ["planned", "signed", "landed", "started", "in_stats", "completed", "producing", "at_capacity"]
STAGE_DATES = {
    "signed": "signed_on",
    "landed": "landed_on",
    "started": "started_on",
    "in_stats": "in_stats_on",
    "completed": "completed_on",
    "producing": "producing_on",
    "at_capacity": "at_capacity_on",
}
PROJECT_WORDS = [
    ("industrial", "年产{n}万吨{p}项目"),
    ("industrial", "{p}智能制造产业园项目"),
    ("industrial", "{p}生产线技改项目"),
    ("infrastructure", "{p}产业园区基础设施配套项目"),
    ("service", "{p}现代物流园项目"),
    ("energy", "{n}兆瓦分布式光伏项目"),
    ("urban", "{p}城市更新项目"),
    ("agriculture", "{p}高标准农田建设项目"),
    ("social", "{p}职业教育园区项目"),
]
PRODUCTS = [
    "新材料",
    "高端装备",
    "电子元器件",
    "生物基材料",
    "绿色食品",
    "新能源电池",
    "汽车零部件",
    "医药中间体",
]


def projects_available() -> str | None:
    for label, provided in (
        ("projects.Project", PROJECT_FIELDS),
        ("projects.StageChange", STAGECHANGE_FIELDS),
        ("projects.InvestmentMonth", MONTH_FIELDS),
    ):
        why = check_fields(label, provided)
        if why:
            return why
    return None


def gen_projects(ctx: Context) -> None:
    from zhuqi.projects.models import InvestmentMonth, Project, ProjectProgress, StageChange

    rng = _rng(ctx, "projects")
    world, w, today = ctx.world, ctx.writer, ctx.today
    n_total = ctx.scale.projects
    if n_total <= 0:
        return
    n_counties = len(world.counties)
    pid0 = w.next_id(Project)
    now = ctx.now
    changes: list[dict] = []
    months: list[dict] = []
    ids = {"change": w.next_id(StageChange), "month": w.next_id(InvestmentMonth)}

    def rows(first: int, last: int) -> Iterator[dict]:
        for k in range(first, last):
            pid = pid0 + k
            county = world.counties[k % n_counties]
            owner = rng.choice(county.enterprises) if county.enterprises and rng.random() < 0.7 else None
            kind, pattern = rng.choice(PROJECT_WORDS)
            product = rng.choice(PRODUCTS)
            name = pattern.format(n=rng.choice([1, 2, 5, 10, 20, 30, 50]), p=product)
            region = rng.choice(county.parks or county.towns or [county.id])
            # investment: lognormal around 1.5 亿 yuan, 0.3 亿 to 100+ 亿
            total = Decimal(round(max(3e7, math.exp(rng.gauss(math.log(1.5e8), 1.0))), -4))
            year0 = today.year - rng.choices(range(6), [4, 5, 5, 3, 2, 1])[0]
            signed = dt.date(year0, rng.randint(1, 12), rng.randint(1, 28))
            if signed > today:
                signed = today - dt.timedelta(days=rng.randint(1, 60))
            months_needed = rng.randint(12, 36)
            planned_start = signed + dt.timedelta(days=rng.randint(30, 180))
            planned_completion = planned_start + dt.timedelta(days=months_needed * 30)
            # how far it got: each stage takes a few months, some stall
            dates = {}
            cursor = signed
            stage = "planned"
            steps = [("signed", 0), ("landed", 45), ("started", 90), ("in_stats", 30)]
            steps += [("completed", months_needed * 30), ("producing", 60), ("at_capacity", 300)]
            for st, gap in steps:
                cursor = cursor + dt.timedelta(days=int(gap * rng.uniform(0.6, 1.6)))
                if cursor > today or rng.random() < 0.04:
                    break
                dates[STAGE_DATES[st]] = cursor
                stage = st
            leader = rng.choice(county.users.get("leader") or [None])
            dept = county.departments.get(rng.choice(["发改委", "经信局", "商务局"]))
            tags = []
            if total >= YI:
                tags.append("亿元以上")
            if total >= 10 * YI:
                tags.append("10亿元以上")
            if kind == "industrial" and rng.random() < 0.3:
                tags.append("技改")
            if rng.random() < 0.4:
                tags.append("招商引资")
            prev = "planned"
            for st in STAGES[1:]:
                if STAGE_DATES[st] not in dates:
                    break
                changes.append(
                    {
                        "id": ids["change"],
                        "project_id": pid,
                        "from_stage": prev,
                        "to_stage": st,
                        "date": dates[STAGE_DATES[st]],
                        "confirmed_by_id": leader,
                        "created_at": _aware(dates[STAGE_DATES[st]], 120),
                    }
                )
                ids["change"] += 1
                prev = st
            started = dates.get("started_on")
            if started:
                end = dates.get("completed_on") or min(planned_completion, today)
                span = max(1, (end.year - started.year) * 12 + end.month - started.month + 1)
                span = min(span, 36)
                per_month = total / span
                y, m = started.year, started.month
                for _ in range(span):
                    past = (y, m) < (today.year, today.month)
                    months.append(
                        {
                            "id": ids["month"],
                            "project_id": pid,
                            "year": y,
                            "month": m,
                            "planned": per_month.quantize(Decimal("1")),
                            "actual": (per_month * Decimal(str(round(rng.uniform(0.5, 1.3), 2)))).quantize(
                                Decimal("1")
                            )
                            if past
                            else None,
                            "reported_at": _aware(dt.date(y, m, 25), 120) if past else None,
                        }
                    )
                    ids["month"] += 1
                    m += 1
                    if m == 13:
                        y, m = y + 1, 1
            yield {
                "id": pid,
                "code": f"XM{world.province_code}{year0}{pid:07d}",
                "name": name,
                "kind": kind,
                "industry": product,
                "owner_id": owner,
                "region_id": region,
                "region_path": world.region_path[region],
                "total_investment": total,
                "year_planned_investment": (total * Decimal(str(round(rng.uniform(0.2, 0.6), 2)))).quantize(
                    Decimal("1")
                ),
                "planned_start": planned_start,
                "planned_completion": planned_completion,
                "level": rng.choices(["province", "province_dxz", "city", "county"], [5, 2, 25, 68])[0],
                "tags": tags,
                "leader_id": leader,
                "department_id": dept,
                "description": f"建设{product}生产线及配套设施。",
                "target_date": planned_completion,
                "stage": stage,
                "created_at": now,
                **dates,
            }

    # in chunks, like the cases: a chunk of projects, then its stage changes and months
    for first in range(0, n_total, PROJECT_CHUNK):
        last = min(n_total, first + PROJECT_CHUNK)
        w.write(Project, rows(first, last), total=n_total, offset=first, label="projects.project")
        for model, side in ((StageChange, changes), (InvestmentMonth, months)):
            w.write(model, side, total=None)
            side.clear()
        # the year-to-date rows the boards read, set-based from the months just written
        ProjectProgress.objects.rebuild(range(pid0 + first, pid0 + last))
    from zhuqi.projects import rollups

    rollups.refresh(everything=True)  # 重点项目汇总, as the periodic job would after a bulk load


register_part("projects", projects_available, gen_projects)

"""Synthetic data at county, city, province and stress scale (`zhuqi generate`).

The generator builds one province: its region tree (cities, counties, towns, parks, grids), the
departments of every county, officials in every role, and enterprises with valid GB 32100 credit
codes and skewed sizes. Further parts (assignments, cases, projects, indicators, attraction,
oversight) are generated for whatever models exist when it runs; a part whose models are missing
is skipped with a message.

* Deterministic: every part draws from its own `random.Random(f"{seed}:{part}")`, and dates are
  relative to `today` (pin it with `--today` to reproduce a data set on another day).
* Bulk: rows go in with COPY on PostgreSQL (psycopg 3 `cursor.copy`) and batched `bulk_create`
  on SQLite, with explicit ids, in one transaction (all or nothing).
* Audited once: the row-diff layer is off while generating; one audit "import" entry
  (event `scale_generated`) summarises what was written, and marks the data as generated. (The
  `oversight` part's assessments go through the services, which audit their own events.)
* Careful: it refuses a database that holds data it did not generate, unless `force`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from stdnum.cn import uscc

from zhuqi.core import audit, versions
from zhuqi.core.roles import Role
from zhuqi.core.units import WAN

EVENT = "scale_generated"
PARTS = ["core", "enterprises", "assignments", "cases", "projects", "indicators", "attraction", "oversight"]


# --------------------------------------------------------------------------------------------
# Scales
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    name: str
    cities: int
    counties_per_city: int
    towns_per_county: int
    parks_per_county: int
    grids_per_park: int
    enterprises: int
    officials: int
    cases: int
    projects: int
    years: int = 10
    #: years of the 规上 enterprises' monthly indicator values (the `indicators` part)
    indicator_years: int = 10
    #: supervision items (督办事项) over the counties (the `oversight` part)
    oversight_items: int = 0
    #: 招商 leads, their contracts and fund months (the `attraction` part)
    leads: int = 0
    lead_contracts: int = 0
    fund_months: int = 0

    @property
    def counties(self) -> int:
        return self.cities * self.counties_per_city


SCALES = {
    # `tiny` is for the test suite: a county in a second.
    "tiny": Scale(
        "tiny",
        1,
        1,
        3,
        1,
        2,
        enterprises=150,
        officials=120,
        cases=400,
        projects=30,
        indicator_years=3,
        oversight_items=300,
        leads=200,
        lead_contracts=40,
        fund_months=400,
    ),
    "county": Scale(
        "county",
        1,
        1,
        12,
        2,
        4,
        enterprises=2_000,
        officials=800,
        cases=5_000,
        projects=500,
        oversight_items=1_200,
        leads=1_000,
        lead_contracts=200,
        fund_months=5_000,
    ),
    "city": Scale(
        "city",
        1,
        10,
        12,
        2,
        4,
        enterprises=20_000,
        officials=8_000,
        cases=100_000,
        projects=5_000,
        oversight_items=12_000,
        leads=10_000,
        lead_contracts=2_000,
        fund_months=50_000,
    ),
    "province": Scale(
        "province",
        17,
        10,
        12,
        2,
        4,
        enterprises=200_000,
        officials=80_000,
        cases=1_000_000,
        projects=50_000,
        oversight_items=200_000,
        leads=100_000,
        lead_contracts=20_000,
        fund_months=500_000,
    ),
    "stress": Scale(
        "stress",
        17,
        10,
        12,
        2,
        4,
        enterprises=200_000,
        officials=80_000,
        cases=10_000_000,
        projects=50_000,
        oversight_items=200_000,
        leads=100_000,
        lead_contracts=20_000,
        fund_months=500_000,
    ),
}

PROVINCES = [
    ("41", "河南省"),
    ("34", "安徽省"),
    ("37", "山东省"),
    ("32", "江苏省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("36", "江西省"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("61", "陕西省"),
]


def user_prefix(province_code: str) -> str:
    """Usernames of generated officials start with this (the marker of generated users)."""
    return f"g{province_code}u"


# --------------------------------------------------------------------------------------------
# Names, codes, numbers
# --------------------------------------------------------------------------------------------
PLACE_CHARS = "安宁平阳清河丰泰兴华昌源山川东西南北新永嘉和庆林远宜广建德临长宝通汝沁淇濮许郏睢柘叶舞宛洛汴商息遂杞襄夏渑鄢固灵武济泌内桐方确正潢淮"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文辉鹏飞宇浩晨阳俊峰丹凯林斌宁雪梅琳晓东海波亮健新春燕梓涵雨欣子轩一诺思远佳怡博文昊天"
BRAND_CHARS = "恒顺鑫源宏达盛泰瑞丰隆昌华海天宇金诚信德利通远博创嘉禾汇中祥和康力众联新锦铭凯正鼎晟永佳豪"
ROADS = [
    "纬一路",
    "纬二路",
    "经三路",
    "工业大道",
    "创业路",
    "科技大道",
    "迎宾大道",
    "光明路",
    "人民路",
    "建设路",
]
TOWN_SUFFIX = ["镇", "镇", "镇", "乡", "街道"]
PARK_KINDS = ["经济技术开发区", "高新技术产业开发区", "现代产业园", "食品产业园", "化工园区"]
PARK_SHORT = ["经开区管委会", "高新区管委会", "产业园管委会", "食品园管委会", "化工园管委会"]

# division code → the word a company of that trade puts in its name
TRADE_WORDS = {
    "13": "农副食品",
    "14": "食品",
    "15": "酒业",
    "17": "纺织",
    "18": "服饰",
    "19": "皮革制品",
    "20": "木业",
    "21": "家具",
    "22": "纸业",
    "26": "化工",
    "27": "药业",
    "29": "塑胶",
    "30": "建材",
    "31": "钢铁",
    "32": "铝业",
    "33": "金属制品",
    "34": "机械",
    "35": "装备",
    "36": "汽车零部件",
    "38": "电气",
    "39": "电子科技",
    "40": "仪器仪表",
    "47": "建设工程",
    "48": "路桥工程",
    "51": "商贸",
    "52": "商贸",
    "59": "仓储物流",
    "64": "网络科技",
    "65": "信息技术",
}
MANUFACTURING = [str(c) for c in range(13, 44) if c not in (16,)]

_GB11714_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the USCC alphabet (no I, O, S, V, Z)
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def gb11714_check(body: str) -> str:
    """The check character of an 8-character organisation code (GB 11714-1997)."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _GB11714_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(kind: str, division: str, org_body: str) -> str:
    """An 18-character unified social credit code: registration authority + type (2), the
    administrative division (6), the organisation code (8 + its own check) and the GB 32100
    check character."""
    first17 = kind + division + org_body + gb11714_check(org_body)
    return first17 + uscc.calc_check_digit(first17)


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def initials(name: str) -> str:
    """Pinyin initials exactly as the registry computes them (`pinyin_initials` over the whole
    name: per-part caching gets polyphonic characters wrong across part boundaries, e.g. 长)."""
    from zhuqi.enterprises.models import pinyin_initials

    return pinyin_initials(name)


def search_grams(name: str, initials: str) -> str:
    from zhuqi.enterprises.models import search_grams

    return search_grams(name, initials)


# --------------------------------------------------------------------------------------------
# Progress and bulk writing
# --------------------------------------------------------------------------------------------
class Progress:
    """One status line per table: count/total, percentage, rows per second."""

    def __init__(self, stream=None, verbosity: int = 1):
        self.stream = stream if stream is not None else sys.stderr
        self.verbosity = verbosity
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def start(self, label: str, total: int | None, offset: int = 0) -> Callable[..., None]:
        started = time.perf_counter()
        last = [0.0]

        def update(done: int, final: bool = False) -> None:
            if self.verbosity < 1:
                return
            now = time.perf_counter()
            if not final and now - last[0] < (0.5 if self.tty else 5.0):
                return
            last[0] = now
            rate = done / max(now - started, 1e-9)
            done += offset
            pct = f" {done * 100 // total:3d}%" if total else ""
            of = f"/{total:,}" if total else ""
            line = f"  {label:<28} {done:>12,}{of}{pct}  {rate:>10,.0f} 行/秒"
            if self.tty:
                self.stream.write("\r" + line + ("\n" if final else ""))
            elif final or self.verbosity > 1:
                self.stream.write(line + "\n")
            self.stream.flush()

        return update


@dataclass
class Writer:
    """Writes rows (dicts keyed by attname) into a model's table: COPY on PostgreSQL, batched
    bulk_create elsewhere. Fields a row leaves out get the field's default."""

    progress: Progress
    batch: int = 2000
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    touched: list[type[models.Model]] = field(default_factory=list)

    def next_id(self, model: type[models.Model]) -> int:
        return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1

    def write(
        self,
        model: type[models.Model],
        rows: Iterable[dict],
        *,
        total: int | None = None,
        label: str = "",
        offset: int = 0,
        raw: bool = False,
    ) -> int:
        """`raw`: on SQLite, INSERT the prepared values with executemany instead of building
        model instances for bulk_create (for tables of millions of plain rows: no save()
        logic, no signals either way)."""
        label = label or model._meta.label_lower
        now = timezone.now()
        fields = list(model._meta.concrete_fields)
        defaults: list[Any] = []
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults.append(now)
            elif f.has_default():
                defaults.append(f.get_default())
            else:
                defaults.append(f.get_default())  # "" for NOT NULL text, else None
        attnames = [f.attname for f in fields]
        json_idx = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        update = self.progress.start(label, total, offset)
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            done = self._copy(model, fields, attnames, defaults, json_idx, rows, update)
        elif raw:
            done = self._executemany(model, fields, attnames, defaults, rows, update)
        else:
            done = self._bulk_create(model, attnames, defaults, rows, update)
        update(done, final=True)
        self.counts[label] = self.counts.get(label, 0) + done
        self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
        if model not in self.touched:
            self.touched.append(model)
        return done

    def _copy(self, model, fields, attnames, defaults, json_idx, rows, update) -> int:
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        done = 0
        connection.ensure_connection()
        with connection.connection.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                values = [row.get(a, d) for a, d in zip(attnames, defaults, strict=True)]
                for i in json_idx:
                    if values[i] is not None:
                        values[i] = json.dumps(values[i], ensure_ascii=False, default=str)
                copy.write_row(values)
                done += 1
                if done % 5000 == 0:
                    update(done)
        return done

    def _executemany(self, model, fields, attnames, defaults, rows, update) -> int:
        from django.db import connections

        conn = connections[connection.alias]  # the real connection, not the proxy (hot loop)
        qn = conn.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
        )

        def converter(f):
            if isinstance(f, models.DateTimeField):
                cache: dict = {}

                def dt_value(v):
                    if v not in cache:
                        cache[v] = f.get_db_prep_save(v, conn)
                    return cache[v]

                return dt_value
            if isinstance(f, models.DecimalField):
                return lambda v: v if type(v) is str else f.get_db_prep_save(v, conn)
            plain = (int, str, bool, type(None))
            return lambda v: v if type(v) in plain else f.get_db_prep_save(v, conn)

        # the defaults are prepared once; only the columns a row names are converted
        preps = [
            (a, f.get_db_prep_save(d, conn), converter(f))
            for a, f, d in zip(attnames, fields, defaults, strict=True)
        ]
        done = 0
        buffer: list[list] = []
        with conn.cursor() as cur:
            for row in rows:
                buffer.append([conv(row[a]) if a in row else p for a, p, conv in preps])
                if len(buffer) >= self.batch * 5:
                    cur.executemany(sql, buffer)
                    done += len(buffer)
                    buffer = []
                    update(done)
            if buffer:
                cur.executemany(sql, buffer)
                done += len(buffer)
        return done

    def _bulk_create(self, model, attnames, defaults, rows, update) -> int:
        done = 0
        buffer: list[models.Model] = []
        for row in rows:
            buffer.append(model(**{a: row.get(a, d) for a, d in zip(attnames, defaults, strict=True)}))
            if len(buffer) >= self.batch:
                model._base_manager.bulk_create(buffer, batch_size=self.batch)
                done += len(buffer)
                buffer = []
                update(done)
        if buffer:
            model._base_manager.bulk_create(buffer, batch_size=self.batch)
            done += len(buffer)
        return done

    def reset_sequences(self) -> None:
        """After writing explicit ids, move the id sequences past them (PostgreSQL)."""
        if not self.touched:
            return
        statements = connection.ops.sequence_reset_sql(no_style(), self.touched)
        if statements:
            with connection.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)


# --------------------------------------------------------------------------------------------
# The generated world, as plain data shared between parts
# --------------------------------------------------------------------------------------------
@dataclass
class County:
    id: int
    code: str
    name: str
    path: str
    weight: float
    towns: list[int] = field(default_factory=list)
    town_grids: dict[int, int] = field(default_factory=dict)  # town id → its industrial grid
    parks: list[int] = field(default_factory=list)
    park_grids: dict[int, list[int]] = field(default_factory=dict)
    region_names: dict[int, str] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)  # short name → id
    department_ids: list[int] = field(default_factory=list)
    users: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # role → ids
    enterprises: list[int] = field(default_factory=list)


@dataclass
class World:
    province_id: int
    province_code: str
    counties: list[County]
    user_prefix: str
    enterprise_region: dict[int, int] = field(default_factory=dict)  # enterprise id → region id
    enterprise_county: dict[int, int] = field(default_factory=dict)  # enterprise id → county index
    region_path: dict[int, str] = field(default_factory=dict)  # region id → materialised path


# --------------------------------------------------------------------------------------------
# Safety: refuse databases holding data the generator did not write
# --------------------------------------------------------------------------------------------
def generated_provinces() -> list[str]:
    """Province codes written by earlier runs, from their audit entries."""
    from zhuqi.core.models import AuditEntry

    codes = []
    for changes in AuditEntry.objects.filter(action="import", event=EVENT).values_list("changes", flat=True):
        code = (changes or {}).get("province_code")
        if code and code not in codes:
            codes.append(code)
    return codes


def foreign_data_reason() -> str | None:
    """Why the database holds data this generator did not write, or None."""
    from zhuqi.core.models import Region, User

    provinces = generated_provinces()
    region_q = models.Q()
    user_q = models.Q()
    for code in provinces:
        region_q |= models.Q(path__startswith=f"{code}/")
        user_q |= models.Q(username__startswith=user_prefix(code))
    regions = Region.objects.exclude(region_q) if provinces else Region.objects.all()
    users = User.objects.exclude(user_q) if provinces else User.objects.all()
    if regions.exists():
        return "数据库中已有非生成的区划数据（例如演示数据或真实数据）"
    if users.exists():
        return "数据库中已有非生成的用户"
    if apps.is_installed("zhuqi.enterprises"):
        ents = apps.get_model("enterprises", "Enterprise").objects.all()
        for code in provinces:
            ents = ents.exclude(region__path__startswith=f"{code}/")
        if ents.exists():
            return "数据库中已有非生成的企业"
    return None


class GenerateError(Exception):
    """The generator refuses to run (message in Chinese)."""


# --------------------------------------------------------------------------------------------
# Parts
# --------------------------------------------------------------------------------------------
def _rng(seed: int, part: str) -> random.Random:
    return random.Random(f"{seed}:{part}")


def _unique_names(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        name = rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS)
        if name[0] != name[1] and name not in taken:
            taken.add(name)
            out.append(name)
    return out


def gen_core(
    w: Writer, scale: Scale, seed: int, province_code: str, province_name: str, today: dt.date
) -> World:
    """Regions, departments and officials."""
    from zhuqi.core.models import Department, Region, User

    rng = _rng(seed, "core")
    region_rows: list[dict] = []
    rid = w.next_id(Region)

    def region(code: str, name: str, kind: str, parent: dict | None) -> dict:
        nonlocal rid
        path = (parent["path"] if parent else "") + f"{code}/"
        row = {
            "id": rid,
            "code": code,
            "name": name,
            "kind": kind,
            "parent_id": parent["id"] if parent else None,
            "path": path,
            "depth": path.count("/") - 1,
        }
        rid += 1
        region_rows.append(row)
        return row

    province = region(province_code, province_name, "province", None)
    taken: set[str] = set()
    city_names = _unique_names(rng, scale.cities, taken)
    counties: list[County] = []
    for ci in range(scale.cities):
        city = region(f"{province_code}{ci + 1:02d}", city_names[ci] + "市", "city", province)
        county_names = _unique_names(rng, scale.counties_per_city, taken)
        for ki in range(scale.counties_per_city):
            code = f"{city['code']}{ki + 21:02d}"
            cname = county_names[ki] + ("区" if ki < 2 and scale.counties_per_city > 2 else "县")
            crow = region(code, cname, "county", city)
            rank = len(counties) + 1
            county = County(crow["id"], code, cname, crow["path"], weight=1 / rank**0.6)
            town_names = _unique_names(rng, scale.towns_per_county, set())
            for ti in range(scale.towns_per_county):
                suffix = TOWN_SUFFIX[ti % len(TOWN_SUFFIX)] if ti else "镇"
                town = region(
                    f"{code}{100 + ti:03d}", (town_names[ti] if ti else "城关") + suffix, "town", crow
                )
                grid = region(f"{town['code']}G1", f"{town['name']}工业网格", "grid", town)
                county.towns.append(town["id"])
                county.town_grids[town["id"]] = grid["id"]
                county.region_names[town["id"]] = town["name"]
                county.region_names[grid["id"]] = town["name"]
            for pi in range(scale.parks_per_county):
                park = region(
                    f"{code}P{pi + 1:02d}", cname[:-1] + PARK_KINDS[pi % len(PARK_KINDS)], "park", crow
                )
                county.parks.append(park["id"])
                county.region_names[park["id"]] = park["name"]
                grids = []
                for gi in range(scale.grids_per_park):
                    grid = region(f"{park['code']}G{gi + 1}", f"{park['name']}第{gi + 1}网格", "grid", park)
                    grids.append(grid["id"])
                    county.region_names[grid["id"]] = park["name"]
                county.park_grids[park["id"]] = grids
            counties.append(county)
    w.write(Region, region_rows, total=len(region_rows))

    # departments -------------------------------------------------------------------------
    dept_rows: list[dict] = []
    did = w.next_id(Department)

    def department(region_id: int, name: str, short: str, kind: str) -> int:
        nonlocal did
        dept_rows.append(
            {
                "id": did,
                "name": name,
                "short_name": short,
                "kind": kind,
                "region_id": region_id,
                "phone": f"0{rng.randrange(300, 999)}-{rng.randrange(2000000, 8999999)}",
            }
        )
        did += 1
        return did - 1

    gov = [
        ("经济和信息化局", "经信局"),
        ("发展和改革委员会", "发改委"),
        ("自然资源和规划局", "自然资源局"),
        ("生态环境分局", "生态环境分局"),
        ("人力资源和社会保障局", "人社局"),
        ("税务局", "税务局"),
        ("住房和城乡建设局", "住建局"),
        ("商务局", "商务局"),
        ("市场监督管理局", "市场监管局"),
        ("应急管理局", "应急局"),
        ("财政局", "财政局"),
        ("科学技术局", "科技局"),
        ("数据资源管理局", "数据资源局"),
        ("交通运输局", "交通局"),
    ]
    external = [
        ("供电公司", "供电公司"),
        ("自来水有限公司", "自来水公司"),
        ("燃气有限公司", "燃气公司"),
        ("农村商业银行", "农商行"),
        ("中国建设银行支行", "建行"),
    ]
    province_dispatch = department(
        province["id"], f"{province_name}万人助万企活动专班", "省专班", "dispatch_office"
    )
    city_rows = [r for r in region_rows if r["kind"] == "city"]
    city_dispatch = {
        c["id"]: department(c["id"], f"{c['name']}万人助万企活动专班", "市专班", "dispatch_office")
        for c in city_rows
    }
    for county in counties:
        cn = county.name
        d = county.departments
        d["领导小组"] = department(county.id, f"{cn}助企服务工作领导小组", "领导小组", "leading_group")
        d["专班办公室"] = department(county.id, f"{cn}助企服务工作专班", "专班办公室", "dispatch_office")
        for name, short in gov:
            d[short] = department(county.id, cn + name, short, "government")
        for name, short in external:
            d[short] = department(county.id, cn + name, short, "external")
        for town in county.towns:
            tname = county.region_names[town]
            d[tname] = department(town, f"{cn}{tname}人民政府", tname, "town")
        for pi, park in enumerate(county.parks):
            pname = county.region_names[park]
            d[pname] = department(park, f"{pname}管理委员会", PARK_SHORT[pi % len(PARK_SHORT)], "park")
        county.department_ids = list(d.values())
    w.write(Department, dept_rows, total=len(dept_rows))
    dept_region = {row["id"]: row["region_id"] for row in dept_rows}

    # officials -----------------------------------------------------------------------------
    prefix = user_prefix(province_code)
    uid = w.next_id(User)
    user_rows: list[dict] = []
    joined = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=365 * 3), dt.time(9)))
    seq = [0]

    def user(
        role: str, region_id: int, dept_id: int | None, title: str, county: County | None = None
    ) -> None:
        nonlocal uid
        seq[0] += 1
        user_rows.append(
            {
                "id": uid,
                "password": "!generated",  # unusable: generated officials cannot sign in
                "username": f"{prefix}{seq[0]:06d}",
                "full_name": person_name(rng),
                "role": role,
                "region_id": region_id,
                "department_id": dept_id,
                "title": title,
                "mobile": mobile(rng),
                "is_superuser": role == Role.ADMIN,
                "is_staff": role == Role.ADMIN,
                "is_active": True,
                "date_joined": joined,
            }
        )
        if county is not None:
            county.users[role].append(uid)
        uid += 1

    user("admin", province["id"], None, "系统管理员")
    user("dispatch", province["id"], province_dispatch, "省专班工作人员")
    user("observer", province["id"], None, "省统计局")
    for c in city_rows:
        user("dispatch", c["id"], city_dispatch[c["id"]], "市专班工作人员")
        user("leader", c["id"], None, "副市长")
        user("supervisor", c["id"], city_dispatch[c["id"]], "市督查组")
    per_county = max(1, (scale.officials - len(user_rows)) // len(counties))
    for county in counties:
        d = county.departments
        plan: list[tuple[str, int, int | None, str]] = [
            ("dispatch", county.id, d["专班办公室"], "专班办公室主任"),
            ("commissioner", county.parks[0] if county.parks else county.id, None, "首席服务专员"),
            ("handler", county.id, d["经信局"], "企业服务股股长"),
            ("dept_head", county.id, d["经信局"], "局长"),
            ("leader", county.id, None, "副县长"),
        ]
        plan += [("dispatch", county.id, d["专班办公室"], "专班工作人员")] * 2
        plan += [("supervisor", county.id, d["专班办公室"], "督查组")] * 2
        plan += [("observer", county.id, None, "县统计局")]
        leader_titles = ["县委常委", "副县长", "县人大副主任", "县政协副主席"]
        plan += [("leader", county.id, None, rng.choice(leader_titles)) for _ in range(7)]
        for short, dept_id in d.items():
            if short in ("领导小组", "专班办公室", "经信局"):
                continue
            plan.append(("dept_head", dept_region[dept_id], dept_id, "负责人"))
            plan.append(("handler", dept_region[dept_id], dept_id, "经办人"))
        for grids in county.park_grids.values():
            plan += [("grid", g, None, "网格员") for g in grids]
        plan += [("grid", g, None, "网格员") for g in county.town_grids.values()]
        plan = plan[:per_county]
        rest = per_county - len(plan)
        parks = county.parks or [county.id]
        for i in range(rest):
            if i % 4 == 3:
                dept_id = county.department_ids[rng.randrange(2, len(county.department_ids))]
                plan.append(("handler", dept_region[dept_id], dept_id, "经办人"))
            else:
                plan.append(("commissioner", rng.choice(parks + [county.id]), None, "首席服务专员"))
        for role, region_id, dept_id, title in plan:
            user(role, region_id, dept_id, title, county)
    w.write(User, user_rows, total=len(user_rows))
    world = World(province["id"], province_code, counties, prefix)
    world.region_path = {r["id"]: r["path"] for r in region_rows}
    return world


def gen_enterprises(w: Writer, world: World, scale: Scale, seed: int, today: dt.date) -> None:
    """Enterprises with valid credit codes, skewed sizes, industries and tags."""
    from zhuqi.enterprises.models import Enterprise, Industry, Tag

    rng = _rng(seed, "enterprises")
    industries = dict(Industry.objects.filter(level="division").values_list("code", "id"))
    tags = dict(Tag.objects.values_list("name", "id"))
    tag_rates = [
        ("高新技术企业", 0.06),
        ("科技型中小企业", 0.10),
        ("专精特新", 0.03),
        ("国家级专精特新小巨人", 0.003),
        ("战略性新兴", 0.04),
        ("外贸", 0.05),
        ("拟上市", 0.004),
        ("上市企业", 0.001),
        ("链主企业", 0.001),
    ]
    tag_rates = [(tags[name], rate) for name, rate in tag_rates if name in tags]
    total_weight = sum(c.weight for c in world.counties)
    # enterprises per county, proportional to the county weights, summing to the total
    shares = [int(scale.enterprises * c.weight / total_weight) for c in world.counties]
    for i in range(scale.enterprises - sum(shares)):
        shares[i % len(shares)] += 1
    eid_start = w.next_id(Enterprise)
    now = timezone.now()
    tag_links: list[tuple[int, int]] = []

    def rows() -> Iterator[dict]:
        eid = eid_start
        for ci, (county, n) in enumerate(zip(world.counties, shares, strict=True)):
            used_names: set[tuple[str, str, str]] = set()
            used_codes: set[str] = set()
            for _ in range(n):
                # where: parks hold most industry; grids inside parks and towns
                if county.parks and rng.random() < 0.55:
                    park = rng.choice(county.parks)
                    grids = county.park_grids[park]
                    region_id = rng.choice(grids) if grids and rng.random() < 0.9 else park
                else:
                    town = rng.choice(county.towns)
                    region_id = county.town_grids[town] if rng.random() < 0.5 else town
                # what: mostly manufacturing
                r = rng.random()
                if r < 0.70:
                    div = rng.choice(MANUFACTURING)
                elif r < 0.80:
                    div = rng.choice(["47", "48", "49", "50"])
                elif r < 0.90:
                    div = rng.choice(["51", "52"])
                elif r < 0.95:
                    div = rng.choice(["63", "64", "65"])
                else:
                    div = rng.choice(["01", "44", "54", "59", "72", "73", "75"])
                manufacturing = div in MANUFACTURING
                # size: Pareto-distributed employees (median ≈ 15, a few thousand-strong)
                employees = min(int(8 * rng.paretovariate(1.1)), 30000)
                if employees >= 300:
                    p_above = 0.95
                elif employees >= 100:
                    p_above = 0.7
                elif employees >= 50:
                    p_above = 0.35
                elif employees >= 20:
                    p_above = 0.08
                else:
                    p_above = 0.005
                above = rng.random() < (
                    p_above if div in MANUFACTURING or div in ("47", "48") else p_above / 3
                )
                founded_year = today.year - int(40 * rng.betavariate(1.4, 2.6))
                founded = dt.date(founded_year, rng.randint(1, 12), rng.randint(1, 28))
                if founded > today:
                    founded = today - dt.timedelta(days=rng.randint(30, 400))
                capital = Decimal(max(10, round(employees * math.exp(rng.gauss(3.2, 1.0))))) * WAN
                since = (
                    rng.randint(min(max(founded.year + 1, 2005), today.year), today.year) if above else None
                )
                if above and employees >= 1000:
                    tier = "lead"
                elif above and employees >= 300:
                    tier = "strong"
                elif not above and rng.random() < 0.03:
                    tier = "young"
                else:
                    tier = ""
                # name and code
                place = county.name[:-1] if rng.random() < 0.6 else county.region_names[region_id][:2]
                trade = TRADE_WORDS.get(div, "实业")
                for _attempt in range(5):
                    brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
                    if brand[0] != brand[1] and (place, brand, trade) not in used_names:
                        break
                used_names.add((place, brand, trade))
                suffix = "股份有限公司" if above and rng.random() < 0.2 else "有限公司"
                name = place + brand + trade + suffix
                kind = "91" if rng.random() < 0.95 else rng.choice(["92", "93"])
                while True:
                    if founded_year >= 2016:  # codes issued since 2016 look like MA4XXXXXX
                        body = "MA" + "".join(rng.choice(_GB11714_ALPHABET) for _ in range(6))
                    else:  # older enterprises kept their 8-digit organisation code
                        body = "".join(rng.choice("0123456789") for _ in range(8))
                    code = credit_code(kind, county.code[:6], body)
                    if code not in used_codes:
                        used_codes.add(code)
                        break
                world.enterprise_region[eid] = region_id
                world.enterprise_county[eid] = ci
                county.enterprises.append(eid)
                for tag_id, rate in tag_rates:
                    if rng.random() < rate * (3 if above else 1):
                        tag_links.append((eid, tag_id))
                yield {
                    "id": eid,
                    "name": name,
                    "name_initials": (ini := initials(name)),
                    "name_grams": search_grams(name, ini),
                    "credit_code": code,
                    "region_id": region_id,
                    "region_path": world.region_path[region_id],
                    "address": f"{county.region_names[region_id]}{rng.choice(ROADS)}{rng.randint(1, 288)}号",
                    "legal_representative": person_name(rng),
                    "industry_id": industries.get(div),
                    "registered_capital": capital,
                    "founded_on": founded,
                    "above_scale": above,
                    "above_scale_since": since,
                    "land_area_mu": (
                        Decimal(max(1, round(employees * rng.uniform(0.05, 0.4), 1))).quantize(
                            Decimal("0.01")
                        )
                        if manufacturing and region_id not in county.towns
                        else None
                    ),
                    "employees": employees,
                    "contact_name": person_name(rng),
                    "contact_phone": mobile(rng),
                    "tier": tier,
                    "created_at": now,
                    "updated_at": now,
                }
                eid += 1

    w.write(Enterprise, rows(), total=scale.enterprises)
    through = Enterprise.tags.through
    tid = w.next_id(through)
    w.write(
        through,
        ({"id": tid + i, "enterprise_id": e, "tag_id": t} for i, (e, t) in enumerate(tag_links)),
        total=len(tag_links),
        label="enterprises.enterprise_tags",
    )


def load_world(province_code: str, *, with_enterprises: bool) -> World:
    """Rebuild the World of an earlier run from the database (for `--only` a later part)."""
    from zhuqi.core.models import Department, Region, User

    province = Region.objects.get(code=province_code)
    counties: dict[int, County] = {}
    by_path: dict[str, County] = {}
    for i, r in enumerate(
        Region.objects.filter(path__startswith=province.path, kind="county").order_by("path")
    ):
        c = County(r.id, r.code, r.name, r.path, weight=1 / (i + 1) ** 0.6)
        counties[r.id] = c
        by_path[r.path] = c

    def county_of(path: str) -> County | None:
        parts = path.split("/")
        return by_path.get("/".join(parts[:3]) + "/")

    regions = list(
        Region.objects.filter(path__startswith=province.path, kind__in=["town", "park", "grid"])
        .order_by("path")
        .values("id", "kind", "name", "parent_id", "path")
    )
    kinds = {r["id"]: r for r in regions}
    for r in regions:
        c = county_of(r["path"])
        if c is None:
            continue
        if r["kind"] == "town":
            c.towns.append(r["id"])
            c.region_names[r["id"]] = r["name"]
        elif r["kind"] == "park":
            c.parks.append(r["id"])
            c.park_grids.setdefault(r["id"], [])
            c.region_names[r["id"]] = r["name"]
    for r in regions:
        c = county_of(r["path"])
        if c is None or r["kind"] != "grid":
            continue
        parent = kinds.get(r["parent_id"])
        if parent and parent["kind"] == "park":
            c.park_grids.setdefault(parent["id"], []).append(r["id"])
        elif parent:
            c.town_grids[parent["id"]] = r["id"]
        c.region_names[r["id"]] = parent["name"] if parent else r["name"]
    for d in Department.objects.filter(region__path__startswith=province.path).values(
        "id", "short_name", "region__path"
    ):
        c = county_of(d["region__path"])
        if c is not None:
            c.departments[d["short_name"]] = d["id"]
            c.department_ids.append(d["id"])
    for u in User.objects.filter(username__startswith=user_prefix(province_code)).values(
        "id", "role", "region__path"
    ):
        c = county_of(u["region__path"] or "")
        if c is not None:
            c.users[u["role"]].append(u["id"])
    world = World(province.id, province_code, list(counties.values()), user_prefix(province_code))
    world.region_path = dict(Region.objects.filter(path__startswith=province.path).values_list("id", "path"))
    index = {c.id: i for i, c in enumerate(world.counties)}
    if with_enterprises:
        from zhuqi.enterprises.models import Enterprise

        for eid, region_id, path in (
            Enterprise.objects.filter(region__path__startswith=province.path)
            .order_by("id")
            .values_list("id", "region_id", "region__path")
        ):
            c = county_of(path)
            if c is None:
                continue
            world.enterprise_region[eid] = region_id
            world.enterprise_county[eid] = index[c.id]
            c.enterprises.append(eid)
    return world


# Parts after enterprises register here: name → (available() -> reason-or-None, run(ctx)).
@dataclass
class Context:
    writer: Writer
    world: World
    scale: Scale
    seed: int
    today: dt.date
    cases_total: int
    now: dt.datetime


EXTRA_PARTS: dict[str, tuple[Callable[[], str | None], Callable[[Context], None]]] = {}


def register_part(name: str, available: Callable[[], str | None], run: Callable[[Context], None]) -> None:
    EXTRA_PARTS[name] = (available, run)


# --------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------
@dataclass
class Result:
    province_code: str
    scale: str
    seed: int
    parts: list[str]
    skipped: dict[str, str]
    counts: dict[str, int]
    seconds: dict[str, float]
    total_seconds: float

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def generate(
    scale: str | Scale = "county",
    *,
    seed: int = 1,
    only: Iterable[str] | None = None,
    force: bool = False,
    today: dt.date | None = None,
    cases: int | None = None,
    stream=None,
    verbosity: int = 1,
) -> Result:
    """Generate a data set; see the module docstring. Raises GenerateError when refusing."""
    from . import attraction as _attraction  # noqa: F401 - registers the attraction part
    from . import indicators as _indicators  # noqa: F401 - registers the indicators part
    from . import oversight as _oversight  # noqa: F401 - registers the oversight part
    from . import parts as _extra  # noqa: F401 - registers the optional parts

    scale_obj = SCALES[scale] if isinstance(scale, str) else scale
    parts = list(only) if only else list(PARTS)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise GenerateError(f"未知的数据部分：{'、'.join(unknown)}（可选：{'、'.join(PARTS)}）")
    # "now" for the data: the real now, or 18:00 Beijing time of a pinned `today` (reproducible)
    now = (
        timezone.now()
        if today is None
        else dt.datetime(today.year, today.month, today.day, 10, tzinfo=dt.UTC)
    )
    today = today or timezone.localdate()
    progress = Progress(stream, verbosity)
    writer = Writer(progress)
    skipped: dict[str, str] = {}
    started = time.perf_counter()

    reason = foreign_data_reason()
    if reason and not force:
        raise GenerateError(f"{reason}，拒绝生成（确需在此库生成请加 --force）。")
    existing = generated_provinces()
    if "core" in parts:
        if existing and not force:
            raise GenerateError(
                f"此库已生成过数据（省代码 {'、'.join(existing)}）；请换一个空库，或加 --force 另生成一个省。"
            )
        from zhuqi.core.models import Region

        taken = set(Region.objects.filter(kind="province").values_list("code", flat=True)) | set(existing)
        free = [(c, n) for c, n in PROVINCES if c not in taken]
        if not free:
            raise GenerateError("没有可用的省代码了")
        province_code, province_name = free[0]
    else:
        if not existing:
            raise GenerateError(
                "库中没有已生成的区划和人员；请先生成 core（不带 --only，或 --only core,…）。"
            )
        province_code, province_name = existing[-1], ""

    def stream_write(text: str) -> None:
        if verbosity >= 1:
            (stream or sys.stderr).write(text + "\n")

    with audit.row_diffs_disabled(), transaction.atomic():
        if "core" in parts:
            stream_write(f"生成 {scale_obj.name} 规模数据（省代码 {province_code}，种子 {seed}）")
            world = gen_core(writer, scale_obj, seed, province_code, province_name, today)
        else:
            world = load_world(province_code, with_enterprises="enterprises" not in parts)
        if "enterprises" in parts:
            if not apps.is_installed("zhuqi.enterprises"):
                skipped["enterprises"] = "企业应用未安装"
            else:
                from zhuqi.enterprises.models import Enterprise

                if Enterprise.objects.filter(region__path__startswith=f"{province_code}/").exists():
                    raise GenerateError("此省已生成过企业数据。")
                gen_enterprises(writer, world, scale_obj, seed, today)
        ctx = Context(
            writer, world, scale_obj, seed, today, cases if cases is not None else scale_obj.cases, now
        )
        for name in parts:
            if name in ("core", "enterprises"):
                continue
            if name not in EXTRA_PARTS:
                skipped[name] = "该部分的生成尚未实现（模型尚未提交）"
                continue
            available, run = EXTRA_PARTS[name]
            why = available()
            if why:
                skipped[name] = why
                continue
            run(ctx)
        writer.reset_sequences()
        for name, why in skipped.items():
            stream_write(f"  跳过 {name}：{why}")
        total = time.perf_counter() - started
        result = Result(
            province_code,
            scale_obj.name,
            seed,
            parts,
            skipped,
            dict(writer.counts),
            dict(writer.seconds),
            total,
        )
        versions.bump_all()  # rows written around the signals: every process reloads its copies
        with audit.acting_as(None, label="命令: zhuqi generate"):
            audit.record(
                "import",
                object_type="core.region",
                object_id=str(world.province_id),
                object_repr=f"规模数据（{scale_obj.name}）",
                event=EVENT,
                changes={
                    "province_code": province_code,
                    "scale": scale_obj.name,
                    "seed": seed,
                    "today": today.isoformat(),
                    "parts": [p for p in parts if p not in skipped],
                    "rows": result.counts,
                },
                message=f"生成 {scale_obj.name} 规模合成数据 {result.rows:,} 行（种子 {seed}）",
            )
    _analyze(result.counts)
    stream_write(
        f"完成：{result.rows:,} 行，用时 {total:.1f} 秒（{result.rows / max(total, 1e-9):,.0f} 行/秒）"
    )
    return result


def _analyze(counts: dict[str, int]) -> None:
    """Fresh planner statistics and visibility maps for the tables just filled (PostgreSQL), as
    autovacuum leaves them in a database in use: until it comes, a stale estimate of a freshly
    loaded table picks the wrong plan, and an index-only scan visits every heap page (the
    province's 项目台账: 62 ms before, 2.6 ms after, bench/RESULTS.md). VACUUM cannot run inside
    a transaction (a test's): ANALYZE alone there, of the tables written. Outside one, the whole
    database: tables filled after the writer's count (progress rows, rollups) too (21 s for a
    province)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        if not connection.in_atomic_block:
            cur.execute("VACUUM ANALYZE")
            return
        tables = sorted(
            {apps.get_model(label)._meta.db_table for label, n in counts.items() if n and "." in label}
        )
        for table in tables:
            cur.execute(f"ANALYZE {connection.ops.quote_name(table)}")

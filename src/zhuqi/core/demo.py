"""Demo data: 固镇县 (Anhui, Bengbu), modelled on the seed reports, plus a neighbouring county so
that data scope shows. `zhuqi demo` loads it idempotently and refuses a database holding
non-demo data. Later apps add their part with `register(loader, order)`."""

from __future__ import annotations

import functools
import random
import zlib
from collections.abc import Callable

from django.contrib.auth.hashers import get_hasher, make_password
from django.db import transaction

from . import audit
from .models import Department, Region, Role, User

DEMO_PASSWORD = "Zhuqi@2026"  # noqa: S105 - published demo password, refused in production

_loaders: list[tuple[int, Callable]] = []


def register(loader: Callable, order: int = 50) -> None:
    if all(existing is not loader for _, existing in _loaders):
        _loaders.append((order, loader))


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文辉鹏飞宇浩晨阳俊峰丹凯林斌宁雪梅琳晓东海波亮健新春燕梓涵雨欣子轩一诺思远佳怡博文昊天"


def person_names(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


REGIONS = [
    # code, name, kind, parent code
    ("34", "安徽省", "province", None),
    ("3403", "蚌埠市", "city", "34"),
    ("340323", "固镇县", "county", "3403"),
    ("340321", "怀远县", "county", "3403"),
    ("340323100", "城关镇", "town", "340323"),
    ("340323101", "谷阳镇", "town", "340323"),
    ("340323102", "王庄镇", "town", "340323"),
    ("340323103", "濠城镇", "town", "340323"),
    ("340323104", "刘集镇", "town", "340323"),
    ("340323105", "新马桥镇", "town", "340323"),
    ("340323106", "连城镇", "town", "340323"),
    ("340323107", "任桥镇", "town", "340323"),
    ("340323200", "石湖乡", "town", "340323"),
    ("340323201", "杨庙乡", "town", "340323"),
    ("340323202", "仲兴乡", "town", "340323"),
    ("340323P01", "蚌埠铜陵现代产业园", "park", "340323"),
    ("340323P02", "固镇经济开发区", "park", "340323"),
    ("340323P01G1", "铜陵产业园第一网格", "grid", "340323P01"),
    ("340323P01G2", "铜陵产业园第二网格", "grid", "340323P01"),
    ("340323P02G1", "经开区生物基网格", "grid", "340323P02"),
    ("340323P02G2", "经开区绿色食品网格", "grid", "340323P02"),
    ("340323P02G3", "经开区装备制造网格", "grid", "340323P02"),
    ("340323100G1", "城关镇工业网格", "grid", "340323100"),
    ("340321100", "城关镇", "town", "340321"),
    ("340321P01", "怀远经济开发区", "park", "340321"),
    ("340321P01G1", "怀远经开区第一网格", "grid", "340321P01"),
]

DEPARTMENTS = [
    # region code, name, short, kind
    ("340323", "固镇县工业经济、双招双引和园区建设工作领导小组", "领导小组", "leading_group"),
    ("340323", "固镇县“工招园”领导小组办公室工作专班", "专班办公室", "dispatch_office"),
    ("340323", "固镇县经济和信息化局", "经信局", "government"),
    ("340323", "固镇县发展和改革委员会", "发改委", "government"),
    ("340323", "固镇县自然资源和规划局", "自然资源局", "government"),
    ("340323", "蚌埠市固镇县生态环境分局", "生态环境分局", "government"),
    ("340323", "固镇县人力资源和社会保障局", "人社局", "government"),
    ("340323", "国家税务总局固镇县税务局", "税务局", "government"),
    ("340323", "固镇县住房和城乡建设局", "住建局", "government"),
    ("340323", "固镇县商务局（投资促进中心）", "商务局", "government"),
    ("340323", "固镇县市场监督管理局", "市场监管局", "government"),
    ("340323", "固镇县应急管理局", "应急局", "government"),
    ("340323", "固镇县财政局", "财政局", "government"),
    ("340323", "固镇县数据资源管理局", "数据资源局", "government"),
    ("340323", "国网固镇县供电公司", "供电公司", "external"),
    ("340323", "固镇县自来水有限公司", "自来水公司", "external"),
    ("340323", "中国农业银行固镇县支行", "农行固镇支行", "external"),
    ("340323", "中国建设银行固镇县支行", "建行固镇支行", "external"),
    ("340323", "徽商银行固镇支行", "徽商银行", "external"),
    ("340323P01", "蚌埠铜陵现代产业园管委会", "铜陵产业园", "park"),
    ("340323P02", "固镇经济开发区管委会", "经开区管委会", "park"),
    ("340323100", "固镇县城关镇人民政府", "城关镇", "town"),
    ("340323101", "固镇县谷阳镇人民政府", "谷阳镇", "town"),
    ("340321", "怀远县经济和信息化局", "怀远经信局", "government"),
    ("340321", "怀远县“万人助万企”工作专班", "怀远专班", "dispatch_office"),
]

# The named demo logins, one per role, printed by `make demo`.
LOGINS = [
    ("admin", "系统管理员", Role.ADMIN, "340323", None, "信息中心"),
    ("dispatch", "周晓东", Role.DISPATCH, "340323", "专班办公室", "专班办公室主任"),
    ("leader", "高建国", Role.LEADER, "340323", None, "副县长"),
    ("jxj_head", "孙海波", Role.DEPT_HEAD, "340323", "经信局", "局长"),
    ("jxj_handler", "李静", Role.HANDLER, "340323", "经信局", "企业服务股股长"),
    ("zhuanyuan", "费连惯", Role.COMMISSIONER, "340323P02", "经开区管委会", "首席服务专员"),
    ("wangge", "陈思远", Role.GRID, "340323P02G1", "经开区管委会", "网格员"),
    ("duban", "郑红梅", Role.SUPERVISOR, "340323", "专班办公室", "综合督查组组长"),
    ("guancha", "吴明", Role.OBSERVER, "340323", None, "县统计局"),
    ("hy_dispatch", "韩志文", Role.DISPATCH, "340321", "怀远专班", "专班办公室主任"),
]


def demo_blocked_reason() -> str | None:
    """Why the database may not receive demo data, or None when it may."""
    if User.objects.filter(is_demo=False).exclude(is_superuser=True, username="admin").exists():
        return "数据库中已有非演示用户，拒绝加载演示数据（演示数据只能装入空库或演示库）。"
    demo_codes = {code for code, *_ in REGIONS}
    if Region.objects.exclude(code__in=demo_codes).exists():
        return "数据库中已有非演示区划，拒绝加载演示数据。"
    return None


def demo_mobile(username: str) -> str:
    """A fixed, made-up work mobile per demo login (the enterprise page shows the team's)."""
    return f"139{zlib.crc32(username.encode()) % 10**8:08d}"


def _user(username, full_name, role, region, department, title, *, superuser=False):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "role": role,
            "region": region,
            "department": department,
            "title": title,
            "is_demo": True,
            "is_staff": superuser,
            "is_superuser": superuser,
            "mobile": "" if superuser else demo_mobile(username),
        },
    )
    if created:
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    return user


def demo_password_hash() -> str:
    """The demo password hashed once per process and hasher: every demo login shares it, and
    hashing it anew for each of the hundred demo users took half a minute of `make demo`. Keyed
    by the preferred hasher, so a hash made under one PASSWORD_HASHERS is never reused under
    another that cannot check it."""
    return _hash_with(get_hasher().algorithm)


@functools.cache
def _hash_with(algorithm: str) -> str:
    return make_password(DEMO_PASSWORD, hasher=algorithm)


@transaction.atomic
def load_core(stdout=None) -> dict:
    rng = random.Random(340323)
    regions: dict[str, Region] = {}
    for code, name, kind, parent in REGIONS:
        region, _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": regions.get(parent)}
        )
        regions[code] = region
    depts: dict[str, Department] = {}
    for rcode, name, short, kind in DEPARTMENTS:
        dept, _ = Department.objects.get_or_create(
            region=regions[rcode], name=name, defaults={"short_name": short, "kind": kind}
        )
        depts[short] = dept
    taken = {full for _, full, *_ in LOGINS}
    for username, full_name, role, rcode, dshort, title in LOGINS:
        _user(
            username,
            full_name,
            role,
            regions[rcode],
            depts.get(dshort),
            title,
            superuser=(role == Role.ADMIN),
        )
    # county leaders (县级帮扶责任人)
    for i, name in enumerate(person_names(rng, 8, taken), start=1):
        _user(
            f"leader{i:02d}",
            name,
            Role.LEADER,
            regions["340323"],
            None,
            rng.choice(["县委常委", "副县长", "县人大副主任", "县政协副主席"]),
        )
    # 25 chief service commissioners (首席服务专员), stationed in the two parks
    for i, name in enumerate(person_names(rng, 25, taken), start=1):
        park = "340323P01" if i <= 10 else "340323P02"
        dept = depts["铜陵产业园"] if i <= 10 else depts["经开区管委会"]
        _user(f"zy{i:02d}", name, Role.COMMISSIONER, regions[park], dept, "首席服务专员")
    # department heads and handlers
    for short in [
        "发改委",
        "自然资源局",
        "生态环境分局",
        "人社局",
        "税务局",
        "住建局",
        "商务局",
        "市场监管局",
        "应急局",
        "财政局",
        "供电公司",
        "自来水公司",
        "农行固镇支行",
        "建行固镇支行",
        "徽商银行",
    ]:
        dept = depts[short]
        head, handler = person_names(rng, 2, taken)
        key = f"{dept.pk:03d}"
        _user(f"head{key}", head, Role.DEPT_HEAD, dept.region, dept, "负责人")
        _user(f"handler{key}", handler, Role.HANDLER, dept.region, dept, "经办人")
    # grid leaders and members
    for code, _name, kind, _parent in REGIONS:
        if kind != "grid" or not code.startswith("340323"):
            continue
        member = person_names(rng, 1, taken)[0]
        _user(f"grid{code[-4:].lower()}", member, Role.GRID, regions[code], None, "网格员")
    with audit.acting_as(None, label="命令: zhuqi demo"):
        audit.record(
            "import",
            object_type="core.region",
            object_repr="演示数据",
            message="加载演示数据（区划、部门、人员）",
        )
    return {"regions": regions, "departments": depts}


def load(stdout=None) -> None:
    with audit.acting_as(None, label="命令: zhuqi demo"):
        context = load_core(stdout)
        for _, loader in sorted(_loaders, key=lambda item: item[0]):
            loader(context, stdout)

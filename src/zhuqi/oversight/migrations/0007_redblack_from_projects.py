"""Turn the projects app's own red/black lists (红黑榜) into this app's: each RankingRule becomes a
RedBlackRule of the same region, name and size (项目 → the 重点项目 sequence, 责任单位 → the
departments; 超时序进度 → projects.lead, 审批逾期事项数 → projects.approval_overdue, 观摩得分 →
projects.tour_score), each RankingPublication a RedBlackList of that rule with its red and black
rows, time and publisher, its period written as a period code (2026年5月 → 202605). The projects
app's migration that drops the old tables depends on this one (docs: src/zhuqi/docs/oversight.md §6)."""

import re
from collections import Counter
from zoneinfo import ZoneInfo

from django.db import migrations

SEQUENCE = {"project": "projects", "department": "departments"}
METRIC = {"lead": "projects.lead", "overdue": "projects.approval_overdue", "inspection": "projects.tour_score"}
KIND = {"project": "project", "department": "department"}
_CN = {"一": 1, "二": 2, "三": 3, "四": 4}
_CODE = re.compile(r"^\d{4}(?:H[12]|Q[1-4]|(?:0[1-9]|1[0-2]))?$")
_PATTERNS = [  # the old period labels, in Chinese and as the English interface wrote them
    (re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月$"), lambda y, m: f"{y}{int(m):02d}"),
    (re.compile(r"^(\d{4})\s*年\s*第\s*([1-4一二三四])\s*季度$"), lambda y, q: f"{y}Q{_CN.get(q, q)}"),
    (re.compile(r"^(\d{4})\s*年\s*上半年$"), lambda y: f"{y}H1"),
    (re.compile(r"^(\d{4})\s*年\s*下半年$"), lambda y: f"{y}H2"),
    (re.compile(r"^(\d{4})\s*年$"), lambda y: y),
    (re.compile(r"^(\d{1,2})/(\d{4})$"), lambda m, y: f"{y}{int(m):02d}"),
    (re.compile(r"^(\d{4}) Q([1-4])$"), lambda y, q: f"{y}Q{q}"),
    (re.compile(r"^first half of (\d{4})$", re.I), lambda y: f"{y}H1"),
    (re.compile(r"^second half of (\d{4})$", re.I), lambda y: f"{y}H2"),
]


def period_code(text: str, published_at) -> str:
    """The period code of an old period label; one not understood becomes the report month of
    the publication (the month before the one it was published in, Beijing time), which is what
    the old page offered first."""
    text = (text or "").strip()
    for pattern, build in _PATTERNS:
        m = pattern.match(text)
        if m:
            code = build(*m.groups())
            if _CODE.match(code):
                return code
    if _CODE.match(text):
        return text
    day = published_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    return f"{year}{month:02d}"


def kind_of(code: str) -> str:
    if len(code) == 4:
        return "Y"
    return {"H": "H", "Q": "Q"}.get(code[4], "M")


def move_rankings(apps, schema_editor):
    OldRule = apps.get_model("projects", "RankingRule")
    OldPublication = apps.get_model("projects", "RankingPublication")
    RedBlackRule = apps.get_model("oversight", "RedBlackRule")
    RedBlackList = apps.get_model("oversight", "RedBlackList")
    for old in OldRule.objects.order_by("pk"):
        pubs = list(OldPublication.objects.filter(rule=old).order_by("published_at", "pk"))
        coded = [(period_code(p.period, p.published_at), p) for p in pubs]
        kinds = Counter(kind_of(code) for code, _p in coded)
        # the period kind most of its lists were published for; a new 观摩 rule: half-yearly
        period_kind = kinds.most_common(1)[0][0] if kinds else ("H" if old.metric == "inspection" else "M")
        rule = RedBlackRule.objects.create(
            region_id=old.region_id,
            name=old.name,
            sequence=SEQUENCE[old.subject],
            metric=METRIC[old.metric],
            size=max(1, min(50, old.size)),
            period_kind=period_kind,
        )
        latest = {code: p for code, p in coded}  # a period published twice: the later list stands
        for code, p in latest.items():
            RedBlackList.objects.create(
                rule=rule,
                period=code,
                red=[{**row, "kind": KIND[old.subject]} for row in p.red or []],
                black=[{**row, "kind": KIND[old.subject]} for row in p.black or []],
                exempted=[],
                published_at=p.published_at,
                published_by_id=p.published_by_id,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0006_bulletin_periods_calendar"),
        ("projects", "0006_inspections_moved_to_oversight"),
    ]

    operations = [migrations.RunPython(move_rankings, migrations.RunPython.noop)]

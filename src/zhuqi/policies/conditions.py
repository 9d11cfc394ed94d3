"""The condition language of policy items (src/zhuqi/docs/policies.md §2).

A condition is JSON: a group `{"all": [...]}` (and), `{"any": [...]}` (or), `{"not": {...}}`,
or a leaf `{"attr": ..., "op": ..., "value": ...}` (indicator leaves also name `indicator` and
`measure`; leaves on yearly facts may name `year`, else the item's data year). `validate`
refuses anything else with a Chinese message; `compile_q` turns a tree into one Q over
Enterprise (Exists/subqueries for tags, lists, 亩均 classes and indicator values), so matching a
province is one SQL query; `evaluate` gives, for ONE enterprise, each leaf met or failed with the
enterprise's own value, by the same rules (a test keeps the two equal).

A missing fact (no value, no class, an empty field) fails a comparison; `not` of a failed
comparison is met — the same in SQL and in `evaluate`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Region
from zhuqi.enterprises.models import Enterprise, EnterpriseList, Industry, ListMembership, Tag, Tier
from zhuqi.indicators.models import Indicator
from zhuqi.indicators.models import Value as IndicatorValue
from zhuqi.mu.models import Klass, Result, Run

# --- vocabulary -----------------------------------------------------------------------------------
OPS = {
    "eq": "=",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "between": "∈",
    "in": "∈",
    "has": "∋",
}
NUMERIC_OPS = ("eq", "gt", "gte", "lt", "lte", "between")


@dataclass(frozen=True)
class Attr:
    """One attribute a leaf may compare: its label, value type and operators."""

    key: str
    label: Any
    type: str  # bool | number | year | date | code | choice | tag | list | region | mu | indicator
    ops: tuple[str, ...]
    field: str = ""  # the Enterprise field, for plain attributes
    unit: Any = ""


ATTRS: dict[str, Attr] = {
    a.key: a
    for a in [
        Attr("region", _("所在区域"), "region", ("in",)),
        Attr("industry", _("行业代码（国民经济行业大类）"), "code", ("between", "in")),
        Attr("above_scale", _("规上企业"), "bool", ("eq",), "above_scale"),
        Attr("above_scale_since", _("入规年份"), "year", NUMERIC_OPS, "above_scale_since"),
        Attr("tier", _("雁阵梯队"), "choice", ("in",), "tier"),
        Attr("tag", _("企业标签"), "tag", ("has",)),
        Attr("list", _("企业名单（在库）"), "list", ("has",)),
        Attr("founded_on", _("成立日期"), "date", NUMERIC_OPS, "founded_on"),
        Attr("employees", _("从业人数"), "number", NUMERIC_OPS, "employees", _("人")),
        Attr("land_area_mu", _("用地面积"), "number", NUMERIC_OPS, "land_area_mu", _("亩")),
        Attr("registered_capital", _("注册资本"), "number", NUMERIC_OPS, "registered_capital", _("元")),
        Attr("mu_class", _("亩均评价类别（已发布）"), "mu", ("in",)),
        Attr("indicator", _("经济指标"), "indicator", NUMERIC_OPS),
    ]
}
MEASURES = {"value": _("全年值"), "growth": _("同比增速（%）")}


def _err(message: str) -> ValidationError:
    return ValidationError({"conditions": message})


# --- validation -----------------------------------------------------------------------------------
def _decimal(raw, what: str) -> Decimal:
    try:
        d = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise _err(gettext("%(what)s：“%(raw)s”不是数字") % {"what": what, "raw": raw}) from exc
    if not d.is_finite() or abs(d) >= Decimal("1e15"):
        raise _err(gettext("%(what)s：“%(raw)s”不是有效的数字") % {"what": what, "raw": raw})
    return d


def _date(raw, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise _err(
            gettext("%(what)s：“%(raw)s”不是日期（格式 2020-01-01）") % {"what": what, "raw": raw}
        ) from exc


def _year(raw, what: str) -> int:
    from zhuqi.core.units import MAX_YEAR, MIN_YEAR

    try:
        y = int(str(raw).strip())
    except ValueError as exc:
        raise _err(gettext("%(what)s：“%(raw)s”不是年份") % {"what": what, "raw": raw}) from exc
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise _err(gettext("%(what)s：年份 %(raw)s 超出范围") % {"what": what, "raw": raw})
    return y


def _scalar(attr: Attr, raw, what: str):
    if attr.type in ("number", "indicator"):
        return _decimal(raw, what)
    if attr.type == "year":
        return _year(raw, what)
    if attr.type == "date":
        return _date(raw, what)
    return raw


def _as_list(raw) -> list:
    if isinstance(raw, str):
        return [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
    return list(raw) if isinstance(raw, list | tuple) else [raw]


def normalise(tree: Any, *, default_year: int | None = None) -> dict:
    """The tree checked and in canonical form (numbers and dates as strings, lists as lists),
    or ValidationError naming the first fault. An empty tree means "every enterprise"."""
    if tree in (None, {}, ""):
        return {}
    return _node(tree, default_year, depth=0)


def _node(node, default_year, depth) -> dict:
    if depth > 8:
        raise _err(gettext("条件嵌套过深（最多 8 层）"))
    if not isinstance(node, dict):
        raise _err(gettext("条件格式不对：每个条件须是一个对象"))
    for group in ("all", "any"):
        if group in node:
            children = node[group]
            if not isinstance(children, list) or not children:
                raise _err(gettext("“全部满足/任一满足”下至少要有一个条件"))
            return {group: [_node(c, default_year, depth + 1) for c in children]}
    if "not" in node:
        return {"not": _node(node["not"], default_year, depth + 1)}
    return _leaf(node, default_year)


def _leaf(node: dict, default_year) -> dict:
    key = node.get("attr")
    attr = ATTRS.get(key) if isinstance(key, str) else None
    if attr is None:
        raise _err(gettext("未知的条件：“%(attr)s”") % {"attr": key})
    what = str(attr.label)
    op = node.get("op")
    if op not in attr.ops:
        raise _err(
            gettext("条件“%(what)s”不能用运算“%(op)s”，可用：%(ops)s")
            % {"what": what, "op": op, "ops": "、".join(OPS[o] for o in attr.ops)}
        )
    out: dict[str, Any] = {"attr": key, "op": op}
    raw = node.get("value")
    if raw in (None, "", []):
        raise _err(gettext("条件“%(what)s”缺少比较值") % {"what": what})
    if attr.type == "indicator":
        code = node.get("indicator")
        ind = Indicator.objects.filter(code=code).first() if isinstance(code, str) else None
        if ind is None:
            raise _err(gettext("未知的经济指标：“%(code)s”") % {"code": code})
        measure = node.get("measure") or "value"
        if measure not in MEASURES:
            raise _err(gettext("经济指标只能比较全年值或同比增速"))
        out["indicator"], out["measure"] = code, measure
        what = ind.name
    if attr.type in ("indicator", "mu"):
        year = node.get("year") or default_year
        if year is None:
            raise _err(gettext("条件“%(what)s”须注明数据年度") % {"what": what})
        out["year"] = _year(year, what)
    if op == "between":
        parts = _as_list(raw)
        if len(parts) != 2:
            raise _err(gettext("条件“%(what)s”的区间须是两个值，如 13,43") % {"what": what})
        lo, hi = (_scalar(attr, p, what) for p in parts)
        if attr.type == "code":
            lo, hi = str(lo).zfill(2), str(hi).zfill(2)
        if lo > hi:
            raise _err(gettext("条件“%(what)s”的区间下限大于上限") % {"what": what})
        out["value"] = [
            str(lo) if not isinstance(lo, int) else lo,
            str(hi) if not isinstance(hi, int) else hi,
        ]
        if isinstance(lo, dt.date):
            out["value"] = [lo.isoformat(), hi.isoformat()]
        return out
    if attr.type == "bool":
        if isinstance(raw, str):
            yes_no = {"true": True, "1": True, "false": False, "0": False}
            for word, flag in ((gettext_noop("是"), True), (gettext_noop("否"), False)):
                yes_no[word] = yes_no[gettext(word).lower()] = flag
            raw = yes_no.get(raw.strip().lower())
        if not isinstance(raw, bool):
            raise _err(gettext("条件“%(what)s”的值须是“是”或“否”") % {"what": what})
        out["value"] = raw
        return out
    if attr.type in ("code", "choice", "region", "mu", "tag", "list"):
        values = [str(v).strip() for v in _as_list(raw)]
        _check_members(attr, values, what)
        out["value"] = values if op == "in" or attr.type in ("tag", "list") else values[0]
        return out
    v = _scalar(attr, raw, what)
    out["value"] = v.isoformat() if isinstance(v, dt.date) else (v if isinstance(v, int) else str(v))
    return out


def _check_members(attr: Attr, values: list[str], what: str) -> None:
    if attr.type == "choice":
        bad = [v for v in values if v not in Tier.values]
    elif attr.type == "mu":
        bad = [v for v in values if v not in Klass.values]
    elif attr.type == "region":
        bad = [v for v in values if not v.isascii() or not v.isdigit()]
        if not bad:
            found = set(Region.objects.filter(pk__in=[int(v) for v in values]).values_list("pk", flat=True))
            bad = [v for v in values if int(v) not in found]
    elif attr.type == "tag":
        found = set(Tag.objects.filter(name__in=values).values_list("name", flat=True))
        bad = [v for v in values if v not in found]
    elif attr.type == "list":
        bad = [v for v in values if not v.isascii() or not v.isdigit()]
        if not bad:
            found = set(
                EnterpriseList.objects.filter(pk__in=[int(v) for v in values]).values_list("pk", flat=True)
            )
            bad = [v for v in values if int(v) not in found]
    else:  # industry codes
        bad = [v for v in values if not Industry.objects.filter(code=v).exists()]
    if bad:
        raise _err(gettext("条件“%(what)s”：无效的值 %(bad)s") % {"what": what, "bad": "、".join(bad)})


# --- compiling to SQL -----------------------------------------------------------------------------
def compile_q(tree: dict) -> Q:
    """One Q over Enterprise for a normalised tree (empty: every enterprise)."""
    if not tree:
        return Q()
    if "all" in tree:
        q = Q()
        for c in tree["all"]:
            q &= compile_q(c)
        return q
    if "any" in tree:
        q = Q(pk__in=[])
        for c in tree["any"]:
            q |= compile_q(c)
        return q
    if "not" in tree:
        return ~compile_q(tree["not"])
    return _leaf_q(tree)


def _cmp(field: str, op: str, value) -> Q:
    if op == "between":
        return Q(**{f"{field}__gte": value[0], f"{field}__lte": value[1]})
    if op == "in":
        return Q(**{f"{field}__in": value})
    return Q(**{field if op == "eq" else f"{field}__{op}": value})


def _indicator_values(leaf: dict):
    """An enterprise's full-year figure of the leaf's indicator: the annual return or the
    December cumulative (one of them exists)."""
    y = leaf["year"]
    indicator = Subquery(Indicator.objects.filter(code=leaf["indicator"]).values("pk")[:1])
    # by the indicator's id (an init-plan), so each probe is one `value_enterprise_series` index lookup
    return IndicatorValue.objects.filter(
        enterprise=OuterRef("pk"), indicator_id=indicator, period__in=[str(y), f"{y}12"]
    )


def _leaf_q(leaf: dict) -> Q:
    attr = ATTRS[leaf["attr"]]
    op, value = leaf["op"], leaf["value"]
    if attr.type == "region":
        q = Q(pk__in=[])
        for path in Region.objects.filter(pk__in=[int(v) for v in value]).values_list("path", flat=True):
            q |= Q(region_path__startswith=path)
        return q
    if attr.type == "code":
        return Q(industry_id__in=Industry.objects.filter(_cmp("code", op, value)).values("pk"))
    if attr.type == "tag":
        through = Enterprise.tags.through
        return Q(
            Exists(through.objects.filter(enterprise_id=OuterRef("pk"), tag__name__in=value).values("pk"))
        )
    if attr.type == "list":
        return Q(
            Exists(
                ListMembership.objects.filter(
                    enterprise_id=OuterRef("pk"), list_id__in=[int(v) for v in value], exited_on__isnull=True
                )
            )
        )
    if attr.type == "mu":
        return Q(
            Exists(
                Result.objects.filter(
                    enterprise_id=OuterRef("pk"),
                    run__status=Run.Status.PUBLISHED,
                    run__year=leaf["year"],
                    klass__in=value,
                )
            )
        )
    if attr.type == "indicator":
        vals = _indicator_values(leaf)
        if leaf["measure"] == "value":
            return Q(Exists(vals.filter(_cmp("cumulative", op, _num(op, value)))))
        # growth g% against last year's same figure: (cum − ly) / ly × 100 op g  ⇔  cum × 100 op ly × (100 + g)
        # for ly > 0, so no division (exact in decimals)
        vals = vals.filter(last_year_cumulative__gt=0, cumulative__isnull=False).annotate(
            _scaled=F("cumulative") * 100
        )
        if op == "between":
            lo, hi = (Decimal(v) for v in value)
            vals = vals.filter(
                _scaled__gte=F("last_year_cumulative") * (100 + lo),
                _scaled__lte=F("last_year_cumulative") * (100 + hi),
            )
        else:
            g = Decimal(value)
            lookup = "_scaled" if op == "eq" else f"_scaled__{op}"
            vals = vals.filter(**{lookup: F("last_year_cumulative") * (100 + g)})
        return Q(Exists(vals))
    if attr.type == "bool":
        return Q(**{attr.field: value})
    return _cmp(attr.field, op, _num(op, value) if attr.type == "number" else value)


def _num(op, value):
    return [Decimal(v) for v in value] if op == "between" else Decimal(value)


# --- one enterprise, explained --------------------------------------------------------------------
class Facts:
    """What the leaves read of one enterprise, loaded lazily, each kind in one query."""

    def __init__(self, enterprise: Enterprise):
        self.e = enterprise
        self._tags: set[str] | None = None
        self._lists: set[int] | None = None
        self._mu: dict[int, str] | None = None
        self._values: dict[tuple[str, int], tuple] = {}
        self._paths: dict[int, str] = {}

    def tags(self) -> set[str]:
        if self._tags is None:
            self._tags = set(self.e.tags.values_list("name", flat=True))
        return self._tags

    def lists(self) -> set[int]:
        if self._lists is None:
            self._lists = set(
                ListMembership.objects.filter(enterprise=self.e, exited_on__isnull=True).values_list(
                    "list_id", flat=True
                )
            )
        return self._lists

    def mu(self, year: int) -> str | None:
        if self._mu is None:
            self._mu = {}
            for y, k in (
                Result.objects.filter(enterprise=self.e, run__status=Run.Status.PUBLISHED)
                .order_by("run__created_at")
                .values_list("run__year", "klass")
            ):
                self._mu[y] = k
        return self._mu.get(year)

    def value(self, code: str, year: int) -> tuple[Decimal | None, Decimal | None]:
        """(the year's figure, last year's same figure)."""
        key = (code, year)
        if key not in self._values:
            rows = dict(
                (p, (c, ly))
                for p, c, ly in IndicatorValue.objects.filter(
                    enterprise=self.e, indicator__code=code, period__in=[str(year), f"{year}12"]
                ).values_list("period", "cumulative", "last_year_cumulative")
            )
            self._values[key] = rows.get(str(year)) or rows.get(f"{year}12") or (None, None)
        return self._values[key]

    def region_path(self, region_id: int) -> str:
        if region_id not in self._paths:
            self._paths[region_id] = (
                Region.objects.filter(pk=region_id).values_list("path", flat=True).first() or ""
            )
        return self._paths[region_id]


@dataclass
class Line:
    """One leaf for one enterprise: met or not, what it asks and what the enterprise has."""

    label: str
    wants: str
    has: str
    met: bool
    negated: bool = False


@dataclass
class Explanation:
    met: bool
    lines: list[Line] = field(default_factory=list)
    #: top-level parts failed (for "nearly qualifies": exactly one)
    failed_parts: list[int] = field(default_factory=list)
    parts: int = 0

    @property
    def missing(self) -> list[Line]:
        return [ln for ln in self.lines if not ln.met]


def _compare(op: str, have, want) -> bool:
    if have is None:
        return False
    if op == "between":
        return want[0] <= have <= want[1]
    if op == "in":
        return have in want
    return {
        "eq": have == want,
        "gt": have > want,
        "gte": have >= want,
        "lt": have < want,
        "lte": have <= want,
    }[op]


def _fmt(v) -> str:
    if v is None:
        return gettext("无数据")
    if isinstance(v, bool):
        return gettext("是") if v else gettext("否")
    if isinstance(v, Decimal):
        v = v.normalize()
        return f"{v:f}"
    return str(v)


def _want_text(op: str, value, unit: str = "") -> str:
    if op == "between":
        return f"{_fmt(value[0])}–{_fmt(value[1])}{unit}"
    if isinstance(value, list):
        joined = "、".join(_fmt(v) for v in value)
        return joined if op == "in" else f"{OPS[op]} {joined}"
    return f"{OPS[op]} {_fmt(value)}{unit}"


def leaf_label(leaf: dict) -> str:
    attr = ATTRS[leaf["attr"]]
    if attr.type == "indicator":
        ind = Indicator.objects.filter(code=leaf["indicator"]).first()
        name = ind.name if ind else leaf["indicator"]
        suffix = MEASURES[leaf["measure"]] if leaf["measure"] == "growth" else ""
        return gettext("%(year)s年%(name)s") % {"year": leaf["year"], "name": f"{name}{suffix}"}
    if attr.type == "mu":
        return gettext("%(year)s年%(name)s") % {"year": leaf["year"], "name": attr.label}
    return str(attr.label)


def _unit(leaf: dict) -> str:
    attr = ATTRS[leaf["attr"]]
    if attr.type == "indicator":
        if leaf["measure"] == "growth":
            return "%"
        ind = Indicator.objects.filter(code=leaf["indicator"]).first()
        return f" {ind.get_unit_display()}" if ind else ""
    return f" {attr.unit}" if attr.unit else ""


def _eval_leaf(leaf: dict, facts: Facts) -> tuple[bool, str, str]:
    """(met, wants, has) for one leaf and one enterprise."""
    attr = ATTRS[leaf["attr"]]
    op, value, e = leaf["op"], leaf["value"], facts.e
    unit = _unit(leaf)
    if attr.type == "region":
        paths = [facts.region_path(int(v)) for v in value]
        names = "、".join(
            Region.objects.filter(pk__in=[int(v) for v in value]).values_list("name", flat=True)
        )
        met = any(p and e.region_path.startswith(p) for p in paths)
        return met, names, e.region.name
    if attr.type == "code":
        code = e.industry.code if e.industry_id else None
        return _compare(op, code, value), _want_text(op, value), _fmt(code and f"{code} {e.industry.name}")
    if attr.type == "tag":
        have = facts.tags()
        return bool(have & set(value)), "、".join(value), "、".join(sorted(have)) or gettext("无")
    if attr.type == "list":
        have = facts.lists()
        ids = {int(v) for v in value}
        names = dict(EnterpriseList.objects.filter(pk__in=ids).values_list("pk", "name"))
        met = bool(have & ids)
        return met, "、".join(names.values()), gettext("在库") if met else gettext("不在库")
    if attr.type == "mu":
        k = facts.mu(leaf["year"])
        return _compare("in", k, value), _want_text("in", value), _fmt(k)
    if attr.type == "indicator":
        cum, ly = facts.value(leaf["indicator"], leaf["year"])
        if leaf["measure"] == "value":
            return (
                _compare(op, cum, _num(op, value)),
                _want_text(op, value, unit),
                f"{_fmt(cum)}{unit if cum is not None else ''}",
            )
        if cum is None or ly is None or ly <= 0:
            return False, _want_text(op, value, unit), gettext("无数据")
        scaled, base = cum * 100, ly
        if op == "between":
            lo, hi = (Decimal(v) for v in value)
            met = base * (100 + lo) <= scaled <= base * (100 + hi)
        else:
            met = _compare(op, scaled, base * (100 + Decimal(value)))
        growth = ((cum - ly) * 100 / ly).quantize(Decimal("0.1"))
        return met, _want_text(op, value, unit), f"{_fmt(growth)}%"
    have = getattr(e, attr.field)
    want = _num(op, value) if attr.type == "number" else value
    if attr.type == "date":
        want = [dt.date.fromisoformat(v) for v in value] if op == "between" else dt.date.fromisoformat(value)
    if attr.type == "choice":
        have = have or None
        return (
            _compare(op, have, want),
            _want_text(op, [Tier(v).label for v in value]),
            _fmt(e.get_tier_display() if have else None),
        )
    return (
        _compare(op, have, want),
        _want_text(op, value, unit),
        f"{_fmt(have)}{unit if have is not None else ''}",
    )


def evaluate(tree: dict, facts: Facts) -> Explanation:
    """Every leaf of `tree` for one enterprise; `met` by the same rules as `compile_q`."""
    lines: list[Line] = []

    def walk(node, negated: bool) -> bool:
        if "all" in node:
            return all([walk(c, negated) for c in node["all"]])
        if "any" in node:
            return any([walk(c, negated) for c in node["any"]])
        if "not" in node:
            return not walk(node["not"], not negated)
        met, wants, has = _eval_leaf(node, facts)
        shown = met != negated
        lines.append(Line(leaf_label(node), wants, has, shown, negated))
        return met

    if not tree:
        return Explanation(True)
    parts = tree.get("all", [tree])
    failed = []
    for i, part in enumerate(parts):
        if not walk(part, False):
            failed.append(i)
    return Explanation(not failed, lines, failed, len(parts))


def describe(tree: dict) -> list[str]:
    """The leaves in words, for the guide and the item page (不满足 for negated ones)."""
    out: list[str] = []

    def walk(node, negated, joiner):
        if "all" in node or "any" in node:
            for c in node.get("all") or node.get("any"):
                walk(c, negated, joiner)
            return
        if "not" in node:
            walk(node["not"], not negated, joiner)
            return
        text = f"{leaf_label(node)} {_want_text(node['op'], _shown_value(node), _unit(node))}"
        out.append(gettext("不满足：%(text)s") % {"text": text} if negated else text)

    if tree:
        walk(tree, False, "")
    return out


def _shown_value(leaf: dict):
    attr = ATTRS[leaf["attr"]]
    v = leaf["value"]
    if attr.type == "region":
        return list(Region.objects.filter(pk__in=[int(x) for x in v]).values_list("name", flat=True))
    if attr.type == "list":
        return list(EnterpriseList.objects.filter(pk__in=[int(x) for x in v]).values_list("name", flat=True))
    if attr.type == "choice":
        return [str(Tier(x).label) for x in v]
    if attr.type == "tag":
        return v if len(v) > 1 else v[0]
    return v

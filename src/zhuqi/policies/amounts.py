"""Amount rules of policy items (src/zhuqi/docs/policies.md §3): how much one enterprise gets.

* `{"type": "fixed", "amount": "200000"}` — a fixed sum in yuan;
* `{"type": "percent", "base": {"indicator": "tech_investment", "year": 2025}, "rate": "10",
  "cap": "1000000"}` — a percentage of a money indicator's full-year figure (in yuan), capped;
* `{"type": "tiers", "base": {...}, "tiers": [{"min": "2000", "amount": "20000"}, …]}` — the
  amount of the highest tier whose `min` (in the indicator's unit) the base reaches; below the
  first tier nothing.

Money in Decimal yuan, rounded half up to the fen. A rule that could give a negative sum is
refused by `normalise` with a Chinese message.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from zhuqi.core.units import WAN, YI
from zhuqi.indicators.models import Indicator, Unit

from .conditions import Facts

FEN = Decimal("0.01")
TYPES = ("fixed", "percent", "tiers")
#: yuan per unit of a money indicator
MONEY_UNITS = {Unit.WAN_YUAN: Decimal(WAN), Unit.YI_YUAN: Decimal(YI)}


def _err(message: str) -> ValidationError:
    return ValidationError({"amount_rule": message})


def _money(raw, what: str, *, allow_empty: bool = False) -> Decimal | None:
    if raw in (None, "") and allow_empty:
        return None
    try:
        d = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise _err(gettext("%(what)s：“%(raw)s”不是数字") % {"what": what, "raw": raw}) from exc
    if not d.is_finite() or abs(d) >= Decimal("1e13"):
        raise _err(gettext("%(what)s：“%(raw)s”不是有效的数字") % {"what": what, "raw": raw})
    if d < 0:
        raise _err(gettext("%(what)s不能为负数：金额规则不能算出负的金额") % {"what": what})
    return d


def normalise(rule, *, default_year: int) -> dict:
    """The rule checked, in canonical form (numbers as strings); empty: no amount (权益、资质)."""
    if rule in (None, {}, ""):
        return {}
    if not isinstance(rule, dict) or rule.get("type") not in TYPES:
        raise _err(gettext("金额规则须是固定金额、按基数比例或分档之一"))
    kind = rule["type"]
    if kind == "fixed":
        return {"type": "fixed", "amount": str(_money(rule.get("amount"), gettext("固定金额")))}
    base = rule.get("base") or {}
    code = base.get("indicator") if isinstance(base, dict) else None
    ind = Indicator.objects.filter(code=code).first() if isinstance(code, str) else None
    if ind is None:
        raise _err(gettext("金额规则的基数须是一个经济指标"))
    year = base.get("year") or default_year
    out = {"type": kind, "base": {"indicator": ind.code, "year": int(year)}}
    if kind == "percent":
        if ind.unit not in MONEY_UNITS:
            raise _err(gettext("按比例计算的基数须是金额类指标（万元或亿元）"))
        rate = _money(rule.get("rate"), gettext("比例"))
        assert rate is not None
        if rate > 100:
            raise _err(gettext("比例不能超过 100%"))
        out["rate"] = str(rate)
        cap = _money(rule.get("cap"), gettext("封顶金额"), allow_empty=True)
        if cap is not None:
            out["cap"] = str(cap)
        return out
    tiers = rule.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        raise _err(gettext("分档规则至少要有一档"))
    rows = []
    for i, t in enumerate(tiers, start=1):
        if not isinstance(t, dict):
            raise _err(gettext("第 %(n)s 档格式不对") % {"n": i})
        lo = _money(t.get("min"), gettext("第 %(n)s 档下限") % {"n": i})
        amount = _money(t.get("amount"), gettext("第 %(n)s 档金额") % {"n": i})
        rows.append((lo, amount))
    if [lo for lo, _a in rows] != sorted({lo for lo, _a in rows}):
        raise _err(gettext("各档下限须从小到大排列且不重复"))
    out["tiers"] = [{"min": str(lo), "amount": str(a)} for lo, a in rows]
    return out


def compute(rule: dict, facts: Facts) -> tuple[Decimal | None, str]:
    """(the amount in yuan, how it was worked out) for one enterprise; None when the rule needs a
    base the enterprise has no figure for, or there is no amount rule."""
    if not rule:
        return None, ""
    if rule["type"] == "fixed":
        amount = Decimal(rule["amount"]).quantize(FEN, ROUND_HALF_UP)
        return amount, gettext("固定金额 %(a)s 元") % {"a": amount}
    base = rule["base"]
    ind = Indicator.objects.get(code=base["indicator"])
    value, _ly = facts.value(ind.code, base["year"])
    if value is None:
        return None, gettext("缺少%(year)s年%(name)s数据") % {"year": base["year"], "name": ind.name}
    unit = ind.get_unit_display()
    if rule["type"] == "percent":
        yuan = value * MONEY_UNITS[ind.unit]
        raw = yuan * Decimal(rule["rate"]) / 100
        amount = raw
        text = gettext("%(name)s %(v)s %(unit)s × %(rate)s%% = %(raw)s 元") % {
            "name": ind.name,
            "v": f"{value.normalize():f}",
            "unit": unit,
            "rate": rule["rate"],
            "raw": raw.quantize(FEN, ROUND_HALF_UP),
        }
        if "cap" in rule and raw > Decimal(rule["cap"]):
            amount = Decimal(rule["cap"])
            text += gettext("，封顶 %(cap)s 元") % {"cap": rule["cap"]}
        return max(amount, Decimal(0)).quantize(FEN, ROUND_HALF_UP), text
    chosen = None
    for t in rule["tiers"]:
        if value >= Decimal(t["min"]):
            chosen = t
    if chosen is None:
        return Decimal("0.00"), gettext("%(name)s %(v)s %(unit)s，未达到最低一档") % {
            "name": ind.name,
            "v": f"{value.normalize():f}",
            "unit": unit,
        }
    amount = Decimal(chosen["amount"]).quantize(FEN, ROUND_HALF_UP)
    return amount, gettext("%(name)s %(v)s %(unit)s ≥ %(min)s %(unit)s 档：%(a)s 元") % {
        "name": ind.name,
        "v": f"{value.normalize():f}",
        "unit": unit,
        "min": chosen["min"],
        "a": amount,
    }


def _wan(yuan: str) -> str:
    """Yuan as 万元 for the guide (20000 → "2 万元")."""
    return gettext("%(n)s 万元") % {"n": f"{(Decimal(yuan) / MONEY_UNITS[Unit.WAN_YUAN]).normalize():f}"}


def describe(rule: dict) -> str:
    """The rule in words for the guide page, money in 万元."""
    if not rule:
        return ""
    if rule["type"] == "fixed":
        return gettext("每户 %(a)s") % {"a": _wan(rule["amount"])}
    ind = Indicator.objects.filter(code=rule["base"]["indicator"]).first()
    name = ind.name if ind else rule["base"]["indicator"]
    unit = ind.get_unit_display() if ind else ""
    if rule["type"] == "percent":
        text = gettext("按%(year)s年%(name)s的 %(rate)s%% 计算") % {
            "year": rule["base"]["year"],
            "name": name,
            "rate": rule["rate"],
        }
        if "cap" in rule:
            text += gettext("，最高 %(cap)s") % {"cap": _wan(rule["cap"])}
        return text
    parts = [
        gettext("%(name)s ≥ %(min)s %(unit)s：%(a)s")
        % {"name": name, "min": t["min"], "unit": unit, "a": _wan(t["amount"])}
        for t in rule["tiers"]
    ]
    return gettext("按%(year)s年%(name)s分档：") % {"year": rule["base"]["year"], "name": name} + "；".join(
        parts
    )

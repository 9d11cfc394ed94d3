"""Forms of the policy library: parsing and widgets only; the rules are in services,
`conditions.normalise` and `amounts.normalise`. Conditions are rows (condition, operator,
value, year, 不满足) joined by 全部满足/任一满足; amounts in 万元 are multiplied by WAN here."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, _parent_regions
from zhuqi.core.models import Department, Region
from zhuqi.core.units import MAX_YEAR, MIN_YEAR, WAN
from zhuqi.enterprises.models import EnterpriseList, Tier
from zhuqi.indicators.models import Indicator

from . import conditions
from .models import Kind, Level, Mode, PolicyItem

_DATE = forms.DateInput(attrs={"type": "date"})


class DocumentForm(Form):
    title = forms.CharField(label=_("文件标题"), max_length=200)
    level = forms.ChoiceField(label=_("层级"), choices=Level.choices)
    issuer = forms.CharField(label=_("发文单位"), max_length=100)
    number = forms.CharField(label=_("文号"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("发文日期"), widget=_DATE)
    effective_from = forms.DateField(label=_("施行日期"), required=False, widget=_DATE)
    effective_to = forms.DateField(label=_("有效期至"), required=False, widget=_DATE)
    region = forms.ModelChoiceField(None, label=_("适用区域"))
    summary = forms.CharField(label=_("内容摘要"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _parent_regions(user)
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f, forms.ChoiceField) else "form-control"
            )


def condition_choices() -> list[tuple[str, str]]:
    out = [(k, str(a.label)) for k, a in conditions.ATTRS.items() if k != "indicator"]
    for ind in Indicator.objects.filter(is_active=True).order_by("sort", "code"):
        out.append((f"indicator:{ind.code}:value", gettext("%(name)s（全年值）") % {"name": ind.name}))
        if ind.unit != "percent":
            out.append(
                (f"indicator:{ind.code}:growth", gettext("%(name)s同比增速（%%）") % {"name": ind.name})
            )
    return out


OP_CHOICES = [
    ("gte", "≥"),
    ("gt", ">"),
    ("lte", "≤"),
    ("lt", "<"),
    ("eq", "="),
    ("between", _("介于")),
    ("in", _("属于")),
    ("has", _("具有")),
]


class ConditionRowForm(Form):
    attr = forms.ChoiceField(label=_("条件"), required=False)
    op = forms.ChoiceField(label=_("运算"), choices=OP_CHOICES, required=False)
    value = forms.CharField(label=_("值"), max_length=300, required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    negate = forms.BooleanField(label=_("不满足"), required=False)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attr"].choices = [("", "—")] + (choices or [])
        for name in ("attr", "op"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        for name in ("value", "year"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["negate"].widget.attrs["class"] = "form-check-input"

    def leaf(self) -> dict | None:
        """The row as a leaf of the condition language (names turned into ids), or None when
        blank."""
        d = self.cleaned_data
        if not d.get("attr"):
            return None
        key, op, raw = d["attr"], d.get("op"), (d.get("value") or "").strip()
        leaf: dict = {"attr": key, "op": op, "value": raw}
        if key.startswith("indicator:"):
            _i, code, measure = key.split(":", 2)
            leaf.update({"attr": "indicator", "indicator": code, "measure": measure})
        if d.get("year"):
            leaf["year"] = d["year"]
        parts = [p.strip() for p in raw.replace("，", ",").replace("、", ",").split(",") if p.strip()]
        if key == "region":
            found = {}
            for r in Region.objects.filter(is_active=True).filter(name__in=parts).values_list("name", "pk"):
                found[r[0]] = r[1]
            for r in Region.objects.filter(code__in=parts).values_list("code", "pk"):
                found[r[0]] = r[1]
            missing = [p for p in parts if p not in found]
            if missing:
                raise ValidationError(gettext("找不到区域：%(names)s") % {"names": "、".join(missing)})
            leaf["value"] = [found[p] for p in parts]
        elif key == "list":
            found = dict(EnterpriseList.objects.filter(name__in=parts).values_list("name", "pk"))
            missing = [p for p in parts if p not in found]
            if missing:
                raise ValidationError(gettext("找不到名单：%(names)s") % {"names": "、".join(missing)})
            leaf["value"] = [found[p] for p in parts]
        elif key == "tier":
            labels = {str(label): code for code, label in Tier.choices}
            leaf["value"] = [labels.get(p, p) for p in parts]
        return leaf


ConditionRows = formset_factory(ConditionRowForm, extra=0, max_num=30, absolute_max=30)


def rows_initial(tree: dict) -> tuple[str, list[dict], bool]:
    """(the joiner, the rows, whether the stored tree is flat enough for the form)."""
    if not tree:
        return "all", [], True
    joiner = "all" if "all" in tree else "any" if "any" in tree else "all"
    nodes = tree.get(joiner, [tree])
    rows = []
    for node in nodes:
        negate = "not" in node
        leaf = node["not"] if negate else node
        if "attr" not in leaf:
            return joiner, [], False
        key = leaf["attr"]
        if key == "indicator":
            key = f"indicator:{leaf['indicator']}:{leaf['measure']}"
        value = leaf["value"]
        if leaf["attr"] == "region":
            value = list(Region.objects.filter(pk__in=value).values_list("name", flat=True))
        elif leaf["attr"] == "list":
            value = list(EnterpriseList.objects.filter(pk__in=value).values_list("name", flat=True))
        elif leaf["attr"] == "tier":
            value = [str(Tier(v).label) for v in value]
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = gettext("是") if value else gettext("否")
        rows.append(
            {"attr": key, "op": leaf["op"], "value": value, "year": leaf.get("year"), "negate": negate}
        )
    return joiner, rows, True


AMOUNT_TYPES = [
    ("", _("无金额（权益、资质）")),
    ("fixed", _("固定金额")),
    ("percent", _("按基数比例")),
    ("tiers", _("分档")),
]


class ItemForm(Form):
    title = forms.CharField(label=_("事项名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices)
    status = forms.ChoiceField(label=_("状态"), choices=PolicyItem.Status.choices)
    mode = forms.ChoiceField(label=_("兑现方式"), choices=Mode.choices)
    department = forms.ModelChoiceField(None, label=_("责任部门"))
    data_year = forms.IntegerField(label=_("数据年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    joiner = forms.ChoiceField(
        label=_("条件关系"), choices=[("all", _("全部满足")), ("any", _("任一满足"))], initial="all"
    )
    amount_type = forms.ChoiceField(label=_("金额规则"), choices=AMOUNT_TYPES, required=False)
    amount_wan = forms.DecimalField(
        label=_("固定金额（万元）"), required=False, max_digits=12, decimal_places=4
    )
    base = forms.ChoiceField(label=_("基数指标"), required=False)
    base_year = forms.IntegerField(
        label=_("基数年度"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    rate = forms.DecimalField(label=_("比例（%）"), required=False, max_digits=7, decimal_places=3)
    cap_wan = forms.DecimalField(label=_("封顶（万元）"), required=False, max_digits=12, decimal_places=4)
    tiers = forms.CharField(
        label=_("分档"),
        required=False,
        help_text=_("每行一档：基数下限（指标单位）, 金额（万元），如 2000, 2"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    exclusivity_group = forms.CharField(label=_("不重复享受分组"), max_length=60, required=False)
    budget_wan = forms.DecimalField(
        label=_("年度预算（万元）"), required=False, max_digits=12, decimal_places=4
    )
    window_start = forms.DateField(label=_("申报开始"), required=False, widget=_DATE)
    window_end = forms.DateField(label=_("申报截止"), required=False, widget=_DATE)
    limit_days = forms.IntegerField(label=_("兑现时限（工作日）"), min_value=1, max_value=365, initial=60)
    evidence = forms.CharField(label=_("申报材料"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    beneficiaries = forms.CharField(
        label=_("惠及对象"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    conditions_text = forms.CharField(
        label=_("申报条件"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    address = forms.CharField(label=_("受理地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("咨询电话"), max_length=40, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        money = Indicator.objects.filter(is_active=True).order_by("sort", "code")
        self.fields["base"].choices = [("", "—")] + [(i.code, str(i)) for i in money]
        for name, f in self.fields.items():
            css = "form-select" if isinstance(f, forms.ChoiceField) else "form-control"
            f.widget.attrs.setdefault("class", css)
            f.widget.attrs["data-field"] = name

    def amount_rule(self) -> dict:
        d = self.cleaned_data
        kind = d.get("amount_type")
        if not kind:
            return {}

        def yuan(v):
            return None if v is None else str(v * WAN)

        if kind == "fixed":
            return {"type": "fixed", "amount": yuan(d.get("amount_wan"))}
        base = {"indicator": d.get("base"), "year": d.get("base_year") or d.get("data_year")}
        if kind == "percent":
            rule = {"type": "percent", "base": base, "rate": d.get("rate")}
            if d.get("cap_wan") is not None:
                rule["cap"] = yuan(d["cap_wan"])
            return rule
        tiers = []
        for n, line in enumerate((d.get("tiers") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            try:
                lo, amount = Decimal(parts[0]), Decimal(parts[1])
            except Exception as exc:
                raise ValidationError(
                    {"tiers": gettext("分档第 %(n)s 行格式不对：应为“下限, 金额”") % {"n": n}}
                ) from exc
            tiers.append({"min": str(lo), "amount": str(amount * WAN)})
        return {"type": "tiers", "base": base, "tiers": tiers}

    @staticmethod
    def initial_of(item: PolicyItem) -> dict:
        init = {
            f: getattr(item, f)
            for f in (
                "title",
                "kind",
                "status",
                "mode",
                "data_year",
                "exclusivity_group",
                "window_start",
                "window_end",
                "limit_days",
                "evidence",
                "beneficiaries",
                "conditions_text",
                "address",
                "phone",
            )
        }
        init["department"] = item.department_id
        init["budget_wan"] = item.budget / WAN if item.budget is not None else None
        rule = item.amount_rule or {}
        init["amount_type"] = rule.get("type", "")
        if rule.get("type") == "fixed":
            init["amount_wan"] = Decimal(rule["amount"]) / WAN
        if rule.get("base"):
            init["base"], init["base_year"] = rule["base"]["indicator"], rule["base"]["year"]
        if rule.get("type") == "percent":
            init["rate"] = rule["rate"]
            if "cap" in rule:
                init["cap_wan"] = Decimal(rule["cap"]) / WAN
        if rule.get("type") == "tiers":
            init["tiers"] = "\n".join(
                f"{t['min']}, {(Decimal(t['amount']) / WAN).normalize():f}" for t in rule["tiers"]
            )
        return init

"""Forms of the attraction app: parsing and widgets only; the rules are in `services`. Amounts
are typed in 万元 and multiplied by WAN here."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, _parent_regions
from zhuqi.core.models import Department, Role, User
from zhuqi.core.units import MAX_YEAR, MIN_YEAR, WAN

from .models import (
    CLOCK_MAX_DAYS,
    CLOCK_MIN_DAYS,
    WEEKDAYS,
    Chain,
    ChainNode,
    ClockKind,
    Contract,
    FundSource,
    Lead,
    Obligation,
    Pipeline,
    Source,
    SplitMethod,
    SplitTo,
    Target,
    Verdict,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _style(form) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.CheckboxInput):
            continue
        f.widget.attrs.setdefault(
            "class", "form-select" if isinstance(f, forms.ChoiceField) else "form-control"
        )


class WanField(forms.DecimalField):
    """An amount typed in 万元, cleaned to yuan."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else value * WAN


class LeadForm(Form):
    pipeline = forms.ModelChoiceField(Pipeline.objects.filter(is_active=True), label=_("线索类型"))
    title = forms.CharField(label=_("项目名称"), max_length=200)
    investor_name = forms.CharField(label=_("投资方"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    investor_region = forms.CharField(label=_("投资方所在地"), max_length=60, required=False)
    source = forms.ChoiceField(label=_("线索来源"), choices=Source.choices)
    referrer = forms.CharField(label=_("推荐人/信息提供方"), max_length=100, required=False)
    amount = WanField(label=_("计划投资（万元）"))
    industry_code = forms.CharField(label=_("国民经济行业代码"), max_length=5, required=False)
    chain_node = forms.ModelChoiceField(None, label=_("产业链环节"), required=False)
    land_mu = forms.DecimalField(
        label=_("用地需求（亩）"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    site = forms.CharField(label=_("拟选址"), max_length=100, required=False)
    region = forms.ModelChoiceField(None, label=_("落地区划/园区"))
    team = forms.ModelChoiceField(None, label=_("招商小组"), required=False)
    owner = forms.ModelChoiceField(None, label=_("责任人"), required=False)
    registered_on = forms.DateField(label=_("登记日期"), widget=_DATE)
    phase_of = forms.ModelChoiceField(
        None,
        label=_("二期项目：所属前期项目"),
        required=False,
        help_text=_("本项目是已签约项目的二期（后续期）时选择；其到位资金不作为新项目认定为省外到位资金"),
    )
    content = forms.CharField(label=_("项目内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _parent_regions(user)
        self.fields["team"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        self.fields["owner"].queryset = (
            User.objects.visible_to(user).filter(is_active=True).order_by("username")
        )
        self.fields["chain_node"].queryset = ChainNode.objects.filter(
            chain__in=Chain.objects.visible_to(user)
        ).select_related("chain")
        self.fields["phase_of"].queryset = (
            Lead.objects.visible_to(user)
            .filter(pk__in=Contract.objects.filter(kind=Contract.Kind.FORMAL).values("lead_id"))
            .order_by("-registered_on", "-pk")
        )
        if editing:
            del self.fields["pipeline"]
        _style(self)


class MoveForm(Form):
    to_stage = forms.ChoiceField(label=_("转到"))
    reason = forms.CharField(label=_("原因/说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(str(s.pk), f"{label} → {s.name}") for label, s in targets]
        _style(self)


class PrereviewStartForm(Form):
    days = forms.IntegerField(label=_("反馈期限（工作日）"), min_value=1, max_value=60, initial=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class OpinionForm(Form):
    verdict = forms.ChoiceField(label=_("意见"), choices=Verdict.choices)
    conditions = forms.CharField(
        label=_("条件/理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ConcludeForm(Form):
    conclusion = forms.ChoiceField(label=_("综合意见"), choices=Verdict.choices)
    summary = forms.CharField(label=_("综合预审意见"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ContractForm(Form):
    kind = forms.ChoiceField(label=_("合同类型"), choices=Contract.Kind.choices)
    number = forms.CharField(label=_("合同编号"), max_length=60, required=False)
    signed_on = forms.DateField(label=_("签约日期"), widget=_DATE)
    amount = WanField(label=_("合同投资额（万元）"))
    planned_start = forms.DateField(label=_("约定开工日期"), required=False, widget=_DATE)
    planned_completion = forms.DateField(label=_("约定竣工日期"), required=False, widget=_DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ObligationRowForm(Form):
    kind = forms.ChoiceField(
        label=_("履约事项"), choices=[("", "—"), *Obligation.Kind.choices], required=False
    )
    target = forms.DecimalField(label=_("约定值"), max_digits=16, decimal_places=2, required=False)
    due_on = forms.DateField(label=_("约定期限"), required=False, widget=_DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


ObligationRows = formset_factory(ObligationRowForm, extra=5, max_num=20)


class ObligationCheckForm(Form):
    status = forms.ChoiceField(
        label=_("履约状态"),
        choices=[(k, v) for k, v in Obligation.Status.choices if k != Obligation.Status.DUE],
    )
    actual = forms.DecimalField(label=_("实际值"), max_digits=16, decimal_places=2, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ConvertForm(Form):
    code = forms.CharField(label=_("项目编号"), max_length=40)
    leader = forms.ModelChoiceField(None, label=_("包抓县领导"))
    department = forms.ModelChoiceField(None, label=_("责任单位"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = User.objects.visible_to(user).filter(
            is_active=True, role=Role.LEADER
        )
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        _style(self)


class FundForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices)
    amount = WanField(label=_("到位资金（万元）"))
    evidence = forms.CharField(label=_("佐证材料（到位资金分割证明）"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class LedgerCloseForm(Form):
    """关账 or 重新开账 of a month of a region's 台账 (the rules live in the service)."""

    op = forms.ChoiceField(choices=[("close", _("关账")), ("reopen", _("重新开账"))])
    region = forms.ModelChoiceField(None, label=_("区划"))
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    reason = forms.CharField(label=_("重新开账原因"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _parent_regions(user)


class TargetForm(Form):
    name = forms.CharField(label=_("企业名称"), max_length=200)
    headquarters = forms.CharField(label=_("总部所在地"), max_length=60, required=False)
    home_region = forms.CharField(label=_("所在省份/地区"), max_length=30, required=False)
    tags = forms.MultipleChoiceField(
        label=_("标签"), choices=Target.Tag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    products = forms.CharField(label=_("主营产品"), max_length=200, required=False)
    chain_node = forms.ModelChoiceField(None, label=_("产业链环节"), required=False)
    approach = forms.CharField(label=_("对接方案"), max_length=200, required=False)
    approach_on = forms.DateField(label=_("计划对接日期"), required=False, widget=_DATE)
    status = forms.ChoiceField(label=_("状态"), choices=Target.Status.choices)
    region = forms.ModelChoiceField(None, label=_("区划"))
    team = forms.ModelChoiceField(None, label=_("招商小组"), required=False)
    owner = forms.ModelChoiceField(None, label=_("责任人"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _parent_regions(user)
        self.fields["team"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        self.fields["owner"].queryset = (
            User.objects.visible_to(user).filter(is_active=True).order_by("username")
        )
        self.fields["chain_node"].queryset = ChainNode.objects.filter(
            chain__in=Chain.objects.visible_to(user)
        ).select_related("chain")
        for name, f in self.fields.items():
            if name != "tags":
                f.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(f, forms.ChoiceField) else "form-control"
                )


class ReviewRuleForm(Form):
    region = forms.ModelChoiceField(None, label=_("区划"))
    department = forms.ModelChoiceField(None, label=_("预审部门"))
    industry_prefix = forms.CharField(
        label=_("行业代码前缀"),
        max_length=5,
        required=False,
        help_text=_("留空为常设预审部门；如 13 农副食品加工业"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _parent_regions(user)
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        _style(self)


def _days_field(label):
    message = _("请填写 1–60 之间的整数（工作日）")
    return forms.IntegerField(
        label=label,
        min_value=CLOCK_MIN_DAYS,
        max_value=CLOCK_MAX_DAYS,
        error_messages={
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "required": _("请填写工作日数"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )


class ClockSettingForm(Form):
    """A region's clock defaults: the threshold in 万元 (cleaned to yuan) and whole working days.
    The region comes from the page's region picker."""

    threshold = WanField(
        label=_("计时起点：计划投资达到（万元）"),
        help_text=_("1 亿元 = 10000 万元"),
        error_messages={"invalid": _("请填写金额（万元）"), "required": _("请填写计时起点（万元）")},
    )
    respond_days = _days_field(_("响应（工作日）"))
    judge_days = _days_field(_("研判（工作日）"))
    feedback_days = _days_field(_("反馈推荐人（工作日）"))
    progress_days = _days_field(_("报告进展间隔（工作日）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ClockStopForm(Form):
    kind = forms.ChoiceField(label=_("时限"), choices=ClockKind.choices)
    note = forms.CharField(label=_("办理情况"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget = forms.HiddenInput()
        _style(self)


class WeeklyReportForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    week = forms.IntegerField(label=_("周次"), min_value=1, max_value=53)
    met = forms.CharField(
        label=_("本周对接拜访情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("拜访了哪些企业、商协会、中介，谈了什么"),
    )
    new_leads = forms.CharField(
        label=_("新获取线索"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("投资方、项目、计划投资额；已登记为招商线索的写明线索名称"),
    )
    next_week = forms.CharField(
        label=_("下周工作计划"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AbroadTeamForm(Form):
    department = forms.ModelChoiceField(None, label=_("部门"))
    station = forms.CharField(label=_("驻点城市"), max_length=40, help_text=_("如 上海、深圳、合肥"))
    due_weekday = forms.TypedChoiceField(label=_("周报截止日"), choices=WEEKDAYS, coerce=int, initial=4)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        _style(self)


class MeetingForm(Form):
    region = forms.ModelChoiceField(None, label=_("区划"))
    title = forms.CharField(label=_("会议名称"), max_length=100)
    held_on = forms.DateField(label=_("会议日期"), widget=_DATE)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    chair = forms.CharField(label=_("主持人"), max_length=60, required=False)
    attendees = forms.CharField(label=_("参会人员"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _parent_regions(user)
        _style(self)


class AnnualTargetForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    region = forms.ModelChoiceField(None, label=_("区划"))
    team = forms.ModelChoiceField(
        None, label=_("招商小组"), required=False, help_text=_("留空为区划的总目标")
    )
    signed_count = forms.IntegerField(label=_("签约亿元以上项目（个）"), min_value=0, max_value=100000)
    signed_5 = forms.IntegerField(
        label=_("其中 5 亿元以上（个）"),
        min_value=0,
        max_value=100000,
        required=False,
        help_text=_("不设可留空"),
    )
    signed_20 = forms.IntegerField(
        label=_("其中 20 亿元以上（个）"), min_value=0, max_value=100000, required=False
    )
    signed_50 = forms.IntegerField(
        label=_("其中 50 亿元以上（个）"), min_value=0, max_value=100000, required=False
    )
    signed_chain = forms.IntegerField(
        label=_("其中延链补链亿元以上（个）"),
        min_value=0,
        max_value=100000,
        required=False,
        help_text=_("签约亿元以上项目中，所在产业链环节标为延链或补链的项目；不设可留空"),
    )
    signed_amount = WanField(label=_("签约额（万元）"), min_value=0)
    funds = WanField(label=_("省外到位资金（万元）"), min_value=0)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _parent_regions(user)
        self.fields["team"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        _style(self)


class ChainForm(Form):
    name = forms.CharField(label=_("产业链名称"), max_length=40)
    region = forms.ModelChoiceField(None, label=_("区划"))
    leader = forms.ModelChoiceField(
        None, label=_("链长"), required=False, help_text=_("链长制：负责本链的领导")
    )
    department = forms.ModelChoiceField(None, label=_("牵头部门"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _parent_regions(user)
        self.fields["leader"].queryset = (
            User.objects.visible_to(user).filter(is_active=True).order_by("username")
        )
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        _style(self)


class ChainNodeForm(Form):
    parent = forms.ModelChoiceField(
        None, label=_("上级环节"), required=False, empty_label=_("（无：产业链下的一级环节）")
    )
    name = forms.CharField(label=_("环节名称"), max_length=40)
    position = forms.ChoiceField(label=_("位置"), choices=ChainNode.Position.choices)
    industry_codes = forms.CharField(
        label=_("国民经济行业代码"),
        max_length=200,
        required=False,
        help_text=_(
            "GB/T 4754 代码，2 至 4 位数字，多个用逗号分隔，如 2614,2651；按大类（前两位）建议本地企业"
        ),
    )
    gap = forms.ChoiceField(label=_("缺链类型"), choices=ChainNode.Gap.choices, required=False)

    def __init__(self, *args, chain=None, node=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = ChainNode.objects.filter(chain=chain, is_active=True)
        if node is not None:
            parents = parents.exclude(pk=node.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda n: n.name
        _style(self)


class PlaceEnterpriseForm(Form):
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        help_text=_("建议名单之外的本地企业，按信用代码加到本环节"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AnnualSplitForm(Form):
    """How an annual target is decomposed; the manual parts are the preview's cells."""

    split_to = forms.ChoiceField(label=_("分解到"), choices=SplitTo.choices, initial=SplitTo.QUARTER)
    method = forms.ChoiceField(label=_("分解方式"), choices=SplitMethod.choices, initial=SplitMethod.EQUAL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

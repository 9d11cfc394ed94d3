"""Forms of the indicators' settings pages: parsing and widgets only; the rules are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, _parent_regions, _styled
from zhuqi.enterprises.models import Enterprise

from .models import Aggregation, Audience, DataSet, Indicator, IndicatorKind, Unit


class DataSetForm(Form):
    code = forms.SlugField(label=_("代码"), max_length=40, help_text=_("字母、数字、下划线，建好后不能修改"))
    name = forms.CharField(label=_("名称"), max_length=80)
    region = forms.ModelChoiceField(None, label=_("所属区划"))
    period_type = forms.ChoiceField(label=_("报送周期"))
    audience = forms.ChoiceField(label=_("报送范围"), choices=Audience.choices)
    enterprises = forms.ModelMultipleChoiceField(
        None, label=_("指定企业"), required=False, help_text=_("报送范围为“指定企业名单”时选择")
    )
    due_working_days = forms.IntegerField(
        label=_("报送期限（期末后第几个工作日）"), min_value=1, max_value=60, initial=5
    )
    merge_jan_feb = forms.BooleanField(label=_("1—2月合并报送"), required=False, initial=True)
    indicators = forms.ModelMultipleChoiceField(
        Indicator.objects.all(),
        label=_("指标"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("按指标目录的顺序排列"),
    )
    required = forms.ModelMultipleChoiceField(
        Indicator.objects.all(),
        label=_("必填指标"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("一项都不选时，报表中的指标全部必填"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user=None, dataset: DataSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _parent_regions(user)
        self.fields["period_type"].choices = DataSet._meta.get_field("period_type").choices
        entered = Indicator.objects.filter(kind=IndicatorKind.ENTERED, is_active=True)
        self.fields["indicators"].queryset = entered
        self.fields["required"].queryset = entered
        self.fields["enterprises"].queryset = Enterprise.objects.visible_to(user).order_by("name")
        self.fields["enterprises"].widget.attrs["data-tom-select"] = "1"
        if dataset is not None:
            self.fields["code"].disabled = True
        bounds = gettext("报送期限应是 1 到 60 之间的整数")
        self.fields["due_working_days"].error_messages.update(
            {"min_value": bounds, "max_value": bounds, "invalid": bounds}
        )
        _styled(self)
        for name in ("indicators", "required"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class IndicatorForm(Form):
    code = forms.SlugField(label=_("代码"), max_length=40, help_text=_("字母、数字、下划线，建好后不能修改"))
    name = forms.CharField(label=_("名称"), max_length=60)
    unit = forms.ChoiceField(label=_("单位"), choices=Unit.choices)
    aggregation = forms.ChoiceField(label=_("汇总方式"), choices=Aggregation.choices)
    cumulative = forms.BooleanField(label=_("按累计填报（1—N月累计）"), required=False, initial=True)
    kind = forms.ChoiceField(label=_("类别"), choices=IndicatorKind.choices)
    can_decrease = forms.BooleanField(label=_("可为负或下降（如利润）"), required=False)
    decimals = forms.IntegerField(label=_("小数位"), min_value=0, max_value=4, initial=1)
    numerator = forms.ModelChoiceField(Indicator.objects.all(), label=_("分子指标"), required=False)
    denominator = forms.ModelChoiceField(Indicator.objects.all(), label=_("分母指标"), required=False)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, indicator: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parts = Indicator.objects.exclude(aggregation=Aggregation.RATIO)
        self.fields["numerator"].queryset = parts
        self.fields["denominator"].queryset = parts
        if indicator is not None:
            self.fields["code"].disabled = True
        bounds = gettext("小数位应是 0 到 4 之间的整数")
        self.fields["decimals"].error_messages.update(
            {"min_value": bounds, "max_value": bounds, "invalid": bounds}
        )
        _styled(self)

"""Forms of the oversight pages: parsing and widgets only; the rules are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, _styled
from zhuqi.core.models import Department

from .models import Frequency, ListKind, Priority, Source

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemForm(Form):
    title = forms.CharField(label=_("事项名称"), max_length=200)
    requirement = forms.CharField(
        label=_("具体要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.MEETING)
    source_text = forms.CharField(
        label=_("来源说明"), max_length=200, required=False, help_text=_("如：县政府常务会议 2026 年第 5 次")
    )
    source_ref = forms.CharField(
        label=_("关联编号"),
        max_length=40,
        required=False,
        help_text=_("来源为超时诉求、滞后项目、滞后指标时填写诉求编号、项目编号或指标名称"),
    )
    lead_department = forms.ModelChoiceField(Department.objects.none(), label=_("牵头单位"))
    assisting_departments = forms.ModelMultipleChoiceField(
        Department.objects.none(), label=_("配合单位"), required=False
    )
    working_days = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=250, initial=10)
    priority = forms.ChoiceField(label=_("重要程度"), choices=Priority.choices)
    report_frequency = forms.ChoiceField(label=_("报送频次"), choices=Frequency.choices)
    list_kind = forms.ChoiceField(
        label=_("所属清单"), choices=[("", _("不属于年度清单")), *ListKind.choices], required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        depts = Department.objects.visible_to(user).filter(is_active=True).select_related("region")
        self.fields["lead_department"].queryset = depts
        self.fields["assisting_departments"].queryset = depts
        _styled(self)


class ReplyForm(Form):
    body = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 3}))
    progress_pct = forms.DecimalField(label=_("完成进度（%）"), min_value=0, max_value=100, required=False)


class ExtensionForm(Form):
    new_due_on = forms.DateField(label=_("申请延至"), widget=DATE)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))

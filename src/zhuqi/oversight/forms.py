"""Forms of the oversight pages: parsing and widgets only; the rules are in services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, _styled, active_or_current
from zhuqi.core.models import Department, Region
from zhuqi.core.roles import OFFICIAL_ROLES
from zhuqi.core.scope import scope_for

from .models import CalendarKind, DayRule, Frequency, ListKind, Priority, Recurrence, Source
from .services_calendar import WEEKDAYS

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
        help_text=_(
            "来源为超时诉求、滞后项目、滞后指标、违约项目时填写诉求编号、项目编号、指标名称或履约事项编号"
        ),
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


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = obj.department.short_name or obj.department.name if obj.department_id else ""
        return f"{obj.display_name}（{where}）" if where else obj.display_name


class CalendarEventForm(Form):
    """An event of the oversight calendar (督查日历); the service checks which of weekday, day and
    month the recurrence needs, and that the preparers belong to the region."""

    title = forms.CharField(label=_("名称"), max_length=100, help_text=_("如：“工招园”工作周调度会"))
    kind = forms.ChoiceField(label=_("类型"), choices=CalendarKind.choices)
    region = forms.ModelChoiceField(Region.objects.none(), label=_("区划"))
    recurrence = forms.ChoiceField(
        label=_("周期"),
        choices=Recurrence.choices,
        help_text=_("每周：选星期；每月：填日；每季度：填季度中的第几个月和日；每年：填月份和日"),
    )
    weekday = forms.ChoiceField(
        label=_("星期（每周）"),
        required=False,
        choices=[("", "—")] + [(str(i), _(w)) for i, w in enumerate(WEEKDAYS)],
    )
    day_rule = forms.ChoiceField(label=_("日期规则"), choices=DayRule.choices, initial=DayRule.CALENDAR)
    day = forms.IntegerField(
        label=_("日（每月、每季度、每年）"),
        required=False,
        min_value=1,
        max_value=31,
        help_text=_("几号；超过月末的取月末。按工作日计时填第几个工作日（1–15）"),
    )
    month = forms.IntegerField(
        label=_("月份（每季度、每年）"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("每季度：季度中的第几个月（1–3）；每年：几月（1–12）"),
    )
    lead_days = forms.IntegerField(label=_("提前提醒（工作日）"), min_value=0, max_value=60, initial=3)
    department = forms.ModelChoiceField(
        Department.objects.none(), label=_("准备单位"), required=False, empty_label=_("—（不指定）")
    )
    preparer = PersonChoiceField(
        get_user_model().objects.none(),
        label=_("准备人"),
        required=False,
        empty_label=_("—（不指定）"),
        help_text=_("选了准备人只提醒此人，否则提醒准备单位的在岗人员；两项至少选一项"),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        regions = Region.objects.visible_to(user).exclude(kind="grid").order_by("path")
        if not scope.is_admin:
            regions = regions.filter(path__startswith=scope.region_path or "\x00")
        current = (event.region_id, event.department_id) if event is not None else (None, None)
        self.fields["region"].queryset = active_or_current(regions, current[0])
        self.fields["department"].queryset = active_or_current(
            Department.objects.visible_to(user).select_related("region").order_by("region__path", "name"),
            current[1],
        )
        self.fields["preparer"].queryset = (
            get_user_model()
            .objects.visible_to(user)
            .filter(is_active=True, role__in=OFFICIAL_ROLES)
            .select_related("department")
            .order_by("department__name", "username")
        )
        _styled(self)

"""Forms of the coordination meetings (协调会): field parsing and widgets; the rules are in
`services_coordination`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form
from zhuqi.core.models import Department, User
from zhuqi.core.roles import Role

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label):
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def _style(form) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.SelectMultiple):
            f.widget.attrs.setdefault("data-tom-select", "1")
        f.widget.attrs.setdefault(
            "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
        )


class ScheduleForm(Form):
    """安排协调会: when, where, who chairs, which departments attend (the cases are the rows ticked
    in the queue)."""

    scheduled_at = _datetime_field(_("会议时间"))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    title = forms.CharField(
        label=_("会议名称"), max_length=100, required=False, help_text=_("留空：按日期命名")
    )
    convener = forms.ModelChoiceField(User.objects.none(), label=_("主持领导"), required=False)
    departments = forms.ModelMultipleChoiceField(
        Department.objects.none(), label=_("参会部门"), required=False
    )
    attendees = forms.CharField(
        label=_("其他参会人员"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convener"].queryset = (
            User.objects.visible_to(user).filter(role=Role.LEADER, is_active=True).order_by("username")
        )
        self.fields["departments"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        _style(self)


class RecordForm(Form):
    """记录会议结果: the meeting as held (the decisions per case are fields named after each case)."""

    held_at = _datetime_field(_("实际召开时间"))
    attendees = forms.CharField(
        label=_("参会人员"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(
        label=_("会议纪要（总体）"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CancelForm(Form):
    reason = forms.CharField(label=_("取消原因"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

"""Forms of the assistance pages (input parsing only; services validate and write)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.cases.forms import category_choices
from zhuqi.core.forms import Form, active_or_current
from zhuqi.core.models import Department, User
from zhuqi.core.roles import Role
from zhuqi.core.services import validate_photo
from zhuqi.enterprises.models import Enterprise

from .models import AssignmentRole, Meeting, Period, Visit


def _style(form):
    for field in form.fields.values():
        w = field.widget
        if isinstance(w, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        w.attrs.setdefault("class", "form-select" if isinstance(w, forms.Select) else "form-control")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class PhotoField(MultipleFileField):
    """Several photos; each must be a picture by its content (a .txt renamed .jpg is refused)."""

    def clean(self, data, initial=None):
        uploads = super().clean(data, initial)
        for upload in uploads:
            validate_photo(upload)
        return uploads


class VisitForm(Form):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(
        label=_("方式"), choices=Visit.Kind.choices, widget=forms.RadioSelect, initial=Visit.Kind.ONSITE
    )
    findings = forms.CharField(
        label=_("走访情况"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("生产经营、在建项目、用工用电、企业诉求……")}
        ),
    )
    companions = forms.CharField(label=_("同行人员"), max_length=200, required=False)
    photos = PhotoField(label=_("现场照片"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Case, IntegerField, Value, When

        from zhuqi.enterprises.selectors import assigned_q

        # the official's own enterprises first, then the rest of their scope
        self.fields["enterprise"].queryset = (
            Enterprise.objects.visible_to(user)
            .annotate(
                is_mine=Case(
                    When(assigned_q(user), then=Value(1)), default=Value(0), output_field=IntegerField()
                )
            )
            .order_by("-is_mine", "name_initials")
        )
        self.fields["visited_on"].initial = timezone.localdate()
        _style(self)


class VisitProblemForm(Form):
    """One problem the enterprise raised on the visit; each becomes a case (诉求)."""

    category = forms.TypedChoiceField(label=_("问题类别"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(
        label=_("企业反映的问题"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("企业反映的具体问题")}),
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories if categories is not None else category_choices()
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("category") and not (data.get("description") or "").strip():
            self.add_error("description", _("请填写企业反映的问题"))
        return data


class BaseVisitProblemFormSet(forms.BaseFormSet):
    def problems(self) -> list[tuple[int | None, str]]:
        """(category id or None, description) of the rows filled in."""
        if not self.is_bound:
            return []
        return [
            (f.cleaned_data.get("category"), f.cleaned_data["description"].strip())
            for f in self.forms
            if (f.cleaned_data.get("description") or "").strip()
        ]


VisitProblemFormSet = forms.formset_factory(
    VisitProblemForm, formset=BaseVisitProblemFormSet, extra=1, max_num=20, validate_max=True
)


def visit_problem_formset(data=None):
    """The problem rows of the visit form (prefix "problems"), the category list read once."""
    return VisitProblemFormSet(data, prefix="problems", form_kwargs={"categories": category_choices()})


class AssignForm(Form):
    role = forms.ChoiceField(label=_("帮扶角色"), choices=AssignmentRole.choices)
    user = forms.ModelChoiceField(label=_("责任人"), queryset=User.objects.none())
    department = forms.ModelChoiceField(
        label=_("包抓部门"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.visible_to(viewer).filter(is_active=True).exclude(role=Role.ENTERPRISE)
        )
        self.fields["user"].widget.attrs["data-tom-select"] = "1"
        self.fields["department"].queryset = active_or_current(Department.objects.visible_to(viewer))
        _style(self)


class HandOverForm(Form):
    to_user = forms.ModelChoiceField(label=_("接手人"), queryset=User.objects.none())
    reason = forms.CharField(label=_("交接原因"), max_length=150)

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = (
            User.objects.visible_to(viewer).filter(is_active=True).exclude(role=Role.ENTERPRISE)
        )
        self.fields["to_user"].widget.attrs["data-tom-select"] = "1"
        _style(self)


class PlanForm(Form):
    goals = forms.CharField(label=_("帮扶目标"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class MeasureForm(Form):
    title = forms.CharField(
        label=_("措施"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("新增措施，如：协调解决二期用地指标")}),
    )
    deadline = forms.DateField(
        label=_("完成时限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    owner = forms.ModelChoiceField(
        label=_("责任人"), queryset=User.objects.none(), required=False, empty_label=_("责任人（可选）")
    )

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.visible_to(viewer).filter(is_active=True).exclude(role=Role.ENTERPRISE)
        )
        _style(self)


class ProgressForm(Form):
    progress = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100)
    note = forms.CharField(label=_("进展情况"), max_length=2000)


class MeetingForm(Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("主题"), max_length=200)
    held_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    enterprises = forms.ModelMultipleChoiceField(
        label=_("参会企业"), queryset=Enterprise.objects.none(), required=False
    )
    summary = forms.CharField(label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(
        label=_("收集的问题（每行一条，可写“企业名称：问题”）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprises"].queryset = Enterprise.objects.visible_to(viewer).order_by("name")
        self.fields["enterprises"].widget.attrs["data-tom-select"] = "1"
        self.fields["held_on"].initial = timezone.localdate()
        _style(self)


class RuleForm(Form):
    period = forms.ChoiceField(label=_("周期"), choices=Period.choices)
    min_visits = forms.IntegerField(label=_("至少（次）"), min_value=1, max_value=31)
    remind_days = forms.IntegerField(label=_("提前提醒（天）"), min_value=0, max_value=60)


class VisitCorrectionForm(Form):
    """Correct a visit: the fields as recorded, and the reason (required)."""

    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label=_("方式"), choices=Visit.Kind.choices)
    companions = forms.CharField(label=_("同行人员"), max_length=200, required=False)
    findings = forms.CharField(label=_("走访情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label=_("更正原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class WithdrawForm(Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

"""Forms of the projects pages; choices are limited to what the user may see."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, ModelForm, active_or_current
from zhuqi.core.models import Department, Region, User
from zhuqi.core.roles import Role
from zhuqi.core.units import MAX_YEAR, MIN_YEAR, WAN
from zhuqi.enterprises.models import Enterprise

from .models import ApprovalStep, Project, Stage, Task
from .services import LEDGER_REQUIRED

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (no per-template markup)."""
    for field in form.fields.values():
        w = field.widget
        if isinstance(w, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select form-select-sm")
        else:
            w.attrs.setdefault("class", "form-control form-control-sm")


class ZForm(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ProjectForm(ModelForm):
    tags = forms.MultipleChoiceField(
        label=_("标签"),
        required=False,
        choices=[(t, t) for t in Project.TAG_CHOICES],
        widget=forms.CheckboxSelectMultiple,
    )
    total_investment_wan = forms.DecimalField(label=_("总投资（万元）"), min_value=0, decimal_places=2)
    year_planned_wan = forms.DecimalField(
        label=_("年度计划投资（万元）"), min_value=0, decimal_places=2, required=False
    )

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "kind",
            "industry",
            "level",
            "region",
            "owner",
            "planned_start",
            "planned_completion",
            "leader",
            "department",
            "team",
            "description",
        ]
        widgets = {
            "planned_start": DATE,
            "planned_completion": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = active_or_current(
            Region.objects.visible_to(user).filter(kind__in=["county", "town", "park", "city"]),
            self.instance.region_id,
        )
        self.fields["owner"].queryset = Enterprise.objects.visible_to(user)
        self.fields["department"].queryset = active_or_current(
            Department.objects.visible_to(user), self.instance.department_id
        )
        people = User.objects.visible_to(user).filter(is_active=True).exclude(role=Role.ENTERPRISE)
        self.fields["leader"].queryset = people.filter(role=Role.LEADER)
        self.fields["team"].queryset = people
        self.fields["team"].required = False
        # 五个一: marked required (the label's mark, the browser's check); the service refuses a
        # project without them, with the other refusals of the same save (services._check_ledger)
        for name in LEDGER_REQUIRED:
            self.fields[name].widget.attrs["required"] = True
        for name in ("region", "owner", "department", "leader", "team"):
            self.fields[name].widget.attrs["data-tom-select"] = "1"
        if self.instance.pk:
            self.fields["tags"].initial = self.instance.tags
            self.fields["total_investment_wan"].initial = self.instance.total_investment / WAN
            self.fields["year_planned_wan"].initial = self.instance.year_planned_investment / WAN
            self.fields["code"].disabled = True
        bootstrap(self)


def _case_limit(name: str) -> int | None:
    from zhuqi.cases.models import Case

    return Case._meta.get_field(name).max_length


class ProblemForm(ZForm):
    """登记项目问题 on the project page: the problem becomes a case, so its limits are the case's
    (said while typing, refused by the server, never cut)."""

    title = forms.CharField(
        label=_("诉求标题"),
        max_length=_case_limit("title"),
        widget=forms.TextInput(attrs={"placeholder": _("问题标题，如：施工用电线路未接入")}),
    )
    description = forms.CharField(
        label=_("问题描述"),
        max_length=_case_limit("description"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("问题描述")}),
    )


class StageForm(ZForm):
    to_stage = forms.ChoiceField(label=_("转到阶段"), choices=Stage.choices)
    date = forms.DateField(label=_("发生日期"), widget=DATE)
    evidence = forms.CharField(
        label=_("佐证材料/原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApprovalStartForm(ZForm):
    started_on = forms.DateField(label=_("受理日期"), widget=DATE)


class ApprovalDoneForm(ZForm):
    done_on = forms.DateField(label=_("办结日期"), widget=DATE)


class TaskForm(ZForm):
    name = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=Task.Kind.choices)
    start = forms.DateField(label=_("开始"), widget=DATE)
    duration = forms.IntegerField(label=_("工期（工作日）"), min_value=0, initial=5)
    after = forms.ModelChoiceField(label=_("前置任务"), queryset=Task.objects.none(), required=False)
    lag = forms.IntegerField(label=_("间隔（工作日）"), initial=0, min_value=0)
    owner_name = forms.CharField(label=_("责任人"), max_length=50, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["after"].queryset = Task.objects.filter(project=project)


class DependencyForm(ZForm):
    predecessor = forms.ModelChoiceField(label=_("前置任务"), queryset=Task.objects.none())
    successor = forms.ModelChoiceField(label=_("后续任务"), queryset=Task.objects.none())
    lag = forms.IntegerField(label=_("间隔（工作日）"), initial=0, min_value=0)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Task.objects.filter(project=project)
        self.fields["predecessor"].queryset = qs
        self.fields["successor"].queryset = qs


class BackwardForm(ZForm):
    target = forms.DateField(label=_("目标完成日期"), widget=DATE)


class ActualForm(ZForm):
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    amount_wan = forms.DecimalField(label=_("本月完成投资（万元）"), min_value=0, decimal_places=2)
    # asked for only when the month already has a different value (the confirmation step)
    reason = forms.CharField(label=_("修改原因"), max_length=200, required=False)
    confirm = forms.BooleanField(label=_("确认修改已填报的数值"), required=False)


class PlanForm(ZForm):
    METHODS = [("even", _("平均分解")), ("profile", _("按比例分解")), ("manual", _("逐月填写"))]
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    amount_wan = forms.DecimalField(
        label=_("年度计划（万元）"), min_value=0, decimal_places=2, required=False
    )
    method = forms.ChoiceField(label=_("分解方式"), choices=METHODS)
    values = forms.CharField(
        label=_("12 个月的比例或金额（万元），逗号分隔"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "1,1,2,2,…"}),
    )

    def clean_values(self):
        text = (self.cleaned_data.get("values") or "").replace("，", ",").strip()
        if not text:
            return None
        try:
            return [float(v) for v in text.split(",")]
        except ValueError as exc:
            raise forms.ValidationError(_("请填写 12 个数字，用逗号分隔")) from exc


APPROVAL_STATUS = ApprovalStep.Status


#: the kinds of region a campaign is organised by (not a grid)
ORGANISING_KINDS = ("province", "city", "county", "town", "park")


def _organising_regions(user):
    return Region.objects.visible_to(user).filter(kind__in=ORGANISING_KINDS).order_by("path")


class CampaignForm(Form):
    """A round of 三个一批; one optional entry threshold (万元) per project kind."""

    name = forms.CharField(label=_("名称"), max_length=100)
    region = forms.ModelChoiceField(label=_("组织区划"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    round_no = forms.IntegerField(label=_("期次"), min_value=1, initial=1)
    held_on = forms.DateField(label=_("活动日期"), required=False, widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = active_or_current(
            _organising_regions(user), self.initial.get("region")
        )
        for kind, label in Project.Kind.choices:
            self.fields[f"threshold_{kind}"] = forms.DecimalField(
                label=_("入库门槛（万元）· %(kind)s") % {"kind": label},
                required=False,
                min_value=0,
                decimal_places=2,
            )
        bootstrap(self)

    def thresholds(self) -> dict:
        """The thresholds in yuan by project kind (blank ones left out)."""
        d = self.cleaned_data
        return {
            kind: d[f"threshold_{kind}"] * WAN
            for kind in Project.Kind.values
            if d.get(f"threshold_{kind}") is not None
        }


class OfficialsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name}（{obj.get_role_display()}）"

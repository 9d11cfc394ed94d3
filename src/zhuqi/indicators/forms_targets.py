"""The target form: field parsing and choices only (the rules live in `services_targets`). Every
reference offers the writer's scope only."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.models import Department, Region, User
from zhuqi.core.scope import assignment_groups
from zhuqi.core.units import MAX_YEAR, MIN_YEAR

from .figures import KIND_LABELS
from .models import Indicator, IndicatorKind, TargetMethod
from .periods import PeriodType


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("指标"), queryset=Indicator.objects.filter(is_active=True).exclude(kind=IndicatorKind.DERIVED)
    )
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    kind = forms.ChoiceField(label=_("对象"), choices=list(KIND_LABELS.items()), initial="region")
    region = forms.ModelChoiceField(label=_("区划"), queryset=Region.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("包抓部门"), queryset=Department.objects.none(), required=False
    )
    leader = forms.ModelChoiceField(label=_("包抓领导"), queryset=User.objects.none(), required=False)
    amount = forms.DecimalField(label=_("年度目标值"), max_digits=20, decimal_places=4, required=False)
    growth = forms.DecimalField(label=_("增长目标（%）"), max_digits=7, decimal_places=2, required=False)
    method = forms.ChoiceField(label=_("分解方式"), choices=TargetMethod.choices, initial=TargetMethod.EQUAL)
    decomposed_to = forms.ChoiceField(
        label=_("分解到"),
        choices=[(PeriodType.MONTH, _("月（并汇总到季）")), (PeriodType.XUN, _("旬（并汇总到月、季）"))],
        initial=PeriodType.MONTH,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.visible_to(user).filter(is_active=True).order_by("path")
        )
        self.fields["department"].queryset = Department.objects.visible_to(user).order_by("name")
        year = self.data.get("year") if self.is_bound else None
        try:
            year = int(year) if year else timezone.localdate().year
        except (TypeError, ValueError):
            year = timezone.localdate().year
        groups = assignment_groups("leader", year)
        leaders = User.objects.visible_to(user).filter(is_active=True)
        leaders = leaders.filter(pk__in=groups.values("group_id")) if groups is not None else leaders.none()
        self.fields["leader"].queryset = leaders.order_by("username")
        self.fields["leader"].label_from_instance = lambda u: u.display_name
        for f in self.fields.values():
            select = isinstance(f.widget, forms.Select)
            f.widget.attrs["class"] = (
                "form-select form-select-sm" if select else "form-control form-control-sm"
            )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and not data.get(kind):
            self.add_error(kind, _("请选择%(k)s") % {"k": KIND_LABELS[kind]})
        return data

    def entity_kwargs(self) -> dict:
        kind = self.cleaned_data["kind"]
        return {kind: self.cleaned_data[kind]}

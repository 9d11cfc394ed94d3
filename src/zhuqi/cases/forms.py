from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, ModelForm, active_or_current
from zhuqi.core.roles import Role
from zhuqi.enterprises.models import Enterprise

from .models import Category, Channel, RoutingRule, Urgency

OFFICIAL_CHANNELS = [c for c in Channel.choices if c[0] not in {Channel.PORTAL, Channel.API}]


def category_choices():
    out = [("", gettext("（请选择 / 由专班分类）"))]
    cats = list(Category.objects.filter(is_active=True).select_related("parent"))
    roots = [c for c in cats if not c.parent_id]
    for root in roots:
        out.append((root.pk, root.name))
        out += [(c.pk, f"　└ {c.name}") for c in cats if c.parent_id == root.pk]
    return out


class CaseForm(Form):
    enterprise = forms.ModelChoiceField(Enterprise.objects.none(), label=_("企业"))
    channel = forms.ChoiceField(label=_("来源渠道"), choices=OFFICIAL_CHANNELS)
    title = forms.CharField(label=_("诉求标题"), max_length=120)
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    category = forms.TypedChoiceField(label=_("问题类别"), required=False, coerce=int, empty_value=None)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    external_no = forms.CharField(label=_("外部工单号"), max_length=60, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    file = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")
        self.fields["category"].choices = category_choices()
        if user is not None and user.role == Role.LEADER:
            self.fields["channel"].initial = Channel.LEADER
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            )


class PortalForm(Form):
    title = forms.CharField(label=_("诉求标题"), max_length=120)
    description = forms.CharField(
        label=_("问题描述"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("请写明问题、影响和希望政府协调的事项"),
    )
    category = forms.TypedChoiceField(
        label=_("问题类别（可不选）"), required=False, coerce=int, empty_value=None
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    file = forms.FileField(label=_("附件（图片、PDF、Word）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            )


class RuleForm(ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["category", "region", "lead_department", "assisting_departments", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        from zhuqi.core.models import Department, Region

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("parent")
        rule = self.instance
        self.fields["region"].queryset = active_or_current(
            Region.objects.visible_to(user).exclude(kind=Region.Kind.GRID), rule.region_id
        )
        kept = [rule.lead_department_id, *(rule.assisting_departments.all() if rule.pk else [])]
        depts = active_or_current(Department.objects.visible_to(user), *kept)
        self.fields["lead_department"].queryset = depts
        self.fields["assisting_departments"].queryset = depts
        self.fields["assisting_departments"].required = False
        if self.instance.pk is None:
            del self.fields["is_active"]
        _styled(self)


# --- configuration: categories, SLA schemes, routing rules -----------------------------------------


def _styled(form) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.CheckboxInput):
            f.widget.attrs.setdefault("class", "form-check-input")
        else:
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            )


class CategoryForm(Form):
    code = forms.CharField(
        label=_("代码"), max_length=30, help_text=_("小写字母、数字、下划线，如 land_quota")
    )
    name = forms.CharField(label=_("名称"), max_length=50)
    parent = forms.ModelChoiceField(
        Category.objects.none(), label=_("上级类别"), required=False, empty_label=_("（无：一级类别）")
    )
    keywords = forms.CharField(
        label=_("关键词"), max_length=500, required=False, help_text=_("以空格分隔，用于自动分类建议")
    )
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, category=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Category.objects.filter(parent=None, is_active=True)
        if category is not None:
            parents = parents.exclude(pk=category.pk)
        self.fields["parent"].queryset = parents
        bounds = gettext("排序应是 0 到 32767 之间的整数")
        self.fields["order"].error_messages.update(
            {"min_value": bounds, "max_value": bounds, "invalid": bounds}
        )
        _styled(self)


class SlaPolicyForm(Form):
    scheme = forms.ChoiceField(label=_("制度"))
    name = forms.CharField(label=_("名称"), max_length=60)
    category = forms.ModelChoiceField(
        Category.objects.none(), label=_("类别"), required=False, empty_label=_("（所有类别）")
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import SlaPolicy
        from .services import MAX_SLA_DAYS, SLA_DAY_FIELDS

        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = SlaPolicy.Scheme.choices
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("parent")
        self.fields["urgency"].choices = [("", gettext("（所有紧急程度）")), *Urgency.choices]
        for name in SLA_DAY_FIELDS:
            label = SlaPolicy._meta.get_field(name).verbose_name
            low = 0 if name == "extension_max_days" else 1
            field = forms.IntegerField(label=label, min_value=low, max_value=MAX_SLA_DAYS)
            bounds = gettext("%(label)s应在 %(low)s 到 %(high)s 个工作日之间") % {
                "label": label,
                "low": low,
                "high": MAX_SLA_DAYS,
            }
            field.error_messages.update(
                {"min_value": bounds, "max_value": bounds, "invalid": bounds, "required": bounds}
            )
            self.fields[name] = field
        _styled(self)


class SlaActivationForm(Form):
    scheme = forms.ChoiceField(label=_("制度"))
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from .models import SlaPolicy

        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = SlaPolicy.Scheme.choices
        self.fields["effective_from"].error_messages["invalid"] = gettext("生效日期请写成 2027-01-01")
        _styled(self)


class CorrectionForm(Form):
    """Correct a registered case: the fields as registered, and the reason (required)."""

    enterprise = forms.ModelChoiceField(Enterprise.objects.none(), label=_("企业"))
    title = forms.CharField(label=_("诉求标题"), max_length=120)
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    category = forms.TypedChoiceField(label=_("问题类别"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(
        label=_("更正原因"), max_length=200, help_text=_("写入诉求的历史记录，例如：登记时选错企业")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")
        self.fields["category"].choices = [("", gettext("未分类"))] + category_choices()[1:]
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            )

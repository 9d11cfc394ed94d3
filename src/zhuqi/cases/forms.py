from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, ModelForm
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
        fields = ["category", "region", "lead_department", "assisting_departments"]

    def __init__(self, *args, user=None, **kwargs):
        from zhuqi.core.models import Department, Region

        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).exclude(kind="grid")
        depts = Department.objects.visible_to(user).filter(is_active=True)
        self.fields["lead_department"].queryset = depts
        self.fields["assisting_departments"].queryset = depts
        self.fields["assisting_departments"].required = False
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select")


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

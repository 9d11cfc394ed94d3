"""Forms of the registry pages (input parsing only; services validate and write)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, active_or_current
from zhuqi.core.models import Region
from zhuqi.core.units import MAX_YEAR, MIN_YEAR, WAN

from .models import EnterpriseList, Industry, Tag, Tier


class EnterpriseForm(Form):
    name = forms.CharField(label=_("企业名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    confirm_unchecked = forms.BooleanField(
        label=_("确认登记未通过校验位检查的代码（早期试点代码，仅管理员）"), required=False
    )
    region = forms.ModelChoiceField(label=_("所在区划（乡镇/园区/网格）"), queryset=Region.objects.none())
    industry = forms.ModelChoiceField(label=_("所属行业"), queryset=Industry.objects.all(), required=False)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=50, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    registered_capital_wan = forms.DecimalField(
        label=_("注册资本（万元）"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    founded_on = forms.DateField(
        label=_("成立日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    above_scale = forms.BooleanField(label=_("规上企业"), required=False)
    above_scale_since = forms.IntegerField(
        label=_("入规年份"), required=False, min_value=1980, max_value=MAX_YEAR
    )
    land_area_mu = forms.DecimalField(
        label=_("用地面积（亩）"), max_digits=10, decimal_places=2, required=False, min_value=0
    )
    employees = forms.IntegerField(label=_("从业人数"), required=False, min_value=0)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    tier = forms.ChoiceField(label=_("梯队"), choices=[("", "—")] + list(Tier.choices), required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("标签"), queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = active_or_current(
            Region.objects.visible_to(user).filter(kind__in=["county", "town", "park", "grid"]),
            self.initial.get("region"),
        )
        self.fields["region"].widget.attrs["data-tom-select"] = "1"
        self.fields["industry"].widget.attrs["data-tom-select"] = "1"
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                continue
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def service_kwargs(self) -> dict:

        d = self.cleaned_data
        out = {
            k: d[k]
            for k in [
                "name",
                "region",
                "industry",
                "legal_representative",
                "address",
                "founded_on",
                "above_scale",
                "above_scale_since",
                "land_area_mu",
                "employees",
                "contact_name",
                "contact_phone",
                "tier",
            ]
        }
        wan = d.get("registered_capital_wan")
        out["registered_capital"] = wan * WAN if wan is not None else None
        out["tags"] = list(d["tags"])
        out["credit_code"] = d["credit_code"]
        out["confirm_unchecked"] = d["confirm_unchecked"]
        return out


class InviteForm(Form):
    """Open an account for a member of an enterprise's staff (企业账号)."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(
        label=_("手机"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    primary = forms.BooleanField(label=_("设为主要联系人"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["invalid"] = _("电子邮箱格式不正确")
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-check-input" if name == "primary" else "form-control form-control-sm"
            )


class ContactsForm(Form):
    """An enterprise user's own contact details and its enterprise's contact fields."""

    full_name = forms.CharField(
        label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    mobile = forms.CharField(
        label=_("手机"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    contact_name = forms.CharField(label=_("企业联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("企业联系电话"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["invalid"] = _("电子邮箱格式不正确")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


def _style(form) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.CheckboxInput):
            f.widget.attrs.setdefault("class", "form-check-input")
        else:
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            )


#: the kinds of region a list, a campaign or a ranking is organised by (not a grid)
ORGANISING_KINDS = ("province", "city", "county", "town", "park")


class EnterpriseListForm(Form):
    """A named list (清单) or a cultivation pool (培育库)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=EnterpriseList.Kind.choices)
    pool = forms.ChoiceField(
        label=_("培育方向（培育库）"), choices=[("", "—"), *EnterpriseList.Pool.choices], required=False
    )
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    goal = forms.IntegerField(label=_("年度目标（户）"), min_value=0, required=False)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = active_or_current(
            Region.objects.visible_to(user).filter(kind__in=ORGANISING_KINDS).order_by("path"),
            self.initial.get("region"),
        )
        _style(self)

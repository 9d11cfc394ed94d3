"""Forms of the account pages (用户管理, 忘记密码, passwords): field parsing and widgets only;
the rules live in `core.services_accounts`."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .forms import Form, active_or_current, plain_errors
from .models import Department, Region, Role
from .services_accounts import managed_users


def _controls(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class OfficialForm(Form):
    """Create (with a username) or edit an official's account."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("角色"))
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=Region.objects.none())
    department = forms.ModelChoiceField(
        label=_("所属部门"), queryset=Department.objects.none(), required=False
    )
    title = forms.CharField(label=_("职务"), max_length=60, required=False)
    mobile = forms.CharField(
        label=_("手机"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args, viewer, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["username"]
        roles = [(v, label) for v, label in Role.choices if v != Role.ENTERPRISE]
        if not viewer.is_system_admin:
            roles = [(v, label) for v, label in roles if v != Role.ADMIN]
        self.fields["role"].choices = [("", "—"), *roles]
        regions = Region.objects.visible_to(viewer).exclude(kind=Region.Kind.PROVINCE)
        if viewer.is_system_admin:
            regions = Region.objects.all()
        # a deactivated region or department is offered to nobody new; a person already in one
        # keeps it selectable (the edit form's initial values)
        self.fields["region"].queryset = active_or_current(regions, self.initial.get("region"))
        self.fields["department"].queryset = active_or_current(
            Department.objects.visible_to(viewer).select_related("region"), self.initial.get("department")
        )
        self.fields["email"].error_messages["invalid"] = _("电子邮箱格式不正确")
        _controls(self)
        plain_errors(self)


class DeactivateForm(Form):
    to_user = forms.ModelChoiceField(label=_("接手人"), queryset=None, required=False)
    reason = forms.CharField(label=_("停用原因"), max_length=200)

    def __init__(self, *args, viewer, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = (
            managed_users(viewer)
            .filter(is_active=True)
            .exclude(pk=person.pk)
            .order_by("full_name", "username")
        )
        self.fields["to_user"].label_from_instance = lambda u: (
            gettext("%(name)s（%(role)s）")
            % {
                "name": u.display_name,
                "role": u.get_role_display(),
            }
        )
        _controls(self)
        plain_errors(self)


class ForgotPasswordForm(Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "class": "form-control form-control-lg",
            }
        ),
    )


def _password_widgets(form: forms.BaseForm) -> None:
    """Labels and messages in Chinese, the `autocomplete` each field needs, Bootstrap classes."""
    labels = {
        "old_password": _("当前密码"),
        "new_password1": _("新密码"),
        "new_password2": _("再次输入新密码"),
    }
    for name, field in form.fields.items():
        field.label = labels.get(name, field.label)
        field.widget.attrs["class"] = "form-control"
        field.widget.attrs["autocomplete"] = "current-password" if name == "old_password" else "new-password"
    plain_errors(form)
    form.error_messages = {
        **form.error_messages,
        "password_mismatch": _("两次输入的新密码不一致"),
        "password_incorrect": _("当前密码不正确，请重新输入"),
    }


class _RulesUnderNewPassword:
    """The password rules' messages go under 「新密码」, the field they are about (Django puts them
    under the confirmation); a mismatch stays under 「再次输入新密码」."""

    def validate_password_for_user(self, user, *args, **kwargs):
        super().validate_password_for_user(user, "new_password1")  # type: ignore[misc]


class PasswordChangeForm(_RulesUnderNewPassword, auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_widgets(self)


class SetPasswordForm(_RulesUnderNewPassword, auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_widgets(self)

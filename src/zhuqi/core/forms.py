from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续失败 5 次，账号将被锁定 30 分钟。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-lg"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态口令"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("动态口令是 6 位数字"))
        return token


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("评论"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )

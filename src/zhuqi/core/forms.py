from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Comment

_CHOSEN = (forms.ChoiceField, forms.ModelChoiceField, forms.FileField, forms.DateField, forms.BooleanField)


def _named(message: str, label, *, params: bool = False) -> str:
    """`message` with its `%(label)s` filled in; with `params`, the other placeholders stay for
    Django to fill (and a "%" in the label is escaped for it)."""
    return message.replace("%(label)s", str(label).replace("%", "%%") if params else str(label))


def plain_errors(form: forms.BaseForm) -> None:
    """Plain Chinese messages naming the field instead of Django's defaults ("确保该变量包含不超过
    120 字符", "具有 项目编号 的 重点项目 已存在", "这个字段是必填项。"); and a text field's length
    limit is said while typing (`data-maxlength`, app.js) instead of the browser silently cutting
    the text at `maxlength`."""
    for field in form.fields.values():
        label = field.label or ""
        msgs = field.error_messages
        if isinstance(field, _CHOSEN):
            msgs["required"] = _named(gettext("请选择%(label)s"), label)
        else:
            msgs["required"] = _named(gettext("请填写%(label)s"), label)
        msgs["unique"] = _named(gettext("%(label)s已被使用，不能重复"), label, params=True)
        if isinstance(field, forms.CharField):
            msgs["max_length"] = _named(
                gettext("%(label)s最多 %(limit_value)s 个字，现在是 %(show_value)s 个字，请删减"),
                label,
                params=True,
            )
            msgs["min_length"] = _named(
                gettext("%(label)s至少 %(limit_value)s 个字，现在是 %(show_value)s 个字"),
                label,
                params=True,
            )
            if field.max_length and field.widget.attrs.pop("maxlength", None):
                field.widget.attrs["data-maxlength"] = str(field.max_length)
                field.widget.attrs["data-maxlength-note"] = _named(
                    gettext("%(label)s最多 %(limit)s 个字，现在是 {count} 个字，提交前请删减"), label
                ).replace("%(limit)s", str(field.max_length))


class PlainErrors:
    """Mixin of every form of the product: see `plain_errors`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_errors(self)


class Form(PlainErrors, forms.Form):
    """The base of the product's forms."""


class ModelForm(PlainErrors, forms.ModelForm):
    """The base of the product's model forms."""


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


class TokenForm(Form):
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


class CommentForm(Form):
    body = forms.CharField(
        label=_("评论"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    # internal unless the official chooses to address the enterprise (ignored for enterprise
    # users: theirs are always public)
    visibility = forms.ChoiceField(label=_("可见范围"), choices=Comment.Visibility.choices, required=False)

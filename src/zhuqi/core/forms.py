from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Comment
from .params import DB_INT_MAX, parse_int
from .units import MAX_YEAR, MIN_YEAR

_CHOSEN = (forms.ChoiceField, forms.ModelChoiceField, forms.FileField, forms.DateField, forms.BooleanField)


def _named(message: str, label, *, params: bool = False) -> str:
    """`message` with its `%(label)s` filled in; with `params`, the other placeholders stay for
    Django to fill (and a "%" in the label is escaped for it)."""
    return message.replace("%(label)s", str(label).replace("%", "%%") if params else str(label))


def plain_errors(form: forms.BaseForm) -> None:
    """Plain Chinese messages naming the field instead of Django's defaults ("确保该变量包含不超过
    120 字符", "具有 项目编号 的 重点项目 已存在", "这个字段是必填项。"); and a text field's length
    limit is said while typing (`data-maxlength`, app.js) instead of the browser silently cutting
    the text at `maxlength`.

    Numbers the database cannot hold are refused here too, naming the field (issue 21): a whole
    number field without bounds gets the database integer's, and every id of a multiple choice
    of rows must be ASCII digits within that range before the rows are looked up (a 30-digit id
    overflows SQLite's integer inside the `IN (…)` query)."""
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
        if isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField):
            _bounded(field, label)
        if isinstance(field, forms.ModelMultipleChoiceField):
            msgs["invalid_pk_value"] = _named(gettext("%(label)s中有无效的选项：%(pk)s"), label, params=True)
            msgs["invalid_choice"] = _named(gettext("%(label)s中没有选项：%(value)s"), label, params=True)
            if not isinstance(field, CheckedIds):
                field.__class__ = _checked(type(field))


def _bounded(field: forms.IntegerField, label) -> None:
    if field.max_value is None:
        field.max_value = DB_INT_MAX
        field.validators.append(
            MaxValueValidator(
                DB_INT_MAX,
                message=_named(gettext("%(label)s不能大于 %(limit_value)s"), label, params=True),
            )
        )
    if field.min_value is None:
        field.min_value = -DB_INT_MAX - 1
        field.validators.append(
            MinValueValidator(
                -DB_INT_MAX - 1,
                message=_named(gettext("%(label)s不能小于 %(limit_value)s"), label, params=True),
            )
        )


class CheckedIds:
    """A multiple choice of rows that refuses an id the database cannot hold (not ASCII digits,
    beyond its integer) with the field's `invalid_pk_value` message, before the rows are looked
    up: Django builds `pk IN (…)` from whatever was sent."""

    def _check_values(self, value):
        model = self.queryset.model  # type: ignore[attr-defined]
        key = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk  # type: ignore[attr-defined]
        if isinstance(key, models.IntegerField | models.AutoField):
            for v in value:
                if not isinstance(v, models.Model) and parse_int(v, minimum=0) is None:
                    shown = str(v)[:20] + ("…" if len(str(v)) > 20 else "")
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],  # type: ignore[attr-defined]
                        code="invalid_pk_value",
                        params={"pk": shown},
                    )
        return super()._check_values(value)  # type: ignore[misc]


_CHECKED: dict[type, type] = {}


def _checked(cls: type) -> type:
    """`cls` (ModelMultipleChoiceField or a subclass of it) with CheckedIds first."""
    if cls not in _CHECKED:
        _CHECKED[cls] = type(cls.__name__, (CheckedIds, cls), {"__module__": cls.__module__})
    return _CHECKED[cls]


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


def add_service_error(form: forms.BaseForm, exc) -> None:
    """Put a service's refusal on the form: a ValidationError naming a field goes under that
    field (when the form has it), anything else above the form."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or gettext("无权操作"))
        return
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def active_or_current(queryset, *current):
    """The active rows of `queryset` (regions, departments: a deactivated one is offered in no
    picker), plus the `current` values (objects or pks) of the object being edited, so a form
    over an existing object that already points to a deactivated one still saves."""
    from django.db.models import Q

    keep = [getattr(c, "pk", c) for c in current if c not in (None, "")]
    q = Q(is_active=True)
    if keep:
        q |= Q(pk__in=keep)
    return queryset.filter(q)


# --- configuration: regions, departments, the national holiday arrangement ------------------------


def _styled(form: forms.BaseForm) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.CheckboxInput):
            f.widget.attrs.setdefault("class", "form-check-input")
        else:
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            )


def _parent_regions(user):
    from .models import Region

    return Region.objects.visible_to(user).filter(is_active=True).exclude(kind=Region.Kind.GRID)


class RegionForm(Form):
    code = forms.CharField(label=_("代码"), max_length=32, help_text=_("行政区划代码，建好后不能修改"))
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"))
    parent = forms.ModelChoiceField(
        None, label=_("上级区划"), required=False, empty_label=_("（无：顶级区划）")
    )

    def __init__(self, *args, user=None, region=None, **kwargs):
        from .models import Region

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Region.Kind.choices
        parents = _parent_regions(user)
        if region is not None:  # never offer its own subtree
            parents = parents.exclude(path__startswith=region.path)
            self.fields["code"].disabled = True
        self.fields["parent"].queryset = parents
        if not getattr(user, "is_system_admin", False):
            self.fields["parent"].required = True
        _styled(self)


class DepartmentForm(Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("类型"))
    region = forms.ModelChoiceField(None, label=_("所属区划"))
    phone = forms.CharField(label=_("电话"), max_length=40, required=False)

    def __init__(self, *args, user=None, **kwargs):
        from .models import Department

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Department.Kind.choices
        self.fields["region"].queryset = _parent_regions(user)
        _styled(self)


RANGE_SEPARATORS = ("~", "～", "至", "到", "—", "–")


def parse_day_ranges(text: str, year: int) -> list:
    """Days from a notice's wording, one range per line or separated by commas: `2027-02-06`,
    `2027-02-06~2027-02-12`, `2月6日至12日`, `2/6-2/12`. Month-day forms are in `year`.
    Raises forms.ValidationError naming the piece that cannot be read."""
    import datetime as dt
    import re

    def one(piece: str, month_hint: int | None) -> dt.date:
        piece = piece.strip().rstrip("日号").strip()
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", piece)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})", piece)
        if m:
            return dt.date(year, int(m[1]), int(m[2]))
        m = re.fullmatch(r"(\d{1,2})", piece)
        if m and month_hint:
            return dt.date(year, month_hint, int(m[1]))
        raise ValueError(piece)

    days: list[dt.date] = []
    pieces = [p.strip() for p in re.split(r"[\n,，;；、]+", text or "") if p.strip()]
    for piece in pieces:
        normal = piece
        for sep in RANGE_SEPARATORS:
            normal = normal.replace(sep, "~")
        # "2/6-2/12" or "2027-02-06-2027-02-12": a dash between two dates is a range too
        if "~" not in normal:
            m = re.fullmatch(r"(\d{1,2}/\d{1,2})-(\d{1,2}/\d{1,2})", normal) or re.fullmatch(
                r"(\d{4}-\d{1,2}-\d{1,2})-(\d{4}-\d{1,2}-\d{1,2})", normal
            )
            if m:
                normal = f"{m[1]}~{m[2]}"
        try:
            a, _sep, b = normal.partition("~")
            first = one(a, None)
            last = one(b, first.month) if b else first
        except ValueError:
            raise forms.ValidationError(
                gettext("看不懂「%(piece)s」：请写成 2027-02-06 或 2027-02-06~2027-02-12，每段一行")
                % {"piece": piece}
            ) from None
        if last < first:
            raise forms.ValidationError(gettext("「%(piece)s」的结束日期早于开始日期") % {"piece": piece})
        if (last - first).days > 31:
            raise forms.ValidationError(gettext("「%(piece)s」超过一个月，请检查") % {"piece": piece})
        while first <= last:
            days.append(first)
            first += dt.timedelta(days=1)
    return days


class HolidayArrangementForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    notice = forms.CharField(label=_("通知文号或标题"), max_length=200, required=False)
    holidays = forms.CharField(
        label=_("放假日期"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("按通知逐段填写，每段一行，如 2027-02-06~2027-02-12 或 2月6日至12日"),
    )
    workdays = forms.CharField(
        label=_("调休上班日期"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("通知中“上班”的周末，每个一行，如 2027-02-20"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounds = gettext("年度应在 %(low)s 到 %(high)s 之间") % {"low": MIN_YEAR, "high": MAX_YEAR}
        self.fields["year"].error_messages.update(
            {"min_value": bounds, "max_value": bounds, "invalid": bounds}
        )
        _styled(self)

    def _ranges(self, field: str):
        year = self.cleaned_data.get("year")
        if not year:
            return []
        try:
            return parse_day_ranges(self.cleaned_data.get(field, ""), year)
        except forms.ValidationError as exc:
            self.add_error(field, exc)
            return []

    def clean(self):
        data = super().clean()
        data["holiday_days"] = self._ranges("holidays")
        data["workday_days"] = self._ranges("workdays")
        return data

"""Forms of the 观摩 pages: parsing and widgets only; the rules are in services_tours."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from zhuqi.core.forms import Form, _styled, active_or_current
from zhuqi.core.models import Region, User
from zhuqi.core.roles import OFFICIAL_ROLES
from zhuqi.enterprises.models import Enterprise
from zhuqi.projects.forms import ORGANISING_KINDS, OfficialsField
from zhuqi.projects.models import Project

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TourRoundForm(Form):
    """A round: sites (projects and enterprises, in the order chosen = visiting order), judges
    and criteria, one a line: 「名称 权重 满分」 (满分 may be left out: 100)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    period = forms.CharField(
        label=_("期别"), max_length=30, required=False, help_text=_("如「2026年上半年」")
    )
    region = forms.ModelChoiceField(label=_("组织区划"), queryset=Region.objects.none())
    held_on = forms.DateField(label=_("观摩日期"), widget=DATE)
    sites = forms.MultipleChoiceField(
        label=_("观摩点"), help_text=_("项目或企业，按观摩路线的先后顺序选择"), choices=()
    )
    judges = OfficialsField(label=_("评委"), queryset=User.objects.none())
    criteria = forms.CharField(
        label=_("评分项"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项：名称 权重 满分（满分不填为 100），权重合计 100，如「建设进度 40 100」"),
    )

    def __init__(self, *args, user=None, current_sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = active_or_current(
            Region.objects.visible_to(user).filter(kind__in=ORGANISING_KINDS).order_by("path"),
            self.initial.get("region"),
        )
        self.projects = {
            p.pk: p for p in Project.objects.visible_to(user).only("pk", "name", "code").order_by("code")
        }
        self.enterprises = {
            e.pk: e for e in Enterprise.objects.visible_to(user).only("pk", "name").order_by("name")
        }
        # the current sites first, in their order (a multi-select shows its choices in order)
        first = [
            (f"{'p' if s.project_id else 'e'}-{s.project_id or s.enterprise_id}", s.name)
            for s in current_sites
        ]
        taken = {k for k, _n in first}
        self.fields["sites"].choices = [
            *([(str(_("本轮观摩点")), first)] if first else []),
            (
                str(_("项目")),
                [(f"p-{pk}", p.name) for pk, p in self.projects.items() if f"p-{pk}" not in taken],
            ),
            (
                str(_("企业")),
                [(f"e-{pk}", e.name) for pk, e in self.enterprises.items() if f"e-{pk}" not in taken],
            ),
        ]
        self.fields["judges"].queryset = (
            User.objects.visible_to(user).filter(is_active=True, role__in=OFFICIAL_ROLES).order_by("username")
        )
        _styled(self)
        for name in ("sites", "judges"):
            self.fields[name].widget.attrs["data-tom-select"] = "multi"

    def clean_sites(self) -> list:
        out = []
        for value in self.cleaned_data.get("sites") or []:
            kind, _sep, pk = value.partition("-")
            table = self.projects if kind == "p" else self.enterprises if kind == "e" else {}
            obj = table.get(int(pk)) if pk.isdigit() else None
            if obj is None:
                raise forms.ValidationError(_("有观摩点不存在或不在您的范围内"))
            out.append(obj)
        return out

    def clean_criteria(self) -> list[tuple[str, Decimal, int]]:
        rows = []
        for n, line in enumerate((self.cleaned_data.get("criteria") or "").splitlines(), start=1):
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            try:
                if len(parts) == 2:
                    rows.append((parts[0], Decimal(parts[1]), 100))
                elif len(parts) == 3:
                    rows.append((parts[0], Decimal(parts[1]), int(parts[2])))
                else:
                    raise ValueError
            except (ValueError, InvalidOperation) as exc:
                raise forms.ValidationError(
                    _("第 %(n)s 行应为「名称 权重 满分」，如「建设进度 40 100」") % {"n": n}
                ) from exc
        if not rows:
            raise forms.ValidationError(_("请至少填写一个评分项"))
        return rows


class PublishForm(Form):
    note = forms.CharField(
        label=_("公布说明"),
        max_length=200,
        required=False,
        help_text=_("有评委未完成评分而确需公布时填写原因"),
    )

"""系统设置 pages of cases: problem categories, SLA schemes (which one is in force from when,
and each rule's limits) and editing a routing rule. Listed on core's settings index.

Who: categories and SLA schemes are platform-wide, so system administrators change them and the
dispatch office reads them; routing rules are per region, edited by the dispatch office within
its subtree and by administrators everywhere. Other roles get 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuqi.core import audit, permissions
from zhuqi.core.forms import add_service_error
from zhuqi.core.views_settings import history_of

from . import services
from .forms import CategoryForm, RuleForm, SlaActivationForm, SlaPolicyForm
from .models import OPEN_STATUSES, Case, Category, RoutingRule, SlaActivation, SlaPolicy


def _manager(request) -> None:
    """Who reads these pages, from the matrix: `core.settings.view` (others get 404)."""
    if not permissions.allowed(request.user, "core.settings.view"):
        raise Http404


def _refused(request, exc) -> None:
    messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))


# --- categories ----------------------------------------------------------------------------------


@login_required
def categories(request):
    _manager(request)
    can_edit = services.can_configure_platform(request.user)
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                cat = services.save_category(None, actor=request.user, **d)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("类别「%(name)s」已新建") % {"name": cat})
                return redirect("cases:category", cat.pk)
    rows = list(Category.objects.select_related("parent").order_by("order", "code"))
    n_rules = dict(
        RoutingRule.objects.visible_to(request.user)
        .filter(is_active=True)
        .values_list("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    n_open = dict(
        Case.objects.visible_to(request.user)
        .filter(status__in=OPEN_STATUSES, category__isnull=False)
        .values_list("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    for c in rows:
        c.n_rules, c.n_open = n_rules.get(c.pk, 0), n_open.get(c.pk, 0)
    roots = [c for c in rows if c.parent_id is None]
    tree = [(root, [c for c in rows if c.parent_id == root.pk]) for root in roots]
    return render(
        request, "cases/settings_categories.html", {"form": form, "tree": tree, "can_edit": can_edit}
    )


@login_required
def category(request, pk):
    _manager(request)
    cat = get_object_or_404(Category.objects.select_related("parent"), pk=pk)
    can_edit = services.can_configure_platform(request.user)
    initial = {
        "code": cat.code,
        "name": cat.name,
        "parent": cat.parent_id,
        "keywords": cat.keywords,
        "order": cat.order,
    }
    saving = request.method == "POST" and "save" in request.POST
    form = CategoryForm(request.POST if saving else None, category=cat, initial=initial)
    confirm_needed = False
    if request.method == "POST":
        if not can_edit:
            raise Http404
        try:
            if saving:
                if form.is_valid():
                    services.save_category(cat, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("已保存"))
                    return redirect("cases:category", cat.pk)
            else:
                active = request.POST.get("active") == "1"
                services.set_category_active(
                    cat, active, actor=request.user, confirm="confirm" in request.POST
                )
                messages.success(request, _("已启用") if active else _("已停用"))
                return redirect("cases:category", cat.pk)
        except (ValidationError, PermissionDenied) as exc:
            if saving:
                add_service_error(form, exc)
            else:
                confirm_needed = isinstance(exc, ValidationError) and any(
                    e.code == "confirm" for errs in getattr(exc, "error_dict", {}).values() for e in errs
                )
                _refused(request, exc)
    return render(
        request,
        "cases/settings_category.html",
        {
            "category": cat,
            "form": form,
            "can_edit": can_edit,
            "uses": services.category_uses(cat),
            "confirm_needed": confirm_needed,
            "timeline": audit.timeline(cat),
        },
    )


# --- SLA schemes ---------------------------------------------------------------------------------


@login_required
def sla_schemes(request):
    """Every scheme with its rules; which one is in force today and which is scheduled; the
    switch (scheme + effective date); the history of switches and rule changes."""
    _manager(request)
    can_edit = services.can_configure_platform(request.user, "cases.sla.configure")
    form = SlaActivationForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                act = services.activate_sla_scheme(actor=request.user, **d)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已设置：自 %(date)s 起执行%(scheme)s")
                    % {"date": act.effective_from.isoformat(), "scheme": act.get_scheme_display()},
                )
                return redirect("cases:sla")
    today = timezone.localdate()
    current = services.active_scheme(today)
    policies = list(SlaPolicy.objects.select_related("category", "category__parent").order_by("scheme", "pk"))
    schemes = [
        {
            "code": code,
            "label": label,
            "current": code == current,
            "policies": [p for p in policies if p.scheme == code],
        }
        for code, label in SlaPolicy.Scheme.choices
    ]
    history = sorted(history_of("cases.slaactivation") + history_of("cases.slapolicy"), key=lambda e: -e.pk)[
        :50
    ]
    return render(
        request,
        "cases/settings_sla.html",
        {
            "form": form,
            "can_edit": can_edit,
            "schemes": schemes,
            "current": SlaPolicy.Scheme(current).label,
            "activations": SlaActivation.objects.select_related("created_by")[:20],
            "scheduled": SlaActivation.objects.filter(effective_from__gt=today).order_by("effective_from"),
            "history": history,
        },
    )


def _policy_initial(p: SlaPolicy) -> dict:
    out = {"scheme": p.scheme, "name": p.name, "category": p.category_id, "urgency": p.urgency}
    out.update({f: getattr(p, f) for f in services.SLA_DAY_FIELDS})
    return out


@login_required
def sla_policy(request, pk=None):
    """A rule of a scheme: its limits (new with no pk), switch it on or off, its history."""
    _manager(request)
    policy = get_object_or_404(SlaPolicy, pk=pk) if pk is not None else None
    can_edit = services.can_configure_platform(request.user, "cases.sla.configure")
    if policy is not None:
        initial = _policy_initial(policy)
    else:
        initial = _policy_initial(SlaPolicy(scheme=request.GET.get("scheme") or SlaPolicy.Scheme.CUSTOM))
        initial["name"] = ""
    saving = request.method == "POST" and "save" in request.POST
    form = SlaPolicyForm(request.POST if saving else None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        try:
            if saving:
                if form.is_valid():
                    policy = services.save_sla_policy(policy, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("时限规则已保存"))
                    return redirect("cases:sla_policy", policy.pk)
            elif policy is not None:
                active = request.POST.get("active") == "1"
                services.set_sla_policy_active(policy, active, actor=request.user)
                messages.success(request, _("已启用") if active else _("已停用"))
                return redirect("cases:sla_policy", policy.pk)
        except (ValidationError, PermissionDenied) as exc:
            if saving:
                add_service_error(form, exc)
            else:
                _refused(request, exc)
    return render(
        request,
        "cases/settings_sla_policy.html",
        {
            "policy": policy,
            "form": form,
            "can_edit": can_edit,
            "timeline": audit.timeline(policy) if policy is not None else [],
        },
    )


# --- routing rules: edit ------------------------------------------------------------------------


@login_required
def rule_edit(request, pk):
    """Change a routing rule in place (lead, assisting departments, region, category, on/off);
    its history below. The rule and every department must be in the editor's scope."""
    if not services.can_edit_routing_rules(request.user):
        raise Http404
    rule = RoutingRule.objects.select_related("category", "region", "lead_department").get_visible_or_404(
        request.user, pk=pk
    )
    form = RuleForm(request.POST or None, instance=rule, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_routing_rule(
                rule,
                actor=request.user,
                category=d["category"],
                region=d["region"],
                lead_department=d["lead_department"],
                assisting_departments=d["assisting_departments"],
                is_active=d["is_active"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("分拨规则已保存"))
            return redirect("cases:rule_edit", rule.pk)
    return render(
        request, "cases/rule_edit.html", {"rule": rule, "form": form, "timeline": audit.timeline(rule)}
    )

"""Account pages: 用户管理 (officials' accounts: list, create, edit, deactivate with hand-over,
reactivate, password reset), locked accounts, and the signed-out pages 忘记密码 and the one-time
link that sets a password (an enterprise account's activation or a reset)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core.forms import add_service_error

from . import audit, permissions
from . import services_accounts as services
from .forms_accounts import (
    DeactivateForm,
    ForgotPasswordForm,
    OfficialForm,
    PasswordChangeForm,
    SetPasswordForm,
)
from .models import Department, Region, Role, User
from .paging import CappedPaginator
from .params import parse_int


def _manager(request) -> None:
    if not services.can_manage_accounts(request.user):
        raise Http404


def _managed_or_404(request, pk) -> User:
    _manager(request)
    try:
        return services.managed_users(request.user).select_related("region", "department").get(pk=pk)
    except (User.DoesNotExist, ValueError):
        raise Http404 from None


YES_NO = {"1": True, "0": False}


@login_required
def account_list(request):
    _manager(request)
    user = request.user
    qs = services.managed_users(user).select_related("region", "department")
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    region = request.GET.get("region", "")
    department = request.GET.get("department", "")
    active = request.GET.get("active", "1")
    if q:
        qs = qs.filter(Q(full_name__contains=q) | Q(username__icontains=q) | Q(mobile__contains=q))
    if role in Role.values:
        qs = qs.filter(role=role)
    region_id = parse_int(region)
    region_obj = Region.objects.visible_to(user).filter(pk=region_id).first() if region_id else None
    if region_obj is not None:
        qs = qs.filter(region__path__startswith=region_obj.path)
    if department_id := parse_int(department):
        qs = qs.filter(department_id=department_id)
    if active in YES_NO:
        qs = qs.filter(is_active=YES_NO[active])
    page = CappedPaginator(qs.order_by("username"), 50).get_page(  # the unique index orders
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "q": q,
        "role": role,
        "region": region,
        "department": department,
        "active": active,
        "roles": [(v, label) for v, label in Role.choices if v != Role.ENTERPRISE],
        "regions": Region.filter_choices(user),
        "departments": Department.objects.visible_to(user).order_by("region__path", "name"),
        "is_admin": permissions.allowed(user, "core.accounts.unlock"),
        "base_query": params.urlencode(),
    }
    return render(request, "core/account_list.html", context)


def _official_kwargs(form) -> dict:
    d = form.cleaned_data
    return {
        "full_name": d["full_name"],
        "role": d["role"],
        "region": d["region"],
        "department": d.get("department"),
        "title": d.get("title") or "",
        "mobile": d.get("mobile") or "",
        "email": d.get("email") or "",
    }


@login_required
def account_create(request):
    _manager(request)
    form = OfficialForm(request.POST or None, viewer=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            person, password = services.create_official(
                actor=request.user, username=form.cleaned_data["username"], **_official_kwargs(form)
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return render(
                request,
                "core/account_password.html",
                {"person": person, "password": password, "created": True},
            )
    return render(request, "core/account_form.html", {"form": form})


@login_required
def account_detail(request, pk):
    person = _managed_or_404(request, pk)
    initial = {
        "full_name": person.full_name,
        "role": person.role,
        "region": person.region_id,
        "department": person.department_id,
        "title": person.title,
        "mobile": person.mobile,
        "email": person.email,
    }
    form = OfficialForm(request.POST or None, initial=initial, viewer=request.user, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_official(person, actor=request.user, **_official_kwargs(form))
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("账号信息已保存"))
            return redirect("core:account_detail", person.pk)
    context = {
        "person": person,
        "form": form,
        "is_admin": permissions.allowed(request.user, "core.accounts.reset_password"),
        "is_self": person.pk == request.user.pk,
        "timeline": audit.timeline(person),
    }
    return render(request, "core/account_detail.html", context)


@login_required
def account_deactivate(request, pk):
    person = _managed_or_404(request, pk)
    if not person.is_active:
        return redirect("core:account_detail", person.pk)
    groups = services.hand_over_items(person, viewer=request.user)
    form = DeactivateForm(request.POST or None, viewer=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.deactivate_user(
                person,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                to_user=form.cleaned_data["to_user"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("账号「%(name)s」已停用") % {"name": person.display_name})
            return redirect("core:account_detail", person.pk)
    count = sum(len(g["rows"]) for g in groups)
    return render(
        request,
        "core/account_deactivate.html",
        {"person": person, "groups": groups, "count": count, "form": form},
    )


@login_required
@require_POST
def account_reactivate(request, pk):
    person = _managed_or_404(request, pk)
    try:
        services.reactivate_user(person, actor=request.user)
        messages.success(request, _("账号「%(name)s」已恢复启用") % {"name": person.display_name})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    return redirect("core:account_detail", person.pk)


@login_required
@require_POST
def account_reset_password(request, pk):
    person = _managed_or_404(request, pk)
    if not permissions.allowed(request.user, "core.accounts.reset_password"):
        raise Http404
    try:
        password = services.reset_password(person, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        return redirect("core:account_detail", person.pk)
    return render(request, "core/account_password.html", {"person": person, "password": password})


@login_required
def locked_list(request):
    if not permissions.allowed(request.user, "core.accounts.unlock"):
        raise Http404
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            services.unlock_account(username, actor=request.user)
            messages.success(request, _("账号「%(name)s」已解锁") % {"name": username})
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        return redirect("core:locked_list")
    attempts = list(services.locked_accounts()[:200])
    people = {u.username: u for u in User.objects.filter(username__in={a.username for a in attempts})}
    rows = [{"attempt": a, "person": people.get(a.username)} for a in attempts]
    return render(request, "core/locked_list.html", {"rows": rows})


# --- signed out: 忘记密码 and one-time links -----------------------------------------------------


def forgot_password(request):
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(form.cleaned_data["username"])
        return render(request, "registration/forgot_done.html")
    return render(request, "registration/forgot.html", {"form": form})


def password_link(request, uidb64, token):
    """The page a one-time link opens: set a password (first activation or reset)."""
    person = services.check_link(uidb64, token)
    if person is None:
        return render(request, "registration/password_link.html", {"invalid": True}, status=404)
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password_by_link(uidb64, token, form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc.messages)
        else:
            messages.success(request, _("密码已设置，请用新密码登录"))
            return redirect("login")
    return render(request, "registration/password_link.html", {"form": form, "person": person})


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码; also where a temporary password sends its holder before any other page."""

    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")
    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        user = services.set_own_password(self.request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("密码已修改"))
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "forced": self.request.user.must_change_password}


def account_urls():
    """The 用户管理 URL patterns (included under /core/ by core.urls)."""
    from django.urls import path

    return [
        path("accounts/", account_list, name="account_list"),
        path("accounts/new/", account_create, name="account_create"),
        path("accounts/locked/", locked_list, name="locked_list"),
        path("accounts/<int:pk>/", account_detail, name="account_detail"),
        path("accounts/<int:pk>/deactivate/", account_deactivate, name="account_deactivate"),
        path("accounts/<int:pk>/reactivate/", account_reactivate, name="account_reactivate"),
        path("accounts/<int:pk>/reset-password/", account_reset_password, name="account_reset_password"),
    ]

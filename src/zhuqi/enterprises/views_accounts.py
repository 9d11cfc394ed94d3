"""Enterprise accounts (企业账号) pages: the panel on the enterprise page, opening an account,
activation links, primary contact, deactivation; and the enterprise user's own contacts page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import permissions
from zhuqi.core.forms import add_service_error

from . import services_accounts as services
from .forms import ContactsForm, InviteForm
from .models import Enterprise, EnterpriseUser
from .services_accounts import can_manage_accounts


def _message(exc) -> str:
    return exc.messages[0] if isinstance(exc, ValidationError) else str(exc)


def accounts_section(request, enterprise) -> dict | None:
    """The 企业账号 panel: its accounts, for the dispatch office and admins (who manage them)
    and for the enterprise's own users (who see who else acts for it)."""
    user = request.user
    manages = can_manage_accounts(user)
    own = permissions.allowed(user, "enterprises.view_own")
    if not (manages or own):
        return None
    members = list(
        EnterpriseUser.objects.filter(enterprise=enterprise)
        .select_related("user")
        .order_by("-is_primary", "created_at", "id")
    )
    if own:
        members = [m for m in members if m.user.is_active]
    return {
        "template": "enterprises/sections/accounts.html",
        "members": members,
        "manages": manages,
        "own": own,
    }


def _enterprise_for_manager(request, pk) -> Enterprise:
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=pk)
    if not can_manage_accounts(request.user):
        raise Http404
    return enterprise


def _membership_for_manager(request, pk) -> EnterpriseUser:
    if not can_manage_accounts(request.user):
        raise Http404
    try:
        return EnterpriseUser.objects.select_related("user", "enterprise").get(
            pk=pk, enterprise__in=Enterprise.objects.visible_to(request.user)
        )
    except (EnterpriseUser.DoesNotExist, ValueError):
        raise Http404 from None


def _back(membership) -> str:
    return reverse("enterprises:enterprise_detail", args=[membership.enterprise_id]) + "#accounts"


def _link_page(request, enterprise, user, link, via):
    return render(
        request,
        "enterprises/account_link.html",
        {"enterprise": enterprise, "person": user, "link": request.build_absolute_uri(link), "via": via},
    )


@login_required
def account_invite(request, pk):
    enterprise = _enterprise_for_manager(request, pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, link, via = services.invite_enterprise_user(
                enterprise, actor=request.user, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return _link_page(request, enterprise, user, link, via)
    return render(request, "enterprises/account_invite.html", {"enterprise": enterprise, "form": form})


@login_required
@require_POST
def account_link(request, pk):
    membership = _membership_for_manager(request, pk)
    try:
        link, via = services.issue_activation_link(membership, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
        return redirect(_back(membership))
    return _link_page(request, membership.enterprise, membership.user, link, via)


@login_required
@require_POST
def account_primary(request, pk):
    membership = _membership_for_manager(request, pk)
    try:
        services.set_primary_contact(membership, actor=request.user)
        messages.success(request, _("已设为主要联系人"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return redirect(_back(membership))


@login_required
@require_POST
def account_active(request, pk):
    membership = _membership_for_manager(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_enterprise_user_active(membership, actor=request.user, active=active)
        messages.success(request, _("账号已恢复启用") if active else _("账号已停用"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return redirect(_back(membership))


@login_required
def my_contacts(request):
    """An enterprise user's own contact details and its enterprise's contact person."""
    membership = getattr(request.user, "enterprise_membership", None)
    if not permissions.allowed(request.user, "enterprises.contacts.edit_own") or membership is None:
        raise Http404
    enterprise = membership.enterprise
    user = request.user
    initial = {
        "full_name": user.full_name,
        "mobile": user.mobile,
        "email": user.email,
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
    }
    form = ContactsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_own_contacts(actor=user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("联系方式已保存"))
            return redirect("enterprises:my_contacts")
    return render(request, "enterprises/my_contacts.html", {"form": form, "enterprise": enterprise})

"""Core pages: login and two-factor, role home pages, regions, departments, people, inbox,
attachments, comments, audit log."""

from __future__ import annotations

from base64 import b32encode
from importlib import resources

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import audit, permissions, selectors, sendfile, services
from .forms import CommentForm, LoginForm, TokenForm
from .models import Attachment, AuditEntry, Comment, Department, Notification, Region, Role, User
from .paging import CappedPaginator
from .params import int_list


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def needs_second_factor(user) -> bool:
    return bool(
        settings.ZHUQI_ADMIN_2FA and user.is_authenticated and user.is_system_admin and not user.is_verified()
    )


@login_required
def second_factor(request):
    """Verify a TOTP code; system admins pass here when 2FA is on. Enrolment is two POSTs:
    `start` creates the unconfirmed device whose key the page then shows as a QR code, and the
    first correct code confirms it. A GET only reads."""
    user = request.user
    next_url = _safe_next(request, "")
    if request.method == "POST" and "start" in request.POST:
        services.start_totp_enrolment(user)
        return redirect(f"{request.path}?{urlencode({'next': next_url})}" if next_url else request.path)
    confirmed, pending = selectors.totp_devices(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and (confirmed or pending) and form.is_valid():
        device = services.verify_totp(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url or "home")
        form.add_error("token", _("动态口令不正确或已过期，请重新输入"))
    qr_svg = None
    if pending is not None and confirmed is None:
        import segno

        qr_svg = segno.make(pending.config_url, micro=False).svg_inline(scale=4)
    return render(
        request,
        "registration/second_factor.html",
        {
            "form": form,
            "enrolling": confirmed is None,
            "started": pending is not None,
            "qr_svg": qr_svg,
            "secret": qr_svg and b32encode(pending.bin_key).decode(),  # for typing it in by hand
        },
    )


ROLE_HOME_TITLES = {
    Role.ADMIN: gettext_lazy("系统管理工作台"),
    Role.DISPATCH: gettext_lazy("专班办公室工作台"),
    Role.LEADER: gettext_lazy("领导驾驶舱"),
    Role.DEPT_HEAD: gettext_lazy("部门工作台"),
    Role.HANDLER: gettext_lazy("经办工作台"),
    Role.COMMISSIONER: gettext_lazy("首席服务专员工作台"),
    Role.GRID: gettext_lazy("网格员工作台"),
    Role.SUPERVISOR: gettext_lazy("督查工作台"),
    Role.OBSERVER: gettext_lazy("概览"),
    Role.ENTERPRISE: gettext_lazy("企业服务"),
}

# Later apps add cards to a role's home page: callables (request) -> dict | None. A card's
# "order" puts it on the page (lower first; the role's queue is below 20, summaries from 50):
# the page opens on the viewer's work, most urgent first. A queue card may use the generic
# template "core/_queue_card.html" (stats and items, see there).
HOME_CARDS: list = []
DEFAULT_CARD_ORDER = 50

# Later apps add actions to another app's object page (立为督办事项 on a case, a project, a lagging
# indicator): callables (request, obj, **context) -> {"label", "url", "icon", "testid"} | None,
# shown by `{% object_actions obj %}` (core_tags) where the page offers them
OBJECT_ACTIONS: list = []


def register_object_action(provider) -> None:
    if provider not in OBJECT_ACTIONS:
        OBJECT_ACTIONS.append(provider)


@login_required
def home(request):
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    cards = [c for c in (card(request) for card in HOME_CARDS) if c]
    cards.sort(key=lambda c: c.get("order", DEFAULT_CARD_ORDER))  # stable: registration order otherwise
    context = {
        "role": role,
        "role_label": Role(role).label,
        "home_title": ROLE_HOME_TITLES.get(role, _("首页")),
        "cards": cards,
        "recent_notifications": selectors.inbox(user)[:5],
    }
    return render(request, "core/home.html", context)


def _page(request, qs, per_page=50):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _require(request, action: str) -> None:
    """A page the viewer's role may not use is hidden: 404, as if it did not exist."""
    if not permissions.allowed(request.user, action):
        raise Http404


@login_required
def region_list(request):
    _require(request, "core.regions.view")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind")
    qs = selectors.regions(request.user, q=q, kind=kind)
    return render(
        request,
        "core/region_list.html",
        {"page": _page(request, qs), "q": q, "kind": kind, "kinds": Region.Kind.choices},
    )


@login_required
def region_detail(request, pk):
    _require(request, "core.regions.view")
    region = Region.objects.get_visible_or_404(request.user, pk=pk)
    return render(
        request,
        "core/region_detail.html",
        {"region": region, **selectors.region_parts(request.user, region)},
    )


@login_required
def department_list(request):
    _require(request, "core.departments.view")
    q = request.GET.get("q", "").strip()
    qs = selectors.departments(request.user, q=q)
    return render(request, "core/department_list.html", {"page": _page(request, qs), "q": q})


@login_required
def department_detail(request, pk):
    _require(request, "core.departments.view")
    dept = Department.objects.get_visible_or_404(request.user, pk=pk)
    people = selectors.people(request.user, department=dept)
    return render(
        request,
        "core/department_detail.html",
        {"department": dept, "people": people, "timeline": audit.timeline(dept)},
    )


@login_required
def user_list(request):
    _require(request, "core.people.list")
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role")
    qs = selectors.people(request.user, q=q, role=role)
    return render(
        request,
        "core/user_list.html",
        {"page": _page(request, qs), "q": q, "role": role, "roles": Role.choices},
    )


@login_required
def user_detail(request, pk):
    _require(request, "core.people.view")
    from .services_accounts import managed_users

    person = User.objects.get_visible_or_404(request.user, pk=pk)
    manages = managed_users(request.user).filter(pk=person.pk).exists()
    return render(
        request,
        "core/user_detail.html",
        {"person": person, "timeline": audit.timeline(person), "manages": manages},
    )


@login_required
def inbox(request):
    qs = selectors.inbox(request.user, unread_only=bool(request.GET.get("unread")))
    return render(
        request,
        "core/inbox.html",
        {"page": _page(request, qs, 30), "unread_only": bool(request.GET.get("unread"))},
    )


@login_required
@require_POST
def inbox_read(request):
    ids = request.POST.getlist("id")
    services.mark_read(request.user, int_list(ids) if ids else None)
    return redirect("core:inbox")


@login_required
def notification_open(request, pk):
    note = Notification.objects.get_visible_or_404(request.user, pk=pk)
    services.mark_read(request.user, [note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(note.url)
    return redirect("core:inbox")


def _safe_next(request, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return fallback


# Models (app_label.model_name) whose objects accept attachments/comments through the generic views
ATTACHABLE: set[str] = {"core.department", "core.region"}


def register_attachable(label: str) -> None:
    ATTACHABLE.add(label)


def _target(request, label: str, pk: str):
    from django.apps import apps

    if label not in ATTACHABLE:
        raise Http404
    model = apps.get_model(label)
    return model.objects.get_visible_or_404(request.user, pk=pk)


@login_required
@require_POST
def attachment_add(request, label, pk):
    _require(request, "core.attach")
    target = _target(request, label, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件"))
    else:
        try:
            services.add_attachment(
                target,
                upload,
                actor=request.user,
                public=request.POST.get("visibility") == Attachment.Visibility.PUBLIC,
            )
            messages.success(request, _("附件已上传"))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    return redirect(_safe_next(request, "/"))


@login_required
def attachment_download(request, pk):
    att = get_object_or_404(Attachment, pk=pk)
    _target(request, att.content_type.app_label + "." + att.content_type.model, att.object_id)
    if request.user.role == Role.ENTERPRISE and att.visibility != Attachment.Visibility.PUBLIC:
        raise Http404  # an internal file of the enterprise's own case does not exist for it
    return sendfile.file_response(
        att.file, filename=att.name, content_type=att.mime, as_attachment=not att.is_image
    )


@login_required
@require_POST
def comment_add(request, label, pk):
    _require(request, "core.attach")
    target = _target(request, label, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("评论内容不能为空，且不能超过 5000 字"))
    else:
        services.add_comment(
            target,
            form.cleaned_data["body"],
            actor=request.user,
            public=form.cleaned_data["visibility"] == Comment.Visibility.PUBLIC,
        )
    return redirect(_safe_next(request, "/"))


@login_required
def audit_list(request):
    user = request.user
    _require(request, "core.audit.view")
    action = request.GET.get("action")
    q = request.GET.get("q", "").strip()
    qs = selectors.audit_entries(user, action=action, q=q)
    return render(
        request,
        "core/audit_list.html",
        {"page": _page(request, qs), "actions": AuditEntry.Action.choices, "action": action, "q": q},
    )


# --- the product's own documents (definitions linked from the figures pages) ------------------
# The documents ship inside the package (src/zhuqi/docs/, package data in pyproject.toml), so an
# installed zhuqi shows them as a checkout does; the repository's docs/ holds the developer's and
# operator's pages, which the product does not show.
DOCS_PACKAGE, DOCS_FOLDER = "zhuqi", "docs"
# name -> the file under zhuqi/docs/ officials may read in the product (the figures' definitions
# and the user guide); nothing else is served
DOCS = {
    "cases-figures": "cases-figures.md",
    "cases-coordination": "cases-coordination.md",
    "projects-figures": "projects-figures.md",
    "assistance-figures": "assistance-figures.md",
    "indicators-figures": "indicators-figures.md",
    "progress": "progress.md",
    "mu-evaluation": "mu-evaluation.md",
    "oversight": "oversight.md",
    "policies": "policies.md",
    "attraction-figures": "attraction-figures.md",
    "user-guide": "user-guide.zh.md",
    "configuration": "configuration.md",
    "corrections": "corrections.md",
    "configuration-pages": "configuration-pages.md",
    "cockpit-figures": "cockpit-figures.md",
}


def load_doc(name: str) -> str:
    """The text of document `name` (a key of DOCS) from the installed package; Http404 if there
    is no such document."""
    if name not in DOCS:
        raise Http404
    try:
        return (resources.files(DOCS_PACKAGE) / DOCS_FOLDER / DOCS[name]).read_text(encoding="utf-8")
    except OSError:
        raise Http404 from None


@login_required
def doc_page(request, name):
    from . import markdown

    text = load_doc(name)
    first = next((ln for ln in text.splitlines() if ln.startswith("# ")), "")
    by_file = {file.removesuffix(".md"): key for key, file in DOCS.items()}
    html = markdown.render(
        text, link_doc=lambda n: reverse("core:doc", args=[by_file[n]]) if n in by_file else None
    )
    return render(request, "core/doc_page.html", {"title": first[2:].strip() or name, "body": html})


def archive_page(request, *, obj, heading, object_label, archive, blockers, cancel_url, done_url):
    """The archive confirmation page shared by enterprises and projects: a reason, the things
    still pointing to the object, then the service (`archive(obj, actor=…, reason=…)`)."""
    error = reason_error = ""
    reason = (request.POST.get("reason") or "").strip()
    if request.method == "POST":
        try:
            archive(obj, actor=request.user, reason=reason)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "reason" in exc.message_dict:
                reason_error = "；".join(exc.message_dict["reason"])
            else:
                error = "；".join(exc.messages)
        except PermissionDenied as exc:
            error = str(exc)
        else:
            messages.success(request, _("已归档「%(name)s」；系统管理员可在「已归档」页恢复") % {"name": obj})
            return redirect(done_url)
    return render(
        request,
        "core/archive_confirm.html",
        {
            "heading": heading,
            "object_label": object_label,
            "blockers": blockers,
            "error": error,
            "reason_error": reason_error,
            "reason": reason,
            "cancel_url": cancel_url,
        },
    )


def archived_list_page(request, model, *, heading, code_label, code_field, restore_url_name):
    """已归档企业 / 已归档项目: the system administrator's page to find and restore archived rows of
    `model` (one with `archived_at`, `archived_by` and an `all_objects` manager)."""
    if not permissions.allowed(request.user, "core.archive.restore"):
        raise Http404
    qs = (
        model.all_objects.filter(archived_at__isnull=False)
        .select_related("region", "archived_by")
        .order_by("-archived_at", "-id")
    )
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    for row in page:
        row.code_value = getattr(row, code_field)
        row.restore_url = reverse(restore_url_name, args=[row.pk])
    return render(
        request, "core/archived_list.html", {"page": page, "heading": heading, "code_label": code_label}
    )

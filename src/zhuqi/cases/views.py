"""Case pages: dispatch board, department inbox, case list and page, enterprise portal,
leader's view, figures, hotline import, routing rules. Every page starts from
`Case.objects.visible_to(user)`; state changes go through `services`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhuqi.core import audit, exports, permissions
from zhuqi.core import services as core_services
from zhuqi.core.excel import xlsx_response
from zhuqi.core.forms import add_service_error
from zhuqi.core.models import Comment, Department
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.roles import Role
from zhuqi.core.scope import _own_enterprise_id, scope_for

from . import figures as F
from . import routing, selectors, services, workflow
from .forms import CaseForm, CorrectionForm, PortalForm, RuleForm, category_choices
from .models import (
    Case,
    CaseClock,
    Category,
    Channel,
    RoutingRule,
    Satisfaction,
    Status,
    Supervision,
)


def _page(request, qs, per_page=30):
    return CappedPaginator(qs, per_page).get_page(request.GET.get("page"))


def _role(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def _require(user, action: str) -> None:
    """A page the viewer's role may not use (core/permissions.py) answers 404."""
    if not permissions.allowed(user, action):
        raise Http404


def _error(request, exc) -> None:
    msg = exc.messages[0] if isinstance(exc, ValidationError) else (str(exc) or gettext("无权操作"))
    messages.error(request, msg)


# --- lists -----------------------------------------------------------------------------------
def _figure_dates(request):
    """The figures' period: the dates asked for; with neither given, this year to date
    (本年累计, the reporting convention). `?start=&end=` (both empty) is all time."""
    if "start" not in request.GET and "end" not in request.GET:
        today = timezone.localdate()
        return dt.date(today.year, 1, 1), today
    return selectors.parse_dates(request.GET)


FIGURE_ROWS = 300  # rows drawn on the page; the Excel export has them all


def _default_dim(user) -> str:
    """By department for a county and below; wider scopes first compare their regions."""
    path = scope_for(user).region_path
    return "department" if path and path.count("/") >= 3 else "region"


def _period_links(start, end) -> list[tuple[str, str, bool]]:
    today = timezone.localdate()
    month = today.replace(day=1)
    year = dt.date(today.year, 1, 1)
    last = dt.date(today.year - 1, 1, 1)
    options = [
        (_("本月"), month, today),
        (_("本年"), year, today),
        (_("上年"), last, dt.date(today.year - 1, 12, 31)),
        (_("全部"), None, None),
    ]
    return [(str(label), f"start={a or ''}&end={b or ''}", (a, b) == (start, end)) for label, a, b in options]


@login_required
def case_list(request):
    if permissions.allowed(request.user, "cases.portal"):
        return redirect("cases:portal")
    _require(request.user, "cases.list")
    qs = selectors.case_list(request.user, request.GET)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": _page(request, qs),
            "statuses": Status.choices,
            "channels": Channel.choices,
            "categories": Category.objects.filter(parent__isnull=True),
            "q": request.GET.get("q", ""),
            "metric": F.METRICS.get(request.GET.get("metric", "")),
            "overdue_as_of": _as_of_label(selectors.overdue_as_of(request.GET)),
            "can_create": permissions.allowed(request.user, "cases.register"),
        },
    )


def _as_of_label(as_of) -> str:
    """The moment of the 超期未办结 drill as an official reads it: "2026-09-30 24:00" for the end
    of a day, else the minute."""
    if as_of is None:
        return ""
    local = timezone.localtime(as_of)
    if local.time() == dt.time():
        return f"{local.date() - dt.timedelta(days=1):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"


BOARD_TABS = [
    ("new", _("待受理")),
    ("unrouted", _("待交办")),
    ("overdue", _("已超时")),
    ("escalated", _("提级调度")),
    ("extension", _("延期审批")),
    ("followup", _("待回访")),
    ("close", _("待销号")),
]


@login_required
def board(request):
    """The dispatch office's board: new, unrouted, overdue, escalated …"""
    _require(request.user, "cases.board")
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(BOARD_TABS) else "new"
    counts, qs = selectors.board(request.user, tab, timezone.now())
    return render(
        request,
        "cases/board.html",
        {"tabs": [(t, label, counts[t]) for t, label in BOARD_TABS], "tab": tab, "page": _page(request, qs)},
    )


INBOX_TABS = [
    ("sign", _("待签收")),
    ("work", _("办理中")),
    ("soon", _("即将到期")),
    ("overdue", _("已超时")),
    ("assist", _("协办")),
    ("supervision", _("督办待回复")),
]


@login_required
def inbox(request):
    """A department's inbox: to sign, in progress, due soon, overdue, assisting, supervision."""
    user = request.user
    _require(user, "cases.inbox")
    if not user.department_id:
        raise Http404
    now = timezone.now()
    queries = selectors.inbox(user, now)
    counts = {k: v.count() for k, v in queries.items()}
    tab = request.GET.get("tab")
    if tab not in queries:
        tab = next((k for k, _label in INBOX_TABS if counts[k]), "sign")
    qs = queries[tab].with_rag(now).select_related(*selectors.LIST_RELATED).order_by("next_due_at", "-id")
    return render(
        request,
        "cases/inbox.html",
        {"tabs": [(t, label, counts[t]) for t, label in INBOX_TABS], "tab": tab, "page": _page(request, qs)},
    )


@login_required
def leader_view(request):
    """A leader's view: cases of the enterprises in their charge, escalated ones first."""
    _require(request.user, "cases.leader_view")
    mine = request.GET.get("mine") == "1"
    qs, per_ent = selectors.leader(request.user, mine=mine)
    return render(
        request, "cases/leader.html", {"page": _page(request, qs), "per_enterprise": per_ent, "mine": mine}
    )


# --- create ----------------------------------------------------------------------------------
def _attach(request, case, *, public: bool = False) -> None:
    """The file sent with a form; `public` for one addressed to the enterprise (the reply's)."""
    upload = request.FILES.get("file")
    if upload:
        try:
            core_services.add_attachment(case, upload, actor=request.user, public=public)
        except ValidationError as exc:
            messages.warning(request, gettext("附件未上传：%(error)s") % {"error": exc.messages[0]})


def _duplicates_message(request, case) -> None:
    dups = routing.similar_open_cases(
        case.enterprise_id, f"{case.title} {case.description}", exclude_pk=case.pk
    )
    if dups:
        nos = "、".join(c.no for c, _ in dups[:3])
        messages.warning(
            request, gettext("该企业有相似的未办结诉求（%(nos)s），专班可在诉求页合并。") % {"nos": nos}
        )


@login_required
def case_new(request):
    user = request.user
    if permissions.allowed(user, "cases.portal"):
        return redirect("cases:portal_new")
    _require(user, "cases.register")
    form = CaseForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.create_case(
                d["enterprise"],
                channel=d["channel"],
                title=d["title"],
                description=d["description"],
                category=Category.objects.filter(pk=d["category"]).first() if d["category"] else None,
                urgency=d["urgency"],
                external_no=d["external_no"],
                contact_name=d["contact_name"],
                contact_phone=d["contact_phone"],
                actor=user,
            )
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
        else:
            _attach(request, case)
            messages.success(request, gettext("诉求已登记，编号 %(no)s") % {"no": case.no})
            _duplicates_message(request, case)
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form})


@login_required
def portal(request):
    """The enterprise portal: own cases, their status, rating."""
    user = request.user
    _require(user, "cases.portal")
    qs = Case.objects.visible_to(user).select_related("category", "lead_department").order_by("-submitted_at")
    qs = selectors.filter_cases(qs, request.GET)  # the home card's figures link here (?open=1, ?status=…)
    return render(
        request,
        "cases/portal.html",
        {"page": _page(request, qs, 20), "has_enterprise": bool(_own_enterprise_id(user))},
    )


@login_required
def portal_new(request):
    user = request.user
    _require(user, "cases.portal")
    from zhuqi.enterprises.models import Enterprise

    ent_id = _own_enterprise_id(user)
    if not ent_id:
        raise Http404
    form = PortalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.create_case(
                Enterprise.objects.get(pk=ent_id),
                channel=Channel.PORTAL,
                title=d["title"],
                description=d["description"],
                category=Category.objects.filter(pk=d["category"]).first() if d["category"] else None,
                contact_name=d["contact_name"] or user.display_name,
                contact_phone=d["contact_phone"] or user.mobile,
                actor=user,
            )
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
        else:
            _attach(request, case)
            messages.success(
                request, gettext("诉求已提交，编号 %(no)s。我们将在 1 个工作日内受理。") % {"no": case.no}
            )
            dups = routing.similar_open_cases(ent_id, f"{case.title} {case.description}", exclude_pk=case.pk)
            if dups:
                messages.info(
                    request,
                    gettext("您有相似的诉求正在办理（%(no)s），专班办公室可能会将两者合并办理。")
                    % {"no": dups[0][0].no},
                )
            return redirect(case)
    return render(request, "cases/portal_form.html", {"form": form})


# --- case page -------------------------------------------------------------------------------
@login_required
def case_detail(request, pk):
    user = request.user
    _require(user, "cases.view")
    case = get_object_or_404(
        Case.objects.visible_to(user)
        .with_rag()
        .select_related(
            "enterprise",
            "category",
            "category__parent",
            "lead_department",
            "region",
            "sla",
            "merged_into",
            "created_by",
        ),
        pk=pk,
    )
    actions = workflow.allowed_actions(case, user)
    if _role(user) == Role.ENTERPRISE:
        return _enterprise_case_page(request, case, actions)
    kinds = workflow.actor_kinds(case, user)
    ctx = {
        "case": case,
        "actions": actions,
        "is_dispatch": "dispatch" in kinds,
        "is_lead": "lead" in kinds,
        "clocks": CaseClock.objects.filter(case=case).order_by("id"),
        "assisting": [
            d.department.short_name or d.department.name
            for d in case.departments.filter(active=True, role="assist").select_related("department")
        ],
        "extensions": case.extensions.select_related("requested_by", "decided_by"),
        "followups": case.followups.select_related("by"),
        "escalations": case.escalations.select_related("by"),
        "meetings": case.meetings.select_related("convened_by"),
        "supervisions": case.supervisions.select_related("department", "issued_by", "responded_by"),
        # the services' transition and event entries (row diffs of the case stay in the audit log)
        "timeline": [e for e in audit.timeline(case, limit=400) if e.action != "update"],
        "attachments": core_services.attachments_of(case, request.user),
        "comments": core_services.comments_of(case, request.user),
        "visibility_choices": Comment.Visibility.choices,  # comments' and files' (internal first)
        "target_label": "cases.case",
        "target": case,
        "satisfactions": Satisfaction.choices,
        "now": timezone.now(),
        "can_correct": services.can_correct(user, case),
    }
    if "dispatch" in kinds and case.status == Status.REPLIED and case.followup_token:
        ctx["rate_url"] = services.rate_url(case)
    if "dispatch" in kinds and case.status in {Status.SUBMITTED, Status.ACCEPTED, Status.SENT_BACK}:
        s = ctx["suggestion"] = routing.suggest(f"{case.title} {case.description}")
        ctx["suggested_route"] = routing.route_for(s.category, case.region) if s.category else None
        # the forms pre-select the case's own category, else the suggestion only when it is sure
        # enough (routing.PRESELECT_AT); below that it is a hint and nothing is selected
        cat = case.category or (s.category if s.preselect else None)
        ctx["route"] = routing.route_for(cat, case.region) if cat else None
        ctx["route_category"] = cat
        ctx["category_choices"] = _category_choices()
        ctx["dept_choices"] = (
            Department.objects.visible_to(user).filter(is_active=True).order_by("kind", "name")
        )
        if case.status in {Status.SUBMITTED, Status.ACCEPTED}:
            ctx["duplicates"] = routing.similar_open_cases(
                case.enterprise_id, f"{case.title} {case.description}", exclude_pk=case.pk
            )
    return render(request, "cases/case_detail.html", ctx)


@login_required
def case_correct(request, pk):
    """Correct a registered case's enterprise, title, description or category, with a reason
    (the dispatch office and administrators; `services.correct_case` checks)."""
    user = request.user
    case = get_object_or_404(Case.objects.visible_to(user).select_related("enterprise", "category"), pk=pk)
    if not services.can_correct(user, case):
        raise Http404
    initial = {
        "enterprise": case.enterprise_id,
        "title": case.title,
        "description": case.description,
        "category": case.category_id,
    }
    form = CorrectionForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.correct_case(
                case,
                actor=user,
                reason=d["reason"],
                enterprise=d["enterprise"],
                title=d["title"],
                description=d["description"],
                category=Category.objects.filter(pk=d["category"]).first() if d["category"] else None,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("已更正，原因已记入历史记录"))
            return redirect(case)
    return render(request, "cases/case_correct.html", {"form": form, "case": case})


def _enterprise_case_page(request, case: Case, actions: list[str]):
    """The enterprise's own case: the public timeline only (selectors.PUBLIC_EVENTS) — what was
    received, who handles it, messages addressed to it, the answer, the due dates, the rating.
    The template gets nothing internal to leak: no clocks, supervision, escalation, extension
    requests, internal comments, officials' names or addresses."""
    ctx = {
        "case": case,
        "actions": [a for a in actions if a in ENTERPRISE_ACTIONS],
        "assisting": [
            d.department.short_name or d.department.name
            for d in case.departments.filter(active=True, role="assist").select_related("department")
        ],
        "enterprise_dues": selectors.enterprise_dues(case),
        "timeline": selectors.public_timeline(case),
        "attachments": core_services.attachments_of(case).filter(visibility=Comment.Visibility.PUBLIC),
        "target_label": "cases.case",
        "target": case,
        "satisfactions": Satisfaction.choices,
    }
    return render(request, "cases/case_public.html", ctx)


# what an enterprise user may do from its case page (the transition table decides when)
ENTERPRISE_ACTIONS = ("resume", "follow_up", "withdraw")


def _category_choices():
    return [(pk, label) for pk, label in category_choices() if pk]


@login_required
@require_POST
def case_act(request, pk, action):
    """Fire one transition from the case page (the services check state and permission)."""
    user = request.user
    case = Case.objects.get_visible_or_404(user, pk=pk)
    if action not in workflow.TRANSITIONS:
        raise Http404
    try:
        services.fire(case, action, actor=user, data=request.POST)
        if action == "reply":
            _attach(request, case, public=True)  # the answer's document goes to the enterprise
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, gettext("已%(action)s") % {"action": workflow.TRANSITIONS[action].label})
    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        return redirect("cases:inbox" if permissions.allowed(user, "cases.inbox") else "home")
    return redirect(case)


@login_required
@require_POST
def supervision_respond(request, pk):
    sup = get_object_or_404(Supervision, pk=pk)
    case = Case.objects.get_visible_or_404(request.user, pk=sup.case_id)
    try:
        services.respond_supervision(sup, actor=request.user, response=request.POST.get("response", ""))
        messages.success(request, gettext("督办回复已提交"))
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    return redirect(case)


def rate(request, pk, token):
    """The one-time follow-up link sent to the enterprise: no login, saved on the first answer."""
    case = get_object_or_404(Case, pk=pk)
    valid = bool(case.followup_token) and case.followup_token == token and case.status == Status.REPLIED
    done = False
    if request.method == "POST" and valid:
        try:
            services.follow_up_case(
                case,
                result=request.POST.get("result", ""),
                note=request.POST.get("note", ""),
                solved=services.parse_yes_no(request.POST, "solved"),
                token=token,
            )
            done = True
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
    return render(
        request,
        "cases/rate.html",
        {"case": case if valid or done else None, "done": done, "satisfactions": Satisfaction.choices},
    )


@login_required
def suggest_view(request):
    _require(request.user, "cases.suggest")
    s = routing.suggest(request.GET.get("text", "")[:2000])
    return JsonResponse(routing.suggestion_data(s, request.user.region))


# --- figures & exports -------------------------------------------------------------------------
@login_required
def figures(request):
    _require(request.user, "cases.figures")
    start, end = _figure_dates(request)
    dim = request.GET.get("dim") if request.GET.get("dim") in F.DIMENSIONS else _default_dim(request.user)
    qs = F.base(request.user, start, end)
    totals, rows = F.summary(qs, dim, F.region_depth_for(request.user))
    shown = rows[:FIGURE_ROWS]
    return render(
        request,
        "cases/figures.html",
        {
            "totals": totals,
            "rows": shown,
            "rows_hidden": len(rows) - len(shown),
            "dim": dim,
            "dims": F.DIMENSIONS,
            "metrics": list(F.METRICS.values()),
            "rate_metrics": [m for m in F.METRICS.values() if m.is_rate],
            "start": start,
            "end": end,
            "period_qs": f"start={start or ''}&end={end or ''}",
            "periods": _period_links(start, end),
            "chart": {
                "labels": [r["label"] for r in shown[:60]],
                "close": [_num(r["close_rate"]["rate"]) for r in shown[:60]],
                "sat": [_num(r["satisfaction"]["rate"]) for r in shown[:60]],
            },
        },
    )


def _num(value):
    """A Decimal rate as a number for the chart's JSON (None stays None)."""
    return None if value is None else float(value)


@login_required
def figures_export(request):
    _require(request.user, "cases.figures")
    start, end = _figure_dates(request)
    dim = request.GET.get("dim") if request.GET.get("dim") in F.DIMENSIONS else _default_dim(request.user)
    rows = F.by_dimension(F.base(request.user, start, end), dim, F.region_depth_for(request.user))
    # a rate is a number with a % format (Excel computes with it), its numerator and denominator
    # in the two columns after it; a zero denominator leaves the rate empty
    headers, rates = [F.DIMENSIONS[dim]], []
    for m in F.METRICS.values():
        if m.is_rate:
            rates.append(len(headers))
            headers += [
                m.label,
                gettext("%(figure)s（分子）") % {"figure": m.label},
                gettext("%(figure)s（分母）") % {"figure": m.label},
            ]
        else:
            headers.append(m.label)
    headers.append(gettext("平均办结工作日"))
    data = []
    for r in rows:
        line = [r["label"]]
        for m in F.METRICS.values():
            v = r[m.key]
            line += [v["rate"], v["n"], v["d"]] if m.is_rate else [v["n"]]
        line.append(r["avg_days"])
        data.append(line)
    return xlsx_response(
        gettext("诉求统计.xlsx"),
        headers,
        data,
        actor=request.user,
        what=gettext("诉求统计（按%(dimension)s）") % {"dimension": F.DIMENSIONS[dim]},
        object_type="cases.case",
        rates=rates,
    )


@login_required
def case_export(request):
    """The list as Excel (cases/exports.py): at once, or written in the background when large."""
    _require(request.user, "cases.export")
    return exports.respond(request, "cases.cases")


@login_required
def rules(request):
    """Routing rules, edited by the dispatch office."""
    if not services.can_edit_routing_rules(request.user):
        raise Http404
    form = RuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_routing_rule(
                None,
                actor=request.user,
                category=d["category"],
                region=d["region"],
                lead_department=d["lead_department"],
                assisting_departments=d["assisting_departments"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
        else:
            messages.success(request, _("分拨规则已保存"))
            return redirect("cases:rules")
    qs = (
        RoutingRule.objects.visible_to(request.user)
        .select_related("category", "region", "lead_department")
        .prefetch_related("assisting_departments")
    )
    return render(request, "cases/rules.html", {"form": form, "rules": qs})


@login_required
@require_POST
def rule_delete(request, pk):
    if not services.can_edit_routing_rules(request.user):
        raise Http404
    rule = RoutingRule.objects.get_visible_or_404(request.user, pk=pk)
    try:
        services.delete_routing_rule(rule, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已删除分拨规则"))
    return redirect("cases:rules")

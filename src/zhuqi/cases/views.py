"""Case pages: dispatch board, department inbox, case list and page, enterprise portal,
leader's view, figures, hotline import, routing rules. Every page starts from
`Case.objects.visible_to(user)`; state changes go through `services`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhuqi.core import audit
from zhuqi.core import services as core_services
from zhuqi.core.excel import template_workbook, xlsx_response
from zhuqi.core.models import Department
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.scope import _own_enterprise_id, scope_for
from zhuqi.core.workcalendar import due_at

from . import figures as F
from . import routing, services, workflow
from .forms import CaseForm, ImportForm, PortalForm, RuleForm, category_choices
from .importer import HotlineImporter
from .models import (
    OPEN_STATUSES,
    Case,
    CaseClock,
    Category,
    Channel,
    Extension,
    RoutingRule,
    Satisfaction,
    Status,
    Supervision,
)

LIST_RELATED = ("enterprise", "category", "category__parent", "lead_department", "region")


def _page(request, qs, per_page=30):
    return CappedPaginator(qs, per_page).get_page(request.GET.get("page"))


def _role(user) -> str:
    return "admin" if user.is_superuser else user.role


def _is_dispatch(user) -> bool:
    return _role(user) in {"admin", "dispatch"}


def _error(request, exc) -> None:
    msg = exc.messages[0] if isinstance(exc, ValidationError) else (str(exc) or "无权操作")
    messages.error(request, msg)


# --- home card -------------------------------------------------------------------------------
def home_card(request):
    user = request.user
    role = _role(user)
    if role == "enterprise":
        qs = Case.objects.visible_to(user)
        return {
            "template": "cases/_home_card.html",
            "title": _("我的诉求"),
            "stats": [
                (_("办理中"), qs.filter(status__in=OPEN_STATUSES).count(), reverse("cases:portal"), False),
                (_("待评价"), qs.filter(status=Status.REPLIED).count(), reverse("cases:portal"), False),
                (_("已办结"), qs.filter(status=Status.CLOSED).count(), reverse("cases:portal"), False),
            ],
            "link": reverse("cases:portal_new"),
            "link_label": _("提交诉求"),
        }
    if role in {"grid", "commissioner", "observer"} and not Case.objects.visible_to(user).exists():
        return None
    qs = Case.objects.visible_to(user).filter(status__in=OPEN_STATUSES)
    now = timezone.now()
    if role in {"dept_head", "handler"}:
        mine = qs.filter(lead_department_id=user.department_id)
        stats = [
            (
                _("待签收"),
                mine.filter(status=Status.DISPATCHED).count(),
                reverse("cases:inbox") + "?tab=sign",
                False,
            ),
            (
                _("办理中"),
                mine.filter(status__in=list(workflow.WORKING | {Status.WAITING})).count(),
                reverse("cases:inbox") + "?tab=work",
                False,
            ),
            (
                _("即将到期"),
                mine.filter(next_due_at__gte=now, next_due_at__lte=due_at(now, 2)).count(),
                reverse("cases:inbox") + "?tab=soon",
                False,
            ),
            (
                _("已超时"),
                mine.filter(next_due_at__lt=now).count(),
                reverse("cases:inbox") + "?tab=overdue",
                True,
            ),
        ]
        link = reverse("cases:inbox")
    elif _is_dispatch(user):
        board_url = reverse("cases:board")
        stats = [
            (_("待受理"), qs.filter(status=Status.SUBMITTED).count(), board_url + "?tab=new", False),
            (
                _("待交办"),
                qs.filter(status__in=[Status.ACCEPTED, Status.SENT_BACK]).count(),
                board_url + "?tab=unrouted",
                False,
            ),
            (_("已超时"), qs.filter(next_due_at__lt=now).count(), board_url + "?tab=overdue", True),
            (_("提级调度"), qs.filter(escalation_level__gte=2).count(), board_url + "?tab=escalated", False),
        ]
        link = board_url
    else:
        list_url = reverse("cases:list")
        stats = [
            (_("办理中"), qs.count(), list_url + "?open=1", False),
            (_("已超时"), qs.filter(next_due_at__lt=now).count(), list_url + "?open=1&rag=red", True),
            (
                _("县级以上调度"),
                qs.filter(escalation_level__gte=3).count(),
                list_url + "?open=1&level=3",
                False,
            ),
        ]
        link = reverse("cases:leader") if role in {"leader", "supervisor"} else list_url
    return {
        "template": "cases/_home_card.html",
        "title": _("企业诉求"),
        "stats": stats,
        "link": link,
        "link_label": _("进入"),
    }


# --- lists -----------------------------------------------------------------------------------
def _filtered(request, qs):
    g = request.GET
    if g.get("status") in Status.values:
        qs = qs.filter(status=g["status"])
    if g.get("open"):
        qs = qs.filter(status__in=OPEN_STATUSES)
    if g.get("channel") in Channel.values:
        qs = qs.filter(channel=g["channel"])
    if g.get("category", "").isdigit():
        c = int(g["category"])
        qs = qs.filter(Q(category_id=c) | Q(category__parent_id=c))
    if g.get("dept", "").isdigit():
        qs = qs.filter(lead_department_id=int(g["dept"]))
    if g.get("rag") in {"red", "yellow", "green"}:
        qs = qs.filter(rag=g["rag"])
    if g.get("level", "").isdigit():
        qs = qs.filter(escalation_level__gte=int(g["level"]))
    q = g.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(title__contains=q) | Q(no__contains=q) | Q(enterprise__name__contains=q) | Q(external_no=q)
        )
    metric = g.get("metric")
    if metric in F.METRICS:
        start, end = _dates(request)
        qs = qs.filter(F.period_q(start, end))
        dim = g.get("dim", "")
        try:
            qs = F.drill(qs, metric, g.get("part", "n"), dim if dim in F.DIMENSIONS else "", g.get("key"))
        except (ValueError, KeyError):
            raise Http404 from None
    return qs


def _dates(request):
    def parse(v):
        try:
            return dt.date.fromisoformat(v) if v else None
        except ValueError:
            return None

    return parse(request.GET.get("start")), parse(request.GET.get("end"))


def _figure_dates(request):
    """The figures' period: the dates asked for; with neither given, this year to date
    (本年累计, the reporting convention). `?start=&end=` (both empty) is all time."""
    if "start" not in request.GET and "end" not in request.GET:
        today = timezone.localdate()
        return dt.date(today.year, 1, 1), today
    return _dates(request)


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
    if _role(request.user) == "enterprise":
        return redirect("cases:portal")
    qs = Case.objects.visible_to(request.user).with_rag().select_related(*LIST_RELATED)
    qs = _filtered(request, qs)
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
            "can_create": _role(request.user) not in {"observer", "dept_head", "handler"},
        },
    )


BOARD_TABS = [
    ("new", _("待受理")),
    ("unrouted", _("待交办")),
    ("overdue", _("已超时")),
    ("escalated", _("提级调度")),
    ("extension", _("延期审批")),
    ("followup", _("待回访")),
    ("close", _("待销号")),
]


def _board_q(tab: str, now):
    """Every tab is a subset of the open cases (closed ones carry no clocks, no pending
    extension), so the counts scan open cases only: a few percent of a province's history."""
    return {
        "new": Q(status=Status.SUBMITTED),
        "unrouted": Q(status__in=[Status.ACCEPTED, Status.SENT_BACK]),
        "overdue": Q(next_due_at__lt=now),
        "escalated": Q(escalation_level__gte=2),
        "extension": Q(Exists(Extension.objects.filter(case=OuterRef("pk"), state=Extension.State.PENDING))),
        "followup": Q(status=Status.REPLIED),
        "close": Q(status=Status.FOLLOWED_UP),
    }[tab]


@login_required
def board(request):
    """The dispatch office's board: new, unrouted, overdue, escalated …"""
    if not _is_dispatch(request.user):
        raise Http404
    now = timezone.now()
    base = Case.objects.visible_to(request.user).filter(status__in=OPEN_STATUSES)
    counts = base.aggregate(**{t: Count("pk", filter=_board_q(t, now)) for t, _ in BOARD_TABS})
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(BOARD_TABS) else "new"
    qs = base.filter(_board_q(tab, now)).with_rag(now).select_related(*LIST_RELATED)
    qs = (
        qs.order_by("next_due_at", "-id")
        if tab in {"overdue", "escalated"}
        else qs.order_by("-submitted_at", "-id")
    )
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
    if _role(user) not in {"dept_head", "handler"} or not user.department_id:
        raise Http404
    now = timezone.now()
    base = Case.objects.visible_to(user)
    lead = base.filter(lead_department_id=user.department_id)
    working = list(workflow.WORKING | {Status.WAITING})
    queries = {
        "sign": lead.filter(status=Status.DISPATCHED),
        "work": lead.filter(status__in=working),
        "soon": lead.filter(status__in=OPEN_STATUSES, next_due_at__gte=now, next_due_at__lte=due_at(now, 2)),
        "overdue": lead.filter(status__in=OPEN_STATUSES, next_due_at__lt=now),
        "assist": base.filter(
            departments__department_id=user.department_id,
            departments__role="assist",
            departments__active=True,
            status__in=OPEN_STATUSES,
        ),
        "supervision": base.filter(
            supervisions__department_id=user.department_id,
            supervisions__kind="notice",
            supervisions__responded_at__isnull=True,
        ).distinct(),
    }
    counts = {k: v.count() for k, v in queries.items()}
    tab = request.GET.get("tab")
    if tab not in queries:
        tab = next((k for k, _label in INBOX_TABS if counts[k]), "sign")
    qs = queries[tab].with_rag(now).select_related(*LIST_RELATED).order_by("next_due_at", "-id")
    return render(
        request,
        "cases/inbox.html",
        {"tabs": [(t, label, counts[t]) for t, label in INBOX_TABS], "tab": tab, "page": _page(request, qs)},
    )


@login_required
def leader_view(request):
    """A leader's view: cases of the enterprises in their charge, escalated ones first."""
    if _role(request.user) not in {"leader", "admin", "supervisor"}:
        raise Http404
    base = Case.objects.visible_to(request.user)
    mine = request.GET.get("mine") == "1"
    if mine:  # the enterprises this leader is assigned to (包抓/包联), read from assistance
        from django.apps import apps

        try:
            assignment = apps.get_model("assistance", "Assignment")
        except LookupError:
            assignment = None
        if assignment is not None:
            ents = assignment.objects.filter(user=request.user, ended_on__isnull=True).values("enterprise_id")
            base = base.filter(enterprise_id__in=ents)
    qs = (
        base.filter(status__in=OPEN_STATUSES)
        .with_rag()
        .select_related(*LIST_RELATED)
        .order_by("-escalation_level", "next_due_at")
    )
    per_ent = (
        base.values("enterprise_id", "enterprise__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            level3=Count("pk", filter=Q(escalation_level__gte=3, status__in=OPEN_STATUSES)),
        )
        .filter(open__gt=0)
        .order_by("-level3", "-open")[:20]
    )
    return render(
        request, "cases/leader.html", {"page": _page(request, qs), "per_enterprise": per_ent, "mine": mine}
    )


# --- create ----------------------------------------------------------------------------------
def _attach(request, case) -> None:
    upload = request.FILES.get("file")
    if upload:
        try:
            core_services.add_attachment(case, upload, actor=request.user)
        except ValidationError as exc:
            messages.warning(request, "附件未上传：" + exc.messages[0])


def _duplicates_message(request, case) -> None:
    dups = routing.similar_open_cases(
        case.enterprise_id, f"{case.title} {case.description}", exclude_pk=case.pk
    )
    if dups:
        nos = "、".join(c.no for c, _ in dups[:3])
        messages.warning(request, f"该企业有相似的未办结诉求（{nos}），专班可在诉求页合并。")


@login_required
def case_new(request):
    user = request.user
    if _role(user) in {"enterprise"}:
        return redirect("cases:portal_new")
    if _role(user) in {"observer", "dept_head", "handler"}:
        raise Http404
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
            messages.success(request, f"诉求已登记，编号 {case.no}")
            _duplicates_message(request, case)
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form})


@login_required
def portal(request):
    """The enterprise portal: own cases, their status, rating."""
    user = request.user
    if _role(user) != "enterprise":
        raise Http404
    qs = Case.objects.visible_to(user).select_related("category", "lead_department").order_by("-submitted_at")
    return render(
        request,
        "cases/portal.html",
        {"page": _page(request, qs, 20), "has_enterprise": bool(_own_enterprise_id(user))},
    )


@login_required
def portal_new(request):
    user = request.user
    if _role(user) != "enterprise":
        raise Http404
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
            messages.success(request, f"诉求已提交，编号 {case.no}。我们将在 1 个工作日内受理。")
            dups = routing.similar_open_cases(ent_id, f"{case.title} {case.description}", exclude_pk=case.pk)
            if dups:
                messages.info(
                    request, f"您有相似的诉求正在办理（{dups[0][0].no}），专班办公室可能会将两者合并办理。"
                )
            return redirect(case)
    return render(request, "cases/portal_form.html", {"form": form})


# --- case page -------------------------------------------------------------------------------
@login_required
def case_detail(request, pk):
    user = request.user
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
    kinds = workflow.actor_kinds(case, user)
    ctx = {
        "case": case,
        "actions": actions,
        "is_dispatch": "dispatch" in kinds,
        "is_lead": "lead" in kinds,
        "is_enterprise": _role(user) == "enterprise",
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
        "attachments": core_services.attachments_of(case),
        "comments": core_services.comments_of(case),
        "target_label": "cases.case",
        "target": case,
        "satisfactions": Satisfaction.choices,
        "now": timezone.now(),
    }
    if _role(user) == "enterprise":
        ctx["timeline"] = [
            e
            for e in ctx["timeline"]
            if e.action == "transition" or e.event in {"comment_added", "attachment_added"}
        ]
    if "dispatch" in kinds and case.status in {Status.SUBMITTED, Status.ACCEPTED, Status.SENT_BACK}:
        ctx["suggestion"] = routing.suggest(f"{case.title} {case.description}")
        cat = case.category or (ctx["suggestion"].category if ctx["suggestion"].confidence >= 0.5 else None)
        ctx["route"] = routing.route_for(cat, case.region)
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


def _category_choices():
    return [(pk, label) for pk, label in category_choices() if pk]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def case_act(request, pk, action):
    """Fire one transition from the case page (the services check state and permission)."""
    user = request.user
    case = Case.objects.get_visible_or_404(user, pk=pk)
    if action not in workflow.TRANSITIONS:
        raise Http404
    p = request.POST
    cat = Category.objects.filter(pk=_int(p.get("category"))).first() if p.get("category") else None
    try:
        if action == "accept":
            services.accept_case(case, actor=user, category=cat, urgency=p.get("urgency") or None)
        elif action == "refuse":
            services.refuse_case(case, actor=user, reason=p.get("reason", ""))
        elif action == "dispatch":
            depts = Department.objects.visible_to(user)
            lead = depts.filter(pk=_int(p.get("lead"))).first() if p.get("lead") else None
            assisting = list(depts.filter(pk__in=[_int(x) for x in p.getlist("assisting") if _int(x)]))
            services.dispatch_case(case, actor=user, lead=lead, assisting=assisting, category=cat)
        elif action == "sign":
            services.sign_case(case, actor=user)
        elif action == "send_back":
            services.send_back_case(case, actor=user, reason=p.get("reason", ""))
        elif action == "report_progress":
            services.report_progress(case, actor=user, note=p.get("note", ""))
        elif action == "pause":
            services.pause_case(case, actor=user, reason=p.get("reason", ""))
        elif action == "resume":
            services.resume_case(case, actor=user, note=p.get("note", ""))
        elif action == "reply":
            services.reply_case(
                case, actor=user, reply=p.get("reply", ""), resolved=p.get("resolved", "1") == "1"
            )
            _attach(request, case)
        elif action == "follow_up":
            services.follow_up_case(case, actor=user, result=p.get("result", ""), note=p.get("note", ""))
        elif action == "close":
            services.close_case(case, actor=user, note=p.get("note", ""))
        elif action == "merge":
            into = Case.objects.get_visible_or_404(user, pk=_int(p.get("into")) or 0)
            services.merge_case(case, into=into, actor=user)
        elif action == "withdraw":
            services.withdraw_case(case, actor=user, reason=p.get("reason", ""))
        elif action == "request_extension":
            services.request_extension(
                case, actor=user, days=_int(p.get("days")) or 0, reason=p.get("reason", "")
            )
        elif action == "decide_extension":
            ext = get_object_or_404(Extension, pk=_int(p.get("extension")) or 0, case=case)
            services.decide_extension(
                ext, actor=user, approve=p.get("approve") == "1", note=p.get("note", "")
            )
        elif action == "beyond_local":
            services.flag_beyond_local(case, actor=user, reason=p.get("reason", ""))
        elif action == "escalate":
            services.escalate_case(case, actor=user, note=p.get("note", ""))
        elif action == "hold_meeting":
            services.hold_meeting(
                case,
                actor=user,
                held_at=timezone.now(),
                attendees=p.get("attendees", ""),
                decisions=p.get("decisions", ""),
                owners=p.get("owners", ""),
            )
        elif action == "supervise":
            services.supervise_case(case, actor=user, body=p.get("body", ""))
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已{workflow.TRANSITIONS[action].label}")
    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        return redirect("cases:inbox" if _role(user) in {"dept_head", "handler"} else "home")
    return redirect(case)


@login_required
@require_POST
def supervision_respond(request, pk):
    sup = get_object_or_404(Supervision, pk=pk)
    case = Case.objects.get_visible_or_404(request.user, pk=sup.case_id)
    try:
        services.respond_supervision(sup, actor=request.user, response=request.POST.get("response", ""))
        messages.success(request, "督办回复已提交")
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
                case, result=request.POST.get("result", ""), note=request.POST.get("note", ""), token=token
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
    if _role(request.user) == "enterprise":
        raise Http404
    s = routing.suggest(request.GET.get("text", "")[:2000])
    return JsonResponse(
        {
            "category": s.category.pk if s.category else None,
            "label": str(s.category or ""),
            "confidence": s.percent,
            "method": s.method,
        }
    )


# --- figures & exports -------------------------------------------------------------------------
@login_required
def figures(request):
    if _role(request.user) in {"enterprise", "grid"}:
        raise Http404
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
                "close": [r["close_rate"]["rate"] for r in shown[:60]],
                "sat": [r["satisfaction"]["rate"] for r in shown[:60]],
            },
        },
    )


@login_required
def figures_export(request):
    if _role(request.user) in {"enterprise", "grid"}:
        raise Http404
    start, end = _figure_dates(request)
    dim = request.GET.get("dim") if request.GET.get("dim") in F.DIMENSIONS else _default_dim(request.user)
    rows = F.by_dimension(F.base(request.user, start, end), dim, F.region_depth_for(request.user))
    headers = [F.DIMENSIONS[dim]] + [m.label for m in F.METRICS.values()] + ["平均办结工作日"]
    data = []
    for r in rows:
        line = [r["label"]]
        for m in F.METRICS.values():
            v = r[m.key]
            line.append(
                f"{v['rate']}%（{v['n']}/{v['d']}）"
                if m.is_rate and v["rate"] is not None
                else (v["n"] if not m.is_rate else "—")
            )
        line.append(r["avg_days"])
        data.append(line)
    return xlsx_response(
        "诉求统计.xlsx",
        headers,
        data,
        actor=request.user,
        what=f"诉求统计（按{F.DIMENSIONS[dim]}）",
        object_type="cases.case",
    )


@login_required
def case_export(request):
    if _role(request.user) == "enterprise":
        raise Http404
    qs = _filtered(request, Case.objects.visible_to(request.user).with_rag().select_related(*LIST_RELATED))[
        :20000
    ]
    headers = [
        "编号",
        "企业",
        "标题",
        "类别",
        "渠道",
        "状态",
        "主办部门",
        "提交时间",
        "最近期限",
        "调度层级",
        "满意度",
        "外部工单号",
    ]
    rows = (
        [
            c.no,
            c.enterprise.name,
            c.title,
            str(c.category or ""),
            c.get_channel_display(),
            c.get_status_display(),
            str(c.lead_department or ""),
            c.submitted_at,
            c.next_due_at,
            c.escalation_level,
            c.get_satisfaction_display(),
            c.external_no,
        ]
        for c in qs
    )
    return xlsx_response(
        "企业诉求.xlsx", headers, rows, actor=request.user, what="企业诉求清单", object_type="cases.case"
    )


@login_required
def hotline_import(request):
    if not _is_dispatch(request.user):
        raise Http404
    if request.GET.get("template"):
        content = template_workbook(
            HotlineImporter.columns,
            [
                [
                    "GZ2026030100001",
                    "12345",
                    "91340323MA2N000001",
                    "示例企业",
                    "厂区道路积水",
                    "雨后厂区门口道路积水严重",
                    "其他",
                    "张三",
                    "13800000000",
                    "2026-03-01 09:30",
                ]
            ],
        )
        from django.http import HttpResponse

        resp = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        resp["Content-Disposition"] = "attachment; filename*=UTF-8''hotline-template.xlsx"
        return resp
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        dry = request.POST.get("apply") != "1"
        result = HotlineImporter(request.user).run(form.cleaned_data["file"], dry_run=dry)
        if result.applied:
            messages.success(request, f"已导入 {result.created} 件热线工单")
            return redirect(reverse("cases:board") + "?tab=new")
    return render(request, "cases/import.html", {"form": form, "result": result})


@login_required
def rules(request):
    """Routing rules, edited by the dispatch office."""
    if not _is_dispatch(request.user):
        raise Http404
    form = RuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        from django.db import IntegrityError, transaction

        try:
            with transaction.atomic():
                rule = form.save()
        except IntegrityError:
            messages.error(request, "该类别在该区划已有规则，请先删除原规则")
        else:
            audit.record(
                "event", rule, event="routing_rule_saved", changes={"rule": str(rule)}, actor=request.user
            )
            messages.success(request, "分拨规则已保存")
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
    if not _is_dispatch(request.user):
        raise Http404
    rule = RoutingRule.objects.get_visible_or_404(request.user, pk=pk)
    rule.delete()
    messages.success(request, "已删除分拨规则")
    return redirect("cases:rules")

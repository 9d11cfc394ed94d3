"""Pages of 招商引资: the lead list (filters, scope), a lead (history, move, pre-review,
contracts, conversion to a project), the lead form and the funnel. Rules live in `services`;
reads in `selectors`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhuqi.core import audit, permissions
from zhuqi.core.excel import xlsx_response
from zhuqi.core.models import Department, Region
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.params import date_param, int_list, int_param, year_param
from zhuqi.core.units import WAN

from . import figures, selectors, services, services_judging, services_weekly, workflow
from .forms import (
    AbroadTeamForm,
    AnnualTargetForm,
    ClockStopForm,
    ConcludeForm,
    ContractForm,
    ConvertForm,
    FundForm,
    LeadForm,
    MeetingForm,
    MoveForm,
    ObligationCheckForm,
    ObligationRows,
    OpinionForm,
    PrereviewStartForm,
    ReviewRuleForm,
    TargetForm,
    WeeklyReportForm,
)
from .models import (
    CRITERIA,
    AbroadTeam,
    Chain,
    Decision,
    JudgingMeeting,
    Lead,
    Obligation,
    Opinion,
    Pipeline,
    PreReview,
    ReviewRule,
    Source,
    Stage,
    Target,
    WeeklyReport,
)


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            target = field if field in form.fields else None
            for m in errs:
                form.add_error(target, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _flash_error(request, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, ValidationError):
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.error(request, str(exc))


def _lead(request, pk) -> Lead:
    _require(request, "attraction.view")
    return selectors.leads_for(request.user).get_visible_or_404(request.user, pk=pk)


@login_required
def lead_list(request):
    _require(request, "attraction.view")
    user = request.user
    qs, chosen = selectors.filter_leads(selectors.leads_for(user), request.GET)
    page = CappedPaginator(qs.order_by("-registered_on", "-pk"), 50).get_page(request.GET.get("page"))
    overdue = selectors.overdue_clocks(page)
    for lead in page:
        lead.overdue_clocks = overdue.get(lead.pk, [])
    return render(
        request,
        "attraction/lead_list.html",
        {
            "page": page,
            "chosen": chosen,
            "pipelines": Pipeline.objects.filter(is_active=True),
            "stages": selectors.stage_choices(),
            "sources": Source.choices,
            "bands": selectors.BANDS,
            "teams": Department.objects.visible_to(user).filter(is_active=True).order_by("name"),
            "can_register": permissions.allowed(user, "attraction.lead.work"),
            "today": timezone.localdate(),
        },
    )


@login_required
def lead_form(request, pk=None):
    _require(request, "attraction.lead.work")
    user = request.user
    lead = _lead(request, pk) if pk else None
    if lead is not None and not services.can_work(user, lead):
        raise Http404
    initial = {"registered_on": timezone.localdate()}
    if lead is not None:
        initial = {f: getattr(lead, f) for f in services.LEAD_FIELDS}
        initial["amount"] = lead.amount / WAN
    form = LeadForm(request.POST or None, user=user, editing=lead is not None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if lead is None:
                lead = services.register_lead(actor=user, **form.cleaned_data)
            else:
                lead = services.update_lead(lead, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, gettext("招商线索已保存"))
            return redirect("attraction:lead_detail", lead.pk)
    return render(request, "attraction/lead_form.html", {"form": form, "lead": lead})


@login_required
def lead_detail(request, pk):
    lead = _lead(request, pk)
    user = request.user
    can_work = services.can_work(user, lead)
    targets = [(str(workflow.TRANSITIONS[m].label), s) for m, s in workflow.targets(lead)] if can_work else []
    reviews = list(lead.prereviews.prefetch_related("opinions__department").order_by("-started_at"))
    open_review = next((r for r in reviews if r.status == PreReview.Status.OPEN), None)
    contracts = list(lead.contracts.prefetch_related("obligations").order_by("-signed_on"))
    can_prereview = services.can_manage(user, lead, "attraction.prereview.manage")
    today = timezone.localdate()
    running = not (lead.stage.is_side or lead.stage.is_final)
    clocks = list(lead.clocks.order_by("due_on", "pk"))
    for c in clocks:
        c.running = running and c.done_at is None
        c.late = services.late_by(c, today)
    return render(
        request,
        "attraction/lead_detail.html",
        {
            "lead": lead,
            "clocks": clocks,
            "aging": selectors.aging(lead),
            "changes": lead.changes.select_related("from_stage", "to_stage", "actor").order_by("at", "pk"),
            "can_work": can_work,
            "move_form": MoveForm(targets=targets) if targets else None,
            "reviews": reviews,
            "open_review": open_review,
            "can_prereview": can_prereview,
            "start_form": (
                PrereviewStartForm()
                if can_prereview
                and open_review is None
                and not (lead.stage.is_side or lead.stage.needs_prereview)
                else None
            ),
            "conclude_form": ConcludeForm() if can_prereview and open_review else None,
            "opinion_form": OpinionForm(),
            "answerable": (
                {o.pk for o in open_review.opinions.all() if services.can_answer(user, o)}
                if open_review
                else set()
            ),
            "contracts": contracts,
            "breached": sum(
                1
                for c in contracts
                for o in c.obligations.all()
                if o.breached_at and o.status != Obligation.Status.MET
            ),
            "check_form": ObligationCheckForm(),
            "can_convert": services.can_manage(user, lead, "attraction.convert") and not lead.project_id,
            "convert_form": ConvertForm(user=user)
            if services.can_manage(user, lead, "attraction.convert")
            else None,
            "project": lead.project if lead.project_id else None,
            "funds": lead.funds.order_by("-year", "-month", "source"),
            "fund_form": FundForm(
                initial={"year": timezone.localdate().year, "month": timezone.localdate().month}
            )
            if can_work
            else None,
            "today": timezone.localdate(),
        },
    )


def _done(request, lead, fn, ok: str):
    try:
        fn()
    except (ValidationError, PermissionDenied) as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, ok)
    return redirect("attraction:lead_detail", lead.pk)


@login_required
@require_POST
def lead_move(request, pk):
    lead = _lead(request, pk)
    if not services.can_work(request.user, lead):
        raise Http404
    form = MoveForm(request.POST, targets=[("", s) for _m, s in workflow.targets(lead)])
    if not form.is_valid():
        messages.error(request, gettext("请选择要转到的阶段"))
        return redirect("attraction:lead_detail", lead.pk)
    stage = get_object_or_404(Stage, pk=form.cleaned_data["to_stage"])
    return _done(
        request,
        lead,
        lambda: services.move_lead(lead, stage, actor=request.user, reason=form.cleaned_data["reason"]),
        gettext("线索已转到「%(stage)s」") % {"stage": stage.name},
    )


@login_required
@require_POST
def clock_stop(request, pk):
    lead = _lead(request, pk)
    if not services.can_work(request.user, lead):
        raise Http404
    form = ClockStopForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写办理情况说明"))
        return redirect("attraction:lead_detail", lead.pk)
    d = form.cleaned_data
    return _done(
        request,
        lead,
        lambda: services.stop_clock(lead, d["kind"], note=d["note"], actor=request.user),
        gettext("办理情况已记录"),
    )


@login_required
@require_POST
def prereview_start(request, pk):
    lead = _lead(request, pk)
    if not services.can_manage(request.user, lead, "attraction.prereview.manage"):
        raise Http404
    form = PrereviewStartForm(request.POST)
    days = form.cleaned_data["days"] if form.is_valid() else services.DEFAULT_REVIEW_DAYS
    return _done(
        request,
        lead,
        lambda: services.start_prereview(lead, actor=request.user, days=days),
        gettext("已发起联审预审，各预审部门已收到通知"),
    )


@login_required
@require_POST
def opinion_answer(request, pk):
    _require(request, "attraction.prereview.opinion")
    opinion = get_object_or_404(Opinion.objects.select_related("prereview__lead"), pk=pk)
    lead = _lead(request, opinion.prereview.lead_id)
    if not services.can_answer(request.user, opinion):
        raise Http404
    form = OpinionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择预审意见"))
        return redirect("attraction:lead_detail", lead.pk)
    d = form.cleaned_data
    return _done(
        request,
        lead,
        lambda: services.give_opinion(
            opinion, verdict=d["verdict"], conditions=d["conditions"], actor=request.user
        ),
        gettext("预审意见已反馈"),
    )


@login_required
@require_POST
def prereview_conclude(request, pk):
    review = get_object_or_404(PreReview, pk=pk)
    lead = _lead(request, review.lead_id)
    if not services.can_manage(request.user, lead, "attraction.prereview.manage"):
        raise Http404
    form = ConcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择综合意见并填写综合预审意见"))
        return redirect("attraction:lead_detail", lead.pk)
    d = form.cleaned_data
    return _done(
        request,
        lead,
        lambda: services.conclude_prereview(
            review, conclusion=d["conclusion"], summary=d["summary"], actor=request.user
        ),
        gettext("综合预审意见已出具"),
    )


@login_required
def contract_new(request, pk):
    lead = _lead(request, pk)
    if not services.can_work(request.user, lead):
        raise Http404
    form = ContractForm(request.POST or None)
    rows = ObligationRows(request.POST or None, prefix="ob")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        obligations = [r for r in rows.cleaned_data if r and r.get("kind")]
        try:
            services.record_contract(lead, actor=request.user, obligations=obligations, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, gettext("合同已登记"))
            return redirect("attraction:lead_detail", lead.pk)
    return render(request, "attraction/contract_form.html", {"form": form, "rows": rows, "lead": lead})


@login_required
@require_POST
def obligation_check(request, pk):
    obligation = get_object_or_404(Obligation.objects.select_related("contract"), pk=pk)
    lead = _lead(request, obligation.contract.lead_id)
    if not services.can_work(request.user, lead):
        raise Http404
    form = ObligationCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择已履约或未履约"))
        return redirect("attraction:lead_detail", lead.pk)
    d = form.cleaned_data
    return _done(
        request,
        lead,
        lambda: services.check_obligation(
            obligation, status=d["status"], actual=d["actual"], note=d["note"], actor=request.user
        ),
        gettext("履约情况已核定"),
    )


@login_required
@require_POST
def lead_convert(request, pk):
    lead = _lead(request, pk)
    if not services.can_manage(request.user, lead, "attraction.convert"):
        raise Http404
    form = ConvertForm(request.POST, user=request.user)
    if not form.is_valid():
        for errs in form.errors.values():
            for m in errs:
                messages.error(request, m)
        return redirect("attraction:lead_detail", lead.pk)
    d = form.cleaned_data
    try:
        project = services.convert_to_project(
            lead, code=d["code"], leader=d["leader"], department=d["department"], actor=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash_error(request, exc)
        return redirect("attraction:lead_detail", lead.pk)
    messages.success(request, gettext("已转为重点项目 %(code)s") % {"code": project.code})
    return redirect("projects:project_detail", project.pk)


@login_required
def funnel(request):
    _require(request, "attraction.view")
    return render(
        request,
        "attraction/funnel.html",
        {
            "pipelines": selectors.funnel(request.user),
            "stale_days": selectors.STALE_DAYS,
            "fulfilment": selectors.fulfilment(request.user),
        },
    )


@login_required
@require_POST
def funds_new(request, pk):
    lead = _lead(request, pk)
    if not services.can_work(request.user, lead):
        raise Http404
    form = FundForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for m in errs:
                messages.error(request, gettext("%(label)s：%(message)s") % {"label": label, "message": m})
        return redirect("attraction:lead_detail", lead.pk)
    d = form.cleaned_data
    return _done(
        request,
        lead,
        lambda: services.record_funds(lead, actor=request.user, **d),
        gettext("到位资金已登记"),
    )


@login_required
def funds_ledger(request):
    _require(request, "attraction.view")
    today = timezone.localdate()
    year = year_param(request.GET) or today.year
    month = int_param(request.GET, "month", maximum=12)
    rows = selectors.funds_for(request.user).filter(year=year)
    if month:
        rows = rows.filter(month=month)
    # a span of months of the year (oversight's drill-down: a quarter's recognised funds)
    from_month, to_month = (
        int_param(request.GET, "from_month", maximum=12),
        int_param(request.GET, "to_month", maximum=12),
    )
    if from_month and to_month:
        rows = rows.filter(month__gte=from_month, month__lte=to_month)
    # a region's (subtree) or a team's rows; one outside the viewer's scope shows none
    region_id, team_id = int_param(request.GET, "region"), int_param(request.GET, "team")
    region = Region.objects.visible_to(request.user).filter(pk=region_id).first() if region_id else None
    if region_id:
        rows = rows.filter(lead__region_path__startswith=region.path) if region else rows.none()
    team = Department.objects.visible_to(request.user).filter(pk=team_id).first() if team_id else None
    if team_id:
        rows = rows.filter(lead__team=team) if team else rows.none()
    recognised = request.GET.get("recognised")
    if recognised in ("1", "0"):
        rows = rows.filter(recognised=recognised == "1")
    page = CappedPaginator(rows.order_by("-month", "lead__title", "source"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "attraction/funds_ledger.html",
        {
            "year": year,
            "month": month,
            "recognised": recognised,
            "months": selectors.ledger(request.user, year, region, team),
            "unit_query": "".join(
                f"&{k}={v.pk}" for k, v in (("region", region), ("team", team)) if v is not None
            ),
            "page": page,
            "span": (from_month, to_month) if from_month and to_month else None,
            "region": region,
            "team": team,
        },
    )


@login_required
def rates(request):
    _require(request, "attraction.view")
    today = timezone.localdate()
    start = date_param(request.GET, "from") or dt.date(today.year, 1, 1)
    end = date_param(request.GET, "to") or today
    if end < start:
        start, end = end, start
    return render(request, "attraction/rates.html", {"figures": figures.rates(request.user, start, end)})


@login_required
def chains(request):
    _require(request, "attraction.view")
    return render(request, "attraction/chains.html", {"chains": selectors.chain_map(request.user)})


TARGET_HEADERS = [
    _("企业名称"),
    _("标签"),
    _("总部所在地"),
    _("所在省份/地区"),
    _("主营产品"),
    _("产业链"),
    _("产业链环节"),
    _("对接方案"),
    _("计划对接日期"),
    _("招商小组"),
    _("责任人"),
    _("状态"),
]


@login_required
def target_list(request):
    _require(request, "attraction.view")
    user = request.user
    qs = selectors.targets_for(user)
    chain = int_param(request.GET, "chain")
    if chain:
        qs = qs.filter(chain_node__chain_id=chain)
    status = request.GET.get("status")
    if status in Target.Status.values:
        qs = qs.filter(status=status)
    qs = qs.order_by("chain_node__chain_id", "chain_node_id", "name")
    if request.GET.get("format") == "xlsx":
        rows = (
            [
                t.name,
                "、".join(t.tag_labels()),
                t.headquarters,
                t.home_region,
                t.products,
                t.chain_node.chain.name if t.chain_node else "",
                t.chain_node.name if t.chain_node else "",
                t.approach,
                t.approach_on,
                t.team.name if t.team else "",
                (t.owner.get_full_name() or t.owner.username) if t.owner else "",
                t.get_status_display(),
            ]
            for t in qs
        )
        return xlsx_response(
            gettext("重点目标企业名录表.xlsx"),
            [str(h) for h in TARGET_HEADERS],
            rows,
            actor=user,
            what=gettext("重点目标企业名录表"),
            object_type="attraction.target",
        )
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "attraction/target_list.html",
        {
            "page": page,
            "chains": Chain.objects.visible_to(user),
            "chain": chain,
            "statuses": Target.Status.choices,
            "status": status,
            "can_manage": permissions.allowed(user, "attraction.target.manage"),
        },
    )


@login_required
def target_form(request, pk=None):
    _require(request, "attraction.target.manage")
    user = request.user
    target = selectors.targets_for(user).get_visible_or_404(user, pk=pk) if pk else None
    if target is not None and not services.can_edit_target(user, target):
        raise Http404
    initial = {f: getattr(target, f) for f in services.TARGET_FIELDS} if target else {}
    form = TargetForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_target(target, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, gettext("目标企业已保存"))
            return redirect("attraction:target_list")
    return render(request, "attraction/target_form.html", {"form": form, "target": target})


@login_required
def reviewers(request):
    _require(request, "attraction.configure")
    user = request.user
    form = ReviewRuleForm(request.POST or None, user=user)
    if request.method == "POST":
        toggle = int_param(request.POST, "toggle")
        if toggle:
            rule = get_object_or_404(ReviewRule.objects.visible_to(user), pk=toggle)
            try:
                services.save_review_rule(rule, actor=user, is_active=not rule.is_active)
            except (ValidationError, PermissionDenied) as exc:
                _flash_error(request, exc)
            return redirect("attraction:reviewers")
        if form.is_valid():
            try:
                services.save_review_rule(None, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, gettext("预审部门已设置"))
                return redirect("attraction:reviewers")
    rules = ReviewRule.objects.visible_to(user).select_related("region", "department")
    return render(request, "attraction/reviewers.html", {"form": form, "rules": rules})


# --- 驻外招商组 weekly reports ------------------------------------------------------------------
def _own_team(user) -> AbroadTeam | None:
    dept = getattr(user, "department_id", None)
    if not dept:
        return None
    return AbroadTeam.objects.filter(department_id=dept, is_active=True).select_related("department").first()


@login_required
def report_board(request):
    _require(request, "attraction.view")
    user = request.user
    team = _own_team(user)
    return render(
        request,
        "attraction/report_board.html",
        {
            "board": selectors.report_board(user),
            "own_team": team if team is not None and services_weekly.can_file(user, team) else None,
            "can_configure": permissions.allowed(user, "attraction.configure"),
        },
    )


@login_required
def report_new(request):
    _require(request, "attraction.weekly.submit")
    user = request.user
    team = _own_team(user)
    if team is None or not services_weekly.can_file(user, team):
        raise Http404
    today = timezone.localdate()
    year, week = services_weekly.iso_week(today)
    year = year_param(request.GET) or year
    week = int_param(request.GET, "week", maximum=53) or week
    existing = WeeklyReport.objects.filter(team=team, year=year, week=week).first()
    initial = {"year": year, "week": week}
    if existing is not None:
        initial.update(met=existing.met, new_leads=existing.new_leads, next_week=existing.next_week)
    form = WeeklyReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services_weekly.file_report(team, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, gettext("周报已报送"))
            return redirect("attraction:report_detail", report.pk)
    return render(
        request,
        "attraction/report_form.html",
        {"form": form, "team": team, "existing": existing},
    )


@login_required
def report_detail(request, pk):
    _require(request, "attraction.view")
    report = selectors.reports_for(request.user).get_visible_or_404(request.user, pk=pk)
    due = services_weekly.due_date(report.team, report.year, report.week)
    return render(
        request,
        "attraction/report_detail.html",
        {
            "report": report,
            "due": due,
            "late": timezone.localtime(report.submitted_at).date() > due,
            "monday": services_weekly.week_monday(report.year, report.week),
            "can_file": services_weekly.can_file(request.user, report.team),
        },
    )


@login_required
def abroad_teams(request):
    _require(request, "attraction.configure")
    user = request.user
    form = AbroadTeamForm(request.POST or None, user=user)
    if request.method == "POST":
        toggle = int_param(request.POST, "toggle")
        if toggle:
            team = get_object_or_404(AbroadTeam.objects.visible_to(user), pk=toggle)
            try:
                services_weekly.save_team(team, actor=user, is_active=not team.is_active)
            except (ValidationError, PermissionDenied) as exc:
                _flash_error(request, exc)
            return redirect("attraction:abroad_teams")
        if form.is_valid():
            try:
                services_weekly.save_team(None, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, gettext("驻外招商组已设置"))
                return redirect("attraction:abroad_teams")
    teams = AbroadTeam.objects.visible_to(user).select_related("department__region")
    return render(request, "attraction/abroad_teams.html", {"form": form, "teams": teams})


# --- 线索研判会 ---------------------------------------------------------------------------------------
def _meeting(request, pk) -> JudgingMeeting:
    _require(request, "attraction.view")
    return JudgingMeeting.objects.select_related("region").get_visible_or_404(request.user, pk=pk)


@login_required
def meeting_list(request):
    _require(request, "attraction.view")
    meetings = JudgingMeeting.objects.visible_to(request.user).select_related("region")
    page = CappedPaginator(meetings.order_by("-held_on", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "attraction/meeting_list.html",
        {"page": page, "can_manage": permissions.allowed(request.user, "attraction.judging.manage")},
    )


@login_required
def meeting_new(request):
    _require(request, "attraction.judging.manage")
    user = request.user
    today = timezone.localdate()
    form = MeetingForm(
        request.POST or None,
        user=user,
        initial={
            "region": user.region_id,
            "held_on": today,
            "title": gettext("%(year)s年%(month)s月招商线索研判会")
            % {"year": today.year, "month": today.month},
        },
    )
    region = user.region or form.fields["region"].queryset.first()
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"]
        chosen = int_list(request.POST.getlist("lead"))
        leads = list(selectors.leads_for(user).filter(pk__in=chosen).order_by("registered_on", "pk"))
        try:
            meeting = services_judging.call_meeting(actor=user, leads=leads, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, gettext("研判会已创建"))
            return redirect("attraction:meeting_detail", meeting.pk)
    candidates = services_judging.candidates(user, region)[: services_judging.MAX_ITEMS] if region else []
    return render(request, "attraction/meeting_form.html", {"form": form, "candidates": candidates})


@login_required
def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    user = request.user
    can_manage = services_judging.can_manage(user, meeting) and meeting.status == JudgingMeeting.Status.OPEN
    if request.method == "POST":
        if not can_manage:
            raise Http404
        items = list(meeting.items.values_list("pk", flat=True))
        fields = [f for f, _label in CRITERIA] + ["tax_per_mu", "decision", "reason"]
        rows = {pk: {f: request.POST.get(f"i{pk}-{f}", "") for f in fields} for pk in items}
        decide = request.POST.get("action") == "decide"
        try:
            services_judging.record_judgements(meeting, rows, actor=user, decide=decide)
        except (ValidationError, PermissionDenied) as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, gettext("研判结论已生效") if decide else gettext("评分已保存"))
        return redirect("attraction:meeting_detail", meeting.pk)
    items = list(meeting.items.select_related("lead__stage", "lead__team").order_by("order", "pk"))
    for item in items:
        item.scores = [(f, label, getattr(item, f)) for f, label in CRITERIA]
    return render(
        request,
        "attraction/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "criteria": CRITERIA,
            "decisions": Decision.choices,
            "can_manage": can_manage,
        },
    )


@login_required
def meeting_minutes(request, pk):
    meeting = _meeting(request, pk)
    content = services_judging.minutes_docx(meeting)
    audit.record(
        "export",
        meeting,
        message=gettext("导出研判会会议纪要：%(title)s") % {"title": meeting.title},
        actor=request.user,
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from urllib.parse import quote

    filename = gettext("%(title)s会议纪要.docx") % {"title": meeting.title}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- annual targets (年度目标) -----------------------------------------------------------------------
@login_required
def annual_targets(request):
    _require(request, "attraction.view")
    user = request.user
    today = timezone.localdate()
    year = year_param(request.GET) or today.year
    can_set = permissions.allowed(user, "attraction.configure")
    form = None
    if can_set:
        form = AnnualTargetForm(
            request.POST or None, user=user, initial={"year": year, "region": user.region_id}
        )
        if request.method == "POST" and form.is_valid():
            try:
                target = services.save_annual_target(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, gettext("年度目标已下达"))
                return redirect(f"{request.path}?year={target.year}")
    elif request.method == "POST":
        raise Http404
    region = user.region if user.region_id else None
    if region is None:
        from zhuqi.core.models import Region

        region = Region.objects.visible_to(user).order_by("path").first()
    ranking = figures.target_ranking(region, year, user) if region else []
    return render(
        request,
        "attraction/annual_targets.html",
        {
            "year": year,
            "region": region,
            "ranking": ranking,
            "metrics": figures.TARGET_METRICS,
            "form": form,
        },
    )

"""Pages of 招商引资: the lead list (filters, scope), a lead (history, move, pre-review,
contracts, conversion to a project), the lead form and the funnel. Rules live in `services`;
reads in `selectors`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhuqi.core import audit, permissions
from zhuqi.core.audit import object_type_of
from zhuqi.core.excel import DOCX_TYPE, file_response, xlsx_response
from zhuqi.core.models import AuditEntry, Department, Region
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.params import date_param, int_list, int_param, year_param
from zhuqi.core.units import WAN

from . import figures, selectors, services, services_judging, services_weekly, workflow
from .forms import (
    AbroadTeamForm,
    AnnualTargetForm,
    ClockSettingForm,
    ClockStopForm,
    ConcludeForm,
    ContractForm,
    ConvertForm,
    FundForm,
    LeadForm,
    LedgerCloseForm,
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
    AnnualTarget,
    Chain,
    ClockKind,
    ClockSetting,
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
    qs, chosen = selectors.filter_leads(selectors.list_rows(user), request.GET)
    page = CappedPaginator(qs.order_by("-registered_on", "-pk"), 50).get_page(request.GET.get("page"))
    stages = selectors.stage_choices()
    selectors.attach_stages(page, stages)
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
            "stages": stages,
            "sources": Source.choices,
            "bands": selectors.BANDS,
            "size_bands": figures.SIZE_BANDS,
            "teams": selectors.team_options(user, chosen.get("region")),
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
            # the phases (二期) the viewer may see: another team's lead is named, never linked
            "phase_of": Lead.objects.visible_to(user).filter(pk=lead.phase_of_id).first()
            if lead.phase_of_id
            else None,
            "later_phases": list(Lead.objects.visible_to(user).filter(phase_of=lead).order_by("pk")),
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
    if recognised == "1":  # the 台账's drill-down: exactly the rows it counts
        rows = rows.filter(figures.counted_q())
    rows = rows.annotate(late=figures.late_exists())
    # a month's rows lead by lead, the newest lead first (the index's order: the first page
    # reads only its rows, not every row of the month)
    page = CappedPaginator(rows.order_by("-month", "-lead_id", "source"), 50).get_page(
        request.GET.get("page")
    )
    # the closes (关账) of the 台账 shown: the region chosen, else the viewer's own
    close_region = region or (request.user.region if request.user.region_id else None)
    if close_region is None:
        close_region = Region.objects.visible_to(request.user).order_by("path").first()
    months = selectors.ledger(request.user, year, region, team)
    closes = selectors.ledger_closes(close_region, year) if close_region else {}
    for m in months:
        m["close"] = closes.get(m["month"])
    can_close = bool(close_region) and services.can_close_ledger(request.user, close_region)
    return render(
        request,
        "attraction/funds_ledger.html",
        {
            "year": year,
            "month": month,
            "recognised": recognised,
            "months": months,
            "close_region": close_region,
            "can_close": can_close,
            "closable": [
                m["month"]
                for m in months
                if (year, m["month"]) < (today.year, today.month)
                and not (m["close"] and m["close"].is_closed and m["close"].region_id == close_region.pk)
            ]
            if can_close
            else [],
            "reopenable": [
                m["month"]
                for m in months
                if m["close"] and m["close"].is_closed and m["close"].region_id == close_region.pk
            ]
            if can_close
            else [],
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
@require_POST
def ledger_close(request):
    """关账 / 重新开账 of a month of a region's 台账 (the form on the 台账 page)."""
    _require(request, "attraction.ledger.close")
    form = LedgerCloseForm(request.POST, user=request.user)
    back = reverse("attraction:funds_ledger")
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for m in errs:
                messages.error(request, gettext("%(label)s：%(message)s") % {"label": label, "message": m})
        return redirect(back)
    d = form.cleaned_data
    back += f"?year={d['year']}&region={d['region'].pk}"
    try:
        if d["op"] == "close":
            services.close_ledger(actor=request.user, region=d["region"], year=d["year"], month=d["month"])
            messages.success(request, gettext("%(month)s月的台账已关账") % {"month": d["month"]})
        else:
            services.reopen_ledger(
                actor=request.user, region=d["region"], year=d["year"], month=d["month"], reason=d["reason"]
            )
            messages.success(request, gettext("%(month)s月的台账已重新开账") % {"month": d["month"]})
    except (ValidationError, PermissionDenied) as exc:
        _flash_error(request, exc)
    return redirect(back)


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


# --- clock settings (办理时限设置) ------------------------------------------------------------------
def _clock_rows(rule: services.ClockRule) -> list[tuple[str, int]]:
    return [(ClockKind(kind).label, rule.days[kind]) for kind in services.CLOCK_DAY_FIELDS]


@login_required
def clock_settings(request):
    """The clock defaults of the provinces, cities and counties of the viewer's area: what is in
    force for the viewer's own region and where it comes from, each region's own row (修改,
    恢复上级设置), the form and the history."""
    _require(request, "attraction.clocks.configure")
    user = request.user
    regions = Region.objects.visible_to(user).filter(is_active=True, kind__in=services.CLOCK_SETTING_KINDS)
    regions = regions.order_by("path")
    if request.method == "POST" and int_param(request.POST, "clear"):
        setting = get_object_or_404(
            ClockSetting.objects.visible_to(user), pk=int_param(request.POST, "clear")
        )
        try:
            region = services.clear_clock_setting(setting, actor=user)
        except (ValidationError, PermissionDenied) as exc:
            _flash_error(request, exc)
        else:
            messages.success(
                request,
                gettext("「%(name)s」已恢复使用上级设置（只影响此后开始计时的时限）") % {"name": region.name},
            )
        return redirect("attraction:clock_settings")
    chosen = None
    if request.method != "POST":
        pk = int_param(request.GET, "region")
        chosen = regions.filter(pk=pk).first() if pk else None
        chosen = chosen or regions.filter(pk=getattr(user, "region_id", None)).first() or regions.first()
    else:
        chosen = regions.filter(pk=int_param(request.POST, "region") or 0).first()
    initial = {}
    if chosen is not None:
        rule = services.clock_rule(chosen)
        initial = {"threshold": services.wan_text(rule.threshold)}
        initial.update({field: rule.days[kind] for kind, field in services.CLOCK_DAY_FIELDS.items()})
    form = ClockSettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_clock_setting(chosen, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(
                request, gettext("办理时限已保存：此后开始计时的时限按新设置计算，正在计时的不变")
            )
            return redirect("attraction:clock_settings")
    own = Region.objects.filter(pk=getattr(user, "region_id", None)).first()
    in_force = services.clock_rule(own)
    settings = list(ClockSetting.objects.visible_to(user).select_related("region", "updated_by"))
    for s in settings:
        s.rows = _clock_rows(services.ClockRule(s.threshold, s.days()))
    history = list(
        AuditEntry.objects.filter(
            event__in=["clock_setting_set", "clock_setting_cleared"],
            object_type=object_type_of(Region),
            object_id__in=[str(pk) for pk in regions.values_list("pk", flat=True)],
        ).order_by("-id")[:50]
    )
    picked = chosen.pk if chosen is not None else None
    return render(
        request,
        "attraction/clock_settings.html",
        {
            "form": form,
            "regions": regions,
            "picked": picked,
            "picked_rule": services.clock_rule(chosen) if chosen is not None else None,
            "own": own,
            "in_force": in_force,
            "in_force_rows": _clock_rows(in_force),
            "settings": settings,
            "history": history,
        },
    )


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
    filename = gettext("%(title)s会议纪要.docx") % {"title": meeting.title}
    return file_response(content, filename, DOCX_TYPE)


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
    targets = AnnualTarget.objects.filter(pk__in=[u["target_id"] for u in ranking]).select_related(
        "region", "team"
    )
    by_pk = {t.pk: t for t in targets.prefetch_related("parts")}
    for u in ranking:
        t = by_pk[u["target_id"]]
        whole_year = {k: row["actual"] for k, row in u["rows"].items()} if year < today.year else None
        u["schedule"] = figures.target_schedule(t, today, user, parts=list(t.parts.all()), actual=whole_year)
        u["split_label"] = t.get_split_to_display() if t.split_method else ""
        u["can_split"] = can_set and services._in_area(user, t.region)
    return render(
        request,
        "attraction/annual_targets.html",
        {
            "year": year,
            "region": region,
            "ranking": ranking,
            "metrics": figures.TARGET_METRICS,
            "band_metrics": figures.BAND_METRICS,
            "form": form,
            "today": today,
        },
    )

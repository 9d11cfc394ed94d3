"""Pages of the 亩均 evaluation: the runs (with the trial computation), a run's classes and ranked
table, one result's explanation, publishing a run. Rules live in `services`; reads in `selectors`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhuqi.core import permissions
from zhuqi.core import services as core_services
from zhuqi.core.excel import xlsx_response
from zhuqi.core.models import Region
from zhuqi.core.paging import CappedPaginator
from zhuqi.core.params import int_list, int_param, text_param, year_param
from zhuqi.enterprises.models import Enterprise

from . import selectors, services, workflow
from .measures import FACT_UNITS, shown
from .models import Adjustment, ClassMeasure, Fact, FactKind, Klass, Objection, Run, UtilityAccount


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


@login_required
def run_list(request):
    _require(request, "mu.view")
    user = request.user
    can_compute = permissions.allowed(user, "mu.compute")
    schemes = list(selectors.schemes_for(user)) if can_compute else []
    if request.method == "POST":
        _require(request, "mu.compute")
        scheme_id, year = int_param(request.POST, "scheme"), year_param(request.POST)
        scheme = next((s for s in schemes if s.pk == scheme_id), None)
        if scheme is None or year is None:
            messages.error(request, gettext("请选择评价方案和数据年度"))
        else:
            try:
                run = services.compute(scheme, year, actor=user)
            except ValidationError as exc:
                for m in exc.messages:
                    messages.error(request, m)
            else:
                return redirect("mu:run_detail", run.pk)
    page = CappedPaginator(selectors.runs_for(user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mu/run_list.html",
        {
            "page": page,
            "schemes": schemes,
            "can_compute": can_compute,
            "can_import": permissions.allowed(user, "mu.import"),
            "default_year": timezone.localdate().year - 1,
        },
    )


@login_required
def run_detail(request, pk):
    _require(request, "mu.view")
    run = selectors.runs_for(request.user).get_visible_or_404(request.user, pk=pk)
    klass = text_param(request.GET, "klass", max_length=1)
    klass = klass if klass in Klass.values else ""
    region = selectors.drill_region(request.user, run, int_param(request.GET, "region"))
    rows = selectors.in_region(selectors.ranked(request.user, run, klass), region)
    scored = request.GET.get("evaluated") == "1"
    if scored:  # the rows of a region's 亩均税收 (oversight's drill-down)
        rows = rows.filter(selectors.EVALUATED)
    if request.GET.get("format") == "xlsx":
        return _class_list(request, run, rows, request.GET.get("for"))
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mu/run_detail.html",
        {
            "run": run,
            "items": list(run.scheme.items.all()),
            "distribution": selectors.distribution(run, region),
            "page": page,
            "klass": klass,
            "region": region,
            "scored": scored,
            "actions": workflow.allowed_actions(run, request.user),
            "objections": list(selectors.objections_for(request.user, run=run)[:100]),
            "measures": selectors.class_measures(run, timezone.localdate()),
            "today": timezone.localdate(),
        },
    )


def _class_list(request, run, rows, utility):
    """分类名单 of a published run: every enterprise with its class, rank and 亩均税收 and its
    utility account numbers (departments); `for=power|water` gives the utility's list, one line
    per account number with the class's price measure, so 差别化电价/水价 land on the meters."""
    user = request.user
    if run.status != Run.Status.PUBLISHED:
        messages.error(request, gettext("评价结果正式发布后才能导出分类名单"))
        return redirect("mu:run_detail", run.pk)
    rows = list(rows.select_related("enterprise__region"))
    accounts = selectors.utility_accounts([r.enterprise_id for r in rows])
    head = [
        gettext("评价类别"),
        gettext("排名"),
        gettext("企业"),
        gettext("统一社会信用代码"),
        gettext("所在区域"),
        gettext("总分"),
        gettext("亩均税收（万元/亩）"),
    ]
    base = [
        [
            r.klass,
            r.rank,
            r.enterprise.name,
            r.enterprise.credit_code,
            r.enterprise.region.name,
            r.total,
            r.tax_per_mu,
        ]
        for r in rows
    ]
    kinds = {"power": UtilityAccount.Kind.POWER, "water": UtilityAccount.Kind.WATER}
    if utility in kinds:
        kind = kinds[utility]
        category = ClassMeasure.Category.ELECTRICITY if utility == "power" else ClassMeasure.Category.WATER
        measures: dict[str, list[str]] = {}
        for m in selectors.class_measures(run, timezone.localdate()):
            if m.category == category:
                text = m.description + (f" {m.amount_shown} {m.unit}" if m.amount is not None else "")
                measures.setdefault(m.klass, []).append(text)
        data = [
            [number, *line, "；".join(measures.get(r.klass, []))]
            for r, line in zip(rows, base, strict=True)
            for number in accounts.get((r.enterprise_id, kind), [])
        ]
        label = UtilityAccount.Kind(kind).label
        return xlsx_response(
            gettext("亩均评价分类名单-%(year)s-%(label)s.xlsx") % {"year": run.year, "label": label},
            [str(label), *head, gettext("差别化措施")],
            data,
            actor=user,
            what=gettext("亩均评价分类名单（%(label)s）") % {"label": label},
        )
    data = [
        [
            *line,
            "、".join(accounts.get((r.enterprise_id, UtilityAccount.Kind.POWER), [])),
            "、".join(accounts.get((r.enterprise_id, UtilityAccount.Kind.WATER), [])),
        ]
        for r, line in zip(rows, base, strict=True)
    ]
    return xlsx_response(
        gettext("亩均评价分类名单-%(year)s.xlsx") % {"year": run.year},
        [*head, gettext("电力用户编号"), gettext("供水用户编号")],
        data,
        actor=user,
        what=gettext("亩均评价分类名单"),
    )


@login_required
def run_regions(request, pk):
    """The towns and parks of a run's region ranked by 亩均税收, drilling down a level at a time
    and to the enterprises' rows."""
    _require(request, "mu.view")
    run = selectors.runs_for(request.user).get_visible_or_404(request.user, pk=pk)
    region = selectors.drill_region(request.user, run, int_param(request.GET, "region"))
    trail = []
    if region is not None:
        trail = list(
            Region.objects.filter(
                path__in=region.ancestor_paths(), path__startswith=run.region.path
            ).order_by("depth")
        )
    rows = selectors.region_ranking(request.user, run, region)
    return render(
        request,
        "mu/run_regions.html",
        {
            "run": run,
            "region": region or run.region,
            "trail": trail,
            "rows": rows,
            "leaders": selectors.leaders(request.user, run, region),
            "previous": selectors.previous_run(run),
            "chart": {
                "labels": {
                    "this_year": gettext("%(year)s年度") % {"year": run.year},
                    "last_year": gettext("%(year)s年度") % {"year": run.year - 1},
                    "unit": gettext("万元/亩"),
                },
                "rows": [
                    {
                        "name": r["region"].name + (gettext("（本级直属）") if r["direct"] else ""),
                        "tax_per_mu": float(r["tax_per_mu"]) if r["tax_per_mu"] is not None else None,
                        "last": float(r["tax_per_mu_last"]) if r["tax_per_mu_last"] is not None else None,
                        "url": f"?region={r['region'].pk}" if r["drillable"] else "",
                    }
                    for r in rows
                ],
            },
        },
    )


def _run_action(request, pk, service, done: str):
    run = selectors.runs_for(request.user).get_visible_or_404(request.user, pk=pk)
    try:
        run = service(run, actor=request.user)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, done)
    return redirect("mu:run_detail", run.pk)


@login_required
@require_POST
def run_announce(request, pk):
    _require(request, "mu.publish")
    return _run_action(request, pk, services.announce, gettext("评价结果已进入公示"))


@login_required
@require_POST
def run_publish(request, pk):
    _require(request, "mu.publish")
    return _run_action(request, pk, services.publish, gettext("评价结果已正式发布"))


@login_required
@require_POST
def run_recompute(request, pk):
    _require(request, "mu.compute")
    return _run_action(request, pk, services.recompute, gettext("已重新计算，新结果继续公示"))


@login_required
def run_keylist(request, pk):
    """The proposed 包保联系名单 for the next year: the 规上 enterprises of the chosen classes (A and
    B by default), the first N by rank if asked; an Excel export; the office confirms the ticked
    ones (each becomes a key enterprise of the next year)."""
    _require(request, "mu.view")
    user = request.user
    run = selectors.runs_for(user).get_visible_or_404(user, pk=pk)
    classes = [k for k in request.GET.getlist("klass") if k in (Klass.A, Klass.B, Klass.C, Klass.D)]
    classes = classes or list(selectors.KEY_CLASSES)
    top = int_param(request.GET, "top")
    if request.method == "POST":
        _require(request, "mu.keylist.confirm")
        try:
            n = services.confirm_key_list(run, int_list(request.POST.getlist("id")), actor=user)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(
                request,
                gettext("已确定包保联系名单：新增 %(n)d 家 %(year)d 年度重点企业")
                % {"n": n, "year": run.year + 1},
            )
        return redirect(request.get_full_path())
    rows = list(selectors.key_list(user, run, classes=classes, top=top))
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            gettext("包保联系名单-%(year)s.xlsx") % {"year": run.year + 1},
            [
                gettext("排名"),
                gettext("企业"),
                gettext("统一社会信用代码"),
                gettext("所在区域"),
                gettext("总分"),
                gettext("亩均税收（万元/亩）"),
                gettext("评价类别"),
            ],
            [
                [
                    r.rank,
                    r.enterprise.name,
                    r.enterprise.credit_code,
                    r.enterprise.region.name,
                    r.total,
                    r.tax_per_mu,
                    r.klass,
                ]
                for r in rows
            ],
            actor=user,
            what=gettext("包保联系名单（建议）"),
            object_type="mu.result",
        )
    return render(
        request,
        "mu/run_keylist.html",
        {
            "run": run,
            "rows": rows,
            "classes": classes,
            "top": top,
            "all_classes": [Klass.A, Klass.B, Klass.C, Klass.D],
            "can_confirm": run.status == Run.Status.PUBLISHED
            and permissions.allowed(user, "mu.keylist.confirm"),
        },
    )


@login_required
def result_detail(request, pk):
    result = selectors.result_for(request.user, pk)
    user = request.user
    run = result.run
    can_object = (
        workflow.allowed("object", run, user)
        and run.publicity_end is not None
        and timezone.localdate() <= run.publicity_end
    )
    return render(
        request,
        "mu/result_detail.html",
        {
            "result": result,
            "run": run,
            "ex": selectors.explanation(result),
            "run_link": selectors.runs_for(user).filter(pk=result.run_id).exists(),
            "can_object": can_object,
            "fact_kinds": FactKind.choices,
            "measures": selectors.class_measures(run, timezone.localdate(), result.klass),
            "objections": list(selectors.objections_for(user, run=run, enterprise_id=result.enterprise_id)),
        },
    )


@login_required
@require_POST
def result_object(request, pk):
    """The enterprise's objection form on its result page (reason, disputed figure, files)."""
    _require(request, "mu.object")
    result = selectors.result_for(request.user, pk)
    try:
        objection = services.raise_objection(
            result,
            actor=request.user,
            reason=text_param(request.POST, "reason", max_length=2000) or "",
            fact_kind=text_param(request.POST, "fact_kind", max_length=20) or "",
            files=request.FILES.getlist("files"),
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("mu:result_detail", result.pk)
    messages.success(request, gettext("异议已提交，请等待答复"))
    return redirect("mu:objection_detail", objection.pk)


@login_required
def objection_list(request):
    _require(request, "mu.view")
    status = text_param(request.GET, "status", max_length=10) or ""
    qs = selectors.objections_for(request.user, status=status)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mu/objection_list.html",
        {"page": page, "status": status, "statuses": Objection.Status.choices, "today": timezone.localdate()},
    )


@login_required
def objection_detail(request, pk):
    objection = selectors.objection_for(request.user, pk)
    user = request.user
    current = None
    if objection.fact_kind:
        current = (
            Fact.objects.filter(
                enterprise_id=objection.enterprise_id, year=objection.run.year, kind=objection.fact_kind
            )
            .values_list("value", flat=True)
            .first()
        )
    unit = FACT_UNITS[objection.fact_kind][1] if objection.fact_kind else ""
    return render(
        request,
        "mu/objection_detail.html",
        {
            "o": objection,
            "actions": workflow.allowed_actions(objection, user),
            "official": permissions.allowed(user, "mu.view"),
            "current": shown(objection.fact_kind, current) if objection.fact_kind else None,
            "unit": unit,
            "files": core_services.attachments_of(objection, user),
            "corrections": list(objection.corrections.select_related("created_by")),
            "run_link": selectors.runs_for(user).filter(pk=objection.run_id).exists(),
        },
    )


@login_required
@require_POST
def objection_decide(request, pk):
    _require(request, "mu.objection.decide")
    objection = selectors.objection_for(request.user, pk)
    uphold = request.POST.get("decision_kind") == "uphold"
    new_value = None
    raw = (text_param(request.POST, "new_value", max_length=40) or "").strip().replace(",", "")
    try:
        if uphold and raw:
            new_value = (
                Decimal(raw) * FACT_UNITS[objection.fact_kind][0] if objection.fact_kind else Decimal(raw)
            )
        services.decide_objection(
            objection,
            actor=request.user,
            uphold=uphold,
            decision=text_param(request.POST, "decision", max_length=2000) or "",
            new_value=new_value,
        )
    except InvalidOperation:
        messages.error(request, gettext("更正值应为数字"))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, gettext("异议已处理"))
    return redirect("mu:objection_detail", objection.pk)


@login_required
def adjustments(request):
    """The officials' page of fact corrections and evaluation adjustments, each with its
    reason (audited); the forms make new ones."""
    _require(request, "mu.view")
    user = request.user
    year = year_param(request.GET) or timezone.localdate().year - 1
    can_adjust = permissions.allowed(user, "mu.adjust")
    if request.method == "POST":
        _require(request, "mu.adjust")
        _post_adjustment(request, year)
        return redirect(f"{request.path}?year={year}")
    corrections = list(selectors.corrections_for(user, year)[:200])
    for c in corrections:
        c.old_shown, c.new_shown = shown(c.kind, c.old_value), shown(c.kind, c.new_value)
        c.unit = FACT_UNITS[c.kind][1]
    return render(
        request,
        "mu/adjustments.html",
        {
            "year": year,
            "corrections": corrections,
            "adjustments": list(selectors.adjustments_for(user, year)[:200]),
            "can_adjust": can_adjust,
            "fact_kinds": [(k, label, FACT_UNITS[k][1]) for k, label in FactKind.choices],
            "adjustment_kinds": Adjustment.Kind.choices,
        },
    )


def _post_adjustment(request, year: int) -> None:
    user = request.user
    code = (text_param(request.POST, "credit_code", max_length=18) or "").strip().upper()
    enterprise = Enterprise.objects.visible_to(user).filter(credit_code=code).first() if code else None
    if enterprise is None:
        messages.error(request, gettext("统一社会信用代码：找不到该企业（或不在您的范围内）"))
        return
    reason = text_param(request.POST, "reason", max_length=200) or ""
    try:
        if request.POST.get("form") == "correction":
            kind = text_param(request.POST, "kind", max_length=20) or ""
            raw = (text_param(request.POST, "value", max_length=40) or "").strip().replace(",", "")
            if kind not in FACT_UNITS:
                raise ValidationError(gettext("数据项：请选择"))
            try:
                value = Decimal(raw) * FACT_UNITS[kind][0]
            except InvalidOperation:
                raise ValidationError(gettext("更正值：应为数字")) from None
            services.correct_fact(enterprise, year=year, kind=kind, value=value, reason=reason, actor=user)
        else:
            raw = (text_param(request.POST, "points", max_length=20) or "0").strip() or "0"
            try:
                points = Decimal(raw)
            except InvalidOperation:
                raise ValidationError(gettext("分值：应为数字")) from None
            services.add_adjustment(
                enterprise,
                year=year,
                kind=text_param(request.POST, "kind", max_length=12) or "",
                reason=reason,
                points=points,
                actor=user,
            )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, gettext("已登记：%(name)s") % {"name": enterprise.name})


@login_required
def measures(request):
    """差别化措施: the measure list in force for the viewer's region under a scheme — its own, an
    ancestor's or the scheme's sample — and, for those who maintain it, the forms to start the
    region's own list, add, change and delete measures."""
    _require(request, "mu.measures.configure")
    user = request.user
    schemes = list(selectors.schemes_for(user))
    if not schemes:
        raise Http404
    scheme_id = int_param(request.GET, "scheme") or int_param(request.POST, "scheme") or schemes[0].pk
    scheme = next((x for x in schemes if x.pk == scheme_id), None)
    if scheme is None:
        raise Http404
    region = services.measure_region(user)
    if request.method == "POST":
        _post_measure(request, scheme)
        return redirect(f"{request.path}?scheme={scheme.pk}")
    rows = list(selectors.measures_for_region(scheme.pk, region).select_related("region"))
    owner = rows[0].region if rows else None
    own = (owner.pk if owner else None) == (region.pk if region else None) and bool(rows)
    return render(
        request,
        "mu/measures.html",
        {
            "schemes": schemes,
            "scheme": scheme,
            "rows": rows,
            "owner": owner,
            "own": own or region is None,
            "region": region,
            "klasses": [(k, label) for k, label in Klass.choices if k != "T"],
            "categories": ClassMeasure.Category.choices,
        },
    )


def _post_measure(request, scheme) -> None:
    from django.core.exceptions import PermissionDenied

    from zhuqi.core.params import date_param

    user, post = request.user, request.POST
    op = post.get("op")
    try:
        if op == "start":
            n = services.start_region_measures(scheme, actor=user)
            messages.success(
                request, gettext("已建立本辖区的措施清单（%(n)s 条），请按本地文件修改") % {"n": n}
            )
            return
        measure = None
        if op in ("edit", "delete"):
            measure = ClassMeasure.objects.filter(pk=int_param(post, "id") or 0, scheme=scheme).first()
            if measure is None:
                raise Http404
        if op == "delete":
            services.delete_measure(measure, actor=user)
            messages.success(request, gettext("已删除"))
            return
        if op not in ("add", "edit"):
            raise Http404
        data = {
            "klass": text_param(post, "klass", max_length=1),
            "category": text_param(post, "category", max_length=12),
            "description": text_param(post, "description", max_length=400),
            "amount": text_param(post, "amount", max_length=40),
            "unit": text_param(post, "unit", max_length=40),
            "valid_from": date_param(post, "valid_from"),
            "valid_to": date_param(post, "valid_to"),
            "sort": int_param(post, "sort") or 0,
        }
        services.save_measure(scheme, measure, actor=user, **data)
        messages.success(request, gettext("已保存"))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    except PermissionDenied as exc:
        messages.error(request, str(exc))

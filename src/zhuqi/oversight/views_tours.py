"""Pages of the inspection tours (观摩): the list of rounds, the round form, a round (its sites
in visiting order with the judges' progress, the ranking once published, the Word bulletin),
publishing; and the judge's phone pages: "我的观摩评分" and one site's scoring form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhuqi.core import audit, permissions
from zhuqi.core.forms import add_service_error
from zhuqi.core.paging import CappedPaginator

from . import services_tours, tours
from .forms_tours import PublishForm, TourRoundForm
from .models import TourJudge, TourRound, TourScore, TourSite
from .views import _errors, _require


def _get(request, pk) -> TourRound:
    return get_object_or_404(TourRound.objects.visible_to(request.user).select_related("region"), pk=pk)


@login_required
def tour_list(request):
    _require(request, "oversight.tour.view")
    qs = (
        TourRound.objects.visible_to(request.user)
        .select_related("region")
        .annotate(n_sites=Count("sites", distinct=True), n_judges=Count("judges", distinct=True))
        .order_by("-held_on", "-pk")
    )
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/tour_list.html",
        {"page": page, "can_manage": permissions.allowed(request.user, "oversight.tour.manage")},
    )


def _form_page(request, rnd: TourRound | None):
    user = request.user
    _require(request, "oversight.tour.manage")
    if rnd is not None and (rnd.is_published or not services_tours.can_organise(user, rnd.region)):
        raise Http404
    initial: dict = {}
    current_sites: list = []
    if rnd is not None:
        current_sites = list(rnd.sites.select_related("project", "enterprise"))
        initial = {
            "name": rnd.name,
            "period": rnd.period,
            "region": rnd.region,
            "held_on": rnd.held_on,
            "sites": [
                f"{'p' if s.project_id else 'e'}-{s.project_id or s.enterprise_id}" for s in current_sites
            ],
            "judges": [j.user for j in rnd.judges.select_related("user")],
            "criteria": "\n".join(
                f"{c.name} {c.weight.normalize():f} {c.max_score}"
                for c in rnd.criteria.order_by("order", "pk")
            ),
        }
    else:
        today = timezone.localdate()
        period = gettext("%(year)s年上半年") if today.month <= 6 else gettext("%(year)s年下半年")
        initial = {"period": period % {"year": today.year}, "region": getattr(user, "region", None)}
    form = TourRoundForm(request.POST or None, initial=initial, user=user, current_sites=current_sites)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rnd = services_tours.save_round(
                rnd,
                actor=user,
                name=d["name"],
                period=d["period"],
                region=d["region"],
                held_on=d["held_on"],
                sites=d["sites"],
                judges=d["judges"],
                criteria=d["criteria"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("已保存「%(name)s」") % {"name": rnd.name})
            return redirect(rnd)
    return render(
        request,
        "core/config_form.html",
        {
            "form": form,
            "heading": gettext("修改观摩") if rnd else gettext("组织观摩"),
            "intro": gettext(
                "观摩点可以是重点项目，也可以是企业；评委在手机上逐个观摩点打分。评委达到 %(n)s 人时，"
                "每个评分项去掉一个最高分和一个最低分后取平均。"
            )
            % {"n": tours.TRIM_MIN_JUDGES},
            "cancel_url": rnd.get_absolute_url() if rnd else reverse("oversight:tour_list"),
            "wide_fields": ["name", "sites", "judges", "criteria"],
            "history": audit.timeline(rnd)[::-1] if rnd is not None else None,
        },
    )


@login_required
def tour_new(request):
    return _form_page(request, None)


@login_required
def tour_edit(request, pk):
    _require(request, "oversight.tour.manage")
    return _form_page(request, _get(request, pk))


@login_required
def tour_detail(request, pk):
    _require(request, "oversight.tour.view")
    user = request.user
    rnd = _get(request, pk)
    rows = tours.results(rnd)
    criteria = list(rnd.criteria.order_by("order", "pk"))
    judges = list(rnd.judges.select_related("user"))
    visiting = sorted(rows, key=lambda r: (r.site.order, r.site.pk))
    can_publish = not rnd.is_published and services_tours.can_organise(
        user, rnd.region, "oversight.tour.publish"
    )
    return render(
        request,
        "oversight/tour_detail.html",
        {
            "round": rnd,
            "criteria": criteria,
            "judges": judges,
            "visiting": visiting,
            "ranking": rows if rnd.is_published else None,
            "trim_min": tours.TRIM_MIN_JUDGES,
            "can_edit": not rnd.is_published and services_tours.can_organise(user, rnd.region),
            "can_publish": can_publish,
            "missing": services_tours.missing_scores(rnd) if can_publish else [],
            "publish_form": PublishForm() if can_publish else None,
            "is_judge": any(j.user_id == user.pk for j in judges),
            "timeline": audit.timeline(rnd),
        },
    )


@login_required
@require_POST
def tour_publish(request, pk):
    _require(request, "oversight.tour.publish")
    rnd = _get(request, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, gettext("请勾选确认后再公布：公布后不能再评分。"))
        return redirect(rnd)
    try:
        services_tours.publish_round(rnd, actor=request.user, note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("观摩结果已公布"))
    return redirect(rnd)


@login_required
def tour_docx(request, pk):
    _require(request, "oversight.tour.view")
    rnd = _get(request, pk)
    try:
        data = services_tours.tour_bulletin(rnd, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(rnd)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="tour-{rnd.pk}-{rnd.held_on:%Y%m%d}.docx"'
    return response


# --- the judge's phone pages ------------------------------------------------------------------------
def _done_sites(rnd_ids, user) -> dict[int, set[int]]:
    """round id → the sites the user has scored on every criterion."""
    n_criteria = dict(
        TourRound.objects.filter(pk__in=rnd_ids).annotate(n=Count("criteria")).values_list("pk", "n")
    )
    rows = (
        TourScore.objects.filter(round_id__in=rnd_ids, judge_id=user.pk)
        .values("round_id", "site_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    done: dict[int, set[int]] = {}
    for r in rows:
        if r["n"] >= n_criteria.get(r["round_id"], 0):
            done.setdefault(r["round_id"], set()).add(r["site_id"])
    return done


@login_required
def tour_mine(request):
    """我的观摩评分: the rounds the user judges, each with its sites in visiting order."""
    _require(request, "oversight.tour.score")
    user = request.user
    rounds = list(
        TourRound.objects.filter(pk__in=TourJudge.objects.filter(user_id=user.pk).values("round_id"))
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "sites",
                queryset=TourSite.objects.select_related("project", "enterprise").order_by("order", "pk"),
            )
        )
        .order_by("-status", "-held_on", "-pk")[:20]  # 评分中 (scoring) first
    )
    done = _done_sites([r.pk for r in rounds], user)
    for r in rounds:
        r.my_done = done.get(r.pk, set())
        r.site_rows = [{"site": s, "done": s.pk in r.my_done} for s in r.sites.all()]
    return render(request, "oversight/tour_mine.html", {"rounds": rounds})


def _judge_round(request, pk) -> TourRound:
    _require(request, "oversight.tour.score")
    rnd = _get(request, pk)
    if not TourJudge.objects.filter(round=rnd, user_id=request.user.pk).exists():
        raise Http404
    return rnd


@login_required
def tour_score(request, pk, site_pk):
    """One site's scoring form on the judge's phone: one big input per criterion."""
    user = request.user
    rnd = _judge_round(request, pk)
    site = get_object_or_404(
        TourSite.objects.filter(round=rnd).select_related("project", "enterprise"), pk=site_pk
    )
    criteria = list(rnd.criteria.order_by("order", "pk"))
    mine = {
        c: str(v)
        for c, v in TourScore.objects.filter(site=site, judge_id=user.pk).values_list("criterion_id", "score")
    }
    errors: dict = {}
    if request.method == "POST":
        given = {c.pk: request.POST.get(f"c{c.pk}", "") for c in criteria}
        try:
            services_tours.score_site(rnd, site, given, actor=user)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            mine = {k: str(v) for k, v in given.items()}
        except PermissionDenied as exc:
            _errors(request, exc)
            return redirect("oversight:tour_mine")
        else:
            messages.success(request, gettext("「%(name)s」的评分已保存") % {"name": site.name})
            done = _done_sites([rnd.pk], user).get(rnd.pk, set())
            sites = list(rnd.sites.order_by("order", "pk"))
            later = [s for s in sites if s.order > site.order and s.pk not in done]
            nxt = later[0] if later else next((s for s in sites if s.pk not in done), None)
            if nxt is not None:
                return redirect("oversight:tour_score", pk=rnd.pk, site_pk=nxt.pk)
            messages.success(request, gettext("本轮观摩的全部观摩点都已评分"))
            return redirect("oversight:tour_mine")
    sites = list(rnd.sites.select_related("project", "enterprise").order_by("order", "pk"))
    done = _done_sites([rnd.pk], user).get(rnd.pk, set())
    position = next((i for i, s in enumerate(sites, start=1) if s.pk == site.pk), 0)
    fields = [
        {"c": c, "value": mine.get(c.pk, ""), "error": (errors.get(f"c{c.pk}") or [""])[0]} for c in criteria
    ]
    return render(
        request,
        "oversight/tour_score.html",
        {
            "round": rnd,
            "site": site,
            "fields": fields,
            "other_errors": [m for k, v in errors.items() if not k.startswith("c") for m in v],
            "sites": [{"site": s, "done": s.pk in done} for s in sites],
            "position": position,
            "count": len(sites),
            "open": not rnd.is_published,
        },
    )

"""The cockpit (领导驾驶舱): one page per region (the viewer's own by default, `?region=` a region
within scope, anything else 404), its figures (figures.py), its subdivisions on a map coloured
by a chosen metric (or a ranked bar chart where outlines are missing), a big-screen mode
(`?screen=1`: 1920×1080, refreshing itself, no navigation); and the upload of town and park
outlines."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from zhuqi.core import permissions
from zhuqi.core.models import Region
from zhuqi.core.params import int_param
from zhuqi.core.scope import scope_for

from . import figures, services

#: seconds between the big screen's refreshes
SCREEN_REFRESH = 300
#: the sections the big screen shows beside the map
SCREEN_SIDE = ("policies", "oversight")


def _require(request, action: str) -> None:
    if not permissions.allowed(request.user, action):
        raise Http404


def region_for(request) -> Region:
    """`?region=` within the viewer's scope (404 outside), else the viewer's own region (an
    administrator: the top of the tree)."""
    visible = Region.objects.visible_to(request.user)
    pk = int_param(request.GET, "region")
    if pk:
        region = visible.filter(pk=pk).first()
    else:
        path = scope_for(request.user).region_path
        region = visible.filter(path=path).first() if path else visible.order_by("depth", "code").first()
    if region is None:
        raise Http404
    return region


def _ancestors(user, region: Region) -> list[Region]:
    """The regions above `region` the viewer may open (the way back up)."""
    paths = [p for p in region.ancestor_paths() if p != region.path]
    return list(Region.objects.visible_to(user).filter(path__in=paths).order_by("depth"))


@login_required
def cockpit(request):
    _require(request, "cockpit.view")
    user = request.user
    region = region_for(request)
    today = timezone.localdate()
    screen = request.GET.get("screen") == "1"
    metric = request.GET.get("metric") or figures.DEFAULT_METRIC
    if metric not in figures.MAP_METRICS:
        metric = figures.DEFAULT_METRIC
    children = figures.children_of(user, region)
    values = figures.by_child(user, region, children, metric, today) if children else {}
    label, lower_is_better, is_rate = figures.MAP_METRICS[metric]
    areas = [
        {
            "name": c.name,
            "code": c.code,
            "value": None if values[c.pk]["value"] is None else float(values[c.pk]["value"]),
            "rows": values[c.pk]["url"],
            "url": reverse("cockpit:cockpit")
            + "?"
            + urlencode({"region": c.pk, **({"screen": 1} if screen else {})}),
            "boundary": c.boundary,
        }
        for c in children
    ]
    missing = [a["name"] for a in areas if not a["boundary"]]
    drawable = bool(areas) and not missing
    if not drawable:  # the bar chart needs no outlines: don't send them
        for a in areas:
            a.pop("boundary")
    # the furthest behind first: most overdue cases, lowest 办结率 (no data last)
    ranked = sorted(
        areas,
        key=lambda a: (a["value"] is None, -(a["value"] or 0) if lower_is_better else (a["value"] or 0)),
    )
    chart = {
        "metric": str(label),
        "rate": is_rate,
        "lower_is_better": lower_is_better,
        "map": drawable,
        "outline": region.boundary,
        "region": region.name,
        "areas": ranked if not drawable else areas,
        "labels": {"none": _("无数据"), "unit": "%" if is_rate else ""},
    }
    sections = figures.sections(user, region, today)
    context = {
        "region": region,
        "ancestors": _ancestors(user, region),
        "sections": sections,
        # the big screen puts the short sections beside the map
        "main_sections": [s for s in sections if s.key not in SCREEN_SIDE],
        "side_sections": [s for s in sections if s.key in SCREEN_SIDE],
        "children": children,
        "metric": metric,
        "metrics": [(k, v[0]) for k, v in figures.MAP_METRICS.items()],
        "metric_label": label,
        "ranked": ranked,
        "chart": chart,
        "has_map": drawable,
        "missing_outlines": missing,
        "screen": screen,
        "refresh": SCREEN_REFRESH,
        "now": timezone.localtime(),
        "can_upload": permissions.allowed(user, "cockpit.boundaries"),
    }
    return render(request, "cockpit/screen.html" if screen else "cockpit/cockpit.html", context)


@login_required
def boundaries(request):
    """系统设置 → 区划边界: which subdivisions of the viewer's region have an outline, and the
    upload of a GeoJSON FeatureCollection for the towns and parks."""
    _require(request, "cockpit.boundaries")
    region = region_for(request)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": _("请选择 GeoJSON 文件")})
            done = services.upload_boundaries(region, upload.read(), actor=request.user)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已更新 %(n)s 个区划的边界") % {"n": len(done)})
            return redirect(reverse("cockpit:boundaries") + f"?region={region.pk}")
    children = figures.children_of(request.user, region)
    return render(
        request,
        "cockpit/boundaries.html",
        {"region": region, "children": children, "ancestors": _ancestors(request.user, region)},
    )

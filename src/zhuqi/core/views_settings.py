"""系统设置: the index of configuration pages and core's own (regions, departments, the national
holiday arrangement). Each page is a list, a create/edit form and the object's history; every
write goes through a service in `core.services`.

Who: the dispatch office (专班办公室) configures the regions and departments of its own subtree,
system administrators everything; the holiday arrangement is platform-wide, so only system
administrators enter it (the dispatch office reads it). Other roles get 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, menu, permissions, references, services, workcalendar
from .forms import DepartmentForm, HolidayArrangementForm, RegionForm, add_service_error
from .models import AuditEntry, Department, HolidayArrangement, Region
from .paging import CappedPaginator
from .params import year_param


def _manager(request, action: str = "core.settings.view") -> None:
    """The role part, from the matrix (core/permissions.py): other roles get 404."""
    if not permissions.allowed(request.user, action):
        raise Http404


def history_of(object_type: str, limit: int = 50):
    """The latest audit entries of every object of one type (a settings page's history)."""
    return list(
        AuditEntry.objects.filter(object_type=object_type).select_related("actor").order_by("-id")[:limit]
    )


@login_required
def settings_index(request):
    _manager(request)
    return render(request, "core/settings_index.html", {"pages": menu.settings_for(request.user)})


# --- regions -------------------------------------------------------------------------------------


@login_required
def region_settings(request):
    _manager(request, "core.org.manage")
    form = RegionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            region = services.save_region(
                actor=request.user, code=d["code"], name=d["name"], kind=d["kind"], parent=d["parent"]
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("区划「%(name)s」已新建") % {"name": region.name})
            return redirect("core:settings_region", region.pk)
    q = request.GET.get("q", "").strip()
    qs = Region.objects.visible_to(request.user).annotate(
        n_departments=Count("departments", filter=Q(departments__is_active=True))
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    page = CappedPaginator(qs.order_by("path"), 50).get_page(request.GET.get("page"))
    return render(request, "core/settings_regions.html", {"form": form, "page": page, "q": q})


@login_required
def region_setting(request, pk):
    _manager(request, "core.org.manage")
    region = Region.objects.get_visible_or_404(request.user, pk=pk)
    initial = {"code": region.code, "name": region.name, "kind": region.kind, "parent": region.parent_id}
    form = RegionForm(
        request.POST if request.method == "POST" and "save" in request.POST else None,
        user=request.user,
        region=region,
        initial=initial,
    )
    if request.method == "POST":
        try:
            if "save" in request.POST:
                if form.is_valid():
                    d = form.cleaned_data
                    services.save_region(
                        actor=request.user,
                        code=region.code,
                        name=d["name"],
                        kind=d["kind"],
                        parent=d["parent"],
                        region=region,
                    )
                    messages.success(request, _("已保存"))
                    return redirect("core:settings_region", region.pk)
            else:
                active = request.POST.get("active") == "1"
                services.set_region_active(region, active, actor=request.user)
                messages.success(request, _("已启用") if active else _("已停用"))
                return redirect("core:settings_region", region.pk)
        except (ValidationError, PermissionDenied) as exc:
            if "save" in request.POST:
                add_service_error(form, exc)
            else:
                messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    return render(
        request,
        "core/settings_region.html",
        {
            "region": region,
            "form": form,
            "uses": references.uses_of("region", region),
            "timeline": audit.timeline(region),
        },
    )


# --- departments ---------------------------------------------------------------------------------


@login_required
def department_settings(request):
    _manager(request, "core.org.manage")
    form = DepartmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            dept = services.save_department(
                actor=request.user,
                region=d["region"],
                name=d["name"],
                short_name=d["short_name"],
                kind=d["kind"],
                phone=d["phone"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("部门「%(name)s」已新建") % {"name": dept.name})
            return redirect("core:settings_department", dept.pk)
    q = request.GET.get("q", "").strip()
    qs = Department.objects.visible_to(request.user).select_related("region")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    page = CappedPaginator(qs.order_by("region__path", "name"), 50).get_page(request.GET.get("page"))
    return render(request, "core/settings_departments.html", {"form": form, "page": page, "q": q})


@login_required
def department_setting(request, pk):
    _manager(request, "core.org.manage")
    dept = Department.objects.select_related("region").get_visible_or_404(request.user, pk=pk)
    initial = {
        "name": dept.name,
        "short_name": dept.short_name,
        "kind": dept.kind,
        "region": dept.region_id,
        "phone": dept.phone,
    }
    form = DepartmentForm(
        request.POST if request.method == "POST" and "save" in request.POST else None,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST":
        try:
            if "save" in request.POST:
                if form.is_valid():
                    d = form.cleaned_data
                    services.save_department(
                        actor=request.user,
                        region=d["region"],
                        name=d["name"],
                        short_name=d["short_name"],
                        kind=d["kind"],
                        phone=d["phone"],
                        department=dept,
                    )
                    messages.success(request, _("已保存"))
                    return redirect("core:settings_department", dept.pk)
            else:
                active = request.POST.get("active") == "1"
                services.set_department_active(dept, active, actor=request.user)
                messages.success(request, _("已启用") if active else _("已停用"))
                return redirect("core:settings_department", dept.pk)
        except (ValidationError, PermissionDenied) as exc:
            if "save" in request.POST:
                add_service_error(form, exc)
            else:
                messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    return render(
        request,
        "core/settings_department.html",
        {
            "department": dept,
            "form": form,
            "uses": references.uses_of("department", dept),
            "timeline": audit.timeline(dept),
        },
    )


# --- the national holiday arrangement ----------------------------------------------------------


@login_required
def holiday_settings(request):
    """The State Council's notice for a year: typed in, previewed (working days per month),
    then saved through `services.enter_national_arrangement`."""
    _manager(request)
    can_edit = permissions.allowed(request.user, "core.calendar.configure")
    today = timezone.localdate()
    next_year = today.year + 1
    year_asked = year_param(request.GET)
    existing = None
    if year_asked:
        existing = HolidayArrangement.objects.filter(year=year_asked).first()
    initial = {"year": next_year}
    if existing is not None:
        initial = {
            "year": existing.year,
            "notice": existing.notice,
            "holidays": existing.holidays,
            "workdays": existing.workdays,
        }
    form = HolidayArrangementForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            if "save" in request.POST:
                try:
                    arrangement = services.enter_national_arrangement(
                        actor=request.user,
                        year=d["year"],
                        holidays=d["holiday_days"],
                        workdays=d["workday_days"],
                        notice=d["notice"],
                    )
                except (ValidationError, PermissionDenied) as exc:
                    add_service_error(form, exc)
                else:
                    messages.success(
                        request,
                        _("%(year)s年节假日安排已保存，未办结诉求的期限已按新安排重算")
                        % {"year": arrangement.year},
                    )
                    return redirect("core:settings_holidays")
            else:
                preview = _preview(d["year"], d["holiday_days"], d["workday_days"])
    entries = {a.year: a for a in HolidayArrangement.objects.select_related("entered_by")}
    years = [
        {"year": y, "known": workcalendar.arrangement_known(y), "entry": entries.get(y)}
        for y in (today.year, next_year)
    ]
    return render(
        request,
        "core/settings_holidays.html",
        {
            "form": form,
            "preview": preview,
            "can_edit": can_edit,
            "years": years,
            "arrangements": sorted(entries.values(), key=lambda a: -a.year),
            "history": history_of("core.holidayarrangement"),
        },
    )


def _preview(year: int, holidays, workdays) -> dict:
    months = workcalendar.preview_year(year, holidays, workdays)
    current = workcalendar.preview_year(year)
    rows = [
        {"month": m, "count": n, "before": b, "changed": n != b}
        for (m, n), (_m, b) in zip(months, current, strict=True)
    ]
    return {
        "year": year,
        "rows": rows,
        "total": sum(n for _m, n in months),
        "holidays": len(set(holidays)),
        "workdays": len(set(workdays)),
    }

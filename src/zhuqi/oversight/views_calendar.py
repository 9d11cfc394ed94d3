"""The oversight calendar page (督查日历): the coming occurrences of the viewer's recurring
events, who prepares each and when they are reminded; and 管理日历事项, where the dispatch office
and 督查 add, change and switch off the events of their area (services_calendar)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhuqi.core import audit, permissions
from zhuqi.core.forms import add_service_error

from . import calendar_events, services, services_calendar
from .forms import CalendarEventForm
from .models import CalendarEvent, CalendarReminder, DayRule


@login_required
def calendar(request):
    if not permissions.allowed(request.user, "oversight.view"):
        raise Http404
    today = timezone.localdate()
    occurrences = calendar_events.upcoming(request.user, today)
    sent = set(
        CalendarReminder.objects.filter(
            event__in={o.event.pk for o in occurrences}, occurs_on__gte=today
        ).values_list("event_id", "occurs_on")
    )
    rows = [
        {"o": o, "reminded": (o.event.pk, o.on) in sent, "days": (o.on - today).days} for o in occurrences
    ]
    return render(
        request,
        "oversight/calendar.html",
        {
            "rows": rows,
            "today": today,
            "horizon": calendar_events.HORIZON_DAYS,
            "can_configure": permissions.allowed(request.user, services_calendar.ACTION),
        },
    )


# --- 管理日历事项: the events of the viewer's area, added and changed in the app ------------------
def _require_configure(request) -> None:
    if not permissions.allowed(request.user, services_calendar.ACTION):
        raise Http404


@login_required
def event_list(request):
    """The events of the configurer's area (active and switched off), each with its schedule in
    words, an edit link and a switch."""
    _require_configure(request)
    events = list(
        services_calendar.editable(request.user)
        .select_related("region", "department", "preparer")
        .order_by("-is_active", "region__path", "kind", "pk")
    )
    for e in events:
        e.schedule = services_calendar.describe(e)
    return render(request, "oversight/calendar_events.html", {"events": events})


def _event_form(request, event: CalendarEvent | None):
    user = request.user
    _require_configure(request)
    fields = (
        "title",
        "kind",
        "region",
        "recurrence",
        "weekday",
        "day",
        "day_rule",
        "month",
        "department",
        "preparer",
        "lead_days",
        "note",
    )
    if event is not None:
        initial = {f: getattr(event, f) for f in fields}
    else:
        initial = {"region": services._actor_region(user), "lead_days": 3, "day_rule": DayRule.CALENDAR}
    form = CalendarEventForm(request.POST or None, initial=initial, user=user, event=event)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            event = services_calendar.save_event(event, actor=user, **{f: d[f] for f in fields})
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("已保存督查日历事项「%(title)s」") % {"title": event.title})
            return redirect("oversight:calendar_events")
    return render(
        request,
        "core/config_form.html",
        {
            "form": form,
            "heading": gettext("修改督查日历事项") if event else gettext("新增督查日历事项"),
            "intro": gettext(
                "日期不是工作日的顺延到其后第一个工作日；提醒日从日期往前数“提前提醒”个工作日。"
            ),
            "cancel_url": reverse("oversight:calendar_events"),
            "wide_fields": ["title", "note"],
            "history": audit.timeline(event)[::-1] if event is not None else None,
        },
    )


@login_required
def event_new(request):
    return _event_form(request, None)


@login_required
def event_edit(request, pk):
    _require_configure(request)
    return _event_form(request, get_object_or_404(services_calendar.editable(request.user), pk=pk))


@login_required
@require_POST
def event_toggle(request, pk):
    _require_configure(request)
    event = get_object_or_404(services_calendar.editable(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    event = services_calendar.set_active(event, actor=request.user, active=active)
    if active:
        messages.success(request, gettext("已启用「%(title)s」") % {"title": event.title})
    else:
        messages.success(
            request, gettext("已停用「%(title)s」：不再排入日历，也不再提醒") % {"title": event.title}
        )
    return redirect("oversight:calendar_events")

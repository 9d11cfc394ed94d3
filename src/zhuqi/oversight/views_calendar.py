"""The oversight calendar page (督查日历): the coming occurrences of the viewer's recurring
events, who prepares each and when they are reminded."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from zhuqi.core import permissions

from . import calendar_events
from .models import CalendarReminder


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
        {"rows": rows, "today": today, "horizon": calendar_events.HORIZON_DAYS},
    )

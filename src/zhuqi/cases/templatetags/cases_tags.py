"""Template helpers for case pages: status and RAG badges, due-date wording."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

STATUS_CLASS = {
    "submitted": "text-bg-warning",
    "accepted": "text-bg-info",
    "refused": "text-bg-secondary",
    "dispatched": "text-bg-primary",
    "sent_back": "text-bg-danger",
    "signed": "text-bg-primary",
    "in_progress": "text-bg-primary",
    "waiting": "text-bg-warning",
    "replied": "text-bg-info",
    "reopened": "text-bg-danger",
    "followed_up": "text-bg-success",
    "closed": "text-bg-success",
    "merged": "text-bg-secondary",
    "withdrawn": "text-bg-secondary",
}
RAG_LABEL = {
    "red": gettext_lazy("红灯：已超时或已提级"),
    "yellow": gettext_lazy("黄灯：1个工作日内到期"),
    "green": gettext_lazy("绿灯：正常"),
}


@register.filter
def status_class(code: str) -> str:
    return STATUS_CLASS.get(code, "text-bg-light")


@register.filter
def rag_label(code: str) -> str:
    return RAG_LABEL.get(code, "")


@register.filter
def due_words(value) -> str:
    """'还剩 3 天' / '超时 2 天' in calendar terms for quick reading (exact working days are on
    the case page)."""
    if not value:
        return ""
    now = timezone.now()
    from zhuqi.core.workcalendar import working_days_between

    if value < now:
        n = max(1, working_days_between(value, now))
        return _("超时 %(n)s 个工作日") % {"n": n}
    n = working_days_between(now, value)
    return _("今日到期") if n == 0 else _("剩 %(n)s 个工作日") % {"n": n}


@register.simple_tag
def drill_url(metric, part="n", dim="", key="", period=""):
    from django.urls import reverse

    url = f"{reverse('cases:list')}?metric={metric}&part={part}"
    if dim:
        url += f"&dim={dim}&key={key}"
    if period:
        url += f"&{period}"
    return url


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key) if hasattr(mapping, "get") else mapping[key]
    except (KeyError, IndexError, TypeError):
        return None

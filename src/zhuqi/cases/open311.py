"""Open311 GeoReport v2 endpoints, so hotline platforms (12345, 96388) can post and track
enterprise problems with the tools they already have.

* services.{json,xml}             — categories as services; the only endpoint open without api_key
* requests.{json,xml} GET / POST   — list within the key's region / create (api_key required)
* requests/{id}.{json,xml}         — one request by its service_request_id (the case number)

An api_key belongs to a PartnerSystem and carries its scope: a region subtree. States collapse
to open / closed. The enterprise is named by `attribute[credit_code]` (or `account_id`); the
partner's own work-order number by `attribute[external_no]` (kept on the case, unique per
partner).
"""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from zhuqi.core import audit

from .models import TERMINAL, Case, Category, Channel, PartnerSystem


def _render(data, fmt: str, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        for row in data:
            el = ET.SubElement(top, item)
            for k, v in row.items():
                child = ET.SubElement(el, k)
                if isinstance(v, list):
                    for x in v:
                        ET.SubElement(child, "keyword").text = str(x)
                elif v is not None:
                    child.text = str(v).lower() if isinstance(v, bool) else str(v)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/json; charset=utf-8", status=status
    )


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _render([{"code": code, "description": description}], fmt, "errors", "error", status=code)


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _partner(request) -> PartnerSystem | None:
    key = request.GET.get("api_key") or request.POST.get("api_key")
    return PartnerSystem.by_key(key)


def service_row(cat: Category) -> dict:
    return {
        "service_code": cat.code,
        "service_name": cat.name,
        "description": _("企业诉求：%(cat)s") % {"cat": cat},
        "metadata": False,
        "type": "realtime",
        "keywords": cat.keywords.split(),
        "group": cat.parent.name if cat.parent_id else cat.name,
    }


def request_row(case: Case) -> dict:
    closed = case.status in TERMINAL
    notes = case.get_status_display()
    if case.reply:
        notes += "：" + case.reply[:500]
    elif case.refuse_reason:
        notes += "：" + case.refuse_reason
    return {
        "service_request_id": case.no,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": case.category.name if case.category_id else "",
        "service_code": case.category.code if case.category_id else "",
        "description": case.description,
        "agency_responsible": case.lead_department.name if case.lead_department_id else "",
        "service_notice": "",
        "requested_datetime": _iso(case.submitted_at),
        "updated_datetime": _iso(
            case.closed_at or case.replied_at or case.dispatched_at or case.submitted_at
        ),
        "expected_datetime": _iso(case.reply_due_at),
        "address": case.enterprise.address,
        "address_id": case.enterprise.credit_code,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
        "external_no": case.external_no,
    }


def _fmt(fmt: str) -> str:
    return "xml" if fmt == "xml" else "json"


def services(request, fmt):
    fmt = _fmt(fmt)
    cats = Category.objects.filter(is_active=True).select_related("parent")
    return _render([service_row(c) for c in cats], fmt, "services", "service")


def _scoped(partner: PartnerSystem):
    return Case.objects.filter(enterprise__region__path__startswith=partner.region.path).select_related(
        "category", "lead_department", "enterprise"
    )


def _parse_dt(value: str | None):
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "bad"
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@csrf_exempt
def requests_view(request, fmt):
    fmt = _fmt(fmt)
    partner = _partner(request)
    if partner is None:
        return _error(fmt, 403, _("api_key 无效或缺失"))
    if request.method == "POST":
        return _create(request, partner, fmt)
    if request.method != "GET":
        return _error(fmt, 405, _("只支持 GET 和 POST"))
    qs = _scoped(partner)
    ids = request.GET.get("service_request_id")
    if ids:
        qs = qs.filter(no__in=[i.strip() for i in ids.split(",") if i.strip()])
    else:
        if request.GET.get("service_code"):
            qs = qs.filter(category__code__in=request.GET["service_code"].split(","))
        status = request.GET.get("status")
        if status == "open":
            qs = qs.exclude(status__in=TERMINAL)
        elif status == "closed":
            qs = qs.filter(status__in=TERMINAL)
        start, end = _parse_dt(request.GET.get("start_date")), _parse_dt(request.GET.get("end_date"))
        if "bad" in (start, end):
            return _error(fmt, 400, _("start_date / end_date 应为 W3C 日期时间格式"))
        if start:
            qs = qs.filter(submitted_at__gte=start)
        if end:
            qs = qs.filter(submitted_at__lte=end)
    rows = [request_row(c) for c in qs.order_by("-submitted_at")[:1000]]
    return _render(rows, fmt, "service_requests", "request")


def _create(request, partner: PartnerSystem, fmt: str) -> HttpResponse:
    from zhuqi.enterprises.models import Enterprise

    from .services import create_case

    p = request.POST
    code = p.get("service_code", "").strip()
    cat = Category.objects.filter(code=code, is_active=True).first()
    if cat is None:
        return _error(fmt, 400, _("service_code「%(code)s」无效") % {"code": code})
    description = p.get("description", "").strip()
    if not description:
        return _error(fmt, 400, _("description 不能为空"))
    credit = (p.get("attribute[credit_code]") or p.get("account_id") or "").strip().upper()
    ent = Enterprise.objects.filter(credit_code=credit, region__path__startswith=partner.region.path).first()
    if ent is None:
        return _error(
            fmt, 400, _("未找到企业：attribute[credit_code] 须为本系统范围内企业的统一社会信用代码")
        )
    external = (p.get("attribute[external_no]") or "").strip()
    limit = Case._meta.get_field("external_no").max_length
    if len(external) > limit:
        return _error(fmt, 400, _("attribute[external_no] 不能超过 %(n)d 个字符") % {"n": limit})
    title = (p.get("attribute[title]") or description[:30]).strip()
    contact = " ".join(x for x in (p.get("last_name", ""), p.get("first_name", "")) if x).strip()
    channel = partner.channel if partner.channel in Channel.values else Channel.API
    try:
        with audit.acting_as(None, label=_("对接系统: %(name)s") % {"name": partner.name}):
            case = create_case(
                ent,
                channel=channel,
                title=title[:120],
                description=description,
                category=cat,
                external_no=external,
                partner=partner,
                contact_name=contact[:50],
                contact_phone=p.get("phone", "")[:30],
            )
    except (ValidationError, PermissionDenied) as exc:
        msg = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return _error(fmt, 400, msg)
    row = {"service_request_id": case.no, "service_notice": _("已收到，1 个工作日内受理"), "account_id": None}
    return _render([row], fmt, "service_requests", "request", status=201)


def request_detail(request, request_id, fmt):
    fmt = _fmt(fmt)
    partner = _partner(request)
    if partner is None:
        return _error(fmt, 403, _("api_key 无效或缺失"))
    case = _scoped(partner).filter(no=request_id).first()
    if case is None:
        return _error(fmt, 404, _("未找到该请求"))
    return _render([request_row(case)], fmt, "service_requests", "request")

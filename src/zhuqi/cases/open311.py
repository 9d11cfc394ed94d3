"""Open311 GeoReport v2 endpoints, so hotline platforms (12345, 96388) can post and track
enterprise problems with the tools they already have.

* services.{json,xml}             — categories as services (metadata: true); open without api_key
* services/{code}.{json,xml}       — a service definition: the attributes a request carries
* requests.{json,xml} GET / POST   — list within the key's region / create (api_key required)
* requests/{id}.{json,xml}         — one request by its service_request_id (the case number)

An api_key belongs to a PartnerSystem and carries its scope: a region subtree, whose code is the
`jurisdiction_id` (optional; another one is refused). States collapse to open / closed. The
enterprise is named by `attribute[credit_code]` (or `account_id`); the partner's own work-order
number by `attribute[external_no]` (kept on the case, unique per partner). Requests are created
synchronously: POST answers the service_request_id itself, never a token. `media_url` is kept as
an internal note on the case (never fetched); a `media` file in a multipart POST goes through the
same content checks as every upload and becomes an internal attachment. Every error is the
standard's `[{"code", "description"}]` (XML `<errors><error>`), described in Chinese.
"""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from zhuqi.core import audit

from .models import TERMINAL, Case, Category, Channel, PartnerSystem, Urgency

# the marker line of the internal note that keeps a request's media_url (see _keep_media_url)
MEDIA_URL_MARK = "media_url: "
MEDIA_URL_MAX = 1000


# XML element names of the items of a list-valued field (GeoReport v2's service definition)
_XML_ITEMS = {"attributes": "attribute", "values": "value"}


def _xml_fill(el: ET.Element, row: dict) -> None:
    for k, v in row.items():
        child = ET.SubElement(el, k)
        if isinstance(v, list):
            for x in v:
                _xml_fill(ET.SubElement(child, _XML_ITEMS.get(k, "item")), x)
        elif v is not None:
            child.text = str(v).lower() if isinstance(v, bool) else str(v)


def _xml(top: ET.Element, status: int) -> HttpResponse:
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


def _json(data, status: int) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/json; charset=utf-8", status=status
    )


def _render(data, fmt: str, root: str, item: str, status: int = 200) -> HttpResponse:
    """A list of rows: a JSON array, or <root><item>…</item>…</root>."""
    if fmt == "xml":
        top = ET.Element(root)
        for row in data:
            _xml_fill(ET.SubElement(top, item), row)
        return _xml(top, status)
    return _json(data, status)


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _render([{"code": code, "description": description}], fmt, "errors", "error", status=code)


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _param(request, name: str) -> str:
    return (request.GET.get(name) or request.POST.get(name) or "").strip()


def _partner(request) -> PartnerSystem | None:
    return PartnerSystem.by_key(_param(request, "api_key"))


def _partner_or_error(request, fmt: str) -> tuple[PartnerSystem | None, HttpResponse | None]:
    """The key's partner, or the standard error: a missing/unknown key (403), a jurisdiction_id
    other than the partner's region code (400)."""
    partner = _partner(request)
    if partner is None:
        return None, _error(fmt, 403, _("api_key 无效或缺失"))
    jurisdiction = _param(request, "jurisdiction_id")
    if jurisdiction and jurisdiction != partner.region.code:
        return None, _error(
            fmt,
            400,
            _("jurisdiction_id「%(given)s」与 api_key 所属区划不符，应为「%(code)s」")
            % {"given": jurisdiction[:40], "code": partner.region.code},
        )
    return partner, None


def _jurisdiction_error(request, fmt: str) -> HttpResponse | None:
    """Where no key is needed (services): a jurisdiction_id, if given, names a known region."""
    from zhuqi.core.models import Region

    jurisdiction = _param(request, "jurisdiction_id")
    if jurisdiction and not Region.objects.filter(code=jurisdiction).exists():
        return _error(fmt, 404, _("jurisdiction_id「%(given)s」不存在") % {"given": jurisdiction[:40]})
    return None


def service_row(cat: Category) -> dict:
    return {
        "service_code": cat.code,
        "service_name": cat.name,
        "description": _("企业诉求：%(cat)s") % {"cat": cat},
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(cat.keywords.split()),
        "group": cat.parent.name if cat.parent_id else cat.name,
    }


def service_attributes(cat: Category) -> list[dict]:
    """What a request for `cat` carries besides the standard fields, as GeoReport v2 attributes
    (sent as attribute[code]). Categories declare no attributes of their own: every service
    takes the same ones."""
    external_max = Case._meta.get_field("external_no").max_length
    return [
        {
            "variable": True,
            "code": "credit_code",
            "datatype": "string",
            "required": True,
            "datatype_description": _("18 位统一社会信用代码"),
            "order": 1,
            "description": _(
                "统一社会信用代码：提出诉求的企业，须为本系统中、api_key 所属区划内已登记的企业"
                "（也可用 account_id 传送）"
            ),
        },
        {
            "variable": True,
            "code": "external_no",
            "datatype": "string",
            "required": False,
            "datatype_description": _("不超过 %(n)d 个字符") % {"n": external_max},
            "order": 2,
            "description": _("对接系统自己的工单号：同一对接系统内不能重复，用于对账和防止重复提交"),
        },
        {
            "variable": True,
            "code": "title",
            "datatype": "string",
            "required": False,
            "datatype_description": _("不超过 120 个字符"),
            "order": 3,
            "description": _("诉求标题：不填时取问题描述的前 30 个字"),
        },
        {
            "variable": True,
            "code": "urgency",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 4,
            "description": _("紧急程度：不填为一般"),
            "values": [{"key": value, "name": str(label)} for value, label in Urgency.choices],
        },
    ]


@csrf_exempt
def service_definition(request, service_code, fmt):
    fmt = _fmt(fmt)
    if request.method != "GET":
        return _error(fmt, 405, _("只支持 GET"))
    if (err := _jurisdiction_error(request, fmt)) is not None:
        return err
    cat = Category.objects.filter(code=service_code, is_active=True).first()
    if cat is None:
        return _error(fmt, 404, _("service_code「%(code)s」不存在") % {"code": service_code[:40]})
    data = {"service_code": cat.code, "attributes": service_attributes(cat)}
    if fmt == "xml":
        top = ET.Element("service_definition")
        _xml_fill(top, data)
        return _xml(top, 200)
    return _json(data, 200)


@csrf_exempt
def not_found(request, fmt="json", path=""):
    """Any other path under /open311/v2/: the standard error, not an HTML page. Requests are
    created synchronously, so there are no tokens to look up."""
    fmt = _fmt(fmt)
    if path.startswith("tokens/"):
        return _error(
            fmt, 404, _("本系统同步创建请求，POST requests 直接返回 service_request_id，不使用 token")
        )
    return _error(fmt, 404, _("没有这个接口"))


def _media_urls(cases: list[Case]) -> dict[int, str]:
    """The media_url each case was posted with (the internal note that keeps it)."""
    from zhuqi.core.models import Comment

    if not cases:
        return {}
    notes = Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(Case),
        object_id__in=[str(c.pk) for c in cases],
        created_by__isnull=True,
        body__contains="\n" + MEDIA_URL_MARK,
    ).order_by("created_at", "id")
    found: dict[int, str] = {}
    for note in notes:
        found.setdefault(int(note.object_id), note.body.split("\n" + MEDIA_URL_MARK, 1)[1].strip())
    return found


def request_row(case: Case, media_url: str | None = None) -> dict:
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
        "media_url": media_url,
        "external_no": case.external_no,
    }


def _fmt(fmt: str) -> str:
    return "xml" if fmt == "xml" else "json"


@csrf_exempt
def services(request, fmt):
    fmt = _fmt(fmt)
    if request.method != "GET":
        return _error(fmt, 405, _("只支持 GET"))
    if (err := _jurisdiction_error(request, fmt)) is not None:
        return err
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
    partner, err = _partner_or_error(request, fmt)
    if err is not None or partner is None:
        return err or _error(fmt, 403, _("api_key 无效或缺失"))
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
    cases = list(qs.order_by("-submitted_at")[:1000])
    media = _media_urls(cases)
    rows = [request_row(c, media.get(c.pk)) for c in cases]
    return _render(rows, fmt, "service_requests", "request")


def _media_url_error(url: str) -> str | None:
    if len(url) > MEDIA_URL_MAX:
        return _("media_url 不能超过 %(n)d 个字符") % {"n": MEDIA_URL_MAX}
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return _("media_url 应为 http(s) 网址")
    return None


def _keep_media_url(case: Case, url: str) -> None:
    """An internal note on the case with the link: never fetched (the server does not reach out
    to the internet); an official opens it if needed. Attributed like the case (the partner)."""
    from zhuqi.core.models import Comment

    body = _("对接系统提交的媒体链接（系统未下载，请核实后再打开）") + "\n" + MEDIA_URL_MARK + url
    Comment.objects.create(
        content_type=ContentType.objects.get_for_model(Case),
        object_id=str(case.pk),
        body=body,
        visibility=Comment.Visibility.INTERNAL,
    )
    audit.record("event", case, event="comment_added", changes={"comment": body[:200]})


def _keep_media(case: Case, upload, mime: str) -> None:
    """The uploaded file, checked by core's validate_upload already, as an internal attachment."""
    from pathlib import PurePath

    from zhuqi.core.models import Attachment

    att = Attachment(
        content_type=ContentType.objects.get_for_model(Case),
        object_id=str(case.pk),
        name=PurePath(upload.name).name[:200],
        size=upload.size,
        mime=mime,
        visibility=Attachment.Visibility.INTERNAL,
    )
    att.file.save(att.name, upload, save=False)
    att.save()
    audit.record(
        "event",
        case,
        event="attachment_added",
        changes={"attachment": att.name, "size": att.size, "visibility": att.get_visibility_display()},
    )


def _create(request, partner: PartnerSystem, fmt: str) -> HttpResponse:
    from zhuqi.core.services import validate_upload
    from zhuqi.enterprises.models import Enterprise

    from .services import create_case

    p = request.POST
    code = p.get("service_code", "").strip()
    cat = Category.objects.filter(code=code, is_active=True).first()
    if cat is None:
        return _error(fmt, 400, _("service_code「%(code)s」无效") % {"code": code[:40]})
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
    urgency = (p.get("attribute[urgency]") or Urgency.NORMAL).strip()
    if urgency not in Urgency.values:
        allowed = "、".join(Urgency.values)
        return _error(fmt, 400, _("attribute[urgency] 应为 %(allowed)s 之一") % {"allowed": allowed})
    media_url = p.get("media_url", "").strip()
    if media_url and (msg := _media_url_error(media_url)):
        return _error(fmt, 400, msg)
    upload = request.FILES.get("media")
    mime = ""
    if upload is not None:
        try:
            mime = validate_upload(upload)  # the checks every upload in zhuqi goes through
        except ValidationError as exc:
            return _error(fmt, 400, exc.messages[0])
    title = (p.get("attribute[title]") or description[:30]).strip()
    contact = " ".join(x for x in (p.get("last_name", ""), p.get("first_name", "")) if x).strip()
    channel = partner.channel if partner.channel in Channel.values else Channel.API
    try:
        with (
            audit.acting_as(None, label=_("对接系统: %(name)s") % {"name": partner.name}),
            transaction.atomic(),
        ):
            case = create_case(
                ent,
                channel=channel,
                title=title[:120],
                description=description,
                category=cat,
                urgency=urgency,
                external_no=external,
                partner=partner,
                contact_name=contact[:50],
                contact_phone=p.get("phone", "")[:30],
            )
            if media_url:
                _keep_media_url(case, media_url)
            if upload is not None:
                _keep_media(case, upload, mime)
    except (ValidationError, PermissionDenied) as exc:
        msg = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return _error(fmt, 400, msg)
    # synchronous: the id itself, no token (GeoReport v2 allows either)
    row = {"service_request_id": case.no, "service_notice": _("已收到，1 个工作日内受理"), "account_id": None}
    return _render([row], fmt, "service_requests", "request", status=201)


@csrf_exempt
def request_detail(request, request_id, fmt):
    fmt = _fmt(fmt)
    partner, err = _partner_or_error(request, fmt)
    if err is not None or partner is None:
        return err or _error(fmt, 403, _("api_key 无效或缺失"))
    if request.method != "GET":
        return _error(fmt, 405, _("只支持 GET"))
    case = _scoped(partner).filter(no=request_id).first()
    if case is None:
        return _error(fmt, 404, _("未找到该请求"))
    return _render([request_row(case, _media_urls([case]).get(case.pk))], fmt, "service_requests", "request")

"""The product's own error pages: 400, 403, 404 and 500 in Chinese, in the product's layout.

Django shows its English technical pages while DEBUG is on (the default outside production, so
in every demo). `ErrorPagesMiddleware` replaces them with these pages unless
`ZHUQI_TECHNICAL_ERRORS=true` (a developer who wants the traceback in the browser); the
traceback of a server error is always logged. The API keeps its JSON answers."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger("django.request")

_PAGES = {
    400: (
        "exclamation-triangle",
        lambda: _("请求有误"),
        lambda: _("请求的内容无法识别，请返回上一页检查后重试。"),
    ),
    403: (
        "slash-circle",
        lambda: _("没有权限"),
        lambda: _("您的角色不能进行这项操作。如需办理，请联系专班办公室或系统管理员。"),
    ),
    404: (
        "signpost-split",
        lambda: _("页面不存在"),
        lambda: _("您要找的页面或记录不存在，或不在您的管辖范围内。请检查链接，或从首页重新进入。"),
    ),
}


def error_page(request, status: int) -> HttpResponse:
    """The page for `status` (400, 403, 404) in the product's layout."""
    icon, heading, explanation = _PAGES[status]
    try:
        response = render(
            request,
            "errors/page.html",
            {"status": status, "icon": icon, "heading": heading(), "explanation": explanation()},
            status=status,
        )
    except Exception:  # the layout needs the database (menu, inbox): fall back to the plain page
        log.exception("error page %s could not be rendered in the layout", status)
        response = HttpResponse(
            f"<!doctype html><title>{status}</title><h1>{heading()}</h1><p>{explanation()}</p>",
            status=status,
        )
    response.zhuqi_error_page = True
    return response


_API_MESSAGES = {
    400: lambda: _("请求有误"),
    403: lambda: _("无权操作"),
    404: lambda: _("未找到该对象"),
}


def api_error(status: int) -> JsonResponse:
    """What the REST API answers where Django, not DRF, refuses (a path no route matches):
    DRF's `{"detail": …}`, as the schema declares (core.openapi)."""
    response = JsonResponse({"detail": _API_MESSAGES[status]()}, status=status)
    response.zhuqi_error_page = True
    return response


def _is_rest_api(request) -> bool:
    return request.path.startswith("/api/v1/")


def bad_request(request, exception=None):
    return api_error(400) if _is_rest_api(request) else error_page(request, 400)


def permission_denied(request, exception=None):
    return api_error(403) if _is_rest_api(request) else error_page(request, 403)


def page_not_found(request, exception=None):
    return api_error(404) if _is_rest_api(request) else error_page(request, 404)


def server_error(request=None):
    """The 500 page: a template that needs no database and no request context."""
    response = HttpResponse(loader.get_template("500.html").render(), status=500)
    response.zhuqi_error_page = True
    return response


def _technical_pages_wanted() -> bool:
    return settings.DEBUG and getattr(settings, "ZHUQI_TECHNICAL_ERRORS", False)


def _is_api(request) -> bool:
    return request.path.startswith(("/api/", "/open311/"))


class ErrorPagesMiddleware:
    """With DEBUG on, answer the product's pages instead of Django's English technical 404 and
    500 pages (with DEBUG off Django already uses the handlers in urls.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and not _technical_pages_wanted()
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and _is_rest_api(request)
        ):
            return api_error(404)  # Django's technical 404 for a path no API route matches
        if (
            settings.DEBUG
            and not _technical_pages_wanted()
            and response.status_code in (404, 500)
            and not getattr(response, "zhuqi_error_page", False)
            and response.get("Content-Type", "").startswith("text/html")
            and not _is_api(request)
        ):
            return page_not_found(request) if response.status_code == 404 else server_error(request)
        return response

    def process_exception(self, request, exception):
        if not settings.DEBUG or _technical_pages_wanted():
            return None  # Django's handlers (or its technical pages, when asked for)
        if isinstance(exception, Http404):
            return None if _is_api(request) else page_not_found(request)
        if _is_api(request):
            return None
        from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation

        if isinstance(exception, PermissionDenied):
            return None  # Django renders handler403 in every mode
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return None
        log.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        return server_error(request)

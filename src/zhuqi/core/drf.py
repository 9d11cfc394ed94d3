"""DRF settings hooks (kept apart from api.py: DRF imports these while loading itself)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser as _FormParser
from rest_framework.parsers import JSONParser as _JSONParser
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Scope: anything not visible answers 404 (DRF's default) with a Chinese message; the
    CSRF refusal of a session call is in the user's language too."""
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 404:
        response.data = {"detail": _("未找到该对象")}
    elif response is not None and str(getattr(exc, "detail", "")).startswith("CSRF Failed"):
        # DRF's session check speaks English whatever the language: say it in the user's
        response.data = {"detail": _("安全校验未通过（CSRF）：请刷新页面后重试，或使用 API 令牌调用")}
    return response


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONParser(_JSONParser):
    """DRF's JSON parser, refusing a NUL character anywhere in the body with a 400: PostgreSQL
    refuses NUL in text, and not every field (a tag named by slug) checks for it."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise ParseError(_("请求中不能含 NUL 字符（\\u0000）"))
        return data


class FormParser(_FormParser):
    """DRF's form parser, with NUL bytes removed as `core.params.StripNulMiddleware` does for pages."""

    def parse(self, stream, media_type=None, parser_context=None):
        from .params import without_nul

        return without_nul(super().parse(stream, media_type, parser_context))

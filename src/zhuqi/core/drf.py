"""DRF settings hooks (kept apart from api.py: DRF imports these while loading itself)."""

from django.utils.translation import gettext as _
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

"""DRF settings hooks (kept apart from api.py: DRF imports these while loading itself)."""

from django.utils.translation import gettext as _
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Scope: anything not visible answers 404 (DRF's default) with a Chinese message."""
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 404:
        response.data = {"detail": _("未找到该对象")}
    return response

"""Login, logout and failed-login events go to the audit log; calendar overrides reset caches."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from . import audit, workcalendar
from .middleware import client_ip
from .models import WorkdayOverride


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="zhuqi_login")
def _logged_in(sender, request, user, **kwargs):
    with audit.acting_as(user, ip=_ip(request)):
        audit.record("login", user, message=_("登录成功"))


@receiver(user_logged_out, dispatch_uid="zhuqi_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        with audit.acting_as(user, ip=_ip(request)):
            audit.record("logout", user, message=_("退出登录"))


@receiver(user_login_failed, dispatch_uid="zhuqi_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    with audit.acting_as(None, label=_("未登录: %(username)s") % {"username": username}, ip=_ip(request)):
        audit.record("login_failed", object_type="core.user", object_repr=username, message=_("登录失败"))


@receiver([post_save, post_delete], sender=WorkdayOverride, dispatch_uid="zhuqi_calendar_reset")
def _calendar_changed(sender, **kwargs):
    workcalendar.invalidate()

"""Request middleware: who and from where, for the audit log."""

from __future__ import annotations

import time

from django.conf import settings

from . import audit


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUST_X_FORWARDED_FOR (behind the reverse
    proxy) the last X-Forwarded-For entry, the one the proxy itself appended. Entries before it
    come from the client and can be forged. Also the address django-axes locks out."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None


class SlidingSessionMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE of inactivity. Saving the session on every
    request (Django's SESSION_SAVE_EVERY_REQUEST) costs one UPDATE per page; here a signed-in
    session is saved — and its expiry moved — at most once every SESSION_REFRESH_SECONDS
    (default 300), so the idle limit holds to within that much. Sits right after
    SessionMiddleware, which writes what this marks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty():
            return response
        now = int(time.time())
        seen = session.get("_seen")
        if not isinstance(seen, int) or now - seen >= settings.SESSION_REFRESH_SECONDS:
            session["_seen"] = now
        return response


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.acting_as(_LazyActor(request), ip=client_ip(request)):
            return self.get_response(request)


class _LazyActor:
    """Resolves request.user when an entry is written (DRF authenticates after middleware)."""

    def __init__(self, request):
        self.request = request

    def resolve(self):
        request = self.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return getattr(user, "_wrapped", user)


class SecondFactorMiddleware:
    """With ZHUQI_ADMIN_2FA on, a system admin must pass TOTP before any other page."""

    EXEMPT_PREFIXES = ("/account/2fa/", "/account/logout/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import redirect

        from .views import needs_second_factor

        user = getattr(request, "user", None)
        if (
            user is not None
            and needs_second_factor(user)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return redirect(f"/account/2fa/?next={request.path}")
        return self.get_response(request)


class ForcePasswordChangeMiddleware:
    """A user holding a temporary password (an administrator's reset, a new account) changes it
    before any other page."""

    EXEMPT_PREFIXES = ("/account/password/", "/account/2fa/", "/account/logout/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import redirect

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return redirect("password_change")
        return self.get_response(request)


class ChineseByDefaultMiddleware:
    """The UI is Simplified Chinese unless the user picked another language (cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)

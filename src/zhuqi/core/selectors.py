"""Core reads for the pages: each starts from `visible_to(user)` or the user's own rows."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_devices(user) -> tuple[TOTPDevice | None, TOTPDevice | None]:
    """The user's confirmed TOTP device and their unconfirmed (enrolling) one, either None."""
    confirmed = pending = None
    for device in TOTPDevice.objects.filter(user=user).order_by("id"):
        if device.confirmed and confirmed is None:
            confirmed = device
        elif not device.confirmed and pending is None:
            pending = device
    return confirmed, pending

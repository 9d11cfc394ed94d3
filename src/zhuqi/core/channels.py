"""Outbound notification channels. Each takes a Notification and delivers a copy elsewhere.

Configured by `NOTIFY_CHANNELS` (dotted paths). Console is the default; e-mail uses Django's mail
backend; SMS and enterprise messaging (企业微信/钉钉/政务微信-style webhooks) are adapters that
POST JSON to a gateway on the intranet. A failing channel is logged, never raised.
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

log = logging.getLogger("zhuqi.notify")


class Channel:
    name = "base"

    def send(self, notification) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleChannel(Channel):
    name = "console"

    def send(self, notification) -> None:
        recipient = notification.recipient
        sys.stdout.write(
            _("[通知] → %(name)s: %(title)s") % {"name": recipient.display_name, "title": notification.title}
            + "\n"
        )


class EmailChannel(Channel):
    name = "email"

    def send(self, notification) -> None:
        if notification.recipient.email:
            send_mail(
                notification.title,
                notification.body or notification.title,
                None,
                [notification.recipient.email],
            )


class WebhookChannel(Channel):
    """POST {"to": mobile, "title", "body", "url"} to a gateway URL."""

    name = "webhook"
    setting = ""

    def url(self) -> str:
        return getattr(settings, self.setting, "")

    def send(self, notification) -> None:
        self.post(notification.recipient.mobile, notification.title, notification.body, notification.url)

    def post(self, to: str, title: str, body: str = "", url: str = "") -> None:
        """Deliver one message to a mobile number that need not be a user's (an enterprise
        contact); nothing is sent without a gateway or a number."""
        target = self.url()
        if not target or not to:
            return
        payload = json.dumps({"to": to, "title": title, "body": body, "url": url}, ensure_ascii=False).encode(
            "utf-8"
        )
        if not target.startswith(("http://", "https://")):
            raise ValueError(f"webhook URL must be http(s): {target!r}")
        request = urllib.request.Request(target, data=payload, headers={"Content-Type": "application/json"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - operator-configured intranet gateway
            pass


class SmsChannel(WebhookChannel):
    name = "sms"
    setting = "NOTIFY_SMS_WEBHOOK"


class ImChannel(WebhookChannel):
    name = "im"
    setting = "NOTIFY_IM_WEBHOOK"


def reachable(user) -> str:
    """The name of a configured outbound channel that reaches `user` personally (e-mail with an
    address, SMS with a gateway and a mobile number), or "" when none does: the console and
    in-app inbox do not count (a person who cannot sign in cannot read their inbox). Used for
    one-time links (a forgotten password, an enterprise account's activation)."""
    from .notify import channels

    for channel in channels():
        if isinstance(channel, EmailChannel) and user.email:
            return channel.name
        if isinstance(channel, SmsChannel) and channel.url() and user.mobile:
            return channel.name
    return ""

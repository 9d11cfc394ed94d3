"""Helpers for driving the one import flow (/core/import/<kind>/) from tests."""

from __future__ import annotations

import io
import re

from django.urls import reverse


def url(kind: str) -> str:
    return reverse("core:import", args=[kind])


def preview(client, kind: str, data: bytes, name: str = "导入.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(url(kind), {"action": "preview", "file": upload})


def token_of(page: str) -> str:
    m = re.search(r'name="token" value="([^"]+)"', page)
    assert m, "no confirm form"
    return m.group(1)


def confirm(client, kind: str, token: str, **extra):
    return client.post(url(kind), {"action": "confirm", "token": token}, **extra)


def preview_and_confirm(client, kind: str, data: bytes, **extra):
    page = preview(client, kind, data).content.decode()
    return confirm(client, kind, token_of(page), **extra)
